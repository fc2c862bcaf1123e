"""Faults, on a Rasa server of this module's own (the trained model, the project's channels, an
SQLite tracker store in a temporary folder) whose action server the tests take down, bring
back and slow down: the patient always gets a kind reply that points to the clinic's phone,
never silence, and the conversation goes on once the fault is gone. Also: the kind reply for a
late or failing turn, the preflight that refuses to start on a conversation store that is
down, and bad input over the widget's socket.io channel."""

from __future__ import annotations

import asyncio
import http.server
import os
import sqlite3
import subprocess
import threading
import uuid
from pathlib import Path
from typing import Callable, Iterator

import pytest
import requests
import socketio
import yaml

from footdrop.clinic import load_clinic
from footdrop.check_questions import load_questions
from footdrop_rasa.channels import kind
from footdrop_rasa.channels.preflight import main as run_preflight
from support.processes import endpoints_for, free_port, rasa_command, stop, wait_until_up
from support.project import BIN, ROOT, load_yaml
from support.rest_client import send

ACTION_TIMEOUT = 2  # FOOTDROP_ACTION_TIMEOUT of this module's server, in seconds


class FaultyAssistant(str):
    """Base URL of this module's Rasa server; its action server's port is free until a test
    starts something there."""

    actions_port: int
    log: Path
    tracker_db: Path
    workdir: Path

    def send(self, text: str, sender: str) -> list:
        response = send(str(self), text, sender)  # with the conversation's secret (tests/support/rest_client.py)
        assert response.status_code == 200
        return response.json()

    def log_since(self, offset: int) -> str:
        return self.log.read_text(errors="replace")[offset:]

    def log_size(self) -> int:
        return len(self.log.read_text(errors="replace"))


@pytest.fixture(scope="module")
def faulty(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultyAssistant]:
    workdir = tmp_path_factory.mktemp("faulty")
    rasa_port, actions_port = free_port(), free_port()
    credentials = load_yaml("credentials.yml")
    (workdir / "credentials.yml").write_text(yaml.safe_dump(credentials))
    (workdir / "endpoints.yml").write_text(
        yaml.safe_dump(endpoints_for(actions_port, {"type": "SQL", "dialect": "sqlite", "db": str(workdir / "tracker.db")}))
    )
    running = FaultyAssistant(f"http://127.0.0.1:{rasa_port}")
    running.actions_port, running.workdir = actions_port, workdir
    running.log, running.tracker_db = workdir / "rasa.log", workdir / "tracker.db"
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", FOOTDROP_ACTION_TIMEOUT=str(ACTION_TIMEOUT))
    rasa = subprocess.Popen(
        rasa_command(
            "run", "--model", str(trained_model), "--port", str(rasa_port),
            "--credentials", str(workdir / "credentials.yml"), "--endpoints", str(workdir / "endpoints.yml"),
        ),
        cwd=ROOT, env=env, stdout=running.log.open("w"), stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"{running}/", rasa, running.log)
        yield running
    finally:
        stop(rasa)


def texts(replies: list) -> list:
    return [r.get("text") for r in replies]


def first_question() -> str:
    return load_questions()["affected_side"].ask


def test_the_fallback_names_the_clinics_phone():
    clinic = load_clinic()
    assert clinic.phone in kind.fallback_text() and clinic.name in kind.fallback_text()


async def test_with_the_action_server_down_the_patient_gets_the_fallback_over_socketio(faulty):
    client = socketio.AsyncClient(reconnection=False)
    replies, confirmed, fallback_arrived = [], asyncio.Event(), asyncio.Event()
    client.on("session_confirm", lambda _: confirmed.set())

    @client.on("bot_uttered")
    async def on_reply(data):
        replies.append(data)
        if data.get("text") == kind.fallback_text():
            fallback_arrived.set()

    await client.connect(faulty, socketio_path="/socket.io", transports=["polling"])
    try:
        session_id = uuid.uuid4().hex
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(confirmed.wait(), 10)
        await client.emit("user_uttered", {"message": "check my symptoms", "session_id": session_id})
        await asyncio.wait_for(fallback_arrived.wait(), 60)
    finally:
        await client.disconnect()
    assert texts(replies)[-1] == kind.fallback_text()


def test_with_the_action_server_down_an_emergency_still_gets_the_emergency_message(faulty):
    """utter_emergency needs only the Rasa server: the number from clinic.yml and the widget's
    marker arrive; the reasons (a custom action) are replaced by the kind fallback."""
    replies = faulty.send("my face is drooping", uuid.uuid4().hex)
    number = load_clinic().emergency_number
    assert texts(replies)[0].startswith(f"This may be an emergency. Call {number} now")
    assert {"emergency": True, "call": number} in [r.get("custom") for r in replies]
    assert texts(replies)[-1] == kind.fallback_text()


