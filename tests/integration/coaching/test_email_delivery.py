"""The coaching emails through the one outbox (``ladder.outbox``), against a real SMTP
server that goes down, refuses addresses and comes back: coach-note emails, weekly
digests and invitations retry with backoff, fail at once on a permanent refusal, give
up after two days, and say so to the person and in admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import CoachLink, User
from assessments.coaching import services as coaching
from assessments.models import CoachDigest, Comment, InvitationEmail, NoteEmail
from ladder.outbox import GIVE_UP_AFTER, STUCK_AFTER, State
from tests.factories import audit_at, linked, make_person
from tests.smtp import SmtpSink, text_of

pytestmark = pytest.mark.django_db

SWEEP = timedelta(minutes=15)  # how often beat sweeps


def logged_in(person: User) -> Client:
    browser = Client()
    browser.force_login(person)
    return browser


def invite(browser: Client, email: str) -> str:
    """The coach's invite form; the page it lands on, with its message."""
    response = browser.post(reverse("coach:invite_client"), {"email": email}, follow=True)
    assert response.status_code == 200
    return response.text


def test_a_coach_note_email_in_a_lasting_outage_is_retried_with_backoff_then_fails_visibly(
    coach: User, client_person: User, smtp_sink: SmtpSink
):
    audit = audit_at(client_person, "complete")
    link = linked(coach, client_person)
    start = timezone.now()
    coaching.comment(audit=audit, author=coach, link=link, new=coaching.NewComment("Try this."))
    smtp_sink.down()
    moment = start + timedelta(minutes=31)
    sweeps = 0
    while moment < start + GIVE_UP_AFTER + timedelta(hours=12):
        with time_machine.travel(moment, tick=False):
            coaching.notify_clients()
        moment += SWEEP
        sweeps += 1
    [row] = NoteEmail.objects.all()
    assert row.state == State.FAILED
    assert "ConnectionRefusedError" in row.last_error
    # Backoff, not every sweep: doubling from a minute up to an hour between tries.
    assert sweeps > 230
    assert 40 <= row.attempts <= 60
    # The note is in that email, and no new batch is made of it once SMTP is back.
    assert Comment.objects.get(body="Try this.").email == row
    smtp_sink.up()
    with time_machine.travel(moment + timedelta(hours=1), tick=False):
        assert coaching.notify_clients() == 0
    assert smtp_sink.messages == []
    assert NoteEmail.objects.count() == 1
    # An administrator sees why Ana got nothing.
    admin = make_person("admin@example.com", "Admin")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    page = logged_in(admin).get(reverse("admin:assessments_noteemail_changelist"))
    assert page.status_code == 200
    assert "ana@example.com" in page.text
    assert "Failed" in page.text
    assert "ConnectionRefusedError" in page.text


def test_a_coach_note_email_refused_for_good_is_not_retried(
    coach: User, client_person: User, smtp_sink: SmtpSink
):
    audit = audit_at(client_person, "complete")
    link = linked(coach, client_person)
    start = timezone.now()
    coaching.comment(audit=audit, author=coach, link=link, new=coaching.NewComment("Hello."))
    smtp_sink.reject.add("ana@example.com")
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert coaching.notify_clients() == 0
    [row] = NoteEmail.objects.all()
    assert (row.state, row.attempts) == (State.FAILED, 1)
    assert "550" in row.last_error
    smtp_sink.reject.clear()
    with time_machine.travel(start + timedelta(hours=5), tick=False):
        assert coaching.notify_clients() == 0
    assert smtp_sink.messages == []


def test_a_coach_note_email_greylisted_at_rcpt_is_kept_and_delivered_later(
    coach: User, client_person: User, smtp_sink: SmtpSink
):
    """A 451 when the recipient is named is "not now", not "never": nothing is lost."""
    audit = audit_at(client_person, "complete")
    link = linked(coach, client_person)
    start = timezone.now()
    coaching.comment(audit=audit, author=coach, link=link, new=coaching.NewComment("Try this."))
    smtp_sink.defer.add("ana@example.com")
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert coaching.notify_clients() == 0
    [row] = NoteEmail.objects.all()
    assert (row.state, row.attempts) == (State.PENDING, 1)
    assert "451" in row.last_error
    smtp_sink.defer.clear()
    with time_machine.travel(start + timedelta(minutes=31) + SWEEP, tick=False):
        call_command("send_checkins", stdout=StringIO())
    row.refresh_from_db()
    assert row.state == State.SENT
    assert "Try this." in text_of(smtp_sink.wait_for("ana@example.com"))


def test_a_coach_note_email_refused_at_data_fails_at_once_and_says_why(
    coach: User, client_person: User, smtp_sink: SmtpSink
):
    audit = audit_at(client_person, "complete")
    link = linked(coach, client_person)
    start = timezone.now()
    coaching.comment(audit=audit, author=coach, link=link, new=coaching.NewComment("Hello."))
    smtp_sink.data_reply = "550 5.7.1 Message refused as spam"
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        coaching.notify_clients()
    [row] = NoteEmail.objects.all()
    assert (row.state, row.attempts) == (State.FAILED, 1)
    assert "550" in row.last_error


