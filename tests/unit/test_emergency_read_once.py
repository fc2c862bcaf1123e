"""Issue 18: a message the NLU already found to be an emergency is not read again by the symptom
check's form: the `emergency` intent (set by the red-flag detector in the Rasa server) decides,
and the free-text answer readers of footdrop/answers.py never see the message."""

from __future__ import annotations

import asyncio
from typing import Dict

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import symptom_check
from footdrop import answers


def tracker(text: str, intent: str, entities=()) -> Tracker:
    slots = {slot: None for slot in symptom_check.ALL_SLOTS}
    slots.update(requested_slot="other_weakness", unclear_answer=None, check_done=False)
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": list(entities)}
    return Tracker("t", slots, message, [{"event": "user", "text": text, "parse_data": message}], False, None,
                   {"name": "symptom_form"}, "action_listen")


@pytest.fixture
def reads(monkeypatch) -> Dict[str, int]:
    counts = {"read": 0}
    for name in ("parse_side", "parse_onset", "parse_preceded_by", "parse_progression", "parse_yes_no",
                 "extract_answers"):
        original = getattr(answers, name)

        def counting(text, _original=original):
            counts["read"] += 1
            return _original(text)

        monkeypatch.setattr(answers, name, counting)
    monkeypatch.setattr(symptom_check, "PARSERS", {
        slot: getattr(answers, parser.__name__) for slot, parser in symptom_check.PARSERS.items()
    })
    return counts


def validate(text: str, intent: str, entities=()) -> list:
    dispatcher = CollectingDispatcher()
    return asyncio.run(symptom_check.ValidateSymptomForm().run(dispatcher, tracker(text, intent, entities), {}))


def test_an_emergency_is_decided_by_its_intent_and_not_read_again(reads):
    red_flag = {"entity": "red_flag", "value": "face", "start": 0, "end": 30}
    events = validate("yes and my face is drooping now", "emergency", [red_flag])
    assert [e for e in events if e.get("event") == "slot" and e["name"] == "other_weakness"] == []
    assert reads["read"] == 0


def test_an_answer_is_still_read(reads):
    events = validate("no", "deny")
    assert {"event": "slot", "name": "other_weakness", "value": False} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]
    assert reads["read"] >= 1


def test_a_plain_answer_the_detector_was_unsure_about_is_still_the_answer(reads):
    events = validate("no", "red_flag_check")
    assert any(e.get("name") == "other_weakness" and e.get("value") is False for e in events)
