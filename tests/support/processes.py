"""Starting and stopping the servers the tests run: free ports, waiting until a server answers,
stopping it, the rasa command and the endpoints a test's own Rasa server uses."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from typing import Any, Dict

import requests

from support.project import BIN, load_yaml


def endpoints_for(actions_port: int, tracker_store: Dict[str, Any]) -> Dict[str, Any]:
    """The project's endpoints.yml (its response generator included) with a test's own action
    server and conversation store."""
    endpoints = load_yaml("endpoints.yml")
    endpoints["action_endpoint"] = {"url": f"http://127.0.0.1:{actions_port}/webhook"}
    endpoints["tracker_store"] = tracker_store
    return endpoints


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


def stop(process: subprocess.Popen) -> None:
    """Stops a server the tests started: politely, then by force after 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
