"""Rasa graph component: keep only the sentence features of the bag-of-words featurizers.

The featurizers give each message two kinds of features: one vector per token ("sequence")
and one for the whole message ("sentence"). The classifiers here read the sentence vector
alone: config.yml's logistic regression (footdrop_rasa/nlu/linear.py) by design, and DIET
without transformer layers (``number_of_transformer_layers: 0``, evaluation/*.yml) because its
feed-forward layers treat every token on its own and nothing mixes the tokens into the
sentence. The token vectors were still built and stored (and, in DIET, multiplied through its
layers) at every training step and every message, for nothing. Placed after the featurizers,
this component drops the token vectors of the featurizers named in its ``featurizers`` option
(by their ``alias``), which makes training and replies faster with the same intent model
(docs/PERFORMANCE.md). DIET insists on some token features: its configurations keep those of a
small featurizer (LexicalSyntacticFeaturizer). Entity extraction here is rule-based
(TerminologyEntityExtractor) and does not use features.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceFeaturesOnly(GraphComponent):
    """Drops the per-token features of the message text made by the featurizers named in
    ``featurizers``; keeps their sentence features."""

    def __init__(self, featurizers: List[Text]) -> None:
        self._featurizers = set(featurizers)

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"featurizers": []}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceFeaturesOnly":
        if not config["featurizers"]:
            raise ValueError(f"{cls.__name__} needs `featurizers`: the aliases of the featurizers "
                             "whose token features to drop")
        return cls(config["featurizers"])

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            message.features = [
                feature for feature in message.features
                if not (feature.attribute == TEXT and feature.type == FEATURE_TYPE_SEQUENCE
                        and feature.origin in self._featurizers)
            ]
        return messages
