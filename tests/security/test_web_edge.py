"""The demo clinic page under its own Content-Security-Policy (issue 16): served by
web/demo_server.py as `make serve` serves it, in Debian's Chromium, talking to the real
assistant. The widget must work with no inline script or style allowed, and the browser must
report no blocked resource."""

from __future__ import annotations

import threading
from typing import Iterator

import pytest
from playwright.sync_api import Browser, expect

from support.browser import last_bot, open_widget, say
from web.demo_server import server

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture(scope="module")
def demo_page(assistant, web_port) -> Iterator[str]:
    """The demo page on the one origin the test assistant accepts, pointed at it."""
    httpd = server(web_port, str(assistant))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{web_port}/"
    httpd.shutdown()
    httpd.server_close()


def test_the_demo_page_and_its_widget_work_under_the_policy(browser: Browser, demo_page, domain):
    context = browser.new_context()
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)
    try:
        response = page.goto(demo_page)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        # the page's own stylesheet applied: no inline <style> was needed
        assert page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor") == "rgb(31, 78, 61)"
        open_widget(page)
        say(page, "what is foot drop")
        answer = domain["responses"]["utter_ask_what_is_foot_drop"][0]["text"]
        expect(last_bot(page)).to_contain_text(answer.splitlines()[0][:60])
        assert page.evaluate("window.__violations") == []
        assert not [line for line in console if "Content Security Policy" in line]
    finally:
        context.close()
