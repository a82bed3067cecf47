from typing import Any

from django.core.management.base import BaseCommand

from assessments.demo import CAST, DEMO_PASSWORD, seed_cast


class Command(BaseCommand):
    help = "Create the demo accounts (the method's three stories and a coach). Safe to re-run."

    def handle(self, *args: Any, **options: Any) -> None:
        seeded = seed_cast()
        for (user, created), person in zip(seeded, CAST, strict=True):
            state = "created" if created else "refreshed"
            self.stdout.write(f"{state:9} {user.email:22} {person.story}")
        self.stdout.write(self.style.SUCCESS(f"Demo password for every account: {DEMO_PASSWORD}"))
