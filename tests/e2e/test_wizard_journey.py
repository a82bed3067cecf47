"""The audit in a real browser: with JavaScript (htmx swaps) and without, resuming
after the browser closes, a stale second tab, and starting without an account."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from assessments.models import Audit, RungSnapshot
from tests.factories import PASSWORD, Tab, make_person
from tests.smtp import SmtpSink, text_of

pytestmark = pytest.mark.django_db(transaction=True)

ACTIVITIES = [
    ("Writing boilerplate code for new endpoints", 40, 1),
    ("Debugging failing builds", 20, 1),
    ("Writing unit tests for existing features", 10, 2),
    ("Agreeing requirements with the product owner", 15, 4),
    ("Explaining architecture choices to clients", 10, 4),
    ("Mentoring a junior developer", 5, 5),
]


def fill_role(tab: Tab, occupation_query: str | None = "software dev") -> None:
    page = tab.page
    page.get_by_label("Your job title").fill("Backend developer")
    if occupation_query:
        page.get_by_label("Search occupations").fill(occupation_query)
        page.get_by_role("button", name="Find").click()
        page.get_by_label("Software Developers").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="What creates the value in your role?").wait_for()
    tab.assert_accessible()


def fill_activities(tab: Tab, activities=ACTIVITIES) -> None:
    page = tab.page
    for i, (text, _, _) in enumerate(activities, start=1):
        page.get_by_label(f"Activity {i}", exact=False).first.fill(text)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="How is your week divided?").wait_for()
    tab.assert_accessible()


def fill_time(tab: Tab, activities=ACTIVITIES) -> None:
    page = tab.page
    for text, share, _ in activities:
        page.get_by_label(text).fill(str(share))
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="How human is each activity?").wait_for()
    tab.assert_accessible()


def fill_scores(tab: Tab, activities=ACTIVITIES) -> None:
    page = tab.page
    for text, _, score in activities:
        card = page.get_by_role("region", name=text)
        card.get_by_label(re.compile(rf"^\s*{score} ·")).check()
        card.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="See my rung").click()
    page.get_by_role("heading", name=re.compile("Your rung is")).wait_for()
    tab.assert_accessible()


def test_whole_audit_with_javascript(tab: Tab, reference_data: None) -> None:
    make_person("maya@example.com", "Maya")
    tab.log_in("maya@example.com", PASSWORD)
    page = tab.page
    tab.goto("/audit/new/")
    tab.follow(page.get_by_role("button", name="Start my audit"))
    tab.screenshot("wizard-role")
    loads = len(tab.visits)

    page.get_by_label("Your job title").fill("Backend developer")
    page.get_by_label("Search occupations").press_sequentially("software dev", delay=20)
    page.get_by_label("Software Developers").check()  # appears by type-ahead
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="What creates the value in your role?").wait_for()
    tab.assert_accessible()
    assert len(tab.visits) == loads, "htmx swaps the step, no page load"

    # One suggestion from the occupation, then our own activities.
    page.get_by_role("button", name=re.compile("^Add: ")).first.click()
    expect(page.locator("#id_activity_1")).not_to_have_value("")
    page.locator("#id_activity_1").fill("")
    tab.screenshot("wizard-activities")
    fill_activities(tab)

    # The live total, then an error state, then the right total.
    for text, share, _ in ACTIVITIES[:-1]:
        page.get_by_label(text).fill(str(share))
    page.get_by_label(ACTIVITIES[-1][0]).fill("4")
    page.get_by_text("1 to go").wait_for()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("1 point short of 100").wait_for()
    tab.assert_accessible()
    tab.screenshot("wizard-time-error")
    page.get_by_label(ACTIVITIES[-1][0]).fill("5")
    page.get_by_text("just right").wait_for()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="How human is each activity?").wait_for()
    tab.assert_accessible()
    tab.screenshot("wizard-scores")
    assert len(tab.visits) == loads

    fill_scores(tab)
    tab.screenshot("wizard-result")
    snapshot = RungSnapshot.objects.get()
    assert str(snapshot.rung) == "2.05"  # shown as 2.1: rounded half up
    expect(page.get_by_role("heading", name="Your rung is 2.1")).to_be_visible()
    expect(page.get_by_text("Most of your week sits low on the ladder")).to_be_visible()


def test_whole_audit_without_javascript(browser, live_server, reference_data: None) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    tab = Tab(context.new_page(), javascript=False)
    tab.page.goto("/audit/new/")
    tab.page.get_by_role("button", name="Start my audit").click()
    fill_role(tab)
    fill_activities(tab)
    fill_time(tab)
    fill_scores(tab)
    expect(tab.page.get_by_role("heading", name="Your rung is 2.1")).to_be_visible()
    assert Audit.objects.get().owner is None  # a visitor's audit, not yet claimed
    context.close()


def test_resume_after_closing_the_browser(browser, live_server, reference_data: None) -> None:
    make_person("tom@example.com", "Tom")
    first = browser.new_context(base_url=live_server.url)
    tab = Tab(first.new_page())
    tab.log_in("tom@example.com", PASSWORD)
    tab.goto("/audit/new/")
    tab.page.get_by_role("button", name="Start my audit").click()
    fill_role(tab, occupation_query=None)
    fill_activities(tab)
    first.close()  # the browser closes mid-audit

    second = browser.new_context(base_url=live_server.url)
    tab = Tab(second.new_page())
    tab.log_in("tom@example.com", PASSWORD)
    tab.page.get_by_role("link", name="Backend developer").click()  # "continue where you left off"
    tab.page.get_by_role("heading", name="How is your week divided?").wait_for()
    tab.assert_accessible()
    fill_time(tab)
    fill_scores(tab)
    second.close()


def test_stale_second_tab_gets_a_conflict_and_loses_nothing(
    browser, live_server, reference_data: None
) -> None:
    make_person("ana@example.com", "Ana")
    context = browser.new_context(base_url=live_server.url)
    tab = Tab(context.new_page())
    tab.log_in("ana@example.com", PASSWORD)
    tab.goto("/audit/new/")
    tab.page.get_by_role("button", name="Start my audit").click()
    fill_role(tab, occupation_query=None)
    url = tab.page.url
    other = Tab(context.new_page())
    other.goto(url)  # the same step open in a second tab

    fill_activities(tab)  # saved in the first tab
    fields = [*ACTIVITIES[:5], ("Running the team retrospective", 0, 3)]
    for i, (text, _, _) in enumerate(fields, start=1):
        other.page.locator(f"#id_activity_{i}").fill(text)
    other.page.get_by_role("button", name="Save and continue").click()
    other.page.get_by_role("heading", name="This audit changed in another tab").wait_for()
    other.assert_accessible()
    other.screenshot("wizard-conflict")
    audit = Audit.objects.get()
    assert [a.description for a in audit.activities.all()] == [a[0] for a in ACTIVITIES]
    # Keep mine: submit again.
    other.page.get_by_role("button", name="Save and continue").click()
    other.page.get_by_role("heading", name="How is your week divided?").wait_for()
    other.assert_accessible()
    assert [a.description for a in audit.activities.all()] == [f[0] for f in fields]
    context.close()


def test_start_anonymously_then_sign_up_keeps_the_result(
    tab: Tab, smtp_sink: SmtpSink, reference_data: None
) -> None:
    page = tab.page
    tab.goto("/")
    tab.follow(page.get_by_role("link", name="Start your audit"))
    tab.follow(page.get_by_role("button", name="Start my audit"))
    fill_role(tab)
    fill_activities(tab)
    fill_time(tab)
    fill_scores(tab)
    expect(page.get_by_text("Keep this result.")).to_be_visible()
    tab.follow(page.get_by_role("link", name="Create an account to keep it"))
    page.get_by_label("Email").fill("new@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    tab.follow(page.get_by_role("button", name="Create account"))
    assert Audit.objects.get().owner is None  # not until the address is confirmed
    link = re.search(
        r"https?://\S+/confirm-email/\S+/", text_of(smtp_sink.wait_for("new@example.com"))
    ).group(0)
    tab.goto(re.sub(r"^https?://[^/]+", "", link))
    tab.follow(page.get_by_role("button", name="Confirm"))
    if "/accounts/login/" not in page.url:
        tab.goto("/accounts/login/")
    page.get_by_label("Email").fill("new@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    tab.follow(page.get_by_role("button", name="Log in", exact=True))
    expect(page.get_by_role("heading", name="My ladder")).to_be_visible()
    tab.screenshot("keep-results")
    tab.follow(page.get_by_role("button", name="Yes, add them to my ladder"))
    expect(page.get_by_text("Added to your ladder: 1 audit.")).to_be_visible()
    user = User.objects.get(email="new@example.com")
    audit = Audit.objects.get()
    assert audit.owner == user
    assert audit.snapshot.owner == user
