"""Synthetic people for load tests and benchmarks (``seed_demo --users N``): each
with a completed audit, written with bulk inserts."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import batched, pairwise
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.models import CoachLink, User
from assessments.audits import services
from assessments.checkins import services as checkins
from assessments.library import services as library
from assessments.models import Activity, Audit, Occupation, RungSnapshot
from ladder.method import runway, scoring

SYNTHETIC_DOMAIN = "synthetic.ladder"


SYNTHETIC_SEED = 2026


SYNTHETIC_BATCH = 1000


# The version a wizard-completed audit ends at: start, role, activities, time,
# scores, complete.
COMPLETED_VERSION = 6


_TIME_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Singapore",
    "Australia/Sydney",
)


_JOB_TITLES = (
    "Operations analyst",
    "Account manager",
    "Product designer",
    "Paralegal",
    "Nurse practitioner",
    "Data engineer",
    "Secondary school teacher",
    "Financial adviser",
)


def synthetic_email(index: int) -> str:
    """The address of synthetic person number ``index`` (1-based)."""
    return f"person-{index:06d}@{SYNTHETIC_DOMAIN}"


@dataclass(frozen=True)
class SyntheticPerson:
    index: int
    time_zone: str
    job_title: str
    occupation: Occupation | None
    activities: tuple[scoring.Scored, ...]


def _shares(rng: random.Random, count: int) -> list[int]:
    """``count`` whole shares of at least 1 that sum to exactly 100."""
    cuts = sorted(rng.sample(range(1, 100), count - 1))
    return [b - a for a, b in pairwise([0, *cuts, 100])]


def synthetic_person(
    index: int, occupations: Sequence[Occupation], seed: int = SYNTHETIC_SEED
) -> SyntheticPerson:
    """Person ``index``'s role and week: always the same for the same index, seed and
    occupations, whatever else exists."""
    # Reproducible, not secret: the same people on every machine.
    rng = random.Random(f"{seed}:{index}")  # noqa: S311
    count = rng.randint(scoring.MIN_ACTIVITIES, scoring.MAX_ACTIVITIES)
    picked = rng.sample(_ACTIVITY_POOL, count)
    tilt = rng.choice((-1, 0, 0, 1))  # some people sit higher or lower than usual
    activities = tuple(
        scoring.Scored(description, share, max(1, min(5, usual + tilt + rng.choice((-1, 0, 0, 1)))))
        for (description, usual), share in zip(picked, _shares(rng, count), strict=True)
    )
    occupation = rng.choice(occupations) if occupations and rng.random() < 0.75 else None
    return SyntheticPerson(
        index=index,
        time_zone=rng.choice(_TIME_ZONES),
        job_title=occupation.title if occupation else rng.choice(_JOB_TITLES),
        occupation=occupation,
        activities=activities,
    )


@dataclass(frozen=True)
class SyntheticReport:
    created: int
    existing: int
    activities: int
    snapshots: int


def _insert(
    people: Sequence[SyntheticPerson],
    *,
    password_hash: str,
    now: datetime,
    scenarios: Sequence[runway.Scenario],
) -> tuple[int, int]:
    users = User.objects.bulk_create(
        [
            User(
                email=synthetic_email(p.index),
                name=f"Synthetic person {p.index}",
                time_zone=p.time_zone,
                password=password_hash,
                date_joined=now,
                next_checkin_at=checkins.due_on(
                    timezone.localtime(now, ZoneInfo(p.time_zone)).date() + checkins.CADENCE,
                    p.time_zone,
                ),
            )
            for p in people
        ]
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
    )
    audits = Audit.objects.bulk_create(
        [
            Audit(
                owner=u,
                job_title=p.job_title,
                occupation=p.occupation,
                status=Audit.Status.COMPLETE,
                reached=Audit.Step.SCORES,
                version=COMPLETED_VERSION,
                completed_at=now,
            )
            for u, p in zip(users, people, strict=True)
        ]
    )
    activities = Activity.objects.bulk_create(
        [
            Activity(
                audit=audit,
                position=position,
                description=a.description,
                share=a.share,
                score=a.score,
                three_year=a.score <= 2,
            )
            for audit, p in zip(audits, people, strict=True)
            for position, a in enumerate(p.activities, start=1)
        ]
    )
    snapshots = RungSnapshot.objects.bulk_create(
        [
            services.build_snapshot(audit=audit, scored=p.activities, now=now, scenarios=scenarios)
            for audit, p in zip(audits, people, strict=True)
        ]
    )
    return len(activities), len(snapshots)


def seed_synthetic(
    count: int,
    *,
    password_hash: str,
    seed: int = SYNTHETIC_SEED,
    now: datetime | None = None,
    batch: int = SYNTHETIC_BATCH,
) -> SyntheticReport:
    """Make sure synthetic people 1 to ``count`` exist, each with one completed audit.

    People are numbered (``person-000001@synthetic.ladder`` …); those already there
    are skipped, so running again with the same count adds nobody and a larger
    count adds only the missing ones. Everyone signs in with ``password_hash``
    (hashed once by the caller). Each batch is inserted in one transaction: users,
    email addresses, audits, activities, snapshots. Needs the reference library.
    """
    now = now or timezone.now()
    existing = set(
        User.objects.filter(email__endswith=f"@{SYNTHETIC_DOMAIN}").values_list("email", flat=True)
    )
    missing = [i for i in range(1, count + 1) if synthetic_email(i) not in existing]
    occupations = list(Occupation.objects.only("code", "title", "rung").order_by("code"))
    scenarios = library.scenarios()
    activities = snapshots = 0
    for chunk in batched(missing, batch):
        people = [synthetic_person(i, occupations, seed) for i in chunk]
        with transaction.atomic():
            added_activities, added_snapshots = _insert(
                people, password_hash=password_hash, now=now, scenarios=scenarios
            )
        activities += added_activities
        snapshots += added_snapshots
    return SyntheticReport(
        created=len(missing),
        existing=count - len(missing),
        activities=activities,
        snapshots=snapshots,
    )


def make_due(count: int, *, now: datetime | None = None) -> int:
    """Make synthetic people 1 to ``count`` due for their check-in now (for load tests
    of the sweep). Returns how many were changed."""
    return User.objects.filter(
        email__endswith=f"@{SYNTHETIC_DOMAIN}", email__lte=synthetic_email(count)
    ).update(next_checkin_at=now or timezone.now(), checkins_paused=False)


def coach_synthetic_people(coach: User, count: int) -> int:
    """Make synthetic people 1 to ``count`` the coach's active clients (for load tests
    of the coach dashboard). People already linked are skipped; returns how many links
    were added."""
    people = User.objects.filter(
        email__endswith=f"@{SYNTHETIC_DOMAIN}", email__lte=synthetic_email(count)
    ).exclude(coach_links__coach=coach, coach_links__state=CoachLink.State.ACTIVE)
    added = CoachLink.objects.bulk_create(
        CoachLink(
            coach=coach,
            client=person,
            invited_by=CoachLink.Side.COACH,
            email=person.email,
            state=CoachLink.State.ACTIVE,
            responded_at=timezone.now(),
        )
        for person in people
    )
    return len(added)


# Activities in our own words, each with the score it usually gets; a synthetic
# person's scores scatter around these.
_ACTIVITY_POOL: tuple[tuple[str, int], ...] = (
    ("Entering orders and invoices into the accounting system", 1),
    ("Reconciling the monthly bank statements", 1),
    ("Formatting slide decks from the house template", 1),
    ("Cleaning the weekly sales export for the dashboard", 1),
    ("Writing boilerplate code from existing patterns", 1),
    ("Checking supplier contracts against the standard clauses", 1),
    ("Transcribing meeting notes into the project tracker", 1),
    ("Drafting routine replies to customer emails", 2),
    ("Researching regulations for an internal memo", 2),
    ("Building the monthly performance report", 2),
    ("Debugging failing tests in the release pipeline", 2),
    ("Producing design variations from the style guide", 2),
    ("Marking weekly quizzes and recording the grades", 2),
    ("Scheduling shifts and rooms for the team", 2),
    ("Running sprint planning with the team", 3),
    ("Reviewing colleagues' work and explaining the changes", 3),
    ("Coordinating handovers between departments", 3),
    ("Answering escalated questions from the support desk", 3),
    ("Onboarding new starters to the team's tools", 3),
    ("Presenting quarterly results to department heads", 3),
    ("Clarifying requirements with stakeholders", 4),
    ("Negotiating renewal terms with a long-standing customer", 4),
    ("Explaining a difficult decision to an upset client", 4),
    ("Mentoring a junior colleague through their first project", 4),
    ("Persuading a partner organisation to run a joint pilot", 4),
    ("Advising leadership on which option to pursue", 4),
    ("Leading workshops with clients to agree priorities", 4),
    ("Building trust with clients who could go elsewhere", 5),
    ("Helping a family through a difficult conversation", 5),
    ("Coaching a direct report through a career setback", 5),
    ("Negotiating with a hostile counterparty on a deal", 5),
    ("Counselling a client's leadership through a crisis", 5),
)
