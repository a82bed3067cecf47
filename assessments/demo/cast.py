"""The demo cast.

The cast is the method's three stories and a coach, with documented logins (README
"Demo logins"); every demo account shares one password. Each story is a completed
audit written through the same services the wizard uses, so its rung snapshot is
exactly what the person would have seen, and a plan for the next rung with its
90-day sprint and calendar events, saved through the same service as the plan page.

Synthetic people (``seed_demo --users N``) are for load tests and benchmarks: many
completed audits written with bulk inserts, their snapshots built by the same
function ``audit_complete``'s arithmetic follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import CoachLink, User
from assessments.audits import services
from assessments.library import services as library
from assessments.models import Audit, Comment, Occupation, Plan, RungSnapshot
from assessments.plans import services as plans
from ladder.method import planning

DEMO_PASSWORD = "ladder-demo-2026"


@dataclass(frozen=True)
class DemoActivity:
    description: str
    share: int
    score: int


@dataclass(frozen=True)
class DemoAudit:
    """A story's completed audit: the role and the week as the person would enter it."""

    job_title: str
    occupation_code: str
    activities: tuple[DemoActivity, ...]


@dataclass(frozen=True)
class DemoEvent:
    title: str
    weekday: int  # 0 = Monday
    start: time
    minutes: int


@dataclass(frozen=True)
class DemoPlan:
    """A story's next rung: the role one rung up, next quarter's week and the sprint.

    ``planned`` gives the planned share of each of the audit's activities, by
    description; ``new`` are the higher-rung activities the story adds.
    """

    next_role: str
    proxy: str
    proxy_week: str
    skill: Plan.Skill
    planned: dict[str, int]
    new: tuple[DemoActivity, ...]
    events: tuple[DemoEvent, ...]
    own_skill: str = ""


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    time_zone: str
    story: str
    audit: DemoAudit | None = None
    plan: DemoPlan | None = None


SOFIA = DemoAudit(
    "Luxury real-estate agent",
    "41-9022.00",  # Real Estate Sales Agents
    (
        DemoActivity("Running listing searches against each buyer's wish list", 10, 1),
        DemoActivity("Preparing market-comparison reports for sellers", 15, 2),
        DemoActivity("Drafting offers and purchase contracts from the brokerage templates", 10, 1),
        DemoActivity("Writing listing copy and social posts for new properties", 10, 2),
        DemoActivity("Coordinating viewings, inspections and closing paperwork", 15, 3),
        DemoActivity("Negotiating price and terms with the buyer's agent", 15, 4),
        DemoActivity("Earning the trust of sellers who could list with anyone", 15, 5),
        DemoActivity("Walking buyers through a neighbourhood and telling its story", 10, 5),
    ),
)

MAYA = DemoAudit(
    "Mid-level software developer",
    "15-1252.00",  # Software Developers
    (
        DemoActivity("Writing CRUD endpoints and boilerplate from existing patterns", 30, 1),
        DemoActivity("Debugging failing builds and production errors from stack traces", 25, 2),
        DemoActivity("Writing unit tests for existing features", 15, 1),
        DemoActivity(
            "Reviewing teammates' pull requests and explaining the changes asked for", 10, 3
        ),
        DemoActivity("Estimating tickets with the team in sprint planning", 8, 3),
        DemoActivity("Clarifying requirements with the product owner", 7, 4),
        DemoActivity("Pairing with the new junior developer on their first features", 5, 4),
    ),
)

DANIEL = DemoAudit(
    "Corporate attorney",
    "23-1011.00",  # Lawyers
    (
        DemoActivity("Reviewing NDAs and supplier contracts against the clause playbook", 25, 1),
        DemoActivity("Marking up the other side's redlines on purchase agreements", 10, 1),
        DemoActivity("Researching case law and regulations for client memos", 25, 2),
        DemoActivity("Coordinating due diligence requests with the deal team", 10, 3),
        DemoActivity("Negotiating deal terms with the other side's counsel", 12, 4),
        DemoActivity("Counselling a client's general counsel on what a deal risk means", 10, 5),
        DemoActivity("Explaining contract risks to business teams in plain words", 8, 4),
    ),
)

