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

The same code writes a topic with real values: ``write_topic(root, Draft(...))`` with the title,
the answer's facts, care note and section(s), the phrasings, the held-out lines and the
conversation test's question. `make new-topic` writes ``Draft.skeleton(name)`` (a TODO in each
of those places); the staff console writes what staff filled in on its new topic form, after
`make check`'s checks of it (staff/new_topics.py).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from footdrop.check_questions import ANSWER_DURING_CHECK, TOPIC_INTENT_PREFIX
from footdrop.guide import SOURCE_PREFIX
from tools.check import DOMAIN, HOLDOUT, MIN_HOLDOUT_EXAMPLES, MIN_TRAINING_EXAMPLES, TEST_STORIES, TOPICS

ROOT = Path(__file__).resolve().parent.parent
MARKER = "TODO"
DOMAIN_FILE = Path(DOMAIN)
TRAINING_FILE = Path("data/nlu/staff_topics.yml")
RULES_FILE = Path("data/rules.yml")
HOLDOUT_FILE = Path(HOLDOUT)
STORIES_FILE = Path(TEST_STORIES)
TOPICS_FILE = Path(TOPICS)
NAME = re.compile(r"^ask_[a-z][a-z0-9_]{2,40}$")
#: the example lines a topic needs: as many as `make check` asks for (tools/check.py)
TRAINING_EXAMPLES = MIN_TRAINING_EXAMPLES
HOLDOUT_EXAMPLES = MIN_HOLDOUT_EXAMPLES


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


class NewTopicError(ValueError):
    """The topic cannot be added as asked (nothing was written); the message says why and what to do."""


@dataclass(frozen=True)
class Draft:
    """A new topic's content, written to the six files by ``write_topic``: the skeleton
    ``make new-topic`` writes (``Draft.skeleton``: every value a TODO for staff to fill in), or a
    topic staff filled in (the console's new topic form, staff/new_topics.py)."""

    name: str  # the intent, ask_...
    title: str  # its button's title (content/topics.yml)
    facts: str  # the answer's facts from the guide, one or more lines
    care_note: str  # the answer's care-note line
    sections: Tuple[str, ...]  # the guide's sections it is written from (content/sections.yml titles)
    phrasings: Tuple[str, ...]  # training examples (data/nlu/staff_topics.yml)
    held_out: Tuple[str, ...]  # held-out test lines (tests/nlu_holdout.yml), worded differently
    question: str  # the patient's message of its conversation test (tests/test_stories.yml)

    @classmethod
    def skeleton(cls, name: str) -> "Draft":
        """What `make new-topic` writes: a TODO in every place to fill in."""
        return cls(
            name=name,
            title=f"{MARKER}: a short title for its button, e.g. Driving with foot drop",
            facts=f"{MARKER}: the answer in plain words, from the patient guide (one or more lines).",
            care_note=f"{MARKER}: one care note, e.g. Your doctor or physical therapist can tell you more.",
            sections=(f"{MARKER}: the guide's section, as named in content/sections.yml",),
            phrasings=tuple(f"{MARKER}: a patient's question {i} of {TRAINING_EXAMPLES}"
                            for i in range(1, TRAINING_EXAMPLES + 1)),
            held_out=tuple(f"{MARKER}: a phrasing that is NOT in data/ {i} of {HOLDOUT_EXAMPLES}"
                           for i in range(1, HOLDOUT_EXAMPLES + 1)),
            question=f"{MARKER}: a patient's question, as they would type it",
        )

    @property
    def response(self) -> str:
        return f"utter_{self.name}"

    def answer(self) -> str:
        """The answer's text in its three parts: the facts, the care note, ``From: <section>``."""
        return f"{self.facts}\n{self.care_note}\n{SOURCE_PREFIX}{'; '.join(self.sections)}"


def _examples(lines: Sequence[str]) -> LiteralScalarString:
    return LiteralScalarString("".join(f"- {line}\n" for line in lines))


def _block(name: str, examples: LiteralScalarString) -> CommentedMap:
    block = CommentedMap()
    block["intent"] = name
    block["examples"] = examples
    return block


def _scalar(text: str) -> Any:
    """``text`` as ruamel.yaml writes it, unless PyYAML (which `make check` and Rasa read with)
    would read that back as something else ("yes" as true, "1.0" as a number): then in double quotes."""
    out = io.StringIO()
    round_trip_yaml().dump({"text": text}, out)
    return text if yaml.safe_load(out.getvalue()) == {"text": text} else DoubleQuotedScalarString(text)


