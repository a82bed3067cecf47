"""Requests in process for `make bench`: one request's SQL queries and size, then the
time of a few more (all of it, and the part spent in the database driver).

``measure`` serves bench/pages.py for Ladder's pages; run as a module, it measures a
baseline in a child process with the baseline's settings (DJANGO_SETTINGS_MODULE) and
prints the JSON. The session cookie comes in BENCH_COOKIE.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable
from typing import Any

TIMED = 30  # requests timed after the one whose queries are counted


def measure(request: Callable[[], Any]) -> dict[str, Any]:
    """Warm once (compiled templates, cached data: a warm worker), capture the queries of
    one request, then time ``TIMED`` more. ``request`` returns a test client response."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    databases = [
        connection
        for connection in connections.all()
        if connection.settings_dict["ENGINE"] != "django.db.backends.dummy"  # the bare view
    ]
    request()
    with contextlib.ExitStack() as stack:
        captured = [stack.enter_context(CaptureQueriesContext(c)) for c in databases]
        response = request()
    # Read now: every request's request_started signal empties the query log.
    sql = [query["sql"] for context in captured for query in context.captured_queries]
    in_driver = 0.0

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal in_driver
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_driver += time.perf_counter() - started

    with contextlib.ExitStack() as stack:
        for connection in databases:
            stack.enter_context(connection.execute_wrapper(timer))
        started = time.perf_counter()
        for _ in range(TIMED):
            request()
        seconds = time.perf_counter() - started
    return {
        "status": response.status_code,
        "queries": len(sql),
        "body_bytes": len(response.content),
        "sql": sql,
        "ms_in_process": round(seconds * 1000 / TIMED, 2),
        "sql_ms_in_process": round(in_driver * 1000 / TIMED, 2),
    }


def main() -> None:
    import django

    django.setup()
    from django.test import Client

    client = Client()
    client.cookies.load(os.environ.get("BENCH_COOKIE", ""))
    print(json.dumps(measure(lambda: client.get("/"))))


if __name__ == "__main__":
    main()
