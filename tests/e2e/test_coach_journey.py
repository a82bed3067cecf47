"""A coach and a client in a real browser: the coach invites by email, the client
sees what would be shared and accepts, the coach reads the ladder and leaves notes
with a score, the client gets one email for the batch and replies, then stops
sharing, and the coach's next request is a 404. axe runs on every page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import CoachLink
from assessments.coaching import services as coaching
from assessments.models import Comment
from tests.factories import DESCRIPTIONS, PASSWORD, Tab, audit_at, linked, links_in, make_person
from tests.smtp import SmtpSink, text_of

pytestmark = pytest.mark.django_db(transaction=True)

COACH = "carla@example.com"
CLIENT = "nadia@example.com"
# audit_at scores the five activities 1 to 5, a fifth of the week each: rung 3.0.
SCORED_TWO = DESCRIPTIONS[1]
ACTIVITY_NOTE = "You triage with the support team, not just fix: that's closer to a 3."
AUDIT_NOTE = "A solid start. Let's grow the mentoring next quarter."
REPLY = "Thanks! I'll think about the triage score before my check-in."


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _log_out(tab: Tab) -> None:
    page = tab.page
    tab.follow(page.get_by_role("banner").get_by_role("button", name="Log out"))
    if page.get_by_role("heading", name="Log out").count():  # allauth's confirmation page
        tab.follow(page.locator("main").get_by_role("button", name="Log out"))
    expect(page.get_by_role("banner").get_by_role("link", name="Log in")).to_be_visible()


def _switch_to(tab: Tab, email: str) -> None:
    _log_out(tab)
    tab.log_in(email, PASSWORD)


def test_coach_invites_client_shares_coach_comments_client_revokes(
    tab: Tab, smtp_sink: SmtpSink, reference_data: None
) -> None:
    coach = make_person(COACH, "Carla Mendes")
    client = make_person(CLIENT, "Nadia Okafor")
    audit = audit_at(client, "complete")
    page = tab.page

    # 1. The coach invites the client by email.
    tab.log_in(COACH, PASSWORD)
    tab.goto("/coach/")
    clients = page.locator("#clients")
    expect(clients.get_by_role("heading", name="No clients yet")).to_be_visible()
    tab.screenshot("coach-dashboard-empty")
    page.get_by_label("Their email address").fill(CLIENT)
    page.get_by_label("A note with the invitation (optional)").fill(
        "As agreed in our first session: I'd like to follow your ladder."
    )
    tab.follow(page.get_by_role("button", name="Send the invitation"))
    expect(page.get_by_role("status")).to_contain_text(f"Invitation sent to {CLIENT}.")
    waiting = page.get_by_role("region", name="Invite a client")
    expect(waiting.get_by_role("listitem").filter(has_text=CLIENT)).to_be_visible()

    invitation = smtp_sink.wait_for(CLIENT)
    assert invitation["Subject"] == "Ladder: Carla Mendes invites you to share your ladder"
    assert invitation["Reply-To"] == COACH
    text = text_of(invitation)
    assert f"Carla Mendes ({COACH}) coaches people" in text
    assert "your completed audits (activities, shares of your week, scores and rungs)" in text
    assert "Never your unfinished drafts" in text
    assert "I'd like to follow your ladder." in text
    assert "Carla Mendes wrote:" in text  # the note is quoted as hers
    assert "> As agreed in our first session: I'd like to follow your ladder." in text
    links = [link for link in links_in(text) if "/invitation/" in link]
    # The link to answer, and the same page's "report it" for an invitation from a stranger.
    assert [links[0] + "#report"] == links[1:], links
    invitation_link = _path(links[0])
    _log_out(tab)

    # 2. The client opens the link: logged out first, then logged in, then accepts.
    tab.goto(invitation_link)
    expect(
        page.get_by_role("heading", name="Carla Mendes invites you to share your ladder")
    ).to_be_visible()
    tab.follow(page.get_by_role("link", name="Log in to answer"))
    page.get_by_label("Email").fill(CLIENT)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_role("button", name="Accept and share my ladder").wait_for()
    tab.assert_accessible()
    assert _path(page.url) == invitation_link
    shared = page.get_by_role("heading", name="If you accept, Carla Mendes sees")
    expect(shared).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="your completed audits")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="unfinished drafts")).to_be_visible()
    expect(page.locator("blockquote")).to_contain_text("I'd like to follow your ladder.")
    assert CoachLink.objects.get().is_pending, "opening the link changes nothing"
    tab.screenshot("coach-invitation")
    page.get_by_role("button", name="Accept and share my ladder").click()
    page.get_by_role("heading", name="Your coach", exact=True).wait_for()
    tab.assert_accessible()
    expect(page.get_by_role("status")).to_contain_text("Carla Mendes can now see your ladder.")
    expect(page.get_by_role("listitem").filter(has_text="Carla Mendes")).to_contain_text(COACH)
    link = CoachLink.objects.get()
    assert (link.state, link.client) == (CoachLink.State.ACTIVE, client)

    # 3. The coach sees the client on the dashboard, filters, sorts and comments.
    # A second client, who accepted earlier and has no audit yet, gives the filter
    # and the sort something to do.
    other = make_person("ben@example.com", "Ben Adams")
    linked(coach, other)
    _switch_to(tab, COACH)
    tab.goto("/coach/")
    names = clients.locator("tbody tr td:first-child a")
    expect(names).to_have_text(["Ben Adams", "Nadia Okafor"])
    nadia = clients.get_by_role("row").filter(has_text="Nadia Okafor")
    expect(nadia.get_by_role("cell").nth(1)).to_have_text("3.0")
    expect(waiting.get_by_role("heading", name="Waiting for an answer")).to_have_count(0)
    tab.screenshot("coach-dashboard")

    loads = len(tab.visits)
    page.get_by_label("Find a client").press_sequentially("nad")
    expect(names).to_have_text(["Nadia Okafor"])
    expect(page).to_have_url(re.compile(r"[?&]q=nad"))
    tab.assert_accessible()
    page.get_by_label("Find a client").fill("zz")
    expect(clients.get_by_role("heading", name="No clients match")).to_be_visible()
    page.get_by_label("Find a client").fill("")
    expect(names).to_have_text(["Ben Adams", "Nadia Okafor"])
    clients.get_by_role("link", name="Latest rung").click()
    expect(names).to_have_text(["Nadia Okafor", "Ben Adams"])  # no rung yet sorts last
    expect(page).to_have_url(re.compile(r"[?&]sort=rung"))
    expect(clients.get_by_role("columnheader", name="Latest rung")).to_have_attribute(
        "aria-sort", "descending"
    )
    tab.assert_accessible()
    assert len(tab.visits) == loads, "htmx updates the table in place"

    names.filter(has_text="Nadia Okafor").click()
    page.get_by_role("heading", name="Nadia Okafor's ladder").wait_for()
    tab.assert_accessible()
    client_ladder = _path(page.url)
    assert client_ladder == f"/coach/clients/{link.code}/"
    tab.screenshot("coach-client-ladder")
    page.get_by_role("link", name=audit.title).click()
    page.get_by_role("heading", name="Nadia Okafor: rung 3.0").wait_for()
    tab.assert_accessible()
    client_audit = _path(page.url)

    card = page.get_by_role("article").filter(
        has=page.get_by_role("heading", name=SCORED_TWO, exact=True)
    )
    card.get_by_text("Add a note or your score").click()
    card.get_by_label("Your note").fill(ACTIVITY_NOTE)
    card.get_by_label("Your score").select_option("3")
    tab.follow(card.get_by_role("button", name=re.compile("^Save")))
    expect(page.get_by_role("status")).to_contain_text(
        "Nadia Okafor gets one email about your new notes"
    )
    card = page.get_by_role("article").filter(
        has=page.get_by_role("heading", name=SCORED_TWO, exact=True)
    )
    expect(card).to_contain_text("their score 2 · your score 3")
    expect(card.locator(".note")).to_contain_text(ACTIVITY_NOTE)

    general = page.get_by_role("region", name="Notes on the whole audit")
    general.get_by_label("Your note").fill(AUDIT_NOTE)
    tab.follow(general.get_by_role("button", name="Save the note"))
    general = page.get_by_role("region", name="Notes on the whole audit")
    expect(general.locator(".note")).to_contain_text(AUDIT_NOTE)
    expect(general.get_by_text("No notes yet.")).to_have_count(0)
    tab.screenshot("coach-audit")
    assert _path(page.url).split("#")[0] == client_audit

    # 4. Half an hour after the coach's last note, one email for both.
    assert coaching.notify_clients() == 0, "the coach may still be writing"
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert coaching.notify_clients() == 1
        assert coaching.notify_clients() == 0, "sent once"
    notes_email = smtp_sink.wait_for(CLIENT, count=2)
    assert smtp_sink.recipients()[CLIENT] == 2  # the invitation and one for the notes
    assert notes_email["Subject"] == "Ladder: Carla Mendes left 2 notes on your ladder"
    text = text_of(notes_email)
    assert f'On "{SCORED_TWO}" (their score: 3, yours: 2)' in text
    assert ACTIVITY_NOTE in text
    assert f'On your audit "{audit.title}"' in text
    assert AUDIT_NOTE in text
    assert f"/audit/{audit.code}/result/" in text
    assert not Comment.objects.filter(notified_at__isnull=True).exists()

    # 5. The client reads the notes beside their own score and replies.
    _switch_to(tab, CLIENT)
    tab.goto(f"/audit/{audit.code}/result/")
    notes = page.get_by_role("region", name="Notes from your coach")
    activity_notes = notes.get_by_role("article", name=SCORED_TWO)
    expect(activity_notes).to_contain_text("Your score 2 · Carla Mendes's score 3")
    expect(activity_notes).to_contain_text(ACTIVITY_NOTE)
    expect(notes).to_contain_text(AUDIT_NOTE)
    notes.get_by_label("Reply to your coach").fill(REPLY)
    tab.follow(notes.get_by_role("button", name="Send the reply"))
    expect(page.get_by_role("status")).to_contain_text("Reply saved.")
    notes = page.get_by_role("region", name="Notes from your coach")
    expect(notes.locator(".note-reply")).to_contain_text(REPLY)
    expect(notes.locator(".note-reply .note-meta")).to_contain_text("You")
    tab.screenshot("coach-client-notes")
    reply = Comment.objects.get(by_coach=False)
    assert (reply.author, reply.notified_at is not None) == (client, True)

    # 6. The client stops sharing, after a confirmation.
    tab.follow(page.get_by_role("banner").get_by_role("link", name="Nadia Okafor"))
    tab.follow(
        page.get_by_role("navigation", name="Account settings").get_by_role(
            "link", name="Your coach"
        )
    )
    expect(page.get_by_role("heading", name="Your coach", exact=True)).to_be_visible()
    page.get_by_role("link", name="Stop sharing with Carla Mendes").click()
    page.get_by_role("heading", name="Stop sharing with Carla Mendes?").wait_for()
    tab.assert_accessible()
    page.get_by_role("button", name="Stop sharing").click()
    page.get_by_role("heading", name="No coach yet").wait_for()
    tab.assert_accessible()
    expect(page.get_by_role("status")).to_contain_text(
        "Carla Mendes can no longer see your ladder."
    )
    expect(page.locator("main").get_by_text("Carla Mendes", exact=False)).to_have_count(1)
    assert CoachLink.objects.get(pk=link.pk).state == CoachLink.State.REVOKED

    # 7. The coach's next request is a 404, and the client is gone from the dashboard.
    _switch_to(tab, COACH)
    for path in (client_ladder, client_audit):
        response = page.goto(path)
        tab.assert_accessible()
        assert response is not None
        assert response.status == 404, path
        expect(page.get_by_role("heading", name="We can't find that page")).to_be_visible()
        expect(page.locator("main")).not_to_contain_text("Nadia")
    tab.goto("/coach/")
    expect(names).to_have_text(["Ben Adams"])
    expect(clients).not_to_contain_text("Nadia")
