"""The sentence encoder's featurizer and the red-flag detector share the encoder's cache (needs
the detector's fitted classifier, which `make train` keeps in build/encoder/cache; the
featurizer alone: tests/unit/test_sentence_encoder.py)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import scipy.sparse
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from footdrop.encoder import shared_encoder
from footdrop.red_flags import shared_detector
from footdrop_rasa.nlu.sentence_encoder import SentenceEncoderFeaturizer

TEXTS = ["my foot flops when i walk", "can a strok cause foot drop?", "hello", "my toes catch on the rug, why"]


@pytest.fixture(scope="module")
def featurizer() -> SentenceEncoderFeaturizer:
    config = {**SentenceEncoderFeaturizer.get_default_config(), "alias": "sentence_encoder"}
    return SentenceEncoderFeaturizer.create(config, None, None, SimpleNamespace(node_name="encoder"))


def message(text: str, intent: str = "") -> Message:
    """A message as the featurizers before this one leave it: with some text features."""
    msg = Message(data={TEXT: text, **({INTENT: intent} if intent else {})})
    if text:
        msg.add_features(Features(scipy.sparse.coo_matrix(np.ones((1, 4))), FEATURE_TYPE_SENTENCE, TEXT, "word_ngrams"))
    return msg


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
