"""The assistant's responses, with the clinic's details from clinic.yml filled in.

``endpoints.yml`` names this class as Rasa's response generator (``nlg: type:``): Rasa's own
``TemplatedNaturalLanguageGenerator`` (the responses of ``domain.yml``), which also fills
``{emergency_number}``, ``{clinic_name}``, ``{clinic_phone}`` and ``{clinic_hours}`` from
``clinic.yml``. So the emergency message carries the configured number without the action
server, and a clinic changes its number in one place (restart the assistant after).
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from actions.clinic import load_clinic


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
    """domain.yml's responses, with the clinic's details as fixed values."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None) -> None:
        super().__init__((domain or Domain.empty()).responses)
        self.values = clinic_values()

    def generate_from_slots(
        self, utter_action: Text, filled_slots: Dict[Text, Any], output_channel: Text, **kwargs: Any
    ) -> Optional[Dict[Text, Any]]:
        return super().generate_from_slots(utter_action, filled_slots, output_channel, **{**self.values, **kwargs})
