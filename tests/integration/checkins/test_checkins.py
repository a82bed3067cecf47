"""Quarterly check-ins: the schedule, the sweep, the email, the link, the
reassessment and what changed. Real SMTP where delivery matters (``smtp_sink``)."""

from __future__ import annotations

import smtplib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import user_delete
from assessments.audits import services
from assessments.checkins import emails, links
from assessments.checkins import services as checkins
from assessments.models import Activity, Audit, Checkin, RungSnapshot
from ladder import outbox
from ladder.outbox import Outcome
from tests.factories import (
    audit_at,
    links_in,
    make_person,
    ordered,
    saved_plan,
    scores_form,
    step_url,
)
from tests.smtp import SmtpSink, html_of, text_of

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday; the audit is completed then
SCORES = [5, 4, 3, 2, 1]  # shares 20 each: rung 3.0, two activities at 4–5


def person_with_result(email: str = "ana@example.com", name: str = "Ana") -> tuple[User, Audit]:
    person = make_person(email, name)
    person.time_zone = "Europe/Berlin"
    person.save()
    with time_machine.travel(START, tick=False):
        audit = audit_at(person, "complete", scores=SCORES)
    person.refresh_from_db()
    return person, audit


def sweep() -> checkins.SweepReport:
    return checkins.sweep(send=checkins.send_inline)


def due(person: User) -> datetime:
    person.refresh_from_db()
    assert person.next_checkin_at is not None
    return person.next_checkin_at


# --- The schedule -------------------------------------------------------------------


def test_a_completed_audit_sets_the_check_in_a_quarter_later_at_nine_local_time():
    person, _ = person_with_result()
    when = due(person).astimezone(BERLIN)
    assert when.date() == date(2026, 3, 2) + timedelta(days=90)
    assert (when.hour, when.minute) == (9, 0)


def test_nothing_is_sent_before_the_check_in_is_due(smtp_sink: SmtpSink):
    person, _ = person_with_result()
    with time_machine.travel(due(person) - timedelta(minutes=1), tick=False):
        report = sweep()
    assert report.claimed == 0
    assert smtp_sink.messages == []


def test_a_due_check_in_is_sent_once_and_the_next_one_is_a_quarter_later(smtp_sink: SmtpSink):
    person, _ = person_with_result()
    first = due(person)
    with time_machine.travel(first + timedelta(minutes=3), tick=False):
        report = sweep()
        again = sweep()
    assert report.outcomes[Outcome.SENT] == 1
    assert again.claimed == 0
    assert again.outcomes[Outcome.SENT] == 0
    assert smtp_sink.recipients() == {"ana@example.com": 1}
    row = Checkin.objects.get(user=person)
    assert (row.state, row.attempts, row.kind) == ("sent", 1, "checkin")
    assert row.period == first.astimezone(BERLIN).date()
    assert due(person) - first == timedelta(days=90)


def test_a_missed_day_is_caught_up_by_the_next_sweep(smtp_sink: SmtpSink):
    person, _ = person_with_result()
    with time_machine.travel(due(person) + timedelta(days=2), tick=False):
        sweep()
    assert smtp_sink.recipients() == {"ana@example.com": 1}


# --- The email ----------------------------------------------------------------------


def test_the_email_reads_like_a_note_from_a_coach(smtp_sink: SmtpSink):
    person, audit = person_with_result()
    with time_machine.travel(due(person) + timedelta(minutes=1), tick=False):
        sweep()
    message = smtp_sink.wait_for("ana@example.com")
    assert message["Subject"] == "Ladder: Three months on: has your ladder moved?"
    text = text_of(message)
    assert text.startswith("Hi Ana,")
    assert "rung 3.0" in text
    high = [a.description for a in ordered(audit) if a.score and a.score >= 4]
    low = [a.description for a in ordered(audit) if a.score and a.score < 4]
    assert len(high) == 2
    for description in high:
        assert description in text
    for description in low:
        assert description not in text  # only the 4–5 activities get the question
    assert "has AI closed the gap?" in text
    assert "&amp;" not in text
    assert "&#" not in text
    # One check-in link, plus the settings and unsubscribe links; all absolute.
    links = links_in(text)
    assert len([link for link in links if "/check-in/" in link]) == 1  # one signed link
    assert all(link.startswith(settings.SITE_URL + "/") for link in links)
    assert any(link.endswith(reverse("assessments:checkin_settings")) for link in links)
    html = html_of(message)
    assert "Start my check-in" in html
    assert "Stop these emails" in html  # the check-in footer
    assert high[0] in html


