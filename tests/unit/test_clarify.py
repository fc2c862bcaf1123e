"""The clarifying question ("Do you mean ...?" with the likeliest topics) before the full menu:
the rule (footdrop/clarify.py) and the wording file (content/topics.yml); the answer after the
safety question. The running assistant asking it: tests/system/test_clarify.py."""

from __future__ import annotations

import copy

import pytest

from footdrop.clarify import (
    Fallback, HeldQuestion, Settings, after_safety_question, buttons, choose, clarifying_message,
    fallback_settings, load_titles, load_wording, names_foot_drop, ranking_of,
)
from support.project import ROOT
from tools.check import MAX_GRADE, TOPICS, check_titles, load_project, reading_grade
from tools.evaluate import CLARIFY, outcome

WORDING = load_wording()
TITLES = load_titles()


def test_a_middling_topic_about_foot_drop_gets_the_question_with_close_topics_first():
    ranking = [("nlu_fallback", 0.6), ("ask_causes", 0.18), ("ask_symptoms", 0.13), ("ask_brace", 0.02)]
    assert choose(ranking, TITLES, about_foot_drop=True) == ["ask_causes", "ask_symptoms"]


def test_at_most_three_topics_are_offered():
    ranking = [("ask_treatment", 0.3), ("ask_surgery", 0.29), ("ask_brace", 0.28), ("ask_exercises", 0.27)]
    assert choose(ranking, TITLES, about_foot_drop=True) == ["ask_treatment", "ask_surgery", "ask_brace"]


@pytest.mark.parametrize(
    "ranking, about",
    [
        ([("nlu_fallback", 0.7), ("out_of_scope", 0.3), ("ask_brace", 0.2)], True),  # about something else
        ([("goodbye", 0.3), ("ask_symptom_slapping", 0.2)], True),  # a conversation intent first
        ([("ask_brace", 0.05), ("ask_surgery", 0.04)], True),  # too unsure even about foot drop
        ([("ask_brace", 0.31), ("ask_exercises", 0.11)], False),  # "what's good for cracked heels"
        ([("nlu_fallback", 1.0)], True),  # nothing else ranked
        ([], False),
    ],
)
def test_the_menu_when_no_topic_is_likely_enough(ranking, about):
    assert choose(ranking, TITLES, about_foot_drop=about) == []


def test_without_naming_foot_drop_only_a_close_race_between_confident_topics_gets_the_question():
    ranking = [("ask_nerve_involved", 0.45), ("ask_muscle_involved", 0.41), ("ask_exercises", 0.05)]
    assert choose(ranking, TITLES, about_foot_drop=False) == ["ask_nerve_involved", "ask_muscle_involved"]
    assert choose(ranking, TITLES, about_foot_drop=False, settings=Settings(confident=0.5)) == []


def test_a_parse_names_foot_drop_by_its_condition_or_anatomy_entities():
    assert names_foot_drop({"entities": [{"entity": "condition", "value": "foot_drop"}]})
    assert names_foot_drop({"entities": [{"entity": "anatomy", "value": "peroneal_nerve"}]})
    assert not names_foot_drop({"entities": [{"entity": "body_part", "value": "foot"}]})
    assert not names_foot_drop({})
    assert ranking_of({"intent_ranking": [{"name": "ask_brace", "confidence": 0.3}, {"confidence": 0.1}]}) == [
        ("ask_brace", 0.3)
    ]


def test_buttons_send_the_topic_and_end_with_something_else():
    assert buttons(["ask_brace"], TITLES, WORDING.something_else) == [
        {"title": TITLES["ask_brace"], "payload": "/ask_brace"},
        {"title": "Something else", "payload": "/bot_capabilities"},
    ]


def test_the_question_reads_easily():
    assert WORDING.question.endswith("Do you mean:")
    assert reading_grade(WORDING.question) <= MAX_GRADE


def test_every_topic_has_a_short_title_and_a_missing_one_is_named():
    project, problems = load_project(ROOT)
    assert problems == [] and check_titles(project) == []
    broken = copy.deepcopy(project)
    del broken.topics["titles"]["ask_surgery"]
    broken.topics["titles"]["ask_no_such_topic"] = "Nothing"
    named = check_titles(broken)
    assert any(m.startswith(f"{TOPICS}: topic 'ask_surgery' has no title") for m in named), named
    assert any("'ask_no_such_topic', which is not an intent" in m for m in named), named


def test_evaluate_counts_the_question_apart_from_right_and_menu():
    assert outcome("ask_causes", "nlu_fallback", ["ask_causes", "ask_symptoms"]) == CLARIFY
    assert outcome("out_of_scope", "nlu_fallback", ["ask_brace"]) == CLARIFY
    assert outcome("out_of_scope", "nlu_fallback", []) == "right answer"
    assert outcome("ask_causes", "nlu_fallback", []) == "menu"


