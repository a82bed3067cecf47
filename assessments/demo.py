"""The demo cast: the method's three stories and a coach, with documented logins.

README "Demo logins" lists these; every demo account shares one password.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import User

DEMO_PASSWORD = "ladder-demo-2026"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    time_zone: str
    story: str


CAST = (
    DemoPerson(
        "sofia@demo.ladder",
        "Sofia Marín",
        "America/New_York",
        "Luxury real-estate agent moving into client events and off-market relationships",
    ),
    DemoPerson(
        "maya@demo.ladder",
        "Maya Chen",
        "Europe/London",
        "Mid-level developer moving from boilerplate toward requirements and architecture",
    ),
    DemoPerson(
        "daniel@demo.ladder",
        "Daniel Okafor",
        "America/Chicago",
        "Corporate attorney moving from contract review toward deal negotiation",
    ),
    DemoPerson(
        "coach@demo.ladder",
        "Grace Lindqvist",
        "Europe/Stockholm",
        "Career coach with the three stories as clients",
    ),
)


@transaction.atomic
def seed_cast() -> list[tuple[User, bool]]:
    """Create (or refresh) the demo accounts; returns each user and whether it was new.

    Running it twice leaves one account per person with the documented password.
    """
    seeded = []
    for person in CAST:
        user, created = User.objects.update_or_create(
            email=person.email,
            defaults={"name": person.name, "time_zone": person.time_zone},
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=person.email, defaults={"verified": True, "primary": True}
        )
        seeded.append((user, created))
    return seeded
