import time
from typing import Any

from django.core.management.base import BaseCommand

from assessments.library.services import load_reference


class Command(BaseCommand):
    help = (
        "Load occupations (with their job titles), task statements (with their evidence) "
        "and AI time horizons from reference/. Safe to re-run."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = load_reference()
        self.stdout.write(
            f"{report.occupations} occupations, {report.titles} job titles, "
            f"{report.tasks} task statements, "
            f"{report.horizons} AI time-horizon measurements loaded; "
            f"{report.removed} stale rows removed in {time.perf_counter() - started:.1f} s."
        )
