"""Starting and stopping the servers the tests run: free ports and waiting until a server answers
(bench/serve.py's, which the benchmarks use), stopping it, the rasa command and the endpoints a
test's own Rasa server uses."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, Dict

from bench.serve import free_port, wait_for_http
from support.project import BIN, load_yaml

__all__ = ["endpoints_for", "free_port", "rasa_command", "stop", "wait_until_up"]


def endpoints_for(actions_port: int, tracker_store: Dict[str, Any]) -> Dict[str, Any]:
    """The project's endpoints.yml (its response generator included) with a test's own action
    server and conversation store."""
    endpoints = load_yaml("endpoints.yml")
    endpoints["action_endpoint"] = {"url": f"http://127.0.0.1:{actions_port}/webhook"}
    endpoints["tracker_store"] = tracker_store
    return endpoints


def rasa_command(*args: str) -> list:
    return [str(BIN / "rasa"), *args]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    """Until ``url`` answers (bench/serve.py's wait, polling every 0.5 s); an error with the end
    of ``log`` if the process exits or ``timeout`` passes."""
    wait_for_http(url, process, log, timeout, poll=0.5)


def stop(process: subprocess.Popen) -> None:
    """Stops a server the tests started: politely, then by force after 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
