"""Coaches and clients: invitations, consent, notes, the client emails and the
weekly digest. (Loading a client's data for a coach is in ``assessments.access``.)"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.models import CoachLink, User
from assessments.models import (
    Activity,
    Audit,
    CoachDigest,
    Comment,
    InvitationEmail,
    NoteEmail,
    RungSnapshot,
)
from ladder.mail import absolute_url, render_email
from ladder.outbox import Mailbag, Outcome, Skip

log = logging.getLogger(__name__)

INVITES_PER_HOUR = 10
# Until the sender has a completed audit or a coaching link someone accepted, or after
# one of their invitations was reported: a new account can't relay much text.
UNPROVEN_INVITES_PER_HOUR = 3
REPORT_MEMORY = timedelta(days=90)
INVITATION_MAX_AGE = timedelta(days=30)
INVITATION_SALT = "ladder.coach-invitation"


class InviteProblem(Exception):
    """An invitation that can't be made; the message says why, in plain words."""


# --- Invitations -------------------------------------------------------------------


def _addresses(user: User) -> set[str]:
    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return {e.lower() for e in verified}


def _mine(user: User, side: CoachLink.Side) -> Q:
    return Q(coach=user) if side == CoachLink.Side.COACH else Q(client=user)


@transaction.atomic
def invite(*, inviter: User, side: CoachLink.Side, email: str, message: str = "") -> CoachLink:
    """``inviter`` (acting as ``side``) invites ``email`` to be their client (or
    coach). Raises InviteProblem for yourself, a repeat, or too many invitations."""
    email = email.strip().lower()
    User.objects.select_for_update().filter(pk=inviter.pk).first()  # one invite at a time
    if email == inviter.email.lower() or email in _addresses(inviter):
        raise InviteProblem("That's your own address: invite someone else.")
    now = timezone.now()
    limit = invites_per_hour(inviter, now)
    if _sent_last_hour(inviter, side, now) >= limit:
        raise InviteProblem(
            f"You've sent {limit} invitations in the last hour. Wait a little before sending more."
        )
    if CoachLink.objects.filter(
        _mine(inviter, side),
        invited_by=side,
        email=email,
        state=CoachLink.State.PENDING,
        created_at__gt=now - INVITATION_MAX_AGE,
    ).exists():
        raise InviteProblem(f"{email} already has an invitation from you waiting.")
    other = "client" if side == CoachLink.Side.COACH else "coach"
    active = CoachLink.objects.filter(_mine(inviter, side), state=CoachLink.State.ACTIVE)
    owners = EmailAddress.objects.filter(email__iexact=email, verified=True).values("user_id")
    if active.filter(
        Q(**{f"{other}__email__iexact": email}) | Q(**{f"{other}__in": owners})
    ).exists():
        raise InviteProblem(f"{email} is already your {other}.")
    link = CoachLink.objects.create(
        invited_by=side,
        email=email,
        message=message.strip(),
        **({"coach": inviter} if side == CoachLink.Side.COACH else {"client": inviter}),
    )
    InvitationEmail.objects.create(link=link, next_attempt_at=now)
    return link


def invites_per_hour(inviter: User, now: datetime) -> int:
    """How many invitation emails ``inviter`` may ask for in an hour."""
    reported = CoachLink.objects.filter(
        Q(coach=inviter) | Q(client=inviter), reported_at__gte=now - REPORT_MEMORY
    ).exists()
    proven = (
        RungSnapshot.objects.filter(owner=inviter).exists()
        or CoachLink.objects.filter(
            Q(coach=inviter) | Q(client=inviter), responded_at__isnull=False
        )
        .exclude(state__in=[CoachLink.State.DECLINED, CoachLink.State.PENDING])
        .exists()
    )
    return INVITES_PER_HOUR if proven and not reported else UNPROVEN_INVITES_PER_HOUR


@transaction.atomic
def report(*, link: CoachLink) -> CoachLink:
    """The invited person reports a pending invitation: it is declined and flagged for
    staff, and its sender's hourly limit drops. Needs no account: the link is the key."""
    locked = CoachLink.objects.select_for_update().get(pk=link.pk)
    if locked.state == CoachLink.State.PENDING:
        now = timezone.now()
        locked.state = CoachLink.State.DECLINED
        locked.responded_at = locked.reported_at = now
        locked.save(update_fields=["state", "responded_at", "reported_at"])
    return locked


