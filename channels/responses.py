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
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from actions.clinic import load_clinic
from footdrop.clarify import clarifying_message, load_wording, with_check_offer
from footdrop.own_story import describes_own_problem

#: the menu of topics, which becomes the clarifying question after an unsure `nlu_fallback`
MENU = "utter_default"
#: the slot the symptom check sets when it has given its advice (domain.yml)
CHECK_DONE = "check_done"


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

    async def generate(
        self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
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

    def generate_from_slots(
        self, utter_action: Text, filled_slots: Dict[Text, Any], output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
        return super().generate_from_slots(utter_action, filled_slots, output_channel, **{**self.values, **kwargs})
