"""The browser harness: Debian's Chromium driven by Playwright, axe-core on every
page, a real SMTP sink for email, and a failure on any CSP violation or script error.

Without /usr/bin/chromium or node_modules/axe-core the browser tests are skipped,
unless LADDER_REQUIRE_BROWSER=1 (CI), which makes that a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.smtp import SmtpSink, html_of, text_of

__all__ = ["SmtpSink", "html_of", "text_of"]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


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


@dataclass
class Visit:
    url: str
    checked: bool = False


@dataclass
class Tab:
    """A browser tab that remembers every page it loaded, so the test can prove
    each one passed axe, and every CSP violation or script error it saw."""

    page: Any
    visits: list[Visit] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # With JavaScript off, axe can't run (and page.evaluate would wait forever); the
    # same pages are checked by the JavaScript journeys.
    javascript: bool = True

    def log_in(self, email: str, password: str) -> None:
        """Log in through the real form (and check the page it lands on)."""
        self.goto("/accounts/login/")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.follow(self.page.get_by_role("button", name="Log in", exact=True))

    def follow(self, target: Any) -> None:
        """Click a link or button that loads another page, wait for that page, and
        check it. (A click does not wait for the navigation it starts, so checking
        straight after it could check the page being left.)"""
        with self.page.expect_navigation():
            target.click()
        self.assert_accessible()

    def goto(self, path: str) -> None:
        self.page.goto(path)
        self.assert_accessible()

    def assert_accessible(self) -> None:
        """Run axe-core (WCAG 2.2 AA rules) on the current page: no violations."""
        self.page.wait_for_load_state("load")
        if not self.javascript:
            return
        self.page.evaluate(AXE.read_text())
        result = self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        violations = [
            f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
            for v in result["violations"]
        ]
        assert not violations, f"axe on {self.page.url}:\n" + "\n".join(violations)
        if self.visits:
            self.visits[-1].checked = True

    def screenshot(self, name: str) -> None:
        """Save the page at phone and desktop widths in test-artifacts/screens/."""
        folder = ARTIFACTS / "screens"
        folder.mkdir(parents=True, exist_ok=True)
        size = self.page.viewport_size
        for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            self.page.set_viewport_size(viewport)
            # caret="initial": hiding the caret injects a style the page's CSP rightly blocks.
            self.page.screenshot(
                path=str(folder / f"{name}-{label}.png"), full_page=True, caret="initial"
            )
        self.page.set_viewport_size(size)


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
