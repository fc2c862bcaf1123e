"""The emergency message: what to do now, and why. Imports nothing from Rasa.

These are the assistant's own safety words (the patient guide has none); they err on the side
of caution. ``SIGNS`` names every red flag ``actions.answers.red_flags`` can report.
"""

from __future__ import annotations

from typing import Iterable, List, Mapping

SIGNS = {
    "face": "A drooping face can be a sign of a stroke.",
    "arm": "Sudden weakness or numbness in an arm can be a sign of a stroke.",
    "speech": "Sudden trouble speaking can be a sign of a stroke.",
    "headache": "A sudden, very bad headache can be a sign of bleeding in the brain.",
    "shin": "A swollen, hard and very painful shin can mean pressure is building up in the leg.",
    "bladder_bowel": "New bladder or bowel problems can mean the nerves at the base of the spine are squeezed.",
    "saddle": "Numbness between the legs can mean the nerves at the base of the spine are squeezed.",
    "both_legs_sudden": "Sudden weakness in both legs or feet can mean a problem in the spine or brain.",
    "spreading": "Weakness that spreads can mean a serious nerve problem.",
    "collapse": "Collapsing, or suddenly not being able to walk, needs help right away.",
}

GENERAL_REASON = "What you describe can be a sign of an emergency."


def emergency_lines(signs: Iterable[str], emergency_number: str) -> List[str]:
    """The emergency message, line by line: act now first, then why, then what not to do."""
    reasons = [SIGNS[sign] for sign in dict.fromkeys(signs) if sign in SIGNS] or [GENERAL_REASON]
    return [
        f"This may be an emergency. Call {emergency_number} now, or have someone take you to "
        "the nearest emergency department.",
        *reasons,
        "Do not drive yourself, and do not wait to see if it gets better.",
        "This is general information, not a diagnosis.",
    ]


def emergency_payload(signs: Iterable[str], clinic: Mapping[str, str]) -> dict:
    """The mark the widget shows emergency messages by (custom data beside the text)."""
    return {"emergency": True, "signs": list(dict.fromkeys(signs)), "call": clinic["emergency_number"]}