SOFIA_PLAN = DemoPlan(
    next_role=(
        "The agent owners call before they think of listing: I host small events for "
        "past clients and their friends, hear about homes before they reach the market, "
        "and lead the negotiation on every deal myself."
    ),
    proxy="Elena, the brokerage's top producer",
    proxy_week=(
        "Mornings on the phone with past clients, a dinner or a gallery evening most "
        "weeks, and an assistant who runs the searches and the paperwork."
    ),
    skill=Plan.Skill.NEGOTIATION,
    planned={
        "Running listing searches against each buyer's wish list": 5,
        "Preparing market-comparison reports for sellers": 10,
        "Drafting offers and purchase contracts from the brokerage templates": 5,
        "Writing listing copy and social posts for new properties": 5,
        "Coordinating viewings, inspections and closing paperwork": 12,
        "Negotiating price and terms with the buyer's agent": 15,
        "Earning the trust of sellers who could list with anyone": 15,
        "Walking buyers through a neighbourhood and telling its story": 10,
    },
    new=(
        DemoActivity("Hosting small client events for past buyers, sellers and neighbours", 12, 5),
        DemoActivity("Building off-market relationships with owners before they list", 11, 5),
    ),
    events=(
        DemoEvent("Call three owners who might sell off-market", 1, time(10, 0), 60),
        DemoEvent("Plan the next client event and its guest list", 3, time(16, 0), 45),
        DemoEvent("Rehearse this week's hardest negotiation", 0, time(8, 30), 30),
    ),
)

MAYA_PLAN = DemoPlan(
    next_role=(
        "The developer the product team brings in before anything is decided: I find out "
        "what customers actually need, make and explain the architecture decisions, and "
        "let AI tools write the boilerplate I review."
    ),
    proxy="Priya, the staff engineer on the payments team",
    proxy_week=(
        "Two customer calls, a design review she leads, a product sync with design and "
        "sales, and an afternoon of code review."
    ),
    skill=Plan.Skill.EXECUTIVE,
    planned={
        "Writing CRUD endpoints and boilerplate from existing patterns": 15,
        "Debugging failing builds and production errors from stack traces": 20,
        "Writing unit tests for existing features": 9,
        "Reviewing teammates' pull requests and explaining the changes asked for": 10,
        "Estimating tickets with the team in sprint planning": 8,
        "Clarifying requirements with the product owner": 7,
        "Pairing with the new junior developer on their first features": 5,
    },
    new=(
        DemoActivity("Running requirements-discovery calls with customers and support", 10, 4),
        DemoActivity("Proposing architecture decisions and walking the team through them", 9, 3),
        DemoActivity("Joining cross-functional product conversations with design and sales", 7, 4),
    ),
    events=(
        DemoEvent("Discovery call with a customer and the product owner", 2, time(14, 0), 60),
        DemoEvent("Architecture decision review with the team", 3, time(10, 0), 60),
        DemoEvent("Product sync with design and sales", 4, time(11, 0), 45),
    ),
)

DANIEL_PLAN = DemoPlan(
    next_role=(
        "The lawyer a client wants across the table: I ask to lead deals, counsel general "
        "counsel through crises and shape regulatory strategy, while the clause playbook "
        "and AI review do the first pass on contracts."
    ),
    proxy="Amara, the partner who leads the firm's technology deals",
    proxy_week=(
        "Fridays on the phone with clients, two negotiations a week, and an hour with "
        "associates who bring her only the clauses that need judgment."
    ),
    skill=Plan.Skill.NEGOTIATION,
    planned={
        "Reviewing NDAs and supplier contracts against the clause playbook": 15,
        "Marking up the other side's redlines on purchase agreements": 6,
        "Researching case law and regulations for client memos": 18,
        "Coordinating due diligence requests with the deal team": 10,
        "Negotiating deal terms with the other side's counsel": 16,
        "Counselling a client's general counsel on what a deal risk means": 10,
        "Explaining contract risks to business teams in plain words": 8,
    },
    new=(
        DemoActivity(
            "Calling clients' general counsel every Friday about what worries them", 10, 5
        ),
        DemoActivity("Shaping regulatory strategy with a client's leadership team", 7, 4),
    ),
    events=(
        DemoEvent("Friday client calls with general counsel", 4, time(9, 0), 120),
        DemoEvent("Ask to lead the next deal and prepare its negotiation", 1, time(8, 0), 60),
    ),
)