def test_with_the_action_server_down_the_patient_gets_the_fallback_and_the_check_works_once_it_is_back(faulty):
    sender = uuid.uuid4().hex
    before = faulty.log_size()
    down = faulty.send("check my symptoms", sender)
    assert texts(down)[-1] == kind.fallback_text(), down
    assert load_clinic().phone in texts(down)[-1]
    assert "Couldn't connect to the server" in faulty.log_since(before)

    log = faulty.workdir / "actions.log"
    actions = subprocess.Popen(
        rasa_command("run", "actions", "--port", str(faulty.actions_port), "--actions", "actions"),
        cwd=ROOT, env=dict(os.environ, RASA_TELEMETRY_ENABLED="false"), stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{faulty.actions_port}/health", actions, log)
        back = faulty.send("check my symptoms", sender)  # the same patient tries again
        assert kind.fallback_text() not in texts(back)
        assert back[-1]["text"] == first_question() and back[-1]["buttons"], back
    finally:
        stop(actions)


class SlowActionServer(http.server.ThreadingHTTPServer):
    """Stands in for an action server that hangs: it answers no request until it is closed."""

    daemon_threads = True

    def __init__(self, port: int):
        self.closing = threading.Event()
        closing = self.closing

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                closing.wait(120)  # far longer than FOOTDROP_ACTION_TIMEOUT; then drops the request

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", port), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.closing.set()
        self.shutdown()
        self.server_close()


def test_a_hanging_action_is_cut_off_and_the_conversation_goes_on(faulty, domain):
    """Rasa would wait 300 s for the action, holding the patient's conversation (every later
    message of theirs waits too); FOOTDROP_ACTION_TIMEOUT cuts it short."""
    sender = uuid.uuid4().hex
    before = faulty.log_size()
    server = SlowActionServer(faulty.actions_port)
    try:
        slow = faulty.send("check my symptoms", sender)
        assert texts(slow)[-1] == kind.fallback_text(), slow
        # The next message is answered, not stuck behind the hanging action.
        after = faulty.send("what is foot drop", sender)
        assert texts(after) == [domain["responses"]["utter_ask_what_is_foot_drop"][0]["text"]]
    finally:
        server.close()
    log = faulty.log_since(before)
    assert "TimeoutError" in log and "action_start_symptom_check" in log


def break_database(path: Path, fault: str) -> Callable[[], None]:
    """Breaks the SQLite tracker store in place; returns what repairs it."""
    saved = path.with_name("tracker.db.saved")
    if fault == "gone":  # a directory where the database was: no connection opens
        path.rename(saved)
        path.mkdir()
    else:  # it reads, but every write fails (a full disk, say)
        with sqlite3.connect(path) as db:
            db.execute("CREATE TRIGGER refuse_writes BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk full'); END")

    def repair() -> None:
        if fault == "gone":
            path.rmdir()
            saved.rename(path)
        else:
            with sqlite3.connect(path) as db:
                db.execute("DROP TRIGGER refuse_writes")

    return repair


@pytest.mark.parametrize("fault", ["gone", "writes-fail"])
def test_the_database_failing_mid_run_is_logged_and_the_patient_still_gets_a_reply(faulty, fault):
    sender = uuid.uuid4().hex
    assert faulty.send("hello", sender)  # the conversation is in the database
    before = faulty.log_size()
    repair = break_database(faulty.tracker_db, fault)
    try:
        replies = faulty.send("what is foot drop, asks patient quokka-314", sender)
    finally:
        repair()
    assert replies and all(texts(replies)), replies  # an answer, kept in memory meanwhile
    log = faulty.log_since(before)
    assert "Error happened when trying to save conversation tracker to 'SQLTrackerStore'" in log
    # A database error quotes its query's parameters (the events, the patient's words): hidden.
    assert "quokka-314" not in log and "[parameters:" not in log


async def test_a_late_turn_gets_the_fallback_and_still_finishes():
    finished = asyncio.Event()

    async def slow_turn():
        await asyncio.sleep(0.5)
        finished.set()

    assert await kind.answer_within(slow_turn(), 0.05, lambda: 0, "late") == kind.fallback_text()
    await asyncio.wait_for(finished.wait(), 10)  # it carried on after the patient got the fallback


async def test_a_failing_turn_gets_the_fallback_and_an_answered_one_none():
    async def failing_turn():
        raise RuntimeError("the database is gone")

    async def answered_turn():
        return None

    assert await kind.answer_within(failing_turn(), 5, lambda: 0, "failing") == kind.fallback_text()
    assert await kind.answer_within(answered_turn(), 5, lambda: 1, "answered") is None
    assert await kind.answer_within(answered_turn(), 5, lambda: 0, "silent") == kind.fallback_text()


def preflight(endpoints: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "python"), "-m", "footdrop_rasa.channels.preflight", str(endpoints)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=dict(os.environ, RASA_TELEMETRY_ENABLED="false"),
    )


