"""`make serve` as a clinic runs it (issue 16): every server it starts answers this machine
only, and the conversation store it creates is private. Run in a copy of the project whose
files are links to this one's, so that its `var/` (the store) is the copy's own, never the
patient database."""

from __future__ import annotations

import hashlib
import stat
import uuid
from pathlib import Path

import pytest
import requests
import yaml

from footdrop.check_questions import load_questions
from footdrop_rasa.channels import ownership
from bench.serve import serve

QUESTIONS = load_questions()

@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, trained_model: Path):
    with serve(tmp_path_factory.mktemp("served")) as running:
        yield running.project, running.ports


def listening(port: int) -> set:
    """The local addresses that listen on ``port`` (IPv4 and IPv6), from /proc/net."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # LISTEN
                found.add(address)
    return found


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1


def test_every_server_of_make_serve_answers_this_machine_only(served):
    project, ports = served
    for name, port in ports.items():
        addresses = listening(port)
        assert addresses and addresses <= LOOPBACK, f"{name} {port} listens on {addresses}"
    reply = requests.post(f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook",
                          json={"sender": "exposure-test", "message": "what is foot drop"}, timeout=60)
    assert reply.status_code == 200 and "From:" in " ".join(m.get("text", "") for m in reply.json())
    store = project / "var" / "tracker.db"
    assert stat.S_IMODE(store.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert store.stat().st_size > 0, "the conversation was stored in the copy's own store"


def test_a_second_client_with_a_patients_sender_id_cannot_take_over_their_conversation(served):
    """The takeover issue 16 found on `make run`: a second client that sent another patient's
    `sender` answered the last questions of their symptom check and received its recap."""
    _, ports = served
    url = f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/webhook"
    sender = uuid.uuid4().hex

    def post(message: str, secret=None) -> list:
        body = {"sender": sender, "message": message, **({"metadata": {ownership.KEY: secret}} if secret else {})}
        reply = requests.post(url, json=body, timeout=60)
        assert reply.status_code == 200
        return reply.json()

    started = post("check my symptoms")
    secret = started[-1]["custom"][ownership.KEY]
    asked = post("right foot", secret)
    assert asked[-1]["text"] == QUESTIONS["onset"].ask
    intruder = post("over days to weeks")  # the patient's answer, sent without the secret
    assert intruder[-1]["custom"][ownership.KEY] != secret, "a fresh conversation with its own secret"
    assert QUESTIONS["preceded_by"].ask not in " ".join(str(r.get("text")) for r in intruder)
    # The patient's check goes on where the patient left it.
    assert post("over days to weeks", secret)[-1]["text"] == QUESTIONS["preceded_by"].ask


def test_the_demo_page_sends_its_security_headers_and_nothing_but_the_widget(served):
    _, ports = served
    page = f"http://127.0.0.1:{ports['WEB_PORT']}"
    home = requests.get(f"{page}/", timeout=10)
    assert home.status_code == 200 and f'data-server-url="http://localhost:{ports["RASA_PORT"]}"' in home.text
    policy = home.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy
    assert f"connect-src 'self' http://localhost:{ports['RASA_PORT']} ws://localhost:{ports['RASA_PORT']};" in policy
    assert home.headers["X-Content-Type-Options"] == "nosniff" and home.headers["Referrer-Policy"] == "no-referrer"
    for asset in ("/clinic.css", "/widget/footdrop-widget.js", "/widget/footdrop-widget.css", "/widget/vendor/socket.io.min.js"):
        answer = requests.get(page + asset, timeout=10)
        assert answer.status_code == 200 and answer.headers["X-Content-Type-Options"] == "nosniff", asset
    for hidden in ("/widget/", "/widget/vendor/", "/node_modules/", "/package.json", "/package-lock.json",
                   "/README.md", "/demo_server.py", "/install-vendor.sh", "/widget/../package.json",
                   "/widget/%2e%2e/package.json", "/..%2fMakefile", "/index.html/"):
        answer = requests.get(page + hidden, timeout=10)
        assert answer.status_code == 404 and "Directory listing" not in answer.text, hidden
        assert "Content-Security-Policy" in answer.headers, hidden


def test_the_staff_console_serves_its_model_and_pages_to_no_one_without_their_secret(served):
    """Someone on this machine who finds the console's port: no model without the token
    scripts/serve made for Rasa (kept in a private file), no page without signing in."""
    project, ports = served
    base = f"http://127.0.0.1:{ports['STAFF_PORT']}"
    model = f"{base}/models/footdrop.tar.gz"
    for params in ({}, {"token": "guess", "server": "probe"}, {"token": ""}):
        refused = requests.get(model, params=params, timeout=10)
        assert refused.status_code == 404 and not refused.content.startswith(b"\x1f\x8b"), params
    endpoints = project / "var" / "run" / f"endpoints-{ports['RASA_PORT']}.yml"
    assert stat.S_IMODE(endpoints.stat().st_mode) == 0o600
    token = yaml.safe_load(endpoints.read_text())["models"]["token"]
    given = requests.get(model, params={"token": token, "server": "probe"}, timeout=60)
    assert given.status_code == 200
    assert given.headers["etag"] == hashlib.sha256((project / "models" / "footdrop.tar.gz").read_bytes()).hexdigest()
    for path in ("/", "/publish", "/publish/status"):
        assert requests.get(base + path, allow_redirects=False, timeout=10).status_code == 303, path
    assert requests.post(f"{base}/publish/start", allow_redirects=False, timeout=10).status_code == 401
