"""Topic answers asked in the middle of the symptom check, so the check can resume after."""

from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


class AnswerTopic(Action):
    """Answers a topic question asked in the middle of the symptom check (utter_<intent>),
    so the check can go on where it was."""

    def name(self) -> Text:
        return "action_answer_topic"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = (tracker.latest_message or {}).get("intent", {}).get("name")
        response = f"utter_{intent}"
        dispatcher.utter_message(response=response if response in domain.get("responses", {}) else "utter_default")
        return []
