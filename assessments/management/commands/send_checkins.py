from typing import Any

from django.core.management.base import BaseCommand

from assessments.checkins import services as checkins


class Command(BaseCommand):
    help = (
        "Run one check-in sweep now, without Celery: claim whoever is due and send "
        "their emails (the same code the beat task runs every 15 minutes)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = checkins.sweep(send=checkins.send_inline)
        self.stdout.write(str(report))
