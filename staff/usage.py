"""How often patients asked each topic, and how well the model patients have recognises it: the
figures of the Topics pages.

- **Asked**: patient messages, typed in their own words, that got the topic's answer, over every
  conversation in the tracker store (staff/conversations.py ``asked_counts``).
- **Recognised**: of the topic's held-out and external test questions, how many got the right
  answer through the whole pipeline, measured by the evaluation a publication runs
  (tools/evaluate.py's outcome table, kept by staff/publish.py for each model it measured). Shown
  for the model patients have now (models/footdrop.tar.gz); a model the console never measured
  (one `make train` made) has no figures until the next publication.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from staff.conversations import ConversationsError, asked_counts
from staff.publish import ModelFile, topics_file


@dataclass(frozen=True)
class Recognised:
    questions: str  # "held-out questions" or "external questions"
    right: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.right / self.total) if self.total else 0


@dataclass(frozen=True)
class Usage:
    asked: Optional[int]  # None when the conversation store cannot be read
    recognised: List[Recognised] = field(default_factory=list)  # empty: not measured


@dataclass(frozen=True)
class Figures:
    """Every topic's usage, and why a part is missing (for the page to say)."""

    topics: Dict[str, Usage]
    asked_problem: str = ""  # why "asked" is unknown
    measured: bool = False  # whether the model patients have was measured


def recognition(project: Path, model: ModelFile) -> Tuple[Dict[str, List[Recognised]], bool]:
    """Intent -> its test questions' counts for the model patients have (`model`: the console's
    own ModelFile, which hashes the file again only when it changes); and whether that model
    was measured at all."""
    sha = model.sha256()
    path = topics_file(project, sha) if sha else None
    if path is None or not path.exists():
        return {}, False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, False
    found: Dict[str, List[Recognised]] = {}
    for questions, by_intent in data.items():
        for intent, (right, total) in (by_intent or {}).items():
            found.setdefault(intent, []).append(Recognised(questions, int(right), int(total)))
    return found, True


def usage(project: Path, intents: List[str], model: ModelFile) -> Figures:
    """The figures of each topic in `intents` (`model`: as for recognition)."""
    problem = ""
    try:
        asked: Optional[Dict[str, int]] = asked_counts(project)
    except ConversationsError as error:
        asked, problem = None, str(error)
    recognised, measured = recognition(project, model)
    topics = {intent: Usage(None if asked is None else asked.get(intent, 0), recognised.get(intent, []))
              for intent in intents}
    return Figures(topics, problem, measured)
