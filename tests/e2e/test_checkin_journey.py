"""The quarterly check-in in a real browser: the sweep emails a person, the link in
the email (logged out at first) starts a reassessment copied from last quarter, the
"has AI closed the gap?" question holds them to their answer, and the result says
what changed. An old or damaged link gets a clear page and starts nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from assessments.models import Audit, Checkin, RungSnapshot
from ladder.method import scoring
from tests.factories import (
    ARTIFACTS,
    AXE,
    DESCRIPTIONS,
    PASSWORD,
    WCAG_TAGS,
    Tab,
    audit_at,
    links_in,
    make_person,
)
from tests.smtp import SmtpSink, text_of

pytestmark = pytest.mark.django_db(transaction=True)

# audit_at scores the five activities 1 to 5, a fifth of the week each: rung 3.0.
SCORED_FOUR = DESCRIPTIONS[3]
SCORED_FIVE = DESCRIPTIONS[4]


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _due_person(email: str, name: str) -> tuple[User, Audit]:
    """A verified person in Berlin with a completed audit and a check-in due now."""
    person = make_person(email, name)
    person.time_zone = "Europe/Berlin"
    person.save()
    audit = audit_at(person, "complete")
    User.objects.filter(pk=person.pk).update(next_checkin_at=timezone.now() - timedelta(hours=1))
    return person, audit


def _checkin_link(message: EmailMessage) -> str:
    links = [link for link in links_in(text_of(message)) if "/check-in/" in link]
    assert len(links) == 1, links
    return _path(links[0])


def _html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


def test_checkin_email_to_reassessment_to_what_changed(
    tab: Tab, smtp_sink: SmtpSink, reference_data: None
) -> None:
    person, first = _due_person("lena@example.com", "Lena")
    before = first.snapshot
    assert [a["score"] for a in before.activities] == [1, 2, 3, 4, 5]

    call_command("send_checkins")
    message = smtp_sink.wait_for("lena@example.com")
    assert message["Subject"] == "Ladder: Three months on: has your ladder moved?"
    text = text_of(message)
    assert "came out at rung 3.0" in text
    assert f"  - {SCORED_FIVE} (20% of your week, scored 5)" in text
    assert f"  - {SCORED_FOUR} (20% of your week, scored 4)" in text
    assert DESCRIPTIONS[2] not in text  # a 3 is not asked about
    unsubscribe = re.fullmatch(r"<(https?://\S+/check-ins/stop/\S+/)>", message["List-Unsubscribe"])
    assert unsubscribe, message["List-Unsubscribe"]
    assert unsubscribe.group(1) in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Checkin.objects.get(user=person).state == Checkin.State.SENT

    screens = ARTIFACTS / "screens"
    screens.mkdir(parents=True, exist_ok=True)
    (screens / "checkin-email.txt").write_text(text)
    # The email's HTML has inline styles, which the site's CSP rightly blocks: render
    # it on its own page, outside the tab that watches for CSP reports.
    email_page = tab.page.context.new_page()
    email_page.set_viewport_size({"width": 640, "height": 900})
    email_page.set_content(_html_of(message))
    button = email_page.get_by_role("link", name="Start my check-in").get_attribute("href")
    assert button
    assert button in text
    email_page.evaluate(AXE.read_text())
    result = email_page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    assert not [v["id"] for v in result["violations"]], result["violations"]
    email_page.screenshot(path=str(screens / "checkin-email-html.png"), full_page=True)
    email_page.close()

    # Logged out, the link asks to log in, then comes back to itself.
    page = tab.page
    link = _checkin_link(message)
    tab.goto(link)
    expect(page.get_by_role("heading", name="Your quarterly check-in")).to_be_visible()
    assert Audit.objects.count() == 1, "opening the link starts nothing"
    tab.screenshot("checkin-link-logged-out")
    tab.follow(page.get_by_role("link", name="Log in to start"))
    page.get_by_label("Email").fill("lena@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_role("heading", name="Has your ladder moved?").wait_for()
    tab.assert_accessible()
    assert _path(page.url) == link
    expect(page.get_by_text("Last quarter you were at rung 3.0")).to_be_visible()
    tab.screenshot("checkin-link")

    page.get_by_role("button", name="Start my check-in").click()
    page.get_by_role("heading", name="What creates the value in your role?").wait_for()
    tab.assert_accessible()
    expect(page.get_by_text("Your quarterly check-in.")).to_be_visible()
    draft = Audit.objects.get(previous=first)
    assert Checkin.objects.get(user=person).audit == draft
    assert page.locator("#id_activity_5").input_value() == SCORED_FIVE
    tab.screenshot("checkin-activities")
    loads = len(tab.visits)

    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="How is your week divided?").wait_for()
    tab.assert_accessible()
    assert page.get_by_label(SCORED_FIVE).input_value() == "20"
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="How human is each activity?").wait_for()
    tab.assert_accessible()
    assert len(tab.visits) == loads, "htmx swaps the steps in place"
    asked = page.get_by_role("group", name=re.compile("Has AI closed the gap?"))
    assert asked.count() == 2  # the activities scored 4 and 5, no others

    # "Yes, AI closed the gap" but the same score: held to the answer.
    card = page.get_by_role("region", name=SCORED_FIVE)
    expect(
        card.get_by_role("group", name="Last quarter you scored this 5. Has AI closed the gap?")
    ).to_be_visible()
    card.get_by_label("Yes, AI does more of it now").check()
    assert card.get_by_label(re.compile(r"^\s*5 ·")).is_checked()  # last quarter's score
    page.get_by_role("button", name="See my rung").click()
    lower = "give it a lower score than last quarter's 5"
    summary = page.get_by_role("alert").filter(has_text="Some scores need another look")
    summary.wait_for()
    expect(summary.get_by_role("link", name=SCORED_FIVE)).to_be_visible()
    tab.assert_accessible()
    expect(page.get_by_role("region", name=SCORED_FIVE).get_by_text(lower)).to_be_visible()
    assert Audit.objects.get(pk=draft.pk).is_draft
    tab.screenshot("checkin-scores-error")

    card = page.get_by_role("region", name=SCORED_FIVE)
    assert card.get_by_label("Yes, AI does more of it now").is_checked()  # kept
    card.get_by_label(re.compile(r"^\s*3 ·")).check()
    page.get_by_label("Where do you follow what AI can do?").fill(
        "Simon Willison's weblog; the METR evaluations"
    )
    page.get_by_role("button", name="See my rung").click()
    page.get_by_role("heading", name=re.compile("Your rung is")).wait_for()
    tab.assert_accessible()

    draft.refresh_from_db()
    after = RungSnapshot.objects.get(audit=draft)
    assert not draft.is_draft
    assert draft.ai_sources == "Simon Willison's weblog; the METR evaluations"
    assert [a.gap_closed for a in draft.activities.order_by("position")] == [
        None,
        None,
        None,
        None,
        True,
    ]
    assert str(scoring.round_half_up(after.rung, 1)) == "2.6"  # (1 + 2 + 3 + 4 + 3) / 5
    expect(page.get_by_role("heading", name="Your rung is 2.6")).to_be_visible()
    change = page.get_by_role("region", name="What changed since last quarter")
    row = change.get_by_role("row", name=re.compile("^Your rung"))
    assert [c.strip() for c in row.get_by_role("cell").all_inner_texts()] == ["3.0", "2.6", "−0.4"]
    expect(change).to_contain_text(f"You said AI has closed some of the gap on: “{SCORED_FIVE}”")
    tab.screenshot("checkin-result")


def test_an_old_or_damaged_link_gets_a_clear_page_and_starts_nothing(
    tab: Tab, smtp_sink: SmtpSink, reference_data: None
) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        _due_person("tom@example.com", "Tom")
        call_command("send_checkins")
    link = _checkin_link(smtp_sink.wait_for("tom@example.com"))
    page = tab.page
    tab.log_in("tom@example.com", PASSWORD)

    response = page.goto(link)
    tab.assert_accessible()
    assert response is not None
    assert response.status == 410
    expect(page.get_by_role("heading", name="This link has expired")).to_be_visible()
    expect(page.get_by_role("link", name="Go to my ladder")).to_be_visible()
    tab.screenshot("checkin-link-expired")

    token = link.rstrip("/").rsplit("/", 1)[1]
    tampered = link.replace(token, token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB"))
    response = page.goto(tampered)
    tab.assert_accessible()
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="This link doesn't work")).to_be_visible()
    tab.screenshot("checkin-link-invalid")

    assert Audit.objects.count() == 1
    assert Checkin.objects.get().audit is None