def _sent_last_hour(inviter: User, side: CoachLink.Side, now: datetime) -> int:
    """Invitation emails this person asked for in the last hour (new or sent again)."""
    mine = Q(link__coach=inviter) if side == CoachLink.Side.COACH else Q(link__client=inviter)
    return InvitationEmail.objects.filter(
        mine, link__invited_by=side, created_at__gte=now - timedelta(hours=1)
    ).count()


def invitation_token(link: CoachLink) -> str:
    return signing.dumps(str(link.code), salt=INVITATION_SALT)


class InvitationProblem(Exception):
    """``kind``: "expired", "invalid", "closed" (no longer pending) or "wrong-person"."""

    def __init__(self, kind: str, link: CoachLink | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.link = link


def invitation_for_token(token: str) -> CoachLink:
    """The invitation a link is for. An invitation expires 30 days after it was
    made, whenever its link was signed (pages re-sign links to show them)."""
    try:
        code = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
        link = CoachLink.objects.select_related("coach", "client").get(code=code)
    except signing.SignatureExpired as error:
        raise InvitationProblem("expired") from error
    except (signing.BadSignature, CoachLink.DoesNotExist, ValueError, ValidationError) as error:
        raise InvitationProblem("invalid") from error
    if link.is_pending and is_expired(link):
        raise InvitationProblem("expired", link)
    return link


def is_expired(link: CoachLink) -> bool:
    return link.created_at <= timezone.now() - INVITATION_MAX_AGE


def open_invitations() -> Q:
    """Pending invitations that can still be answered."""
    return Q(state=CoachLink.State.PENDING, created_at__gt=timezone.now() - INVITATION_MAX_AGE)


def may_answer(link: CoachLink, user: User) -> bool:
    """Only the invited address (verified on the account) may accept or decline."""
    inviter = link.coach_id if link.invited_by == CoachLink.Side.COACH else link.client_id
    return user.pk != inviter and link.email.lower() in _addresses(user)


@transaction.atomic
def answer(*, link: CoachLink, user: User, accept: bool) -> CoachLink:
    """Accept or decline a pending invitation as the invited person."""
    locked = CoachLink.objects.select_for_update().get(pk=link.pk)
    mine = user.pk in (locked.coach_id, locked.client_id)
    if locked.state == CoachLink.State.ACTIVE and mine:
        return locked  # a double-clicked Accept
    if locked.state != CoachLink.State.PENDING:
        raise InvitationProblem("closed", locked)
    if is_expired(locked):
        raise InvitationProblem("expired", locked)
    if not may_answer(locked, user):
        raise InvitationProblem("wrong-person", locked)
    locked.responded_at = timezone.now()
    if not accept:
        locked.state = CoachLink.State.DECLINED
        locked.save(update_fields=["state", "responded_at"])
        return locked
    if locked.invited_by == CoachLink.Side.COACH:
        locked.client = user
    else:
        locked.coach = user
    existing = CoachLink.objects.filter(
        coach=locked.coach, client=locked.client, state=CoachLink.State.ACTIVE
    ).first()
    if existing is not None:  # already linked (a crossing invitation): this one closes
        CoachLink.objects.filter(pk=locked.pk).update(
            state=CoachLink.State.WITHDRAWN, ended_at=locked.responded_at
        )
        return existing
    locked.state = CoachLink.State.ACTIVE
    locked.save(update_fields=["state", "responded_at", "coach", "client"])
    # Any other open invitation between the two, either way, has done its job.
    assert locked.coach is not None
    assert locked.client is not None
    coach_emails = {locked.coach.email.lower()} | _addresses(locked.coach)
    client_emails = {locked.client.email.lower()} | _addresses(locked.client)
    CoachLink.objects.filter(state=CoachLink.State.PENDING).filter(
        Q(invited_by=CoachLink.Side.COACH, coach=locked.coach, email__in=client_emails)
        | Q(invited_by=CoachLink.Side.CLIENT, client=locked.client, email__in=coach_emails)
    ).update(state=CoachLink.State.WITHDRAWN, ended_at=locked.responded_at)
    return locked


def _close(link: CoachLink, state: CoachLink.State, *, allowed: set[str]) -> bool:
    """Move a link to ``state`` if it is in one of ``allowed``; False if it wasn't."""
    return bool(
        CoachLink.objects.filter(pk=link.pk, state__in=allowed).update(
            state=state, ended_at=timezone.now()
        )
    )


def withdraw(link: CoachLink) -> bool:
    return _close(link, CoachLink.State.WITHDRAWN, allowed={CoachLink.State.PENDING})


def revoke(link: CoachLink) -> bool:
    """The client stops sharing: the coach loses access with the next request."""
    return _close(link, CoachLink.State.REVOKED, allowed={CoachLink.State.ACTIVE})


def end(link: CoachLink) -> bool:
    return _close(link, CoachLink.State.ENDED, allowed={CoachLink.State.ACTIVE})


def _build_invitation(row: InvitationEmail, now: datetime) -> EmailMessage:
    link = row.link
    if not link.is_pending or is_expired(link):
        raise Skip("The invitation is no longer open.")
    inviter = link.inviter
    assert inviter is not None
    context = {
        "link": link,
        "inviter": inviter,
        "as_coach": link.invited_by == CoachLink.Side.COACH,
        "url": absolute_url(reverse("coach:invitation", args=[invitation_token(link)])),
        "expires": link.created_at + INVITATION_MAX_AGE,
        # The sender's own words, quoted as theirs: never read as Ladder speaking.
        "quoted_message": "\n".join(f"> {line}" for line in link.message.splitlines()),
    }
    return render_email(
        "coach_invitation",
        context,
        to=[link.email],
        reply_to=[inviter.email],
        time_zone=inviter.time_zone,
    )


INVITATIONS = Mailbag(
    "Invitation", InvitationEmail, _build_invitation, related=("link__coach", "link__client")
)


def _latest_email(link: CoachLink) -> InvitationEmail | None:
    return link.emails.order_by("-created_at", "-pk").first()


def invitation_deliver(link: CoachLink, row: InvitationEmail | None = None) -> Outcome:
    """The first try at the invitation's email (``row``, or its latest), while the
    inviter waits; a temporary failure leaves it to the outbox's retries."""
    row = row or _latest_email(link)
    if row is None:
        return Outcome.NOTHING
    return INVITATIONS.deliver(row.pk).outcome


def with_delivery(links: QuerySet[CoachLink]) -> QuerySet[CoachLink]:
    """Invitations annotated with whether they have expired, and their latest email's
    delivery: ``email_state``, ``email_attempts`` and ``email_error`` (None before any
    email was written)."""
    latest = InvitationEmail.objects.filter(link=OuterRef("pk")).order_by("-created_at", "-pk")
    return links.annotate(
        expired=Q(created_at__lte=timezone.now() - INVITATION_MAX_AGE),
        email_state=Subquery(latest.values("state")[:1]),
        email_attempts=Subquery(latest.values("attempts")[:1]),
        email_error=Subquery(latest.values("last_error")[:1]),
    )


def invitation_send_again(link: CoachLink) -> InvitationEmail:
    """A new email for an open invitation whose last one could not be delivered.
    Raises InviteProblem if it is closed, on its way already, or over the hourly limit."""
    inviter = link.inviter
    assert inviter is not None
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=inviter.pk).first()
        locked = CoachLink.objects.get(pk=link.pk)
        if not locked.is_pending or is_expired(locked):
            raise InviteProblem("That invitation is no longer open.")
        latest = _latest_email(locked)
        if latest is not None and latest.state != InvitationEmail.State.FAILED:
            raise InviteProblem(f"The invitation to {locked.email} is on its way already.")
        now = timezone.now()
        if _sent_last_hour(inviter, CoachLink.Side(locked.invited_by), now) >= INVITES_PER_HOUR:
            raise InviteProblem(
                f"You've sent {INVITES_PER_HOUR} invitations in the last hour. "
                "Wait a little before sending more."
            )
        return InvitationEmail.objects.create(link=locked, next_attempt_at=now)


