"""The red-flag evaluation: does each emergency sign get the emergency message, and do harmless
messages stay quiet? Run on the trained model, as patients meet it.

    .venv/bin/python -m tools.evaluate_red_flags [--parts dev test]     (make evaluate runs it)

Every message of ``tests/red_flags/<part>.yml`` goes through the assistant's whole NLU pipeline
(the trained model in models/, the red-flag component last). A message counts as:

- **emergency**: the intent is ``emergency`` (the emergency message at once);
- **ask**: the intent is ``red_flag_check`` (the safety question: is it happening now?);
- **none**: anything else.

An emergency is *found* when it gets the emergency message or the safety question; a harmless
message is a *false alarm* when it gets the emergency message (the safety question on a
harmless message is counted apart). The ordinary questions of ``tests/nlu_holdout.yml`` (every
intent but ``emergency`` and ``red_flag_check``) are counted the same way. Writes
``reports/red_flags/summary.md`` (with every miss and false alarm) and ``results.json``;
with ``--check``, exits 1 when a part falls below its floors (``FLOORS``: the level measured,
which ``make test`` guards; the issue's ``TARGETS`` are reported beside it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from tools.evaluate import pipeline_intents

ROOT = Path(__file__).resolve().parent.parent

MODEL = ROOT / "models" / "footdrop.tar.gz"
SETS = ROOT / "tests" / "red_flags"
HOLDOUT = ROOT / "tests" / "nlu_holdout.yml"
OUT = ROOT / "reports" / "red_flags"

#: The issue's targets (#14): (least share of each sign's messages found, most false alarms).
TARGETS = {"test": (0.98, 0.03), "dev": (1.0, 0.02)}
#: What the test part must not fall below (make test): the issue's targets, met by the sixth test
#: part on 2026-12-04 (100% found, every sign 10 of 10, 0.5% false alarms): (least share of all
#: emergencies found, least share of each sign's messages found, most false alarms).
FLOORS = {"test": (0.98, 0.98, 0.03)}
LEVELS = {"emergency": "emergency", "red_flag_check": "ask"}


def load_set(part: str) -> Tuple[List[dict], List[dict]]:
    data = yaml.safe_load((SETS / f"{part}.yml").read_text(encoding="utf-8"))
    return data["emergencies"], data["harmless"]


def holdout_ordinary() -> List[Tuple[str, str]]:
    data = yaml.safe_load(HOLDOUT.read_text(encoding="utf-8"))
    return [
        (block["intent"], line.strip()[2:])
        for block in data["nlu"]
        if block.get("intent") not in ("emergency", "red_flag_check")
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    ]


async def levels(model: Path, texts: List[str]) -> List[str]:
    """The level each text gets from the trained model's whole NLU pipeline."""
    return [LEVELS.get(intent, "none") for intent in await pipeline_intents(model, texts)]


def score_part(part: str, emergencies: List[dict], harmless: List[dict], got: List[str]) -> dict:
    e_levels, h_levels = got[: len(emergencies)], got[len(emergencies):]
    per_sign: Dict[str, Counter] = defaultdict(Counter)
    for item, level in zip(emergencies, e_levels):
        per_sign[item["sign"]][level] += 1
    per_category: Dict[str, Counter] = defaultdict(Counter)
    for item, level in zip(harmless, h_levels):
        per_category[item["category"]][level] += 1
    found = sum(level != "none" for level in e_levels)
    false_alarms = sum(level == "emergency" for level in h_levels)
    recall_target, alarm_target = TARGETS[part]
    signs = {
        sign: {
            "messages": sum(c.values()),
            "emergency": c["emergency"],
            "ask": c["ask"],
            "found": (c["emergency"] + c["ask"]) / sum(c.values()),
        }
        for sign, c in sorted(per_sign.items())
    }
    return {
        "part": part,
        "emergencies": len(emergencies),
        "harmless": len(harmless),
        "found": found / len(emergencies),
        "emergency_at_once": sum(level == "emergency" for level in e_levels) / len(emergencies),
        "false_alarms": false_alarms / len(harmless),
        "safety_question_on_harmless": sum(level == "ask" for level in h_levels) / len(harmless),
        "signs": signs,
        "harmless_by_category": {k: dict(v) for k, v in sorted(per_category.items())},
        "misses": [dict(item) for item, level in zip(emergencies, e_levels) if level == "none"],
        "false_alarm_messages": [dict(item) for item, level in zip(harmless, h_levels) if level == "emergency"],
        "questions_on_harmless": [dict(item) for item, level in zip(harmless, h_levels) if level == "ask"],
        "targets": {"found_per_sign": recall_target, "false_alarms": alarm_target},
        "meets_targets": all(s["found"] >= recall_target for s in signs.values()) and false_alarms / len(harmless) <= alarm_target,
        "meets_floors": part not in FLOORS or (
            found / len(emergencies) >= FLOORS[part][0]
            and all(s["found"] >= FLOORS[part][1] for s in signs.values())
            and false_alarms / len(harmless) <= FLOORS[part][2]
        ),
    }


