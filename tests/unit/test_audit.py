"""The dependency audit (tools/audit.py, `make audit`): its verdict on pip-audit's report, the
ignore list, and a missing pip-audit, which must never pass (the real pip-audit:
tests/system/test_audit.py).

Reports below are in the shape pip-audit 2.10.1 writes with --format json --aliases on
--desc off (pip_audit/_format/json.py): audited packages have name, version and vulns (id,
fix_versions, aliases); packages it could not audit have name and skip_reason only.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from support.project import ROOT
from tools.audit import DEFAULT_PIP_AUDIT, decide, load_ignores

IGNORE_FILE = ROOT / "security" / "audit-ignore.yml"


# pip-audit from `make audit`'s venv, or the one PIP_AUDIT names.
PIP_AUDIT = os.environ.get("PIP_AUDIT") or str(DEFAULT_PIP_AUDIT)


def audited(name, version, *vulns):
    return {"name": name, "version": version, "vulns": list(vulns)}


def vuln(id, aliases=(), fixed=()):
    return {"id": id, "fix_versions": list(fixed), "aliases": list(aliases)}


def skipped(name, version):
    return {"name": name, "skip_reason": f"Dependency not found on PyPI and could not be audited: {name} ({version})"}


def report(*dependencies):
    return {"dependencies": list(dependencies), "fixes": []}


IGNORES = [{"id": "CVE-2023-33976", "package": "tensorflow", "reason": "our own model graph only"}]


def test_everything_audited_and_clean_passes():
    outcome = decide(report(audited("six", "1.17.0"), audited("idna", "3.20")), IGNORES)
    assert outcome.status == 0, outcome.lines
    assert "2 packages audited" in outcome.lines[0]


def test_a_new_advisory_fails_naming_package_version_and_id():
    outcome = decide(report(
        audited("six", "1.17.0"),
        audited("aiohttp", "3.9.5", vuln("GHSA-aaaa-bbbb-cccc", ["CVE-2099-0001"], ["3.13.4"])),
    ), IGNORES)
    assert outcome.status == 1
    assert "aiohttp 3.9.5: GHSA-aaaa-bbbb-cccc (CVE-2099-0001), fixed in: 3.13.4" in outcome.lines


def test_an_ignored_advisory_matches_by_id_or_alias_for_its_package_only():
    by_alias = audited("tensorflow", "2.12.0", vuln("PYSEC-2099-1", ["CVE-2023-33976", "GHSA-gjh7-xx4r-x345"]))
    by_id = audited("TensorFlow", "2.12.0", vuln("CVE-2023-33976"))
    assert decide(report(by_alias, by_id), IGNORES).status == 0
    other_package = audited("keras", "2.12.0", vuln("CVE-2023-33976"))
    outcome = decide(report(by_alias, other_package), IGNORES)
    assert outcome.status == 1 and outcome.lines[0].startswith("keras 2.12.0: CVE-2023-33976")


def test_packages_not_audited_are_never_a_pass():
    outcome = decide(report(audited("six", "1.17.0"), skipped("requests", "2.34.2"), skipped("sanic", "21.12.2")), IGNORES)
    assert outcome.status == 2
    assert "could not reach a vulnerability service: 2 of 3 packages not audited" in outcome.lines[-1]
    assert decide(report(), IGNORES).status == 2  # nothing audited at all


def test_a_new_advisory_is_reported_even_when_other_packages_were_not_audited():
    outcome = decide(report(audited("aiohttp", "3.9.5", vuln("GHSA-aaaa-bbbb-cccc")), skipped("sanic", "21.12.2")), [])
    assert outcome.status == 1
    assert any("1 of 2 packages not audited" in line for line in outcome.lines)


def test_every_ignore_entry_has_a_reason_and_names_a_locked_package(tmp_path):
    locked = {line.split("==")[0].lower() for line in (ROOT / "requirements.lock").read_text().splitlines()
              if "==" in line and not line.startswith("#")}
    entries = load_ignores(IGNORE_FILE)
    assert entries
    for entry in entries:
        assert entry["package"].lower() in locked, entry
        assert len(entry["reason"].split()) >= 10, f"{entry['id']}: say why it does not apply here"

    bad = tmp_path / "ignore.yml"
    bad.write_text(yaml.safe_dump({"ignore": [{"id": "CVE-2099-1", "package": "six"}]}))
    with pytest.raises(ValueError, match="entry 1 needs a non-empty id, package, reason"):
        load_ignores(bad)


def run_audit(*args, pip_audit=PIP_AUDIT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tools.audit", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PIP_AUDIT": pip_audit})


def test_a_missing_pip_audit_is_an_error_not_a_pass(tmp_path):
    result = run_audit(pip_audit=str(tmp_path / "no-such-pip-audit"))
    assert result.returncode == 2
    assert "pip-audit not found" in result.stdout
