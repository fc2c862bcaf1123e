"""The symptom check's custom actions, run as the action server runs them: rasa_sdk Tracker
and CollectingDispatcher objects, the real domain, no Rasa server."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from footdrop import triage
from actions.advice import CLINIC, Emergency, TriageAdvice
from actions.symptom_check import (
    ALL_SLOTS,
    ASK_ACTIONS,
    UNCLEAR_SLOT,
    ExplainQuestion,
    StartSymptomCheck,
    StopSymptomCheck,
    ValidateSymptomForm,
)
from footdrop.check_questions import all_payloads, load_questions
from actions.topics import AnswerTopic

FORM = "symptom_form"


def tracker(
    text: str = "",
    intent: str = "inform",
    requested: Optional[str] = None,
    slots: Optional[Dict[str, Any]] = None,
    form_active: bool = True,
    entities: Optional[List[Dict[str, Any]]] = None,
    earlier: Optional[List[Dict[str, Any]]] = None,
) -> Tracker:
    """A conversation whose latest message is `text`; `earlier` events come before it."""
    all_slots = {slot: None for slot in ALL_SLOTS}
    all_slots.update({"requested_slot": requested, UNCLEAR_SLOT: None, "check_done": False})
    all_slots.update(slots or {})
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    return Tracker(
        sender_id="test",
        slots=all_slots,
        latest_message=message,
        events=[*(earlier or []), {"event": "user", "text": text, "parse_data": message}],
        paused=False,
        followup_action=None,
        active_loop={"name": FORM} if form_active else {},
        latest_action_name="action_listen",
    )


def run(action, tracker_: Tracker, domain: Dict[str, Any]):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, domain))
    return dispatcher.messages, events


def slot_events(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def validate(domain, text: str, requested: str, intent: str = "inform", slots=None):
    _, events = run(ValidateSymptomForm(), tracker(text, intent, requested, slots), domain)
    return slot_events(events)


# ---------------------------------------------------------------- each question's answers


@pytest.mark.parametrize(
    "slot, text, value",
    [
        ("affected_side", "left foot", "left"),  # the button
        ("affected_side", "the right one", "right"),
        ("affected_side", "both of them", "both"),
        ("onset", "suddenly, within hours", "sudden"),
        ("onset", "since monday", "days_weeks"),
        ("onset", "slowly, over months", "gradual"),
        ("preceded_by", "a fall", "fall"),
        ("preceded_by", "none of these", "none"),
        ("preceded_by", "a knee or back problem", "knee_back"),
        ("back_leg_pain", "yes", True),
        ("back_leg_pain", "nope", False),
        ("numbness", "yeah a bit", True),
        ("other_weakness", "no", False),
        ("shin_swelling", "no", False),
        ("bladder_bowel", "no", False),
        ("progression", "getting worse", "worse"),
        ("progression", "staying the same", "stable"),
        ("already_seen", "yes", True),
    ],
)
def test_an_answer_fills_its_slot(domain, slot, text, value):
    filled = validate(domain, text, slot)
    assert filled[slot] == value
    assert filled.get(UNCLEAR_SLOT) is None


@pytest.mark.parametrize(
    "slot, text",
    [
        ("affected_side", "banana"),
        ("onset", "purple"),
        ("preceded_by", "hmm"),
        ("back_leg_pain", "🙂"),
        ("progression", "asdf"),
    ],
)
def test_an_unusable_answer_is_refused_and_marked_for_a_clearer_question(domain, slot, text):
    filled = validate(domain, text, slot)
    assert filled[slot] is None
    assert filled[UNCLEAR_SLOT] == slot


def test_several_answers_from_one_message(domain):
    filled = validate(domain, "my left foot, it started suddenly this morning and my back hurts", "affected_side")
    assert filled["affected_side"] == "left"
    assert filled["onset"] == "sudden"
    assert filled["back_leg_pain"] is True


def test_negation_is_respected(domain):
    assert validate(domain, "I don't have numbness", "numbness")["numbness"] is False
    filled = validate(domain, "no pain but my toes tingle", "back_leg_pain")
    assert filled["back_leg_pain"] is False
    assert filled["numbness"] is True


def test_an_answer_already_given_is_not_overwritten_by_a_side_remark(domain):
    filled = validate(domain, "yes, and my right foot feels heavy", "back_leg_pain", slots={"affected_side": "left"})
    assert filled["back_leg_pain"] is True
    assert "affected_side" not in filled


@pytest.mark.parametrize(
    "text, intent",
    [
        ("what is an AFO?", "ask_brace"),
        ("why do you ask", "why_ask"),
        ("stop", "stop"),
        ("my face is drooping", "emergency"),
        ("my leg feels odd and heavy since lunch", "red_flag_check"),
    ],
)
def test_a_question_stop_or_emergency_is_not_taken_as_an_answer(domain, text, intent):
    # Nothing extracted: Rasa's form rejects the message and the rule for the intent runs.
    filled = validate(domain, text, "onset", intent=intent)
    assert not any(value is not None for slot, value in filled.items() if slot in ALL_SLOTS)
    assert UNCLEAR_SLOT not in filled


def test_a_plain_answer_the_detector_was_unsure_about_is_the_answer(domain):
    filled = validate(domain, "it's getting a bit worse", "progression", intent="red_flag_check")
    assert filled["progression"] == "worse"


def test_the_reply_to_the_safety_question_is_not_an_answer_to_the_form(domain):
    """ "yes" to "is this happening now?" must not fill the question the form had asked."""
    asked = [
        {"event": "user", "text": "my leg feels odd", "parse_data": {"intent": {"name": "red_flag_check"}}},
        {"event": "action", "name": "utter_ask_red_flag_now"},
        {"event": "action", "name": "action_listen"},
    ]
    _, events = run(ValidateSymptomForm(), tracker("yes", "affirm", "numbness", earlier=asked), domain)
    filled = slot_events(events)
    assert not any(value is not None for slot, value in filled.items() if slot in ALL_SLOTS)


def test_the_form_stops_asking_once_answers_mean_emergency(domain):
    slots = {"affected_side": "left", "onset": "sudden"}
    filled = validate(domain, "yes", "other_weakness", slots=slots)
    assert filled["other_weakness"] is True
    assert filled["requested_slot"] is None  # no more questions: the advice comes next


# ---------------------------------------------------------------- asking, starting, stopping


def test_each_question_is_asked_and_asked_more_clearly_after_an_unusable_answer(domain):
    questions = load_questions()
    for slot in triage.QUESTIONS:
        action = ASK_ACTIONS[slot]()
        assert action.name() == f"action_ask_{slot}"
        assert action.name() in domain["actions"]
        (first,), _ = run(action, tracker(requested=slot), domain)
        (again,), _ = run(action, tracker(requested=slot, slots={UNCLEAR_SLOT: slot}), domain)
        assert first["text"] == questions[slot].ask
        assert again["text"] == questions[slot].again != first["text"]
        assert first["buttons"] and again["buttons"] == first["buttons"]


@pytest.mark.parametrize("slot, payload", all_payloads())
def test_every_button_is_an_answer_the_check_understands(domain, slot, payload):
    value = validate(domain, payload, slot)[slot]
    assert value in triage.CHOICES[slot]


def test_starting_a_check_resets_the_last_one_and_keeps_what_the_patient_said(domain):
    old = {slot: True for slot in ("numbness", "back_leg_pain")}
    t = tracker("my right foot started dragging last week", "describe_symptoms", slots={**old, "check_done": True})
    messages, events = run(StartSymptomCheck(), t, domain, )
    slots = slot_events(events)
    assert slots["affected_side"] == "right"
    assert slots["onset"] == "days_weeks"
    assert slots["numbness"] is None and slots["back_leg_pain"] is None
    assert slots["check_done"] is False
    assert "right foot" in messages[0]["text"]  # "So far I noted: ..."


def test_stopping_forgets_the_answers_and_ends_the_form(domain):
    messages, events = run(StopSymptomCheck(), tracker("stop", "stop", "numbness", {"onset": "sudden"}), domain)
    assert messages == []  # utter_symptom_check_stopped follows by rule
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)
    assert slot_events(events)["onset"] is None


def test_why_do_you_ask_gives_the_triage_reason_for_the_current_question(domain):
    for slot in triage.QUESTIONS:
        messages, events = run(ExplainQuestion(), tracker("why?", "why_ask", slot), domain)
        assert messages[0]["text"] == triage.WHY[slot]
        assert events == []
    messages, _ = run(ExplainQuestion(), tracker("why?", "why_ask", None, form_active=False), domain)
    assert messages[0]["response"] == "utter_why_ask_outside_check"


def test_a_topic_question_in_the_check_gets_its_own_answer(domain):
    messages, _ = run(AnswerTopic(), tracker("what is an AFO?", "ask_brace", "onset"), domain)
    assert messages[0]["response"] == "utter_ask_brace"


# ---------------------------------------------------------------- the advice


def answers(**given):
    return {slot: given.get(slot) for slot in ALL_SLOTS}


ROUTINE = answers(
    affected_side="left", onset="gradual", preceded_by="none", back_leg_pain=False, numbness=False,
    other_weakness=False, shin_swelling=False, bladder_bowel=False, progression="stable", already_seen=True,
)


@pytest.mark.parametrize(
    "given, level, says",
    [
        (ROUTINE, "routine", "next visit"),
        ({**ROUTINE, "already_seen": False}, "soon", "1–2 weeks"),
        ({**ROUTINE, "onset": "days_weeks"}, "urgent", "24 hours"),
        ({**ROUTINE, "onset": "sudden"}, "same_day", "seen today"),
        ({**ROUTINE, "other_weakness": True}, "emergency", f"Call {CLINIC['emergency_number']} now"),
    ],
)
def test_the_advice_fits_the_level_names_the_clinic_and_recaps(domain, given, level, says):
    messages, events = run(TriageAdvice(), tracker(slots=given, form_active=False), domain)
    advice, recap = messages
    assert says in advice["text"]
    assert slot_events(events) == {"check_done": True, "triage_level": level}
    if level != "emergency":
        assert CLINIC["name"] in advice["text"] and CLINIC["phone"] in advice["text"]
    assert (advice.get("custom") or {}).get("emergency", False) == (level == "emergency")
    assert recap["text"].startswith("What you told me")
    assert "left foot" in recap["text"]


def red_flag(sign: str) -> Dict[str, Any]:
    return {"entity": "red_flag", "value": sign, "extractor": "RedFlagIntentOverride"}


def test_the_emergency_action_gives_the_reason_of_each_sign_and_stops_the_form(domain):
    """utter_emergency (no action server) says what to do; the action adds why."""
    t = tracker("my face droops and I can't speak", "emergency", "onset", entities=[red_flag("face"), red_flag("speech")])
    messages, events = run(Emergency(), t, domain)
    assert len(messages) == 1
    text = messages[0]["text"]
    assert text.startswith("Why this matters:")
    assert "face that droops" in text and "trouble speaking" in text
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)
    assert slot_events(events)["triage_level"] == "emergency"


def test_after_yes_to_the_safety_question_the_reasons_are_those_of_the_message_asked_about(domain):
    asked = [
        {"event": "user", "text": "my foot went cold", "parse_data": {"entities": [red_flag("cold_foot")]}},
        {"event": "action", "name": "utter_ask_red_flag_now"},
    ]
    messages, _ = run(Emergency(), tracker("yes", "affirm", earlier=asked, form_active=False), domain)
    assert "blood supply" in messages[0]["text"]


def test_without_a_named_sign_the_reason_is_general(domain):
    messages, _ = run(Emergency(), tracker("is this an emergency", "emergency", form_active=False), domain)
    assert "can be a sign of an emergency" in messages[0]["text"]
