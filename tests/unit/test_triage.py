"""The foot-drop symptom triage (footdrop/triage.py): every row of the table, its boundaries,
unknown answers, and that the code and the staff table in docs/triage.md say the same thing.

Pure Python: needs no trained model and no running assistant.
"""

from __future__ import annotations

import ast
import itertools
import random
import sys
from pathlib import Path
from typing import Any, Dict, List, Set

import pytest
import textstat

from footdrop import triage
from footdrop.triage import (
    CHOICES,
    NOT_A_DIAGNOSIS,
    QUESTIONS,
    RULES,
    WHY,
    Decision,
    Level,
    advice_lines,
    emergency_now,
    next_question,
    recap,
)
from support.project import ROOT, load_yaml

DOC = ROOT / "docs" / "triage.md"
RULES_BY_ID = {rule.id: rule for rule in RULES}
MAX_GRADE = 9

# Every answer known and calm: the one picture that is ROUTINE.
BENIGN: Dict[str, Any] = {
    "affected_side": "left",
    "onset": "gradual",
    "preceded_by": "none",
    "back_leg_pain": False,
    "numbness": False,
    "other_weakness": False,
    "shin_swelling": False,
    "bladder_bowel": False,
    "progression": "stable",
    "already_seen": True,
}

CLINIC = {
    "name": "Riverside Clinic",
    "phone": "555 0100",
    "booking_url": "https://clinic.example/book",
    "hours": "Monday to Friday, 8 am to 5 pm",
    "emergency_number": "911",
}


def benign(**changes: Any) -> Dict[str, Any]:
    answers = dict(BENIGN)
    answers.update(changes)
    return answers


# ---- One case (or more) per row of the table --------------------------------------------

ROW_CASES = [
    ("E1", benign(onset="sudden", other_weakness=True)),
    ("E1", benign(onset="gradual", other_weakness=True)),
    ("E1", benign(onset=None, other_weakness=True, affected_side="right", already_seen=False)),
    ("E3", benign(shin_swelling=True, preceded_by="injury")),
    ("E3", benign(shin_swelling=True, preceded_by="none")),
    ("E3", benign(shin_swelling=True, preceded_by=None)),
    ("E4", benign(bladder_bowel=True, back_leg_pain=True)),
    ("E5", benign(bladder_bowel=True, back_leg_pain=False)),
    ("E5", benign(bladder_bowel=True, back_leg_pain=None)),
    ("E6", benign(affected_side="both", onset="sudden")),
    ("E6", benign(affected_side="both", onset="days_weeks")),
    ("E6", benign(affected_side="both", onset="gradual", progression="worse")),
    ("E7", benign(progression="spreading")),
    ("D1", benign(onset="sudden")),
    ("D2", benign(preceded_by="surgery")),
    ("U2", benign(onset="days_weeks")),
    ("U3", benign(preceded_by="injury")),
    ("U3", benign(preceded_by="fall")),
    ("U4", benign(progression="worse")),
    ("U7", benign(affected_side="both", onset=None)),
    ("U7", benign(affected_side="both", progression=None)),
    ("S1", benign(back_leg_pain=True)),
    ("S2", benign(numbness=True)),
    ("S3", benign(preceded_by="knee_back")),
    ("S4", benign(already_seen=False)),
    ("S4", benign(already_seen=None)),
    ("S5", benign(affected_side=None)),
    ("S5", benign(progression="maybe")),
    ("R1", BENIGN),
    ("R1", benign(affected_side="right")),
    ("R1", benign(affected_side="both")),
]


@pytest.mark.parametrize("rule_id, answers", ROW_CASES, ids=[f"{i}-{n}" for n, (i, _) in enumerate(ROW_CASES)])
def test_each_row(rule_id: str, answers: Dict[str, Any]) -> None:
    decision = triage.triage(answers)
    assert decision.level == RULES_BY_ID[rule_id].level
    assert rule_id in decision.rule_ids
    assert RULES_BY_ID[rule_id].reason in decision.reasons


