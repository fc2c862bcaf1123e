"""The symptom check's questions, from the staff-editable ``content/symptom_check.yml``.

Imports nothing from Rasa. ``load_questions()`` checks the file against ``footdrop.triage``:
one entry per question the triage asks, each with ``ask`` and ``again`` text and buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from footdrop import triage

QUESTIONS_FILE = Path(__file__).resolve().parent.parent / "content" / "symptom_check.yml"


@dataclass(frozen=True)
class Question:
    slot: str
    ask: str
    again: str
    buttons: Tuple[Dict[str, str], ...]

    def message(self, again: bool = False) -> Dict[str, object]:
        """What the assistant sends: the question (or its clearer form) with its buttons."""
        return {"text": self.again if again else self.ask, "buttons": [dict(b) for b in self.buttons]}


class QuestionsError(ValueError):
    """content/symptom_check.yml is wrong; the message names the question and field."""


def _buttons(raw: object, where: str) -> Tuple[Dict[str, str], ...]:
    if not isinstance(raw, list) or not raw:
        raise QuestionsError(f"{where}: 'buttons' must be a list of title/payload pairs")
    buttons = []
    for button in raw:
        if not isinstance(button, dict) or not button.get("title") or not button.get("payload"):
            raise QuestionsError(f"{where}: every button needs a 'title' and a 'payload'")
        buttons.append({"title": str(button["title"]), "payload": str(button["payload"])})
    return tuple(buttons)


def parse_questions(raw: dict, where: str = QUESTIONS_FILE.name) -> Dict[str, Question]:
    entries = (raw or {}).get("questions") or {}
    missing = [slot for slot in triage.QUESTIONS if slot not in entries]
    unknown = [slot for slot in entries if slot not in triage.QUESTIONS]
    if missing or unknown:
        raise QuestionsError(f"{where}: questions missing {missing} / not asked by the triage {unknown}")
    yes_no = _buttons(raw.get("yes_no_buttons"), f"{where}: yes_no_buttons")
    questions = {}
    for slot in triage.QUESTIONS:
        entry = entries[slot] or {}
        for field in ("ask", "again"):
            if not isinstance(entry.get(field), str) or not entry[field].strip():
                raise QuestionsError(f"{where}: question '{slot}' needs '{field}' text")
        buttons = _buttons(entry["buttons"], f"{where}: question '{slot}'") if "buttons" in entry else yes_no
        questions[slot] = Question(slot, entry["ask"].strip(), entry["again"].strip(), buttons)
    return questions


@lru_cache(maxsize=1)
def load_questions(path: Path = QUESTIONS_FILE) -> Dict[str, Question]:
    return parse_questions(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)


def all_payloads() -> List[Tuple[str, str]]:
    """(slot, payload) for every button of every question."""
    return [(q.slot, b["payload"]) for q in load_questions().values() for b in q.buttons]
