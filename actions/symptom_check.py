"""The symptom check's Rasa side: start, stop, explain, and the form's slot validation.

The thinking lives in two Rasa-free modules: ``footdrop.answers`` understands what the
patient typed, ``footdrop.triage`` decides what the answers mean. The classes here only
move slots in and out of the conversation.

How the form treats each message while it is asking a question:

1. an emergency sign, the red-flag safety question's reason ("is this happening now?") or
   the answer to it, "stop" or "why do you ask?": nothing is extracted, so the form rejects
   the message and the rules for those intents take over (then the form resumes). The intent
   the Rasa server's NLU set decides: an emergency message is not read again here (the
   red-flag detector reads each message once, there);
2. an answer to the question asked (button or free text): it fills that slot, and any other
   answer the message states ("left foot, since Monday, no pain") fills those slots too;
3. a question on another topic ("what is an AFO?"): rejected, answered by its rule, resumed;
4. anything else: the question is asked again in a clearer way (``action_ask_<slot>``).

Once the answers so far already mean "emergency", the form asks nothing more.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from footdrop import answers, triage
from footdrop.check_questions import QuestionsError, is_topic_intent, load_questions, question_order
from footdrop.questions import is_question

FORM = "symptom_form"
UNCLEAR_SLOT = "unclear_answer"
# Every answer the check keeps, in the order asked: the questions of content/symptom_check.yml.
ALL_SLOTS = question_order()
CHECK_DONE_SLOT = "check_done"

# Intents that are never an answer to a question of the form (their rules handle them).
INTERRUPTING_INTENTS = {"emergency", "red_flag_check", "stop", "why_ask"}
# The red-flag detector unsure (footdrop_rasa/nlu/red_flags.py): the safety question, unless the
# message is a plain answer to the question asked.
UNSURE_INTENT = "red_flag_check"
# The red-flag safety question: the reply to it answers that question, not the form's.
SAFETY_QUESTION = "utter_ask_red_flag_now"

# The reader of a reply to each question that is not a yes/no one (those use parse_yes_no).
PARSERS: Dict[str, Callable[[str], Any]] = {
    "affected_side": answers.parse_side,
    "onset": answers.parse_onset,
    "preceded_by": answers.parse_preceded_by,
    "progression": answers.parse_progression,
}
_UNREAD = [q.slot for q in load_questions().values() if not q.yes_no and q.slot not in PARSERS]
if _UNREAD:  # a new question with its own words: its answers could never be read
    raise QuestionsError(f"content/symptom_check.yml: no reader for the answers to {_UNREAD} in actions/symptom_check.py PARSERS")

def parse_answer(slot: str, text: str) -> Any:
    """The value of ``slot`` in a reply to its own question, or None."""
    return PARSERS.get(slot, answers.parse_yes_no)(text)


def is_topic_question(intent: Optional[str], text: str) -> bool:
    """A question of its own (a topic intent, phrased as a question): the rule that answers a
    topic question during the check (data/rules.yml) answers it, then the check goes on."""
    return is_topic_intent(intent) and is_question(text)


def previous_action(tracker: Tracker) -> Optional[str]:
    """The assistant's last action before the latest message (not counting listening)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name")
    return None


def answers_so_far(tracker: Tracker) -> Dict[str, Any]:
    return {slot: tracker.get_slot(slot) for slot in ALL_SLOTS}


class ValidateSymptomForm(FormValidationAction):
    """Fills the symptom slots from buttons and free text; re-asks what it cannot use."""

    def name(self) -> Text:
        return "validate_symptom_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        # An emergency needs no more questions: only the answers already given stay
        # required, so the form ends now and the advice says what to do.
        given = answers_so_far(tracker)
        if triage.emergency_now(given) is not None:
            return [slot for slot in ALL_SLOTS if given.get(slot) is not None]
        return list(ALL_SLOTS)

    @staticmethod
    def answers_in_message(tracker: Tracker) -> Dict[Text, Any]:
        """Every answer the latest message gives; {} when it is not an answer at all."""
        message = tracker.latest_message or {}
        text = (message.get("text") or "").strip()
        intent = (message.get("intent") or {}).get("name")
        requested = tracker.get_slot("requested_slot")
        if not text or previous_action(tracker) == SAFETY_QUESTION:
            return {}
        # An emergency, "stop" or "why?": the NLU's intent decides (the red-flag detector has
        # read the message once, in the Rasa server); the message is not read again here.
        if intent in INTERRUPTING_INTENTS and intent != UNSURE_INTENT:
            return {}
        value = parse_answer(requested, text) if requested else None
        # The red-flag detector unsure about what is a plain answer to the question asked
        # ("it's getting a bit worse"): that is the answer; anything else is the safety question's.
        if intent == UNSURE_INTENT and value is None:
            return {}
        stated = answers.extract_answers(text)
        if value is None:
            value = stated.get(requested)
        if value is None and is_topic_question(intent, text):
            return {}  # a question of its own: answered by its rule, then the form resumes
        found = {
            slot: stated_value
            for slot, stated_value in stated.items()
            if slot in ALL_SLOTS and tracker.get_slot(slot) is None
        }
        if requested:
            found[requested] = value if value is not None else UNCLEAR
        return found