def test_the_email_offers_one_click_unsubscribe(smtp_sink: SmtpSink, client: Client):
    person, _ = person_with_result()
    with time_machine.travel(due(person) + timedelta(minutes=1), tick=False):
        sweep()
    message = smtp_sink.wait_for("ana@example.com")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    target = str(message["List-Unsubscribe"]).strip("<>")
    # RFC 8058: the header as a plain value on one line, not folded into RFC 2047
    # encoded words, which mail providers don't read as a link.
    raw = smtp_sink.raw_of(message)
    assert f"\r\nList-Unsubscribe: <{target}>\r\n".encode() in raw, raw[:2000]
    path = target.split("://", 1)[1].split("/", 1)[1]
    # RFC 8058: the mail app POSTs, with no cookie and no form token.
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(f"/{path}", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.checkins_paused


def test_opening_the_unsubscribe_link_only_asks(client: Client):
    person, _ = person_with_result()
    url = reverse("assessments:unsubscribe", args=[links.unsubscribe_token(person)])
    response = client.get(url)
    assert response.status_code == 200
    assert "Stop check-in emails?" in response.text
    person.refresh_from_db()
    assert not person.checkins_paused


def test_a_forged_unsubscribe_link_changes_nothing(client: Client):
    person, _ = person_with_result()
    token = links.unsubscribe_token(person)
    response = client.post(reverse("assessments:unsubscribe", args=[token[:-2] + "xx"]))
    assert response.status_code == 404
    assert "This link doesn't work" in response.text
    person.refresh_from_db()
    assert not person.checkins_paused


def test_an_unsubscribe_link_works_for_a_year(client: Client):
    person, _ = person_with_result()
    with time_machine.travel(START, tick=False):
        token = links.unsubscribe_token(person)
    url = reverse("assessments:unsubscribe", args=[token])
    with time_machine.travel(START + timedelta(days=364), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(START + timedelta(days=400), tick=False):
        response = client.post(url)
    assert response.status_code == 410
    assert "This link is out of date" in response.text
    person.refresh_from_db()
    assert not person.checkins_paused


def test_turning_check_ins_back_on_retires_the_old_stop_links(client: Client):
    person, _ = person_with_result()
    old = reverse("assessments:unsubscribe", args=[links.unsubscribe_token(person)])
    assert client.post(old).status_code == 200  # one click: paused
    client.force_login(person)
    soon = (timezone.localdate() + timedelta(days=30)).isoformat()
    client.post(reverse("assessments:checkin_settings"), {"next_date": soon})
    person.refresh_from_db()
    assert not person.checkins_paused
    again = Client().post(old)  # the link in the old email no longer pauses them
    assert again.status_code == 410
    person.refresh_from_db()
    assert not person.checkins_paused
    new = reverse("assessments:unsubscribe", args=[links.unsubscribe_token(person)])
    assert Client().post(new).status_code == 200
    person.refresh_from_db()
    assert person.checkins_paused


def test_a_stop_link_sent_before_links_had_versions_still_works(client: Client):
    person, _ = person_with_result()
    token = signing.dumps(str(person.code), salt=links.UNSUBSCRIBE_SALT)
    assert client.post(reverse("assessments:unsubscribe", args=[token])).status_code == 200
    person.refresh_from_db()
    assert person.checkins_paused


# --- Who gets nothing ---------------------------------------------------------------


def test_paused_unsubscribed_deleted_and_unverified_people_get_nothing(smtp_sink: SmtpSink):
    paused, _ = person_with_result("paused@example.com")
    User.objects.filter(pk=paused.pk).update(checkins_paused=True)
    deleted, _ = person_with_result("gone@example.com")
    deleted_due = due(deleted)
    user_delete(user=deleted)
    unverified, _ = person_with_result("unverified@example.com")
    EmailAddress.objects.filter(user=unverified).update(verified=False)
    fine, _ = person_with_result("fine@example.com")
    with time_machine.travel(max(deleted_due, due(fine)) + timedelta(minutes=1), tick=False):
        report = sweep()
    assert smtp_sink.recipients() == {"fine@example.com": 1}
    assert not Checkin.objects.filter(user=paused).exists()
    skipped = Checkin.objects.get(user=unverified)
    assert skipped.state == "skipped"
    assert "verified" in skipped.last_error
    assert report.skipped_at_claim == 1


def test_pausing_after_the_claim_still_stops_the_email(smtp_sink: SmtpSink):
    person, _ = person_with_result()
    with time_machine.travel(due(person) + timedelta(minutes=1), tick=False):
        checkins.claim_due(timezone.now())
        User.objects.filter(pk=person.pk).update(checkins_paused=True)
        outcomes = list(checkins.send_inline(checkins.CHECKINS.ready(timezone.now())))
    assert outcomes == [Outcome.SKIPPED]
    assert smtp_sink.messages == []


# --- The reminder -------------------------------------------------------------------


def test_one_reminder_a_week_later_if_unanswered(smtp_sink: SmtpSink):
    person, _ = person_with_result()
    sent_at = due(person) + timedelta(minutes=1)
    with time_machine.travel(sent_at, tick=False):
        sweep()
    with time_machine.travel(sent_at + timedelta(days=6), tick=False):
        sweep()
    assert len(smtp_sink.messages) == 1
    with time_machine.travel(sent_at + timedelta(days=7, minutes=15), tick=False):
        sweep()
    with time_machine.travel(sent_at + timedelta(days=14), tick=False):
        sweep()
    assert len(smtp_sink.messages) == 2
    reminder = smtp_sink.wait_for("ana@example.com", 2)
    assert "still open" in reminder["Subject"]
    assert "this is the only reminder" in text_of(reminder)
    kinds = sorted(Checkin.objects.filter(user=person).values_list("kind", "state"))
    assert kinds == [("checkin", "sent"), ("reminder", "sent")]


def test_no_reminder_once_the_check_in_is_done(smtp_sink: SmtpSink):
    person, audit = person_with_result()
    sent_at = due(person) + timedelta(minutes=1)
    with time_machine.travel(sent_at, tick=False):
        sweep()
    with time_machine.travel(sent_at + timedelta(days=2), tick=False):
        again = services.reassessment_start(owner=person, previous=audit)
        finish(again)
    with time_machine.travel(sent_at + timedelta(days=8), tick=False):
        sweep()
    assert len(smtp_sink.messages) == 1


def finish(audit: Audit, scores: list[int] | None = None) -> RungSnapshot:
    audit.refresh_from_db()
    rows = ordered(audit)
    return services.audit_save_scores(
        audit=audit,
        expected_version=audit.version,
        scores={a.pk: (s, None) for a, s in zip(rows, scores or SCORES, strict=True)},
    )


# --- SMTP failures ------------------------------------------------------------------


def test_smtp_down_is_retried_with_backoff_then_delivered_exactly_once(smtp_sink: SmtpSink):
    person, _ = person_with_result()
    smtp_sink.down()  # connection refused from now on
    moment = due(person) + timedelta(minutes=1)
    with time_machine.travel(moment, tick=False):
        report = sweep()
    assert report.outcomes[Outcome.RETRY] == 1
    row = Checkin.objects.get(user=person)
    assert row.state == "pending"
    assert row.attempts == 1
    assert "Refused" in row.last_error or "refused" in row.last_error
    wait = (row.next_attempt_at - moment).total_seconds()
    assert 30 <= wait <= 90  # a minute, with jitter
    with time_machine.travel(moment + timedelta(seconds=20), tick=False):
        assert sweep().outcomes[Outcome.RETRY] == 0  # not before its time
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1), tick=False):
        sweep()  # still down: the second attempt waits about twice as long
        row.refresh_from_db()
        assert row.attempts == 2
        assert 60 <= (row.next_attempt_at - timezone.now()).total_seconds() <= 180
    smtp_sink.up()
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1), tick=False):
        assert sweep().outcomes[Outcome.SENT] == 1
        assert sweep().outcomes[Outcome.SENT] == 0
    with time_machine.travel(row.next_attempt_at + timedelta(hours=5), tick=False):
        sweep()
    assert smtp_sink.recipients() == {"ana@example.com": 1}
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sent", 3, "")


