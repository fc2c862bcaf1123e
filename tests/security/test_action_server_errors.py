"""The action server never sends a request back, and never logs patient text, whatever it is
sent (issue 16): rasa-sdk 3.6 answered a failed request with a 500 holding the whole request
body (the conversation) and logged it at ERROR. Started as `make serve` starts it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import requests

from support.processes import free_port, stop, wait_until_up
from support.project import ROOT

MARKER = "patient-words-7f3a"


@pytest.fixture(scope="module")
def actions(tmp_path_factory: pytest.TempPathFactory):
    port, log = free_port(), tmp_path_factory.mktemp("actions") / "actions.log"
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "rasa"), "run", "actions", "--port", str(port), "--actions", "actions"],
        cwd=ROOT, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SANIC_HOST": "127.0.0.1"},
        stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", server, log)
        yield f"http://127.0.0.1:{port}", log
    finally:
        stop(server)


@pytest.mark.parametrize("body, status", [
    ({"next_action": "action_emergency", "note": MARKER}, 400),  # no tracker
    ({"tracker": {"latest_message": {"text": MARKER}}}, 400),  # no action name
    ([MARKER], 400),
    ({"next_action": "action_emergency", "domain": {}, "tracker": {  # an action call that fails inside
        "sender_id": MARKER, "slots": MARKER, "latest_message": {"text": MARKER}, "events": MARKER}}, 500),
])
def test_a_request_that_cannot_run_is_answered_without_echo_and_logged_without_its_text(actions, body, status):
    url, log = actions
    answer = requests.post(f"{url}/webhook", json=body, timeout=30)
    assert answer.status_code == status
    assert MARKER not in answer.text and set(answer.json()) == {"error"}
    assert MARKER not in Path(log).read_text(errors="replace")


def test_a_body_that_is_not_json_gets_a_400_and_the_server_still_serves(actions):
    url, log = actions
    answer = requests.post(f"{url}/webhook", data=f"message={MARKER}", timeout=30)
    assert answer.status_code == 400 and MARKER not in answer.text
    assert requests.get(f"{url}/health", timeout=30).json() == {"status": "ok"}
    assert MARKER not in Path(log).read_text(errors="replace")
