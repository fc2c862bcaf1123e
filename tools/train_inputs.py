"""The project's Python files a trained model depends on, for the Makefile's TRAIN_INPUTS.

Reads the custom components and policies named in config.yml (``name: package.module.Class``)
and follows their imports through the project's own packages, so a new module a component
imports is a training input without anyone adding it to a list.

    python3 tools/train_inputs.py config.yml            # the model's inputs
    python3 tools/train_inputs.py --module footdrop.red_flags   # what a module depends on

Standard library only: the Makefile runs it with any Python 3, before .venv exists.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path
from typing import Iterable, List, Optional, Set

ROOT = Path(__file__).resolve().parent.parent
#: the project's own packages whose modules can change what a model learns or does
PACKAGES = ("footdrop", "footdrop_rasa")
COMPONENT = re.compile(r"^\s*-?\s*name:\s*([A-Za-z_][\w.]*)\s*$")


def module_file(module: str, root: Path = ROOT) -> Optional[Path]:
    """The file of a project module (``a.b`` -> a/b.py or a/b/__init__.py), or None."""
    if module.split(".")[0] not in PACKAGES:
        return None
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _package_inits(module: str, root: Path) -> Iterable[Path]:
    parts = module.split(".")
    for n in range(1, len(parts)):
        init = root.joinpath(*parts[:n], "__init__.py")
        if init.is_file():
            yield init


def imported_modules(path: Path) -> Set[str]:
    """Every module a file imports, at any depth of its code (lazy imports count). A relative
    import keeps its leading dots (``from .x import y`` gives ".x" and ".x.y")."""
    found: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            found.add(module)
            # `from footdrop import triage` imports the module footdrop.triage
            joiner = "" if module.endswith(".") else "."
            found.update(f"{module}{joiner}{alias.name}" for alias in node.names)
    return found


def closure(modules: Iterable[str], root: Path = ROOT) -> List[Path]:
    """The files of ``modules`` and of every project module they import, transitively."""
    seen: Set[Path] = set()
    todo = list(modules)
    while todo:
        module = todo.pop()
        path = module_file(module, root)
        if path is None or path in seen:
            continue
        seen.add(path)
        seen.update(_package_inits(module, root))
        todo.extend(imported_modules(path))
    return sorted(seen)


def config_modules(config: Path) -> List[str]:
    """The modules of the custom components and policies config.yml names."""
    names = []
    for line in config.read_text(encoding="utf-8").splitlines():
        match = COMPONENT.match(line)
        if match and "." in match.group(1):
            names.append(match.group(1).rsplit(".", 1)[0])
    return names


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", nargs="?", type=Path, help="a Rasa config.yml")
    parser.add_argument("--module", action="append", default=[], help="a module to start from")
    args = parser.parse_args(argv)
    modules = list(args.module) + (config_modules(args.config) if args.config else [])
    if not modules:
        parser.error("name a config.yml or a --module")
    print(" ".join(str(p.relative_to(ROOT)) for p in closure(modules)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
