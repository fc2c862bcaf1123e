"""Adds the skeleton of a new topic to every file it belongs in, for clinic staff.

    .venv/bin/python -m tools.new_topic ask_driving      (or: make new-topic NAME=ask_driving)

It adds, keeping each file's comments and order (round-trip YAML with ruamel.yaml):

- ``domain.yml``: the intent, and its answer ``utter_<name>`` with the three parts every
  topic answer has (facts from the guide, a care note, ``From: <section>``);
- ``data/nlu/staff_topics.yml``: the intent with 15 example lines to replace;
- ``data/rules.yml``: the rule that answers the intent, and the intent in the rule that answers
  a topic question asked during the symptom check (after which the check goes on);
- ``tests/nlu_holdout.yml``: 5 held-out lines to replace (phrasings not in the training data);
- ``tests/test_stories.yml``: a conversation test;
- ``content/topics.yml``: the topic's short title, for the "Do you mean ...?" buttons.

Every place to fill in contains ``TODO``; ``make check`` lists each one left until none is.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path
from typing import Any, List

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from footdrop.check_questions import ANSWER_DURING_CHECK, TOPIC_INTENT_PREFIX

ROOT = Path(__file__).resolve().parent.parent
MARKER = "TODO"
TRAINING_FILE = Path("data/nlu/staff_topics.yml")
TOPICS_FILE = Path("content/topics.yml")
NAME = re.compile(r"^ask_[a-z][a-z0-9_]{2,40}$")
TRAINING_EXAMPLES = 15
HOLDOUT_EXAMPLES = 5


def round_trip_yaml() -> YAML:
    """Round-trip YAML: a file loaded and written back keeps its comments, order, quotes and
    anchors (also staff/topics.py, which writes answers the console changes)."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=2, offset=0)
    yaml.representer.add_representer(type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null"))
    return yaml


def _load(path: Path) -> Any:
    return round_trip_yaml().load(path.read_text(encoding="utf-8"))


def _dump(data: Any, path: Path) -> None:
    out = io.StringIO()
    round_trip_yaml().dump(data, out)
    path.write_text(out.getvalue(), encoding="utf-8")


def _words(name: str) -> str:
    return name[len("ask_"):].replace("_", " ")


def _examples(what: str, count: int) -> LiteralScalarString:
    lines = [f"- {MARKER}: {what} {i} of {count}" for i in range(1, count + 1)]
    return LiteralScalarString("\n".join(lines) + "\n")


def _block(name: str, examples: LiteralScalarString) -> CommentedMap:
    block = CommentedMap()
    block["intent"] = name
    block["examples"] = examples
    return block


def add_to_domain(root: Path, name: str) -> None:
    path = root / "domain.yml"
    domain = _load(path)
    if name in domain["intents"]:
        raise SystemExit(f"domain.yml: intent '{name}' already exists; choose another name")
    last_topic = max(i for i, intent in enumerate(domain["intents"]) if str(intent).startswith("ask_"))
    domain["intents"].insert(last_topic + 1, name)
    answer = LiteralScalarString(
        f"{MARKER}: the answer in plain words, from the patient guide (one or more lines).\n"
        f"{MARKER}: one care note, e.g. Your doctor or physical therapist can tell you more.\n"
        f"From: {MARKER}: the guide's section, as named in content/sections.yml"
    )
    response = CommentedSeq([CommentedMap(text=answer)])
    domain["responses"][f"utter_{name}"] = response
    domain["responses"].yaml_set_comment_before_after_key(
        f"utter_{name}", before="Added by tools/new_topic.py (docs/EXTENDING.md).", indent=2
    )
    _dump(domain, path)


def add_training_examples(root: Path, name: str) -> None:
    path = root / TRAINING_FILE
    if path.exists():
        data = _load(path)
    else:
        data = round_trip_yaml().load(
            "# Topics added by clinic staff with `make new-topic` (docs/EXTENDING.md).\n"
            'version: "3.1"\nnlu: []\n'
        )
    data["nlu"].append(_block(name, _examples("a patient's question", TRAINING_EXAMPLES)))
    _dump(data, path)


def _append(path: Path, key: str, item: CommentedMap) -> None:
    """Appends an item to the file's top-level list ``key``, keeping everything else as it was."""
    data = _load(path)
    data[key].append(item)
    _dump(data, path)


def during_check_intents(rules: Any) -> CommentedSeq:
    """The `or:` list of the rule that answers a topic question during the symptom check (the
    step before its ``action_answer_topic``)."""
    for rule in rules.get("rules") or []:
        steps = rule.get("steps") or []
        for step, following in zip(steps, steps[1:]):
            if isinstance(step, dict) and "or" in step and isinstance(following, dict) \
                    and following.get("action") == ANSWER_DURING_CHECK:
                return step["or"]
    raise SystemExit(
        f"data/rules.yml: no rule answers a topic question during the symptom check (an `or:` list of intents "
        f"followed by `- action: {ANSWER_DURING_CHECK}`); restore it with `git checkout data/rules.yml`"
    )


def add_rule(root: Path, name: str) -> None:
    path = root / "data" / "rules.yml"
    data = _load(path)
    rule = CommentedMap()
    rule["rule"] = f"answer {_words(name)}"
    rule["steps"] = CommentedSeq([CommentedMap(intent=name), CommentedMap(action=f"utter_{name}")])
    data["rules"].append(rule)
    # asked during the symptom check: answered, then the check goes on (after the last topic)
    during = during_check_intents(data)
    topics = [i for i, step in enumerate(during) if str(step.get("intent", "")).startswith(TOPIC_INTENT_PREFIX)]
    during.insert(topics[-1] + 1 if topics else len(during), CommentedMap(intent=name))
    _dump(data, path)


def add_holdout(root: Path, name: str) -> None:
    block = _block(name, _examples("a phrasing that is NOT in data/", HOLDOUT_EXAMPLES))
    _append(root / "tests" / "nlu_holdout.yml", "nlu", block)


def add_story(root: Path, name: str) -> None:
    story = CommentedMap()
    story["story"] = f"a patient asks about {_words(name)}"
    question = LiteralScalarString(f"{MARKER}: a patient's question, as they would type it\n")
    story["steps"] = CommentedSeq([CommentedMap(user=question, intent=name), CommentedMap(action=f"utter_{name}")])
    _append(root / "tests" / "test_stories.yml", "stories", story)


def add_title(root: Path, name: str) -> None:
    path = root / TOPICS_FILE
    data = _load(path)
    data["titles"][name] = f"{MARKER}: a short title for its button, e.g. Driving with foot drop"
    _dump(data, path)


def new_topic(root: Path, name: str) -> List[str]:
    if not NAME.match(name):
        raise SystemExit(
            f"'{name}' is not a topic name: use ask_ and then lowercase words joined by _, e.g. ask_driving"
        )
    during_check_intents(_load(root / "data" / "rules.yml"))  # before any file changes: the rule is there
    add_to_domain(root, name)
    add_training_examples(root, name)
    add_rule(root, name)
    add_holdout(root, name)
    add_story(root, name)
    add_title(root, name)
    return [
        "domain.yml", str(TRAINING_FILE), "data/rules.yml", "tests/nlu_holdout.yml", "tests/test_stories.yml",
        str(TOPICS_FILE),
    ]


def main(argv: List[str] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the topic's intent name, e.g. ask_driving")
    parser.add_argument("--root", type=Path, default=ROOT, help="the project folder")
    args = parser.parse_args(argv)
    files = new_topic(args.root, args.name)
    print(f"Added topic '{args.name}'. Fill in every {MARKER} in:")
    for file in files:
        print(f"  {file}")
    print("Then run `make check` (it lists any TODO left), `make train` and `make test`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
