"""The emergency message's reasons: why each sign found needs care now. Imports nothing from Rasa.

The message itself ("This may be an emergency. Call <number> now ...") is the domain response
``utter_emergency``, which the Rasa server sends without the action server. When the action
server is up, ``action_emergency`` adds these reasons, one line per sign that the red-flag
detector found (the ``why`` lines of ``content/emergency_signs.yml``, our own safety words).
"""

from __future__ import annotations

from typing import Iterable, List, Mapping

from footdrop.signs import load_signs

GENERAL_REASON = "What you describe can be a sign of an emergency."
WHY_INTRO = "Why this matters:"


def reason_lines(signs: Iterable[str]) -> List[str]:
    """The reasons for the signs found (known ones, once each), or the general reason."""
    known = load_signs()
    reasons = [known[sign].why for sign in dict.fromkeys(signs) if sign in known]
    return [WHY_INTRO, *(reasons or [GENERAL_REASON])]


def emergency_payload(signs: Iterable[str], clinic: Mapping[str, str]) -> dict:
    """The mark the widget shows emergency messages by (custom data beside the text)."""
    return {"emergency": True, "signs": list(dict.fromkeys(signs)), "call": clinic["emergency_number"]}
