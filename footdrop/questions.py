"""Is a message a question ("can a stroke cause foot drop?") or a statement? Imports nothing from Rasa.

The one question test of the project: the red-flag component uses it to let a question about a
condition get its topic answer, and the symptom check to tell a topic question asked in the
middle of the check from an answer to the check's own question.
"""

from __future__ import annotations

import re

# "can't lift my arm" starts with "can" but states something: a question word followed by an
# apostrophe and "t" is not a question.
_QUESTION_START = re.compile(
    r"^\s*(what|whats|what's|why|how|who|which|when|where|can|could|does|do|is|are|should|will|would)\b(?!['’]t\b)",
    re.IGNORECASE,
)


def is_question(text: str) -> bool:
    """True for a message that asks something: it ends with "?" or starts like a question."""
    text = text.strip()
    return text.endswith("?") or bool(_QUESTION_START.match(text))
