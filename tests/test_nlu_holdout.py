"""Held-out NLU evaluation with `rasa test nlu`: phrasings the model never saw in training."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

from evaluation.outcomes import patient_outcomes
from tools import check
from tools.check import MIN_HOLDOUT_EXAMPLES, MIN_TRAINING_EXAMPLES, normalize
from tests.conftest import ROOT, load_yaml, rasa_command

HOLDOUT = ROOT / "tests" / "nlu_holdout.yml"
REPORTS = ROOT / "reports" / "nlu"
MIN_ACCURACY = 0.90


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
    for intent, examples in training_examples().items():
        for example in {normalize(e) for e in examples}:
            owners[example] += 1
    assert [e for e, count in owners.items() if count > 1] == []


def test_holdout_intent_accuracy_is_at_least_90_percent(trained_model):
    result = subprocess.run(
        rasa_command(
            "test", "nlu", "--model", str(trained_model), "--nlu", str(HOLDOUT),
            "--out", str(REPORTS), "--successes",
        ),
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((REPORTS / "intent_report.json").read_text())
    assert (REPORTS / "intent_confusion_matrix.png").exists()
    accuracy = report["accuracy"]
    weak = {
        intent: round(scores["f1-score"], 2)
        for intent, scores in report.items()
        if isinstance(scores, dict) and "f1-score" in scores and scores["f1-score"] < 0.8
        and intent not in ("macro avg", "weighted avg", "micro avg")
    }
    outcomes = patient_outcomes(REPORTS)
    (REPORTS / "patient_outcomes.json").write_text(json.dumps(outcomes, indent=2))
    print(f"held-out intent accuracy: {accuracy:.3f}; patient outcomes: {outcomes}; intents with F1 < 0.8: {weak}")
    assert accuracy >= MIN_ACCURACY, f"held-out accuracy {accuracy:.3f} < {MIN_ACCURACY}; weak intents: {weak}"