# --- Access: the only ways a coach reads a client's data ---------------------------


def coaches_of(user: User) -> list[CoachLink]:
    return list(
        CoachLink.objects.filter(client=user, state=CoachLink.State.ACTIVE).select_related("coach")
    )


# --- Comments ----------------------------------------------------------------------


@dataclass(frozen=True)
class NewComment:
    body: str
    activity: Activity | None = None
    coach_score: int | None = None


@transaction.atomic
def comment(*, audit: Audit, author: User, link: CoachLink, new: NewComment) -> Comment:
    """A note in one coaching relationship: the coach's on the client's audit or one of
    its activities, or the client's reply. Refused (CoachLinkEnded) if the link is no
    longer active, even if it ended a moment ago. The client hears about a coach's new
    notes in one email per batch (``notify_clients``)."""
    if new.activity is not None and new.activity.audit_id != audit.pk:
        raise ValueError("the activity belongs to another audit")
    if audit.owner_id != link.client_id:
        raise ValueError("the audit isn't the link's client's")
    by_coach = author.pk == link.coach_id
    if (
        not CoachLink.objects.select_for_update()
        .filter(pk=link.pk, state=CoachLink.State.ACTIVE)
        .exists()
    ):
        raise CoachLinkEnded
    return Comment.objects.create(
        audit=audit,
        activity=new.activity,
        author=author,
        link=link,
        by_coach=by_coach,
        body=new.body.strip(),
        coach_score=new.coach_score if by_coach and new.activity else None,
        # The client's own replies need no email to the client.
        notified_at=None if by_coach else timezone.now(),
    )


