"""The assistant's responses, with the clinic's details from clinic.yml filled in.

``endpoints.yml`` names this class as Rasa's response generator (``nlg: type:``): Rasa's own
``TemplatedNaturalLanguageGenerator`` (the responses of ``domain.yml``), which also fills
``{emergency_number}``, ``{clinic_name}``, ``{clinic_phone}`` and ``{clinic_hours}`` from
``clinic.yml``. So the emergency message carries the configured number without the action
server, and a clinic changes its number in one place (restart the assistant after).

After ``nlu_fallback`` (the classifier unsure), ``utter_default``'s menu becomes the clarifying
question "Do you mean ...?" with the likeliest topics as buttons when the message names foot
drop and a topic is likely enough (footdrop/clarify.py): in the Rasa server, so it needs no
action server either. A message that tells of a new problem in the patient's own foot
(footdrop/own_story.py) gets the offer of the symptom check with its topic's answer, or
instead of the menu.

The safety question ("Before I answer, one safety question: is this happening now ...?") keeps
its promise: when the patient says no, ``utter_after_safety_question`` becomes the answer to the
message that led to it (or the clarifying question, or, with no question in it, the invitation
of domain.yml), decided by footdrop/clarify.py ``after_safety_question`` with
``FallbackClassifier``'s own settings from config.yml.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from footdrop.clinic import load_clinic
from footdrop.clarify import (
    after_safety_question,
    buttons,
    clarifying_message,
    fallback_settings,
    load_wording,
    names_foot_drop,
    ranking_of,
    with_check_offer,
)
from footdrop.own_story import describes_own_problem

#: the menu of topics, which becomes the clarifying question after an unsure `nlu_fallback`
MENU = "utter_default"
#: the slot the symptom check sets when it has given its advice (domain.yml)
CHECK_DONE = "check_done"
#: the safety question, and what follows the patient's "no" (domain.yml, data/rules.yml)
SAFETY_QUESTION = "utter_ask_red_flag_now"
AFTER_SAFETY = "utter_after_safety_question"


def held_message(tracker: DialogueStateTracker) -> Optional[Dict[Text, Any]]:
    """The parse result of the message the last safety question was asked about."""
    asked = False
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecuted) and event.action_name == SAFETY_QUESTION:
            asked = True
        elif asked and isinstance(event, UserUttered):
            return event.parse_data
    return None


def clinic_values() -> Dict[Text, Text]:
    """The placeholders responses may use, from clinic.yml (checked: a bad field stops the start)."""
    clinic = load_clinic()
    return {
        "emergency_number": clinic.emergency_number,
        "clinic_name": clinic.name,
        "clinic_phone": clinic.phone,
        "clinic_hours": clinic.hours,
    }


class ClinicResponses(TemplatedNaturalLanguageGenerator):
    """domain.yml's responses, with the clinic's details as fixed values; and ``utter_default``
    after ``nlu_fallback`` as the clarifying question when a topic is likely enough."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None) -> None:
        super().__init__((domain or Domain.empty()).responses)
        self.values = clinic_values()
        self.wording = load_wording()
        self.topic_answers = {f"utter_{intent}" for intent in self.wording.titles if intent.startswith("ask_")}
        self.fallback = fallback_settings()

    async def generate(
        self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
        if utter_action == AFTER_SAFETY:
            answer = await self._held_answer(tracker, output_channel, **kwargs)
            if answer is not None:
                return answer
        parse = tracker.latest_message.parse_data if tracker.latest_message is not None else {}
        # the patient's own new problem, outside the symptom check and before one was done
        own_story = (
            tracker.active_loop_name is None
            and not tracker.get_slot(CHECK_DONE)
            and describes_own_problem(parse.get("text") or "")
        )
        if utter_action == MENU:
            question = clarifying_message(parse, self.wording, own_story)
            if question is not None:
                return {**question, "utter_action": MENU}
        message = await super().generate(utter_action, tracker, output_channel, **kwargs)
        if message is not None and own_story and utter_action in self.topic_answers:
            message = with_check_offer(message, self.wording)
        return message

    async def _held_answer(
        self, tracker: DialogueStateTracker, output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
        """The answer to the question held back by the safety question, or None (the invitation)."""
        parse = held_message(tracker)
        if not parse:
            return None
        own_story = not tracker.get_slot(CHECK_DONE) and describes_own_problem(parse.get("text") or "")
        held = after_safety_question(ranking_of(parse), self.wording.titles, names_foot_drop(parse), self.fallback)
        if held.topic is not None:
            message = await super().generate(f"utter_{held.topic}", tracker, output_channel, **kwargs)
            if message is not None and own_story:
                message = with_check_offer(message, self.wording)
            return message
        if held.offer_check:
            return {"text": self.wording.offer_check, "buttons": buttons(["check_symptoms"], self.wording.titles)}
        if held.offered:
            offered = ["check_symptoms", *held.offered] if own_story else list(held.offered)
            return {
                "text": self.wording.question,
                "buttons": buttons(offered, self.wording.titles, self.wording.something_else),
            }
        return None

    def generate_from_slots(
        self, utter_action: Text, filled_slots: Dict[Text, Any], output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
        return super().generate_from_slots(utter_action, filled_slots, output_channel, **{**self.values, **kwargs})