def test_every_row_has_a_case() -> None:
    assert {rule_id for rule_id, _ in ROW_CASES} == set(RULES_BY_ID)


# ---- Boundaries ------------------------------------------------------------------------

BOUNDARY_CASES = [
    # a swollen, tense, very painful shin: an emergency with or without an injury before it
    ("shin, no injury", benign(shin_swelling=True), Level.EMERGENCY, ("E3",)),
    ("shin, injury unknown", benign(shin_swelling=True, preceded_by=None), Level.EMERGENCY, ("E3",)),
    ("shin after a fall", benign(shin_swelling=True, preceded_by="fall"), Level.EMERGENCY, ("E3",)),
    # bladder or bowel changes: emergency with or without back pain
    ("bladder with back pain", benign(bladder_bowel=True, back_leg_pain=True), Level.EMERGENCY, ("E4",)),
    ("bladder, no back pain", benign(bladder_bowel=True), Level.EMERGENCY, ("E5",)),
    ("back pain alone", benign(back_leg_pain=True), Level.SOON, ("S1",)),
    # both feet: new or getting worse is an emergency; long-standing, stable and checked is not urgent
    ("both feet, sudden", benign(affected_side="both", onset="sudden"), Level.EMERGENCY, ("E6",)),
    ("both feet, over days", benign(affected_side="both", onset="days_weeks"), Level.EMERGENCY, ("E6",)),
    ("both feet, getting worse", benign(affected_side="both", progression="worse"), Level.EMERGENCY, ("E6",)),
    ("both feet, long-standing and stable", benign(affected_side="both"), Level.ROUTINE, ("R1",)),
    ("both feet, stable, not checked", benign(affected_side="both", already_seen=False), Level.SOON, ("S4",)),
    ("both feet, onset unknown", benign(affected_side="both", onset=None), Level.URGENT, ("U7",)),
    ("both feet, course unknown", benign(affected_side="both", progression=None), Level.URGENT, ("U7",)),
    # weakness of the face or an arm, or trouble speaking: an emergency whatever the onset
    ("other weakness, sudden", benign(other_weakness=True, onset="sudden"), Level.EMERGENCY, ("E1",)),
    ("other weakness, gradual", benign(other_weakness=True), Level.EMERGENCY, ("E1",)),
    ("other weakness, onset unknown", benign(other_weakness=True, onset=None), Level.EMERGENCY, ("E1",)),
    # sudden foot drop alone, or foot drop right after surgery: checked today
    ("sudden, no other weakness", benign(onset="sudden"), Level.SAME_DAY, ("D1",)),
    ("after surgery", benign(preceded_by="surgery"), Level.SAME_DAY, ("D2",)),
    ("sudden, after surgery", benign(onset="sudden", preceded_by="surgery"), Level.SAME_DAY, ("D1", "D2")),
    ("after an injury", benign(preceded_by="injury"), Level.URGENT, ("U3",)),
    # the calm picture
    ("benign, not seen", benign(already_seen=False), Level.SOON, ("S4",)),
    ("benign, seen unknown", benign(already_seen=None), Level.SOON, ("S4", "S5")),
    ("benign, seen", BENIGN, Level.ROUTINE, ("R1",)),
    ("nothing known", {}, Level.SOON, ("S4", "S5")),
    # higher level wins; only its reasons are given, in table order
    (
        "same day beats soon",
        benign(onset="sudden", back_leg_pain=True, numbness=True, already_seen=False),
        Level.SAME_DAY,
        ("D1",),
    ),
    ("two urgent rows", benign(preceded_by="injury", progression="worse"), Level.URGENT, ("U3", "U4")),
    (
        "emergency beats all",
        benign(onset="sudden", other_weakness=True, preceded_by="fall", progression="worse",
               numbness=True, already_seen=False),
        Level.EMERGENCY,
        ("E1",),
    ),
    (
        "several emergencies",
        benign(affected_side="both", onset="sudden", other_weakness=True, progression="spreading"),
        Level.EMERGENCY,
        ("E1", "E6", "E7"),
    ),
]


