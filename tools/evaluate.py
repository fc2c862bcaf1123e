"""NLU quality report for staff: how well the assistant recognises each topic.

    .venv/bin/python -m tools.evaluate          (or: make evaluate)

Runs `rasa test nlu` with the trained model on the held-out phrasings (tests/nlu_holdout.yml,
phrasings that are not in the training data), then prints and writes reports/nlu/summary.md:
the held-out accuracy, what a patient would get (the right answer, the topic menu, or another
topic's answer), and a per-intent table, weakest first. The confusion matrix picture is
reports/nlu/intent_confusion_matrix.png: which topics get mistaken for which.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from evaluation.outcomes import patient_outcomes  # noqa: E402

MODEL = ROOT / "models" / "footdrop.tar.gz"
HOLDOUT = ROOT / "tests" / "nlu_holdout.yml"
OUT = ROOT / "reports" / "nlu"


def summary(report: dict, outcomes: dict) -> str:
    rows = sorted(
        (scores["f1-score"], intent, scores["precision"], scores["recall"], scores["support"])
        for intent, scores in report.items()
        if isinstance(scores, dict) and "f1-score" in scores and not intent.endswith(" avg")
    )
    lines = [
        "# How well the assistant recognises each topic",
        "",
        f"Held-out accuracy: **{report['accuracy']:.1%}** on {sum(r[4] for r in rows)} phrasings "
        "that are not in the training data.",
        "",
        f"What a patient gets: the right answer {outcomes['right_answer']:.1%}, the topic menu "
        f"{outcomes['fallback']:.1%}, another topic's answer {outcomes['wrong_answer']:.1%}.",
        "",
        "Which topics get confused with which: `reports/nlu/intent_confusion_matrix.png`.",
        "",
        "| intent | F1 | precision | recall | held-out phrasings |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [f"| {i} | {f:.2f} | {p:.2f} | {r:.2f} | {n} |" for f, i, p, r, n in rows]
    return "\n".join(lines) + "\n"


def main() -> int:
    if not MODEL.exists():
        print(f"No trained model at {MODEL.relative_to(ROOT)}: run `make train` first.", file=sys.stderr)
        return 1
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    rasa = str(Path(sys.executable).parent / "rasa")
    result = subprocess.run(
        [rasa, "test", "nlu", "--model", str(MODEL), "--nlu", str(HOLDOUT), "--out", str(OUT), "--successes"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    if result.returncode != 0:
        print(result.stdout[-2000:] + result.stderr[-2000:], file=sys.stderr)
        return result.returncode
    report = json.loads((OUT / "intent_report.json").read_text())
    text = summary(report, patient_outcomes(OUT))
    (OUT / "summary.md").write_text(text)
    print(text)
    print(f"Written to {(OUT / 'summary.md').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
