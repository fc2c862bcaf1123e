"""Issue 18: one source for the symptom check's questions, and `make check` / `make new-topic`
keeping the rest in step with it.

- content/symptom_check.yml is the one list of the questions: the triage table, the form's
  actions and "why do you ask?" take the order, the values and the why lines from it;
- `make check` names every place in domain.yml (slots, symptom_form's required_slots, the
  action_ask_ actions) and every question value that does not match it, and every topic intent
  missing from the rule that answers a topic question during the check;
- `make new-topic` puts the new topic into that rule.

Fast: no model, no server. The broken cases edit a temporary copy of the files.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable, List

import pytest
import yaml

from actions import symptom_check
from footdrop import check_questions, triage
from footdrop.check_questions import QuestionsError, is_topic_intent, load_questions, parse_questions
from support.project import ROOT, copy_checked_files
from tools import check, new_topic

QUESTIONS_FILE = "content/symptom_check.yml"
MID_CHECK = "answer a topic question during the symptom check"


def raw_questions() -> dict:
    return yaml.safe_load((ROOT / QUESTIONS_FILE).read_text(encoding="utf-8"))


# ---------------------------------------------------------------- one list of the questions


def test_the_order_values_and_why_lines_come_from_the_questions_file():
    raw = raw_questions()["questions"]
    assert triage.QUESTIONS == tuple(raw) == tuple(load_questions())
    for slot, entry in raw.items():
        values = (True, False) if entry["values"] == "yes_no" else tuple(entry["values"])
        assert triage.CHOICES[slot] == values, slot
        assert triage.WHY[slot] == entry["why"], slot


def test_the_form_and_its_questions_follow_the_file(domain):
    order = tuple(load_questions())
    assert symptom_check.ALL_SLOTS == order
    assert tuple(symptom_check.ASK_ACTIONS) == order
    assert [cls().name() for cls in symptom_check.ASK_ACTIONS.values()] == [f"action_ask_{s}" for s in order]
    assert tuple(domain["forms"]["symptom_form"]["required_slots"]) == order


def test_the_modules_keep_no_list_of_their_own():
    """No second copy of the questions: the slot names appear in triage.py only in the rows and
    the recap (which the file is checked against), never as a list of the questions."""
    for path in ("footdrop/triage.py", "actions/symptom_check.py", "actions/advice.py"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert '"affected_side",\n    "onset",' not in text, path
        assert "WHY: Dict[str, str] = {\n" not in text, path


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda q: q["questions"]["onset"].pop("values"), "question 'onset' needs 'values'"),
        (lambda q: q["questions"]["numbness"].update(values=[True, False]), "question 'numbness' needs 'values'"),
        (lambda q: q["questions"]["onset"].update(values=["sudden"]), "question 'onset' needs 'values'"),
        (lambda q: q["questions"]["numbness"].pop("why"), "question 'numbness' needs 'why' text"),
        (lambda q: q["questions"]["numbness"].update(ask=" "), "question 'numbness' needs 'ask' text"),
        (lambda q: q.pop("questions"), "'questions' must map"),
    ],
)
def test_a_broken_questions_file_is_named(change: Callable[[dict], None], message: str):
    raw = raw_questions()
    change(raw)
    with pytest.raises(QuestionsError, match=message):
        parse_questions(raw, QUESTIONS_FILE)


def test_the_table_refuses_questions_or_values_it_does_not_read():
    questions = dict(load_questions())
    assert triage.mismatches(questions) == []
    onset = questions["onset"]
    questions["onset"] = check_questions.Question(
        "onset", ("sudden", "slow"), onset.why, onset.ask, onset.again, onset.buttons)
    del questions["numbness"]
    questions["smoker"] = check_questions.Question("smoker", (True, False), "Why.", "Smoke?", "Smoke??", ())
    problems = triage.mismatches(questions)
    assert len(problems) == 3, problems
    assert any("'onset' has values [sudden, slow]" in p and "[sudden, days_weeks, gradual]" in p for p in problems)
    assert any("'numbness' is missing" in p and "values: yes_no" in p for p in problems)
    assert any("'smoker' is not read by the triage table" in p for p in problems)


def test_why_do_you_ask_gives_the_files_line(domain):
    import asyncio

    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    for slot, question in load_questions().items():
        tracker = Tracker("t", {"requested_slot": slot}, {}, [], False, None, {"name": "symptom_form"}, "action_listen")
        dispatcher = CollectingDispatcher()
        asyncio.run(symptom_check.ExplainQuestion().run(dispatcher, tracker, domain))
        assert [m["text"] for m in dispatcher.messages] == [question.why]


# ---------------------------------------------------------------- make check on a copy


def edit_yaml(root: Path, relative: str, change: Callable[[dict], None]) -> None:
    path = root / relative
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(content)
    path.write_text(yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")


def mid_check_intents(rules: dict) -> list:
    rule = next(r for r in rules["rules"] if r.get("rule") == MID_CHECK)
    return next(step["or"] for step in rule["steps"] if "or" in step)


def required(domain: dict) -> list:
    return domain["forms"]["symptom_form"]["required_slots"]


def swap_two(domain: dict) -> None:
    slots = required(domain)
    slots[3], slots[4] = slots[4], slots[3]


BREAKAGES = {
    "required slot removed": (
        "domain.yml", lambda d: required(d).remove("numbness"),
        [["domain.yml", "required_slots does not list 'numbness'", QUESTIONS_FILE, "add `- numbness`"]],
    ),
    "required slot that is no question": (
        "domain.yml", lambda d: required(d).append("smoker"),
        [["domain.yml", "required_slots lists 'smoker'", "not a question of " + QUESTIONS_FILE]],
    ),
    "required slots reordered": (
        "domain.yml", swap_two,
        [["domain.yml", "another order", "affected_side, onset, preceded_by, back_leg_pain, numbness"]],
    ),
    "slot removed": (
        "domain.yml", lambda d: d["slots"].pop("shin_swelling"),
        [["domain.yml", "no slot 'shin_swelling'", "type: bool"]],
    ),
    "yes/no slot with another type": (
        "domain.yml", lambda d: d["slots"]["numbness"].update(type="text"),
        [["domain.yml", "slot 'numbness'", "yes/no question", "type: bool"]],
    ),
    "slot values differ": (
        "domain.yml", lambda d: d["slots"]["onset"].update(values=["sudden", "gradual"]),
        [["domain.yml", "slot 'onset'", "values: [sudden, days_weeks, gradual]", QUESTIONS_FILE]],
    ),
    "ask action removed": (
        "domain.yml", lambda d: d["actions"].remove("action_ask_progression"),
        [["domain.yml", "'action_ask_progression'", "question 'progression'", "add `- action_ask_progression`"]],
    ),
    "ask action for no question": (
        "domain.yml", lambda d: d["actions"].append("action_ask_smoker"),
        [["domain.yml", "'action_ask_smoker'", "'smoker' is not a question"]],
    ),
    "question values the table does not read": (
        QUESTIONS_FILE, lambda q: q["questions"]["progression"].update(values=["stable", "worse"]),
        [[QUESTIONS_FILE, "question 'progression'", "[stable, worse]", "[stable, worse, spreading]"],
         ["domain.yml", "slot 'progression'", "values: [stable, worse]"]],
    ),
    "question removed from the file": (
        QUESTIONS_FILE, lambda q: q["questions"].pop("bladder_bowel"),
        [[QUESTIONS_FILE, "question 'bladder_bowel' is missing", "triage table"],
         ["domain.yml", "required_slots lists 'bladder_bowel'"],
         ["domain.yml", "'action_ask_bladder_bowel'", "not a question"]],
    ),
    "question without values": (
        QUESTIONS_FILE, lambda q: q["questions"]["numbness"].pop("values"),
        [[QUESTIONS_FILE, "question 'numbness' needs 'values'", "yes_no"]],
    ),
    "topic missing from the mid-check rule": (
        "data/rules.yml", lambda r: mid_check_intents(r).remove({"intent": "ask_brace"}),
        [["data/rules.yml", "'ask_brace'", MID_CHECK, "- intent: ask_brace"]],
    ),
    "other topic missing from the mid-check rule": (
        "data/rules.yml", lambda r: mid_check_intents(r).remove({"intent": "bot_capabilities"}),
        [["data/rules.yml", "'bot_capabilities'", MID_CHECK]],
    ),
    "no topic in the mid-check rule": (
        "data/rules.yml", lambda r: r["rules"].remove(next(x for x in r["rules"] if x.get("rule") == MID_CHECK)),
        [["data/rules.yml", "'ask_brace'", MID_CHECK], ["data/rules.yml", "'bot_identity'", MID_CHECK]],
    ),
    "no topic in the mid-check rule's list": (
        "data/rules.yml", lambda r: mid_check_intents(r).append({"intent": "greet"}),
        [["data/rules.yml", "'greet'", "not a topic", MID_CHECK]],
    ),
}


def test_an_untouched_copy_passes(tmp_path):
    assert check.run_checks(copy_checked_files(tmp_path)) == []


@pytest.mark.parametrize("case", sorted(BREAKAGES))
def test_each_mismatch_is_named_with_its_fix(tmp_path, case):
    root = copy_checked_files(tmp_path)
    relative, change, expected = BREAKAGES[case]
    edit_yaml(root, relative, change)
    problems = check.run_checks(root)
    for fragments in expected:
        assert any(all(f in p for f in fragments) for p in problems), f"no problem names all of {fragments}:\n{problems}"


def test_the_project_passes_both_new_checks():
    """The real files agree (make check's two new checks pass on the project itself)."""
    project, problems = check.load_project(ROOT)
    assert problems == []
    assert check.check_symptom_check(project) == []
    assert check.check_mid_check_rule(project) == []


def test_the_mid_check_rule_holds_exactly_the_topic_intents():
    project, _ = check.load_project(ROOT)
    during = set(check.answered_during_check(project))
    assert during == {i for i in project.intents if is_topic_intent(i)}
    assert {"bot_identity", "bot_capabilities"} <= during


# ---------------------------------------------------------------- make new-topic


def new_topic_copy(destination: Path) -> Path:
    for relative in ["domain.yml", "data/rules.yml", "tests/nlu_holdout.yml", "tests/test_stories.yml", "content/topics.yml"]:
        (destination / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, destination / relative)
    (destination / "data" / "nlu").mkdir()  # where the new topic's examples go
    return destination


def test_new_topic_adds_the_topic_to_the_mid_check_rule(tmp_path):
    root = new_topic_copy(tmp_path)
    before = (root / "data/rules.yml").read_text(encoding="utf-8")
    new_topic.new_topic(root, "ask_driving")
    after = (root / "data/rules.yml").read_text(encoding="utf-8")
    rules = yaml.safe_load(after)
    intents: List[str] = [step["intent"] for step in mid_check_intents(rules)]
    # after the last topic, before the other intents answered during the check
    assert intents[intents.index("ask_return_to_activity") + 1] == "ask_driving"
    assert intents[-2:] == ["bot_identity", "bot_capabilities"]
    # the rule answering it outside the check is there too, and nothing else changed
    assert any(r["steps"] == [{"intent": "ask_driving"}, {"action": "utter_ask_driving"}] for r in rules["rules"])
    old_lines = before.splitlines()
    assert [line for line in after.splitlines() if line not in old_lines and "driving" not in line] == []
    assert all(line in after.splitlines() for line in old_lines)


def test_new_topic_refuses_before_changing_anything_without_the_mid_check_rule(tmp_path):
    root = new_topic_copy(tmp_path)
    edit_yaml(root, "data/rules.yml", lambda r: r["rules"].remove(next(x for x in r["rules"] if x.get("rule") == MID_CHECK)))
    domain = (root / "domain.yml").read_text(encoding="utf-8")
    with pytest.raises(SystemExit, match="action_answer_topic"):
        new_topic.new_topic(root, "ask_driving")
    assert (root / "domain.yml").read_text(encoding="utf-8") == domain