def test_backoff_doubles_with_jitter_up_to_an_hour():
    for attempt, base in [(1, 60), (2, 120), (3, 240), (7, 3600), (12, 3600)]:
        waits = [outbox.backoff_seconds(attempt) for _ in range(200)]
        assert base * 0.5 <= min(waits) < max(waits) <= base * 1.5
        assert len(set(waits)) > 100  # jitter: not all at the same moment


def test_a_permanent_rejection_fails_at_once_and_is_never_retried(
    smtp_sink: SmtpSink, client: Client
):
    person, _ = person_with_result()
    smtp_sink.reject.add("ana@example.com")
    moment = due(person) + timedelta(minutes=1)
    with time_machine.travel(moment, tick=False):
        assert sweep().outcomes[Outcome.FAILED] == 1
    for days in (1, 3, 8):
        with time_machine.travel(moment + timedelta(days=days), tick=False):
            sweep()
    row = Checkin.objects.get(user=person, kind="checkin")
    assert (row.state, row.attempts) == ("failed", 1)
    assert "550" in row.last_error
    assert not Checkin.objects.filter(kind="reminder").exists()
    # Visible to the person.
    client.force_login(person)
    page = client.get(reverse("assessments:checkin_settings"))
    assert "Could not be delivered" in page.text
    assert "your mail server refused it" in page.text
    assert "550" not in page.text  # the raw SMTP answer stays in admin


