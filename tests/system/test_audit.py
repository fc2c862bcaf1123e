"""The real pip-audit (from `make audit`'s venv, .venv-audit, or PIP_AUDIT) run by tools/audit.py:
never a pass when it could not audit (the verdicts on its reports: tests/unit/test_audit.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support.processes import free_port
from support.project import ROOT
from tools.audit import DEFAULT_PIP_AUDIT

# pip-audit from `make audit`'s venv, or the one PIP_AUDIT names.
PIP_AUDIT = os.environ.get("PIP_AUDIT") or str(DEFAULT_PIP_AUDIT)


def run_audit(*args, pip_audit=PIP_AUDIT, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tools.audit", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PIP_AUDIT": pip_audit, **(env or {})})


def test_the_real_pip_audit_cut_off_from_its_service_is_never_a_pass(tmp_path):
    """The real pip-audit when no vulnerability service answers: every request goes through a
    proxy on a port where nothing listens, with an empty cache, so the outcome does not depend on
    whether pypi.org or osv.dev can be reached from here: an error saying so, never a pass."""
    assert Path(PIP_AUDIT).is_file(), f"pip-audit is missing at {PIP_AUDIT}: run `make .venv-audit/.installed`"
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("six==1.17.0\nidna==3.20\n")
    nowhere = f"http://127.0.0.1:{free_port()}"
    offline = {"HTTPS_PROXY": nowhere, "HTTP_PROXY": nowhere, "https_proxy": nowhere, "http_proxy": nowhere,
               "NO_PROXY": "", "no_proxy": "", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for service in ("pypi", "osv"):
        result = run_audit("--requirements", str(requirements), "--service", service, env=offline)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "could not reach a vulnerability service" in result.stdout, result.stdout
        assert "no known vulnerabilities" not in result.stdout, result.stdout
