"""QuickDIETClassifier (footdrop_rasa/nlu/diet.py) loads without Rasa's training step and predicts
through its traced graph; its intents and confidences are those of Rasa's own loader, on every
held-out message."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.core.agent import Agent
from rasa.nlu.classifiers.diet_classifier import DIETClassifier

from footdrop_rasa.nlu.diet import QUICK, QuickDIETClassifier
from support.project import load_yaml
from tools import check


def parses(agent: Agent, texts):
    async def parse_all():
        return [await agent.parse_message(text) for text in texts]
    return asyncio.run(parse_all())


def diet(agent: Agent) -> QuickDIETClassifier:
    return next(node._component for node in agent.processor.graph_runner._instantiated_nodes.values()
                if isinstance(node._component, QuickDIETClassifier))


@pytest.fixture(scope="module")
def texts():
    held_out = check.examples_by_intent(load_yaml("tests/nlu_holdout.yml"))
    return [text for examples in held_out.values() for text in examples]


def test_intents_and_confidences_are_those_of_rasas_loader(trained_model: Path, texts, monkeypatch):
    quick = Agent.load(str(trained_model))
    # Predictions go to the traced graph (call_traced_graph's function, not tf.function's).
    assert diet(quick).model._tf_predict_step.__name__ == "<lambda>"
    ours = parses(quick, texts)
    # The model file again, with the switch back (`quick: false`): loaded and asked by Rasa's
    # DIETClassifier code (a training step, then the weights; tf.function's dispatch).
    monkeypatch.setattr(QuickDIETClassifier, "get_default_config",
                        staticmethod(lambda: {**DIETClassifier.get_default_config(), QUICK: False}))
    stock = Agent.load(str(trained_model))
    assert diet(stock).model._tf_predict_step.__name__ != "<lambda>"
    rasas = parses(stock, texts)
    assert len(ours) == len(rasas) == len(texts) > 300
    for mine, theirs in zip(ours, rasas):
        assert mine["intent"]["name"] == theirs["intent"]["name"], mine["text"]
        assert mine["intent"]["confidence"] == pytest.approx(theirs["intent"]["confidence"], abs=1e-6)
        assert [r["name"] for r in mine["intent_ranking"]] == [r["name"] for r in theirs["intent_ranking"]]
        for a, b in zip(mine["intent_ranking"], theirs["intent_ranking"]):
            assert a["confidence"] == pytest.approx(b["confidence"], abs=1e-6), mine["text"]



def test_on_another_rasa_release_the_start_stops_naming_the_switch(trained_model: Path, monkeypatch):
    import rasa

    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(Exception) as stopped:
        Agent.load(str(trained_model))
    message = str(stopped.value) + str(stopped.value.__cause__ or "")
    assert "QuickDIETClassifier" in message and "quick: false" in message and "3.7.0" in message