def test_the_preflight_refuses_a_conversation_store_that_is_down_and_names_it(tmp_path):
    """Rasa 3.6 itself starts anyway and keeps conversations in memory only (lost at restart)."""
    db_port, redis_port = free_port(), free_port()  # nothing listens on either
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        yaml.safe_dump(
            {
                "version": "3.1",
                "tracker_store": {
                    "type": "SQL", "dialect": "postgresql", "url": "127.0.0.1", "port": db_port,
                    "db": "rasa", "username": "rasa", "password": "s3cret-pw",
                },
                "lock_store": {"type": "redis", "url": "127.0.0.1", "port": redis_port},
            }
        )
    )
    down = preflight(endpoints)
    assert down.returncode == 1
    assert "the tracker store (conversations), postgresql database" in down.stderr
    assert f"127.0.0.1:{db_port}" in down.stderr and "s3cret-pw" not in down.stderr
    assert f"the lock store, Redis at 127.0.0.1:{redis_port}" in down.stderr

    endpoints.write_text(
        yaml.safe_dump({"version": "3.1", "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(tmp_path / "t.db")}})
    )
    assert run_preflight([str(endpoints)]) == 0  # a store that answers: Rasa may start


def test_the_preflight_refuses_a_store_class_that_does_not_load(tmp_path):
    """Rasa 3.6 would warn and keep conversations (or locks) in memory only."""
    endpoints = tmp_path / "endpoints.yml"
    for key, store in (("tracker_store", "tracker store"), ("lock_store", "lock store")):
        endpoints.write_text(yaml.safe_dump({"version": "3.1", key: {"type": "footdrop_rasa.stores.sqlite.NoSuchStore"}}))
        refused = preflight(endpoints)
        assert refused.returncode == 1
        assert f"the {store} type footdrop_rasa.stores.sqlite.NoSuchStore cannot be loaded" in refused.stderr, refused.stderr

    endpoints.write_text(yaml.safe_dump(
        {"version": "3.1", "tracker_store": {"type": "footdrop_rasa.stores.sqlite.SQLiteTrackerStore", "db": str(tmp_path / "t.db")}}
    ))
    assert run_preflight([str(endpoints)]) == 0


async def test_bad_input_over_socketio_gets_a_kind_reply(assistant, web_port):
    client = socketio.AsyncClient(reconnection=False)
    replies: asyncio.Queue = asyncio.Queue()

    @client.on("bot_uttered")
    async def on_reply(data):
        await replies.put(data)

    await client.connect(
        assistant, socketio_path="/socket.io", transports=["polling"],
        headers={"Origin": f"http://127.0.0.1:{web_port}"},
    )
    try:
        # No session_request first, as a buggy client might: it gets a session all the same.
        await client.emit("user_uttered", {"message": "x" * (kind.MAX_MESSAGE_CHARS + 1)})
        assert (await asyncio.wait_for(replies.get(), 20))["text"] == kind.TOO_LONG
        for data in ("just a string", {"message": 42}, {"message": ["a list"]}):
            await client.emit("user_uttered", data)
            assert (await asyncio.wait_for(replies.get(), 20))["text"] == kind.UNREADABLE
    finally:
        await client.disconnect()


def test_a_rasa_whose_model_did_not_load_says_so_on_its_health_route(trained_model, tmp_path):
    """A model file cut short (being written while Rasa started): Rasa serves anyway and ignores
    every message. The REST channel's health route, which `make serve`'s health check asks,
    answers 503 then, and a message gets the clinic fallback, never silence."""
    broken = tmp_path / "cut.tar.gz"
    broken.write_bytes(trained_model.read_bytes()[:100_000])
    port = free_port()
    log = tmp_path / "rasa.log"
    rasa = subprocess.Popen(
        rasa_command("run", "--model", str(broken), "--port", str(port), "--credentials", "credentials.yml"),
        cwd=ROOT, env=dict(os.environ, RASA_TELEMETRY_ENABLED="false"), stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", rasa, log)
        health = requests.get(f"http://127.0.0.1:{port}/webhooks/rest/", timeout=10)
        assert health.status_code == 503 and health.json() == {"status": "no model loaded"}
        replies = send(f"http://127.0.0.1:{port}", "what is foot drop").json()
        assert [r.get("text") for r in replies] == [kind.fallback_text()]
    finally:
        stop(rasa)
