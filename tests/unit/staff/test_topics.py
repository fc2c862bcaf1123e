"""staff/topics.py and staff/safety.py on the real project files (read) and on a copy (written):
a topic's answer in its parts, its phrasings and held-out lines; check_answer says what
`make check` says about a draft answer, with tools/check.py's own checks; set_answer changes
the answer's lines in domain.yml and nothing else; which changes are on the safety path."""

from __future__ import annotations

import pytest
import yaml

from footdrop.check_questions import TOPIC_INTENT_PREFIX
from staff import safety, topics
from support.project import ROOT, copy_checked_files, load_yaml
from tools import check

BRACE = "utter_ask_brace"
FACTS = "Your doctor may suggest a brace. A brace can help you walk."
CARE = "Ask your doctor or physical therapist if a brace is right for you."


def answer(*lines: str) -> str:
    return "\n".join(lines)


def topic_intents():
    return [i for i in check.load_project(ROOT)[0].intents if i.startswith(TOPIC_INTENT_PREFIX)]


# ---------------------------------------------------------------- reading


def test_every_topic_is_listed_with_its_title_and_counts():
    listed = topics.list_topics(ROOT)
    titles = load_yaml("content/topics.yml")["titles"]
    project = check.load_project(ROOT)[0]
    assert [t.intent for t in listed] == topic_intents() and listed
    for topic in listed:
        assert topic.title == titles[topic.intent]
        assert topic.phrasings == len(project.training_examples()[topic.intent]) >= check.MIN_TRAINING_EXAMPLES
        assert topic.held_out == len(project.holdout_examples()[topic.intent]) >= check.MIN_HOLDOUT_EXAMPLES


def test_a_topic_has_its_answer_in_three_parts():
    topic = topics.get_topic(ROOT, "ask_brace")
    text = load_yaml("domain.yml")["responses"][BRACE][0]["text"]
    assert (topic.title, topic.response, topic.text) == ("Braces", BRACE, text)
    assert topic.parts.body == text.splitlines()[0]
    assert topic.parts.care_note == CARE
    assert topic.parts.sources == ("Medical Interventions", "Recovery")


def test_a_topic_has_its_phrasings_from_the_files_that_hold_them_and_its_held_out_lines():
    topic = topics.get_topic(ROOT, "ask_brace")
    nlu = yaml.safe_load((ROOT / "data/nlu/treatment.yml").read_text(encoding="utf-8"))
    block = next(b for b in nlu["nlu"] if b.get("intent") == "ask_brace")
    first = block["examples"].splitlines()[0][2:].strip()
    assert ("data/nlu/treatment.yml", first) in topic.phrasings
    assert {path for path, _ in topic.phrasings} == set(topics.phrasing_files(ROOT, "ask_brace"))
    holdout = yaml.safe_load((ROOT / "tests/nlu_holdout.yml").read_text(encoding="utf-8"))
    held = next(b for b in holdout["nlu"] if b.get("intent") == "ask_brace")["examples"]
    assert topic.held_out == [line[2:].strip() for line in held.splitlines() if line.strip()]


@pytest.mark.parametrize("intent", ["greet", "utter_ask_brace", "ask_nothing_like_this"])
def test_only_topics_are_topics(intent):
    with pytest.raises(topics.TopicError, match="no topic"):
        topics.get_topic(ROOT, intent)


# ---------------------------------------------------------------- checking a draft


@pytest.mark.parametrize("intent", topic_intents())
def test_the_current_answers_pass(intent):
    response = topics.response_of(intent)
    assert topics.check_answer(ROOT, response, topics.get_topic(ROOT, intent).text) == []


def test_a_missing_care_note_is_found():
    problems = topics.check_answer(ROOT, BRACE, answer(FACTS, "Braces come in many kinds.", "From: Medical Interventions"))
    assert len(problems) == 1 and problems[0].startswith("This answer has no care note")


def test_a_section_that_does_not_exist_is_found():
    problems = topics.check_answer(ROOT, BRACE, answer(FACTS, CARE, "From: Medical Interventions; Braces"))
    assert len(problems) == 1
    assert "cites section 'Braces', which is not in content/sections.yml" in problems[0]
    assert "Medical Interventions" in problems[0]  # the sections it may cite


def test_a_reading_grade_too_high_is_found():
    hard = ("Notwithstanding considerable physiological heterogeneity, comprehensive neuromuscular rehabilitation "
            "necessitates individualized multidisciplinary orthotic interventions.")
    problems = topics.check_answer(ROOT, BRACE, answer(hard, CARE, "From: Medical Interventions"))
    assert len(problems) == 1 and problems[0].startswith("This answer reads at grade")
    assert "above 8.0" in problems[0]


