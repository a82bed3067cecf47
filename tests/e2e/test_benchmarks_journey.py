"""A visitor looks up their occupation, with and without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import Tab

pytestmark = pytest.mark.django_db(transaction=True)


def test_type_ahead_search_then_the_occupation_page(tab: Tab, reference_data: None) -> None:
    page = tab.page
    tab.goto("/")
    tab.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Benchmarks"))
    tab.screenshot("benchmarks-empty")

    loads_before = len(tab.visits)
    page.get_by_label("Occupation").press_sequentially("realtor", delay=30)
    page.get_by_role("link", name="Real Estate Sales Agents").wait_for()
    assert len(tab.visits) == loads_before, "type-ahead must swap results, not reload the page"
    assert page.url.endswith("/benchmarks/?q=realtor&sort=relevance")
    tab.assert_accessible()
    tab.screenshot("benchmarks-results")

    page.get_by_role("link", name="Rung").click()
    page.locator("th[aria-sort='descending']").wait_for()
    tab.assert_accessible()

    tab.follow(page.get_by_role("link", name="Real Estate Sales Agents"))
    expect(page.get_by_role("heading", name="Real Estate Sales Agents", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="Real Estate Sales Agents on the ladder")).to_be_visible()
    page.get_by_text("The chart in words").click()
    expect(page.get_by_text("Real Estate Sales Agents: rung 4.8", exact=True)).to_be_visible()
    tab.screenshot("occupation")


def test_search_works_without_javascript(browser, live_server, reference_data: None) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/benchmarks/")
    page.get_by_label("Occupation").fill("software dev")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    assert "/benchmarks/?q=software+dev" in page.url
    expect(page.get_by_role("link", name="Software Developers")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Software Developers").click()
    expect(page.get_by_role("heading", name="Software Developers", level=1)).to_be_visible()
    context.close()


def test_no_results_and_about_pages_are_accessible(tab: Tab, reference_data: None) -> None:
    tab.goto("/benchmarks/?q=xqzzyv")
    expect(tab.page.get_by_role("heading", name="No occupations match “xqzzyv”")).to_be_visible()
    tab.goto("/about/data/")
    assert tab.page.locator("#spearman").inner_text() == "ρ = -0.54"
    tab.screenshot("about-data")
    tab.goto("/about/runway/")
    tab.screenshot("about-runway")
