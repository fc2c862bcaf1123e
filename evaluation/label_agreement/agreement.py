"""How clear the test and development sets' topic labels are: two independent passes of
annotators (labels.tsv; README.md says who and how) against the labels the sets' writers gave.

    .venv/bin/python -m evaluation.label_agreement.agreement
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Dict, Tuple

from tools.evaluate import DEV_PATIENT, EXTERNAL, by_scope, examples

HERE = Path(__file__).resolve().parent
SETS = {"external": EXTERNAL, "development": DEV_PATIENT}


def load(path: Path = HERE / "labels.tsv") -> Dict[Tuple[str, int], Dict[str, Tuple[str, frozenset]]]:
    """(set, pass) -> text -> (best topic, other acceptable topics)."""
    passes: Dict[Tuple[str, int], Dict[str, Tuple[str, frozenset]]] = defaultdict(dict)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            also = frozenset() if row["also"] in ("", "-") else frozenset(t.strip() for t in row["also"].split(","))
            passes[(row["set"], int(row["pass"]))][row["text"]] = (row["best"], also)
    return passes


def table() -> str:
    passes = load()
    lines = ["| set | messages | pass 1 = writer | pass 2 = writer | writer's topic acceptable to both | passes agree |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, path in SETS.items():
        questions, out_of_scope = by_scope(examples(path))
        for scope, items in (("questions", questions), ("out of scope", out_of_scope)):
            first, second = passes[(name, 1)], passes[(name, 2)]
            missing = [t for _, t in items if t not in first or t not in second]
            if missing:
                raise SystemExit(f"labels.tsv has no label for {len(missing)} messages of {path.name}, e.g. {missing[0]!r}")
            def share(hits, items=items) -> str:
                return f"{100 * sum(hits) / len(items):.1f}%"

            lines.append(
                f"| {name} {scope} | {len(items)} | {share(first[t][0] == i for i, t in items)} | "
                f"{share(second[t][0] == i for i, t in items)} | "
                f"{share(i in {first[t][0], *first[t][1]} and i in {second[t][0], *second[t][1]} for i, t in items)} | "
                f"{share(first[t][0] == second[t][0] for _, t in items)} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
