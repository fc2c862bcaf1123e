"""The two projects `make bench` compares, and how long each takes to train.

- ``create_stock``: the assistant a clinic would otherwise start from, `rasa init` (which also
  trains) in a temporary folder, given REST and socket.io channels.
- ``training_times``: `rasa train` of a copy of a project with an empty training cache (full
  training), then again after one response's text changed (retrain, from the cache).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Dict, Sequence

from bench.serve import BenchError, timed_run
from bench import serve

# What each project's training reads or imports besides config.yml, domain.yml and data/:
# ours reads build/spacy/en_footdrop (config.yml) and content/, and imports footdrop_rasa (its
# components and policy) and, through it, the core (footdrop).
TRAINING_LINKS = {"ours": ["build", "footdrop_rasa", "footdrop", "content"], "stock": []}
STOCK_CREDENTIALS = """\
rest:
socketio:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
"""

# A response's text on one line, quoted or not: `  - text: "Hello"`.
TEXT_LINE = re.compile(r"""^(\s*- text: )(["']?)(.*?)\2(\s*)$""")


def create_stock(tmp: Path) -> Path:
    """`rasa init` (which also trains) in tmp/stock, with REST and socket.io channels."""
    project = tmp / "stock"
    project.mkdir()  # `rasa init --no-prompt` wants an existing, empty folder
    print("Creating and training the stock assistant (rasa init)...", flush=True)
    timed_run([serve.RASA, "init", "--no-prompt", "--init-dir", str(project)], tmp, tmp / "stock-init.log")
    (project / "credentials.yml").write_text(STOCK_CREDENTIALS)
    return project


def change_first_response(domain: Path) -> None:
    """Appends " (updated)" to the first response text of a domain file, comments kept."""
    lines = domain.read_text().splitlines(keepends=True)
    in_responses = False
    for number, line in enumerate(lines):
        in_responses = in_responses or line.startswith("responses:")
        match = TEXT_LINE.match(line) if in_responses else None
        if match:
            indent, quote, text, end = match.groups()
            lines[number] = f"{indent}{quote}{text} (updated){quote}{end}"
            domain.write_text("".join(lines))
            return
    raise BenchError(f"no one-line response text in {domain}")


def training_times(name: str, project: Path, links: Sequence[str], tmp: Path) -> Dict[str, float]:
    """Full training with an empty cache, then retraining after one response changed, of a copy
    of the project. `links`: folders the training imports or reads by relative path."""
    copy = tmp / f"train-{name}"
    copy.mkdir()
    for file in ("config.yml", "domain.yml"):
        shutil.copy(project / file, copy / file)
    shutil.copytree(project / "data", copy / "data")
    for link in links:
        (copy / link).symlink_to(project / link)
    env = {"RASA_CACHE_DIRECTORY": str(tmp / f"cache-{name}")}  # rasa/engine/caching.py
    command = [serve.RASA, "train", "--out", str(copy / "models")]
    print(f"Training {name} (full, then after one changed response)...", flush=True)
    full = timed_run(command, copy, tmp / f"train-{name}.log", env)
    change_first_response(copy / "domain.yml")
    retrain = timed_run(command, copy, tmp / f"retrain-{name}.log", env)
    return {"full_s": round(full, 1), "retrain_s": round(retrain, 1)}
