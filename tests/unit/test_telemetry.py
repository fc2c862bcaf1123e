"""Telemetry is off wherever Rasa runs: RASA_TELEMETRY_ENABLED=false, so nothing leaves the machine.

Each place is parsed, not grepped: the Makefile's top-level `export`, an `export` in every
script that runs rasa (before it runs it), `ENV` in every Dockerfile stage that runs rasa and in
every final stage, the environment of every docker-compose service that runs a Rasa image, the
module-level assignment in tests/conftest.py, and the Python helpers that start rasa themselves.
The running test servers' own environment (/proc): tests/system/test_telemetry.py.
"""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from support.project import ROOT

NAME = "RASA_TELEMETRY_ENABLED"


# A rasa CLI command (not rasa_sdk, not a path or an image name such as rasa/rasa:3.6.21).
RASA_COMMAND = re.compile(
    r"(?:^|[\s;&|(/])rasa\s+(?:run|train|test|data|shell|interactive|init|visualize|evaluate|export|telemetry)\b"
)


# ------------------------------------------------------------------------- Makefile, scripts


def test_the_makefile_exports_it_for_every_command():
    lines = (ROOT / "Makefile").read_text().splitlines()
    exports = [line for line in lines if re.match(rf"export\s+{NAME}\s*:?=\s*false\s*$", line)]
    assert exports, f"Makefile: add a top-level `export {NAME} := false`"
    # Nowhere else set to anything else (a recipe line, a later assignment, `?=` that the
    # caller's environment would win over).
    others = [line for line in lines if NAME in line and line not in exports and not line.lstrip().startswith("#")]
    assert not others, f"Makefile sets {NAME} elsewhere: {others}"


def shell_scripts() -> Dict[Path, List[str]]:
    """scripts/* and .ci/run that are shell scripts: their lines, full-line comments blanked."""
    scripts = {}
    for path in [*ROOT.glob("scripts/*"), ROOT / ".ci" / "run"]:
        lines = path.read_text(errors="replace").splitlines() if path.is_file() else []
        if lines and lines[0].startswith("#!") and "sh" in lines[0]:
            scripts[path] = ["" if line.lstrip().startswith("#") else line for line in lines]
    return scripts


def test_every_script_that_runs_rasa_exports_it_first():
    checked = []
    for script, lines in shell_scripts().items():
        runs = [i for i, line in enumerate(lines) if RASA_COMMAND.search(line)]
        if not runs:
            continue  # e.g. scripts/find-python310, .ci/run (which runs make: see the Makefile test)
        exports = [i for i, line in enumerate(lines)
                   if re.fullmatch(rf"export {NAME}=(false|\"false\"|'false')", line.strip())]
        where = script.relative_to(ROOT)
        assert exports and exports[0] < runs[0], f"{where}: `export {NAME}=false` before it runs rasa (line {runs[0] + 1})"
        others = [line.strip() for i, line in enumerate(lines) if NAME in line and i not in exports]
        assert not others, f"{where} sets {NAME} elsewhere: {others}"
        checked.append(where)
    assert Path("scripts/serve") in checked  # the script `make serve` runs is found and checked


# --------------------------------------------------------------------------------- Docker


def dockerfile_instructions(path: Path) -> List[tuple]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    instructions, current = [], ""
    for line in path.read_text().splitlines():
        if line.strip().startswith("#"):
            continue  # comments, also inside a continued instruction
        current += line.rstrip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        if current.strip():
            keyword, _, rest = current.strip().partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
        current = ""
    return instructions


def env_values(arguments: str) -> Dict[str, str]:
    """The variables an ENV instruction sets: `ENV A=1 B="2"` or the legacy `ENV A 1`."""
    words = shlex.split(arguments)
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    return dict(word.split("=", 1) for word in words)


def telemetry_problems(path: Path) -> List[str]:
    """What is wrong with telemetry in a Dockerfile: stages that run rasa or end without ENV ...=false."""
    problems, stages = [], {}
    state, current = None, None  # the stage's value of RASA_TELEMETRY_ENABLED; the stage's name
    for keyword, arguments in dockerfile_instructions(path):
        if keyword == "FROM":
            words = arguments.split()
            base = next((w for w in words if not w.startswith("--")), "")
            state = stages.get(base)  # FROM an earlier stage inherits its ENV; an image starts afresh
            name = words[-1] if len(words) >= 3 and words[-2].upper() == "AS" else None
            current = name
        elif keyword == "ENV":
            state = env_values(arguments).get(NAME, state)
        elif keyword == "RUN" and RASA_COMMAND.search(arguments) and state != "false":
            problems.append(f"RUN {arguments[:60]} runs rasa without ENV {NAME}=false before it")
        if keyword in ("FROM", "ENV") and current:
            stages[current] = state
    if state != "false":
        problems.append(f"the final stage has no ENV {NAME}=false (or sets it to {state!r})")
    return problems


