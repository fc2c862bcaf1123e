"""Patients' phrasings added to a topic's training examples (data/nlu/*.yml), for the console.

``check_phrasings(project, intent, texts)`` sorts what staff chose into phrasings to add, ones
already known (skipped), and ones refused with a reason staff can act on;
``add_examples(project, intent, texts)`` appends the new ones to the file that holds most of the
intent's examples and returns the paths it changed. The file is edited as a round trip
(ruamel.yaml, tools/new_topic.py's settings): comments, order and quoting stay as they were, and
the new lines go at the end of the intent's ``examples: |`` block.

A phrasing is refused when it is empty or over ``MAX_LENGTH`` characters, when it still holds a
mask (``[phone]``, ``[email]``, ``[date]``: a patient's detail was there; reword it without),
or when it has square or curly brackets (Rasa reads ``[words](entity)`` in an example as an
entity). It is skipped when the same words (case, punctuation and spacing aside:
tools/report.py ``normalise``) are already a training example of any intent, or a held-out
test question (tests/nlu_holdout.yml: those stay out of training so the tests stay honest).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import yaml
from ruamel.yaml.scalarstring import LiteralScalarString

from tools.check import DATA_DIR, HOLDOUT, examples_by_intent
from tools.new_topic import _dump, _load
from tools.report import normalise

MAX_LENGTH = 300
MASK = re.compile(r"\[(phone|email|date)\]", re.I)
BRACKETS = re.compile(r"[\[\]{}]")


class PhrasingError(ValueError):
    """Phrasings cannot be added as asked; the message says why, in plain words."""


@dataclass
class Checked:
    new: List[str] = field(default_factory=list)  # to add, cleaned (single spaces)
    known: List[Tuple[str, str]] = field(default_factory=list)  # (text, where it already is)
    refused: List[Tuple[str, str]] = field(default_factory=list)  # (text, why)


def clean(text: str) -> str:
    return " ".join(str(text).split())


def refusal(text: str) -> str:
    """Why ``text`` (cleaned) cannot be a training example, or "" when it can."""
    if not text:
        return "It is empty."
    if len(text) > MAX_LENGTH:
        return f"It is longer than {MAX_LENGTH} characters: shorten it to the question itself."
    found = MASK.search(text)
    if found:
        return (f"It still has {found.group(0)} where a patient's detail was. Reword it without that part, "
                "for example \"can you ring me back\".")
    if BRACKETS.search(text):
        return "It has brackets, which the assistant's training data reserves for other uses. Remove them."
    return ""


def data_files(project: Path) -> List[Path]:
    return sorted((project / DATA_DIR).rglob("*.yml"))


def _read(path: Path) -> Dict[str, List[str]]:
    return examples_by_intent(yaml.safe_load(path.read_text(encoding="utf-8")))


def training_examples(project: Path) -> Dict[str, List[str]]:
    """File (relative to the project) -> every example in it (of any intent), for data/**/*.yml."""
    return {path.relative_to(project).as_posix(): [e for examples in _read(path).values() for e in examples]
            for path in data_files(project)}


def training_file(project: Path, intent: str) -> str:
    """The data/ file (relative) holding most of ``intent``'s examples: the topic's own file."""
    counts = {path.relative_to(project).as_posix(): len(_read(path).get(intent, [])) for path in data_files(project)}
    best = max(sorted(counts), key=lambda p: counts[p], default=None)
    if best is None or not counts[best]:
        raise PhrasingError(f"The topic '{intent}' has no training examples in {DATA_DIR}/ yet, so there is "
                            "no file to add phrasings to. Add its first examples on the topic's page.")
    return best


def check_phrasings(project: Path, intent: str, texts: Sequence[str]) -> Checked:
    """What would happen to each of ``texts`` (module doc); nothing is written."""
    known: Dict[str, str] = {}
    for where, examples in training_examples(project).items():
        for example in examples:
            known.setdefault(normalise(example), where)
    holdout = project / HOLDOUT
    if holdout.is_file():
        for examples in _read(holdout).values():
            for example in examples:
                known.setdefault(normalise(example), HOLDOUT)
    checked = Checked()
    for text in map(clean, texts):
        why = refusal(text)
        key = normalise(text)
        if why:
            checked.refused.append((text, why))
        elif not key:
            checked.refused.append((text, "It has no words."))
        elif key in known:
            checked.known.append((text, known[key]))
        else:
            checked.new.append(text)
            known[key] = "the phrasings you chose"  # the same phrasing twice is added once
    return checked


def add_examples(project: Path, intent: str, texts: Sequence[str]) -> List[str]:
    """Appends the new phrasings among ``texts`` to the intent's training file; the changed paths
    (relative; [] when every phrasing was known). PhrasingError, nothing written, when any is
    refused."""
    checked = check_phrasings(project, intent, texts)
    if checked.refused:
        text, why = checked.refused[0]
        raise PhrasingError(f"\"{text}\" cannot be added: {why} Nothing was added.")
    if not checked.new:
        return []
    relative = training_file(project, intent)
    path = project / relative
    data = _load(path)
    blocks = [b for b in data.get("nlu") or [] if isinstance(b, dict) and str(b.get("intent")) == intent
              and isinstance(b.get("examples"), str)]
    block = max(blocks, key=lambda b: len(examples_by_intent({"nlu": [dict(b)]}).get(intent, [])))
    lines = "".join(f"- {text}\n" for text in checked.new)
    block["examples"] = LiteralScalarString(str(block["examples"]).rstrip("\n") + "\n" + lines)
    _dump(data, path)
    return [relative]
