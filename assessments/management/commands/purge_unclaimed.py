from typing import Any

from django.core.management.base import BaseCommand

from assessments.audits.services import UNCLAIMED_DRAFT_DAYS, audits_purge_unclaimed


class Command(BaseCommand):
    help = f"Delete visitors' audits that nobody claimed within {UNCLAIMED_DRAFT_DAYS} days."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = audits_purge_unclaimed()
        self.stdout.write(f"{deleted} unclaimed audit{'s' if deleted != 1 else ''} deleted.")
