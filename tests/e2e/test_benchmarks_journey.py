"""A visitor looks up their occupation, with and without JavaScript."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Tab

pytestmark = pytest.mark.django_db(transaction=True)


def test_type_ahead_search_then_the_occupation_page(tab: Tab, reference_data: None) -> None:
    page = tab.page
    tab.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Benchmarks").click()
    tab.assert_accessible()
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

    page.get_by_role("link", name="Real Estate Sales Agents").click()
    tab.assert_accessible()
    assert page.get_by_role("heading", name="Real Estate Sales Agents", level=1).is_visible()
    assert page.get_by_role("img", name="Real Estate Sales Agents on the ladder").is_visible()
    page.get_by_text("The chart in words").click()
    assert page.get_by_text("Real Estate Sales Agents: rung 4.8", exact=True).is_visible()
    tab.screenshot("occupation")


def test_search_works_without_javascript(browser, live_server, reference_data: None) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/benchmarks/")
    page.get_by_label("Occupation").fill("software dev")
    page.get_by_role("button", name="Search").click()
    assert "/benchmarks/?q=software+dev" in page.url
    assert page.get_by_role("link", name="Software Developers").is_visible()
    page.get_by_role("link", name="Software Developers").click()
    assert page.get_by_role("heading", name="Software Developers", level=1).is_visible()
    context.close()


def test_no_results_and_about_pages_are_accessible(tab: Tab, reference_data: None) -> None:
    tab.goto("/benchmarks/?q=xqzzyv")
    assert tab.page.get_by_role("heading", name="No occupations match “xqzzyv”").is_visible()
    tab.goto("/about/data/")
    assert tab.page.locator("#spearman").inner_text() == "ρ = -0.54"
    tab.screenshot("about-data")
    tab.goto("/about/runway/")
    tab.screenshot("about-runway")
