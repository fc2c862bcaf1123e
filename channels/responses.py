"""The assistant's responses, with the clinic's details from clinic.yml filled in.

``endpoints.yml`` names this class as Rasa's response generator (``nlg: type:``): Rasa's own
``TemplatedNaturalLanguageGenerator`` (the responses of ``domain.yml``), which also fills
``{emergency_number}``, ``{clinic_name}``, ``{clinic_phone}`` and ``{clinic_hours}`` from
``clinic.yml``. So the emergency message carries the configured number without the action
server, and a clinic changes its number in one place (restart the assistant after).

After ``nlu_fallback`` (the classifier unsure), ``utter_default``'s menu becomes the clarifying
question "Do you mean ...?" with the likeliest topics as buttons when the message names foot
drop and a topic is likely enough (footdrop/clarify.py): in the Rasa server, so it needs no
action server either.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from actions.clinic import load_clinic
from footdrop.clarify import clarifying_message, load_wording

#: the menu of topics, which becomes the clarifying question after an unsure `nlu_fallback`
MENU = "utter_default"


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

    async def generate(
        self, utter_action: Text, tracker: DialogueStateTracker, output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
        if utter_action == MENU and tracker.latest_message is not None:
            question = clarifying_message(tracker.latest_message.parse_data, self.wording)
            if question is not None:
                return {**question, "utter_action": MENU}
        return await super().generate(utter_action, tracker, output_channel, **kwargs)

    def generate_from_slots(
        self, utter_action: Text, filled_slots: Dict[Text, Any], output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
        return super().generate_from_slots(utter_action, filled_slots, output_channel, **{**self.values, **kwargs})
