"""A second opinion for an unsure classifier: the training example nearest in meaning.

When the intent classifier is unsure (Rasa's FallbackClassifier gives ``nlu_fallback``: its
first topic below the threshold, or too close to the second), the message goes to the
clarifying question or the menu. Often the classifier's first guess was right and only its
confidence was low. This module holds the sentence encoder's vectors of every training example
and answers one question: is the example nearest to the message, in meaning, from the same
topic as the classifier's first guess, and near enough? When two different views of the
message (the classifier's features, the encoder's nearest example) agree, the guess is
answered; otherwise the fallback stands.

The one setting, ``min_similarity`` (cosine similarity of the all-MiniLM-L6-v2 vectors), was
chosen on the held-out questions (tests/nlu_holdout.yml) and the development set of
out-of-scope messages (evaluation/nlu_dev_out_of_scope.yml), never on tests/nlu_external.yml:
docs/PIPELINES.md, "The nearest example". Imports nothing from Rasa.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Collection, Optional, Sequence, Tuple

import numpy as np

from footdrop.clarify import FALLBACK_INTENT
#: the chosen setting (docs/PIPELINES.md)
MIN_SIMILARITY = 0.75


@dataclass(frozen=True)
class NearestExamples:
    """The encoder's vectors of the training examples (one row each, unit length) and their intents."""

    vectors: np.ndarray
    intents: Tuple[str, ...]

    def __post_init__(self) -> None:
        if self.vectors.ndim != 2 or len(self.vectors) != len(self.intents):
            raise ValueError("one vector per example intent is needed")

    def nearest(self, vector: np.ndarray) -> Tuple[Optional[str], float]:
        """The intent of the example nearest to ``vector`` and its cosine similarity."""
        if not len(self.intents):
            return None, 0.0
        similarities = self.vectors @ vector
        row = int(np.argmax(similarities))
        return self.intents[row], float(similarities[row])

    def save(self, path: Path) -> None:
        np.savez_compressed(path, vectors=self.vectors, intents=np.array(self.intents, dtype=str))

    @classmethod
    def load(cls, path: Path) -> "NearestExamples":
        with np.load(path, allow_pickle=False) as data:
            return cls(data["vectors"].astype(np.float32), tuple(str(i) for i in data["intents"]))


def confirmed(
    ranking: Sequence[Tuple[str, float]],
    nearest_intent: Optional[str],
    similarity: float,
    answerable: Collection[str],
    min_similarity: float = MIN_SIMILARITY,
) -> Optional[Tuple[str, float]]:
    """The classifier's first intent and its confidence when the nearest example agrees with it
    (same intent, at least ``min_similarity``) and it is a topic the assistant answers
    (``answerable``); None when the fallback should stand."""
    guesses = [(name, confidence) for name, confidence in ranking if name != FALLBACK_INTENT]
    if not guesses or nearest_intent is None or similarity < min_similarity:
        return None
    first, confidence = guesses[0]
    if first != nearest_intent or first not in answerable:
        return None
    return first, confidence
