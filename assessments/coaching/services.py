"""Coaches and clients: invitations, consent, notes, the client emails and the
weekly digest. (Loading a client's data for a coach is in ``assessments.access``.)"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import F, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import CoachLink, User
from assessments.models import Activity, Audit, Checkin, CoachDigest, Comment, RungSnapshot

log = logging.getLogger(__name__)

INVITES_PER_HOUR = 10
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
    recent = CoachLink.objects.filter(
        _mine(inviter, side), invited_by=side, created_at__gte=now - timedelta(hours=1)
    ).count()
    if recent >= INVITES_PER_HOUR:
        raise InviteProblem(
            f"You've sent {INVITES_PER_HOUR} invitations in the last hour. "
            "Wait a little before sending more."
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
    return link


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


def send_invitation(link: CoachLink) -> None:
    inviter = link.coach if link.invited_by == CoachLink.Side.COACH else link.client
    assert inviter is not None
    url = settings.SITE_URL + reverse("coach:invitation", args=[invitation_token(link)])
    context = {
        "link": link,
        "inviter": inviter,
        "as_coach": link.invited_by == CoachLink.Side.COACH,
        "url": url,
        "expires": timezone.now() + INVITATION_MAX_AGE,
    }
    subject = " ".join(render_to_string("emails/coach_invitation.subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/coach_invitation.txt", context),
        to=[link.email],
        reply_to=[inviter.email],
    )
    message.attach_alternative(
        render_to_string("emails/coach_invitation.html", context), "text/html"
    )
    mailers.default.send_messages([message])


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


def notify_clients(*, now: datetime | None = None) -> int:
    """Email each client once about the coach's notes that came in since the last
    email, when the coach has been quiet for half an hour. Returns emails sent.

    A run claims a client's notes by stamping them with its own ``now``, and emails
    exactly the notes it stamped, so overlapping runs can't send a note twice. A
    failed send un-stamps them for the next run, except when the address is refused
    for good."""
    now = now or timezone.now()
    waiting = (
        Comment.objects.filter(notified_at__isnull=True, by_coach=True)
        .values_list("audit__owner_id", flat=True)
        .distinct()
    )
    sent = 0
    for client_id in list(waiting):
        batch = Comment.objects.filter(
            notified_at__isnull=True, by_coach=True, audit__owner_id=client_id
        )
        latest = batch.order_by("-created_at").values_list("created_at", flat=True).first()
        if latest is None or latest > now - BATCH_QUIET:
            continue
        ids = list(batch.values_list("pk", flat=True))
        Comment.objects.filter(pk__in=ids, notified_at__isnull=True).update(notified_at=now)
        notes = list(
            Comment.objects.filter(pk__in=ids, notified_at=now)
            .select_related("author", "audit", "activity", "audit__owner")
            .order_by("created_at")
        )
        if not notes:
            continue  # another run has them
        try:
            _send_comment_email(notes[0].audit.owner, notes)  # type: ignore[arg-type]
        except smtplib.SMTPRecipientsRefused as error:
            log.warning("Comment email to client %s refused for good: %s", client_id, error)
            continue
        except Exception:  # a broken email must not stop the others; try again next run
            log.exception("Comment email to client %s failed, will retry", client_id)
            Comment.objects.filter(pk__in=[n.pk for n in notes], notified_at=now).update(
                notified_at=None
            )
            continue
        sent += 1
    return sent


def _send_comment_email(client: User, notes: list[Comment]) -> None:
    audits = {n.audit for n in notes}
    context = {
        "user": client,
        "notes": notes,
        "authors": sorted({n.author.display_name for n in notes if n.author}),
        "links": [
            (a, settings.SITE_URL + reverse("assessments:result", args=[a.code])) for a in audits
        ],
    }
    subject = " ".join(render_to_string("emails/coach_comments.subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/coach_comments.txt", context),
        to=[client.email],
    )
    message.attach_alternative(render_to_string("emails/coach_comments.html", context), "text/html")
    mailers.default.send_messages([message])


# --- The weekly digest for coaches -------------------------------------------------

OVERDUE_AFTER = timedelta(days=97)  # a quarter and the reminder's week without an audit
FIRST_AUDIT_GRACE = timedelta(days=14)  # a new client has two weeks for a first audit
DIGEST_TIME = time(8, 0)  # Monday morning in the coach's time zone
DIGEST_ATTEMPTS = 5


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


def send_digests(*, now: datetime | None = None) -> int:
    """Monday from 8:00 in each coach's time zone: one digest a week to each coach
    with active clients who hasn't opted out, if there is anything to say."""
    now = now or timezone.now()
    coaches = User.objects.filter(
        coach_digest=True, client_links__state=CoachLink.State.ACTIVE
    ).distinct()
    sent = 0
    for coach in coaches:
        zone = ZoneInfo(coach.time_zone)
        local = timezone.localtime(now, zone)
        monday = local.date() - timedelta(days=local.weekday())
        due = datetime.combine(monday, DIGEST_TIME, tzinfo=zone)
        if now < due:
            continue
        # The row is unique per coach and week; the claim is a conditional update, so
        # of two overlapping runs one sends, and a failed or abandoned send is retried
        # by the next hourly run (at most DIGEST_ATTEMPTS times).
        row, _ = CoachDigest.objects.get_or_create(coach=coach, week=monday)
        claimable = Q(state__in=[Checkin.State.PENDING, Checkin.State.FAILED]) | Q(
            state=Checkin.State.SENDING, claimed_at__lt=now - timedelta(minutes=15)
        )
        if not CoachDigest.objects.filter(
            claimable, pk=row.pk, attempts__lt=DIGEST_ATTEMPTS
        ).update(state=Checkin.State.SENDING, claimed_at=now, attempts=F("attempts") + 1):
            continue
        # The week before this Monday morning: each event in exactly one digest.
        digest = digest_for(coach, since=due - timedelta(days=7), now=due)
        if not digest:
            _digest_done(row, now, Checkin.State.SKIPPED, last_error="Nothing new this week.")
            continue
        try:
            _send_digest(coach, digest, week=monday)
        except smtplib.SMTPRecipientsRefused as error:
            _digest_done(row, now, Checkin.State.FAILED, last_error=str(error)[:300], attempts=99)
            continue
        except Exception as error:
            log.warning("Digest for coach %s failed, will retry: %s", coach.pk, error)
            _digest_done(
                row, now, Checkin.State.FAILED, last_error=f"{type(error).__name__}: {error}"[:300]
            )
            continue
        _digest_done(row, now, Checkin.State.SENT, sent_at=now, last_error="")
        sent += 1
    return sent


def _digest_done(row: CoachDigest, claimed: datetime, state: Checkin.State, **fields: Any) -> None:
    CoachDigest.objects.filter(pk=row.pk, state=Checkin.State.SENDING, claimed_at=claimed).update(
        state=state, **fields
    )


def _send_digest(coach: User, digest: Digest, *, week: date) -> None:
    context = {
        "user": coach,
        "digest": digest,
        "week": week,
        "dashboard_url": settings.SITE_URL + reverse("coach:dashboard"),
        "settings_url": settings.SITE_URL + reverse("coach:dashboard") + "#digest",
    }
    subject = " ".join(render_to_string("emails/coach_digest.subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string("emails/coach_digest.txt", context), to=[coach.email]
    )
    message.attach_alternative(render_to_string("emails/coach_digest.html", context), "text/html")
    mailers.default.send_messages([message])