def test_an_outage_of_a_day_loses_nothing_but_two_days_gives_up(smtp_sink: SmtpSink):
    first, _ = person_with_result()
    person_with_result("bo@example.com", "Bo")
    smtp_sink.down()
    start = due(first) + timedelta(minutes=1)
    moment = start
    while moment < start + timedelta(hours=30):  # a sweep every 15 minutes, SMTP down
        with time_machine.travel(moment, tick=False):
            sweep()
        moment += timedelta(minutes=15)
    rows = Checkin.objects.filter(kind="checkin")
    assert set(rows.values_list("state", flat=True)) == {"pending"}
    # The next try comes at most an hour and a half later (the hour's cap, +50% jitter).
    next_try = max(rows.values_list("next_attempt_at", flat=True))
    assert next_try <= moment + timedelta(minutes=90)
    smtp_sink.up()
    with time_machine.travel(next_try + timedelta(minutes=1), tick=False):
        sweep()
    assert smtp_sink.recipients() == {"ana@example.com": 1, "bo@example.com": 1}
    # Someone else whose SMTP stays down for more than two days: failed, visibly.
    third, _ = person_with_result("cy@example.com", "Cy")
    smtp_sink.down()
    moment = due(third) + timedelta(minutes=1)
    end = moment + timedelta(days=3)
    while moment < end:
        with time_machine.travel(moment, tick=False):
            sweep()
        moment += timedelta(hours=1)
    row = Checkin.objects.get(user=third)
    assert row.state == "failed"
    assert row.attempts > 10


def test_the_retry_schedule_is_the_one_the_readme_states(smtp_sink: SmtpSink):
    """The README: tried about 48 times over two days on the 15-minute sweep (43–53
    with the jitter), then failed; never again after that."""
    person, _ = person_with_result()
    smtp_sink.down()
    start = due(person) + timedelta(minutes=1)
    moment = start
    while moment < start + outbox.GIVE_UP_AFTER + timedelta(hours=6):
        with time_machine.travel(moment, tick=False):
            sweep()
        moment += timedelta(minutes=15)
    row = Checkin.objects.get(user=person, kind="checkin")
    assert row.state == "failed"
    assert 43 <= row.attempts <= 53, row.attempts
    assert row.sent_at is None


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPSenderRefused(553, b"sender not allowed", "hello@ladder"),
        smtplib.SMTPDataError(451, b"try again later"),
        smtplib.SMTPConnectError(554, b"go away"),
        smtplib.SMTPAuthenticationError(535, b"bad credentials"),
        smtplib.SMTPRecipientsRefused({"a@example.com": (450, b"try later")}),
        ConnectionRefusedError(),
    ],
    ids=["sender-553", "data-451", "connect-554", "auth-535", "recipient-450", "refused"],
)
def test_a_4xx_anywhere_and_our_own_configuration_are_retried(error: Exception):
    assert not outbox.is_permanent(error)


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no such user")}),
        smtplib.SMTPDataError(550, b"message refused"),
        smtplib.SMTPDataError(554, b"transaction failed"),
    ],
    ids=["recipient-550", "data-550", "data-554"],
)
def test_a_5xx_for_the_address_or_the_message_is_permanent(error: Exception):
    assert outbox.is_permanent(error)


def test_an_email_that_cannot_be_built_fails_alone(smtp_sink: SmtpSink, monkeypatch):
    broken, _ = person_with_result("broken@example.com", "Broken")
    fine, _ = person_with_result("fine@example.com", "Fine")
    real = emails.build_message

    def build(checkin: Checkin, *, now: datetime):
        if checkin.user.email == "broken@example.com":
            raise KeyError("a bug in one email's template")
        return real(checkin, now=now)

    monkeypatch.setattr(checkins, "build_message", build)
    with time_machine.travel(max(due(broken), due(fine)) + timedelta(minutes=1), tick=False):
        report = sweep()
        again = sweep()
    assert report.outcomes[Outcome.FAILED] == 1
    assert again.outcomes[Outcome.FAILED] == 0
    assert smtp_sink.recipients() == {"fine@example.com": 1}
    assert Checkin.objects.get(user=broken).state == "failed"


def test_a_row_stuck_sending_is_picked_up_after_fifteen_minutes(smtp_sink: SmtpSink):
    person, _ = person_with_result()
    moment = due(person) + timedelta(minutes=1)
    with time_machine.travel(moment, tick=False):
        checkins.claim_due(timezone.now())
        # A worker claimed it and died before sending.
        Checkin.objects.filter(user=person).update(
            state="sending", claimed_at=timezone.now(), attempts=1
        )
    with time_machine.travel(moment + timedelta(minutes=14), tick=False):
        sweep()
    assert smtp_sink.messages == []
    with time_machine.travel(moment + timedelta(minutes=15, seconds=1), tick=False):
        sweep()
    assert smtp_sink.recipients() == {"ana@example.com": 1}
    assert Checkin.objects.get(user=person).state == "sent"


def test_a_sweep_sends_over_one_smtp_connection(smtp_sink: SmtpSink):
    people = [person_with_result(f"p{i}@example.com")[0] for i in range(4)]
    with time_machine.travel(max(due(p) for p in people) + timedelta(minutes=1), tick=False):
        sweep()
    assert len(smtp_sink.messages) == 4
    assert smtp_sink.sessions == 1


