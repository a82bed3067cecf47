"""From a completed audit to a planned sprint, its calendar and the printed report."""

from __future__ import annotations

import re
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import expect

from assessments.models import Plan
from tests.factories import ARTIFACTS, PASSWORD, Tab, audit_at, make_person

pytestmark = pytest.mark.django_db(transaction=True)


def test_plan_a_sprint_download_the_calendar_and_print_the_report(
    tab: Tab, reference_data: None
) -> None:
    person = make_person("lena@example.com", "Lena")
    person.time_zone = "Europe/Berlin"
    person.save()
    audit = audit_at(person, "complete")
    page = tab.page
    tab.log_in("lena@example.com", PASSWORD)

    tab.goto(f"/audit/{audit.code}/result/")
    tab.follow(page.get_by_role("link", name="Plan my next rung"))
    tab.screenshot("plan")

    page.get_by_label("The one-rung-higher version of your role").fill(
        "Lead the requirements work with clients"
    )
    snapshot = audit.snapshot
    low = next(i for i, a in enumerate(snapshot.activities, start=1) if a["score"] <= 2)
    low_share = snapshot.activities[low - 1]["share"]
    page.locator(f"#id_planned_{low}").fill(str(low_share - 19))
    page.locator("#id_new_description_1").fill("Running discovery workshops")
    page.locator("#id_new_score_1").select_option("4")
    page.locator("#id_new_share_1").fill("19")
    page.get_by_text("moved effort: 19 points").wait_for()  # the live projection
    page.get_by_label("Negotiation").check()
    page.locator("#id_event_title_1").fill("Discovery call with a client")
    page.locator("#id_event_weekday_1").select_option("1")
    page.locator("#id_event_start_1").fill("16:00")
    page.locator("#id_event_title_2").fill("Architecture decision review")
    tab.follow(page.get_by_role("button", name="Save my plan and sprint"))
    # the 20-point rule
    expect(page.get_by_role("alert").get_by_text("Give 1 more point")).to_be_visible()
    tab.screenshot("plan-error")

    page.locator(f"#id_planned_{low}").fill(str(low_share - 20))
    page.locator("#id_new_share_1").fill("20")
    page.get_by_role("button", name="Save my plan and sprint").click()
    page.get_by_role("heading", name="Your 90-day sprint").wait_for()
    tab.assert_accessible()
    tab.screenshot("sprint")
    plan = Plan.objects.get()
    assert plan.moved_effort == 20

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the calendar (.ics)").click()
    calendar = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        "Discovery call with a client",
        "Architecture decision review",
        "Ladder quarterly review: has AI closed the gap?",
    }
    call = events["Discovery call with a client"]["DTSTART"].dt
    assert (call.weekday(), call.hour, str(call.tzinfo)) == (1, 16, "Europe/Berlin")

    tab.follow(page.get_by_role("link", name="Printable report"))
    page.emulate_media(media="print")
    pdf = ARTIFACTS / "screens" / "report.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(pdf), format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert pages == 1, f"the report should print on one page, not {pages}"
