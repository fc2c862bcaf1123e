"""Telemetry is off in the Rasa and action servers the tests started: their own environment,
read from /proc (every file that sets it: tests/unit/test_telemetry.py)."""

from __future__ import annotations

import os
from pathlib import Path


NAME = "RASA_TELEMETRY_ENABLED"


def test_the_running_servers_have_it_off(assistant):
    """The Rasa and action servers the tests started really run with it (Linux /proc)."""
    found = {}
    for proc in Path("/proc").iterdir():
        try:
            if not proc.name.isdigit() or int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) != os.getpid():
                continue
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            environment = dict(item.split("=", 1) for item in (proc / "environ").read_bytes().decode().split("\0") if "=" in item)
        except (OSError, ValueError, IndexError):
            continue  # a process that ended meanwhile
        if "rasa run" in command or "/rasa run" in command:
            found["actions" if " run actions" in command else "rasa"] = environment.get(NAME)
    assert found == {"rasa": "false", "actions": "false"}, found
