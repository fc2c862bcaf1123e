"""The web widget in a real browser (Playwright driving Debian's Chromium) against the real,
trained assistant: answers with their source, quick replies, reload, safe rendering, keyboard
use, the emergency style, an outage and reconnect, accessibility and screenshots."""

from __future__ import annotations

import functools
import http.server
import threading
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from support.browser import ANSWER_TIMEOUT, last_bot, open_widget, say
from support.processes import free_port
from support.project import ROOT
from support.rest_client import SECRETS

WEB = ROOT / "web"
AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "reports" / "widget"


def clinic_page(server_url: str) -> bytes:
    """A clinic page embedding the widget as the README says: a config object, one script tag."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Test clinic</title></head>
<body><main><h1>Test clinic</h1><p>Opening hours: Monday to Friday.</p></main>
<script>window.FootDropWidgetConfig = {{serverUrl: "{server_url}", title: "Foot Drop Assistant"}};</script>
<script src="/widget/footdrop-widget.js" defer></script>
</body></html>""".encode()


def serve_web(port: int, server_url: str) -> http.server.ThreadingHTTPServer:
    page = clinic_page(server_url)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            if self.path.split("?")[0] in ("/", "/test.html"):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
            else:
                super().do_GET()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=str(WEB)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def site(assistant, web_port) -> Iterator[str]:
    """The test clinic page, on the one origin the assistant accepts."""
    server = serve_web(web_port, assistant)
    yield f"http://127.0.0.1:{web_port}/test.html"
    server.shutdown()


@pytest.fixture
def page(browser: Browser, site: str) -> Iterator[Page]:
    # A fresh context is a fresh profile: its own sessionStorage, cookies and cache.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site)
    expect(page.locator("#fdw-bubble")).to_be_visible()
    yield page
    context.close()


def test_a_question_gets_its_answer_with_the_source_caption(page: Page, domain):
    open_widget(page)
    say(page, "what is foot drop")
    answer = domain["responses"]["utter_ask_what_is_foot_drop"][0]["text"]
    expect(last_bot(page)).to_contain_text(answer.splitlines()[0][:60])
    expect(last_bot(page).locator(".fdw-source")).to_have_text("From: Background & Etiology")
    expect(page.locator("#fdw-disclaimer")).to_contain_text("General information, not a diagnosis")
    expect(page.locator("#fdw-log")).to_have_attribute("role", "log")
    expect(page.locator("#fdw-log")).to_have_attribute("aria-live", "polite")


def test_a_quick_reply_is_sent_by_its_title_and_disappears(page: Page, domain):
    open_widget(page)
    say(page, "what can you do")
    buttons = last_bot(page).locator(".fdw-quick-replies button")
    expect(buttons.first).to_be_visible()
    before = page.locator(".fdw-msg.fdw-bot").count()
    page.locator(".fdw-quick-replies button", has_text="Causes").click()
    expect(page.locator(".fdw-msg.fdw-user").last).to_have_text("Causes")
    # The next message appearing, not an exact count: a turn can bring two messages at once
    # ("check my symptoms": the intro and the first question), and the count can jump past +1.
    expect(page.locator(".fdw-msg.fdw-bot").nth(before)).to_be_visible(timeout=ANSWER_TIMEOUT)
    expect(page.locator(".fdw-quick-replies button", has_text="Causes")).to_have_count(0)
    first_line = domain["responses"]["utter_ask_causes"][0]["text"].splitlines()[0]
    expect(last_bot(page)).to_contain_text(first_line[:40])


def test_a_reload_keeps_the_transcript_and_the_conversation(page: Page, assistant):
    open_widget(page)
    say(page, "check my symptoms")
    expect(last_bot(page)).to_contain_text("Which foot")  # the intro, then the first question
    shown = page.locator(".fdw-msg").count()
    session_id, secret = page.evaluate("() => [sessionStorage.getItem('fdw.session'), sessionStorage.getItem('fdw.secret')]")
    assert session_id and secret, "the widget keeps its session id and the conversation's secret in sessionStorage"
    SECRETS[(str(assistant), session_id)] = secret  # where the test reads the conversation from the store
    page.reload()
    if not page.locator("#fdw-panel").is_visible():
        page.click("#fdw-bubble")
    expect(page.locator(".fdw-msg")).to_have_count(shown)
    say(page, "left foot")  # the symptom check goes on: the next question is about the onset
    expect(last_bot(page)).to_contain_text("begin")
    assert assistant.user_texts(session_id)[-2:] == ["check my symptoms", "left foot"]


def test_start_over_forgets_the_transcript_and_the_session(page: Page):
    open_widget(page)
    say(page, "hello")
    session_before = page.evaluate("() => JSON.stringify(sessionStorage)")
    page.click("#fdw-restart")
    expect(page.locator(".fdw-msg.fdw-user")).to_have_count(0)
    assert page.evaluate("() => JSON.stringify(sessionStorage)") != session_before


