"""NLU quality report for staff: how well the assistant recognises each topic.

    .venv/bin/python -m tools.evaluate          (or: make evaluate)

Runs `rasa test nlu` with the trained model on the held-out phrasings (tests/nlu_holdout.yml,
phrasings that are not in the training data), then prints and writes reports/nlu/summary.md:
the held-out accuracy, what a patient would get (the right answer, the topic menu, or another
topic's answer), and a per-intent table, weakest first. The confusion matrix picture is
reports/nlu/intent_confusion_matrix.png: which topics get mistaken for which.

Then the held-out set, the external set (tests/nlu_external.yml: questions written by people who
never saw the training data, and out-of-scope messages) and the development sets
(evaluation/nlu_dev_out_of_scope.yml: out-of-scope messages; evaluation/nlu_dev_patient_questions.yml:
patient questions in the external set's style, for tuning) go through the whole NLU pipeline
as patients meet it (the red-flag component, the fallback and the clarifying question
included), and the summary gets a table of what patients get on each (``OUTCOMES``), written
to reports/nlu/outcomes.json with every message that did not get its answer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from footdrop.clarify import (
    FALLBACK_INTENT,
    after_safety_question,
    choose,
    fallback_settings,
    load_titles,
    names_foot_drop,
    ranking_of,
)
from tools.outcomes import patient_outcomes

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "footdrop.tar.gz"
HOLDOUT = ROOT / "tests" / "nlu_holdout.yml"
EXTERNAL = ROOT / "tests" / "nlu_external.yml"
DEV_OUT_OF_SCOPE = ROOT / "evaluation" / "nlu_dev_out_of_scope.yml"
DEV_PATIENT = ROOT / "evaluation" / "nlu_dev_patient_questions.yml"
OUT = ROOT / "reports" / "nlu"

#: What a patient gets for a message, by the intent the whole pipeline gives it (and, for
#: ``nlu_fallback``, whether footdrop/clarify.py asks "Do you mean ...?" or shows the menu).
OUTCOMES = ("right answer", "clarifying question", "menu", "safety question", "emergency message", "wrong topic")
CLARIFY = "clarifying question"
MENU_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
SAFETY_QUESTION_INTENT = "red_flag_check"
#: beside OUTCOMES: the safety question, then (on the patient's "no") the right topic's answer
#: (footdrop_rasa/responses.py ``utter_after_safety_question``)
AFTER_SAFETY = "safety question, then right answer"
AFTER_SAFETY_WRONG = "safety question, then wrong topic"
SAFETY_INTENTS = {"red_flag_check": "safety question", "emergency": "emergency message"}
#: beside OUTCOMES: the share whose first topic in the classifier's ranking is the right one,
#: before the fallback, the clarifying question and the red-flag check decide what is shown
#: (what the classifier knows, however sure it is)
FIRST_TOPIC = "classifier's first topic right"
#: the outcome table's per-intent counts: intent -> [right answers, messages]
BY_INTENT = "by intent"
NOT_TOPICS = frozenset({FALLBACK_INTENT, *SAFETY_INTENTS})


def first_topic(ranking: Sequence[Tuple[str, float]], expected: str) -> Optional[str]:
    """The classifier's first topic: the red-flag check and the fallback put their intent in
    front of its ranking and keep its order after it."""
    return next((name for name, _ in ranking if name not in NOT_TOPICS or name == expected), None)


def examples(path: Path) -> List[Tuple[str, str]]:
    """(intent, text) for every example of an NLU file."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        (block["intent"], line.strip()[2:].strip())
        for block in data["nlu"]
        for line in str(block.get("examples") or "").splitlines()
        if line.strip().startswith("- ")
    ]


def outcome(expected: str, got: str, offered: Sequence[str] = ()) -> str:
    """One of OUTCOMES. An out-of-scope message is answered right by the menu; ``offered``: the
    topics of the clarifying question, when the pipeline gave ``nlu_fallback``."""
    if got == expected or (expected == "out_of_scope" and got in MENU_INTENTS and not offered):
        return "right answer"
    if got in MENU_INTENTS:
        return CLARIFY if offered else "menu"
    return SAFETY_INTENTS.get(got, "wrong topic")