def test_deliver_twice_sends_once(smtp_sink: SmtpSink):
    person, _ = person_with_result()
    with time_machine.travel(due(person) + timedelta(minutes=1), tick=False):
        checkins.claim_due(timezone.now())
        row = Checkin.objects.get(user=person)
        assert checkins.CHECKINS.deliver(row.pk).outcome == Outcome.SENT
        assert checkins.CHECKINS.deliver(row.pk).outcome == Outcome.NOTHING
    assert len(smtp_sink.messages) == 1


# --- The command, the demo, the queries ---------------------------------------------


def test_send_checkins_prints_what_it_did(smtp_sink: SmtpSink):
    person, _ = person_with_result()
    unverified, _ = person_with_result("unverified@example.com")
    EmailAddress.objects.filter(user=unverified).update(verified=False)
    out = StringIO()
    with time_machine.travel(due(person) + timedelta(minutes=1), tick=False):
        call_command("send_checkins", stdout=out)
    assert out.getvalue().startswith("Sent 1, failed 0, skipped 1, to retry 0")


def test_seed_demo_due_makes_synthetic_people_due(smtp_sink: SmtpSink, reference_data: None):
    call_command("seed_demo", "--users", "4", "--due", stdout=StringIO())
    out = StringIO()
    call_command("send_checkins", stdout=out)
    assert "Sent 4," in out.getvalue()
    synthetic = [a for a in smtp_sink.recipients() if a.startswith("person-")]
    assert len(synthetic) == 4


def test_queries_per_person_in_the_sweep_are_constant(smtp_sink: SmtpSink):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    checkins_made = []
    for count in (3, 9):
        people = [person_with_result(f"p{count}-{i}@example.com")[0] for i in range(count)]
        moment = max(due(p) for p in people) + timedelta(minutes=1)
        with time_machine.travel(moment, tick=False), CaptureQueriesContext(connection) as q:
            report = sweep()
        assert report.outcomes[Outcome.SENT] == count
        checkins_made.append(len(q))
        Checkin.objects.all().delete()
        User.objects.filter(pk__in=[p.pk for p in people]).delete()
    small, large = checkins_made
    per_person = (large - small) / 6
    assert per_person == 6  # claim the person; then claim the email, load, address, plan, done
    assert small - 3 * per_person <= 9  # a few per sweep (and its heartbeat), whatever its size


# --- The link in the email ----------------------------------------------------------


def sent_checkin(person: User) -> tuple[Checkin, str]:
    with time_machine.travel(due(person) + timedelta(minutes=1), tick=False):
        sweep()
    checkin = Checkin.objects.get(user=person, kind="checkin")
    return checkin, reverse("assessments:checkin", args=[links.link_token(checkin)])


def test_opening_the_link_changes_nothing_and_asks_to_log_in(client: Client, smtp_sink: SmtpSink):
    person, _ = person_with_result()
    _, url = sent_checkin(person)
    response = client.get(url)
    assert response.status_code == 200
    assert "Log in to start" in response.text
    assert f"{reverse('account_login')}?next={url.replace(':', '%3A')}" in response.text
    # A mail scanner following it, or posting the form, starts nothing.
    client.post(url)
    assert Audit.objects.filter(owner=person).count() == 1
    assert "_auth_user_id" not in client.session


def test_the_button_starts_a_reassessment_copied_from_last_quarter(
    client: Client, smtp_sink: SmtpSink
):
    person, audit = person_with_result()
    checkin, url = sent_checkin(person)
    client.force_login(person)
    page = client.get(url)
    assert page.status_code == 200
    assert "Start my check-in" in page.text
    assert Audit.objects.filter(owner=person).count() == 1  # a GET starts nothing
    response = client.post(url)
    draft = Audit.objects.get(owner=person, status="draft")
    assert response.status_code == 302
    assert response["Location"] == step_url(draft, "activities")
    assert draft.previous_id == audit.pk
    assert draft.reached == "scores"
    assert (draft.job_title, draft.occupation_id) == (audit.job_title, audit.occupation_id)
    copied = [(a.description, a.share, a.score, a.previous_score) for a in ordered(draft)]
    assert copied == [(a.description, a.share, a.score, a.score) for a in ordered(audit)]
    checkin.refresh_from_db()
    assert checkin.audit_id == draft.pk
    # Clicking again (double click, second tab, the link again) continues the same draft.
    assert client.post(url)["Location"] == step_url(draft, "activities")
    assert Audit.objects.filter(owner=person).count() == 2
    assert "Continue my check-in" in client.get(url).text


def test_an_expired_link_shows_a_clear_page_and_changes_nothing(
    client: Client, smtp_sink: SmtpSink
):
    person, _ = person_with_result()
    checkin, _ = sent_checkin(person)
    assert checkin.sent_at is not None
    with time_machine.travel(checkin.sent_at, tick=False):
        token = links.link_token(checkin)  # signed when the email went out
    url = reverse("assessments:checkin", args=[token])
    client.force_login(person)
    with time_machine.travel(checkin.sent_at + timedelta(days=30, minutes=1), tick=False):
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 410
            assert "This link has expired" in response.text
    assert Audit.objects.filter(owner=person).count() == 1


