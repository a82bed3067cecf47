"""The browser side of the journeys: where Chromium and axe-core are, and ``Tab``, a
page that checks every page it loads with axe and fails on console errors."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
