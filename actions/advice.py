"""The end of a symptom check, and the reasons of the emergency message.

The words and the decision come from ``footdrop.triage`` and ``footdrop.emergency`` (no Rasa in
either); the clinic's details from ``clinic.yml``, checked when the action server starts.
"""

from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from footdrop import triage
from footdrop.clinic import load_clinic
from footdrop.emergency import emergency_payload, reason_lines
from actions.symptom_check import CHECK_DONE_SLOT, answers_so_far

# Read and validated once, when the action server imports the actions: a mistake in
# clinic.yml stops the server with a message naming the field (restart after editing it).
CLINIC = load_clinic().as_dict()

RECAP_INTRO = "What you told me (you can copy this for your appointment):"


class TriageAdvice(Action):
    """Tells the patient how soon to get care and whom to contact, with a recap to copy
    (utter_not_a_diagnosis follows)."""

    def name(self) -> Text:
        return "action_triage_advice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        given = answers_so_far(tracker)
        decision = triage.triage(given)
        if decision.level == triage.Level.EMERGENCY:
            lines = [
                f"This may be an emergency: {decision.level.when}.",
                *decision.reasons,
                *triage.advice_lines(decision, CLINIC),
            ]
            dispatcher.utter_message(text="\n".join(lines), custom=emergency_payload([], CLINIC))
        else:
            lines = [
                f"Thank you. My advice: {decision.level.when}.",
                *decision.reasons,
                *triage.advice_lines(decision, CLINIC),
            ]
            dispatcher.utter_message(text="\n".join(lines))
        dispatcher.utter_message(text="\n".join([RECAP_INTRO, *triage.recap(given)]))
        return [SlotSet(CHECK_DONE_SLOT, True), SlotSet("triage_level", decision.level.name.lower())]


class Emergency(Action):
    """After ``utter_emergency`` (which needs no action server): why the signs found need care
    now, and whatever was going on (the symptom check included) stops here."""

    def name(self) -> Text:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(text="\n".join(reason_lines(signs_found(tracker))))
        return [SlotSet("triage_level", "emergency"), ActiveLoop(None), SlotSet("requested_slot", None)]


def signs_found(tracker: Tracker) -> List[str]:
    """The red-flag detector's signs in the latest message, or, when that message answered
    the safety question ("yes"), in the message the question was about."""
    messages = [e for e in reversed(tracker.events) if e.get("event") == "user"][:2]
    for message in messages:
        signs = [e["value"] for e in (message.get("parse_data") or {}).get("entities", []) if e.get("entity") == "red_flag"]
        if signs:
            return signs
    return []
