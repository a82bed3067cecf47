from typing import Any

from django.core.management.base import BaseCommand

from assessments.checkins import services as checkins
from assessments.coaching import services as coaching
from ladder.outbox import Outcome


class Command(BaseCommand):
    help = (
        "Run one sweep of background email now, without Celery: claim whoever's "
        "check-in is due and send their emails (the same code the beat task runs every "
        "15 minutes), then send the coach-note emails, weekly digests and invitations "
        "that are ready."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = checkins.sweep(send=checkins.send_inline)
        self.stdout.write(str(report))
        notes = coaching.notify_clients()
        digests = coaching.send_digests()
        invitations = coaching.INVITATIONS.send_ready()[Outcome.SENT]
        self.stdout.write(
            f"Coach-note emails sent {notes}, digests sent {digests}, "
            f"invitations sent {invitations}."
        )
