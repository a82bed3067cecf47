"""Coaches and clients: invitations and consent, the dashboard, notes and scores,
revoking, the batched emails and the weekly digest."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import CoachLink, User
from accounts.services import user_delete
from assessments.coaching import services as coaching
from assessments.demo import cast as demo
from assessments.demo import synthetic
from assessments.models import Audit, Comment, RungSnapshot
from tests.factories import audit_at, linked, links_in, make_person, ordered

pytestmark = pytest.mark.django_db


def csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def logged_in(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


# --- Invitations ---------------------------------------------------------------------


def test_a_coach_invites_a_client_by_email(coach: User):
    browser = logged_in(coach)
    response = browser.post(
        reverse("coach:invite_client"), {"email": "Ana@Example.com", "message": "As we discussed."}
    )
    assert response.status_code == 302
    link = CoachLink.objects.get()
    assert (link.state, link.email, link.coach, link.client) == (
        "pending",
        "ana@example.com",
        coach,
        None,
    )
    [email] = mail.outbox
    assert email.to == ["ana@example.com"]
    assert email.subject == "Ladder: Grace Lindqvist invites you to share your ladder"
    assert "your completed audits" in email.body
    assert "Never your unfinished drafts" in email.body
    assert "As we discussed." in email.body
    assert email.reply_to == ["grace@example.com"]
    assert any("/invitation/" in url for url in links_in(str(email.body)))


@pytest.mark.parametrize(
    ("email", "problem"),
    [
        ("grace@example.com", "your own address: invite someone else"),
        ("not an address", "Enter an email address"),
    ],
)
def test_a_bad_invitation_says_why(coach: User, email: str, problem: str):
    response = logged_in(coach).post(reverse("coach:invite_client"), {"email": email}, follow=True)
    assert problem in response.text
    assert not CoachLink.objects.exists()
    assert mail.outbox == []


def test_inviting_the_same_person_twice_or_an_existing_client(coach: User, client_person: User):
    browser = logged_in(coach)
    browser.post(reverse("coach:invite_client"), {"email": "bo@example.com"})
    again = browser.post(reverse("coach:invite_client"), {"email": "bo@example.com"}, follow=True)
    assert "already has an invitation from you waiting" in again.text
    linked(coach, client_person)
    existing = browser.post(
        reverse("coach:invite_client"), {"email": "ana@example.com"}, follow=True
    )
    assert "ana@example.com is already your client" in existing.text
    assert CoachLink.objects.count() == 2


def test_invitations_are_rate_limited(coach: User, client_person: User):
    linked(coach, client_person)  # a coach someone has accepted
    browser = logged_in(coach)
    for i in range(coaching.INVITES_PER_HOUR):
        browser.post(reverse("coach:invite_client"), {"email": f"p{i}@example.com"})
    response = browser.post(
        reverse("coach:invite_client"), {"email": "one-more@example.com"}, follow=True
    )
    assert "invitations in the last hour" in response.text
    assert CoachLink.objects.count() == coaching.INVITES_PER_HOUR + 1
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        browser.post(reverse("coach:invite_client"), {"email": "one-more@example.com"})
    assert CoachLink.objects.count() == coaching.INVITES_PER_HOUR + 2


def test_a_new_account_relays_only_a_few_invitations_an_hour(coach: User):
    """No completed audit and nobody who accepted yet: three, not ten."""
    browser = logged_in(coach)
    for i in range(coaching.UNPROVEN_INVITES_PER_HOUR):
        browser.post(reverse("coach:invite_client"), {"email": f"p{i}@example.com"})
    response = browser.post(
        reverse("coach:invite_client"), {"email": "one-more@example.com"}, follow=True
    )
    assert "sent 3 invitations in the last hour" in response.text
    assert CoachLink.objects.count() == coaching.UNPROVEN_INVITES_PER_HOUR
    audit_at(coach, "complete")  # their own audit done: the usual limit
    browser.post(reverse("coach:invite_client"), {"email": "one-more@example.com"})
    assert CoachLink.objects.count() == coaching.UNPROVEN_INVITES_PER_HOUR + 1


def test_the_note_is_quoted_as_the_senders_and_can_be_reported(coach: User, client_person: User):
    linked(coach, make_person("earlier@example.com"))
    logged_in(coach).post(
        reverse("coach:invite_client"),
        {"email": "stranger@example.com", "message": "Claim your prize\nat prize.example"},
    )
    [email] = [m for m in mail.outbox if m.to == ["stranger@example.com"]]
    assert "Grace Lindqvist wrote:\n\n> Claim your prize\n> at prize.example" in email.body
    report_url = next(u for u in links_in(str(email.body)) if u.endswith("#report"))
    page = urlsplit(report_url).path
    # The stranger has no account: the link alone is enough to report it.
    visitor = Client()
    assert "Report this invitation" in visitor.get(page).text
    reported = visitor.post(page, {"answer": "report"})
    assert reported.status_code == 200
    assert "the invitation is reported" in reported.text
    assert "Accept and share my ladder" not in reported.text  # nothing left to answer
    link = CoachLink.objects.get(email="stranger@example.com")
    assert link.state == "declined"
    assert link.reported_at is not None
    assert visitor.post(page, {"answer": "accept"}).status_code == 410  # closed now
    # A reported sender is back to the small limit.
    assert coaching.invites_per_hour(coach, timezone.now()) == coaching.UNPROVEN_INVITES_PER_HOUR


def invitation_url(link: CoachLink) -> str:
    return reverse("coach:invitation", args=[coaching.invitation_token(link)])


def pending(coach: User, email: str = "ana@example.com") -> CoachLink:
    return coaching.invite(inviter=coach, side=CoachLink.Side.COACH, email=email)


def test_the_invitation_page_shows_what_is_shared_and_changes_nothing(
    coach: User, client_person: User
):
    link = pending(coach)
    anonymous = Client().get(invitation_url(link))
    assert anonymous.status_code == 200
    assert "Log in to answer" in anonymous.text
    page = logged_in(client_person).get(invitation_url(link))
    assert "your completed audits" in page.text
    assert "unfinished drafts" in page.text
    assert "Accept and share my ladder" in page.text
    link.refresh_from_db()
    assert link.state == "pending"


def test_accepting_links_the_two(coach: User, client_person: User):
    link = pending(coach)
    browser = logged_in(client_person)
    response = browser.post(invitation_url(link), {"answer": "accept"})
    assert response["Location"] == reverse("coach:my_coaches")
    link.refresh_from_db()
    assert (link.state, link.client) == ("active", client_person)
    assert "Grace Lindqvist" in browser.get(reverse("coach:my_coaches")).text
    # The link is spent: answering again (a double click, a late "decline") changes nothing.
    again = browser.post(invitation_url(link), {"answer": "decline"})
    assert again["Location"] == reverse("coach:my_coaches")
    stranger = make_person("eve@example.com", "Eve")
    closed = logged_in(stranger).get(invitation_url(link))
    assert closed.status_code == 410
    assert "already accepted" in closed.text
    link.refresh_from_db()
    assert link.state == "active"


def test_declining_shares_nothing(coach: User, client_person: User):
    audit_at(client_person, "complete")
    link = pending(coach)
    logged_in(client_person).post(invitation_url(link), {"answer": "decline"})
    link.refresh_from_db()
    assert link.state == "declined"
    assert logged_in(coach).get(reverse("coach:client", args=[link.code])).status_code == 404


def test_only_the_invited_address_can_answer(coach: User, client_person: User):
    link = pending(coach)
    stranger = make_person("eve@example.com", "Eve")
    for method in ("get", "post"):
        response = getattr(logged_in(stranger), method)(invitation_url(link), {"answer": "accept"})
        assert response.status_code == 404
        assert "This invitation is for someone else" in response.text
    # Nor can an unverified copy of the address.
    EmailAddress.objects.filter(user=client_person).update(verified=False)
    response = logged_in(client_person).post(invitation_url(link), {"answer": "accept"})
    assert response.status_code == 404
    link.refresh_from_db()
    assert link.state == "pending"


def test_the_coach_cannot_accept_their_own_invitation(coach: User):
    EmailAddress.objects.create(user=coach, email="grace.two@example.com", verified=True)
    with pytest.raises(coaching.InviteProblem):
        pending(coach, "grace.two@example.com")


def test_expired_and_tampered_invitations(coach: User, client_person: User):
    link = pending(coach)
    url = invitation_url(link)
    browser = logged_in(client_person)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        expired = browser.post(url, {"answer": "accept"})
    assert expired.status_code == 410
    assert "This invitation has expired" in expired.text
    tampered = browser.post(url[:-3] + "xx/", {"answer": "accept"})
    assert tampered.status_code == 404
    link.refresh_from_db()
    assert link.state == "pending"


def test_a_withdrawn_invitation_is_closed(coach: User, client_person: User):
    link = pending(coach)
    logged_in(coach).post(reverse("coach:withdraw", args=[link.code]))
    response = logged_in(client_person).post(invitation_url(link), {"answer": "accept"})
    assert response.status_code == 410
    assert "withdrawn" in response.text
    # Only the inviter can withdraw.
    other = pending(coach, "bo@example.com")
    assert (
        logged_in(client_person).post(reverse("coach:withdraw", args=[other.code])).status_code
        == 404
    )


def test_a_client_invites_their_coach(coach: User, client_person: User):
    audit_at(client_person, "complete")
    logged_in(client_person).post(reverse("coach:invite_coach"), {"email": "grace@example.com"})
    link = CoachLink.objects.get()
    assert (link.invited_by, link.client, link.coach) == ("client", client_person, None)
    assert mail.outbox[0].subject == "Ladder: Ana Silva asks you to be their coach"
    browser = logged_in(coach)
    assert "People asking you to coach them" in browser.get(reverse("coach:dashboard")).text
    response = browser.post(invitation_url(link), {"answer": "accept"})
    link.refresh_from_db()
    assert response["Location"] == reverse("coach:client", args=[link.code])
    assert "Ana Silva" in browser.get(reverse("coach:dashboard")).text


# --- Access ends at once -----------------------------------------------------------


def test_revoking_cuts_the_coach_off_at_once(coach: User, client_person: User):
    audit = audit_at(client_person, "complete")
    link = linked(coach, client_person)
    coach_browser = logged_in(coach)
    pages = [
        reverse("coach:client", args=[link.code]),
        reverse("coach:client_audit", args=[link.code, audit.code]),
    ]
    assert [coach_browser.get(p).status_code for p in pages] == [200, 200]
    client_browser = logged_in(client_person)
    confirm = client_browser.get(reverse("coach:revoke", args=[link.code]))
    assert "Stop sharing with Grace Lindqvist?" in confirm.text
    link.refresh_from_db()
    assert link.state == "active"  # asking changes nothing
    client_browser.post(reverse("coach:revoke", args=[link.code]))
    assert [coach_browser.get(p).status_code for p in pages] == [404, 404]
    assert "Ana Silva" not in coach_browser.get(reverse("coach:dashboard")).text


def test_the_coach_can_end_it_too(coach: User, client_person: User):
    link = linked(coach, client_person)
    browser = logged_in(coach)
    assert "Stop coaching Ana Silva?" in browser.get(reverse("coach:end", args=[link.code])).text
    browser.post(reverse("coach:end", args=[link.code]))
    link.refresh_from_db()
    assert link.state == "ended"
    assert browser.get(reverse("coach:client", args=[link.code])).status_code == 404


def test_a_coach_never_sees_drafts_or_other_peoples_audits(coach: User, client_person: User):
    draft = audit_at(client_person, "time")
    stranger = make_person("bo@example.com", "Bo")
    theirs = audit_at(stranger, "complete")
    link = linked(coach, client_person)
    browser = logged_in(coach)
    for audit in (draft, theirs):
        url = reverse("coach:client_audit", args=[link.code, audit.code])
        assert browser.get(url).status_code == 404
    assert "Software developer" not in browser.get(reverse("coach:client", args=[link.code])).text


# --- Notes and the coach's scores --------------------------------------------------


def test_a_coach_notes_an_activity_with_their_score_and_the_client_sees_both(
    coach: User, client_person: User
):
    audit = audit_at(client_person, "complete", scores=[1, 2, 3, 4, 5])
    link = linked(coach, client_person)
    first = ordered(audit)[0]
    url = reverse("coach:client_audit", args=[link.code, audit.code])
    response = logged_in(coach).post(
        url, {"activity": first.pk, "body": "Closer to a 2 for you.", "coach_score": "2"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#activity-{first.pk}")
    note = Comment.objects.get()
    assert (note.activity, note.coach_score, note.by_coach, note.author) == (first, 2, True, coach)
    first.refresh_from_db()
    assert first.score == 1  # the client's score is theirs
    page = logged_in(client_person).get(reverse("assessments:result", args=[audit.code])).text
    notes = page.split('id="notes-heading"')[1]
    assert "Closer to a 2 for you." in notes
    assert "Grace Lindqvist's score" in notes
    assert 'score-pill score-2">2' in notes


def test_an_empty_note_or_a_novel_gets_a_message_and_keeps_the_text(
    coach: User, client_person: User
):
    audit = audit_at(client_person, "complete")
    link = linked(coach, client_person)
    url = reverse("coach:client_audit", args=[link.code, audit.code])
    browser = logged_in(coach)
    empty = browser.post(url, {"body": "   "})
    assert "Write a note or give a score." in empty.text
    novel = "A long thought. " * 200
    long = browser.post(url, {"body": novel})
    assert long.status_code == 200
    assert "under 2,000 characters" in long.text
    assert novel.strip()[:200] in long.text
    assert not Comment.objects.exists()


def test_a_note_on_another_audits_activity_is_refused(coach: User, client_person: User):
    audit = audit_at(client_person, "complete")
    other = audit_at(make_person("bo@example.com"), "complete")
    link = linked(coach, client_person)
    url = reverse("coach:client_audit", args=[link.code, audit.code])
    response = logged_in(coach).post(url, {"activity": ordered(other)[0].pk, "body": "hi"})
    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_the_client_replies_and_a_novel_reply_keeps_its_text(coach: User, client_person: User):
    audit = audit_at(client_person, "complete")
    link = linked(coach, client_person)
    coaching.comment(
        audit=audit, author=coach, link=link, new=coaching.NewComment("How did it go?")
    )
    browser = logged_in(client_person)
    novel = "word " * 500
    too_long = browser.post(reverse("coach:reply", args=[audit.code]), {"body": novel})
    assert too_long.status_code == 400
    assert "under 2,000 characters (it has 2,499)" in too_long.text
    assert novel.strip()[:100] in too_long.text
    ok = browser.post(reverse("coach:reply", args=[audit.code]), {"body": "Better than planned."})
    assert ok.status_code == 302
    reply = Comment.objects.get(by_coach=False)
    assert (reply.author, reply.notified_at is not None) == (client_person, True)


# --- The emails ----------------------------------------------------------------------


def test_the_client_gets_one_email_per_batch_of_notes(coach: User, client_person: User):
    audit = audit_at(client_person, "complete")
    link = linked(coach, client_person)
    start = timezone.now()
    for text in ("First thought.", "Second thought."):
        coaching.comment(audit=audit, author=coach, link=link, new=coaching.NewComment(text))
    with time_machine.travel(start + timedelta(minutes=20)):
        assert coaching.notify_clients() == 0  # the coach may still be writing
    with time_machine.travel(start + timedelta(minutes=31)):
        assert coaching.notify_clients() == 1
        assert coaching.notify_clients() == 0
    [email] = mail.outbox
    assert email.to == ["ana@example.com"]
    assert email.subject == "Ladder: Grace Lindqvist left 2 notes on your ladder"
    assert "First thought." in email.body
    assert "Second thought." in email.body
    with time_machine.travel(start + timedelta(hours=2)):
        coaching.comment(audit=audit, author=coach, link=link, new=coaching.NewComment("Third."))
    with time_machine.travel(start + timedelta(hours=3)):
        coaching.notify_clients()
    assert len(mail.outbox) == 2
    assert "Third." in mail.outbox[1].body
    assert "First thought." not in mail.outbox[1].body


MONDAY_9_BERLIN = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin


def test_the_weekly_digest_arrives_once_on_monday_morning(coach: User, client_person: User):
    coach.time_zone = "Europe/Berlin"
    coach.save()
    overdue = make_person("bo@example.com", "Bo Overdue")  # no audit three weeks in
    CoachLink.objects.filter(pk=linked(coach, overdue).pk).update(
        responded_at=MONDAY_9_BERLIN - timedelta(days=21)
    )
    newcomer = make_person("cy@example.com", "Cy New")  # accepted yesterday: not overdue
    CoachLink.objects.filter(pk=linked(coach, newcomer).pk).update(
        responded_at=MONDAY_9_BERLIN - timedelta(days=1)
    )
    link = linked(coach, client_person)
    with time_machine.travel(MONDAY_9_BERLIN - timedelta(days=2)):
        audit = audit_at(client_person, "complete")
        coaching.comment(
            audit=audit, author=client_person, link=link, new=coaching.NewComment("Done!")
        )
    with time_machine.travel(MONDAY_9_BERLIN - timedelta(hours=2)):  # 7:00 in Berlin
        assert coaching.send_digests() == 0
    with time_machine.travel(MONDAY_9_BERLIN):
        assert coaching.send_digests() == 1
        assert coaching.send_digests() == 0
    with time_machine.travel(MONDAY_9_BERLIN + timedelta(days=3)):
        assert coaching.send_digests() == 0
    [email] = mail.outbox
    assert email.subject == "Ladder: your clients this week (1 overdue)"
    assert "Ana Silva: rung" in email.body
    assert "Bo Overdue" in email.body
    assert "Cy New" not in email.body
    assert "Done!" in email.body
    assert "Turn it off" in email.body


def test_no_digest_when_opted_out_or_nothing_happened(coach: User, client_person: User):
    linked(coach, client_person)
    with time_machine.travel(MONDAY_9_BERLIN - timedelta(days=1)):
        audit_at(client_person, "complete")
    logged_in(coach).post(reverse("coach:digest_setting"), {})
    coach.refresh_from_db()
    assert coach.coach_digest is False
    with time_machine.travel(MONDAY_9_BERLIN):
        assert coaching.send_digests() == 0
    User.objects.filter(pk=coach.pk).update(coach_digest=True)
    with time_machine.travel(MONDAY_9_BERLIN + timedelta(days=7)):  # a quiet week
        assert coaching.send_digests() == 0
    assert mail.outbox == []


# --- The dashboard -------------------------------------------------------------------


def clients_for(coach: User, count: int) -> list[User]:
    synthetic.seed_synthetic(count, password_hash=make_password(None))
    synthetic.coach_synthetic_people(coach, count)
    return list(User.objects.filter(coach_links__coach=coach, email__endswith="@synthetic.ladder"))


@pytest.mark.parametrize("count", [5, 500])
def test_the_dashboard_queries_do_not_grow_with_clients(
    coach: User, reference_data: None, django_assert_num_queries: Any, count: int
):
    clients_for(coach, count)
    browser = logged_in(coach)
    browser.get(reverse("coach:dashboard"))
    # session, user, count, page, the page's results, latest plans, 2 invitation lists,
    # addresses (and the plans the latest results measured, when a client has two: those
    # are pinned at 10 in test_query_budgets.py)
    with django_assert_num_queries(9):
        response = browser.get(reverse("coach:dashboard"), {"sort": "rung"})
    assert response.status_code == 200
    assert response.text.count('<tr class="is-overdue">') + response.text.count("<tr>\n") >= min(
        count, 25
    )


def test_the_dashboard_pages_sorts_filters_and_downloads(coach: User, reference_data: None):
    people = clients_for(coach, 30)
    browser = logged_in(coach)
    first = browser.get(reverse("coach:dashboard"))
    assert "30 clients · page 1 of 2" in first.text
    second = browser.get(reverse("coach:dashboard"), {"page": 2})
    assert "page 2 of 2" in second.text
    found = browser.get(reverse("coach:dashboard"), {"q": "person 7"})
    names = re.findall(r"Synthetic person \d+", found.text)
    assert set(names) == {"Synthetic person 7"}
    by_rung = browser.get(reverse("coach:dashboard"), {"sort": "rung"})
    shown = [float(x) for x in re.findall(r'<td class="num">(\d\.\d)</td>', by_rung.text)[::1]]
    rungs = sorted((float(RungSnapshot.objects.get(owner=p).rung) for p in people), reverse=True)
    assert shown[0] == pytest.approx(round(rungs[0], 1), abs=0.05)
    download = browser.get(reverse("coach:dashboard_csv"), {"sort": "rung"})
    rows = csv_rows(download)
    assert rows[0][:3] == ["name", "email", "latest rung"]
    assert len(rows) == 31  # every client, not just the first page


def test_the_filter_answers_htmx_with_the_table_only(coach: User, reference_data: None):
    clients_for(coach, 3)
    response = logged_in(coach).get(
        reverse("coach:dashboard"), {"q": "person"}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in response.text
    assert "3 clients" in response.text
    assert "HX-Request" in response["Vary"]


def test_a_name_cannot_become_a_spreadsheet_formula(coach: User, client_person: User):
    client_person.name = '=HYPERLINK("http://evil")'
    client_person.save()
    audit_at(client_person, "complete")
    linked(coach, client_person)
    download = logged_in(coach).get(reverse("coach:dashboard_csv"))
    rows = csv_rows(download)
    assert rows[1][0].startswith("'=")


def test_the_dashboard_marks_overdue_clients(coach: User, client_person: User):
    with time_machine.travel(timezone.now() - timedelta(days=120)):
        audit_at(client_person, "complete")
    fresh = make_person("bo@example.com", "Bo Fresh")
    audit_at(fresh, "complete")
    linked(coach, client_person)
    linked(coach, fresh)
    page = logged_in(coach).get(reverse("coach:dashboard"), {"show": "overdue"}).text
    assert "Ana Silva" in page
    assert "Bo Fresh" not in page


# --- Export and deletion -------------------------------------------------------------


def test_links_and_notes_are_in_both_exports(coach: User, client_person: User):
    audit = audit_at(client_person, "complete")
    link = linked(coach, client_person)
    coaching.comment(
        audit=audit,
        author=coach,
        link=link,
        new=coaching.NewComment("Good.", activity=ordered(audit)[0], coach_score=3),
    )
    for person, role in ((coach, "coach"), (client_person, "client")):
        data = logged_in(person).get(reverse("accounts:export")).json()["coaching"]
        assert [link["my_role"] for link in data["links"]] == [role]
        assert data["comments"][0]["text"] == "Good."
        assert data["comments"][0]["coach_score"] == 3


def test_deleting_the_coach_keeps_the_notes_without_a_name(coach: User, client_person: User):
    audit = audit_at(client_person, "complete")
    link = linked(coach, client_person)
    coaching.comment(audit=audit, author=coach, link=link, new=coaching.NewComment("Keep going."))
    user_delete(user=coach)
    assert not CoachLink.objects.exists()
    note = Comment.objects.get()
    assert note.author is None
    page = logged_in(client_person).get(reverse("assessments:result", args=[audit.code])).text
    assert "A former coach" in page
    assert "Keep going." in page


def test_deleting_the_client_removes_the_link_and_their_audits(coach: User, client_person: User):
    audit_at(client_person, "complete")
    link = linked(coach, client_person)
    user_delete(user=client_person)
    assert not CoachLink.objects.filter(pk=link.pk).exists()
    assert not Audit.objects.exists()
    assert "No clients yet" in logged_in(coach).get(reverse("coach:dashboard")).text


def test_seed_demo_gives_the_coach_the_three_stories_with_notes(reference_data: None):
    demo.seed_cast()
    demo.seed_cast()  # idempotent
    grace = User.objects.get(email="coach@demo.ladder")
    clients = set(
        CoachLink.objects.filter(coach=grace, state="active").values_list(
            "client__email", flat=True
        )
    )
    assert clients == {"sofia@demo.ladder", "maya@demo.ladder", "daniel@demo.ladder"}
    assert Comment.objects.filter(author=grace).count() == 4
    assert Comment.objects.filter(author=grace, coach_score__isnull=False).count() == 1


# --- Found in review: two coaches, retries, crossing invitations ----------------------


def test_a_coach_never_sees_another_coachs_notes_or_the_replies_to_them(
    coach: User, client_person: User
):
    other = make_person("olu@example.com", "Olu Second")
    audit = audit_at(client_person, "complete")
    first_link, second_link = linked(coach, client_person), linked(other, client_person)
    activity = ordered(audit)[0]
    coaching.comment(
        audit=audit,
        author=coach,
        link=first_link,
        new=coaching.NewComment("PRIVATE-GRACE", activity=activity, coach_score=4),
    )
    coaching.comment(
        audit=audit, author=client_person, link=first_link, new=coaching.NewComment("TO-GRACE")
    )
    page = logged_in(other).get(reverse("coach:client_audit", args=[second_link.code, audit.code]))
    assert "PRIVATE-GRACE" not in page.text
    assert "TO-GRACE" not in page.text
    assert "· your score" not in page.text
    mine = logged_in(coach).get(reverse("coach:client_audit", args=[first_link.code, audit.code]))
    assert "PRIVATE-GRACE" in mine.text
    assert "TO-GRACE" in mine.text
    # The client sees everything, each coach's score by name.
    result = logged_in(client_person).get(reverse("assessments:result", args=[audit.code])).text
    assert "PRIVATE-GRACE" in result
    assert "Grace Lindqvist's score" in result


def test_a_reply_needs_a_chosen_coach_when_there_are_two(coach: User, client_person: User):
    other = make_person("olu@example.com", "Olu Second")
    audit = audit_at(client_person, "complete")
    first_link = linked(coach, client_person)
    linked(other, client_person)
    coaching.comment(audit=audit, author=coach, link=first_link, new=coaching.NewComment("Hi"))
    browser = logged_in(client_person)
    unsure = browser.post(reverse("coach:reply", args=[audit.code]), {"body": "Thanks"})
    assert "Choose the coach your reply is for." in unsure.text
    browser.post(
        reverse("coach:reply", args=[audit.code]), {"body": "Thanks", "to": str(first_link.code)}
    )
    assert Comment.objects.get(by_coach=False).link == first_link


def test_a_digest_that_failed_is_sent_by_the_next_run(coach: User, client_person: User, settings):
    linked(coach, client_person)
    with time_machine.travel(MONDAY_9_BERLIN - timedelta(days=1)):
        audit_at(client_person, "complete")
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 1},
        }
    }
    with time_machine.travel(MONDAY_9_BERLIN):
        assert coaching.send_digests() == 0
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with time_machine.travel(MONDAY_9_BERLIN + timedelta(hours=1)):
        assert coaching.send_digests() == 1
        assert coaching.send_digests() == 0
    assert len(mail.outbox) == 1


def test_each_event_is_in_exactly_one_digest(coach: User, client_person: User):
    link = linked(coach, client_person)
    audit = audit_at(client_person, "complete")
    with time_machine.travel(MONDAY_9_BERLIN + timedelta(minutes=2)):  # just after the cut
        coaching.comment(
            audit=audit, author=client_person, link=link, new=coaching.NewComment("LATE-REPLY")
        )
    with time_machine.travel(MONDAY_9_BERLIN + timedelta(minutes=5)):
        coaching.send_digests()
    with time_machine.travel(MONDAY_9_BERLIN + timedelta(days=7, minutes=5)):
        coaching.send_digests()
    with_reply = [m for m in mail.outbox if "LATE-REPLY" in m.body]
    assert len(with_reply) == 1


def test_crossing_invitations_end_in_one_link(coach: User, client_person: User):
    from_coach = pending(coach)
    from_client = coaching.invite(
        inviter=client_person, side=CoachLink.Side.CLIENT, email="grace@example.com"
    )
    logged_in(client_person).post(invitation_url(from_coach), {"answer": "accept"})
    from_client.refresh_from_db()
    assert from_client.state == "withdrawn"
    assert CoachLink.objects.filter(state="active").count() == 1
    assert (
        "People asking you to coach them"
        not in logged_in(coach).get(reverse("coach:dashboard")).text
    )


def test_an_old_invitation_cannot_be_accepted_from_a_fresh_link(coach: User, client_person: User):
    link = pending(coach)
    CoachLink.objects.filter(pk=link.pk).update(created_at=timezone.now() - timedelta(days=40))
    browser = logged_in(client_person)
    assert "Invitations for you" not in browser.get(reverse("coach:my_coaches")).text
    response = browser.post(invitation_url(link), {"answer": "accept"})  # signed just now
    assert response.status_code == 410
    link.refresh_from_db()
    assert link.state == "pending"
    # And it no longer blocks a new invitation.
    assert pending(coach).pk != link.pk


def test_a_double_clicked_accept_lands_on_the_same_page(coach: User, client_person: User):
    link = pending(coach)
    browser = logged_in(client_person)
    first = browser.post(invitation_url(link), {"answer": "accept"})
    second = browser.post(invitation_url(link), {"answer": "accept"})
    assert first["Location"] == second["Location"] == reverse("coach:my_coaches")


def test_a_score_without_an_activity_is_ignored_not_a_crash(coach: User, client_person: User):
    audit = audit_at(client_person, "complete")
    link = linked(coach, client_person)
    url = reverse("coach:client_audit", args=[link.code, audit.code])
    response = logged_in(coach).post(url, {"coach_score": "3"})
    assert response.status_code == 200
    assert "Write a note or give a score." in response.text
    assert not Comment.objects.exists()


def test_no_note_after_the_link_ended(coach: User, client_person: User):
    audit = audit_at(client_person, "complete")
    link = linked(coach, client_person)
    coaching.revoke(link)
    with pytest.raises(coaching.CoachLinkEnded):
        coaching.comment(audit=audit, author=coach, link=link, new=coaching.NewComment("late"))
    assert not Comment.objects.exists()


def test_an_email_cannot_become_a_spreadsheet_formula_either(coach: User):
    person = make_person("=1+2@example.com", "Plain Name")
    linked(coach, person)
    rows = csv_rows(logged_in(coach).get(reverse("coach:dashboard_csv")))
    assert rows[1][1].startswith("'=")


def test_a_post_without_an_answer_decides_nothing(coach: User, client_person: User):
    link = pending(coach)
    response = logged_in(client_person).post(invitation_url(link), {})
    assert response.status_code == 400
    assert "Choose Accept or Decline." in response.text
    link.refresh_from_db()
    assert link.state == "pending"


def test_the_dashboards_rows_say_what_the_one_query_of_the_csv_says(coach: User):
    """The dashboard works out its page's rows with ``page_details``; the CSV with the
    annotations of ``clients_of``. Over clients with every kind of history they agree."""
    from assessments.coaching.dashboard import Row, clients_of, page_details
    from tests.factories import SMALL, results, saved_plan

    start = timezone.now()
    never = make_person("never@example.com", "Never Audited")  # linked long ago: overdue
    new = make_person("new@example.com", "Just Joined")  # linked today: not yet
    one = make_person("one@example.com", "One Result")
    two = make_person("two@example.com", "Two Results")
    three = make_person("three@example.com", "Three Results")
    stale = make_person("stale@example.com", "Stale Result")
    with time_machine.travel(start - timedelta(days=30), tick=False):
        linked(coach, never)
    linked(coach, new)
    for person in (one, two, three, stale):
        linked(coach, person)
    saved_plan(audit_at(one, "complete"))
    first, _ = results(two, replace(SMALL, completed=2, activities=5))
    saved_plan(first)  # the sprint the latest result measured; no plan after it yet
    audits = results(three, replace(SMALL, completed=3, activities=5))
    saved_plan(audits[1])
    saved_plan(audits[2])
    with time_machine.travel(start - timedelta(days=120), tick=False):
        audit_at(stale, "complete")

    today = timezone.localdate()
    links = list(clients_of(coach, only=()).order_by("pk"))
    details = page_details(links)
    full = {link.pk: link for link in clients_of(coach)}
    assert len(links) == len(full) == 6
    for link in links:
        from_page = Row.of(link, today, details[link.client_id])
        from_csv = Row.of(full[link.pk], today)
        assert from_page == from_csv, link.client
    rows = {link.client.email: Row.of(link, today, details[link.client_id]) for link in links}
    assert rows["never@example.com"].overdue
    assert rows["stale@example.com"].overdue
    assert not rows["new@example.com"].overdue
    assert not rows["one@example.com"].overdue  # a result today
    assert rows["two@example.com"].planned_move is not None
    assert rows["two@example.com"].sprint_plan == first.plan.code
    assert rows["three@example.com"].previous_rung is not None
