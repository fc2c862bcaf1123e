"""footdrop_rasa/nlu/linear.py: config.yml's topic classifier trains to one answer for given data
(so the staff console's publish check measures changes, not luck), keeps its answers through
the model file, and refuses a model file it cannot trust instead of running untrained."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.preprocessing import FunctionTransformer

from footdrop_rasa.nlu.linear import LinearIntentClassifier

ROOT = Path(__file__).resolve().parents[2]
TOPICS = ("ask_driving", "ask_brace", "out_of_scope")


def message(text: str, vector: np.ndarray, counts: np.ndarray, intent: str = "") -> Message:
    """A message with the two kinds of sentence features config.yml's featurizers give: a bag of
    counts (sparse) and the encoder's vector (dense)."""
    data = {TEXT: text, **({"intent": intent} if intent else {})}
    found = Message(data=data)
    found.add_features(Features(scipy.sparse.coo_matrix(counts), FEATURE_TYPE_SENTENCE, TEXT, "bag"))
    found.add_features(Features(vector.reshape(1, -1), FEATURE_TYPE_SENTENCE, TEXT, "encoder"))
    return found


def typical_counts(topic: str) -> np.ndarray:
    return 20 * (np.arange(30) % len(TOPICS) == TOPICS.index(topic))


def examples(seed: int, per_topic: int = 12):
    """Three topics, each near its own point; the counts are large (as character n-grams are)."""
    rng = np.random.default_rng(seed)
    centres = {topic: rng.normal(size=8) for topic in TOPICS}
    found = []
    for topic in TOPICS:
        for i in range(per_topic):
            counts = rng.poisson(20, size=30) * (np.arange(30) % len(TOPICS) == TOPICS.index(topic))
            found.append(message(f"{topic} {i}", centres[topic] + rng.normal(scale=0.3, size=8), counts, topic))
    return found, centres


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def trained(storage, data, name="classifier"):
    resource = Resource(name)
    component = LinearIntentClassifier.create(LinearIntentClassifier.get_default_config(), storage, resource,
                                              ExecutionContext(GraphSchema({}), "test"))
    component.train(TrainingData(data))
    return component, resource


def rankings(component, messages):
    component.process(messages)
    return [[(r["name"], round(r["confidence"], 12)) for r in m.get("intent_ranking")] for m in messages]


def test_same_data_same_model_and_its_file_answers_the_same(storage):
    data, centres = examples(seed=1)
    asked = [message("new", centre, np.zeros(30)) for centre in centres.values()]
    first, resource = trained(storage, data, "first")
    second, _ = trained(storage, list(reversed(data)), "second")  # order does not matter either
    assert rankings(first, asked) == rankings(second, asked)
    assert [m.get("intent")["name"] for m in asked] == list(TOPICS)
    assert first.clf[-1].n_iter_[0] < first.config["max_iter"]  # trained to the end, not stopped
    loaded = LinearIntentClassifier.load(first.config, storage, resource, ExecutionContext(GraphSchema({}), "test"))
    assert rankings(loaded, asked) == rankings(first, asked)


def test_one_line_more_moves_answers_only_near_it(storage):
    data, centres = examples(seed=2)
    asked = [message(topic, centre, typical_counts(topic)) for topic, centre in centres.items()]
    before, _ = trained(storage, data, "before")
    extra = message("one more", centres["ask_brace"], typical_counts("ask_brace"), "ask_brace")
    after, _ = trained(storage, data + [extra], "after")
    old, new = rankings(before, asked), rankings(after, asked)
    assert [r[0][0] for r in old] == [r[0][0] for r in new] == list(TOPICS)
    far = [i for i, topic in enumerate(TOPICS) if topic != "ask_brace"]
    assert all(abs(old[i][0][1] - new[i][0][1]) < 0.01 for i in far), (old, new)


def _not_sklearn(x):
    return x


def test_a_model_file_with_foreign_code_is_refused_not_replaced_by_an_untrained_one(storage):
    import skops.io as sio

    data, _ = examples(seed=3)
    component, resource = trained(storage, data, "classifier")
    component.clf.steps.insert(0, ("foreign", FunctionTransformer(_not_sklearn)))
    component.persist()
    with pytest.raises(ValueError, match="not scikit-learn's own"):
        LinearIntentClassifier.load(component.config, storage, resource, ExecutionContext(GraphSchema({}), "test"))
    assert sio.get_untrusted_types(file=storage._directory_for_resource(resource) / "classifier.skops")


def test_a_message_without_features_gets_no_intent_and_no_error(storage):
    """An empty message has no features: no intent, as DIET gives it, and the rest of the batch
    is classified as usual."""
    data, centres = examples(seed=4)
    component, _ = trained(storage, data)
    empty = Message(data={TEXT: ""})
    asked = message("driving", centres["ask_driving"], typical_counts("ask_driving"))
    component.process([empty, asked])
    assert empty.get("intent") == {"name": None, "confidence": 0.0} and empty.get("intent_ranking") == []
    assert asked.get("intent")["name"] == "ask_driving"


def test_loading_the_classifier_leaves_the_servers_log_level_alone():
    """skops's import set the root logger to WARNING (through numpy.distutils): the server's
    INFO lines after the model loaded were lost. In a fresh process, as the server imports it."""
    code = ("import logging; logging.basicConfig(level=logging.INFO)\n"
            "import footdrop_rasa.nlu.linear\n"
            "import skops.io\n"
            "print(logging.getLogger().level)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.stdout.strip().splitlines()[-1] == str(logging.INFO), result.stderr[-2000:]
