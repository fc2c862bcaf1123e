"""Benchmark: how long a patient waits for the first answer.

    .venv/bin/python -m bench.first_answer

1. Starts `scripts/serve` (what `make serve` runs) and times until the first REST answer.
2. Opens the demo page on :8080 in Debian's Chromium and times from page load to the widget's
   first answer (socket.io connect, session, question, reply).
Prints both in seconds and stops everything it started. Needs a trained model (`make train`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "what is foot drop"


def first_rest_answer(deadline: float, question: str = QUESTION) -> float:
    started = time.monotonic()
    while time.monotonic() < deadline:
        try:
            reply = requests.post(
                "http://localhost:5005/webhooks/rest/webhook",
                json={"sender": "bench", "message": question}, timeout=30,
            )
            if reply.ok and reply.json():
                return time.monotonic() - started
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError("no answer within the deadline")


def widget_answer(question: str = QUESTION) -> tuple:
    """Seconds from opening the demo page to the widget's first answer, and that answer's text."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
        )
        page = browser.new_page()
        started = time.monotonic()
        page.goto("http://localhost:8080/")
        page.click("#fdw-bubble")
        page.fill("#fdw-input", question)
        page.keyboard.press("Enter")
        answer = page.wait_for_selector(".fdw-msg.fdw-bot:not(.fdw-greeting)", timeout=60_000)
        elapsed = time.monotonic() - started
        text = answer.inner_text()
        browser.close()
        return elapsed, text


def main() -> None:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    with tempfile.TemporaryFile() as log:
        started = time.monotonic()
        serve = subprocess.Popen(["scripts/serve"], cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        try:
            first_rest_answer(started + 300)
            to_first = time.monotonic() - started
            widget, _ = widget_answer()
        finally:
            os.killpg(serve.pid, signal.SIGINT)
            serve.wait(timeout=60)
    print(f"serve -> first REST answer: {to_first:.1f} s")
    print(f"page load -> first widget answer: {widget:.2f} s")


if __name__ == "__main__":
    main()