@pytest.mark.parametrize(
    "answers, level, rule_ids",
    [case[1:] for case in BOUNDARY_CASES],
    ids=[case[0] for case in BOUNDARY_CASES],
)
def test_boundaries(answers: Dict[str, Any], level: Level, rule_ids: tuple) -> None:
    decision = triage.triage(answers)
    assert decision.level == level
    assert decision.rule_ids == rule_ids
    assert decision.reasons == tuple(RULES_BY_ID[i].reason for i in rule_ids)


def test_reasons_come_only_from_the_top_level() -> None:
    answers = benign(onset="sudden", numbness=True, already_seen=False)
    matched = {rule.id for rule in triage.matching_rules(answers)}
    assert {"D1", "S2", "S4"} <= matched
    decision = triage.triage(answers)
    assert decision.rule_ids == ("D1",)
    assert all(RULES_BY_ID[i].level == decision.level for i in decision.rule_ids)
    assert RULES_BY_ID["S2"].reason not in decision.reasons


# ---- Unknown answers --------------------------------------------------------------------


@pytest.mark.parametrize("slot", QUESTIONS)
def test_one_unknown_answer_only_adds_the_cautious_rows(slot: str) -> None:
    decision = triage.triage(benign(**{slot: None}))
    assert decision.level == Level.SOON
    assert "S5" in decision.rule_ids
    assert set(decision.rule_ids) <= {"S4", "S5"}


@pytest.mark.parametrize("slot", QUESTIONS)
def test_a_missing_key_is_the_same_as_none(slot: str) -> None:
    answers = dict(BENIGN)
    del answers[slot]
    assert triage.triage(answers) == triage.triage(benign(**{slot: None}))


# For each row, the answers it needs to be known and present (its "positive" conditions).
# S4 and S5 have none: they apply *because* something is not known.
POSITIVE_SLOTS = {
    "E1": ("other_weakness",),
    "E3": ("shin_swelling",),
    "E4": ("bladder_bowel", "back_leg_pain"),
    "E5": ("bladder_bowel",),
    "E6": ("affected_side",),
    "E7": ("progression",),
    "D1": ("onset",),
    "D2": ("preceded_by",),
    "U2": ("onset",),
    "U3": ("preceded_by",),
    "U4": ("progression",),
    "U7": ("affected_side",),
    "S1": ("back_leg_pain",),
    "S2": ("numbness",),
    "S3": ("preceded_by",),
    "R1": QUESTIONS,
}
POSITIVE_CASES = [
    (rule_id, slot, answers)
    for rule_id, answers in ROW_CASES
    for slot in POSITIVE_SLOTS.get(rule_id, ())
]


def test_positive_slots_cover_the_table() -> None:
    assert set(POSITIVE_SLOTS) == set(RULES_BY_ID) - {"S4", "S5"}
    for rule_id, slots in POSITIVE_SLOTS.items():
        assert set(slots) <= set(RULES_BY_ID[rule_id].slots)


@pytest.mark.parametrize(
    "rule_id, slot, answers", POSITIVE_CASES,
    ids=[f"{i}-{slot}-{n}" for n, (i, slot, _) in enumerate(POSITIVE_CASES)],
)
@pytest.mark.parametrize("unknown", ["none", "missing"])
def test_unknown_never_matches_a_positive_condition(
    rule_id: str, slot: str, answers: Dict[str, Any], unknown: str
) -> None:
    rule = RULES_BY_ID[rule_id]
    assert rule.applies(answers)
    blanked = dict(answers)
    if unknown == "none":
        blanked[slot] = None
    else:
        blanked.pop(slot, None)
    assert not rule.applies(blanked), f"{rule_id} applied with {slot} unknown"


