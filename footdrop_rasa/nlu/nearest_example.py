"""Rasa graph component: when the classifier is unsure, the nearest training example decides.

It runs right after ``FallbackClassifier``. Trained, it keeps the sentence encoder's vector of
every training example (``footdrop.nearest_example.NearestExamples``, about 4 MB in the
model), taken from the encoder featurizer's features of the training lines (``features``: its
alias) rather than computed a second time. On a message that fell back (``nlu_fallback``), it finds the example nearest in
meaning; when that example is of the classifier's own first topic and at least
``min_similarity`` similar (``footdrop.nearest_example.confirmed``), the topic is answered
instead of the clarifying question or the menu. Only the topics of ``content/topics.yml``
are ever confirmed (not greetings, not the emergency intents, not ``out_of_scope``).

The message's vector is the one the encoder featurizer and the red-flag detector already
computed for it (the encoder's cache, same text): no second encoder run.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import numpy as np

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from footdrop.clarify import load_titles, ranking_of
from footdrop.nearest_example import FALLBACK_INTENT, MIN_SIMILARITY, NearestExamples, confirmed
from footdrop.red_flags import RedFlagDetector, shared_detector

logger = logging.getLogger(__name__)
FILE = "nearest_examples.npz"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class NearestExampleConfirmation(GraphComponent):
    """Answers the classifier's unsure first topic when the nearest training example agrees."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # features: the alias of SentenceEncoderFeaturizer in config.yml, whose vectors of the
        # training lines are taken (unit length again) instead of running the encoder twice
        return {"encoder": "build/encoder", "min_similarity": MIN_SIMILARITY, "features": None}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        detector: RedFlagDetector,
        examples: Optional[NearestExamples] = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._detector = detector
        self._examples = examples
        self._answerable = frozenset(load_titles())

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "NearestExampleConfirmation":
        return cls(config, model_storage, resource, shared_detector(Path(config["encoder"])))

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "NearestExampleConfirmation":
        examples = None
        try:
            with model_storage.read_from(resource) as directory:
                examples = NearestExamples.load(directory / FILE)
        except (ValueError, FileNotFoundError):
            logger.warning("No nearest examples in the model: unsure messages keep the fallback.")
        return cls(config, model_storage, resource, shared_detector(Path(config["encoder"])), examples)

    def _text(self, message: Message) -> Text:
        text = message.get(TEXT) or ""
        return self._detector.message_text(text) or text

    def _featurized(self, message: Message) -> Optional[np.ndarray]:
        """The encoder featurizer's vector of a training line (scaled there), at unit length."""
        if not self._config.get("features"):
            return None
        _, sentence = message.get_dense_features(TEXT, featurizers=[self._config["features"]])
        if sentence is None:
            return None
        vector = np.asarray(sentence.features, dtype=np.float32).reshape(-1)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else None

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if (m.get(TEXT) or "").strip() and m.get(INTENT)]
        featurized = [self._featurized(m) for m in examples]
        missing = [i for i, vector in enumerate(featurized) if vector is None]
        if missing:
            embedded = self._detector.encoder.embed_many([self._text(examples[i]) for i in missing], keep=True)
            for i, vector in zip(missing, embedded):
                featurized[i] = vector
        vectors = np.stack(featurized).astype(np.float32) if featurized else np.zeros((0, 1), np.float32)
        self._examples = NearestExamples(vectors, tuple(str(m.get(INTENT)) for m in examples))
        with self._storage.write_to(self._resource) as directory:
            self._examples.save(directory / FILE)
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if self._examples is not None and (message.get(INTENT) or {}).get("name") == FALLBACK_INTENT:
                self._confirm(message)
        return messages

    def _confirm(self, message: Message) -> None:
        text = self._text(message)
        if not text.strip() or text.startswith("/"):
            return
        vector = self._detector.encoder.embed([text])[0]
        nearest, similarity = self._examples.nearest(vector)
        ranking = ranking_of({INTENT_RANKING_KEY: message.get(INTENT_RANKING_KEY)})
        answer = confirmed(ranking, nearest, similarity, self._answerable, float(self._config["min_similarity"]))
        if answer is None:
            return
        name, confidence = answer
        intent = {"name": name, "confidence": confidence}
        rest = [i for i in message.get(INTENT_RANKING_KEY) or [] if i.get("name") not in (name, FALLBACK_INTENT)]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent, *rest], add_to_output=True)
