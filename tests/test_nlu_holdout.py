"""Held-out NLU evaluation with `rasa test nlu`: phrasings the model never saw in training."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

from tools.outcomes import patient_outcomes
from tools import check
from tools.check import MIN_HOLDOUT_EXAMPLES, MIN_TRAINING_EXAMPLES, normalize
from tests.conftest import ROOT, load_yaml

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
    for examples in training_examples().values():
        for example in {normalize(e) for e in examples}:
            owners[example] += 1
    assert [e for e, count in owners.items() if count > 1] == []


def test_make_evaluate_reports_a_holdout_accuracy_of_at_least_90_percent(trained_model, domain):
    """`make evaluate-nlu`, the first half of `make evaluate` (staff's report, docs/EXTENDING.md),
    runs `rasa test nlu` on the held-out set: its summary must agree with Rasa's report, list
    every topic, and show the accuracy bar is met. (The second half, the red-flag evaluation, is
    tests/test_red_flag_evaluation.py's.)"""
    result = subprocess.run(["make", "--no-print-directory", "evaluate-nlu"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((REPORTS / "intent_report.json").read_text())
    summary = (REPORTS / "summary.md").read_text()
    assert summary in result.stdout, "make evaluate prints the summary it writes"
    accuracy = report["accuracy"]
    assert f"Held-out accuracy: **{accuracy:.1%}**" in summary
    outcomes = patient_outcomes(REPORTS)
    assert f"the right answer {outcomes['right_answer']:.1%}" in summary
    missing = [intent for intent in domain["intents"] if f"| {intent} | {report[intent]['f1-score']:.2f} |" not in summary]
    assert missing == [], f"reports/nlu/summary.md has no row (or a wrong F1) for {missing}"
    assert (REPORTS / "intent_confusion_matrix.png").stat().st_size > 0
    weak = {
        intent: round(scores["f1-score"], 2)
        for intent, scores in report.items()
        if isinstance(scores, dict) and "f1-score" in scores and scores["f1-score"] < 0.8
        and intent not in ("macro avg", "weighted avg", "micro avg")
    }
    print(f"held-out intent accuracy: {accuracy:.3f}; patient outcomes: {outcomes}; intents with F1 < 0.8: {weak}")
    assert accuracy >= MIN_ACCURACY, f"held-out accuracy {accuracy:.3f} < {MIN_ACCURACY}; weak intents: {weak}"
