"""Quarterly check-ins (step S6): who is due, claiming them, sending the email.

One sweep does it all, from Celery beat every 15 minutes or from
``manage.py send_checkins``; only how each claimed email is sent differs (a Celery
task per email, or in line). The rules that make it dependable:

- A person is claimed with a conditional update of their ``next_checkin_at``: of
  two overlapping sweeps only one moves it, and only the winner writes the
  check-in row, which is unique per person, period and kind besides.
- Each email is then sent through the one outbox (``ladder.outbox``): claimed
  before it is sent, retried with backoff after a temporary SMTP failure, failed at
  once on a permanent one, given up after ``GIVE_UP_AFTER``.
- The sweep only looks at the database, so a missed day, a lost task or a broker
  that was down are caught up by the next sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from assessments.checkins.emails import build_message
from assessments.checkins.links import LINK_MAX_AGE
from assessments.models import Checkin, Heartbeat, RungSnapshot
from ladder import heartbeat
from ladder.outbox import Mailbag, Outcome, Skip

log = logging.getLogger(__name__)

CADENCE = timedelta(days=90)  # a quarter
SEND_HOUR = time(9, 0)  # the check-in arrives at 9:00 in the person's time zone
REMINDER_AFTER = timedelta(days=7)
GIVE_UP_AFTER = timedelta(days=2)  # temporary SMTP failures are retried this long
MIN_GAP = timedelta(days=60)  # never two check-ins closer than this
BATCH = 500


# --- The schedule -------------------------------------------------------------------


def due_on(day: date, time_zone: str) -> datetime:
    """9:00 on ``day`` in the person's time zone, as an aware datetime."""
    return datetime.combine(day, SEND_HOUR, tzinfo=ZoneInfo(time_zone))


def next_after(user: User, when: datetime) -> datetime:
    """The check-in a quarter after ``when`` (a completed audit, or the last check-in)."""
    local = timezone.localtime(when, ZoneInfo(user.time_zone)).date()
    return due_on(local + CADENCE, user.time_zone)


def schedule_after_audit(user: User, completed_at: datetime) -> None:
    """A completed audit sets the next check-in a quarter later."""
    User.objects.filter(pk=user.pk).update(next_checkin_at=next_after(user, completed_at))


# --- Claiming ------------------------------------------------------------------------


def _verified(user_ref: Any) -> Exists:
    return Exists(EmailAddress.objects.filter(user=user_ref, verified=True, primary=True))


def due_people(now: datetime) -> QuerySet[User, tuple[Any, ...]]:
    """Who is due, with what the claim needs, oldest due first. The order is total,
    so overlapping sweeps take their row locks in the same order (no deadlocks), and
    it follows the partial index on next_checkin_at."""
    latest_snapshot = RungSnapshot.objects.filter(owner=OuterRef("pk")).order_by("-taken_at")
    return (
        User.objects.filter(checkins_paused=False, is_active=True, next_checkin_at__lte=now)
        .annotate(
            snapshot_id=Subquery(latest_snapshot.values("pk")[:1]),
            verified=_verified(OuterRef("pk")),
            recent=Exists(
                Checkin.objects.filter(
                    user=OuterRef("pk"), kind=Checkin.Kind.CHECKIN, created_at__gt=now - MIN_GAP
                )
            ),
        )
        .order_by("next_checkin_at", "pk")
        .values_list("pk", "next_checkin_at", "time_zone", "snapshot_id", "verified", "recent")
    )


def claim_due(now: datetime) -> tuple[int, int]:
    """Claim every person whose check-in is due: advance their next check-in a
    quarter and write this period's check-in row. Returns how many this sweep won,
    and how many of those are skipped (nothing to send, or nowhere to send it)."""
    due = due_people(now)
    won = skipped = 0
    while True:
        batch = list(due[:BATCH])
        if not batch:
            return won, skipped
        with transaction.atomic():
            rows = []
            for pk, was_due, time_zone, snapshot_id, verified, recent in batch:
                local = timezone.localtime(was_due, ZoneInfo(time_zone)).date()
                following = due_on(local + CADENCE, time_zone)
                if following <= now:  # far behind (a long outage): a quarter from today
                    following = due_on(
                        timezone.localtime(now, ZoneInfo(time_zone)).date() + CADENCE, time_zone
                    )
                # The claim: only the sweep that still sees the old date moves it.
                if not User.objects.filter(pk=pk, next_checkin_at=was_due).update(
                    next_checkin_at=following
                ):
                    continue
                skip = None
                if snapshot_id is None:
                    skip = "No completed audit to check in on."
                elif not verified:
                    skip = "No verified email address."
                elif recent:
                    skip = "A check-in went out less than 60 days ago."
                rows.append(
                    Checkin(
                        user_id=pk,
                        period=local,
                        kind=Checkin.Kind.CHECKIN,
                        state=Checkin.State.SKIPPED if skip else Checkin.State.PENDING,
                        last_error=skip or "",
                        next_attempt_at=now,
                        snapshot_id=snapshot_id,
                    )
                )
            Checkin.objects.bulk_create(rows, ignore_conflicts=True)
            won += len(rows)
            skipped += sum(row.state == Checkin.State.SKIPPED for row in rows)


