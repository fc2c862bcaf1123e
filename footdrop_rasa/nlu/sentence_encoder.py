"""Rasa graph component: the sentence encoder's view of each message, as a feature for DIET.

The intent classifier otherwise learns only from the words and character n-grams of the
training lines: it has never seen English beyond them, so a patient's own words ("my foot
flops", "toes catch on the rug") that share no n-grams with the examples land in the menu.
This component adds, to every message, the all-MiniLM-L6-v2 embedding of the whole message (384
numbers, mean pooling as the model was trained; ``footdrop.encoder``) as a dense *sentence*
feature, next to the bag-of-words ones; DIET learns from both.

Why not Rasa's ``LanguageModelFeaturizer``: it pools a BERT model with its first ([CLS])
token, while this model was trained, and is published, with mean pooling; and its tokenizer
needs a ``vocab.txt`` that the package does not ship (``tokenizer.json`` only). This component
reuses the one encoder of the process (``footdrop.encoder.shared_encoder``, the model files
checked at load) and embeds exactly the text that the red-flag detector embeds for the whole
message (``RedFlagDetector.message_text``: typos of sign words corrected), so the encoder runs
once per message and the detector takes the vector from its cache. docs/PIPELINES.md compares
the pipelines with and without it on the held-out set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from footdrop.red_flags import RedFlagDetector, shared_detector


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the sentence embedding of each message's text as a dense sentence feature."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # scale: the vectors have length 1, so each of the 384 numbers is about 0.05; DIET's
        # layers start from weights meant for numbers about 1 (sqrt(384) = 19.6 brings them there).
        return {**DenseFeaturizer.get_default_config(), "encoder": "build/encoder", "scale": 1.0}

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if not isinstance(config.get("encoder"), str) or not config["encoder"]:
            raise ValueError(f"{cls.__name__} needs `encoder`: the folder of the built sentence encoder")
        if not isinstance(config.get("scale"), (int, float)) or config["scale"] <= 0:
            raise ValueError(f"{cls.__name__}: `scale` must be a positive number")

    def __init__(self, config: Dict[Text, Any], name: Text, detector: RedFlagDetector) -> None:
        super().__init__(name, config)
        self._detector = detector

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceEncoderFeaturizer":
        # The detector's own encoder and text reading (the model files are checked here).
        return cls(config, execution_context.node_name, shared_detector(Path(config["encoder"])))

    def _texts(self, messages: List[Message]) -> List[Text]:
        return [self._detector.message_text(m.get(TEXT) or "") or (m.get(TEXT) or "") for m in messages]

    def _add(self, messages: List[Message], vectors: np.ndarray) -> None:
        for message, vector in zip(messages, vectors):
            features = (vector.reshape(1, -1) * float(self._config["scale"])).astype(np.float32)
            self.add_features_to_message(None, features, TEXT, message)

    @staticmethod
    def _has_text_features(message: Message) -> bool:
        """The other featurizers (before this one) gave the text features: an empty text gets
        none from them, and DIET must see the same kinds of features in every message."""
        return bool(message.get(TEXT)) and any(f.attribute == TEXT for f in message.features)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        messages = [m for m in training_data.training_examples if self._has_text_features(m)]
        # Many lines at once, in batches, without filling the cache meant for live messages;
        # lines embedded in an earlier training come from the encoder's store on disk.
        self._add(messages, self._detector.encoder.embed_many(self._texts(messages), keep=True))
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        with_text = [m for m in messages if self._has_text_features(m)]
        if with_text:
            self._add(with_text, self._detector.encoder.embed(self._texts(with_text)))
        return messages
