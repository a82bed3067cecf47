"""One way to send email in the background, whatever the email.

Each kind of background email has a table of rows built on ``Outbox`` (a check-in,
a batch of coach notes, a weekly digest, an invitation) and a ``Mailbag`` that says
how to turn one row into a message. Everything else is the same for all of them:

- A row is claimed with a conditional update (pending → sending) before it is sent,
  so a task delivered twice, or two overlapping sweeps, send it once. A row left
  "sending" by a killed worker is taken over after ``STUCK_AFTER``; only the email in
  flight at the kill can go out twice.
- A temporary failure (a connection refused, a 4xx, a timeout) puts the row back to
  pending with a later ``next_attempt_at``: exponential backoff from a minute,
  capped at an hour, with jitter so a recovering server isn't hit all at once.
- A permanent refusal (a 5xx for the recipient or for the message) fails the row at
  once; so does running out of time (``give_up_after`` from the row's creation).
  Nothing is retried forever, and every state, attempt count and last error is
  visible in admin.
- After the mail server accepted a message, its "sent" is written even through a
  database blip (retried on a fresh connection for ``RECORD_FOR``). Only a sender that
  dies, or a database away for longer, in that moment leaves a delivered row
  "sending", to go again after ``STUCK_AFTER``: delivery is at least once. Each row has
  one Message-ID however often it is sent, so a repeat is recognisable.
- Sweeps only look at the database, so a lost task or a broker that was down is
  caught up by the next sweep.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import random
import smtplib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.db import InterfaceError, OperationalError, connection, models
from django.db.models import F, Q
from django.utils import timezone

log = logging.getLogger(__name__)

STUCK_AFTER = timedelta(minutes=15)
RECORD_FOR = timedelta(seconds=30)  # how long a sent email's status write is retried
GIVE_UP_AFTER = timedelta(days=2)  # temporary failures are retried this long
BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 3600


class State(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class Outbox(models.Model):
    """What every background email row records about its delivery."""

    State = State

    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField("sending since", null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Skip(Exception):
    """Raised by a Mailbag's ``build``: nothing to send, and why (kept on the row)."""


class Outcome(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"
    NOTHING = "nothing"  # another worker has it, or it's already done
    QUEUED = "queued"  # handed to a Celery task


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    retry_in: float | None = None


def backoff_seconds(attempt: int) -> float:
    """Wait before attempt ``attempt + 1``: doubling from a minute, capped at an
    hour, with ±50% jitter."""
    base = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS << max(0, attempt - 1))
    jitter: float = random.uniform(0.5, 1.5)  # noqa: S311 - jitter, not a secret
    return base * jitter


def is_permanent(error: Exception) -> bool:
    """A 5xx for the recipient (at RCPT) or for the message (at DATA) is final: the
    server said this email will not be delivered. A 4xx at any stage is the moment,
    and so are a refused connection or a timeout; a 5xx for our sender address or our
    log-in is our configuration, which an administrator can fix. Those are retried
    until the row's time is up."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, smtplib.SMTPDataError):
        return 500 <= error.smtp_code < 600
    return False


def message_id(row: Outbox) -> str:
    """The row's own Message-ID: the same every time it is sent."""
    domain = urlsplit(settings.SITE_URL).hostname
    stamp = int(row.created_at.timestamp())
    return f"<{row._meta.label_lower}.{row.pk}.{stamp}@{domain or 'ladder.localhost'}>"


def _with_retries(write: Callable[[], None], *, within: timedelta = RECORD_FOR) -> None:
    """Run a status write, reconnecting through a database blip (a restart, a dropped
    connection) for at most ``within``; then let the error out."""
    deadline = time.monotonic() + within.total_seconds()
    wait = 0.25
    while True:
        try:
            write()
            return
        except (OperationalError, InterfaceError):
            if time.monotonic() + wait > deadline:
                raise
            log.warning("Database unavailable recording a sent email; retrying")
            connection.close()  # the next query opens a fresh connection
            time.sleep(wait)
            wait = min(wait * 2, 5.0)


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:300]


def close_quietly(mailer: BaseEmailBackend) -> None:
    """Drop a broken SMTP connection so the next message opens a fresh one."""
    with contextlib.suppress(smtplib.SMTPException, OSError):
        mailer.close()
    if hasattr(mailer, "connection"):
        mailer.connection = None