def test_a_link_within_thirty_days_still_works(client: Client, smtp_sink: SmtpSink):
    person, _ = person_with_result()
    checkin, url = sent_checkin(person)
    client.force_login(person)
    assert checkin.sent_at is not None
    with time_machine.travel(checkin.sent_at + timedelta(days=29), tick=False):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-3] + ("abc" if not token.endswith("abc") else "xyz"),
        lambda token: signing.dumps({"c": 10**9, "u": "x"}, salt=links.LINK_SALT),
        lambda token: "not-a-token",
    ],
    ids=["changed", "unknown-check-in", "garbage"],
)
def test_a_tampered_link_shows_a_clear_page_and_no_log_in(client: Client, tamper, smtp_sink):
    person, _ = person_with_result()
    checkin, _ = sent_checkin(person)
    url = reverse("assessments:checkin", args=[tamper(links.link_token(checkin))])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 404
        assert "This link doesn't work" in response.text
    assert "_auth_user_id" not in client.session
    assert Audit.objects.filter(owner=person).count() == 1


def test_a_used_link_cannot_start_another_check_in(client: Client, smtp_sink: SmtpSink):
    person, _ = person_with_result()
    _, url = sent_checkin(person)
    client.force_login(person)
    client.post(url)
    finish(Audit.objects.get(owner=person, status="draft"))
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 410
        assert "This check-in is done" in response.text
    assert Audit.objects.filter(owner=person).count() == 2


def test_someone_elses_link_shows_a_clear_page_and_starts_nothing(
    client: Client, smtp_sink: SmtpSink
):
    person, _ = person_with_result()
    other, _ = person_with_result("tom@example.com", "Tom")
    _, url = sent_checkin(person)
    client.force_login(other)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 404
        assert "This link is for another account" in response.text
    assert Audit.objects.filter(status="draft").count() == 0


# --- The reassessment ---------------------------------------------------------------


def reassessment(person: User, audit: Audit) -> Audit:
    with time_machine.travel(START + timedelta(days=91), tick=False):
        return services.reassessment_start(owner=person, previous=audit)


def test_the_scores_step_asks_has_ai_closed_the_gap_for_4_and_5_only(client: Client):
    person, audit = person_with_result()
    draft = reassessment(person, audit)
    client.force_login(person)
    page = client.get(step_url(draft, "scores")).text
    assert page.count("Has AI closed the gap?") == 2
    assert "Last quarter you scored this 5." in page
    assert "Last quarter you scored this 4." in page
    assert "Where do you follow what AI can do?" in page
    assert "Your quarterly check-in." in page


def test_a_gap_closed_answer_needs_a_lower_score_and_loses_nothing(client: Client):
    person, audit = person_with_result()
    draft = reassessment(person, audit)
    client.force_login(person)
    rows = ordered(draft)
    data = scores_form(draft, SCORES)
    data[f"gap_{rows[0].pk}"] = "yes"  # scored 5 last time, still 5
    data["ai_sources"] = "Import AI; the METR blog"
    response = client.post(step_url(draft, "scores"), data)
    assert response.status_code == 200
    assert "give it a lower score than last quarter" in response.text
    assert "Import AI; the METR blog" in response.text  # what was typed is kept
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_reassessment_result_shows_what_changed_since_last_quarter(client: Client):
    person, audit = person_with_result()
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        plan = saved_plan(audit)  # moves 30 points: 3, 2 and 1 each cut by half
    assert plan.moved_effort == 30
    draft = reassessment(person, audit)
    client.force_login(person)
    rows = ordered(draft)
    # Move 20 points from the score-1 and score-2 activities to the score-5 one.
    Activity.objects.filter(pk=rows[0].pk).update(share=40)
    Activity.objects.filter(pk=rows[3].pk).update(share=10)
    Activity.objects.filter(pk=rows[4].pk).update(share=10)
    data = scores_form(draft, [5, 3, 3, 2, 1])
    data[f"gap_{rows[0].pk}"] = "no"
    data[f"gap_{rows[1].pk}"] = "yes"  # 4 → 3: AI closed some of the gap
    data["ai_sources"] = "Import AI"
    with time_machine.travel(START + timedelta(days=92), tick=False):
        response = client.post(step_url(draft, "scores"), data)
        assert response.status_code == 302
        result = client.get(response["Location"])
    draft.refresh_from_db()
    assert not draft.is_draft
    assert draft.ai_sources == "Import AI"
    gaps = {a.description: a.gap_closed for a in ordered(draft)}
    assert gaps[rows[1].description] is True
    assert gaps[rows[0].description] is False
    snapshot = draft.snapshot
    # 40×5 + 20×3 + 20×3 + 10×2 + 10×1 = 350 → 3.5; last quarter 3.0
    assert snapshot.rung == Decimal("3.50")
    page = result.text
    assert "What changed since last quarter" in page
    assert "+0.5" in page  # the rung
    assert "−20 points" in page  # time at rungs 1–2: 40% → 20%
    assert "planned 30 points" in page
    assert "10 points short" in page
    assert rows[1].description in page.split("You said AI has closed some of the gap on")[1]
    frontier_before = RungSnapshot.objects.get(audit=audit).frontier
    assert snapshot.frontier > frontier_before  # 92 days of frontier movement
    # The next check-in is a quarter after this one.
    person.refresh_from_db()
    assert person.next_checkin_at is not None
    assert person.next_checkin_at.astimezone(BERLIN).date() == (START + timedelta(days=182)).date()


