"""Benchmark: how fast the benchmarks search answers, on the database in DATABASE_URL.

Runs outside `make test` (timings belong in benchmarks, not assertions):

    make bench-search                      # SQLite (db.sqlite3) and PostgreSQL
    DATABASE_URL=postgres://... .venv/bin/python -m tests.bench.search_latency

Each query goes through the whole Django stack in process (middleware, view, one
SQL query, ranking, template) with the full reference library loaded. The target
(issue "The evidence behind the ladder") is under 50 ms per search.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time

QUERIES = [
    "software developer",
    "software dev",
    "lawyer",
    "realtor",
    "therapist",
    "coder",
    "financial advisor",
    "nurse",
    "de",  # a short prefix: the largest candidate set
    "tec",  # prefixes as type-ahead sends them, keystroke by keystroke
    "tech",
    "manag",
    "devops engineer",  # found by a title people use
    "xqzzyv",  # nothing matches
]
ROUNDS = 40
TARGET_MS = 50.0


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ladder.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    client = Client()
    for query in QUERIES:  # warm up: first-request imports, template compilation
        response = client.get("/benchmarks/", {"q": query})
        assert response.status_code == 200, response.status_code

    print(
        f"database: {connection.vendor}; python {platform.python_version()}; {platform.machine()}"
    )
    print(f"{'query':22} {'median ms':>10} {'p95 ms':>8} {'htmx median ms':>15}")
    worst = 0.0
    for query in QUERIES:
        full, fragment = [], []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            client.get("/benchmarks/", {"q": query})
            full.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            client.get("/benchmarks/", {"q": query}, headers={"HX-Request": "true"})
            fragment.append((time.perf_counter() - started) * 1000)
        p95 = statistics.quantiles(full, n=20)[-1]
        worst = max(worst, p95)
        median, htmx_median = statistics.median(full), statistics.median(fragment)
        print(f"{query:22} {median:10.1f} {p95:8.1f} {htmx_median:15.1f}")
    verdict = "meets" if worst < TARGET_MS else "MISSES"
    print(f"worst p95 {worst:.1f} ms: {verdict} the {TARGET_MS:.0f} ms target")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
