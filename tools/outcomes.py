"""What a patient gets for each message of an NLU test: its answer, the fallback menu, or a wrong answer."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from footdrop.clarify import fallback_settings

ROOT = Path(__file__).resolve().parent.parent


def fallback_threshold(config: Path = ROOT / "config.yml") -> float:
    return fallback_settings(config).threshold


def patient_outcomes(report_dir: Path, config: Path = ROOT / "config.yml") -> dict:
    """What a patient would get for each held-out message: its answer, the fallback, or a wrong answer.

    `rasa test nlu` scores the classifier with the fallback undone; below the FallbackClassifier
    threshold the assistant offers the topic menu instead of answering. (Its ambiguity check can
    turn more wrong answers into the menu, so "wrong_answer" is an upper bound.)
    """
    threshold = fallback_threshold(config)
    outcomes = Counter()
    for name, correct in (("intent_successes.json", True), ("intent_errors.json", False)):
        for item in json.loads((report_dir / name).read_text()):
            if item["intent_prediction"]["confidence"] < threshold:
                outcomes["fallback"] += 1
            else:
                outcomes["right_answer" if correct else "wrong_answer"] += 1
    total = sum(outcomes.values())
    return {key: round(outcomes[key] / total, 3) for key in ("right_answer", "fallback", "wrong_answer")}