def test_my_ladder_shows_the_ladder_over_time(client: Client):
    person, audit = person_with_result()
    client.force_login(person)
    assert "Your ladder over time" not in client.get(reverse("assessments:my_ladder")).text
    draft = reassessment(person, audit)
    with time_machine.travel(START + timedelta(days=92), tick=False):
        finish(draft, [5, 4, 4, 2, 1])
    page = client.get(reverse("assessments:my_ladder")).text
    assert "Your ladder over time" in page
    assert "Rung 3.0 on 2 Mar 2026" in page
    assert "Rung 3.2 on 2 Jun 2026" in page


@pytest.mark.parametrize("quarters", [2, 5])
def test_my_ladder_queries_do_not_grow_with_quarters(
    client: Client, django_assert_num_queries, quarters: int
):
    person, audit = person_with_result()
    previous = audit
    for quarter in range(1, quarters):
        draft = reassessment(person, previous)
        with time_machine.travel(START + timedelta(days=91 * quarter + 1), tick=False):
            finish(draft)
        previous = draft
    client.force_login(person)
    client.get(reverse("assessments:my_ladder"))  # the runway model's data, once per process
    with django_assert_num_queries(3):
        response = client.get(reverse("assessments:my_ladder"))
    assert response.text.count("<tr>") >= quarters


def test_starting_a_check_in_from_my_ladder(client: Client):
    person, audit = person_with_result()
    client.force_login(person)
    response = client.post(reverse("assessments:reassess"))
    draft = Audit.objects.get(owner=person, status="draft")
    assert response["Location"] == step_url(draft, "activities")
    assert draft.previous_id == audit.pk
    client.post(reverse("assessments:reassess"))
    assert Audit.objects.filter(owner=person, status="draft").count() == 1


def test_nobody_can_start_a_check_in_without_a_completed_audit(client: Client, individual):
    client.force_login(individual)
    response = client.post(reverse("assessments:reassess"), follow=True)
    assert "A check-in starts from a completed audit" in response.text
    assert not Audit.objects.filter(owner=individual).exists()


# --- Settings, export, admin --------------------------------------------------------


def test_the_person_picks_another_date_or_pauses(client: Client):
    person, _ = person_with_result()
    client.force_login(person)
    url = reverse("assessments:checkin_settings")
    with time_machine.travel(START + timedelta(days=10), tick=False):
        page = client.get(url).text
        assert 'value="2026-05-31"' in page  # 2 March + 90 days
        response = client.post(url, {"next_date": "2026-04-20"})
        assert response.status_code == 302
        person.refresh_from_db()
        assert person.next_checkin_at == datetime(2026, 4, 20, 9, tzinfo=BERLIN)
        past = client.post(url, {"next_date": "2026-03-01"})
        assert "Pick a day after today." in past.text
        far = client.post(url, {"next_date": "2028-01-01"})
        assert "within the next year" in far.text
        typo = client.post(url, {"next_date": "20th of April"})
        assert "Enter a date like" in typo.text
        client.post(url, {"next_date": "2026-04-20", "paused": "on"})
    person.refresh_from_db()
    assert person.checkins_paused
    assert person.next_checkin_at == datetime(2026, 4, 20, 9, tzinfo=BERLIN)


def test_settings_without_an_audit_explain_when_check_ins_start(client: Client, individual):
    client.force_login(individual)
    page = client.get(reverse("assessments:checkin_settings")).text
    assert "Check-ins start after your first audit" in page


def test_check_ins_are_in_the_export(client: Client, smtp_sink: SmtpSink):
    person, _ = person_with_result()
    sent_checkin(person)
    client.force_login(person)
    data = client.get(reverse("accounts:export")).json()
    assert data["checkins"]["paused"] is False
    assert data["checkins"]["next_checkin_at"].startswith("2026-08-")
    [email] = data["checkins"]["emails"]
    assert (email["kind"], email["state"], email["attempts"]) == ("checkin", "sent", 1)


def test_check_ins_are_in_the_admin(client: Client, smtp_sink: SmtpSink):
    person, _ = person_with_result()
    sent_checkin(person)
    staff = User.objects.create_superuser("admin@example.com", "pw-123456789")
    client.force_login(staff)
    page = client.get("/admin/assessments/checkin/?state__exact=sent")
    assert page.status_code == 200
    assert "Ana" in page.text
    change = client.get(f"/admin/assessments/checkin/{Checkin.objects.get().pk}/change/")
    assert change.status_code == 200