class CoachLinkEnded(Exception):
    """The coaching relationship ended before the note was saved."""


def comment_context(
    audit: Audit, activities: list[Activity] | None = None, *, coach: User | None = None
) -> dict[str, Any]:
    """The notes on an audit, grouped: on the whole audit, and per activity with each
    coach's latest score. ``coach``: only that coach's conversation with the client
    (a coach never sees another coach's notes); None: everything (the client)."""
    notes = audit.comments.select_related("author", "link__coach").order_by("created_at")
    if coach is not None:
        notes = notes.filter(link__coach=coach)
    found = list(notes)
    if activities is None:  # the client's result page: activities only when there are notes
        activities = list(audit.activities.all()) if found else []
    by_activity: dict[int, list[Comment]] = {}
    for note in found:
        if note.activity_id is not None:
            by_activity.setdefault(note.activity_id, []).append(note)
    rows = []
    for activity in activities:
        own = by_activity.get(activity.pk, [])
        latest: dict[str, int] = {}
        for note in own:
            if note.coach_score is not None:
                latest[note.author.display_name if note.author else "A former coach"] = (
                    note.coach_score
                )
        rows.append(
            {
                "activity": activity,
                "notes": own,
                "coach_scores": sorted(latest.items()),
                "coach_score": next(iter(latest.values())) if len(latest) == 1 else None,
            }
        )
    return {
        "general_notes": [n for n in found if n.activity_id is None],
        "activity_rows": rows,
        "has_notes": bool(found),
    }


BATCH_QUIET = timedelta(minutes=30)  # a batch is done when the coach stopped writing


def claim_note_batches(*, now: datetime) -> int:
    """Close each client's batch of new coach notes once the coach has been quiet for
    half an hour: one NoteEmail row per batch, and the notes point at it. Returns how
    many batches were closed. A client's row is locked while their batch closes, so
    of two overlapping runs one takes the notes and the other finds none."""
    waiting = (
        Comment.objects.filter(notified_at__isnull=True, by_coach=True)
        .values("audit__owner_id")
        .annotate(latest=Max("created_at"))
        .filter(latest__lte=now - BATCH_QUIET)
        .values_list("audit__owner_id", flat=True)
    )
    closed = 0
    for client_id in list(waiting):
        with transaction.atomic():
            User.objects.select_for_update().filter(pk=client_id).first()
            batch = Comment.objects.filter(
                notified_at__isnull=True, by_coach=True, audit__owner_id=client_id
            )
            latest = batch.aggregate(latest=Max("created_at"))["latest"]
            if latest is None or latest > now - BATCH_QUIET:
                continue  # another run has them, or the coach wrote again just now
            row = NoteEmail.objects.create(client_id=client_id, next_attempt_at=now)
            batch.update(notified_at=now, email=row)
            closed += 1
    return closed


def _build_note_email(row: NoteEmail, now: datetime) -> EmailMessage:
    client = row.client
    if not client.is_active:
        raise Skip("The account is closed.")
    notes = list(
        row.notes.select_related("author", "audit", "activity").order_by("created_at", "pk")
    )
    if not notes:
        raise Skip("The notes were deleted.")
    audits = {n.audit for n in notes}
    context = {
        "user": client,
        "notes": notes,
        "authors": sorted({n.author.display_name for n in notes if n.author}),
        "links": [
            (a, absolute_url(reverse("assessments:result", args=[a.code])))
            for a in sorted(audits, key=lambda a: a.pk)
        ],
    }
    return render_email("coach_comments", context, to=[client.email], time_zone=client.time_zone)


NOTE_EMAILS = Mailbag("Coach-note email", NoteEmail, _build_note_email, related=("client",))


def notify_clients(*, now: datetime | None = None) -> int:
    """Close the batches of notes that are ready and send their emails now (without
    Celery). Returns how many emails were sent."""
    now = now or timezone.now()
    claim_note_batches(now=now)
    return NOTE_EMAILS.send_ready(now=now)[Outcome.SENT]