def test_html_and_script_links_are_shown_as_text(page: Page):
    open_widget(page)
    attack = '<img src=x onerror="window.__xss=1">'
    say(page, attack)
    expect(page.locator(".fdw-msg.fdw-user").last).to_have_text(attack)
    say(page, "see javascript:window.__xss=2 and [x](javascript:window.__xss=3)")
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("#fdw-log img").count() == 0
    hrefs = page.eval_on_selector_all("#fdw-log a", "links => links.map(a => a.getAttribute('href'))")
    assert all(h.startswith(("http://", "https://")) for h in hrefs), hrefs


def test_a_conversation_with_the_keyboard_only(page: Page):
    for _ in range(30):  # Tab from the page's start to the bubble
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.id") == "fdw-bubble":
            break
    expect(page.locator("#fdw-bubble")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#fdw-input")).to_be_focused()
    page.keyboard.type("what can you do")
    before = page.locator(".fdw-msg.fdw-bot").count()
    page.keyboard.press("Enter")
    # The next message appearing, not an exact count: a turn can bring two messages at once
    # ("check my symptoms": the intro and the first question), and the count can jump past +1.
    expect(page.locator(".fdw-msg.fdw-bot").nth(before)).to_be_visible(timeout=ANSWER_TIMEOUT)
    for _ in range(20):  # Tab to a quick reply
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('.fdw-quick-replies')"):
            break
    title = page.evaluate("() => document.activeElement.textContent")
    page.keyboard.press("Enter")
    expect(page.locator(".fdw-msg.fdw-user").last).to_have_text(title)
    expect(page.locator(".fdw-msg.fdw-bot")).to_have_count(before + 2, timeout=ANSWER_TIMEOUT)
    page.keyboard.press("Escape")
    expect(page.locator("#fdw-panel")).to_be_hidden()
    expect(page.locator("#fdw-bubble")).to_be_focused()


def test_an_emergency_is_shown_unmistakably(page: Page):
    open_widget(page)
    say(page, "my face is drooping and my words are slurred")
    emergency = page.locator(".fdw-emergency")
    expect(emergency).to_have_count(1, timeout=ANSWER_TIMEOUT)
    expect(emergency).to_contain_text("Call 911 now")
    expect(page.locator("#fdw-disclaimer")).to_be_visible()


def test_no_serious_accessibility_violations(page: Page):
    open_widget(page)
    say(page, "what can you do")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_screenshots_for_the_readme(browser: Browser, site: str):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(site)
    expect(page.locator("#fdw-bubble")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "closed.png"))
    open_widget(page)
    say(page, "why does my foot drag when I walk")
    page.screenshot(path=str(SCREENSHOTS / "conversation.png"))
    context.close()
    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(site)
    open_widget(page)
    say(page, "will i walk normal again")
    panel = page.locator("#fdw-panel").bounding_box()
    assert panel["width"] <= 360 and panel["x"] >= 0
    page.screenshot(path=str(SCREENSHOTS / "phone.png"))
    phone.close()
    for name in ("closed", "conversation", "phone"):
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 5_000


def test_a_page_on_another_origin_cannot_talk_to_the_assistant(browser: Browser, assistant, domain):
    other = serve_web(free_port(), assistant)
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{other.server_address[1]}/test.html")
        open_widget(page)
        page.fill("#fdw-input", "what is foot drop")
        page.keyboard.press("Enter")
        page.wait_for_timeout(5_000)
        expect(page.locator(".fdw-msg.fdw-bot", has_text="dorsiflexion")).to_have_count(0)
        expect(page.locator("#fdw-status")).to_be_visible()
        context.close()
    finally:
        other.shutdown()


def test_the_widget_reconnects_after_an_outage_and_sends_what_was_typed(page: Page, assistant, domain):
    # Runs last in this file: it stops and restarts the shared Rasa server.
    open_widget(page)
    say(page, "hello")
    assistant.stop_rasa()
    try:
        expect(page.locator("#fdw-status")).to_be_visible(timeout=ANSWER_TIMEOUT)
        page.fill("#fdw-input", "what is foot drop")
        page.keyboard.press("Enter")
        expect(page.locator(".fdw-msg.fdw-user").last).to_have_text("what is foot drop")
    finally:
        assistant.start_rasa()
    answer = domain["responses"]["utter_ask_what_is_foot_drop"][0]["text"].splitlines()[0]
    expect(last_bot(page)).to_contain_text(answer[:60], timeout=60_000)
    expect(page.locator("#fdw-status")).to_be_hidden(timeout=ANSWER_TIMEOUT)