# The marker for "the patient replied, but not with a usable answer".
UNCLEAR = "__unclear__"


def _extractor(slot: str) -> Callable:
    def extract(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        found = self.answers_in_message(tracker)
        return {slot: found[slot]} if slot in found else {}

    extract.__doc__ = f"Fills `{slot}` from the latest message, if it states it."
    return extract


def _validator(slot: str) -> Callable:
    def validate(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if value is None or value == UNCLEAR:
            # Not usable: empty the slot so the form asks again, in clearer words.
            return {slot: None, UNCLEAR_SLOT: slot}
        return {slot: value, UNCLEAR_SLOT: None}

    validate.__doc__ = f"Accepts a normalized `{slot}`; an unusable reply makes the form re-ask."
    return validate


# extract_<slot> and validate_<slot> for every answer, as rasa_sdk looks them up by name.
for _slot in ALL_SLOTS:
    setattr(ValidateSymptomForm, f"extract_{_slot}", _extractor(_slot))
    setattr(ValidateSymptomForm, f"validate_{_slot}", _validator(_slot))


class AskQuestion(Action, ABC):
    """Asks one question of the form, with its buttons; after an answer it could not use,
    the same question in clearer words (both from content/symptom_check.yml)."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot the question fills (a class attribute in each subclass)."""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        again = tracker.get_slot(UNCLEAR_SLOT) == self.slot
        dispatcher.utter_message(**load_questions()[self.slot].message(again=again))
        return []


# One ask-action per question, named action_ask_<slot> as Rasa's forms expect. (Kept in a
# dict: rasa_sdk finds actions among the subclasses, which Python holds only weakly.)
ASK_ACTIONS = {
    slot: type(f"Ask{slot.title().replace('_', '')}", (AskQuestion,), {"slot": slot, "__module__": __name__})
    for slot in ALL_SLOTS
}


class StartSymptomCheck(Action):
    """Starts a new check (after utter_symptom_check_intro): forgets the last one, and keeps
    what the patient already said, so those questions are skipped."""

    def name(self) -> Text:
        return "action_start_symptom_check"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = (tracker.latest_message or {}).get("text") or ""
        stated = answers.extract_answers(text) if not text.startswith("/") else {}
        events: List[EventType] = [SlotSet(slot, stated.get(slot)) for slot in ALL_SLOTS]
        events += [SlotSet(UNCLEAR_SLOT, None), SlotSet(CHECK_DONE_SLOT, False)]
        known = {slot: value for slot, value in stated.items() if slot in ALL_SLOTS}
        if known:
            dispatcher.utter_message(text="So far I noted: " + " ".join(triage.recap(known)))
        return events


class StopSymptomCheck(Action):
    """Stops the check when the patient asks to (utter_symptom_check_stopped follows);
    nothing they said is kept."""

    def name(self) -> Text:
        return "action_stop_symptom_check"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet(UNCLEAR_SLOT, None)] + [
            SlotSet(slot, None) for slot in ALL_SLOTS
        ]


class ExplainQuestion(Action):
    """Answers "why do you ask?" with the question's `why` line (content/symptom_check.yml)."""

    def name(self) -> Text:
        return "action_explain_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        slot = tracker.get_slot("requested_slot")
        questions = load_questions()
        if slot in questions:
            dispatcher.utter_message(text=questions[slot].why)
        else:
            dispatcher.utter_message(response="utter_why_ask_outside_check")
        return []
