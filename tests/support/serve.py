"""`make serve` as a clinic runs it, for the tests that must try the real thing: scripts/serve
(supervisord and every process under it) in a copy of the project whose files are links to
this one's, so that its `var/` (the store, supervisord's socket and log) is the copy's own,
never the patient database."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator

from support.processes import free_port, wait_until_up
from support.project import ROOT

#: what the copy does not share with the project: its own store and reports
OWN = {"var", "reports", ".git", ".pytest_cache"}


@dataclass
class Served:
    project: Path
    ports: Dict[str, int]
    log: Path
    process: subprocess.Popen

    def ctl(self, *args: str) -> str:
        """supervisorctl on this copy's supervisord (its control socket and password)."""
        command = [str(ROOT / ".venv/bin/supervisorctl"), "-c", str(self.project / "var/run/supervisord.conf"), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=self.project).stdout

    def pid(self, program: str) -> int:
        return int(self.ctl("pid", program).strip())


@contextlib.contextmanager
def serve(tmp_path: Path, **env: str) -> Iterator[Served]:
    """Starts scripts/serve in a linked copy under ``tmp_path`` on free ports; stops it with
    Ctrl-C (SIGINT) after."""
    project = tmp_path / "project"
    project.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in OWN:
            (project / entry.name).symlink_to(entry)
    ports = {"RASA_PORT": free_port(), "ACTIONS_PORT": free_port(), "WEB_PORT": free_port()}
    log = tmp_path / "serve.log"
    environment = {**os.environ, **{k: str(v) for k, v in ports.items()}, **env}
    environment.pop("RASA_INTERFACE", None)
    process = subprocess.Popen(
        ["scripts/serve"], cwd=project, env=environment, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{ports['RASA_PORT']}/webhooks/rest/", process, log)  # model loaded
        wait_until_up(f"http://127.0.0.1:{ports['ACTIONS_PORT']}/health", process, log)
        yield Served(project, ports, log, process)
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C, as at the terminal
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