def test_locmem_email_also_works_without_smtp():
    """make run has console email: the same sweep, no SMTP server."""
    person, _ = person_with_result()
    with time_machine.travel(due(person) + timedelta(minutes=1), tick=False):
        sweep()
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


def test_the_link_is_done_once_the_check_in_was_done_another_way(
    client: Client, smtp_sink: SmtpSink
):
    person, audit = person_with_result()
    checkin, url = sent_checkin(person)
    assert checkin.sent_at is not None
    with time_machine.travel(checkin.sent_at + timedelta(days=1), tick=False):
        finish(services.reassessment_start(owner=person, previous=audit))  # from My ladder
    client.force_login(person)
    response = client.post(url)
    assert response.status_code == 410
    assert "This check-in is done" in response.text
    assert not Audit.objects.filter(owner=person, status="draft").exists()


def test_the_link_copies_the_latest_audit(client: Client, smtp_sink: SmtpSink):
    person, _ = person_with_result()
    _, url = sent_checkin(person)
    newer = audit_at(person, "complete", scores=[3, 3, 3, 3, 3])
    # A result taken before the email (the person redid an audit): still not "done".
    RungSnapshot.objects.filter(audit=newer).update(taken_at=START + timedelta(days=1))
    client.force_login(person)
    client.post(url)
    draft = Audit.objects.get(owner=person, status="draft")
    assert draft.previous_id == newer.pk


def test_changing_time_zone_keeps_the_check_in_day_at_nine(client: Client):
    person, _ = person_with_result()
    day = due(person).astimezone(BERLIN).date()
    client.force_login(person)
    client.post(reverse("accounts:profile"), {"name": "Ana", "time_zone": "Pacific/Honolulu"})
    moved = due(person).astimezone(ZoneInfo("Pacific/Honolulu"))
    assert (moved.date(), moved.hour) == (day, 9)


def test_the_next_date_cannot_come_within_sixty_days_of_the_last_check_in(
    client: Client, smtp_sink: SmtpSink
):
    person, _ = person_with_result()
    checkin, _ = sent_checkin(person)
    client.force_login(person)
    url = reverse("assessments:checkin_settings")
    assert checkin.sent_at is not None
    with time_machine.travel(checkin.sent_at + timedelta(days=2), tick=False):
        soon = (checkin.sent_at + timedelta(days=10)).date().isoformat()
        response = client.post(url, {"next_date": soon})
        assert "less than 60 days" in response.text
        later = (checkin.sent_at + timedelta(days=61)).date().isoformat()
        assert client.post(url, {"next_date": later}).status_code == 302


def test_a_queued_email_is_left_to_its_task_by_the_next_sweeps(smtp_sink: SmtpSink):
    person, _ = person_with_result()
    moment = due(person) + timedelta(minutes=1)
    with time_machine.travel(moment, tick=False):
        checkins.claim_due(timezone.now())
        row = Checkin.objects.get(user=person)
        checkins.CHECKINS.mark_queued(row.pk)
        assert checkins.CHECKINS.ready(timezone.now()) == []
        # The task itself sends it, whatever the row's next attempt time says.
        assert checkins.CHECKINS.deliver(row.pk, queued=True).outcome == Outcome.SENT
    assert len(smtp_sink.messages) == 1


def test_a_sender_that_lost_its_claim_does_not_overwrite_the_new_one(smtp_sink: SmtpSink):
    person, _ = person_with_result()
    moment = due(person) + timedelta(minutes=1)
    with time_machine.travel(moment, tick=False):
        checkins.claim_due(timezone.now())
    row = Checkin.objects.get(user=person)
    Checkin.objects.filter(pk=row.pk).update(state="sending", claimed_at=moment)
    later = moment + timedelta(minutes=20)
    Checkin.objects.filter(pk=row.pk).update(claimed_at=later)  # another sender took over
    checkins.CHECKINS.finish(row.pk, moment, Checkin.State.PENDING)  # the stalled one wakes up
    row.refresh_from_db()
    assert (row.state, row.claimed_at) == ("sending", later)


def test_effort_moved_is_net_within_the_low_rungs():
    before = [
        {"description": "Tests", "share": 30, "score": 1},
        {"description": "CRUD", "share": 30, "score": 1},
        {"description": "Clients", "share": 40, "score": 4},
    ]
    shuffled = [
        {"description": "Tests", "share": 10, "score": 1},
        {"description": "CRUD", "share": 50, "score": 1},
        {"description": "Clients", "share": 40, "score": 4},
    ]
    upward = [
        {"description": "Tests", "share": 20, "score": 1},
        {"description": "CRUD", "share": 20, "score": 1},
        {"description": "Clients", "share": 60, "score": 4},
    ]
    from assessments.audits.services import moved_since

    assert moved_since(Decimal("2.2"), before, shuffled) == 0
    assert moved_since(Decimal("2.2"), before, upward) == 20
