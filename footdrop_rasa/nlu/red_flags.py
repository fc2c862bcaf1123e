"""Rasa graph component: emergency signs decide the intent, whatever the classifier thought.

It runs last in the NLU pipeline (after ``FallbackClassifier``) and asks the red-flag detector
(``footdrop.red_flags``: the sentence encoder, the signs' lay examples and medspaCy's ConText)
about every typed message:

- **emergency**: the intent becomes ``emergency`` (confidence 1) and each sign found is added
  as a ``red_flag`` entity. The rule for ``emergency`` then interrupts anything, the symptom
  check included, with ``utter_emergency`` (no action server needed).
- **ask**: the detector is unsure (between its two thresholds), so the intent becomes
  ``red_flag_check``: the assistant asks one safety question (is this happening now, or did it
  start in the last few hours?) instead of guessing either way.
- **none**: the classifier's intent stands, except that DIET's own ``emergency`` and
  ``red_flag_check`` (learned from a few examples) are never trusted alone: DIET's
  ``emergency`` on a question ("can a stroke cause foot drop?") gives way to the next intent,
  on anything else to the safety question; DIET's ``red_flag_check`` stands only for a
  question ("is this an emergency?") or a message that names a sign in words its context does
  not set aside, else it gives way to the next intent (or to ``nlu_fallback``, the menu, when
  that one is below ``fallback_threshold``, as ``FallbackClassifier`` would have decided).

A sign is never lost because DIET was unsure or chose a topic. Button payloads ("/affirm")
skip the NLU pipeline, so they never reach this component.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from footdrop.questions import is_question
from footdrop.red_flags import ASK, EMERGENCY, RedFlagDetector, Thresholds, shared_detector

logger = logging.getLogger(__name__)

EMERGENCY_INTENT = "emergency"
CHECK_INTENT = "red_flag_check"
FALLBACK_INTENT = "nlu_fallback"
ENTITY = "red_flag"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagIntentOverride(GraphComponent):
    """Sets ``emergency`` or ``red_flag_check`` from the red-flag detector (see the module doc)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # The detector's thresholds (footdrop.red_flags.Thresholds), each as its own option.
        return {"encoder": "build/encoder", "fallback_threshold": 0.4, **dataclasses.asdict(Thresholds())}

    def __init__(self, detector: RedFlagDetector, fallback_threshold: float = 0.4) -> None:
        self.detector = detector
        self.fallback_threshold = fallback_threshold

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RedFlagIntentOverride":
        thresholds = Thresholds(**{f.name: float(config[f.name]) for f in dataclasses.fields(Thresholds)})
        # Checks the encoder's hashes: a changed model file stops the server here, named.
        return cls(shared_detector(Path(config["encoder"]), thresholds), float(config["fallback_threshold"]))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._process(message)
        return messages

    def _process(self, message: Message) -> None:
        text: Optional[str] = message.get(TEXT)
        if not text or not text.strip() or text.startswith("/"):
            return  # empty, or a button payload naming its intent
        assessment = self.detector.assess(text)
        intent = (message.get(INTENT) or {}).get("name")
        if assessment.level == EMERGENCY:
            self._set_intent(message, EMERGENCY_INTENT)
        elif assessment.level == ASK:
            self._set_intent(message, CHECK_INTENT)
        elif intent == EMERGENCY_INTENT and not is_question(text):
            self._set_intent(message, CHECK_INTENT)
        elif intent == CHECK_INTENT and (is_question(text) or assessment.names_a_sign):
            pass  # "is this an emergency?", or urgency in words that name a sign: ask
        elif intent in (EMERGENCY_INTENT, CHECK_INTENT):
            ranking = [i for i in message.get(INTENT_RANKING_KEY) or [] if i["name"] not in (EMERGENCY_INTENT, CHECK_INTENT)]
            if ranking and ranking[0]["confidence"] >= self.fallback_threshold:
                self._set_intent(message, ranking[0]["name"], ranking[0]["confidence"])
            else:
                self._set_intent(message, FALLBACK_INTENT, self.fallback_threshold)
        if assessment.signs:
            entities = list(message.get(ENTITIES) or [])
            entities += [
                {"entity": ENTITY, "value": sign, "start": 0, "end": len(text), "extractor": type(self).__name__}
                for sign in assessment.signs
            ]
            message.set(ENTITIES, entities, add_to_output=True)

    @staticmethod
    def _set_intent(message: Message, name: str, confidence: float = 1.0) -> None:
        intent = {"name": name, "confidence": confidence}
        ranking = [i for i in message.get(INTENT_RANKING_KEY) or [] if i["name"] != name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
