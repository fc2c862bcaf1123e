"""Symptom triage for patients with foot drop: a decision table in plain Python.

Imports only the standard library and ``footdrop.check_questions`` (the questions of
``content/symptom_check.yml``; nothing from Rasa or rasa_sdk), so the table can be read, tested
and reviewed on its own; a form or custom action only passes in its slot values.

How it works
------------
* The patient's answers are a plain dict of slot values (see ``CHOICES``). ``None``, or a
  missing key, means "not known / not asked yet". ``QUESTIONS`` is the order the form asks in.
  Both, and the ``WHY`` lines, come from ``content/symptom_check.yml``; ``mismatches`` (run
  when this module loads, and by ``make check``) names any question or value there that the
  table below does not read, or that it reads and the file lacks.
* ``RULES`` is the decision table, one ``Rule`` per row, in table order: EMERGENCY rows
  (E1, E3-E7), SAME DAY (D1-D2), URGENT (U2-U4, U7), SOON (S1-S5), ROUTINE (R1). Each row has
  a stable id, a level, a plain reason shown to the patient, the answers (``slots``) it reads,
  and ``applies``. (Ids of removed rows are not used again: E2, U1, U5, U6.)
* ``triage`` returns the highest level of every row that applies, with the reasons and ids
  of the rows at that level only. ``emergency_now`` runs the same table on the answers given
  so far, so the form can stop as soon as an EMERGENCY row applies.
* ``docs/triage.md`` holds the same table for clinic staff; the tests check that ids, levels
  and reasons match, and that every row reads only the answers it names in ``slots`` (which
  all have a ``WHY`` line), so the explanation and the decision cannot drift apart.

Cautious by design
------------------
* An unknown answer never makes a positive condition true ("swollen shin" needs
  ``shin_swelling is True``). Where a row is the milder twin of a more serious row (U5 of E1,
  U6 of E3, U7 of E6, E5 of E4), it applies whenever the serious row's extra condition is not
  known to hold, so an unknown answer lands on the milder row, never on nothing.
* E5: bladder or bowel changes are an EMERGENCY even without back pain (cauda equina
  syndrome can start without pain).
* S4: foot drop is a sign of another problem; unless a clinician is known to have checked
  it (``already_seen is True``), the patient should see one.
* S5: if any question is unanswered, or has an answer outside ``CHOICES``, the result is at
  least SOON. ROUTINE (R1) needs every answer known and benign.
* The table is total: every possible dict of answers matches at least one row.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from footdrop.check_questions import YES_NO_VALUES, Question, QuestionsError, load_questions

Answers = Mapping[str, Any]


class Level(IntEnum):
    ROUTINE = 0
    SOON = 1
    URGENT = 2
    SAME_DAY = 3
    EMERGENCY = 4

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def when(self) -> str:
        return WHEN[self]


LABELS: Dict[Level, str] = {
    Level.EMERGENCY: "Emergency",
    Level.SAME_DAY: "Same day",
    Level.URGENT: "Urgent",
    Level.SOON: "Soon",
    Level.ROUTINE: "Routine",
}

WHEN: Dict[Level, str] = {
    Level.EMERGENCY: "call the emergency number now",
    Level.SAME_DAY: "get checked by a clinician today",
    Level.URGENT: "contact a clinician within 24 hours",
    Level.SOON: "book an appointment within 1–2 weeks",
    Level.ROUTINE: "discuss it at your next visit",
}

# The questions, in the order the form asks them, the values each answer may take (anything
# else counts as not known) and why each answer matters, in plain words (grade 6-8): all from
# content/symptom_check.yml (footdrop/check_questions.py), the one list of the questions. The
# end of this module checks that the file holds exactly the questions and values this table
# and the recap read.
_QUESTIONS = load_questions()
QUESTIONS: Tuple[str, ...] = tuple(_QUESTIONS)
CHOICES: Dict[str, Tuple[Any, ...]] = {slot: q.values for slot, q in _QUESTIONS.items()}
WHY: Dict[str, str] = {slot: q.why for slot, q in _QUESTIONS.items()}
YES_NO = YES_NO_VALUES

INJURED_BEFORE = ("injury", "fall")
SYMPTOMS = ("back_leg_pain", "numbness", "other_weakness", "shin_swelling", "bladder_bowel")


@dataclass(frozen=True)
class Rule:
    id: str
    level: Level
    reason: str
    slots: Tuple[str, ...]
    applies: Callable[[Answers], bool]


@dataclass(frozen=True)
class Decision:
    level: Level
    reasons: Tuple[str, ...]
    rule_ids: Tuple[str, ...]


def _yes(answers: Answers, slot: str) -> bool:
    return answers.get(slot) is True


def _is(answers: Answers, slot: str, *values: str) -> bool:
    return answers.get(slot) in values


def _sudden(a: Answers) -> bool:
    return _is(a, "onset", "sudden")


def _new(a: Answers) -> bool:
    """Started within days or weeks (or hours)."""
    return _is(a, "onset", "sudden", "days_weeks")


def _getting_worse(a: Answers) -> bool:
    return _is(a, "progression", "worse", "spreading")


def _long_standing_and_stable(a: Answers) -> bool:
    return _is(a, "onset", "gradual") and _is(a, "progression", "stable")


def _both(a: Answers) -> bool:
    return _is(a, "affected_side", "both")


def _known(answers: Answers, slot: str) -> bool:
    value = answers.get(slot)
    # `is` for True/False, so that 1 or 0 do not pass for a yes or a no
    return any(value is c or (isinstance(c, str) and value == c) for c in CHOICES[slot])


def _all_answered(a: Answers) -> bool:
    return all(_known(a, slot) for slot in QUESTIONS)


def _benign(a: Answers) -> bool:
    """Every answer known and calm: the only case that may be ROUTINE (one foot or both:
    long-standing, stable foot drop in both feet that a clinician has checked is not urgent)."""
    return (
        _all_answered(a)
        and _is(a, "onset", "gradual")
        and _is(a, "preceded_by", "none")
        and not any(_yes(a, s) for s in SYMPTOMS)
        and _is(a, "progression", "stable")
        and _yes(a, "already_seen")
    )


E, D, U, S, R = Level.EMERGENCY, Level.SAME_DAY, Level.URGENT, Level.SOON, Level.ROUTINE

RULES: Tuple[Rule, ...] = (
    Rule("E1", E,
         "New weakness in the face or an arm, or trouble speaking, can be a sign of a stroke.",
         ("other_weakness",),
         lambda a: _yes(a, "other_weakness")),
    Rule("E3", E,
         "A swollen, hard and very painful shin can mean pressure is building up in the leg.",
         ("shin_swelling",),
         lambda a: _yes(a, "shin_swelling")),
    Rule("E4", E,
         "Bladder or bowel changes, or numbness between the legs, with back or leg pain can "
         "mean the nerves at the base of the spine are squeezed.",
         ("bladder_bowel", "back_leg_pain"),
         lambda a: _yes(a, "bladder_bowel") and _yes(a, "back_leg_pain")),
    Rule("E5", E,
         "Bladder or bowel changes, or numbness between the legs, can mean the nerves at the "
         "base of the spine are squeezed, even with no back pain.",
         ("bladder_bowel", "back_leg_pain"),
         lambda a: _yes(a, "bladder_bowel") and not _yes(a, "back_leg_pain")),
    Rule("E6", E,
         "Weakness in both feet that is new or getting worse can come from a problem in the "
         "spine or brain.",
         ("affected_side", "onset", "progression"),
         lambda a: _both(a) and (_new(a) or _getting_worse(a))),
    Rule("E7", E,
         "Weakness that spreads to other parts of the body can be a sign of a serious "
         "nerve problem.",
         ("progression",),
         lambda a: _is(a, "progression", "spreading")),
    Rule("D1", D,
         "Foot drop that started suddenly, within hours, needs to be checked today.",
         ("onset",),
         _sudden),
    Rule("D2", D,
         "Foot drop that started after surgery needs to be checked today: the nerve may have "
         "been hurt or pressed.",
         ("preceded_by",),
         lambda a: _is(a, "preceded_by", "surgery")),
    Rule("U2", U,
         "Foot drop that is new in the last days or weeks needs a quick check.",
         ("onset",),
         lambda a: _is(a, "onset", "days_weeks")),
    Rule("U3", U,
         "Foot drop after an injury or a fall can mean a nerve was hurt, and early care helps.",
         ("preceded_by",),
         lambda a: _is(a, "preceded_by", *INJURED_BEFORE)),
    Rule("U4", U,
         "Foot drop that is getting worse needs a quick check.",
         ("progression",),
         lambda a: _is(a, "progression", "worse")),
    Rule("U7", U,
         "Foot drop in both feet can come from a problem in the spine or brain, so it needs "
         "a quick check.",
         ("affected_side", "onset", "progression"),
         lambda a: _both(a) and not (_new(a) or _getting_worse(a)) and not _long_standing_and_stable(a)),
    Rule("S1", S,
         "Back or leg pain with foot drop can come from a pinched nerve in the back.",
         ("back_leg_pain",),
         lambda a: _yes(a, "back_leg_pain")),
    Rule("S2", S,
         "Numbness or tingling can show which nerve is affected.",
         ("numbness",),
         lambda a: _yes(a, "numbness")),
    Rule("S3", S,
         "A knee or back problem can press on the nerve that lifts the foot.",
         ("preceded_by",),
         lambda a: _is(a, "preceded_by", "knee_back")),
    Rule("S4", S,
         "Foot drop is a sign of another problem, so a clinician should find its cause.",
         ("already_seen",),
         lambda a: not _yes(a, "already_seen")),
    Rule("S5", S,
         "Some questions were not answered, so a clinician should check your foot drop.",
         QUESTIONS,
         lambda a: not _all_answered(a)),
    Rule("R1", R,
         "Your foot drop has been checked before, came on slowly and is not changing.",
         QUESTIONS,
         _benign),
)

NOT_A_DIAGNOSIS = "This is general information, not a diagnosis."


def matching_rules(answers: Answers) -> Tuple[Rule, ...]:
    """Every row of the table that applies, in table order."""
    return tuple(rule for rule in RULES if rule.applies(answers))


def triage(answers: Answers) -> Decision:
    """The highest level of any row that applies, with that level's reasons and ids."""
    matched = matching_rules(answers)
    if not matched:  # cannot happen (S4, S5 and R1 cover every case); fail loudly if it does
        raise ValueError(f"No triage rule applies to {dict(answers)!r}: the table has a gap.")
    level = max(rule.level for rule in matched)
    top = tuple(rule for rule in matched if rule.level == level)
    return Decision(level, tuple(r.reason for r in top), tuple(r.id for r in top))


