"""Benchmark: one check-in sweep for N due people, on PostgreSQL, into a real SMTP server.

Runs outside `make test` (timings belong in benchmarks, not assertions):

    make bench-checkins                              # 10,000 people
    BENCH_USERS=2000 make bench-checkins
    .venv/bin/python -m tests.bench.checkin_sweep --users 10000

It uses its own database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/ladder_bench_checkins), created and migrated when
missing, seeded with ``seed_demo --users N --due``. Email goes over SMTP to an aiosmtpd
server on a free local port that counts what arrives. The sweep is the one
``manage.py send_checkins`` runs (``checkins.sweep(send=checkins.send_inline)``), at
N/10 due people and at N, counting SQL queries: queries per person must not grow with
N. Each size is checked: one email per due person and nobody twice, every check-in
row sent, and a second sweep straight after sends nothing. The figures and the
queries that run once per person go to bench/checkin_results.json.

Re-runnable: seeding again with the same N adds nobody, and before each size the
check-in rows are deleted and exactly the people being measured are made due.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import logging
import os
import platform
import re
import secrets
import socket
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ladder_bench_checkins"
DEFAULT_USERS = 10_000
WARM_UP = 10  # swept first and not reported: template compilation, cached scenarios
RESULTS = Path(__file__).with_name("checkin_results.json")
SHOWN_QUERIES = 12

Timings = list[tuple[str, float]]  # (SQL with placeholders, seconds), one per query


class CountingSink:
    """An aiosmtpd handler that counts messages and recipients. It keeps no message,
    so a large run costs no memory and little CPU next to the sweep it measures."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.messages = 0
        self.recipients: collections.Counter[str] = collections.Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.messages += 1
            self.recipients.update(address.lower() for address in envelope.rcpt_tos)
        return "250 OK"

    def reset(self) -> None:
        with self._lock:
            self.messages = 0
            self.recipients.clear()


@dataclass
class Run:
    people: int
    emails: int
    seconds: float
    emails_per_second: float
    queries: int
    queries_per_person: float
    sql_seconds: float  # waiting for the database: the driver's execute, timed per query
    second_sweep_sent: int
    second_sweep_queries: int
    report: str
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Repeating:
    """A query (values taken out) that runs about once per person or more."""

    sql: str
    per_person: float
    ms_per_person: float


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def ensure_database(url: str) -> bool:
    """Create the PostgreSQL database named in ``url`` unless it exists; True if created."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in {"postgres", "postgresql"} or not name:
        raise SystemExit(f"BENCH_DATABASE_URL must be postgres://…/name, not {url!r}")
    maintenance = urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def setup_django(database_url: str, smtp_port: int) -> None:
    # Production-like: DEBUG off (CaptureQueriesContext logs the queries regardless).
    os.environ["DATABASE_URL"] = database_url
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp_port}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ladder.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("STATIC_MANIFEST", "false")
    import django
    from django.db import connection

    django.setup()
    # aiosmtpd logs every SMTP command at INFO; 10,000 emails would bury the results.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    # Django keeps the last 9,000 queries; a sweep of 10,000 people runs far more.
    connection.queries_log = collections.deque(maxlen=None)


def seed(users: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    output = io.StringIO()
    call_command("seed_demo", users=users, due=True, stdout=output)
    for line in output.getvalue().splitlines():
        if line.startswith("Synthetic people"):
            print(f"seed_demo: {line}")
    print(f"seed_demo --users {users} --due: {time.perf_counter() - started:.1f} s")


def make_exactly_due(count: int) -> int:
    """Delete every check-in row and make synthetic people 1 to ``count``, and nobody
    else, due now. Returns how many were made due."""
    from django.utils import timezone

    from accounts.models import User
    from assessments.checkins import services as checkins
    from assessments.demo.synthetic import make_due
    from assessments.models import Checkin

    now = timezone.now()
    Checkin.objects.all().delete()
    User.objects.filter(next_checkin_at__isnull=False).update(
        next_checkin_at=now + checkins.CADENCE
    )
    return make_due(count, now=now) if count else 0


class QueryTimer:
    """A database execute wrapper that times every query to the microsecond (Django's
    query log rounds to the millisecond, which makes a 0.3 ms query take no time)."""

    def __init__(self) -> None:
        self.timings: Timings = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.timings.append((sql, time.perf_counter() - started))


def measure(count: int, sink: CountingSink) -> tuple[Run, Timings]:
    """Make ``count`` people due, sweep once (timed, every query counted and timed),
    check what arrived, and sweep again. Returns the run and the first sweep's queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.checkins import services as checkins
    from assessments.demo.synthetic import synthetic_email
    from assessments.models import Checkin
    from ladder.outbox import Outcome

    due = make_exactly_due(count)
    sink.reset()
    connection.queries_log.clear()
    timer = QueryTimer()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
        started = time.perf_counter()
        report = checkins.sweep(send=checkins.send_inline)
        seconds = time.perf_counter() - started
    queries = len(captured)
    emails = sink.messages
    with CaptureQueriesContext(connection) as captured_again:
        again = checkins.sweep(send=checkins.send_inline)
    sent_rows = Checkin.objects.filter(state=Checkin.State.SENT).count()

    problems = []
    if due != count:
        problems.append(f"{due} people made due, expected {count}")
    if emails != due:
        problems.append(f"{emails} emails for {due} due people")
    if sent_rows != due:
        problems.append(f"{sent_rows} check-in rows sent for {due} due people")
    expected = {synthetic_email(i) for i in range(1, count + 1)}
    twice = sorted(address for address, n in sink.recipients.items() if n > 1)
    missing = sorted(expected - set(sink.recipients))
    stray = sorted(set(sink.recipients) - expected)
    if twice:
        problems.append(f"{len(twice)} people emailed more than once, e.g. {twice[:3]}")
    if missing:
        problems.append(f"{len(missing)} due people not emailed, e.g. {missing[:3]}")
    if stray:
        problems.append(f"{len(stray)} people emailed who weren't due, e.g. {stray[:3]}")
    if sink.messages != emails:
        problems.append(f"the second sweep sent {sink.messages - emails} emails ({again})")
    run = Run(
        people=due,
        emails=emails,
        seconds=round(seconds, 3),
        emails_per_second=round(emails / seconds, 1),
        queries=queries,
        queries_per_person=round(queries / max(due, 1), 2),
        sql_seconds=round(sum(seconds for _, seconds in timer.timings), 3),
        second_sweep_sent=again.outcomes[Outcome.SENT],
        second_sweep_queries=len(captured_again),
        report=str(report),
        problems=problems,
    )
    return run, timer.timings