@pytest.mark.parametrize("value", ["yes", 1, 0, "LEFT", "true", ""])
def test_unexpected_values_count_as_unknown(value: Any) -> None:
    for slot in QUESTIONS:
        decision = triage.triage(benign(**{slot: value}))
        assert decision.level == Level.SOON, slot
        assert "S5" in decision.rule_ids
        assert set(decision.rule_ids) <= {"S4", "S5"}


def all_complete_answers():
    slots = list(CHOICES)
    for values in itertools.product(*(CHOICES[s] for s in slots)):
        yield dict(zip(slots, values))


def random_partial_answers(count: int, seed: int = 0):
    rng = random.Random(seed)
    for _ in range(count):
        yield {slot: rng.choice(CHOICES[slot] + (None, None, "unsure")) for slot in CHOICES}


def test_the_table_is_total_and_routine_only_when_nothing_else_applies() -> None:
    for answers in itertools.chain(all_complete_answers(), random_partial_answers(3000)):
        matched = triage.matching_rules(answers)
        assert matched, answers
        decision = triage.triage(answers)
        assert decision.level == max(rule.level for rule in matched)
        others = [rule for rule in matched if rule.id != "R1"]
        assert ("R1" in decision.rule_ids) == (not others), answers
        if decision.level == Level.ROUTINE:
            assert decision.rule_ids == ("R1",)
            assert all(answers[slot] is not None for slot in QUESTIONS)