async def pipeline_parses(model: Path, texts: List[str]) -> List[Tuple[str, List[Tuple[str, float]], bool]]:
    """(intent, ranking, whether it names foot drop) each text gets from the trained model's
    whole NLU pipeline."""
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)  # no per-message debug lines with the messages' words
    agent = Agent.load(str(model))
    parses = [await agent.parse_message(text) for text in texts]
    return [(parse["intent"]["name"], ranking_of(parse), names_foot_drop(parse)) for parse in parses]


async def pipeline_intents(model: Path, texts: List[str]) -> List[str]:
    """The intent each text gets from the trained model's whole NLU pipeline."""
    return [intent for intent, _, _ in await pipeline_parses(model, texts)]


def by_intent(rows: Sequence[tuple]) -> Dict[str, List[int]]:
    """Intent -> [messages of it that got the right answer, messages of it], from outcome rows
    (intent, text, predicted, offered, outcome)."""
    counts: Dict[str, List[int]] = {}
    for row in rows:
        right_and_all = counts.setdefault(row[0], [0, 0])
        right_and_all[0] += row[-1] == "right answer"
        right_and_all[1] += 1
    return counts


def outcome_table(sets: Dict[str, List[Tuple[str, str]]], model: Path = MODEL) -> Dict[str, dict]:
    """For each set: how many messages, the share of each outcome, how often the clarifying
    question offered the right topic, and the misses."""
    titles = load_titles()
    fallback = fallback_settings()
    texts = [text for items in sets.values() for _, text in items]
    got = iter(asyncio.run(pipeline_parses(model, texts)))
    table = {}
    for name, items in sets.items():
        rows, answered_after, wrong_after, first_right = [], 0, 0, 0
        for intent, text in items:
            predicted, ranking, about = next(got)
            first_right += first_topic(ranking, intent) == intent
            offered = choose(ranking, titles, about) if predicted == FALLBACK_INTENT else []
            rows.append((intent, text, predicted, offered, outcome(intent, predicted, offered)))
            if predicted == SAFETY_QUESTION_INTENT:
                topic = after_safety_question(ranking, titles, about, fallback).topic
                answered_after += topic == intent
                wrong_after += topic not in (None, intent)
        counts = Counter(row[-1] for row in rows)
        asked = [row for row in rows if row[-1] == CLARIFY]
        table[name] = {
            "messages": len(rows),
            **{key: round(counts[key] / len(rows), 4) for key in OUTCOMES},
            # of the clarifying questions, the share whose buttons include the right topic
            "right topic offered": round(sum(r[0] in r[3] for r in asked) / len(asked), 4) if asked else None,
            # of all messages: the safety question, then the right answer after the patient's "no"
            AFTER_SAFETY: round(answered_after / len(rows), 4),
            AFTER_SAFETY_WRONG: round(wrong_after / len(rows), 4),
            FIRST_TOPIC: round(first_right / len(rows), 4),
            # each intent: [messages that got the right answer, messages] (the staff console's topic pages)
            BY_INTENT: by_intent(rows),
            "misses": [
                {"intent": intent, "got": predicted, "offered": offered, "outcome": result, "text": text}
                for intent, text, predicted, offered, result in rows
                if result != "right answer"
            ],
        }
    return table