def dockerfiles() -> List[Path]:
    return sorted({*ROOT.glob("*Dockerfile*"), *ROOT.glob("docker/*Dockerfile*")})


def test_every_dockerfile_sets_it_in_every_stage_that_runs_rasa_and_in_the_image(tmp_path):
    for dockerfile in dockerfiles():
        assert not telemetry_problems(dockerfile), f"{dockerfile.relative_to(ROOT)}: {telemetry_problems(dockerfile)}"

    # The parser itself, on what must fail: a build stage training without it, an image without it.
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM rasa/rasa:3.6.21 AS train\nRUN rasa train --out models\n"
                   "FROM rasa/rasa:3.6.21\nENV OTHER=1 \\\n    RASA_TELEMETRY_ENABLED=true\n")
    assert len(telemetry_problems(bad)) == 2
    good = tmp_path / "Dockerfile.good"
    good.write_text(f"FROM rasa/rasa:3.6.21 AS base\nENV {NAME}=false\nRUN rasa train\n"
                    "FROM base\nCMD [\"run\"]\n")
    assert telemetry_problems(good) == []


def service_environment(service: dict) -> Dict[str, Optional[str]]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):  # ["NAME=value", ...]
        environment = dict(item.split("=", 1) if "=" in item else (item, None) for item in environment)
    return {str(k): v for k, v in environment.items()}


def test_every_compose_service_that_runs_rasa_has_it_off():
    compose = ROOT / "docker-compose.yml"
    if not compose.exists():
        return  # no compose file (yet): nothing runs there
    services = (yaml.safe_load(compose.read_text()) or {}).get("services") or {}
    rasa_services = []
    for name, service in services.items():
        value = service_environment(service).get(NAME)
        assert value in (None, "false"), f"docker-compose.yml: service {name} sets {NAME}={value!r}"
        build = service.get("build")
        dockerfile = None
        if build:
            context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
            dockerfile = context / (build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile")
        text = dockerfile.read_text() if dockerfile and dockerfile.exists() else ""
        runs_rasa = "rasa" in str(service.get("image", "")) or re.search(r"^FROM\s+rasa/", text, re.M | re.I)
        if not runs_rasa:
            continue
        rasa_services.append(name)
        from_image = dockerfile is not None and dockerfile.exists() and not telemetry_problems(dockerfile)
        assert value == "false" or from_image, f"docker-compose.yml: service {name} runs Rasa without {NAME}=false"
    assert rasa_services, "docker-compose.yml: no service found that runs Rasa: is the check still right?"


# ----------------------------------------------------------------------- tests and helpers


def sets_it_false(tree: ast.AST) -> bool:
    """os.environ[NAME] = "false", or a dict {NAME: "false"} (an env= for a subprocess)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Subscript) and ast.unparse(t.value) == "os.environ" and ast.unparse(t.slice) == repr(NAME)
            for t in node.targets
        ):
            if isinstance(node.value, ast.Constant) and node.value.value == "false":
                return True
        if isinstance(node, ast.Dict) and any(
            isinstance(k, ast.Constant) and k.value == NAME and isinstance(v, ast.Constant) and v.value == "false"
            for k, v in zip(node.keys, node.values)
        ):
            return True
    return False


def test_conftest_sets_it_at_import_for_every_server_the_tests_start():
    tree = ast.parse((ROOT / "tests" / "conftest.py").read_text())
    module_level = [node for node in tree.body if isinstance(node, ast.Assign)]
    assert any(sets_it_false(node) for node in module_level), \
        f'tests/conftest.py: os.environ["{NAME}"] = "false" at module level, before any fixture starts rasa'


def test_python_helpers_that_start_rasa_themselves_set_it():
    for path in [*ROOT.glob("tools/*.py"), *ROOT.glob("evaluation/*.py"), *ROOT.glob("bench/*.py")]:
        tree = ast.parse(path.read_text())
        starts_rasa = any(isinstance(n, ast.Constant) and n.value in ("rasa", "bin/rasa", ".venv/bin/rasa")
                          for n in ast.walk(tree))
        if starts_rasa:
            assert sets_it_false(tree), f"{path.relative_to(ROOT)} starts rasa: set {NAME}=false in its environment"
