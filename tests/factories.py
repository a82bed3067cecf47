"""Builders every test module may import: people, audits at any step, plan forms,
and the walk over every URL. (No test module imports another.)"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import time_machine
from allauth.account.models import EmailAddress
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import CoachLink, User
from assessments.audits import services
from assessments.checkins import links
from assessments.coaching import services as coaching
from assessments.models import (
    Activity,
    Audit,
    Checkin,
    Comment,
    InvitationEmail,
    Occupation,
    Plan,
)
from assessments.plans import services as plans
from ladder.method import planning

PASSWORD = "correct horse battery staple 42"


def make_person(email: str, name: str = "", *, verified: bool = True) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, name=name)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def linked(
    coach: User,
    client: User,
    state: str = CoachLink.State.ACTIVE,
    *,
    by: str = CoachLink.Side.COACH,
) -> CoachLink:
    """A coaching link as an answered invitation leaves it (active by default)."""
    return CoachLink.objects.create(
        coach=coach,
        client=client,
        invited_by=by,
        email=client.email if by == CoachLink.Side.COACH else coach.email,
        state=state,
        responded_at=timezone.now(),
    )


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s<>\"]+", text)


SOFTWARE_DEVELOPERS = "15-1252.00"


HTMX = {"HX-Request": "true"}


DESCRIPTIONS = [
    "Writing unit tests for existing features",
    "Fixing bugs reported by the support team",
    "Reviewing pull requests from colleagues",
    "Agreeing requirements with the product owner",
    "Mentoring a junior developer every week",
    "Drafting technical design documents for new services",
    "Estimating delivery dates with the project sponsor",
    "Presenting the roadmap to the sales team",
    "Interviewing candidates for the platform team",
    "Explaining outages to affected customers",
]


OTHER_DESCRIPTIONS = [
    "Migrating the billing database to the new cluster",
    "Pairing with designers on the checkout flow",
    "Writing the quarterly security report for auditors",
    "Leading the incident review after an outage",
    "Negotiating API changes with a partner company",
]


def shares_for(count: int) -> list[int]:
    """Whole-number shares summing to exactly 100."""
    shares = [100 // count] * count
    shares[0] += 100 - sum(shares)
    return shares


def audit_at(
    owner: User | None,
    step: str,
    count: int = 5,
    *,
    anonymous_key: str = "",
    occupation_code: str | None = SOFTWARE_DEVELOPERS,
    descriptions: list[str] | None = None,
    scores: list[int] | None = None,
    job_title: str = "Software developer",
) -> Audit:
    """An audit that has reached ``step`` ("role", "activities", "time", "scores" or
    "complete"), with ``count`` activities once past the activities step."""
    audit = services.audit_start(owner=owner, anonymous_key=anonymous_key)
    if step == "role":
        return audit
    occupation = Occupation.objects.get(code=occupation_code) if occupation_code else None
    services.audit_save_role(
        audit=audit,
        expected_version=audit.version,
        job_title=job_title,
        occupation_id=occupation.pk if occupation else None,
    )
    if step == "activities":
        return audit
    texts = (descriptions or DESCRIPTIONS)[:count]
    services.audit_save_activities(
        audit=audit,
        expected_version=audit.version,
        drafts=[services.ActivityDraft(text) for text in texts],
        advance=True,
    )
    if step == "time":
        return audit
    activities = list(audit.activities.order_by("position"))
    services.audit_save_shares(
        audit=audit,
        expected_version=audit.version,
        shares={a.pk: s for a, s in zip(activities, shares_for(count), strict=True)},
    )
    if step == "scores":
        return audit
    assert step == "complete", step
    given = scores or [1, 2, 3, 4, 5, 1, 2, 3, 4, 5][:count]
    services.audit_save_scores(
        audit=audit,
        expected_version=audit.version,
        scores={a.pk: (s, None) for a, s in zip(activities, given, strict=True)},
    )
    audit.refresh_from_db()
    return audit


def url(audit: Audit, name: str) -> str:
    return reverse(f"assessments:{name}", args=[audit.code])


def step_url(audit: Audit, step: str) -> str:
    return url(audit, f"step_{step}")


def activities_form(version: int, descriptions: list[str], **extra: str) -> dict[str, object]:
    data: dict[str, object] = {"version": version}
    for i, text in enumerate(descriptions, start=1):
        data[f"activity_{i}"] = text
    data.update(extra)
    return data


def ordered(audit: Audit) -> list[Activity]:
    return list(Activity.objects.filter(audit=audit).order_by("position"))


def time_form(audit: Audit, shares: list[object]) -> dict[str, object]:
    data: dict[str, object] = {"version": audit.version}
    for activity, share in zip(ordered(audit), shares, strict=True):
        data[f"share_{activity.pk}"] = share
    return data


def scores_form(
    audit: Audit, scores: Sequence[object], three_year: list[str] | None = None
) -> dict[str, object]:
    data: dict[str, object] = {"version": audit.version}
    answers = three_year or [""] * len(scores)
    for activity, score, answer in zip(ordered(audit), scores, answers, strict=True):
        data[f"score_{activity.pk}"] = score
        if answer:
            data[f"three_year_{activity.pk}"] = answer
    return data


def saved(audit: Audit) -> list[tuple[str, int | None, int | None]]:
    """What the database holds for an audit's activities, re-read."""
    return [(a.description, a.share, a.score) for a in ordered(audit)]