def test_a_coach_note_email_left_sending_by_a_killed_process_goes_out_after_fifteen_minutes(
    coach: User, client_person: User, smtp_sink: SmtpSink
):
    audit = audit_at(client_person, "complete")
    link = linked(coach, client_person)
    start = timezone.now()
    coaching.comment(audit=audit, author=coach, link=link, new=coaching.NewComment("Still here."))
    moment = start + timedelta(minutes=31)
    with time_machine.travel(moment, tick=False):
        coaching.claim_note_batches(now=moment)  # the batch is closed into its email
    # The process claims the email and dies before it sends: the note stays with it.
    NoteEmail.objects.update(state=State.SENDING, claimed_at=moment, attempts=1)
    with time_machine.travel(moment + STUCK_AFTER - timedelta(seconds=1), tick=False):
        assert coaching.notify_clients() == 0
    with time_machine.travel(moment + STUCK_AFTER + timedelta(seconds=1), tick=False):
        assert coaching.notify_clients() == 1
    assert smtp_sink.recipients() == {"ana@example.com": 1}
    assert "Still here." in text_of(smtp_sink.messages[0])


def test_a_digest_greylisted_at_rcpt_is_retried_not_failed(
    coach: User, client_person: User, smtp_sink: SmtpSink
):
    linked(coach, client_person)
    monday_9 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    with time_machine.travel(monday_9 - timedelta(days=1)):
        audit_at(client_person, "complete")
    smtp_sink.defer.add("grace@example.com")
    with time_machine.travel(monday_9, tick=False):
        assert coaching.send_digests() == 0
    row = CoachDigest.objects.get()
    assert (row.state, row.attempts) == (State.PENDING, 1)
    smtp_sink.defer.clear()
    with time_machine.travel(monday_9 + SWEEP, tick=False):
        call_command("send_checkins", stdout=StringIO())
    row.refresh_from_db()
    assert row.state == State.SENT
    assert smtp_sink.recipients() == {"grace@example.com": 1}


def test_a_digest_meeting_a_hiccup_is_retried_within_minutes_not_next_hour(
    coach: User, client_person: User, smtp_sink: SmtpSink
):
    linked(coach, client_person)
    monday_9 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
    with time_machine.travel(monday_9 - timedelta(days=1)):
        audit_at(client_person, "complete")
    smtp_sink.down()
    with time_machine.travel(monday_9, tick=False):
        assert coaching.send_digests() == 0
    row = CoachDigest.objects.get()
    assert (row.state, row.attempts) == (State.PENDING, 1)
    assert timedelta(seconds=30) <= row.next_attempt_at - monday_9 <= timedelta(seconds=90)
    smtp_sink.up()
    with time_machine.travel(monday_9 + timedelta(minutes=2), tick=False):
        call_command("send_checkins", stdout=StringIO())
    row.refresh_from_db()
    assert row.state == State.SENT
    assert smtp_sink.recipients() == {"grace@example.com": 1}


def test_a_digest_left_sending_by_a_killed_worker_goes_out_after_fifteen_minutes(
    coach: User, client_person: User
):
    from django.core import mail

    linked(coach, client_person)
    monday_9 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    with time_machine.travel(monday_9 - timedelta(days=1)):
        audit_at(client_person, "complete")
    with time_machine.travel(monday_9, tick=False):
        coaching.claim_digests(now=monday_9)
        # The worker claims the row and dies before it sends.
        CoachDigest.objects.update(state=State.SENDING, claimed_at=monday_9, attempts=1)
        assert coaching.send_digests() == 0
    with time_machine.travel(monday_9 + STUCK_AFTER - timedelta(seconds=1), tick=False):
        assert coaching.send_digests() == 0
    with time_machine.travel(monday_9 + STUCK_AFTER + timedelta(seconds=1), tick=False):
        assert coaching.send_digests() == 1
    assert len(mail.outbox) == 1
    assert CoachDigest.objects.get().attempts == 2


def test_an_undeliverable_invitation_shows_on_the_dashboard_with_send_again(
    coach: User, smtp_sink: SmtpSink
):
    browser = logged_in(coach)
    smtp_sink.reject.add("typo@exmaple.com")
    page = invite(browser, "typo@exmaple.com")
    assert "can&#x27;t receive the invitation" in page
    link = CoachLink.objects.get(email="typo@exmaple.com")
    assert link.state == CoachLink.State.PENDING  # kept: the coach decides what to do
    dashboard = browser.get(reverse("coach:dashboard")).text
    assert "Email not delivered" in dashboard
    send_again = reverse("coach:send_again", args=[link.code])
    assert f'action="{send_again}"' in dashboard
    # The address was right after all (their server was misconfigured): send again.
    smtp_sink.reject.clear()
    page = browser.post(send_again, follow=True).text
    assert "Invitation sent to typo@exmaple.com." in page
    assert "Email not delivered" not in page
    message = smtp_sink.wait_for("typo@exmaple.com")
    assert "Grace Lindqvist" in text_of(message)
    assert [e.state for e in link.emails.order_by("created_at", "pk")] == [
        State.FAILED,
        State.SENT,
    ]
    # A delivered invitation isn't sent again by a second click.
    page = browser.post(send_again, follow=True).text
    assert "is on its way already" in page
    assert link.emails.count() == 2


