"""Shared fixtures: the patient store left alone, the trained model, a real running assistant,
and Chromium for the widget's tests. Their helpers live in tests/support/ (``support.*``).

tests/ is not a package (no __init__.py; pytest imports test files with --import-mode=importlib):
a dependency, medspacy_quickumls, installs a top-level ``tests`` package of its own into
site-packages, which ``from tests.x import ...`` could find instead of ours. Test modules import
shared code from ``support``, never from each other or from this file."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import yaml

from support.processes import endpoints_for, free_port, rasa_command, stop, wait_until_up
from support.project import MODEL, ROOT, load_yaml

# Every command the tests run keeps telemetry off: nothing leaves the machine.
os.environ["RASA_TELEMETRY_ENABLED"] = "false"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

#: the patients' conversations under `make serve` (endpoints.yml): no test may read or write them
PATIENT_STORE = ROOT / "var"


def patient_store_state() -> Dict[str, Any]:
    """The patient store's files (the database, its write-ahead log, its folder) as they are:
    size and last change of each; empty when there is none (a fresh clone)."""
    return {
        path.name: (path.stat().st_size, path.stat().st_mtime_ns)
        for path in [PATIENT_STORE, *sorted(PATIENT_STORE.glob("tracker.db*"))]
        if path.exists()
    }


@pytest.fixture(scope="session", autouse=True)
def the_patient_store_is_left_alone() -> Iterator[None]:
    """Tests, and the evaluations and benchmarks they run, keep their conversations in stores
    of their own (issue 16): var/ is exactly as it was when the run began, or the run fails."""
    before = patient_store_state()
    yield
    after = patient_store_state()
    assert after == before, f"the test run changed the patient store {PATIENT_STORE}: {before} -> {after}"


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    return load_yaml("domain.yml")


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The model `make train` built; `make test` trains it once before pytest starts."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL.relative_to(ROOT)} is missing: run `make train` (or `make test`).")
    return MODEL


@pytest.fixture(scope="session")
def web_port() -> int:
    """The port of the test's web page: the only page origin the assistant accepts."""
    return free_port()


class Assistant(str):
    """The running assistant's base URL (a str), able to restart its Rasa server."""

    rasa: subprocess.Popen
    command: list
    log: Path
    tracker_db: Path

    def events(self, sender_id: str) -> list:
        """The events Rasa stored for a conversation, read from its SQLite tracker store (a REST
        sender's conversation under the id its secret gives, tests/support/rest_client.py)."""
        from support.rest_client import stored_id

        with sqlite3.connect(self.tracker_db) as db:
            rows = db.execute(
                "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (stored_id(str(self), sender_id),)
            ).fetchall()
        return [json.loads(data) for (data,) in rows]

    def user_texts(self, sender_id: str) -> list:
        return [e.get("text") for e in self.events(sender_id) if e.get("event") == "user"]

    def stop_rasa(self) -> None:
        self.rasa.terminate()
        self.rasa.wait(timeout=30)

    def start_rasa(self) -> None:
        self.rasa = subprocess.Popen(self.command, cwd=ROOT, stdout=self.log.open("a"), stderr=subprocess.STDOUT)
        wait_until_up(f"{self}/", self.rasa, self.log)


@pytest.fixture(scope="session")
def assistant(trained_model: Path, web_port: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """Starts the real action server and Rasa server on free ports; yields Rasa's base URL.

    Conversations go to an SQLite tracker store in a temporary folder, as in production, and
    the socket.io channel accepts browser pages from the test's web page origin only.
    """
    workdir = tmp_path_factory.mktemp("assistant")
    rasa_port, actions_port = free_port(), free_port()
    credentials = load_yaml("credentials.yml")
    channel = "footdrop_rasa.channels.socketio_origin.OriginCheckedSocketIOInput"
    credentials[channel]["allowed_origins"] = [f"http://127.0.0.1:{web_port}", f"http://localhost:{web_port}"]
    (workdir / "credentials.yml").write_text(yaml.safe_dump(credentials))
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        yaml.safe_dump(
            endpoints_for(actions_port, {"type": "footdrop_rasa.stores.sqlite.SQLiteTrackerStore", "db": str(workdir / "tracker.db")})
        )
    )
    processes = []
    running = None
    try:
        actions_log = workdir / "actions.log"
        actions = subprocess.Popen(
            rasa_command("run", "actions", "--port", str(actions_port), "--actions", "actions"),
            cwd=ROOT, stdout=actions_log.open("w"), stderr=subprocess.STDOUT,
        )
        processes.append(actions)
        running = Assistant(f"http://127.0.0.1:{rasa_port}")
        running.log = workdir / "rasa.log"
        running.tracker_db = workdir / "tracker.db"
        running.command = rasa_command(
            "run", "--model", str(trained_model), "--port", str(rasa_port),
            "--credentials", str(workdir / "credentials.yml"), "--endpoints", str(endpoints),
        )
        wait_until_up(f"http://127.0.0.1:{actions_port}/health", actions, actions_log)
        running.start_rasa()
        yield running
    finally:
        if running is not None and getattr(running, "rasa", None) is not None:
            processes.append(running.rasa)
        for process in processes:
            stop(process)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright (`make test` installs it: scripts/install-test-deps)."""
    from support.browser import launched

    with launched() as running:
        yield running
