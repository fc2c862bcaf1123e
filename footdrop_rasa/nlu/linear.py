"""Rasa's LogisticRegressionClassifier, on features scaled to one range, trained to the end.

Why a linear classifier (docs/PIPELINES.md, "A classifier that stays put"): the staff console
refuses to publish a model that answers a point fewer held-out or external questions than the
one patients have (staff/publish.py). DIET is a small neural network trained by stochastic
gradient descent: one training line added or moved reorders its batches and gives, in effect,
another random start, and its share of right answers moved by 3-5 points with the data barely
changed (six seeds of the same data: 79.7-84.4% external). A logistic regression has one
best fit for given data (its loss is convex) and the solver runs until it finds it: the same
data gives the same model, and one line more moves the answers only where that line is near.

Four changes to Rasa's component, nothing else:

- **Scaling.** The sentence's features are counts (word and character n-grams) next to the
  sentence encoder's 384 numbers. ``MaxAbsScaler`` (scikit-learn) divides each feature by its
  largest value in the training data, keeping the bags sparse: the solver converges in about
  a hundred steps instead of stopping unfinished at Rasa's limit of 100 (which made the model
  depend on where it stopped).
- **Loading.** Rasa's loader returns an untrained classifier, silently, when the file cannot be
  loaded; here that is an error, as for every other component.
- **A message with no features** (an empty one: the featurizers give it none) gets no intent,
  as DIET gives it (``name: None``, confidence 0), where Rasa's component raised an error and
  the patient got none of the kind replies an empty message gets.
- **Logging.** skops (which stores the classifier) is imported here, with the root logger's
  level put back after: importing it lists scikit-learn's estimators, which imports
  numpy.distutils, whose log sets the root logger to WARNING; every INFO line of the server
  after the model loaded was lost.

config.yml::

    - name: footdrop_rasa.nlu.linear.LinearIntentClassifier
      C: 1.0           # inverse of the regularisation (scikit-learn's C)
      max_iter: 1000   # a limit the solver does not reach (a warning says so if it does)
"""

from __future__ import annotations

import logging
from types import ModuleType
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MaxAbsScaler

#: scikit-learn's C: the inverse of the regularisation's strength
C = "C"


def import_skops_io() -> ModuleType:
    """skops.io, with the root logger's level as it was before the import (module doc)."""
    root = logging.getLogger()
    level = root.level
    try:
        import skops.io
    finally:
        root.setLevel(level)
    return skops.io


skops_io = import_skops_io()  # first here, so Rasa's own `import skops.io` (persist) changes nothing


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(LogisticRegressionClassifier):
    """LogisticRegressionClassifier on MaxAbs-scaled features, with C and a limit it does not reach."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), C: 1.0, "max_iter": 1000}

    def __init__(self, config: Dict[Text, Any], name: Text, model_storage: ModelStorage,
                 resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        regression = self.clf  # Rasa's LogisticRegression, with all its settings
        regression.set_params(C=float(self.config[C]))
        self.clf: Pipeline = make_pipeline(MaxAbsScaler(), regression)

    def process(self, messages: List[Message]) -> List[Message]:
        """Each message's intent and ranking; none for a message without both kinds of sentence
        features (the counts and the encoder's vector), as DIET does."""
        featured = [message for message in messages if has_sentence_features(message)]
        for message in messages:
            if not has_sentence_features(message):
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        if featured:
            super().process(featured)
        return messages

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearIntentClassifier":
        """The trained classifier; an error (not Rasa's untrained stand-in) when it cannot be read."""
        sio = skops_io
        with model_storage.read_from(resource) as model_dir:
            path = model_dir / f"{resource.name}.skops"
            untrusted = sio.get_untrusted_types(file=path)
            if untrusted:
                raise ValueError(f"{path.name}: types that are not scikit-learn's own: {untrusted}")
            classifier = sio.load(path, trusted=[])
        component = cls(config, execution_context.node_name, model_storage, resource)
        component.clf = classifier
        return component


def has_sentence_features(message: Message) -> bool:
    """Whether the message has a sparse and a dense sentence feature: the two parts of a row the
    classifier was trained on."""
    return (message.get_sparse_features(TEXT)[1] is not None
            and message.get_dense_features(TEXT)[1] is not None)