def add_to_domain(domain: Any, draft: Draft) -> None:
    name = draft.name
    if name in domain["intents"]:
        raise NewTopicError(f"domain.yml: intent '{name}' already exists; choose another name")
    if draft.response in (domain.get("responses") or {}):
        raise NewTopicError(f"domain.yml: response '{draft.response}' already exists; choose another name")
    last_topic = max(i for i, intent in enumerate(domain["intents"]) if str(intent).startswith("ask_"))
    domain["intents"].insert(last_topic + 1, name)
    response = CommentedSeq([CommentedMap(text=LiteralScalarString(draft.answer()))])
    domain["responses"][draft.response] = response
    domain["responses"].yaml_set_comment_before_after_key(
        draft.response, before="Added by tools/new_topic.py (docs/EXTENDING.md).", indent=2
    )


def new_training_file() -> Any:
    return round_trip_yaml().load(
        "# Topics added by clinic staff with `make new-topic` (docs/EXTENDING.md).\n"
        'version: "3.1"\nnlu: []\n'
    )


def add_training_examples(data: Any, draft: Draft) -> None:
    data["nlu"].append(_block(draft.name, _examples(draft.phrasings)))


def during_check_intents(rules: Any) -> CommentedSeq:
    """The `or:` list of the rule that answers a topic question during the symptom check (the
    step before its ``action_answer_topic``)."""
    for rule in rules.get("rules") or []:
        steps = rule.get("steps") or []
        for step, following in zip(steps, steps[1:]):
            if isinstance(step, dict) and "or" in step and isinstance(following, dict) \
                    and following.get("action") == ANSWER_DURING_CHECK:
                return step["or"]
    raise NewTopicError(
        f"data/rules.yml: no rule answers a topic question during the symptom check (an `or:` list of intents "
        f"followed by `- action: {ANSWER_DURING_CHECK}`); restore it with `git checkout data/rules.yml`"
    )


def add_rule(data: Any, draft: Draft) -> None:
    name = draft.name
    rule = CommentedMap()
    rule["rule"] = f"answer {_words(name)}"
    rule["steps"] = CommentedSeq([CommentedMap(intent=name), CommentedMap(action=draft.response)])
    data["rules"].append(rule)
    # asked during the symptom check: answered, then the check goes on (after the last topic)
    during = during_check_intents(data)
    topics = [i for i, step in enumerate(during) if str(step.get("intent", "")).startswith(TOPIC_INTENT_PREFIX)]
    during.insert(topics[-1] + 1 if topics else len(during), CommentedMap(intent=name))


def add_holdout(data: Any, draft: Draft) -> None:
    data["nlu"].append(_block(draft.name, _examples(draft.held_out)))


def add_story(data: Any, draft: Draft) -> None:
    story = CommentedMap()
    story["story"] = f"a patient asks about {_words(draft.name)}"
    question = LiteralScalarString(f"{draft.question}\n")
    story["steps"] = CommentedSeq([CommentedMap(user=question, intent=draft.name), CommentedMap(action=draft.response)])
    data["stories"].append(story)


def add_title(data: Any, draft: Draft) -> None:
    data["titles"][draft.name] = _scalar(draft.title)


#: the files a new topic is written to, in the order ``write_topic`` lists them
FILES = (str(DOMAIN_FILE), str(TRAINING_FILE), str(RULES_FILE), str(HOLDOUT_FILE), str(STORIES_FILE), str(TOPICS_FILE))
_ADD: Dict[str, Callable[[Any, Draft], None]] = {
    str(DOMAIN_FILE): add_to_domain, str(TRAINING_FILE): add_training_examples, str(RULES_FILE): add_rule,
    str(HOLDOUT_FILE): add_holdout, str(STORIES_FILE): add_story, str(TOPICS_FILE): add_title,
}


def check_name(name: str) -> None:
    if not NAME.match(name):
        raise NewTopicError(
            f"'{name}' is not a topic name: use ask_ and then lowercase words joined by _, e.g. ask_driving"
        )


def write_topic(root: Path, draft: Draft) -> List[str]:
    """Adds ``draft`` to the six files (FILES) under ``root``, keeping each file's comments and
    order; the files written. Every file is changed in memory first: when one cannot be (the name
    is taken, the rule answering a topic during the symptom check is missing), NewTopicError
    is raised before any file is written. `make new-topic` writes ``Draft.skeleton``; the
    console writes what staff filled in (staff/new_topics.py), after checking it."""
    check_name(draft.name)
    changed = {}
    for relative in FILES:
        path = root / relative
        data = _load(path) if path.exists() or relative != str(TRAINING_FILE) else new_training_file()
        _ADD[relative](data, draft)
        changed[relative] = data
    for relative, data in changed.items():
        _dump(data, root / relative)
    return list(FILES)


def new_topic(root: Path, name: str) -> List[str]:
    """`make new-topic NAME=...`: the skeleton (TODO in every place to fill in); SystemExit with
    the reason, nothing written, when it cannot."""
    try:
        return write_topic(root, Draft.skeleton(name))
    except NewTopicError as error:
        raise SystemExit(str(error)) from None


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
