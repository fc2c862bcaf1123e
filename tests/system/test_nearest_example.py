"""The nearest-example confirmation in the trained model (footdrop_rasa/nlu/nearest_example.py):
every training line held, confirming its own topic, with the encoder's vectors (the rule
itself: tests/unit/test_nearest_example.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.core.agent import Agent
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from footdrop_rasa.nlu.nearest_example import NearestExampleConfirmation
from support.project import ROOT, load_yaml
from tools import check


@pytest.fixture(scope="module")
def component(trained_model: Path) -> NearestExampleConfirmation:
    agent = Agent.load(str(trained_model))
    return next(node._component for node in agent.processor.graph_runner._instantiated_nodes.values()
                if isinstance(node._component, NearestExampleConfirmation))


def unsure_message(text: str, first: str, second: str) -> Message:
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": first, "confidence": 0.35},
               {"name": second, "confidence": 0.3}]
    return Message(data={TEXT: text, INTENT: ranking[0], INTENT_RANKING_KEY: ranking})


def test_the_trained_model_holds_every_training_example(component):
    training = check.load_project(ROOT)[0].training_examples()
    assert len(component._examples.intents) == sum(len(v) for v in training.values())
    assert np.allclose(np.linalg.norm(component._examples.vectors, axis=1), 1.0, atol=1e-3)


def test_in_the_model_a_training_line_confirms_its_own_topic_and_no_other(component):
    brace = check.examples_by_intent(load_yaml("data/nlu/treatment.yml"))["ask_brace"][0]
    agreed = component.process([unsure_message(brace, "ask_brace", "ask_surgery")])[0]
    assert agreed.get(INTENT)["name"] == "ask_brace"
    assert [i["name"] for i in agreed.get(INTENT_RANKING_KEY)][:2] == ["ask_brace", "ask_surgery"]
    disagreed = component.process([unsure_message(brace, "ask_surgery", "ask_brace")])[0]
    assert disagreed.get(INTENT)["name"] == "nlu_fallback"
    sure = Message(data={TEXT: brace, INTENT: {"name": "ask_surgery", "confidence": 0.9}})
    assert component.process([sure])[0].get(INTENT)["name"] == "ask_surgery"  # only fallbacks are looked at


def test_the_models_vectors_are_the_encoders_vectors_of_the_training_lines(component):
    """Training takes each line's vector from the encoder featurizer (``features`` in config.yml)
    instead of running the encoder again: it must be the encoder's vector of that very text."""
    lines = check.examples_by_intent(load_yaml("data/nlu/treatment.yml"))["ask_brace"][:5]
    texts = [component._text(Message(data={TEXT: line})) for line in lines]
    vectors = component._detector.encoder.embed_many(texts)
    similarities = component._examples.vectors @ vectors.T
    assert np.allclose(similarities.max(axis=0), 1.0, atol=1e-4)
    assert [component._examples.intents[row] for row in similarities.argmax(axis=0)] == ["ask_brace"] * 5