def emergency_now(answers: Answers) -> Optional[Decision]:
    """The decision if the answers so far already reach EMERGENCY, else None."""
    decision = triage(answers)
    return decision if decision.level == Level.EMERGENCY else None


def next_question(answers: Answers) -> Optional[str]:
    """The first slot in QUESTIONS that has no answer yet."""
    return next((slot for slot in QUESTIONS if answers.get(slot) is None), None)


# ---- Recap: lines the patient can copy for an appointment ------------------------------

SIDE_TEXT = {"left": "in my left foot", "right": "in my right foot", "both": "in both feet"}
ONSET_TEXT = {
    "sudden": "started suddenly (within hours)",
    "days_weeks": "started over days to weeks",
    "gradual": "came on slowly over months",
}
PRECEDED_TEXT = {
    "injury": "after an injury",
    "fall": "after a fall",
    "knee_back": "after a knee or back problem",
    "surgery": "after surgery",
    "none": "with no injury, fall, surgery or knee or back problem before it",
}
SYMPTOM_TEXT = {
    "back_leg_pain": "back or leg pain",
    "numbness": "numbness or tingling",
    "other_weakness": "weakness in the face or an arm or trouble speaking",
    "shin_swelling": "a swollen painful shin",
    "bladder_bowel": "bladder or bowel changes or numbness between the legs",
}
PROGRESSION_TEXT = {
    "stable": "It is not changing.",
    "worse": "It is getting worse.",
    "spreading": "The weakness is spreading to other parts of my body.",
}
SEEN_TEXT = {True: "A clinician has checked it.", False: "A clinician has not checked it yet."}