CAST = (
    DemoPerson(
        "sofia@demo.ladder",
        "Sofia Marín",
        "America/New_York",
        "Luxury real-estate agent moving into client events and off-market relationships",
        SOFIA,
        SOFIA_PLAN,
    ),
    DemoPerson(
        "maya@demo.ladder",
        "Maya Chen",
        "Europe/London",
        "Mid-level developer moving from boilerplate toward requirements and architecture",
        MAYA,
        MAYA_PLAN,
    ),
    DemoPerson(
        "daniel@demo.ladder",
        "Daniel Okafor",
        "America/Chicago",
        "Corporate attorney moving from contract review toward deal negotiation",
        DANIEL,
        DANIEL_PLAN,
    ),
    DemoPerson(
        "coach@demo.ladder",
        "Grace Lindqvist",
        "Europe/Stockholm",
        "Career coach with the three stories as clients",
    ),
)


def ensure_reference() -> library.LoadReport | None:
    """Load the reference library when the database has none; what was loaded, if anything."""
    if Occupation.objects.exists():
        return None
    return library.load_reference()


# --- The cast ---------------------------------------------------------------------


@dataclass(frozen=True)
class SeededPerson:
    person: DemoPerson
    user: User
    created: bool
    snapshot: RungSnapshot | None  # the story's result; None for the coach
    new_audit: bool


def story_draft(user: User, story: DemoAudit, *, job_title: str | None = None) -> Audit:
    """A new draft of the story saved through the wizard's services up to the scores
    step: role, activities and shares."""
    occupation = Occupation.objects.get(code=story.occupation_code)
    audit = services.audit_start(owner=user)
    services.audit_save_role(
        audit=audit,
        expected_version=audit.version,
        job_title=job_title or story.job_title,
        occupation_id=occupation.pk,
    )
    services.audit_save_activities(
        audit=audit,
        expected_version=audit.version,
        drafts=[services.ActivityDraft(a.description) for a in story.activities],
        advance=True,
    )
    ids = list(audit.activities.order_by("position").values_list("pk", flat=True))
    services.audit_save_shares(
        audit=audit,
        expected_version=audit.version,
        shares={pk: a.share for pk, a in zip(ids, story.activities, strict=True)},
    )
    return audit


def _complete_story(user: User, story: DemoAudit) -> RungSnapshot:
    """Run the story through the wizard's services, step by step, and return its snapshot."""
    audit = story_draft(user, story)
    ids = list(audit.activities.order_by("position").values_list("pk", flat=True))
    # The three-year test: if a perfect AI could take it over within three years,
    # it's a 1 or a 2.
    return services.audit_save_scores(
        audit=audit,
        expected_version=audit.version,
        scores={pk: (a.score, a.score <= 2) for pk, a in zip(ids, story.activities, strict=True)},
    )


def plan_rows(snapshot: RungSnapshot, story: DemoPlan) -> tuple[planning.PlannedShare, ...]:
    """Next quarter's week of a story: each activity of the snapshot with its planned
    share (unchanged when the story doesn't say), then the new higher-rung ones."""
    current = tuple(
        planning.PlannedShare(
            a["description"],
            a["score"],
            a["share"],
            story.planned.get(a["description"], a["share"]),
        )
        for a in snapshot.activities
    )
    return current + tuple(
        planning.PlannedShare(a.description, a.score, 0, a.share) for a in story.new
    )


def _plan_story(user: User, snapshot: RungSnapshot, story: DemoPlan) -> Plan:
    """Save the story's plan through the plan page's service, its sprint starting today."""
    return plans.plan_save(
        audit=snapshot.audit,
        owner=user,
        data=plans.PlanInput(
            next_role=story.next_role,
            proxy=story.proxy,
            proxy_week=story.proxy_week,
            skill=story.skill,
            own_skill=story.own_skill,
            rows=plan_rows(snapshot, story),
            sprint_start=timezone.localdate(),
            events=tuple(
                plans.EventInput(e.title, e.weekday, e.start, e.minutes) for e in story.events
            ),
        ),
    )


