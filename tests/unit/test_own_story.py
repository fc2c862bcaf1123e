"""A message about the patient's own new or changing foot problem gets the offer of the symptom
check (footdrop/own_story.py; footdrop_rasa/responses.py adds it to the answer, or gives it instead
of the menu). Over REST: tests/system/test_own_story.py."""

from __future__ import annotations

import pytest

from footdrop.clarify import clarifying_message, load_wording, with_check_offer
from footdrop.own_story import describes_own_problem

WORDING = load_wording()
OWN_NEW = [
    "I had a knee operation and since then my foot flops, why?",
    "my toes have started catching on the stairs this week, what causes that?",
    "since I hurt my back my left foot drags, will it get better?",
    "My right foot slaps down when I walk, it began about two weeks ago. Is that foot drop?",
    "i keep tripping lately and my ankle feels weak, what could it be",
    "my foot is getting worse, it drags more than it did last month. do braces help?",
    "After my hip surgery my leg feels weak and my foot catches. Is that normal?",
    "my foot doesn't lift anymore when i walk, what is wrong with me",
]


NOT_OWN_OR_NOT_NEW = [
    "what causes foot drop?",
    "can foot drop get better?",
    "my dad's foot drags since his stroke, what braces are there?",
    "my wife has had foot drop since her operation, will physio help her?",
    "I've had foot drop for ten years, which brace is best?",
    "how long does recovery take after surgery for foot drop",
    "is foot drop a disease",
    "",
]


@pytest.mark.parametrize("text", OWN_NEW)
def test_the_patients_own_new_problem_is_recognised(text):
    assert describes_own_problem(text)


@pytest.mark.parametrize("text", NOT_OWN_OR_NOT_NEW)
def test_a_general_question_someone_elses_or_an_old_problem_is_not(text):
    assert not describes_own_problem(text)


def test_the_offer_goes_after_the_answer_with_the_check_button_first():
    answer = {"text": "Foot drop can be caused by ...\nFrom: Causes", "buttons": [{"title": "Stroke", "payload": "/ask_cause_stroke"}]}
    offered = with_check_offer(answer, WORDING)
    assert offered["text"].startswith(answer["text"]) and offered["text"].endswith(WORDING.offer_check)
    assert [b["payload"] for b in offered["buttons"]] == ["/check_symptoms", "/ask_cause_stroke"]


def test_an_own_story_the_classifier_is_unsure_about_gets_the_check_not_the_menu():
    unsure = {"intent": {"name": "nlu_fallback"}, "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.7}], "entities": []}
    message = clarifying_message(unsure, WORDING, own_story=True)
    assert message["text"] == WORDING.offer_check
    assert [b["payload"] for b in message["buttons"]] == ["/check_symptoms", "/bot_capabilities"]
    assert clarifying_message(unsure, WORDING, own_story=False) is None  # the menu
