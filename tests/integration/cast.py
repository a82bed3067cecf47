"""The cast the whole-project tests walk the URLs with: client A with a completed audit,
a draft, a plan, a check-in and notes; client B; A's coach, a coach A hasn't answered, a
coach A revoked, and B's coach. ``ARGS`` says which of A's objects fill a URL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import CoachLink, User
from assessments.checkins import links
from assessments.coaching import services as coaching
from assessments.models import Audit, Checkin, Comment, InvitationEmail, Plan
from tests.factories import DESCRIPTIONS, SOFTWARE_DEVELOPERS, audit_at, make_person, saved_plan

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