def test_an_invented_treatment_is_found():
    """The answer may name only what its cited sections name (footdrop/claims.py, as make check
    finds it): Recovery never names massage; Physical Therapy Interventions does."""
    draft = answer("Massage cures foot drop in a week.", CARE, "From: Recovery")
    problems = topics.check_answer(ROOT, "utter_ask_recovery", draft)
    assert len(problems) == 1, problems
    assert problems[0].startswith("This answer names 'Massage' (a treatment), but the section it cites (Recovery) "
                                  "does not")
    assert "'From: ' line (the guide says 'massage' in Physical Therapy Interventions)" in problems[0]
    assert "take it out of the answer" in problems[0]
    cited = draft.replace("From: Recovery", "From: Recovery; Physical Therapy Interventions")
    assert topics.check_answer(ROOT, "utter_ask_recovery", cited) == []


def test_a_missing_source_line_and_a_todo_are_found():
    problems = topics.check_answer(ROOT, BRACE, answer("TODO: the facts.", CARE))
    assert any("line 1 still says TODO" in p for p in problems)
    assert any("has no last line 'From: <section>'" in p for p in problems)


def test_the_draft_gets_the_messages_make_check_gives_once_it_is_written(tmp_path):
    """check_answer is make check: written into a copy, the draft gets the same problems there."""
    draft = answer(FACTS, "Braces come in many kinds.", "From: Medical Interventions; Braces")
    root = copy_checked_files(tmp_path)
    topics.set_answer(root, BRACE, draft)
    from_make_check = [p.replace(f"domain.yml: response '{BRACE}'", "This answer")
                       for p in check.run_checks(root) if f"'{BRACE}'" in p]
    assert sorted(topics.check_answer(ROOT, BRACE, draft)) == sorted(from_make_check) and len(from_make_check) == 2


# ---------------------------------------------------------------- writing


def test_set_answer_changes_that_answer_and_nothing_else(tmp_path):
    root = copy_checked_files(tmp_path)
    before = (root / "domain.yml").read_text(encoding="utf-8")
    new = answer(FACTS, CARE, "From: Medical Interventions")
    assert topics.set_answer(root, BRACE, new.replace("\n", "\r\n\r\n") + "\n") == ["domain.yml"]
    after = (root / "domain.yml").read_text(encoding="utf-8")
    assert yaml.safe_load(after)["responses"][BRACE] == [{"text": new}]
    removed = [line for line in before.splitlines() if line not in after.splitlines()]
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert [line.strip() for line in added] == [FACTS]  # the care note and one source line were there before
    assert len(removed) == 2 and all(line.startswith("      ") for line in removed)
    assert [line for line in after.splitlines() if line.lstrip().startswith("#")] == \
        [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert check.run_checks(root) == []


def test_a_one_line_message_keeps_its_quotes(tmp_path):
    root = copy_checked_files(tmp_path)
    topics.set_answer(root, "utter_not_a_diagnosis", "This is general information only.")
    assert '  - text: "This is general information only."\n' in (root / "domain.yml").read_text(encoding="utf-8")


# ---------------------------------------------------------------- the safety path


@pytest.mark.parametrize("response", ["utter_emergency", "utter_ask_red_flag_now", "utter_not_a_diagnosis",
                                      "utter_symptom_check_intro", "utter_greet", "utter_default"])
def test_messages_that_are_not_topic_answers_are_on_the_safety_path(response):
    assert safety.is_safety_response(check.load_project(ROOT)[0], response)


@pytest.mark.parametrize("intent", topic_intents())
def test_topic_answers_are_not(intent):
    assert not safety.is_safety_response(check.load_project(ROOT)[0], topics.response_of(intent))


@pytest.mark.parametrize("path, on_it", [
    ("content/emergency_signs.yml", True), ("content/emergency_messages.yml", True),
    ("content/emergency_examples.yml", True), ("content/context_rules.yml", True),
    ("content/symptom_check.yml", True), ("content/topics.yml", False), ("data/nlu/treatment.yml", False),
    ("domain.yml", False),
])
def test_the_safety_files(path, on_it):
    assert safety.is_safety_file(path) is on_it
    assert (ROOT / path).exists()


def test_a_domain_change_is_on_the_safety_path_when_a_safety_message_changed():
    before = (ROOT / "domain.yml").read_text(encoding="utf-8")
    brace = topics.with_answer(before, BRACE, answer(FACTS, CARE, "From: Recovery"))
    emergency = topics.with_answer(brace, "utter_emergency", "Call for help now.")
    assert safety.safety_reasons(["domain.yml"], before, brace) == []
    reasons = safety.safety_reasons(["domain.yml", "content/symptom_check.yml"], brace, emergency)
    assert len(reasons) == 2
    assert "content/symptom_check.yml" in reasons[0] and "'utter_emergency'" in reasons[1]


def test_the_check_sees_a_file_changed_since_its_last_run(tmp_path):
    """check_answer keeps the parsed files between drafts; a change to one is seen at once."""
    root = copy_checked_files(tmp_path)
    draft = answer(FACTS, CARE, "From: Recovery")
    assert topics.check_answer(root, BRACE, draft) == []
    sections = root / "content/sections.yml"
    spec = yaml.safe_load(sections.read_text(encoding="utf-8"))
    spec["sections"] = [s for s in spec["sections"] if s["title"] != "Recovery"]
    sections.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    problems = topics.check_answer(root, BRACE, draft)
    assert len(problems) == 1 and "cites section 'Recovery'" in problems[0]
