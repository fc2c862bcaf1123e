"""Does a message tell of the patient's own new or changing foot problem?

"I had a knee operation and since then my foot flops, why?" asks a question, and it also tells
of a new problem in the patient's own foot: besides the answer, the patient should be offered
the symptom check, which says how soon to see a clinician (footdrop_rasa/responses.py adds the offer
to the topic's answer). A question in general ("what causes foot drop?"), about someone else
("my dad's foot drags since his stroke"), or about an old, settled problem ("I've had foot drop
for ten years, which brace is best?") does not get it.

The test is two things in the same message: the patient's own foot, leg or toes ("my left
foot", "I keep tripping"), and a sign that it is new or changing ("since", "started", "two weeks
ago", "getting worse", "after my operation"). It errs towards offering: the offer is a button,
never a diagnosis. Emergencies are not decided here: the red-flag detector has seen the message
first. Imports nothing from Rasa.
"""

from __future__ import annotations

import re

_BODY = r"(?:foot|feet|toes?|ankles?|legs?|shins?|knee)"
#: the patient's own foot or leg, or the patient doing what foot drop makes them do
OWN = re.compile(
    rf"\bmy\s+(?:(?:left|right|bad|weak|good|other)\s+)?{_BODY}\b"
    r"|\bi(?:'m|\s+am|\s+keep|\s+have|'ve|\s+)?\s*(?:been\s+)?"
    r"(?:trip|tripping|stumbl\w*|drag\w*|catch\w*|scuff\w*|fall\w*|can'?t\s+lift|cannot\s+lift)\b",
    re.IGNORECASE,
)
#: something new or changing: an onset, a time since, a worsening, an event before it
CHANGE = re.compile(
    r"\b(?:since|started|starting|starts|began|begun|ago|recently|lately|suddenly|all\s+of\s+a\s+sudden"
    r"|worse|worsening|new|newly|anymore|any\s+more|no\s+longer|yesterday|today|tonight"
    r"|this\s+(?:morning|week|month)|last\s+(?:night|week|month)"
    r"|after\s+(?:my|the|a|an|i)\b|for\s+(?:a\s+few|a\s+couple\s+of|\d+|one|two|three|four|five|six)\s+(?:days?|weeks?))",
    re.IGNORECASE,
)
#: someone else's foot ("my dad's foot", "his foot"): their story, not the patient's
SOMEONE_ELSE = re.compile(
    r"\bmy\s+(?:mum|mom|mother|dad|father|husband|wife|partner|son|daughter|child|kid|baby|brother|sister"
    r"|friend|gran|granny|grandma|grandmother|grandad|grandpa|grandfather|nan|aunt|uncle|neighbou?r|patient)'?s?\b"
    r"|\b(?:his|her|their)\s+(?:(?:left|right)\s+)?" + _BODY + r"\b",
    re.IGNORECASE,
)


def describes_own_problem(text: str) -> bool:
    """True when the message tells of a new or changing problem in the patient's own foot or leg."""
    text = (text or "").replace("\u2019", "'")
    if not OWN.search(text) or not CHANGE.search(text):
        return False
    # "my dad's foot drags since his stroke": only someone else's, unless the patient's own is there too
    return not SOMEONE_ELSE.search(text) or bool(re.search(rf"\bmy\s+(?:(?:left|right)\s+)?{_BODY}\b", text, re.I))