def _first_line(a: Answers) -> str:
    parts = [
        "Foot drop " + SIDE_TEXT[a["affected_side"]] if _known(a, "affected_side") else "Foot drop",
        ONSET_TEXT[a["onset"]] if _known(a, "onset") else "",
        PRECEDED_TEXT[a["preceded_by"]] if _known(a, "preceded_by") else "",
    ]
    return ", ".join(p for p in parts if p) + "."


def _symptom_line(a: Answers) -> str:
    present = [text for slot, text in SYMPTOM_TEXT.items() if a.get(slot) is True]
    absent = [text for slot, text in SYMPTOM_TEXT.items() if a.get(slot) is False]
    parts = []
    if present:
        parts.append("Also: " + ", ".join(present) + ".")
    if absent:
        parts.append("Not: " + ", ".join(absent) + ".")
    return " ".join(parts)


def _course_line(a: Answers) -> str:
    parts = []
    if _known(a, "progression"):
        parts.append(PROGRESSION_TEXT[a["progression"]])
    if _known(a, "already_seen"):
        parts.append(SEEN_TEXT[a["already_seen"]])
    return " ".join(parts)


def recap(answers: Answers) -> List[str]:
    """Up to three plain lines about the known answers, for the patient to copy."""
    lines = [_first_line(answers), _symptom_line(answers), _course_line(answers)]
    return [line for line in lines if line]


# ---- Advice: what to do, tailored to the level and the clinic --------------------------