# --- The weekly digest for coaches -------------------------------------------------

OVERDUE_AFTER = timedelta(days=97)  # a quarter and the reminder's week without an audit
FIRST_AUDIT_GRACE = timedelta(days=14)  # a new client has two weeks for a first audit
DIGEST_TIME = time(8, 0)  # Monday morning in the coach's time zone


def is_overdue(latest: datetime | None, accepted: datetime | None, *, now: datetime) -> bool:
    """A client is overdue with no audit for over a quarter (and the reminder's week),
    or none at all two weeks after accepting. (The coach dashboard's filter asks the
    same in SQL: ``dashboard._overdue``.)"""
    if latest is not None:
        return latest < now - OVERDUE_AFTER
    return accepted is not None and accepted < now - FIRST_AUDIT_GRACE


@dataclass(frozen=True)
class Digest:
    completed: list[RungSnapshot]
    overdue: list[User]
    replies: list[Comment]

    def __bool__(self) -> bool:
        return bool(self.completed or self.overdue or self.replies)


def digest_for(coach: User, *, since: datetime, now: datetime) -> Digest:
    """What happened with the coach's active clients since ``since`` (4 queries)."""
    links = list(
        CoachLink.objects.filter(coach=coach, state=CoachLink.State.ACTIVE)
        .select_related("client")
        .annotate(latest=Max("client__snapshots__taken_at"))
    )
    ids = [link.client_id for link in links]
    completed = list(
        RungSnapshot.objects.filter(owner_id__in=ids, taken_at__gte=since, taken_at__lt=now)
        .select_related("owner")
        .order_by("taken_at")
    )
    replies = list(
        Comment.objects.filter(
            link__coach=coach, by_coach=False, created_at__gte=since, created_at__lt=now
        )
        .select_related("author", "audit", "activity")
        .order_by("created_at")
    )
    overdue: list[User] = [
        link.client
        for link in links
        if link.client is not None and is_overdue(link.latest, link.responded_at, now=now)
    ]
    return Digest(completed, overdue, replies)


def _digest_due(coach: User, week: date) -> datetime:
    """8:00 on the week's Monday in the coach's time zone."""
    return datetime.combine(week, DIGEST_TIME, tzinfo=ZoneInfo(coach.time_zone))


def claim_digests(*, now: datetime) -> int:
    """Monday from 8:00 in each coach's time zone: one digest row a week for each
    coach with active clients who hasn't opted out (unique per coach and week, so
    overlapping runs write one). Returns how many rows were written."""
    coaches = User.objects.filter(
        coach_digest=True, client_links__state=CoachLink.State.ACTIVE
    ).distinct()
    rows = []
    for coach in coaches:
        local = timezone.localtime(now, ZoneInfo(coach.time_zone))
        monday = local.date() - timedelta(days=local.weekday())
        if now >= _digest_due(coach, monday):
            rows.append(CoachDigest(coach=coach, week=monday, next_attempt_at=now))
    existing = set(
        CoachDigest.objects.filter(
            coach__in=[r.coach for r in rows], week__in={r.week for r in rows}
        ).values_list("coach_id", "week")
    )
    new = [r for r in rows if (r.coach.pk, r.week) not in existing]
    CoachDigest.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _build_digest(row: CoachDigest, now: datetime) -> EmailMessage:
    coach = row.coach
    if not coach.coach_digest or not coach.is_active:
        raise Skip("Weekly digests are off.")
    due = _digest_due(coach, row.week)
    # The week before this Monday morning: each event in exactly one digest.
    digest = digest_for(coach, since=due - timedelta(days=7), now=due)
    if not digest:
        raise Skip("Nothing new this week.")
    dashboard = absolute_url(reverse("coach:dashboard"))
    context = {
        "user": coach,
        "digest": digest,
        "week": row.week,
        "dashboard_url": dashboard,
        "settings_url": dashboard + "#digest",
    }
    return render_email("coach_digest", context, to=[coach.email], time_zone=coach.time_zone)


DIGESTS = Mailbag("Coach digest", CoachDigest, _build_digest, related=("coach",))


def send_digests(*, now: datetime | None = None) -> int:
    """Write this week's digest rows that are due and send them now (without Celery).
    Returns how many emails were sent."""
    now = now or timezone.now()
    claim_digests(now=now)
    return DIGESTS.send_ready(now=now)[Outcome.SENT]
