"""The widget in Debian's Chromium under Playwright (Playwright cannot download browsers here):
starting the browser (tests/conftest.py's ``browser`` fixture), and what a patient does in the
widget."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
ANSWER_TIMEOUT = 30_000  # ms


@contextlib.contextmanager
def launched() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (scripts/install-test-deps)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_widget(page: Page) -> None:
    page.click("#fdw-bubble")
    expect(page.locator("#fdw-panel")).to_be_visible()
    expect(page.locator("#fdw-input")).to_be_focused()


def say(page: Page, text: str) -> None:
    """Types a message and waits for the assistant's next message."""
    before = page.locator(".fdw-msg.fdw-bot").count()
    page.fill("#fdw-input", text)
    page.keyboard.press("Enter")
    # The next message appearing, not an exact count: a turn can bring two messages at once
    # ("check my symptoms": the intro and the first question), and the count can jump past +1.
    expect(page.locator(".fdw-msg.fdw-bot").nth(before)).to_be_visible(timeout=ANSWER_TIMEOUT)


def last_bot(page: Page):
    return page.locator(".fdw-msg.fdw-bot").last


#: axe-core, from web/'s node_modules (`make test` installs it)
AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(page: Page) -> list:
    """axe-core's serious and critical violations on the page as it is now: (rule, impact, the
    first nodes). Evaluated through the browser's DevTools protocol, so a page's CSP (script-src
    'self') stays in force."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