def _new_signs(clinic: Mapping[str, Any]) -> List[str]:
    """The safety net under every level below EMERGENCY: the signs of content/emergency_signs.yml,
    grouped in plain words."""
    return [
        f"Call {clinic['emergency_number']} at once if any of these happen:",
        "- your face droops, an arm gets weak, or you have trouble speaking, seeing or keeping your balance.",
        "- a sudden, very bad headache, or sudden confusion.",
        "- your shin gets swollen, hard and very painful, or your foot turns cold and pale.",
        "- you cannot control your bladder or bowels, or feel numb between your legs.",
        "- weakness in both legs, weakness that spreads, or trouble breathing or swallowing.",
    ]


def advice_lines(decision: Decision, clinic: Mapping[str, Any]) -> List[str]:
    """Plain lines on what to do now. Callers add NOT_A_DIAGNOSIS themselves.

    ``clinic`` has the keys name, phone, booking_url (may be None), hours, emergency_number.
    Every level below EMERGENCY ends with the signs that mean calling the emergency number.
    """
    name, phone = clinic["name"], clinic["phone"]
    if decision.level == Level.EMERGENCY:
        return [
            f"Call {clinic['emergency_number']} now, or go to the nearest emergency department.",
            "Do not drive yourself.",
            f"Do not wait to hear from {name}.",
        ]
    if decision.level == Level.SAME_DAY:
        return [
            f"Call {name} on {phone} now and say you need to be seen today.",
            f"Opening hours: {clinic['hours']}.",
            f"If {name} can't see you today, go to urgent care or the emergency room today.",
            *_new_signs(clinic),
        ]
    if decision.level == Level.URGENT:
        return [
            f"Contact {name} on {phone} today, or within 24 hours at the latest.",
            f"Opening hours: {clinic['hours']}.",
            f"If {name} is closed, go to an urgent care clinic or an emergency department.",
            *_new_signs(clinic),
        ]
    if decision.level == Level.SOON:
        booking = clinic.get("booking_url")
        how = f"Call {phone}" + (f" or book online: {booking}." if booking else ".")
        return [
            f"Book an appointment with {name} within 1–2 weeks.",
            how,
            f"If it gets worse, contact {name} sooner.",
            *_new_signs(clinic),
        ]
    return [
        "Mention your foot drop at your next visit.",
        f"If anything changes, contact {name} on {phone} sooner.",
        *_new_signs(clinic),
    ]


# ---- The questions file and this table must agree ----------------------------------------

#: The values the rows and the recap above read, per question (yes/no questions: True, False).
TABLE_VALUES: Dict[str, Tuple[Any, ...]] = {
    "affected_side": tuple(SIDE_TEXT),
    "onset": tuple(ONSET_TEXT),
    "preceded_by": tuple(PRECEDED_TEXT),
    **{slot: YES_NO_VALUES for slot in SYMPTOM_TEXT},
    "progression": tuple(PROGRESSION_TEXT),
    "already_seen": tuple(SEEN_TEXT),
}


def _shown(values: Tuple[Any, ...]) -> str:
    return "yes_no" if values == YES_NO_VALUES else "[" + ", ".join(map(str, values)) + "]"


def mismatches(questions: Mapping[str, Question], where: str = "content/symptom_check.yml") -> List[str]:
    """Each way the questions of ``where`` differ from what this table reads, as a message naming
    the question and the fix; an empty list when they agree."""
    problems = [
        f"{where}: question '{slot}' is missing, and the triage table (footdrop/triage.py) reads it — "
        f"restore it with `values: {_shown(values)}` (git checkout {where})"
        for slot, values in TABLE_VALUES.items() if slot not in questions
    ]
    for slot, question in questions.items():
        if slot not in TABLE_VALUES:
            problems.append(
                f"{where}: question '{slot}' is not read by the triage table — a new question needs rows in "
                f"footdrop/triage.py and docs/triage.md, reviewed by a clinician; until then remove it"
            )
        elif set(question.values) != set(TABLE_VALUES[slot]) or len(question.values) != len(TABLE_VALUES[slot]):
            problems.append(
                f"{where}: question '{slot}' has values {_shown(question.values)}, but the triage table reads "
                f"{_shown(TABLE_VALUES[slot])} — write `values: {_shown(TABLE_VALUES[slot])}`, or change the table "
                f"(footdrop/triage.py, docs/triage.md) with a clinician"
            )
    return problems


def _check_questions() -> None:
    problems = mismatches(_QUESTIONS)
    read = {slot for rule in RULES for slot in rule.slots}
    problems += [f"footdrop/triage.py: a rule reads '{slot}', which is not a question" for slot in sorted(read - set(QUESTIONS))]
    if problems:
        raise QuestionsError("\n".join(problems))


_check_questions()
