"""The symptom check's questions, from the staff-editable ``content/symptom_check.yml``: the one
list of them. Imports nothing from Rasa (only PyYAML and the standard library).

The file holds, for each question, in the order they are asked: its slot (the key), the values
its answer may take (a list of words, or ``yes_no``), the "why" line, the question (``ask``),
its clearer form (``again``) and its buttons. Everything else takes them from here:

- ``footdrop.triage``: ``QUESTIONS`` (the order), ``CHOICES`` (the values), ``WHY``; it checks
  at import that its table and recap know exactly these questions and values;
- ``actions/symptom_check.py``: the form's required slots and one ``action_ask_<slot>`` each;
- ``make check`` (``tools/check.py``): domain.yml's slots, ``symptom_form``'s
  ``required_slots`` and its ``action_ask_<slot>`` actions must match this file.

``load_questions()`` raises ``QuestionsError`` naming the file, the question and the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

QUESTIONS_FILE = Path(__file__).resolve().parent.parent / "content" / "symptom_check.yml"
#: ``values: yes_no``: a yes/no question, answered True or False (a bool slot in domain.yml)
YES_NO = "yes_no"
YES_NO_VALUES: Tuple[bool, bool] = (True, False)


@dataclass(frozen=True)
class Question:
    slot: str
    values: Tuple[Any, ...]  # the answers the triage knows: words, or (True, False)
    why: str
    ask: str
    again: str
    buttons: Tuple[Dict[str, str], ...]

    @property
    def yes_no(self) -> bool:
        return self.values == YES_NO_VALUES

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


def _values(raw: object, where: str) -> Tuple[Any, ...]:
    if raw == YES_NO:
        return YES_NO_VALUES
    words = raw if isinstance(raw, list) else []
    if len(words) < 2 or not all(isinstance(w, str) and w.strip() == w and w for w in words) or len(set(words)) < len(words):
        raise QuestionsError(
            f"{where} needs 'values': `yes_no`, or a list of two or more different words, e.g. "
            f"[left, right, both] (write yes/no answers as `values: yes_no`)"
        )
    return tuple(words)


def parse_questions(raw: Any, where: str = QUESTIONS_FILE.name) -> Dict[str, Question]:
    """The questions in the order asked, checked; ``QuestionsError`` names what is wrong."""
    entries = (raw or {}).get("questions") if isinstance(raw, dict) else None
    if not isinstance(entries, dict) or not entries:
        raise QuestionsError(f"{where}: 'questions' must map each question's slot to its entry")
    yes_no = _buttons(raw.get("yes_no_buttons"), f"{where}: yes_no_buttons")
    questions = {}
    for slot, entry in entries.items():
        here = f"{where}: question '{slot}'"
        if not isinstance(slot, str) or not slot.isidentifier() or slot != slot.lower():
            raise QuestionsError(f"{where}: question {slot!r}: the slot name must be lowercase words joined by _")
        if not isinstance(entry, dict):
            raise QuestionsError(f"{here} needs 'values', 'why', 'ask' and 'again'")
        for field in ("why", "ask", "again"):
            if not isinstance(entry.get(field), str) or not entry[field].strip():
                raise QuestionsError(f"{here} needs '{field}' text")
        values = _values(entry.get("values"), here)
        buttons = _buttons(entry["buttons"], here) if "buttons" in entry else yes_no
        questions[slot] = Question(slot, values, entry["why"].strip(), entry["ask"].strip(), entry["again"].strip(), buttons)
    return questions


@lru_cache(maxsize=1)
def load_questions(path: Path = QUESTIONS_FILE) -> Dict[str, Question]:
    """The questions of ``content/symptom_check.yml``, in the order asked (read once)."""
    return parse_questions(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)


def question_order() -> Tuple[str, ...]:
    """The slots of the questions, in the order the check asks them."""
    return tuple(load_questions())


def all_payloads() -> List[Tuple[str, str]]:
    """(slot, payload) for every button of every question."""
    return [(q.slot, b["payload"]) for q in load_questions().values() for b in q.buttons]


# ---- Topic questions asked during the check ---------------------------------------------------

#: The action of the rule that answers a topic question asked during the check, after which the
#: check goes on (data/rules.yml, "answer a topic question during the symptom check").
ANSWER_DURING_CHECK = "action_answer_topic"
#: Intents that are a question of their own when asked during the check: every topic (ask_...)
#: and these. The rule above must list each of them (``make check``; ``make new-topic`` adds a new
#: topic to it); actions/symptom_check.py lets such a question go to that rule.
TOPIC_INTENT_PREFIX = "ask_"
OTHER_TOPIC_INTENTS = frozenset({"bot_identity", "bot_capabilities"})


def is_topic_intent(intent: object) -> bool:
    """A topic the assistant answers in the middle of the check before going on with it."""
    return isinstance(intent, str) and (intent.startswith(TOPIC_INTENT_PREFIX) or intent in OTHER_TOPIC_INTENTS)
