"""Celery tasks: thin wrappers that call one plain function."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from assessments.audits import services
from assessments.checkins import services as checkins
from assessments.coaching import services as coaching
from ladder.outbox import Mailbag, Outcome

log = logging.getLogger(__name__)


@shared_task
def purge_unclaimed_audits() -> int:
    """Delete visitors' audits nobody claimed within 30 days."""
    return services.audits_purge_unclaimed()


# Every kind of background email, by its table's label (what a task carries).
MAILBAGS: dict[str, Mailbag] = {
    bag.kind: bag
    for bag in (checkins.CHECKINS, coaching.NOTE_EMAILS, coaching.DIGESTS, coaching.INVITATIONS)
}


@shared_task(acks_late=True)
def send_email(kind: str, pk: int) -> str:
    """Send one background email. A temporary SMTP failure schedules the next attempt
    (the row keeps its ``next_attempt_at``, so a sweep is the safety net if this
    message is lost)."""
    delivery = MAILBAGS[kind].deliver(pk, queued=True)
    if delivery.retry_in is not None:
        _enqueue(kind, pk, countdown=delivery.retry_in)
    return delivery.outcome.value


@shared_task(acks_late=True)
def send_checkin(checkin_id: int) -> str:
    """Send one check-in email (the task name tasks queued before send_email use)."""
    return str(send_email(checkins.CHECKINS.kind, checkin_id))


@shared_task
def sweep_checkins() -> str:
    """Beat, every 15 minutes: claim who is due and queue one task per email; then
    queue any other background email that is ready (a lost task's, a retry's)."""
    report = checkins.sweep(send=lambda ids: _queue_all(checkins.CHECKINS, ids))
    others = sum(_queue_ready(bag) for bag in MAILBAGS.values() if bag is not checkins.CHECKINS)
    return f"{report} Other email queued: {others}."


def _queue_ready(bag: Mailbag) -> int:
    """Queue every row of ``bag`` that is ready now; how many were queued."""
    return sum(1 for _ in _queue_all(bag, bag.ready(timezone.now())))


def _queue_all(bag: Mailbag, ids: Iterable[int]) -> Iterator[Outcome]:
    for pk in ids:
        if not _enqueue(bag.kind, pk):
            return  # the broker is away: the rows stay pending for the next sweep
        # Queued: the next sweeps leave it to its task, unless it is lost for 15 minutes.
        bag.mark_queued(pk)
        yield Outcome.QUEUED


def _enqueue(kind: str, pk: int, countdown: float | None = None) -> bool:
    """Hand one email to a worker. Claims are committed before this runs (each batch
    is its own transaction), so the worker always finds the row."""
    assert not transaction.get_connection().in_atomic_block, "enqueue after commit"
    try:
        if countdown is None:
            send_email.apply_async((kind, pk))
        else:
            send_email.apply_async((kind, pk), countdown=countdown)
    except OperationalError as error:
        log.warning("Could not queue %s %s: %s", kind, pk, error)
        return False
    return True


@shared_task
def notify_clients_of_comments() -> int:
    """Every 15 minutes: close the batches of coach notes that are ready (one email
    per client per batch) and queue their emails. Returns how many were queued."""
    coaching.claim_note_batches(now=timezone.now())
    return _queue_ready(coaching.NOTE_EMAILS)


@shared_task
def send_coach_digests() -> int:
    """Hourly: write the weekly digest of each coach whose Monday morning has come,
    and queue it. Returns how many were queued."""
    coaching.claim_digests(now=timezone.now())
    return _queue_ready(coaching.DIGESTS)
