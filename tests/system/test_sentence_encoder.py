"""SentenceEncoderFeaturizer (footdrop_rasa/nlu/sentence_encoder.py): each message gets the sentence
encoder's embedding as one dense sentence feature, the same vector in training and live, and
the red-flag detector reuses it (one encoder run per message). The featurizer is built on the
red-flag detector (its reader corrects the typos of sign words), so these need the detector's
fitted classifier, which `make train` keeps in build/encoder/cache (about a minute to fit).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from footdrop.encoder import shared_encoder
from footdrop.red_flags import shared_detector
from footdrop_rasa.nlu.sentence_encoder import SentenceEncoderFeaturizer

TEXTS = ["my foot flops when i walk", "can a strok cause foot drop?", "hello", "my toes catch on the rug, why"]


@pytest.fixture(scope="module")
def featurizer() -> SentenceEncoderFeaturizer:
    config = {**SentenceEncoderFeaturizer.get_default_config(), "alias": "sentence_encoder"}
    return SentenceEncoderFeaturizer.create(config, None, None, SimpleNamespace(node_name="encoder"))


def dense_sentence(message: Message) -> np.ndarray:
    ours = [f for f in message.features if f.origin == "sentence_encoder"]
    assert [(f.type, f.attribute, f.is_dense()) for f in ours] == [(FEATURE_TYPE_SENTENCE, TEXT, True)]
    return ours[0].features


def message(text: str, intent: str = "") -> Message:
    """A message as the featurizers before this one leave it: with some text features."""
    msg = Message(data={TEXT: text, **({INTENT: intent} if intent else {})})
    if text:
        msg.add_features(Features(scipy.sparse.coo_matrix(np.ones((1, 4))), FEATURE_TYPE_SENTENCE, TEXT, "word_ngrams"))
    return msg


def test_every_message_gets_one_384_wide_sentence_vector_and_no_token_vectors(featurizer):
    for featurized in featurizer.process([message(t) for t in TEXTS]):
        sequence, _ = featurized.get_dense_features(TEXT)
        assert sequence is None
        vector = dense_sentence(featurized)
        assert vector.shape == (1, 384) and vector.dtype == np.float32
        assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3  # the encoder's unit vectors


def test_training_and_live_messages_get_the_same_vector(featurizer):
    training = TrainingData([message(t, "ask_symptoms") for t in TEXTS])
    featurizer.process_training_data(training)
    live = featurizer.process([message(t) for t in TEXTS])
    for trained, served in zip(training.training_examples, live):
        assert np.allclose(dense_sentence(trained), dense_sentence(served), atol=1e-5)


def test_a_message_without_text_features_is_left_alone(featurizer):
    """An empty message gets no features from the other featurizers, so none from this one:
    DIET must see the same kinds of features in every message (else it fails on "")."""
    training = TrainingData([Message(data={INTENT: "greet"})])
    featurizer.process_training_data(training)
    assert training.training_examples[0].get_dense_features(TEXT) == (None, None)
    (empty,) = featurizer.process([Message(data={TEXT: ""})])
    assert empty.features == []


def test_the_red_flag_detector_takes_the_messages_vector_from_the_cache(featurizer):
    """The featurizer embeds exactly the text the detector embeds for the whole message (typos
    of sign words corrected), so the encoder runs once for it."""
    detector, encoder = shared_detector(), shared_encoder()
    assert detector.encoder is encoder
    for text in ["my fase is droopin since this morning", "I cant pee, since last night"]:
        featurizer.process([message(text)])
        whole = [p for p in detector.score(text).parts if p.kind == "message"]
        assert whole and whole[0].text == detector.message_text(text)
        assert whole[0].text in encoder._cache