@dataclass(frozen=True)
class Mailbag:
    """One kind of background email: its table, and how a row becomes a message.

    ``build(row, now)`` returns the message, or raises ``Skip`` when there is nothing
    to send (the row is then marked skipped with the reason). ``related`` is passed to
    ``select_related`` when the row is read for sending."""

    name: str
    model: type[Outbox]
    build: Callable[[Any, datetime], EmailMessage]
    related: tuple[str, ...] = ()
    give_up_after: timedelta = GIVE_UP_AFTER

    @property
    def kind(self) -> str:
        """The table's label ("assessments.checkin"): what a Celery task carries."""
        return str(self.model._meta.label_lower)

    def rows(self) -> models.QuerySet[Any]:
        return self.model._default_manager.all()

    def ready(self, now: datetime) -> list[int]:
        """Rows to send now: pending and due, or stuck "sending" (a killed worker). A
        row that has kept a sender dying for its whole time is given up on instead."""
        self.rows().filter(
            state=State.SENDING,
            claimed_at__lte=now - STUCK_AFTER,
            created_at__lte=now - self.give_up_after,
        ).update(state=State.FAILED, claimed_at=None, last_error="The sender kept stopping.")
        return list(
            self.rows()
            .filter(
                Q(state=State.PENDING, next_attempt_at__lte=now)
                | Q(state=State.SENDING, claimed_at__lte=now - STUCK_AFTER)
            )
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)
        )

    def mark_queued(self, pk: int) -> None:
        """A Celery task has the row: sweeps don't queue it again for STUCK_AFTER."""
        self.rows().filter(pk=pk, state=State.PENDING).update(
            next_attempt_at=timezone.now() + STUCK_AFTER
        )

    def _claim(self, pk: int, now: datetime, *, queued: bool) -> bool:
        """pending → sending (or take over a row stuck in sending). A queued task may
        run before the row's ``next_attempt_at`` (that time only keeps sweeps from
        queueing it again)."""
        pending = Q(state=State.PENDING)
        if not queued:
            pending &= Q(next_attempt_at__lte=now)
        return bool(
            self.rows()
            .filter(pk=pk)
            .filter(pending | Q(state=State.SENDING, claimed_at__lte=now - STUCK_AFTER))
            .update(state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1)
        )

    def finish(self, pk: int, claimed: datetime, state: State, **fields: Any) -> None:
        """Record the outcome, only if this sender still holds the claim (a sender
        that stalled past STUCK_AFTER may have been replaced)."""
        self.rows().filter(pk=pk, state=State.SENDING, claimed_at=claimed).update(
            state=state, claimed_at=None, **fields
        )

    def deliver(
        self,
        pk: int,
        *,
        now: datetime | None = None,
        mailer: BaseEmailBackend | None = None,
        queued: bool = False,
    ) -> Delivery:
        """Send one row's email, at most once however often it's called."""
        now = now or timezone.now()
        if not self._claim(pk, now, queued=queued):
            return Delivery(Outcome.NOTHING)
        row = self.rows().select_related(*self.related).get(pk=pk)
        mailer = mailer or mailers.default
        try:
            message = self.build(row, now)
            message.extra_headers.setdefault("Message-ID", message_id(row))
            mailer.send_messages([message])
        except Skip as reason:
            self.finish(pk, now, State.SKIPPED, last_error=str(reason)[:300])
            return Delivery(Outcome.SKIPPED)
        except (smtplib.SMTPException, OSError) as error:
            close_quietly(mailer)
            if is_permanent(error) or now - row.created_at >= self.give_up_after:
                log.warning("%s %s failed for good: %s", self.name, pk, error)
                self.finish(pk, now, State.FAILED, last_error=describe(error))
                return Delivery(Outcome.FAILED)
            wait = backoff_seconds(row.attempts)
            self.finish(
                pk,
                now,
                State.PENDING,
                last_error=describe(error),
                next_attempt_at=now + timedelta(seconds=wait),
            )
            return Delivery(Outcome.RETRY, retry_in=wait)
        except Exception as error:  # a bug in one email must not stop everyone else's
            log.exception("%s %s could not be built or sent", self.name, pk)
            self.finish(pk, now, State.FAILED, last_error=describe(error))
            return Delivery(Outcome.FAILED)
        # Delivered: from here a lost status write would send the email again.
        _with_retries(lambda: self.finish(pk, now, State.SENT, sent_at=now, last_error=""))
        return Delivery(Outcome.SENT)

    def send_inline(self, ids: Iterable[int]) -> Iterator[Outcome]:
        """Send each row now over one SMTP connection (no Celery). Each is claimed at
        the moment it is sent, not when the run began: a long run's late rows must not
        look stuck (claimed over STUCK_AFTER ago) to a sweep running beside it."""
        mailer = mailers.default
        try:
            for pk in ids:
                # Keep one connection open across emails (send_messages would otherwise
                # open and close one per email); a failed connect surfaces in deliver.
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    mailer.open()
                yield self.deliver(pk, mailer=mailer).outcome
        finally:
            close_quietly(mailer)

    def send_ready(self, *, now: datetime | None = None) -> Counter[Outcome]:
        """Send every row ready at ``now`` in line; the outcomes counted."""
        return Counter(self.send_inline(self.ready(now or timezone.now())))