def test_an_invitation_during_an_smtp_hiccup_is_kept_and_delivered_by_the_sweep(
    coach: User, smtp_sink: SmtpSink
):
    browser = logged_in(coach)
    smtp_sink.down()
    page = invite(browser, "new-client@example.com")
    assert "is saved, but its email hasn&#x27;t gone out yet" in page
    link = CoachLink.objects.get(email="new-client@example.com")
    assert link.state == CoachLink.State.PENDING  # not withdrawn, as it used to be
    [row] = link.emails.all()
    assert (row.state, row.attempts) == (State.PENDING, 1)
    assert "Not delivered yet" in browser.get(reverse("coach:dashboard")).text
    smtp_sink.up()
    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
        call_command("send_checkins", stdout=StringIO())
    row.refresh_from_db()
    assert row.state == State.SENT
    assert smtp_sink.recipients() == {"new-client@example.com": 1}
    dashboard = browser.get(reverse("coach:dashboard")).text
    assert "Not delivered yet" not in dashboard
    assert "new-client@example.com" in dashboard  # still waiting for an answer


def test_an_invitation_withdrawn_before_its_retry_is_not_sent(coach: User, smtp_sink: SmtpSink):
    browser = logged_in(coach)
    smtp_sink.down()
    invite(browser, "changed-my-mind@example.com")
    link = CoachLink.objects.get(email="changed-my-mind@example.com")
    browser.post(reverse("coach:withdraw", args=[link.code]))
    smtp_sink.up()
    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
        call_command("send_checkins", stdout=StringIO())
    assert smtp_sink.messages == []
    assert link.emails.get().state == State.SKIPPED


def test_sending_again_counts_toward_the_hourly_limit(coach: User):
    link = coaching.invite(
        inviter=coach, side=CoachLink.Side.COACH, email="someone@example.com", message=""
    )
    for _ in range(coaching.INVITES_PER_HOUR - 1):
        link.emails.update(state=State.FAILED)
        coaching.invitation_send_again(link)
    link.emails.update(state=State.FAILED)
    with pytest.raises(coaching.InviteProblem, match="10 invitations in the last hour"):
        coaching.invitation_send_again(link)
    assert InvitationEmail.objects.count() == coaching.INVITES_PER_HOUR


def test_a_long_inline_run_claims_each_email_when_it_sends_it(
    coach: User, client_person: User, settings
):
    """A sweep beside a slow run must not take the run's later rows for stuck ones."""
    other = make_person("lena@example.com", "Lena Novak")
    for person in (coach, other):
        linked(person, client_person)
    monday_9 = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    with time_machine.travel(monday_9 - timedelta(days=1)):
        audit_at(client_person, "complete")
    seen_as_stuck: list[bool] = []
    with time_machine.travel(monday_9, tick=False) as clock:

        class SlowMailer(locmem.EmailBackend):
            def send_messages(self, messages: Any) -> int:
                ready = coaching.DIGESTS.ready(timezone.now())  # a sweep, meanwhile
                sending = CoachDigest.objects.filter(state=State.SENDING)
                seen_as_stuck.append(sending.filter(pk__in=ready).exists())
                clock.shift(STUCK_AFTER + timedelta(minutes=1))  # this email took 16 min
                return super().send_messages(messages)

        settings.MAILERS = {"default": {"BACKEND": f"{__name__}.SLOW"}}
        globals()["SLOW"] = SlowMailer
        assert coaching.send_digests() == 2
    assert seen_as_stuck == [False, False]
    first, second = CoachDigest.objects.order_by("sent_at").values_list("sent_at", flat=True)
    assert first is not None
    assert second is not None
    assert second - first >= STUCK_AFTER


def test_an_expired_invitation_says_so_and_offers_no_send_again(coach: User, smtp_sink: SmtpSink):
    browser = logged_in(coach)
    smtp_sink.reject.add("late@example.com")
    invite(browser, "late@example.com")
    link = CoachLink.objects.get(email="late@example.com")
    CoachLink.objects.filter(pk=link.pk).update(
        created_at=timezone.now() - coaching.INVITATION_MAX_AGE - timedelta(minutes=1)
    )
    dashboard = browser.get(reverse("coach:dashboard")).text
    assert "Expired" in dashboard
    assert reverse("coach:send_again", args=[link.code]) not in dashboard
    assert reverse("coach:withdraw", args=[link.code]) in dashboard
