"""A deployment copied from .env.example must not run with its passwords (issue 16): the
preflight that `make serve PROFILE=scale` and the rasa image's entrypoint run stops first,
naming the variable to set, before it ever connects."""

from __future__ import annotations

import os
import subprocess

import yaml

from support.processes import free_port
from support.project import ROOT

BIN = ROOT / ".venv" / "bin"


def example_values() -> dict:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def preflight(env: dict) -> subprocess.CompletedProcess:
    """endpoints.scale.yml itself, with the variables of a copied .env.example."""
    return subprocess.run(
        [str(BIN / "python"), "-m", "footdrop_rasa.channels.preflight", str(ROOT / "endpoints.scale.yml")], cwd=ROOT,
        capture_output=True, text=True, timeout=120, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", **env},
    )


def test_the_example_passwords_stop_the_start_and_name_what_to_set():
    example = example_values()
    env = {**example, "DB_HOST": "127.0.0.1", "DB_PORT": str(free_port()), "REDIS_HOST": "127.0.0.1",
           "REDIS_PORT": str(free_port()), "ACTION_ENDPOINT_URL": "http://127.0.0.1:5055/webhook"}
    refused = preflight(env)
    assert refused.returncode == 1
    assert "password is still the example from .env.example: set DB_PASSWORD" in refused.stderr
    assert "set REDIS_PASSWORD" in refused.stderr
    assert example["DB_PASSWORD"] not in refused.stderr and "does not answer" not in refused.stderr
    # Real passwords get past this check (and on to the stores, which do not answer here).
    real = preflight({**env, "DB_PASSWORD": "e" * 48, "REDIS_PASSWORD": "f" * 48})
    assert real.returncode == 1 and "example" not in real.stderr and "does not answer" in real.stderr


def test_the_compose_file_takes_the_passwords_from_the_environment_only():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    text = yaml.safe_dump(compose)
    assert "change-me" not in text, "no example password as a default in docker-compose.yml"