def fresh(audit: Audit) -> Audit:
    return Audit.objects.get(pk=audit.pk)


SPRINT_START = "2026-03-02"  # a Monday, four weeks before the UK's clocks go forward


NEW_ACTIVITY = "Running requirements workshops with customers"


EVENTS: tuple[tuple[str, int, str, int], ...] = (
    ("Discovery call with a customer", 1, "16:00", 60),
    ("Architecture decision review", 3, "10:00", 45),
    ("Product sync with design and sales", 4, "11:30", 30),
)


def plan_form(
    planned: Sequence[object] = (10, 10, 20, 20, 20),
    new: Sequence[tuple[str, object, object]] = ((NEW_ACTIVITY, 4, 20),),
    events: Sequence[tuple[str, object, str, object]] = EVENTS[:2],
    **fields: object,
) -> dict[str, object]:
    """The plan page's form as a browser posts it; by default it moves 20 points."""
    data: dict[str, object] = {
        "next_role": "The developer who leads requirements work with clients",
        "proxy": "Priya, staff engineer",
        "proxy_week": "Customer calls and design reviews",
        "skill": "negotiation",
        "own_skill": "",
        "sprint_start": SPRINT_START,
    }
    for i, share in enumerate(planned, start=1):
        data[f"planned_{i}"] = share
    for i, (description, score, share) in enumerate(new, start=1):
        data[f"new_description_{i}"] = description
        data[f"new_score_{i}"] = score
        data[f"new_share_{i}"] = share
    for i, (title, weekday, start, minutes) in enumerate(events, start=1):
        data[f"event_title_{i}"] = title
        data[f"event_weekday_{i}"] = weekday
        data[f"event_start_{i}"] = start
        data[f"event_minutes_{i}"] = minutes
    data.update(fields)
    return data


def saved_plan(audit: Audit, events: int = 2, *, sprint_start: date | None = None) -> Plan:
    """A plan saved through the service: every activity at or below the rung cut by
    (at most) half, the points moved to one new rung-5 activity."""
    assert audit.owner is not None
    snapshot = audit.snapshot
    rows = [
        planning.PlannedShare(
            a["description"],
            a["score"],
            a["share"],
            a["share"] - a["share"] // 2 if a["score"] <= snapshot.rung else a["share"],
        )
        for a in snapshot.activities
    ]
    moved = sum(r.current - r.planned for r in rows)
    rows.append(planning.PlannedShare(NEW_ACTIVITY, 5, 0, moved))
    return plans.plan_save(
        audit=audit,
        owner=audit.owner,
        data=plans.PlanInput(
            next_role="Leading requirements work with clients",
            proxy="",
            proxy_week="",
            skill=Plan.Skill.JUDGMENT,
            own_skill="",
            rows=tuple(rows),
            sprint_start=sprint_start or date.fromisoformat(SPRINT_START),
            events=tuple(
                plans.EventInput(title, weekday, time.fromisoformat(start), minutes)
                for title, weekday, start, minutes in EVENTS[:events]
            ),
        ),
    )


# Django's admin: staff only, and nobody in the cast is staff. Its door is checked by
# test_the_admin_is_staff_only; what staff may do inside is the admin's business.
SKIP_NAMESPACES = {"admin"}


