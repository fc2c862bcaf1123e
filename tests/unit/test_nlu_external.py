"""The external NLU set (tests/nlu_external.yml): patient questions and out-of-scope messages
written by people who never saw the training data nor tests/nlu_holdout.yml (issue 15): big
enough, every topic of its brief, and no line shared with the training data, the held-out set or
a development set. What patients get on it: tests/system/test_nlu_external.py. Never train or
tune on this set.
"""

from __future__ import annotations

import re

import pytest

from support.project import ROOT
from tools.check import normalize
from tools.evaluate import (
    DEV_OUT_OF_SCOPE,
    DEV_PATIENT,
    EXTERNAL,
    HOLDOUT,
    examples,
)

BRIEF = ROOT / "tests" / "nlu_external_BRIEF.md"


def test_the_external_set_is_big_enough_and_covers_every_topic_of_its_brief():
    items = examples(EXTERNAL)
    questions = [intent for intent, _ in items if intent != "out_of_scope"]
    assert len(questions) >= 200 and len(items) - len(questions) >= 40
    topics = re.findall(r"^\| (\w+) \|", BRIEF.read_text(), flags=re.M)
    assert len(topics) >= 35
    thin = [t for t in topics if t != "topic" and questions.count(t) < 2]
    assert thin == [], f"topics with fewer than 2 questions in {EXTERNAL.name}: {thin}"


TRAINING_FILES = [ROOT / "data" / "nlu.yml", *sorted((ROOT / "data" / "nlu").glob("*.yml"))]


def lines_also_in(path, others) -> list:
    """The lines of an NLU file that are also (normalized) in any of ``others``."""
    seen = {normalize(text) for other in others for _, text in examples(other)}
    return [text for _, text in examples(path) if normalize(text) in seen]


def test_no_external_message_is_in_the_training_data_or_the_held_out_set():
    assert lines_also_in(EXTERNAL, [*TRAINING_FILES, HOLDOUT]) == []


@pytest.mark.parametrize("development_set", [DEV_PATIENT, DEV_OUT_OF_SCOPE], ids=lambda path: path.name)
def test_no_development_message_is_in_the_training_data_or_a_test_set(development_set):
    """The development sets choose settings: a line of theirs in data/ would make them score what
    the model has learnt by heart, and a line shared with a test set would tune on the test."""
    assert lines_also_in(development_set, [*TRAINING_FILES, HOLDOUT, EXTERNAL]) == []
