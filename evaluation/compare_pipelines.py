"""Trains an NLU model per pipeline config and scores each on the held-out set.

    .venv/bin/python -m evaluation.compare_pipelines config.yml evaluation/whitespace.yml

Prints a table (held-out accuracy, weighted F1, training seconds) and writes
reports/pipelines/summary.json; each config's full `rasa test nlu` report is beside it. For each
it also gives what patients get through the whole NLU pipeline (tools/evaluate.py's outcome
table: right answer, menu, safety question, emergency message, wrong topic) on the held-out set
and on the external set (tests/nlu_external.yml). A pipeline is chosen on the held-out figures;
the external set is reported beside them, never used to choose.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.evaluate import OUTCOMES, outcome_sets, outcome_table
from tools.outcomes import patient_outcomes

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).parent / "rasa")
HOLDOUT = ROOT / "tests" / "nlu_holdout.yml"
OUT = ROOT / "reports" / "pipelines"


def evaluate(config: Path, workdir: Path) -> dict:
    name = config.stem if config.name != "config.yml" else "spacy (config.yml)"
    slug = config.stem
    started = time.monotonic()
    subprocess.run(
        [RASA, "train", "nlu", "--config", str(config), "--out", str(workdir), "--fixed-model-name", slug],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )
    train_seconds = time.monotonic() - started
    report_dir = OUT / slug
    subprocess.run(
        [RASA, "test", "nlu", "--model", str(workdir / f"{slug}.tar.gz"), "--nlu", str(HOLDOUT),
         "--out", str(report_dir), "--successes"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )
    report = json.loads((report_dir / "intent_report.json").read_text())
    table = outcome_table(outcome_sets(), workdir / f"{slug}.tar.gz")
    (report_dir / "outcomes.json").write_text(json.dumps(table, indent=2) + "\n")
    return {
        "pipeline": name,
        "config": str(config),
        "accuracy": round(report["accuracy"], 4),
        "weighted_f1": round(report["weighted avg"]["f1-score"], 4),
        "train_seconds": round(train_seconds, 1),
        **patient_outcomes(report_dir, config),
        "outcomes": {name: {k: v for k, v in row.items() if k != "misses"} for name, row in table.items()},
    }


def main(configs: list) -> None:
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        results = [evaluate(Path(c), Path(workdir)) for c in configs]
    (OUT / "summary.json").write_text(json.dumps(results, indent=2))
    print(f"\n{'pipeline':<28}{'accuracy':>10}{'weighted F1':>13}{'train s':>9}{'fallback':>10}{'wrong':>8}")
    for r in results:
        print(
            f"{r['pipeline']:<28}{r['accuracy']:>10.3f}{r['weighted_f1']:>13.3f}{r['train_seconds']:>9.1f}"
            f"{r['fallback']:>10.3f}{r['wrong_answer']:>8.3f}"
        )
    print("\nWhat patients get through the whole pipeline (right / menu / safety question / emergency / wrong):")
    for r in results:
        for name, row in r["outcomes"].items():
            print(f"{r['pipeline']:<28}{name:<46}" + " ".join(f"{row[k]:>7.1%}" for k in OUTCOMES))


if __name__ == "__main__":
    main(sys.argv[1:] or ["config.yml", "evaluation/whitespace.yml"])
