"""Which package may import which (pyproject.toml's import-linter contracts, `make lint`), the
Makefile's list of what a trained model depends on (tools/train_inputs.py), and that the tests
share code only through tests/support/."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.project import ROOT
from tools import train_inputs

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("footdrop", "footdrop_rasa", "actions", "tools", "bench", "evaluation", "staff")


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(project / "pyproject.toml")],
                          cwd=project, env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin", "COLUMNS": "400"},
                          capture_output=True, text=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The project's packages and pyproject.toml, copied: a test may add an import to them."""
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_packages_import_in_one_direction():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    contracts = (ROOT / "pyproject.toml").read_text().count("[[tool.importlinter.contracts]]")
    assert contracts == 5 and f"{contracts} kept, 0 broken" in result.stdout


@pytest.mark.parametrize("source, imported, contract", [
    ("footdrop/triage.py", "import rasa_sdk", "The core (footdrop)"),
    ("footdrop/clinic.py", "from footdrop_rasa.channels import kind", "The core (footdrop)"),
    ("footdrop_rasa/channels/kind.py", "from actions import advice", "The Rasa plug-ins"),
    ("actions/advice.py", "from rasa.shared.core.events import SlotSet", "The actions"),
    ("footdrop/guide.py", "import tools.check", "The core (footdrop)"),
    ("staff/publish.py", "from rasa.core.agent import Agent", "The staff console"),
    ("tools/check.py", "import staff.history", "Commands and benchmarks"),
])
def test_an_import_against_the_direction_is_caught(project: Path, source: str, imported: str, contract: str):
    path = project / source
    path.write_text(path.read_text() + f"\n{imported}  # added by the test\n")
    result = lint_imports(project)
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(line.startswith(contract) for line in broken), result.stdout


def test_the_training_inputs_follow_the_components_imports():
    files = {str(p.relative_to(ROOT)) for p in train_inputs.closure(train_inputs.config_modules(ROOT / "config.yml"))}
    # the components config.yml names, and what they import from the core
    assert {"footdrop_rasa/nlu/linear.py", "footdrop_rasa/nlu/red_flags.py", "footdrop_rasa/policies/rules.py",
            "footdrop/red_flags.py", "footdrop/context.py", "footdrop_rasa/nlu/__init__.py"} <= files
    # not what no component imports: the symptom check's table, the channels
    assert not {"footdrop/triage.py", "footdrop_rasa/channels/kind.py"} & files


def test_a_new_module_a_component_imports_becomes_a_training_input(project: Path):
    (project / "footdrop" / "new_rule.py").write_text("WORDS = ['drag']\n")
    component = project / "footdrop_rasa" / "nlu" / "linear.py"
    component.write_text("from footdrop import new_rule\n" + component.read_text())
    files = {p.relative_to(project).as_posix() for p in train_inputs.closure(["footdrop_rasa.nlu.linear"], root=project)}
    assert "footdrop/new_rule.py" in files


# ---- the tests themselves -------------------------------------------------------------------

TESTS = ROOT / "tests"


def test_tests_share_code_only_through_the_support_package():
    """tests/ is not a package (site-packages has a `tests` of its own, from medspacy_quickumls):
    no file under it imports `tests.*`, a conftest or a test module; the shared helpers are
    `support.*` (tests/support/), and the support package imports no test module either."""
    assert not (TESTS / "__init__.py").exists(), "tests/ must not be a package"
    files = sorted(TESTS.rglob("*.py"))
    assert any(f.parent.name == "support" for f in files) and any(f.name.startswith("test_") for f in files)
    for path in files:
        for module in train_inputs.imported_modules(path):
            parts = module.split(".")
            assert parts[0] not in ("tests", "conftest") and not module.startswith("."), (path, module)
            assert not any(part.startswith("test_") or part == "conftest" for part in parts), (path, module)
    packages = {p.parent.relative_to(TESTS).as_posix() for p in TESTS.rglob("__init__.py")}
    assert packages == {"support"}, f"only tests/support/ is a package: {packages}"
