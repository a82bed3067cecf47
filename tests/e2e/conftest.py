"""The browser harness: Debian's Chromium driven by Playwright, axe-core on every
page, a real SMTP sink for email, and a failure on any CSP violation or script error.

Without /usr/bin/chromium or node_modules/axe-core the browser tests are skipped,
unless LADDER_REQUIRE_BROWSER=1 (CI), which makes that a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.factories import AXE, CHROMIUM, CHROMIUM_ARGS, DESKTOP, Tab, Visit
from tests.smtp import SmtpSink, html_of, text_of

__all__ = ["SmtpSink", "html_of", "text_of"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    missing = [str(p) for p in (CHROMIUM, AXE) if not p.exists()]
    if missing:
        message = f"browser tests need {', '.join(missing)} (see .ci/run)"
        if os.environ.get("LADDER_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser: Any, live_server: Any) -> Iterator[Tab]:
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    tab = Tab(page)
    page.on("load", lambda p: tab.visits.append(Visit(p.url)))
    page.on(
        "console",
        lambda msg: (
            tab.problems.append(msg.text)
            if msg.type == "error"
            and ("Content Security Policy" in msg.text or "Refused" in msg.text)
            else None
        ),
    )
    page.on("pageerror", lambda error: tab.problems.append(f"script error: {error}"))
    yield tab
    context.close()
    assert not tab.problems, tab.problems
    unchecked = [v.url for v in tab.visits if not v.checked]
    assert not unchecked, f"pages loaded without an axe check: {unchecked}"
