"""No check-in sent twice, none lost: overlapping sweeps, a killed sender, a Celery
worker on Redis, and Redis going away. Real PostgreSQL, Redis and SMTP (CI sets
LADDER_REQUIRE_SERVICES=1, so these run there; elsewhere they skip without the
services)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.db import connection, connections
from django.utils import timezone

from accounts.models import User
from accounts.services import user_delete
from assessments import tasks
from assessments.checkins import services as checkins
from assessments.demo import synthetic as demo
from assessments.models import Checkin
from ladder.outbox import Outcome
from tests.smtp import SmtpSink

REQUIRED = os.environ.get("LADDER_REQUIRE_SERVICES") == "1"
ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgresql(reference_data: None) -> None:
    if connection.vendor != "postgresql":
        if REQUIRED:
            pytest.fail("CI must run these on PostgreSQL")
        pytest.skip("needs PostgreSQL: concurrent sweeps on SQLite only take turns")


def due_people(count: int) -> list[str]:
    demo.seed_synthetic(count, password_hash=make_password(None))
    demo.make_due(count)
    return [demo.synthetic_email(i) for i in range(1, count + 1)]


def test_two_sweeps_at_the_same_moment_send_each_email_once(
    postgresql: None, smtp_sink: SmtpSink
) -> None:
    emails = due_people(500)
    start = threading.Barrier(2)
    reports: list[checkins.SweepReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            reports.append(checkins.sweep(send=checkins.send_inline))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert len(smtp_sink.messages) == 500
    assert set(smtp_sink.recipients()) == set(emails)
    assert set(smtp_sink.recipients().values()) == {1}
    # Between them the two sweeps claimed every person once.
    assert sum(r.claimed for r in reports) == 500
    assert sum(r.outcomes[Outcome.SENT] for r in reports) == 500
    assert Checkin.objects.filter(state="sent").count() == 500
    third = checkins.sweep(send=checkins.send_inline)
    assert third.claimed == 0
    assert third.outcomes[Outcome.SENT] == 0
    assert len(smtp_sink.messages) == 500


def test_a_sender_killed_mid_send_leaves_nothing_stuck(
    postgresql: None, smtp_sink: SmtpSink
) -> None:
    emails = due_people(40)
    smtp_sink.delay = 0.15  # slow enough to be caught in the middle
    settings = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        ),
        "EMAIL_URL": smtp_sink.url,
    }
    sender = subprocess.Popen(
        [sys.executable, "manage.py", "send_checkins"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    smtp_sink.wait_for_count(8, timeout=60)
    sender.send_signal(signal.SIGKILL)
    sender.wait(timeout=10)
    time.sleep(0.5)  # let the sink finish a message that was already on the wire
    delivered_before = len(smtp_sink.messages)
    assert 8 <= delivered_before < 40, "the sender must die mid-way for this test to mean much"
    in_flight = Checkin.objects.filter(state="sending").count()
    assert in_flight <= 1  # one email at a time per sender
    smtp_sink.delay = 0
    # Before 15 minutes nothing stuck is touched; the unclaimed rest go out at once.
    checkins.sweep(send=checkins.send_inline)
    assert Checkin.objects.filter(state="sending").count() == in_flight
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=5), tick=False):
        checkins.sweep(send=checkins.send_inline)
    assert Checkin.objects.exclude(state="sent").count() == 0
    received = smtp_sink.recipients()
    assert set(received) == set(emails)  # nobody lost
    duplicates = sum(received.values()) - len(emails)
    assert duplicates <= in_flight  # at most the email in flight at the kill


def test_accounts_deleted_during_a_sweep_are_deleted_and_skipped(
    postgresql: None, smtp_sink: SmtpSink
) -> None:
    """People delete their accounts while the sweep claims and sends: every deletion
    succeeds (no deadlock), and nobody deleted gets an email afterwards."""
    count, leaving = 300, 40
    emails = due_people(count)
    doomed = list(User.objects.filter(email__in=emails[::7][:leaving]).order_by("?"))
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    deleted_at: dict[str, float] = {}

    def sweep() -> None:
        try:
            start.wait()
            checkins.sweep(send=checkins.send_inline)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    def delete() -> None:
        try:
            start.wait()
            for person in doomed:
                user_delete(user=person)
                deleted_at[person.email] = time.monotonic()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep), threading.Thread(target=delete)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert not User.objects.filter(pk__in=[p.pk for p in doomed]).exists()
    assert set(deleted_at) == {p.email for p in doomed}
    checkins.sweep(send=checkins.send_inline)  # whatever was left
    received = smtp_sink.recipients()
    kept = set(emails) - set(deleted_at)
    assert kept <= set(received)  # everyone who stayed got theirs
    assert set(received.values()) == {1}


def test_a_database_blip_just_after_the_send_still_records_it_as_sent(
    postgresql: None, smtp_sink: SmtpSink
) -> None:
    """The worst moment: the mail server has the email, "sent" is not yet written, and
    the sender's database connection is cut (as a PostgreSQL restart cuts it). The
    status write is retried on a fresh connection, so nothing goes out twice."""
    emails = due_people(5)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [sender_pid] = cursor.fetchone()
    admin = psycopg.connect(_dsn(), autocommit=True)
    cut: list[int] = []

    def drop_the_senders_connection(message: object) -> None:
        if not cut:  # the first email only, once it is accepted
            admin.execute("SELECT pg_terminate_backend(%s)", [sender_pid])
            cut.append(sender_pid)

    smtp_sink.on_accept = drop_the_senders_connection
    try:
        report = checkins.sweep(send=checkins.send_inline)
    finally:
        admin.close()
    assert cut == [sender_pid]
    assert report.outcomes[Outcome.SENT] == 5
    assert Checkin.objects.exclude(state="sent").count() == 0
    # A sweep after the stuck-row window finds nothing to send again.
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        checkins.sweep(send=checkins.send_inline)
    assert smtp_sink.recipients() == dict.fromkeys(emails, 1)
    # Each email keeps its own Message-ID, so a resend would be recognisable.
    ids = [str(m["Message-ID"]) for m in smtp_sink.messages]
    assert len(set(ids)) == 5
    assert all(i.startswith("<assessments.checkin.") for i in ids)


def _dsn() -> str:
    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.fixture
def celery_worker(postgresql: None) -> Iterator[None]:
    """A real Celery worker (in a thread) taking tasks from Redis."""
    from celery.contrib.testing.worker import start_worker

    from ladder.celery import app

    if not os.environ.get("REDIS_URL"):
        if REQUIRED:
            pytest.fail("REDIS_URL must be set in CI")
        pytest.skip("needs Redis as the Celery broker")
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield
    connections.close_all()


def _broker(url: str) -> None:
    """Point the Celery app's producers at ``url`` (dropping pooled connections)."""
    from ladder.celery import app

    app.conf["broker_url"] = url
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]


