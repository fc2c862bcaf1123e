"""The held-out NLU set (tests/nlu_holdout.yml, phrasings the model never sees in training):
enough examples per intent, none of them in the training data, no training example under two
intents. The accuracy on it: tests/system/test_nlu_holdout.py."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tools import check
from tools.check import MIN_HOLDOUT_EXAMPLES, MIN_TRAINING_EXAMPLES, normalize
from support.project import ROOT, load_yaml

HOLDOUT = ROOT / "tests" / "nlu_holdout.yml"


def examples_by_intent(path: Path) -> dict:
    return check.examples_by_intent(load_yaml(str(path.relative_to(ROOT))))


def training_examples() -> dict:
    merged = {}
    for path in sorted((ROOT / "data").rglob("*.yml")):
        for intent, examples in examples_by_intent(path).items():
            merged.setdefault(intent, []).extend(examples)
    return merged


def test_every_intent_has_enough_training_and_holdout_examples(domain):
    training, holdout = training_examples(), examples_by_intent(HOLDOUT)
    for intent in domain["intents"]:
        assert len(training.get(intent, [])) >= MIN_TRAINING_EXAMPLES, f"data/: '{intent}' has too few examples"
        assert len(holdout.get(intent, [])) >= MIN_HOLDOUT_EXAMPLES, f"{HOLDOUT.name}: '{intent}' has too few"


def test_holdout_examples_are_not_in_training_data():
    seen = {normalize(e) for examples in training_examples().values() for e in examples}
    leaked = [e for examples in examples_by_intent(HOLDOUT).values() for e in examples if normalize(e) in seen]
    assert leaked == []


def test_no_training_example_appears_under_two_intents():
    owners = Counter()
    for examples in training_examples().values():
        for example in {normalize(e) for e in examples}:
            owners[example] += 1
    assert [e for e, count in owners.items() if count > 1] == []