def walk(
    patterns: list[Any], route: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, Callable[..., Any]]]:
    """(name with namespace, full route, view) of every URL pattern, however deeply
    included."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from walk(entry.url_patterns, route + str(entry.pattern), inner)
        else:
            assert isinstance(entry, URLPattern)
            name = entry.name or f"<unnamed {route}{entry.pattern}>"
            full = route + str(entry.pattern)
            yield (f"{namespace}:{name}" if namespace else name), full, entry.callback


def our_urls() -> dict[str, Callable[..., Any]]:
    """Every URL name outside the skipped namespaces, with its view."""
    return {name: view for name, _, view in our_routes()}


def our_routes() -> list[tuple[str, str, Callable[..., Any]]]:
    """(name, route, view) of every URL outside the skipped namespaces."""
    return [
        entry
        for entry in walk(get_resolver().url_patterns)
        if entry[0].split(":", 1)[0] not in SKIP_NAMESPACES
    ]


@dataclass(frozen=True)
class Size:
    name: str
    activities: int  # in each of the person's audits
    completed: int  # the person's results, a quarter apart; all but the first reassessments
    drafts: int  # the person's unfinished audits (the first is at the wizard's last step)
    visitor_audits: int  # made in the person's browser before logging in, not yet kept
    notes: int  # on the latest result: per activity, on the whole audit, and replies
    events: int  # in each plan
    checkins: int  # check-in emails sent to the person
    clients: int  # the coach's active clients, the person among them
    coaches: int  # the person's active coaches
    invitations: int  # pending, of each kind: the coach's, to the coach, the person's, to them
    addresses: int  # the person's email addresses
    search: str  # the benchmark search: a few matches, or a page of them
    occupation: str  # the occupation page: 4 task statements, or 40


SMALL = Size(
    "small",
    activities=5,
    completed=2,
    drafts=1,
    visitor_audits=0,
    notes=1,
    events=2,
    checkins=1,
    clients=2,
    coaches=1,
    invitations=0,
    addresses=1,
    search="lawyer",
    occupation="39-5093.00",  # Shampooers
)


LARGE = Size(
    "large",
    activities=10,
    completed=5,
    drafts=3,
    visitor_audits=3,
    notes=3,
    events=3,
    checkins=4,
    clients=6,
    coaches=3,
    invitations=3,
    addresses=3,
    search="manager",
    occupation="25-2058.00",  # Special Education Teachers, Secondary School
)


SIZES = (SMALL, LARGE)


def results(owner: User, size: Size) -> list[Audit]:
    """A quarter apart, each after the first a reassessment of the one before, with
    one activity scored a rung higher."""
    start = timezone.now() - timedelta(days=91 * size.completed + 7)
    with time_machine.travel(start, tick=False):
        audits = [audit_at(owner, "complete", size.activities)]
    for quarter in range(1, size.completed):
        with time_machine.travel(start + timedelta(days=91 * quarter), tick=False):
            draft = services.reassessment_start(owner=owner, previous=audits[-1])
            rows = ordered(draft)
            scores: dict[int, tuple[int, bool | None]] = {a.pk: (a.score or 1, None) for a in rows}
            moved = rows[quarter % len(rows)]
            scores[moved.pk] = (min(5, (moved.score or 1) + 1), None)
            services.audit_save_scores(
                audit=draft, expected_version=draft.version, scores=scores, ai_sources="METR"
            )
            draft.refresh_from_db()
            audits.append(draft)
    return audits


# --- The browser: where Chromium and axe-core are, and Tab (axe on every page) ---

ROOT = Path(__file__).resolve().parents[1]


CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


ARTIFACTS = ROOT / "test-artifacts"


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


PHONE = {"width": 390, "height": 844}


DESKTOP = {"width": 1280, "height": 900}


@dataclass
class Visit:
    url: str
    checked: bool = False


@dataclass
class Tab:
    """A browser tab that remembers every page it loaded, so the test can prove
    each one passed axe, and every CSP violation or script error it saw."""

    page: Any
    visits: list[Visit] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # With JavaScript off, axe can't run (and page.evaluate would wait forever); the
    # same pages are checked by the JavaScript journeys.
    javascript: bool = True

    def log_in(self, email: str, password: str) -> None:
        """Log in through the real form (and check the page it lands on)."""
        self.goto("/accounts/login/")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.follow(self.page.get_by_role("button", name="Log in", exact=True))

    def follow(self, target: Any) -> None:
        """Click a link or button that loads another page, wait for that page, and
        check it. (A click does not wait for the navigation it starts, so checking
        straight after it could check the page being left.)"""
        with self.page.expect_navigation():
            target.click()
        self.assert_accessible()

    def goto(self, path: str) -> None:
        self.page.goto(path)
        self.assert_accessible()

    def assert_accessible(self) -> None:
        """Run axe-core (WCAG 2.2 AA rules) on the current page: no violations."""
        self.page.wait_for_load_state("load")
        if not self.javascript:
            return
        self.page.evaluate(AXE.read_text())
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        violations = [
            f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
            for v in result["violations"]
        ]
        assert not violations, f"axe on {self.page.url}:\n" + "\n".join(violations)
        if self.visits:
            self.visits[-1].checked = True

    def screenshot(self, name: str) -> None:
        """Save the page at phone and desktop widths in test-artifacts/screens/."""
        folder = ARTIFACTS / "screens"
        folder.mkdir(parents=True, exist_ok=True)
        size = self.page.viewport_size
        for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            self.page.set_viewport_size(viewport)
            # caret="initial": hiding the caret injects a style the page's CSP rightly blocks.
            self.page.screenshot(
                path=str(folder / f"{name}-{label}.png"), full_page=True, caret="initial"
            )
        self.page.set_viewport_size(size)


# --- The cast of the whole-project tests -----------------------------------------------
# Client A with a completed audit, a draft, a plan, a check-in and notes; client B; A's
# coach, a coach A hasn't answered, a coach A revoked, and B's coach.

# In A's job title and activities: a page holding it shows A's ladder.
MARKER = "Quillfeather"
CAST = ("anonymous", "a", "b", "coach", "pending", "revoked", "unrelated")


@dataclass
class World:
    people: dict[str, User]
    completed: Audit  # A's, with a plan and notes
    draft: Audit  # A's, at the scores step
    plan: Plan  # A's, with its calendar
    checkin: Checkin  # A's quarterly email, sent
    links: dict[str, CoachLink]
    b_audit: Audit  # B's, with a plan

    @property
    def a(self) -> User:
        return self.people["a"]

    @property
    def markers(self) -> tuple[str, ...]:
        """Strings from A's ladder: only pages showing it contain them."""
        codes = (self.completed.code, self.draft.code, self.plan.code)
        return (MARKER, self.plan.calendar_token, *map(str, codes))

    def link_of(self, who: str) -> CoachLink:
        """The link a person tries on a coach's page: a coach's own, else A's active one."""
        own = who in ("pending", "revoked", "unrelated")
        return self.links[who if own else "coach"]


