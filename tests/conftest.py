"""Shared fixtures: the project's files, the trained model, and a real running assistant."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "footdrop.tar.gz"

# Every command the tests run keeps telemetry off: nothing leaves the machine.
os.environ["RASA_TELEMETRY_ENABLED"] = "false"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def load_yaml(relative_path: str) -> Any:
    return yaml.safe_load((ROOT / relative_path).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    return load_yaml("domain.yml")


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The model `make train` built; `make test` trains it once before pytest starts."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL.relative_to(ROOT)} is missing: run `make train` (or `make test`).")
    return MODEL


def rasa_command(*args: str) -> list:
    return [str(BIN / "rasa"), *args]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up in {timeout} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def assistant(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Starts the real action server and Rasa server on free ports; yields Rasa's base URL.

    Conversations go to an SQLite tracker store in a temporary folder, as in production.
    """
    workdir = tmp_path_factory.mktemp("assistant")
    rasa_port, actions_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        yaml.safe_dump(
            {
                "version": "3.1",
                "action_endpoint": {"url": f"http://127.0.0.1:{actions_port}/webhook"},
                "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(workdir / "tracker.db")},
            }
        )
    )
    processes = []
    try:
        actions_log = workdir / "actions.log"
        actions = subprocess.Popen(
            rasa_command("run", "actions", "--port", str(actions_port), "--actions", "actions"),
            cwd=ROOT, stdout=actions_log.open("w"), stderr=subprocess.STDOUT,
        )
        processes.append(actions)
        rasa_log = workdir / "rasa.log"
        rasa = subprocess.Popen(
            rasa_command(
                "run", "--model", str(trained_model), "--port", str(rasa_port),
                "--credentials", "credentials.yml", "--endpoints", str(endpoints),
            ),
            cwd=ROOT, stdout=rasa_log.open("w"), stderr=subprocess.STDOUT,
        )
        processes.append(rasa)
        wait_until_up(f"http://127.0.0.1:{actions_port}/health", actions, actions_log)
        wait_until_up(f"http://127.0.0.1:{rasa_port}/", rasa, rasa_log)
        yield f"http://127.0.0.1:{rasa_port}"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
