"""The project's files as the tests read them."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

#: the checkout under test (tests/support/project.py -> tests/support -> tests -> the project)
ROOT = Path(__file__).resolve().parents[2]
#: the virtualenv's bin/ that runs the tests (rasa, ruff, supervisorctl ...)
BIN = Path(sys.executable).parent
#: the model `make train` builds
MODEL = ROOT / "models" / "footdrop.tar.gz"


def load_yaml(relative_path: str) -> Any:
    return yaml.safe_load((ROOT / relative_path).read_text(encoding="utf-8"))


def filled(text: str) -> str:
    """A response of domain.yml as patients get it: the clinic's details (clinic.yml) filled in
    by the response generator (footdrop_rasa/responses.py)."""
    from footdrop_rasa.responses import clinic_values

    for key, value in clinic_values().items():
        text = text.replace("{" + key + "}", value)
    return text


#: every file `make check` (tools/check.py) reads, besides data/ as a whole
CHECKED_FILES = [
    "domain.yml", "clinic.yml", "tests/nlu_holdout.yml", "tests/test_stories.yml", "content/sections.yml",
    "content/foot-drop.txt", "content/topics.yml", "content/symptom_check.yml",
]


def copy_checked_files(destination: Path) -> Path:
    """What `make check` reads, copied under ``destination`` (a test may break the copy)."""
    for relative in CHECKED_FILES:
        (destination / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, destination / relative)
    shutil.copytree(ROOT / "data", destination / "data")
    return destination