class RecordingAnswers(dict):
    """A dict of answers that notes every slot a rule reads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read: Set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


def test_each_rule_reads_only_the_slots_it_names() -> None:
    samples = list(random_partial_answers(500, seed=1)) + [answers for _, answers in ROW_CASES]
    for rule in RULES:
        for answers in samples:
            recording = RecordingAnswers(answers)
            rule.applies(recording)
            assert recording.read <= set(rule.slots), (rule.id, recording.read - set(rule.slots))


# ---- Explanations: WHY lines and reasons ------------------------------------------------


def test_why_has_a_line_for_every_question_and_every_slot_a_rule_reads() -> None:
    assert set(QUESTIONS) <= set(WHY)
    for rule in RULES:
        assert set(rule.slots) <= set(WHY), rule.id
    assert set(WHY) == set(CHOICES)
    assert all(line.strip() and line.endswith(".") for line in WHY.values())


def test_every_question_decides_something() -> None:
    """Each question is read by a row that looks at it specifically (not only S5/R1)."""
    specific = {slot for rule in RULES if rule.id not in ("S5", "R1") for slot in rule.slots}
    assert set(QUESTIONS) <= specific


def test_why_lines_agree_with_the_emergency_rows() -> None:
    """A WHY line speaks of emergency care only for an answer an EMERGENCY row reads, and
    every EMERGENCY row reads at least one answer whose WHY line says so."""
    emergency_slots = {slot for rule in RULES if rule.level == Level.EMERGENCY for slot in rule.slots}
    says_emergency = {slot for slot, line in WHY.items() if "emergency" in line.lower()}
    assert says_emergency <= emergency_slots
    for rule in RULES:
        if rule.level == Level.EMERGENCY:
            assert says_emergency & set(rule.slots), rule.id


@pytest.mark.parametrize("slot", sorted(WHY))
def test_why_lines_are_plain(slot: str) -> None:
    assert textstat.flesch_kincaid_grade(WHY[slot]) <= MAX_GRADE, WHY[slot]


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_reasons_are_plain_sentences(rule) -> None:
    assert rule.reason[0].isupper() and rule.reason.endswith(".")
    assert textstat.flesch_kincaid_grade(rule.reason) <= MAX_GRADE, rule.reason


def test_rule_ids_are_unique_and_in_level_order() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))
    levels = [rule.level for rule in RULES]
    assert levels == sorted(levels, reverse=True)
    prefix = {Level.EMERGENCY: "E", Level.SAME_DAY: "D", Level.URGENT: "U", Level.SOON: "S", Level.ROUTINE: "R"}
    for rule in RULES:
        assert rule.id[0] == prefix[rule.level]
    # ids of removed rows are never used again for another meaning
    assert not {"E2", "U1", "U5", "U6"} & set(ids)


def test_levels_are_ordered_by_urgency_and_each_tells_its_own_time_frame() -> None:
    # The most urgent matching row decides, so this order is what makes a decision safe.
    assert Level.ROUTINE < Level.SOON < Level.URGENT < Level.SAME_DAY < Level.EMERGENCY
    # Two levels never tell the patient the same thing (actions/advice.py says `when`).
    assert len({level.when for level in Level}) == len({level.label for level in Level}) == len(Level)


def test_the_module_uses_only_the_standard_library() -> None:
    """And footdrop.check_questions, the questions of content/symptom_check.yml (issue 18)."""
    tree = ast.parse(Path(triage.__file__).read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            modules.add(module if module == "footdrop.check_questions" else module.split(".")[0])
    allowed = set(sys.stdlib_module_names) | {"footdrop.check_questions"}
    assert modules <= allowed, modules - allowed


# ---- The staff table in docs/triage.md --------------------------------------------------


def markdown_tables(text: str) -> List[List[List[str]]]:
    tables, current = [], []
    for line in text.splitlines() + [""]:
        if line.strip().startswith("|"):
            current.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif current:
            tables.append(current)
            current = []
    return tables


def decision_table() -> List[Dict[str, str]]:
    tables = [t for t in markdown_tables(DOC.read_text(encoding="utf-8")) if t[0] == ["id", "level", "when", "reason"]]
    assert len(tables) == 1, "docs/triage.md must have exactly one | id | level | when | reason | table"
    header, separator, *rows = tables[0]
    assert all(set(cell) <= set("-: ") for cell in separator)
    assert all(len(row) == len(header) for row in rows)
    return [dict(zip(header, row)) for row in rows]


def test_every_rule_is_in_the_doc_table_with_the_same_level_and_reason() -> None:
    rows = {row["id"]: row for row in decision_table()}
    for rule in RULES:
        assert rule.id in rows, f"{rule.id} is missing from docs/triage.md"
        assert rows[rule.id]["level"].upper() == rule.level.name, rule.id
        assert rows[rule.id]["reason"] == rule.reason, rule.id
        assert rows[rule.id]["when"], rule.id


def test_every_doc_row_is_a_rule_in_the_same_order() -> None:
    rows = decision_table()
    assert [row["id"] for row in rows] == [rule.id for rule in RULES]
    for row in rows:
        assert row["id"] in RULES_BY_ID, f"docs/triage.md row {row['id']} is not in RULES"
        assert Level[row["level"].upper()] == RULES_BY_ID[row["id"]].level


def rows_that_apply_on_missing_answers() -> Set[str]:
    """Rows that apply to some answers only because a slot they read is unknown: some known
    answer in its place would make the row stop applying."""
    found = set()
    for answers in itertools.chain(random_partial_answers(3000, seed=2), (a for _, a in ROW_CASES)):
        for rule in triage.matching_rules(answers):
            unknown = [slot for slot in rule.slots if not triage._known(answers, slot)]
            for values in itertools.product(*(CHOICES[slot] for slot in unknown)):
                if unknown and not rule.applies({**answers, **dict(zip(unknown, values))}):
                    found.add(rule.id)
                    break
    return found


def test_the_doc_lists_exactly_the_rows_that_apply_on_missing_answers() -> None:
    tables = [t for t in markdown_tables(DOC.read_text(encoding="utf-8")) if t[0] == ["id", "applies when"]]
    assert len(tables) == 1, "docs/triage.md must have one | id | applies when | table"
    listed = {row[0] for row in tables[0][2:]}
    assert listed == rows_that_apply_on_missing_answers()


# ---- The form: stopping early and the order of questions --------------------------------


def ask_in_order(final: Dict[str, Any]) -> List[Any]:
    """Answers the form's questions one at a time from `final`; returns the slot at which
    emergency_now first fires (or None) and the questions asked."""
    answers: Dict[str, Any] = {}
    asked = []
    while (slot := next_question(answers)) is not None:
        asked.append(slot)
        answers[slot] = final[slot]
        if emergency_now(answers) is not None:
            return [slot, asked]
    return [None, asked]


@pytest.mark.parametrize(
    "final, stops_at, rule_id",
    [
        (benign(affected_side="both", onset="sudden"), "onset", "E6"),
        (benign(onset="sudden", other_weakness=True), "other_weakness", "E1"),
        (benign(preceded_by="surgery", shin_swelling=True), "shin_swelling", "E3"),
        (benign(other_weakness=True), "other_weakness", "E1"),
        (benign(affected_side="both", progression="worse"), "progression", "E6"),
        (benign(bladder_bowel=True), "bladder_bowel", "E5"),
        (benign(back_leg_pain=True, bladder_bowel=True), "bladder_bowel", "E4"),
        (benign(progression="spreading"), "progression", "E7"),
    ],
)
def test_emergency_now_stops_the_form_mid_way(final: Dict[str, Any], stops_at: str, rule_id: str) -> None:
    slot, asked = ask_in_order(final)
    assert slot == stops_at
    partial = {s: final[s] for s in asked}
    decision = emergency_now(partial)
    assert decision is not None and decision.level == Level.EMERGENCY
    assert rule_id in decision.rule_ids


def test_emergency_now_is_none_below_emergency() -> None:
    assert emergency_now({}) is None
    assert emergency_now({"affected_side": "left", "onset": "sudden"}) is None
    assert emergency_now(benign(onset="sudden", preceded_by="surgery", progression="worse")) is None
    slot, asked = ask_in_order(benign(onset="sudden", already_seen=False))
    assert slot is None and tuple(asked) == QUESTIONS


def test_next_question_follows_the_order() -> None:
    assert QUESTIONS == (
        "affected_side", "onset", "preceded_by", "back_leg_pain", "numbness",
        "other_weakness", "shin_swelling", "bladder_bowel", "progression", "already_seen",
    )
    answers: Dict[str, Any] = {}
    for slot in QUESTIONS:
        assert next_question(answers) == slot
        answers[slot] = False  # a "no" is an answer: it must not be asked again
    assert next_question(answers) is None
    assert next_question({"onset": "gradual"}) == "affected_side"
    assert next_question({"affected_side": "left", "onset": None}) == "onset"


# ---- Recap -------------------------------------------------------------------------------


def test_recap_of_a_full_set_of_answers() -> None:
    answers = benign(preceded_by="fall", onset="sudden", back_leg_pain=True, numbness=True,
                     progression="worse", already_seen=False)
    assert recap(answers) == [
        "Foot drop in my left foot, started suddenly (within hours), after a fall.",
        "Also: back or leg pain, numbness or tingling. "
        "Not: weakness in the face or an arm or trouble speaking, a swollen painful shin, "
        "bladder or bowel changes or numbness between the legs.",
        "It is getting worse. A clinician has not checked it yet.",
    ]


def test_recap_mentions_only_known_answers() -> None:
    assert recap({}) == ["Foot drop."]
    assert recap({"affected_side": "both"}) == ["Foot drop in both feet."]
    lines = recap({"onset": "gradual", "numbness": True})
    assert lines == ["Foot drop, came on slowly over months.", "Also: numbness or tingling."]
    text = " ".join(lines)
    for word in ("left", "right", "both", "Not:", "clinician", "worse", "pain"):
        assert word not in text


@pytest.mark.parametrize("answers", [BENIGN, {}, benign(affected_side="both", preceded_by="none")])
def test_recap_is_two_or_three_plain_lines(answers: Dict[str, Any]) -> None:
    lines = recap(answers)
    assert 1 <= len(lines) <= 3
    assert all(line.endswith(".") for line in lines)
    assert "None" not in " ".join(lines)


# ---- Advice ------------------------------------------------------------------------------


def decision_at(level: Level) -> Decision:
    return Decision(level, (), ())


@pytest.mark.parametrize("level", list(Level))
def test_advice_names_the_emergency_number(level: Level) -> None:
    """EMERGENCY must; every other level does too (the list of warning signs)."""
    lines = advice_lines(decision_at(level), CLINIC)
    assert lines and all(line.endswith((".", ":")) for line in lines)
    assert any(CLINIC["emergency_number"] in line for line in lines)
    assert "None" not in " ".join(lines)


def test_emergency_advice() -> None:
    text = " ".join(advice_lines(decision_at(Level.EMERGENCY), CLINIC))
    assert "Call 911 now" in text
    assert "emergency department" in text
    assert "Do not drive yourself." in text
    assert CLINIC["phone"] not in text  # no clinic number to try first


def test_same_day_advice() -> None:
    text = " ".join(advice_lines(decision_at(Level.SAME_DAY), CLINIC))
    for expected in (CLINIC["name"], CLINIC["phone"], CLINIC["hours"], "seen today",
                     "go to urgent care or the emergency room today", "Call 911"):
        assert expected in text
    assert "24 hours" not in text


def test_urgent_advice() -> None:
    text = " ".join(advice_lines(decision_at(Level.URGENT), CLINIC))
    for expected in (CLINIC["name"], CLINIC["phone"], CLINIC["hours"], "24 hours", "closed, go to an urgent care clinic", "Call 911"):
        assert expected in text


@pytest.mark.parametrize("level", [level for level in Level if level != Level.EMERGENCY])
def test_the_safety_net_names_every_group_of_emergency_signs(level: Level) -> None:
    """Below EMERGENCY, the advice lists the signs of content/emergency_signs.yml, grouped."""
    text = " ".join(advice_lines(decision_at(level), CLINIC)).lower()
    words = {
        "face": "face", "arm": "arm", "speech": "speaking", "vision": "seeing", "dizziness": "balance",
        "confusion": "confusion", "headache": "headache", "saddle": "numb between your legs",
        "bladder": "bladder", "bowel": "bowels", "both_legs": "both legs", "compartment": "shin",
        "cold_foot": "cold and pale", "ascending": "spreads", "breathing": "breathing",
    }
    for sign, word in words.items():
        assert word in text, sign


@pytest.mark.parametrize("booking_url", ["https://clinic.example/book", None])
def test_soon_advice(booking_url: Any) -> None:
    text = " ".join(advice_lines(decision_at(Level.SOON), dict(CLINIC, booking_url=booking_url)))
    assert "1–2 weeks" in text and CLINIC["name"] in text and CLINIC["phone"] in text
    assert ("book online" in text) == (booking_url is not None)
    if booking_url:
        assert booking_url in text


def test_routine_advice() -> None:
    text = " ".join(advice_lines(decision_at(Level.ROUTINE), CLINIC))
    assert "next visit" in text
    assert f"contact {CLINIC['name']} on {CLINIC['phone']} sooner" in text


@pytest.mark.parametrize("level", list(Level))
def test_advice_is_plain(level: Level) -> None:
    for line in advice_lines(decision_at(level), dict(CLINIC, booking_url=None)):
        assert textstat.flesch_kincaid_grade(line.lstrip("- ")) <= MAX_GRADE, line


def test_the_disclaimer_after_the_advice_is_the_cores_and_the_advice_does_not_repeat_it() -> None:
    # What patients get after the advice (actions/advice.py: utter_not_a_diagnosis follows).
    disclaimer = load_yaml("domain.yml")["responses"]["utter_not_a_diagnosis"][0]["text"]
    assert disclaimer.startswith(NOT_A_DIAGNOSIS)
    for level in Level:
        assert NOT_A_DIAGNOSIS not in " ".join(advice_lines(decision_at(level), CLINIC)), level