def make_world() -> World:
    people = {
        who: make_person(f"{who}@example.com", f"{who.title()} Person")
        for who in CAST
        if who != "anonymous"
    }
    a, b = people["a"], people["b"]
    title, texts = f"{MARKER} integration lead", [f"{t} at {MARKER}" for t in DESCRIPTIONS]
    completed = audit_at(a, "complete", job_title=title, descriptions=texts)
    draft = audit_at(a, "scores", job_title=title, descriptions=texts)
    plan = saved_plan(completed)
    b_audit = audit_at(b, "complete")
    saved_plan(b_audit)
    now = timezone.now()
    checkin = Checkin.objects.create(
        user=a,
        period=timezone.localdate() - timedelta(days=1),
        state=Checkin.State.SENT,
        next_attempt_at=now,
        sent_at=now,
        snapshot=completed.snapshot,
    )
    coach, client = CoachLink.Side.COACH, CoachLink.Side.CLIENT
    links = {
        "coach": CoachLink.objects.create(
            coach=people["coach"],
            client=a,
            invited_by=coach,
            email=a.email,
            state=CoachLink.State.ACTIVE,
        ),
        "pending": CoachLink.objects.create(
            coach=people["pending"], invited_by=coach, email=a.email
        ),
        "revoked": CoachLink.objects.create(
            coach=people["revoked"],
            client=a,
            invited_by=coach,
            email=a.email,
            state=CoachLink.State.REVOKED,
        ),
        "unrelated": CoachLink.objects.create(
            coach=people["unrelated"],
            client=b,
            invited_by=client,
            email=people["unrelated"].email,
            state=CoachLink.State.ACTIVE,
        ),
        # A's own invitation to a coach who hasn't answered.
        "a_invites": CoachLink.objects.create(
            client=a, invited_by=client, email="future-coach@example.com"
        ),
    }
    # Its email could not be delivered, so A may send it again.
    InvitationEmail.objects.create(
        link=links["a_invites"], state=InvitationEmail.State.FAILED, next_attempt_at=now
    )
    activity = completed.activities.order_by("position").first()
    # Written while that coach's link was still active.
    Comment.objects.create(
        audit=completed,
        activity=activity,
        author=people["revoked"],
        link=links["revoked"],
        body=REVOKED_NOTE,
    )
    note = coaching.NewComment("Could a client workshop replace this?", activity=activity)
    coaching.comment(audit=completed, author=people["coach"], link=links["coach"], new=note)
    reply = coaching.NewComment("Good idea, I'll try it")
    coaching.comment(audit=completed, author=a, link=links["coach"], new=reply)
    return World(people, completed, draft, plan, checkin, links, b_audit)