def claim_reminders(now: datetime) -> int:
    """Write the one reminder of each check-in sent a week ago and not answered
    (no audit completed since it was sent). Returns how many rows were written."""
    reminded = Checkin.objects.filter(
        user=OuterRef("user"), period=OuterRef("period"), kind=Checkin.Kind.REMINDER
    )
    answered = RungSnapshot.objects.filter(
        owner=OuterRef("user"), taken_at__gte=OuterRef("sent_at")
    )
    unanswered = (
        Checkin.objects.filter(
            kind=Checkin.Kind.CHECKIN,
            state=Checkin.State.SENT,
            sent_at__lte=now - REMINDER_AFTER,
            sent_at__gt=now - LINK_MAX_AGE + REMINDER_AFTER,  # its link still has weeks left
            user__checkins_paused=False,
        )
        .filter(~Exists(reminded), ~Exists(answered))
        .values_list("user_id", "period", "snapshot_id")
    )
    rows = [
        Checkin(
            user_id=user_id,
            period=period,
            kind=Checkin.Kind.REMINDER,
            next_attempt_at=now,
            snapshot_id=snapshot_id,
        )
        for user_id, period, snapshot_id in unanswered
    ]
    Checkin.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# --- Sending (through the one outbox, ``ladder.outbox``) ------------------------------


def _build(checkin: Checkin, now: datetime) -> EmailMessage:
    """The check-in (or reminder) email, unless there is no longer anyone to send it
    to or anything to ask."""
    user = checkin.user
    if user.checkins_paused or not user.is_active:
        raise Skip("Check-ins are paused.")
    if not EmailAddress.objects.filter(user=user, verified=True, primary=True).exists():
        raise Skip("No verified email address.")
    if checkin.snapshot is None:
        raise Skip("No completed audit to check in on.")
    if checkin.kind == Checkin.Kind.REMINDER and _answered(checkin):
        raise Skip("Already answered.")
    return build_message(checkin, now=now)


# Claiming, sending, retrying and recovering each email: CHECKINS.ready, .deliver, ...
CHECKINS = Mailbag(
    "Check-in", Checkin, _build, related=("user", "snapshot"), give_up_after=GIVE_UP_AFTER
)


def _answered(checkin: Checkin) -> bool:
    first = (
        Checkin.objects.filter(
            user_id=checkin.user_id, period=checkin.period, kind=Checkin.Kind.CHECKIN
        )
        .values_list("sent_at", flat=True)
        .first()
    )
    since = first or checkin.created_at
    return RungSnapshot.objects.filter(owner_id=checkin.user_id, taken_at__gte=since).exists()


# --- The sweep -----------------------------------------------------------------------


@dataclass
class SweepReport:
    claimed: int = 0
    reminders: int = 0
    outcomes: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(Outcome, 0))
    skipped_at_claim: int = 0

    def add(self, outcome: Outcome) -> None:
        self.outcomes[outcome] += 1

    def __str__(self) -> str:
        o = self.outcomes
        return (
            f"Sent {o[Outcome.SENT]}, failed {o[Outcome.FAILED]}, "
            f"skipped {o[Outcome.SKIPPED] + self.skipped_at_claim}, "
            f"to retry {o[Outcome.RETRY]}, queued {o[Outcome.QUEUED]} "
            f"({self.claimed} check-ins and {self.reminders} reminders claimed)."
        )


def sweep(
    *, now: datetime | None = None, send: Callable[[Iterable[int]], Iterable[Outcome]]
) -> SweepReport:
    """One sweep: claim who is due (check-ins and reminders), then hand every email
    that is ready to ``send``, which yields an outcome per email."""
    now = now or timezone.now()
    report = SweepReport()
    report.claimed, report.skipped_at_claim = claim_due(now)
    report.reminders = claim_reminders(now)
    for outcome in send(CHECKINS.ready(now)):
        report.add(outcome)
    heartbeat_record(now=timezone.now())
    return report


SWEEP_HEARTBEAT = "checkin-sweep"


def heartbeat_record(*, now: datetime) -> None:
    """The sweep has run: /healthz reads this, and HEARTBEAT_URL hears it."""
    Heartbeat.objects.bulk_create(  # one upsert, whether or not the row exists yet
        [Heartbeat(name=SWEEP_HEARTBEAT, beat_at=now)],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["beat_at"],
    )
    heartbeat.ping(settings.HEARTBEAT_URL)


def send_inline(ids: Iterable[int]) -> Iterable[Outcome]:
    """Send each email now over one SMTP connection (``manage.py send_checkins``)."""
    return CHECKINS.send_inline(ids)
