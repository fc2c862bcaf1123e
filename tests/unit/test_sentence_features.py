"""SentenceFeaturesOnly (footdrop_rasa/nlu/sentence_features.py) drops exactly the token vectors
of the named featurizers, in training data and in live messages, and nothing else."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from footdrop_rasa.nlu.sentence_features import SentenceFeaturesOnly


def message(text: str = "my foot drags") -> Message:
    msg = Message(data={TEXT: text, INTENT: "ask_symptoms"})
    for origin in ("word_ngrams", "char_ngrams", "lexical"):
        for kind, rows in ((FEATURE_TYPE_SEQUENCE, 3), (FEATURE_TYPE_SENTENCE, 1)):
            msg.add_features(Features(scipy.sparse.coo_matrix(np.ones((rows, 4))), kind, TEXT, origin))
    msg.add_features(Features(scipy.sparse.coo_matrix(np.ones((1, 2))), FEATURE_TYPE_SEQUENCE, INTENT, "word_ngrams"))
    return msg


def kept(msg: Message) -> set:
    return {(f.origin, f.type, f.attribute) for f in msg.features}


def component(**config) -> SentenceFeaturesOnly:
    return SentenceFeaturesOnly.create({**SentenceFeaturesOnly.get_default_config(), **config}, None, None, None)


def test_only_the_named_featurizers_token_vectors_of_the_text_go():
    expected = {
        ("word_ngrams", FEATURE_TYPE_SENTENCE, TEXT),
        ("char_ngrams", FEATURE_TYPE_SENTENCE, TEXT),
        ("lexical", FEATURE_TYPE_SEQUENCE, TEXT),  # DIET needs some token features: kept
        ("lexical", FEATURE_TYPE_SENTENCE, TEXT),
        ("word_ngrams", FEATURE_TYPE_SEQUENCE, INTENT),  # not the text: untouched
    }
    live = message()
    component(featurizers=["word_ngrams", "char_ngrams"]).process([live])
    assert kept(live) == expected

    training = TrainingData([message("my foot drags"), message("my toes catch")])
    out = component(featurizers=["word_ngrams", "char_ngrams"]).process_training_data(training)
    assert [kept(m) for m in out.training_examples] == [expected, expected]


def test_it_refuses_to_run_without_featurizers_named():
    with pytest.raises(ValueError, match="needs `featurizers`"):
        component()
