"""Is a message a question ("can a stroke cause foot drop?") or a statement? Imports nothing from Rasa.

The one question test of the project. ``opens_question`` decides whether the words of a sentence
start a question; ``is_question`` applies it to a whole message. Everything that asks "is this
a question?" uses one of them:

- the red-flag component (footdrop_rasa/nlu/red_flags.py) lets a question about a condition get
  its topic answer;
- the red-flag detector's reading (footdrop/context.py) marks the parts of a message that ask
  something, and, built on it, the *general* questions (a question with no word about the
  patient: "can a stroke cause foot drop?"), whose sign words do not count;
- the symptom check (actions/symptom_check.py) tells a topic question asked in the middle of the
  check from an answer to the check's own question;
- the free-text answers (footdrop/answers.py) find where a question starts in a sentence, so that
  what a general question names ("what causes numbness?") is not taken as the patient's answer.
"""

from __future__ import annotations

import re
from typing import Sequence

#: Words that start a question: "what is foot drop", "can I wear the brace in bed".
OPENERS = frozenset({
    "what", "whats", "what's", "why", "how", "who", "which", "can", "could", "does", "do", "is",
    "are", "should", "will", "would",
})
#: Words that start a question only in a sentence that ends with "?", or when an auxiliary or
#: "you", "anyone", "there" ... follows: "when should I worry" and "did you fall" ask something,
#: "when I walk my foot drags" and "did a marathon yesterday, now my shin is hard" do not.
ASKED_OPENERS = frozenset({
    "when", "where", "has", "have", "had", "any", "did", "was", "were", "may", "might", "shall",
})
#: What follows an ``ASKED_OPENERS`` word in a question.
AUXILIARIES = frozenset({
    "do", "does", "did", "is", "are", "was", "were", "can", "could", "should", "will", "would",
    "may", "might", "you", "anyone", "anybody", "there", "people",
})
#: Words that still start a question with "not" after them: "is not being able to lift my toes
#: a sign of foot drop", "are not these signs of a stroke".
NOT_QUESTIONS = frozenset({"is", "are"})
#: Every word that can start a question (a question inside a sentence: "my foot drags, can it spread?").
QUESTION_WORDS = OPENERS | ASKED_OPENERS

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
#: a short form after the first word ("who's", "where's", "how'd") is the auxiliary it stands for
_SHORT_FORMS = {"s": "is", "re": "are", "d": "did", "ll": "will", "ve": "have"}


def opens_question(words: Sequence[str], asked: bool = False) -> bool:
    """Do these words (lowercase, from the start of a sentence) start a question? ``asked``: the
    sentence ends with "?". "can't lift my arm" / "can not feel my toes" state something: a
    question word followed by "n't", or by "not" (except "is not", "are not"), is no question
    unless the sentence ends with "?"."""
    if not words:
        return False
    first, second = words[0], (words[1] if len(words) > 1 else "")
    if second == "not" and not asked and first not in NOT_QUESTIONS:
        return False  # "can not feel my toes", "does not lift": the subject left out
    if first in OPENERS:
        return True
    return first in ASKED_OPENERS and (asked or second in AUXILIARIES)


def is_question(text: str) -> bool:
    """True for a message that asks something: it ends with "?" or starts like a question."""
    text = text.strip()
    if text.endswith("?"):
        return True
    words = _WORD.findall(text.lower().replace("\u2019", "'"))
    if words and "'" in words[0]:
        word, _, short = words[0].partition("'")
        if short in _SHORT_FORMS:
            words[:1] = [word, _SHORT_FORMS[short]]
    return opens_question(words)
