"""footdrop_rasa/rasa_patches.py and footdrop_rasa/rasa_version.py: what the project changes in a
running Rasa server is installed once, when the channels start; on another Rasa release each
part that relies on Rasa's private code stops the start naming its switch; with the switch,
Rasa's own behaviour. Each case runs in its own Python process (the changes are per process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from footdrop_rasa.rasa_version import TESTED_RASA, UntestedRasaError, require_tested_rasa

PROBE = textwrap.dedent("""
    import asyncio, json, logging, sys
    import rasa
    if len(sys.argv) > 1:
        rasa.__version__ = sys.argv[1]
    import rasa.core.actions.action as remote_actions
    from footdrop_rasa import rasa_patches
    from footdrop_rasa.channels import kind

    async def failing_turn():
        logging.getLogger("rasa.core.processor").error("Encountered an exception while running action 'x'")

    async def main():
        task, failures = rasa_patches.run_counting_failed_actions(failing_turn())
        await task
        return failures["failed_actions"]

    try:
        kind.configure(20)  # what each channel runs when Rasa creates it
    except Exception as error:
        print(json.dumps({"error": str(error)}))
        sys.exit(0)
    print(json.dumps({"wait": remote_actions.DEFAULT_REQUEST_TIMEOUT, "again": rasa_patches.install(),
                      "failed": asyncio.run(main())}))
""")


def probe(*args: str, **env: str) -> dict:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                            env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", **env}, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_installed_when_the_channels_start_on_the_tested_rasa():
    assert probe(FOOTDROP_ACTION_TIMEOUT="7") == {"wait": 7.0, "again": 7.0, "failed": 1}


def test_switched_off_rasa_waits_as_it_does_itself_and_nothing_is_counted():
    assert probe(FOOTDROP_RASA_PATCHES="off") == {"wait": 300.0, "again": 300.0, "failed": 0}


def test_on_another_rasa_release_the_start_stops_naming_the_switch():
    stopped = probe("3.7.0")
    assert "FOOTDROP_RASA_PATCHES=off" in stopped["error"] and "3.7.0" in stopped["error"]
    assert probe("3.7.0", FOOTDROP_RASA_PATCHES="off")["wait"] == 300.0


def test_the_version_check_names_the_part_its_private_code_and_the_way_back(monkeypatch):
    import rasa

    require_tested_rasa("a part", "Rasa.private", "set x")  # the tested release: nothing to say
    monkeypatch.setattr(rasa, "__version__", "3.6.20")
    with pytest.raises(UntestedRasaError) as stopped:
        require_tested_rasa("SomePart (footdrop_rasa/x.py)", "Rasa._private", "set `x: false` in config.yml")
    message = str(stopped.value)
    for words in ("SomePart (footdrop_rasa/x.py)", "Rasa._private", "set `x: false` in config.yml",
                  f"rasa=={TESTED_RASA}", "3.6.20"):
        assert words in message