@transaction.atomic
def seed_cast(*, password_hash: str | None = None) -> list[SeededPerson]:
    """Create (or refresh) the demo accounts and complete each story's audit.

    Running it twice leaves one account per person with the documented password and
    one completed story audit with one plan each: a story whose audit (same job title,
    completed) is already there is left as it is, and gets the story's plan only if it
    has none. ``password_hash`` is ``DEMO_PASSWORD`` hashed;
    pass it in to hash once per run. Needs the reference library (``ensure_reference``).
    """
    password_hash = password_hash or make_password(DEMO_PASSWORD)
    seeded = []
    for person in CAST:
        user, created = User.objects.update_or_create(
            email=person.email,
            defaults={"name": person.name, "time_zone": person.time_zone},
        )
        user.password = password_hash
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=person.email, defaults={"verified": True, "primary": True}
        )
        snapshot, new_audit = None, False
        if person.audit is not None:
            snapshot = (
                RungSnapshot.objects.filter(
                    audit__owner=user,
                    audit__status=Audit.Status.COMPLETE,
                    audit__job_title=person.audit.job_title,
                )
                .order_by("taken_at")
                .first()
            )
            if snapshot is None:
                snapshot, new_audit = _complete_story(user, person.audit), True
            if person.plan is not None and not Plan.objects.filter(audit=snapshot.audit).exists():
                _plan_story(user, snapshot, person.plan)
        seeded.append(SeededPerson(person, user, created, snapshot, new_audit))
    _coach_the_stories(seeded)
    return seeded


# What the demo coach wrote on each story's result: (activity to note, her score, note).
COACH_NOTES: dict[str, tuple[tuple[int | None, int | None, str], ...]] = {
    "sofia@demo.ladder": (
        (
            None,
            None,
            "Strong quarter. Your week is already mostly relationship work; "
            "the plan should protect the negotiation time, not add more admin.",
        ),
    ),
    "maya@demo.ladder": (
        (
            None,
            None,
            "70% of your week at rungs 1–2 is the number to move. "
            "Let's aim the sprint at the requirements conversations.",
        ),
        (
            3,
            2,
            "I'd score this a 2, not a 1: deciding which tests matter for this team "
            "takes judgment.",
        ),
    ),
    "daniel@demo.ladder": (
        (
            None,
            None,
            "Contract review is where AI arrives first. Your client counselling "
            "is the rung-4 work to grow.",
        ),
    ),
}


def _coach_the_stories(seeded: Sequence[SeededPerson]) -> None:
    """The demo coach has the three stories as active clients, with a few notes.
    Idempotent: links and notes are only added once."""
    coach = next((s.user for s in seeded if s.snapshot is None), None)
    if coach is None:
        return
    for person in seeded:
        if person.snapshot is None:
            continue
        # Keyed on the pair whatever its state: a client who stopped sharing stays so.
        pair = CoachLink.objects.filter(coach=coach, client=person.user)
        link = pair.order_by("-created_at").first()
        if link is None:
            link = CoachLink.objects.create(
                coach=coach,
                client=person.user,
                state=CoachLink.State.ACTIVE,
                invited_by=CoachLink.Side.COACH,
                email=person.user.email,
                responded_at=timezone.now(),
            )
        if not link.is_active:
            continue
        audit = person.snapshot.audit
        if Comment.objects.filter(audit=audit, author=coach).exists():
            continue
        activities = list(audit.activities.order_by("position"))
        for position, score, body in COACH_NOTES.get(person.user.email, ()):
            Comment.objects.create(
                audit=audit,
                activity=activities[position - 1] if position else None,
                author=coach,
                link=link,
                body=body,
                coach_score=score,
                notified_at=timezone.now(),  # demo notes need no email
            )


# --- Synthetic people -------------------------------------------------------------
