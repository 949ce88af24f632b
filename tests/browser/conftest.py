"""Browser tests: Debian's chromium driven by Playwright's sync API (without pytest-playwright), against
pytest-django's live server, with axe-core (from npm) checking each page of a journey.

Each step of a journey goes through `Journey.check`: a full-page screenshot in test-results/browser/ (for a
person to look at), no JavaScript error so far, and no axe-core violation (WCAG 2.x A and AA, plus
axe's best practices).
"""

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
# Measured on our machines: chromium as root in a container needs these (docs ARCHITECTURE.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--lang=fr-FR",  # French date fields in the screenshots, as our users see them
]
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
SCREENSHOTS = Path(settings.BASE_DIR) / "test-results" / "browser"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    assert CHROMIUM.exists(), f"{CHROMIUM} est absent : installez-le avec « ./scripts/install --with-browser »."
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser, live_server) -> Iterator[BrowserContext]:
    """A fresh browser profile per test, offline: any request outside the live server is refused, so a
    page that needs a third-party resource (CDN, tiles, fonts) fails the test through its console error."""
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    context.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
    yield context
    context.close()


@dataclass
class Journey:
    """A page walked through step by step. It records the page's JavaScript errors (uncaught exceptions
    and console errors, failed loads included); `check` fails on them, and so does the end of the test
    for any logged after the last step."""

    page: Page
    screenshots: Path
    errors: list[str] = field(default_factory=list)
    steps: int = 0

    def check(self, step: str) -> None:
        """One step: a full-page screenshot, then no JavaScript error and no accessibility violation."""
        self.page.wait_for_load_state("load")
        self.steps += 1
        self.page.screenshot(path=self.screenshots / f"{self.steps:02d}-{step}.png", full_page=True)
        assert not self.errors, f"[{step}] erreurs JavaScript :\n" + "\n".join(self.errors)
        assert_accessible(self.page, step)

    def record_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console : {message.text} ({message.location.get('url', '')})")


@pytest.fixture
def journey(context: BrowserContext, request) -> Iterator[Journey]:
    folder = SCREENSHOTS / re.sub(r"[^\w-]+", "-", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    journey = Journey(context.new_page(), folder)
    journey.page.on("pageerror", lambda error: journey.errors.append(f"exception : {error}"))
    journey.page.on("console", journey.record_console)
    yield journey
    assert not journey.errors, "Erreurs JavaScript :\n" + "\n".join(journey.errors)


def assert_accessible(page: Page, step: str = "") -> None:
    """Run axe-core on the whole page as it is now (third-party widgets included) and fail on any violation,
    listing each rule with the elements at fault."""
    assert AXE_SCRIPT.exists(), f"{AXE_SCRIPT} est absent : lancez « npm ci »."
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=AXE_SCRIPT)
    results = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    violations = results["violations"]
    assert not violations, f"[{step}] {page.url} : violations axe-core\n" + describe(violations)


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}) : {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))} : {node['html'][:300]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)