def markdown(results: List[dict], ordinary: dict) -> str:
    lines = ["# Emergency signs: how often each is found", ""]
    for r in results:
        t = r["targets"]
        lines += [
            f"## {r['part']} part ({r['emergencies']} emergencies, {r['harmless']} harmless messages)",
            "",
            f"- Emergencies found: **{r['found']:.1%}** (emergency message at once {r['emergency_at_once']:.1%}, "
            f"the rest the safety question). Target: every sign at least {t['found_per_sign']:.0%}.",
            f"- False alarms (emergency message on a harmless message): **{r['false_alarms']:.1%}**. "
            f"Target: at most {t['false_alarms']:.0%}.",
            f"- Safety question on a harmless message: {r['safety_question_on_harmless']:.1%}.",
            f"- Targets met: **{'yes' if r['meets_targets'] else 'NO'}**."
            + (f" Floors that make test guards: {'met' if r['meets_floors'] else 'NOT MET'}." if r["part"] in FLOORS else ""),
            "",
            "| sign | messages | emergency | safety question | found |",
            "| --- | --- | --- | --- | --- |",
        ]
        lines += [f"| {s} | {v['messages']} | {v['emergency']} | {v['ask']} | {v['found']:.0%} |" for s, v in r["signs"].items()]
        lines += ["", "| harmless kind | none | safety question | emergency |", "| --- | --- | --- | --- |"]
        lines += [f"| {k} | {v.get('none', 0)} | {v.get('ask', 0)} | {v.get('emergency', 0)} |"
                  for k, v in r["harmless_by_category"].items()]
        lines += ["", "Missed emergencies:" if r["misses"] else "Missed emergencies: none."]
        lines += [f"- [{m['sign']}] {m['text']}" for m in r["misses"]]
        lines += ["", "False alarms:" if r["false_alarm_messages"] else "False alarms: none."]
        lines += [f"- [{m['category']}] {m['text']}" for m in r["false_alarm_messages"]]
        lines += [""]
    lines += [
        "## Ordinary questions (tests/nlu_holdout.yml)",
        "",
        f"{ordinary['messages']} held-out phrasings of every other intent: emergency message "
        f"{ordinary['emergency']:.1%}, safety question {ordinary['ask']:.1%}.",
        "",
    ]
    lines += [f"- [{level}] ({intent}) {text}" for level, intent, text in ordinary["flagged"]]
    return "\n".join(lines) + "\n"


def main(argv: List[str] = sys.argv[1:]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", default=["dev", "test"], choices=sorted(TARGETS))
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="exit 1 when a part falls below its floors")
    args = parser.parse_args(argv)
    if not args.model.exists():
        print(f"No trained model at {args.model}: run `make train` first.", file=sys.stderr)
        return 1
    os.environ["RASA_TELEMETRY_ENABLED"] = "false"
    logging.getLogger().setLevel(logging.WARNING)
    sets = {part: load_set(part) for part in args.parts}
    ordinary_items = holdout_ordinary()
    texts = [m["text"] for part in args.parts for group in sets[part] for m in group]
    texts += [text for _, text in ordinary_items]
    got = asyncio.run(levels(args.model, texts))
    results, start = [], 0
    for part in args.parts:
        emergencies, harmless = sets[part]
        size = len(emergencies) + len(harmless)
        results.append(score_part(part, emergencies, harmless, got[start:start + size]))
        start += size
    ordinary_levels = got[start:]
    ordinary = {
        "messages": len(ordinary_items),
        "emergency": ordinary_levels.count("emergency") / len(ordinary_items),
        "ask": ordinary_levels.count("ask") / len(ordinary_items),
        "flagged": [(lvl, intent, text) for (intent, text), lvl in zip(ordinary_items, ordinary_levels) if lvl != "none"],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps({"parts": results, "ordinary": ordinary}, indent=2) + "\n")
    text = markdown(results, ordinary)
    (args.out / "summary.md").write_text(text)
    print(text)
    print(f"Written to {args.out / 'summary.md'}")
    return 1 if args.check and not all(r["meets_floors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
