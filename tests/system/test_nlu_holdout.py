"""`make evaluate-nlu` (`rasa test nlu` on tests/nlu_holdout.yml, phrasings the model never saw in
training): its summary agrees with Rasa's report and the held-out accuracy bar is met (the
sets' sizes and overlaps: tests/unit/test_nlu_holdout.py)."""

from __future__ import annotations

import json
import subprocess

from tools.outcomes import patient_outcomes
from support.project import ROOT

REPORTS = ROOT / "reports" / "nlu"
MIN_ACCURACY = 0.90


def test_make_evaluate_reports_a_holdout_accuracy_of_at_least_90_percent(trained_model, domain):
    """`make evaluate-nlu`, the first half of `make evaluate` (staff's report, docs/EXTENDING.md),
    runs `rasa test nlu` on the held-out set: its summary must agree with Rasa's report, list
    every topic, and show the accuracy bar is met. (The second half, the red-flag evaluation, is
    tests/system/test_red_flag_evaluation.py's.)"""
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