def shape(sql: str) -> str:
    """The query with its values taken out, so one person's query matches the next's."""
    sql = sql.replace("%s", "?")
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)
    sql = re.sub(r"\((?:\s*\?\s*,)+\s*\?\s*\)", "(…)", sql)
    sql = re.sub(r"(?:\(…\)\s*,\s*)+\(…\)", "(…), …", sql)
    return " ".join(sql.split())


def repeating(timings: Timings, people: int) -> list[Repeating]:
    """The queries run at least once for every two people, most frequent first."""
    counts: collections.Counter[str] = collections.Counter()
    seconds: collections.defaultdict[str, float] = collections.defaultdict(float)
    for sql, duration in timings:
        key = shape(sql)
        counts[key] += 1
        seconds[key] += duration
    return [
        Repeating(key, round(n / people, 2), round(seconds[key] * 1000 / people, 3))
        for key, n in counts.most_common()
        if n * 2 >= people
    ]


def machine(database_url: str) -> dict[str, Any]:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (postgres,) = cursor.fetchone()
    parts = urlsplit(database_url)
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": postgres,
        "database": f"{parts.hostname}:{parts.port or 5432}/{parts.path.lstrip('/')}",
    }


def report(
    runs: list[Run], timings: Timings, host: dict[str, Any], *, database_created: bool
) -> bool:
    """Print the table and write the JSON; True when every check passed."""
    small, big = runs[0], runs[-1]
    per_person = (big.queries - small.queries) / max(big.people - small.people, 1)
    per_sweep = big.queries - per_person * big.people
    repeats = repeating(timings, big.people)

    print()
    print(
        f"machine: {host['platform']}, {host['cpus']} CPUs; Python {host['python']}; "
        f"Django {host['django']}; PostgreSQL {host['postgresql']} at {host['database']}"
    )
    print(
        f"{'people':>7} {'emails':>7} {'seconds':>8} {'emails/s':>9} {'queries':>8} "
        f"{'queries/person':>15} {'SQL s':>7} {'2nd sweep':>10}"
    )
    for run in runs:
        print(
            f"{run.people:7} {run.emails:7} {run.seconds:8.2f} {run.emails_per_second:9.1f} "
            f"{run.queries:8} {run.queries_per_person:15.2f} {run.sql_seconds:7.2f} "
            f"{run.second_sweep_sent:5} sent"
        )
    print(f"queries = {per_person:.2f} per person + {per_sweep:.0f} per sweep")
    print(f"queries run for each person (at {big.people} people; count, SQL ms, query):")
    for item in repeats[:SHOWN_QUERIES]:
        print(f"  {item.per_person:5.2f} {item.ms_per_person:6.3f}  {item.sql[:140]}")

    problems = [problem for run in runs for problem in run.problems]
    RESULTS.write_text(
        json.dumps(
            {
                "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "database_created": database_created,
                "machine": host,
                "runs": [asdict(run) for run in runs],
                "queries_per_person": round(per_person, 3),
                "queries_per_sweep": round(per_sweep, 1),
                "repeating_queries": [asdict(item) for item in repeats],
                "ok": not problems,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    print(f"written to {RESULTS}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return not problems


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--users",
        type=int,
        default=DEFAULT_USERS,
        metavar="N",
        help=f"people to seed and sweep; the smaller sweep is N/10 (default {DEFAULT_USERS})",
    )
    users: int = parser.parse_args().users
    if users < 10 * WARM_UP:
        parser.error(f"--users must be at least {10 * WARM_UP}: the smaller sweep is N/10")

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    created = ensure_database(database_url)

    from aiosmtpd.controller import Controller

    sink = CountingSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        setup_django(database_url, port)
        seed(users)
        measure(WARM_UP, sink)
        runs = []
        timings: Timings = []
        for count in (users // 10, users):
            print(f"sweeping {count} due people …", flush=True)
            run, timings = measure(count, sink)
            print(f"  {run.report} {run.seconds:.1f} s")
            runs.append(run)
        make_exactly_due(0)  # leave nobody due: a `send_checkins` here afterwards sends nothing
        ok = report(runs, timings, machine(database_url), database_created=created)
    finally:
        controller.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