REVOKED_NOTE = "An old note, from before A stopped sharing"

# Which of A's objects fill a URL's parameters, for the person opening it.
ARGS: dict[str, Callable[[World, str], list[Any]]] = {
    "": lambda w, who: [],
    "occupation": lambda w, who: [SOFTWARE_DEVELOPERS],
    "completed": lambda w, who: [w.completed.code],
    "draft": lambda w, who: [w.draft.code],
    "plan": lambda w, who: [w.plan.code],
    "calendar token": lambda w, who: [w.plan.calendar_token],
    "check-in link": lambda w, who: [links.link_token(w.checkin)],
    "unsubscribe link": lambda w, who: [links.unsubscribe_token(w.a)],
    "invitation": lambda w, who: [coaching.invitation_token(w.links["pending"])],
    "A's link": lambda w, who: [w.links["coach"].code],
    "A's invitation": lambda w, who: [w.links["a_invites"].code],
    "link": lambda w, who: [w.link_of(who).code],
    "link, completed": lambda w, who: [w.link_of(who).code, w.completed.code],
    "link, draft": lambda w, who: [w.link_of(who).code, w.draft.code],
    "link, B's audit": lambda w, who: [w.link_of(who).code, w.b_audit.code],
}


# Which of A's objects fill each URL's parameters, one entry per way of filling them
# (see ARGS); the access matrix says who may open each, and checks it covers these.
URL_ARGS: dict[str, tuple[str, ...]] = {
    "home": ("",),
    "healthz": ("",),
    "assessments:benchmarks": ("",),
    "assessments:occupation": ("occupation",),
    "assessments:about_data": ("",),
    "assessments:about_runway": ("",),
    "assessments:occupation_options": ("",),
    "assessments:start": ("",),
    "assessments:my_ladder": ("",),
    "assessments:claim": ("",),
    "assessments:discard": ("",),
    "assessments:reassess": ("",),
    "assessments:checkin_settings": ("",),
    "assessments:checkin": ("check-in link",),
    "assessments:unsubscribe": ("unsubscribe link",),
    "assessments:step_role": ("draft", "completed"),
    "assessments:step_activities": ("draft", "completed"),
    "assessments:step_time": ("draft", "completed"),
    "assessments:step_scores": ("draft", "completed"),
    "assessments:result": ("completed", "draft"),
    "assessments:delete": ("completed", "draft"),
    "assessments:plan": ("completed", "draft"),
    "assessments:sprint": ("plan",),
    "assessments:calendar_download": ("plan",),
    "assessments:calendar_revoke": ("plan",),
    "assessments:report": ("plan",),
    "assessments:calendar_feed": ("calendar token",),
    "coach:dashboard": ("",),
    "coach:dashboard_csv": ("",),
    "coach:invite_client": ("",),
    "coach:digest_setting": ("",),
    "coach:client": ("link",),
    "coach:end": ("link",),
    "coach:client_audit": ("link, completed", "link, draft", "link, B's audit"),
    "coach:withdraw": ("A's invitation",),
    "coach:send_again": ("A's invitation",),
    "coach:invitation": ("invitation",),
    "coach:my_coaches": ("",),
    "coach:invite_coach": ("",),
    "coach:revoke": ("A's link",),
    "coach:reply": ("completed",),
    "accounts:profile": ("",),
    "accounts:delete": ("",),
    "accounts:export": ("",),
}
