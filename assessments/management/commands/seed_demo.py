import time
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand

from assessments.demo.cast import DEMO_PASSWORD, ensure_reference, seed_cast
from assessments.demo.synthetic import SYNTHETIC_DOMAIN, make_due, seed_synthetic, synthetic_email
from ladder.method.scoring import round_half_up


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ArgumentTypeError(f"expected a whole number of people, got {value!r}")
    return number


class Command(BaseCommand):
    help = (
        "Create the demo accounts: the method's three stories, each with a completed "
        "audit and its rung, and a coach. Safe to re-run: accounts are refreshed and a "
        "story whose completed audit exists is left alone. Loads the reference library "
        "first if the database has none."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--users",
            type=_count,
            default=0,
            metavar="N",
            help=(
                f"Also make sure synthetic people 1 to N exist (person-000001@{SYNTHETIC_DOMAIN} "
                "…), each with one completed audit and rung snapshot, for load tests and "
                "benchmarks. Their data is the same on every machine (fixed random seed). "
                "People already there are skipped, so re-running with the same N adds "
                "nobody and a larger N adds only the missing ones. They sign in with the "
                "demo password."
            ),
        )

        parser.add_argument(
            "--due",
            action="store_true",
            help=(
                "Make the synthetic people's quarterly check-ins due now, so the next "
                "sweep (send_checkins, or beat) emails every one of them."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        loaded = ensure_reference()
        if loaded:
            self.stdout.write(f"Loaded the reference library: {loaded.occupations} occupations.")
        # Hashing is deliberately slow: once per run, shared by every account.
        password_hash = make_password(DEMO_PASSWORD)
        for seeded in seed_cast(password_hash=password_hash):
            state = "created" if seeded.created else "refreshed"
            self.stdout.write(f"{state:9} {seeded.user.email:22} {seeded.person.story}")
            if seeded.snapshot is not None:
                audit = "new completed audit" if seeded.new_audit else "completed audit kept"
                rung = round_half_up(seeded.snapshot.rung)
                self.stdout.write(f"{'':9} {'':22} rung {rung} ({audit})")
        self.stdout.write(self.style.SUCCESS(f"Demo password for every account: {DEMO_PASSWORD}"))

        count: int = options["users"]
        if count:
            synthetic_started = time.perf_counter()
            report = seed_synthetic(count, password_hash=password_hash)
            seconds = time.perf_counter() - synthetic_started
            self.stdout.write(
                f"Synthetic people {synthetic_email(1)} … {synthetic_email(count)}: "
                f"{report.created} added, {report.existing} already there; "
                f"{report.activities} activities and {report.snapshots} rung snapshots "
                f"written in {seconds:.1f} s."
            )
            if options["due"]:
                due = make_due(count)
                self.stdout.write(f"{due} synthetic people are due for their check-in now.")
        elif options["due"]:
            self.stderr.write("--due needs --users N: it applies to the synthetic people.")
        self.stdout.write(f"Done in {time.perf_counter() - started:.1f} s.")