def outcome_summary(table: Dict[str, dict]) -> str:
    lines = [
        "## What patients get, through the whole pipeline",
        "",
        "Each message goes through the trained model as patients meet it (the red-flag check and "
        "the fallback included). An out-of-scope message is answered right by the menu. A "
        "clarifying question (\"Do you mean ...?\" with two or three topics) is neither right nor "
        "wrong; \"right topic offered\" says how often its buttons included the right topic. After "
        "the safety question, a patient who answers \"no\" gets the answer to what they asked; the "
        "last two columns count the messages (of all) whose safety question led to the right "
        "answer, and to another topic's answer. The last column says how often the classifier's "
        "first topic was right before any of these decided what to show.",
        "",
        "| set | messages | " + " | ".join(OUTCOMES)
        + f" | right topic offered | {AFTER_SAFETY} | {AFTER_SAFETY_WRONG} | {FIRST_TOPIC} |",
        "| --- | --- |" + " --- |" * (len(OUTCOMES) + 4),
    ]
    lines += [
        f"| {name} | {row['messages']} | " + " | ".join(f"{row[key]:.1%}" for key in OUTCOMES)
        + (f" | {row['right topic offered']:.0%}" if row["right topic offered"] is not None else " | -")
        + f" | {row[AFTER_SAFETY]:.1%} | {row[AFTER_SAFETY_WRONG]:.1%} | {row[FIRST_TOPIC]:.1%} |"
        for name, row in table.items()
    ]
    return "\n".join(lines) + "\n"


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


#: The sets of the outcome table, by name (see ``outcome_sets``).
HOLDOUT_SET = "held-out (tests/nlu_holdout.yml)"
EXTERNAL_SET = "external questions (tests/nlu_external.yml)"
OUT_OF_SCOPE_SET = "external out of scope"
DEV_OUT_OF_SCOPE_SET = "development out of scope (evaluation/)"
DEV_PATIENT_SET = "development patient questions (evaluation/)"
DEV_PATIENT_OUT_OF_SCOPE_SET = "development patient out of scope"


def by_scope(items: List[Tuple[str, str]]) -> Tuple[List[Tuple[str, str]], List[Tuple[str, str]]]:
    """A set's questions, and its out-of-scope messages."""
    return [e for e in items if e[0] != "out_of_scope"], [e for e in items if e[0] == "out_of_scope"]


def outcome_sets(development: bool = True) -> Dict[str, List[Tuple[str, str]]]:
    """The sets of the outcome table; ``development``: with the development sets."""
    sets = {HOLDOUT_SET: examples(HOLDOUT)}
    sets[EXTERNAL_SET], sets[OUT_OF_SCOPE_SET] = by_scope(examples(EXTERNAL))
    if development:
        sets[DEV_OUT_OF_SCOPE_SET] = examples(DEV_OUT_OF_SCOPE)
        sets[DEV_PATIENT_SET], sets[DEV_PATIENT_OUT_OF_SCOPE_SET] = by_scope(examples(DEV_PATIENT))
    return sets


def main(argv: List[str] = sys.argv[1:]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--outcomes-only", action="store_true",
                        help="only the outcome table (no `rasa test nlu`): writes outcomes.json")
    parser.add_argument("--no-development", action="store_true",
                        help="leave the development sets (evaluation/) out of the outcome table")
    args = parser.parse_args(argv)
    if not args.model.exists():
        print(f"No trained model at {args.model}: run `make train` first.", file=sys.stderr)
        return 1
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    args.out.mkdir(parents=True, exist_ok=True)
    if args.outcomes_only:
        table = outcome_table(outcome_sets(not args.no_development), args.model)
        (args.out / "outcomes.json").write_text(json.dumps(table, indent=2) + "\n")
        print(outcome_summary(table))
        return 0
    rasa = str(Path(sys.executable).parent / "rasa")
    result = subprocess.run(
        [rasa, "test", "nlu", "--model", str(args.model), "--nlu", str(HOLDOUT), "--out", str(args.out), "--successes"],
        cwd=ROOT, env=dict(os.environ), capture_output=True, text=True,
    )
    if result.returncode != 0:
        print(result.stdout[-2000:] + result.stderr[-2000:], file=sys.stderr)
        return result.returncode
    report = json.loads((args.out / "intent_report.json").read_text())
    table = outcome_table(outcome_sets(not args.no_development), args.model)
    (args.out / "outcomes.json").write_text(json.dumps(table, indent=2) + "\n")
    text = summary(report, patient_outcomes(args.out)) + "\n" + outcome_summary(table)
    (args.out / "summary.md").write_text(text)
    print(text)
    print(f"Written to {args.out / 'summary.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
