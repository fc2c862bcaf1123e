"""The nearest training example as a second opinion when the classifier is unsure: the rule
(footdrop/nearest_example.py) and its vectors. The trained component in the model
(footdrop_rasa/nlu/nearest_example.py): tests/system/test_nearest_example.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from footdrop.clarify import load_titles
from footdrop.nearest_example import MIN_SIMILARITY, NearestExamples, confirmed

TOPICS = frozenset(load_titles())
UNSURE = [("nlu_fallback", 0.4), ("ask_brace", 0.35), ("ask_surgery", 0.31)]


def test_an_unsure_first_topic_is_answered_when_the_nearest_example_agrees():
    assert confirmed(UNSURE, "ask_brace", MIN_SIMILARITY, TOPICS) == ("ask_brace", 0.35)


@pytest.mark.parametrize(
    "ranking, nearest, similarity",
    [
        (UNSURE, "ask_surgery", 0.95),  # the nearest example is of another topic
        (UNSURE, "ask_brace", MIN_SIMILARITY - 0.01),  # not near enough
        (UNSURE, None, 0.0),  # no examples
        ([("nlu_fallback", 0.4)], "ask_brace", 0.9),  # nothing ranked
        ([("nlu_fallback", 0.4), ("greet", 0.3)], "greet", 0.9),  # not a topic the assistant answers
        ([("nlu_fallback", 0.4), ("out_of_scope", 0.3)], "out_of_scope", 0.9),
        ([("nlu_fallback", 0.4), ("emergency", 0.3)], "emergency", 0.99),
    ],
)
def test_otherwise_the_fallback_stands(ranking, nearest, similarity):
    assert confirmed(ranking, nearest, similarity, TOPICS) is None


def test_the_examples_round_trip_and_the_nearest_is_found(tmp_path: Path):
    vectors = np.eye(3, dtype=np.float32)
    examples = NearestExamples(vectors, ("ask_brace", "ask_surgery", "greet"))
    examples.save(tmp_path / "x.npz")
    loaded = NearestExamples.load(tmp_path / "x.npz")
    assert loaded.intents == examples.intents
    assert loaded.nearest(np.array([0.1, 0.9, 0.2], dtype=np.float32)) == ("ask_surgery", pytest.approx(0.9))
    assert NearestExamples(np.zeros((0, 3), dtype=np.float32), ()).nearest(vectors[0]) == (None, 0.0)
    with pytest.raises(ValueError):
        NearestExamples(vectors, ("ask_brace",))
