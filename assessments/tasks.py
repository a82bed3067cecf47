"""Celery tasks: thin wrappers that call one plain function."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from celery import shared_task
from django.db import transaction
from kombu.exceptions import OperationalError

from assessments.audits import services
from assessments.checkins import services as checkins
from assessments.coaching import services as coaching

log = logging.getLogger(__name__)


@shared_task
def purge_unclaimed_audits() -> int:
    """Delete visitors' audits nobody claimed within 30 days."""
    return services.audits_purge_unclaimed()


@shared_task(acks_late=True)
def send_checkin(checkin_id: int) -> str:
    """Send one check-in email. A temporary SMTP failure schedules the next attempt
    (the row keeps its ``next_attempt_at``, so the sweep is the safety net if this
    message is lost)."""
    delivery = checkins.deliver(checkin_id, queued=True)
    if delivery.retry_in is not None:
        _enqueue(checkin_id, countdown=delivery.retry_in)
    return delivery.outcome.value


@shared_task
def sweep_checkins() -> str:
    """Beat, every 15 minutes: claim who is due and queue one task per email."""
    return str(checkins.sweep(send=_queue_all))


def _queue_all(ids: Iterable[int]) -> Iterator[checkins.Outcome]:
    for checkin_id in ids:
        if not _enqueue(checkin_id):
            return  # the broker is away: the rows stay pending for the next sweep
        # Queued: the next sweeps leave it to its task, unless it is lost for 15 minutes.
        checkins.mark_queued(checkin_id)
        yield checkins.Outcome.QUEUED


def _enqueue(checkin_id: int, countdown: float | None = None) -> bool:
    """Hand one email to a worker. The sweep commits its claims before this runs
    (each batch is its own transaction), so the worker always finds the row."""
    assert not transaction.get_connection().in_atomic_block, "enqueue after commit"
    try:
        if countdown is None:
            send_checkin.apply_async((checkin_id,))
        else:
            send_checkin.apply_async((checkin_id,), countdown=countdown)
    except OperationalError as error:
        log.warning("Could not queue check-in %s: %s", checkin_id, error)
        return False
    return True


@shared_task
def notify_clients_of_comments() -> int:
    """Every 15 minutes: one email per client per batch of their coach's new notes."""
    return coaching.notify_clients()


@shared_task
def send_coach_digests() -> int:
    """Hourly: the weekly digest to each coach whose Monday morning has come."""
    return coaching.send_digests()