def test_beat_sweep_through_a_real_worker_on_redis(
    celery_worker: None, smtp_sink: SmtpSink
) -> None:
    emails = due_people(20)
    tasks.sweep_checkins.delay()
    smtp_sink.wait_for_count(20, timeout=60)
    deadline = time.monotonic() + 30
    while Checkin.objects.exclude(state="sent").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert set(smtp_sink.recipients()) == set(emails)
    assert set(smtp_sink.recipients().values()) == {1}
    assert Checkin.objects.filter(state="sent").count() == 20


def test_with_redis_down_the_sweep_keeps_its_rows_and_sends_them_when_it_is_back(
    celery_worker: None, smtp_sink: SmtpSink
) -> None:
    from ladder.celery import app

    emails = due_people(10)
    working = app.conf.broker_url
    _broker("redis://127.0.0.1:1/0")  # nothing listens there: Redis is "down"
    try:
        outcome = tasks.sweep_checkins()  # what beat would have triggered
    finally:
        _broker(working)
    assert "queued 0" in outcome
    assert Checkin.objects.filter(state="pending").count() == 10
    assert smtp_sink.messages == []
    # Redis is back: the next beat sweep hands them to the worker.
    tasks.sweep_checkins.delay()
    smtp_sink.wait_for_count(10, timeout=60)
    deadline = time.monotonic() + 30
    while Checkin.objects.exclude(state="sent").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert set(smtp_sink.recipients()) == set(emails)
    assert set(smtp_sink.recipients().values()) == {1}
    assert not User.objects.filter(email__in=emails, next_checkin_at__lte=timezone.now()).exists()
