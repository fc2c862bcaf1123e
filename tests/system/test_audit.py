"""The real pip-audit (from `make audit`'s venv, .venv-audit, or PIP_AUDIT) run by tools/audit.py:
never a pass when it could not audit (the verdicts on its reports: tests/unit/test_audit.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


from support.project import ROOT
from tools.audit import DEFAULT_PIP_AUDIT


# pip-audit from `make audit`'s venv, or the one PIP_AUDIT names.
PIP_AUDIT = os.environ.get("PIP_AUDIT") or str(DEFAULT_PIP_AUDIT)


def run_audit(*args, pip_audit=PIP_AUDIT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tools.audit", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PIP_AUDIT": pip_audit})


def test_the_real_pip_audit_either_audits_everything_or_says_it_could_not(tmp_path):
    assert Path(PIP_AUDIT).is_file(), f"pip-audit is missing at {PIP_AUDIT}: run `make .venv-audit/.installed`"
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("six==1.17.0\nidna==3.20\n")
    for service in ("pypi", "osv"):
        result = run_audit("--requirements", str(requirements), "--service", service)
        if result.returncode == 0:
            assert "2 packages audited: no known vulnerabilities" in result.stdout, result.stdout
        else:
            assert result.returncode == 2, result.stdout + result.stderr
            assert "could not reach a vulnerability service" in result.stdout, result.stdout
