"""Scale check: 100,000 people on PostgreSQL (outside `make test`).

    make bench-scale                          # 100,000 people
    .venv/bin/python -m tests.bench.scale --users 20000

1. Times `seed_demo --users N` into its own database (created if missing).
2. Prints the query plans (EXPLAIN ANALYZE) of the check-in sweep's questions and of
   the coach dashboard for a coach with 500 clients, and flags sequential scans of
   the big tables.
3. Makes everyone due and times the claim phase of the sweep (the part that grows with
   the number of people; sending is measured by `make bench-checkins`), reporting
   people per second and queries per person.

Results go to bench/scale_results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ladder_scale"
BIG_ROWS = 10_000
BIG_TABLES = (
    "accounts_user",
    "assessments_rungsnapshot",
    "assessments_checkin",
    "assessments_activity",
    "account_emailaddress",
)


def _ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ladder.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("EMAIL_URL", "dummy:")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def _plan(label: str, queryset: Any) -> dict[str, Any]:
    text = queryset.explain(analyze=True, buffers=True)
    from django.db import connection

    # A table counts as big when it holds many rows now (VACUUM ANALYZE keeps the
    # estimate fresh): scanning an empty check-in table is the planner being right.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s) AND reltuples >= %s",
            [list(BIG_TABLES), BIG_ROWS],
        )
        big = {name for (name,) in cursor.fetchall()}
    seq = sorted({t for t in big if re.search(rf"Seq Scan on {t}\b", text)})
    total = re.search(r"Execution Time: ([\d.]+) ms", text)
    print(f"\n--- {label} ---\n{text}")
    return {
        "query": label,
        "execution_ms": float(total.group(1)) if total else None,
        "seq_scans_on_big_tables": seq,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    args = parser.parse_args()
    url = os.environ.get("BENCH_SCALE_DATABASE_URL", DEFAULT_URL)
    _ensure_database(url)
    _setup(url)

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from assessments.checkins import services as checkins
    from assessments.coaching.dashboard import clients_of
    from assessments.demo import cast, synthetic
    from assessments.models import Checkin

    call_command("migrate", verbosity=0)
    cast.ensure_reference()
    started = time.perf_counter()
    report = synthetic.seed_synthetic(args.users, password_hash=make_password(cast.DEMO_PASSWORD))
    seed_seconds = time.perf_counter() - started
    print(f"seed: {report.created} added, {report.existing} there, {seed_seconds:.1f} s")

    coach, _ = User.objects.get_or_create(
        email="scale-coach@bench.ladder", defaults={"name": "Coach"}
    )
    synthetic.coach_synthetic_people(coach, 500)

    def analyze() -> None:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # the mass updates here leave dead rows

    Checkin.objects.all().delete()
    synthetic.make_due(args.users)
    analyze()
    now = timezone.now()
    plans = [
        _plan("sweep: who is due (first batch)", checkins.due_people(now)[: checkins.BATCH]),
        _plan(
            "sweep: ready to send",
            Checkin.objects.filter(state="pending", next_attempt_at__lte=now).order_by(
                "next_attempt_at", "pk"
            )[:500],
        ),
        _plan(
            "coach dashboard: first page of 500 clients, by rung",
            clients_of(coach).order_by("-rung", "pk")[:25],
        ),
        _plan("coach dashboard: count", clients_of(coach).values("pk")),
    ]

    started = time.perf_counter()
    count = [0]

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        claimed, _ = checkins.claim_due(timezone.now())
    claim_seconds = time.perf_counter() - started

    # The same two sweep queries with a full check-in table: first with every row just
    # claimed and pending, then a quarter later, those rows sent long ago and everyone
    # due again (the table a real sweep reads, not the empty one of a first run).
    analyze()
    later = timezone.now()
    plans.append(
        _plan(
            f"sweep: ready to send ({claimed:,} pending)",
            Checkin.objects.filter(state="pending", next_attempt_at__lte=later).order_by(
                "next_attempt_at", "pk"
            )[:500],
        )
    )
    Checkin.objects.update(state="sent", created_at=later - timedelta(days=91))
    synthetic.make_due(args.users)
    analyze()
    plans.append(
        _plan(
            f"sweep: who is due a quarter later ({claimed:,} check-ins in the table)",
            checkins.due_people(timezone.now())[: checkins.BATCH],
        )
    )
    result = {
        "people": args.users,
        "seed_seconds": round(seed_seconds, 1),
        "seeded_now": report.created,
        "claim_seconds": round(claim_seconds, 1),
        "claimed": claimed,
        "claimed_per_second": round(claimed / claim_seconds) if claim_seconds else None,
        "queries_per_person": round(count[0] / claimed, 3) if claimed else None,
        "plans": plans,
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "postgresql": connection.cursor().connection.info.server_version,
        },
        "date": time.strftime("%Y-%m-%d"),
    }
    # Leave nobody due and no check-ins, so other runs start clean.
    Checkin.objects.all().delete()
    User.objects.update(next_checkin_at=None)
    print(json.dumps({k: v for k, v in result.items() if k != "plans"}, indent=2))
    for p in plans:
        scans = ", ".join(p["seq_scans_on_big_tables"]) or "none"
        print(f"{p['query']}: {p['execution_ms']} ms; sequential scans of big tables: {scans}")
    Path(__file__).with_name("scale_results.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