def test_the_question_comes_only_after_nlu_fallback_with_a_likely_topic():
    unsure = {
        "text": "what kinds of problems result in drop foot",
        "intent": {"name": "nlu_fallback", "confidence": 0.6},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.6}, {"name": "ask_causes", "confidence": 0.18},
            {"name": "ask_symptoms", "confidence": 0.13},
        ],
        "entities": [{"entity": "condition", "value": "foot_drop"}],
    }
    asked = clarifying_message(unsure, WORDING)
    assert asked["text"] == WORDING.question
    assert [b["payload"] for b in asked["buttons"]] == ["/ask_causes", "/ask_symptoms", "/bot_capabilities"]
    assert clarifying_message({**unsure, "entities": []}, WORDING) is None  # the menu
    # utter_default for another reason (Rasa's core fallback after a known intent): the menu
    assert clarifying_message({**unsure, "intent": {"name": "ask_causes", "confidence": 0.9}}, WORDING) is None


def test_after_the_safety_question_a_sure_topic_is_answered():
    ranking = [("red_flag_check", 1.0), ("ask_one_or_both_feet", 0.81), ("ask_symptoms", 0.07)]
    assert after_safety_question(ranking, TITLES, about_foot_drop=True) == HeldQuestion(topic="ask_one_or_both_feet")


def test_after_the_safety_question_the_classifier_decides_as_its_fallback_would():
    close = [("red_flag_check", 1.0), ("ask_treatment", 0.45), ("ask_surgery", 0.40), ("ask_brace", 0.05)]
    assert after_safety_question(close, TITLES, True) == HeldQuestion(offered=("ask_treatment", "ask_surgery"))
    low = [("red_flag_check", 1.0), ("ask_causes", 0.3), ("ask_symptoms", 0.1)]
    assert after_safety_question(low, TITLES, True, Fallback(threshold=0.4)).topic is None
    assert after_safety_question(low, TITLES, True, Fallback(threshold=0.25)).topic == "ask_causes"


@pytest.mark.parametrize("intent", ["describe_symptoms", "check_symptoms"])
def test_after_the_safety_question_symptoms_told_get_the_offer_of_the_check(intent):
    ranking = [("red_flag_check", 1.0), (intent, 0.9), ("ask_symptoms", 0.05)]
    assert after_safety_question(ranking, TITLES, True) == HeldQuestion(offer_check=True)


@pytest.mark.parametrize(
    "ranking",
    [
        [("red_flag_check", 1.0)],  # "is this an emergency?": nothing else was asked
        [("red_flag_check", 1.0), ("inform", 0.8)],  # "started three days ago"
        [("red_flag_check", 1.0), ("out_of_scope", 0.7), ("ask_brace", 0.1)],
    ],
)
def test_after_the_safety_question_no_topic_gets_the_invitation(ranking):
    assert after_safety_question(ranking, TITLES, True) == HeldQuestion()


def test_the_fallback_settings_are_read_from_a_config(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text("pipeline:\n- name: DIETClassifier\n- name: FallbackClassifier\n  threshold: 0.55\n  ambiguity_threshold: 0.2\n")
    assert fallback_settings(config) == Fallback(0.55, 0.2)
    config.write_text("pipeline:\n- name: DIETClassifier\n")
    assert fallback_settings(config) == Fallback()


def test_evaluate_counts_the_answer_after_the_safety_question():
    from tools.evaluate import AFTER_SAFETY, AFTER_SAFETY_WRONG, FIRST_TOPIC, outcome_summary

    row = {"messages": 2, "right answer": 0.5, "clarifying question": 0.0, "menu": 0.0, "safety question": 0.5,
           "emergency message": 0.0, "wrong topic": 0.0, "right topic offered": None, AFTER_SAFETY: 0.5,
           AFTER_SAFETY_WRONG: 0.0, FIRST_TOPIC: 1.0}
    assert "| a set | 2 | 50.0% | 0.0% | 0.0% | 50.0% | 0.0% | 0.0% | - | 50.0% | 0.0% | 100.0% |" in outcome_summary(
        {"a set": row})


@pytest.mark.parametrize("ranking, expected, first", [
    ([("red_flag_check", 1.0), ("ask_brace", 0.7), ("ask_surgery", 0.2)], "ask_brace", "ask_brace"),
    ([("nlu_fallback", 0.4), ("ask_surgery", 0.35), ("ask_brace", 0.3)], "ask_brace", "ask_surgery"),
    ([("emergency", 1.0), ("red_flag_check", 0.6), ("ask_brace", 0.1)], "red_flag_check", "red_flag_check"),
    ([("nlu_fallback", 0.4)], "ask_brace", None),
])
def test_the_classifiers_first_topic_is_read_behind_what_the_pipeline_put_in_front(ranking, expected, first):
    from tools.evaluate import first_topic

    assert first_topic(ranking, expected) == first
