"""Rasa graph component: emergency signs decide the intent, whatever the classifier thought.

It runs last in the NLU pipeline (after ``FallbackClassifier``). When
``actions.answers.red_flags`` finds an emergency sign stated in the message ("my face is
drooping", "worst headache of my life"), the intent becomes ``emergency`` with confidence 1
and each sign is added as a ``red_flag`` entity; the rule for ``emergency`` then interrupts
anything, including the symptom check. A sign is never lost because DIET was unsure or
chose a topic.

The other way round, when DIET says ``emergency`` but no sign is stated, the message keeps
that intent unless it is a question ("can a stroke cause foot drop?"): a question about a
condition gets its topic answer, a description errs on the side of caution.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

import re

from actions.answers import red_flags

EMERGENCY = "emergency"
ENTITY = "red_flag"

_QUESTION = re.compile(
    r"^\s*(what|whats|what's|why|how|which|can|could|does|do|is|are|should|will|would)\b|\?\s*$",
    re.IGNORECASE,
)


def is_question(text: str) -> bool:
    """A question ("can a stroke cause foot drop?"), as opposed to a description."""
    return bool(_QUESTION.search(text.strip()))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagIntentOverride(GraphComponent):
    """Sets the ``emergency`` intent (and ``red_flag`` entities) when a message states a red flag."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RedFlagIntentOverride":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process(message)
        return messages

    def _process(self, message: Message) -> None:
        text: Optional[str] = message.get(TEXT)
        if not text or text.startswith("/"):
            return  # empty, or a button payload naming its intent
        signs = red_flags(text)
        intent = (message.get(INTENT) or {}).get("name")
        if signs:
            self._set_intent(message, EMERGENCY)
            entities = list(message.get(ENTITIES) or [])
            entities += [
                {"entity": ENTITY, "value": sign, "start": 0, "end": len(text), "extractor": type(self).__name__}
                for sign in signs
            ]
            message.set(ENTITIES, entities, add_to_output=True)
        elif intent == EMERGENCY and is_question(text):
            ranking = [i for i in message.get(INTENT_RANKING_KEY) or [] if i["name"] != EMERGENCY]
            if ranking:
                self._set_intent(message, ranking[0]["name"], ranking[0]["confidence"])

    @staticmethod
    def _set_intent(message: Message, name: str, confidence: float = 1.0) -> None:
        intent = {"name": name, "confidence": confidence}
        ranking = [i for i in message.get(INTENT_RANKING_KEY) or [] if i["name"] != name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
