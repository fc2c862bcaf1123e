"""Known vulnerabilities in the locked dependencies: pip-audit over requirements.lock.

    .venv/bin/python -m tools.audit [--requirements requirements.lock]
                                    [--ignore security/audit-ignore.yml] [--service pypi]
    make audit

pip-audit runs from its own venv (.venv-audit, built by `make audit`; it needs a newer
`packaging` than Rasa 3.6 allows) or from the PIP_AUDIT environment variable, over the lock
as it is (--no-deps --disable-pip), and reports in JSON. Advisories listed in
security/audit-ignore.yml (id, package, reason: why it does not apply here) are accepted;
an entry matches an advisory by its id or any of its aliases (CVE, GHSA, PYSEC).

Exit status:
    0  every package was audited and no advisory outside the ignore list was found
    1  new advisories: each is named with its package and version
    2  the audit could not be done: packages not audited (no vulnerability service
       reachable), pip-audit missing or failing, or an invalid ignore list. Never a pass.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence

import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PIP_AUDIT = REPO / ".venv-audit" / "bin" / "pip-audit"
IGNORE_FIELDS = ("id", "package", "reason")


@dataclass
class Outcome:
    status: int  # 0, 1 or 2, as in the module docstring
    lines: List[str] = field(default_factory=list)


def load_ignores(path: Path) -> list:
    """The ignore list: entries with a non-empty id, package and reason; ValueError naming the bad entry."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("ignore") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list under 'ignore:' (entries with {', '.join(IGNORE_FIELDS)})")
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not all(str(entry.get(k) or "").strip() for k in IGNORE_FIELDS):
            raise ValueError(f"{path}: entry {number} needs a non-empty {', '.join(IGNORE_FIELDS)}: {entry!r}")
    return entries


def canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def decide(report: dict, ignores: list) -> Outcome:
    """The verdict on pip-audit's JSON report ({"dependencies": [...], "fixes": [...]})."""
    dependencies = report.get("dependencies") or []
    if not dependencies:
        return Outcome(2, ["pip-audit reported no packages: nothing was audited."])
    ignored = {(canonical(e["package"]), str(e["id"])) for e in ignores}
    skipped = [d for d in dependencies if "skip_reason" in d]
    lines, new, accepted = [], 0, 0
    for dependency in dependencies:
        for vuln in dependency.get("vulns") or []:
            ids = [vuln["id"], *(vuln.get("aliases") or [])]
            if any((canonical(dependency["name"]), i) in ignored for i in ids):
                accepted += 1
                continue
            new += 1
            fixed = ", ".join(vuln.get("fix_versions") or []) or "none yet"
            aliases = f" ({', '.join(vuln.get('aliases'))})" if vuln.get("aliases") else ""
            lines.append(f"{dependency['name']} {dependency['version']}: {vuln['id']}{aliases}, fixed in: {fixed}")
    if new:
        lines.append(f"{new} new advisor{'y' if new == 1 else 'ies'}: upgrade the package (pin it in "
                     f"requirements.lock) or, if it does not apply here, add it to the ignore list with the reason.")
    if skipped:
        lines.append(f"could not reach a vulnerability service: {len(skipped)} of {len(dependencies)} packages "
                     f"not audited (e.g. {skipped[0]['skip_reason']})")
    if new:
        return Outcome(1, lines)
    if skipped:
        return Outcome(2, lines)
    return Outcome(0, [f"{len(dependencies)} packages audited: no known vulnerabilities outside the ignore list "
                       f"({accepted} accepted, each with its reason in the ignore list)."])


def run_pip_audit(pip_audit: str, requirements: Path, service: str) -> Outcome | dict:
    """pip-audit's JSON report, or an Outcome(2) saying why there is none."""
    if not Path(pip_audit).is_file():
        return Outcome(2, [f"pip-audit not found at {pip_audit}: run `make audit` (it builds .venv-audit) "
                           f"or set PIP_AUDIT to a pip-audit executable."])
    command = [pip_audit, "-r", str(requirements), "--no-deps", "--disable-pip", "--format", "json",
               "--aliases", "on", "--desc", "off", "--progress-spinner", "off", "-s", service]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:  # pip-audit crashed, e.g. the service's host did not resolve
        last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        return Outcome(2, [f"could not reach a vulnerability service: pip-audit ({service}) failed with "
                           f"exit status {result.returncode}: {last}"])


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.audit", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requirements", type=Path, default=REPO / "requirements.lock")
    parser.add_argument("--ignore", type=Path, default=REPO / "security" / "audit-ignore.yml")
    parser.add_argument("--service", choices=("pypi", "osv"), default="pypi",
                        help="pip-audit's vulnerability service (default: pypi)")
    args = parser.parse_args(argv)

    try:
        ignores = load_ignores(args.ignore)
    except (OSError, ValueError, yaml.YAMLError) as error:
        print(f"audit: {error}")
        return 2
    report = run_pip_audit(os.environ.get("PIP_AUDIT") or str(DEFAULT_PIP_AUDIT), args.requirements, args.service)
    outcome = report if isinstance(report, Outcome) else decide(report, ignores)
    for line in outcome.lines:
        print(f"audit: {line}")
    return outcome.status


if __name__ == "__main__":
    sys.exit(main())
