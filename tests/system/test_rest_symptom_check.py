"""The symptom check, the emergency message and the safety question, end to end over the REST
channel of the real, trained server and its action server."""

from __future__ import annotations

import uuid
from typing import List

import pytest

from footdrop.clinic import load_clinic
from footdrop.check_questions import load_questions
from support.rest_client import is_emergency, send

CLINIC = load_clinic()

# Emergency signs in patients' own words: each must get the emergency message at once.
EMERGENCIES = [
    "my face is drooping on one side",
    "my dad's face looks droopy and his words are slurred",
    "all of a sudden i can't lift my left arm",
    "i have the worst headache of my life and my foot won't lift",
    "my shin is swollen and rock hard and it hurts like crazy since the fall",
    "i wet myself this morning and can't feel anything between my legs",
    "both my feet went weak this morning",
    "the weakness is moving up my legs",
]

# Ordinary questions and descriptions: none of them may get emergency advice.
ORDINARY = [
    "what causes foot drop",
    "should I wear a brace",
    "my foot has dragged for months",
    "can a stroke cause foot drop?",
    "what is compartment syndrome",
    "is numbness in the foot part of foot drop",
]


def texts(replies: List[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


@pytest.mark.parametrize("message", EMERGENCIES)
def test_an_emergency_sign_gets_the_emergency_message(assistant, message):
    response = send(assistant, message)
    assert response.status_code == 200
    replies = response.json()
    assert is_emergency(replies), f"{message!r} -> {replies}"
    assert f"Call {CLINIC.emergency_number} now" in texts(replies)


@pytest.mark.parametrize("message", ORDINARY)
def test_an_ordinary_message_gets_no_emergency_advice(assistant, message):
    replies = send(assistant, message).json()
    assert replies
    assert not is_emergency(replies), f"{message!r} -> {replies}"
    assert "This may be an emergency" not in texts(replies)


def test_a_whole_check_with_the_buttons_ends_with_advice_a_recap_and_the_clinic(assistant):
    sender = uuid.uuid4().hex
    questions = load_questions()
    replies = send(assistant, "check my symptoms", sender).json()
    assert replies[-1]["text"] == questions["affected_side"].ask
    answers = {
        "affected_side": "Left foot", "onset": "Slowly, over months", "preceded_by": "None of these",
        "back_leg_pain": "No", "numbness": "No", "other_weakness": "No", "shin_swelling": "No",
        "bladder_bowel": "No", "progression": "Staying the same", "already_seen": "Yes",
    }
    slots = list(answers)
    for index, slot in enumerate(slots):
        button = next(b for b in replies[-1]["buttons"] if b["title"] == answers[slot])
        replies = send(assistant, button["payload"], sender).json()
        if index + 1 < len(slots):
            assert replies[-1]["text"] == questions[slots[index + 1]].ask, replies
    advice = texts(replies)
    assert "next visit" in advice and CLINIC.name in advice and CLINIC.phone in advice
    assert "What you told me" in advice and "left foot" in advice
    assert "not a diagnosis" in advice
    assert not is_emergency(replies)
    again = send(assistant, "check my symptoms", sender).json()
    assert "start a new one" in texts(again)


def test_a_red_flag_in_the_middle_of_the_check_stops_it(assistant):
    sender = uuid.uuid4().hex
    send(assistant, "my right foot started dragging a few days ago", sender)
    replies = send(assistant, "my face is drooping", sender).json()
    assert is_emergency(replies)
    after = send(assistant, "what is a brace", sender).json()
    assert "brace" in texts(after).lower()
    assert not any(r.get("text") in {q.ask for q in load_questions().values()} for r in after)


def test_free_text_fills_several_answers_and_why_explains(assistant):
    sender = uuid.uuid4().hex
    replies = send(assistant, "my left foot started dragging last week", sender).json()
    questions = load_questions()
    # Side and onset were given: the first question asked is what came before.
    assert replies[-1]["text"] == questions["preceded_by"].ask
    why = send(assistant, "why do you ask", sender).json()
    assert why[-1]["text"] == questions["preceded_by"].ask
    assert len(why) >= 2
    unusable = send(assistant, "purple bananas", sender).json()
    assert unusable[-1]["text"] == questions["preceded_by"].again
    stopped = send(assistant, "stop", sender).json()
    assert "stopped the symptom check" in texts(stopped)


def test_the_emergency_message_says_why_for_the_sign_found(assistant):
    replies = send(assistant, "my smile has gone lopsided since lunch").json()
    assert is_emergency(replies)
    assert "Why this matters:" in texts(replies) and "stroke" in texts(replies)


def test_when_unsure_the_assistant_asks_one_safety_question_and_yes_gets_the_emergency_message(assistant):
    sender = uuid.uuid4().hex
    asked = send(assistant, "is this an emergency?", sender).json()
    assert "is this happening now" in texts(asked).lower()
    assert not is_emergency(asked)
    assert [b["payload"] for b in asked[-1]["buttons"]] == ["/affirm", "/deny"]
    yes = send(assistant, "/affirm", sender).json()
    assert is_emergency(yes)
    assert f"Call {CLINIC.emergency_number} now" in texts(yes)


def test_no_to_the_safety_question_advises_a_doctor_today_and_the_check_goes_on(assistant):
    sender = uuid.uuid4().hex
    first = send(assistant, "check my symptoms", sender).json()
    assert first[-1]["text"] == load_questions()["affected_side"].ask
    send(assistant, "should I go to A&E?", sender)
    no = send(assistant, "/deny", sender).json()
    said = texts(no)
    assert "talk to a doctor about it today" in said and CLINIC.phone in said
    assert f"call {CLINIC.emergency_number} at once" in said
    assert no[-1]["text"] == load_questions()["affected_side"].ask  # the check resumes
    assert not is_emergency(no)
