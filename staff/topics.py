"""The topics the assistant answers, as the console shows and changes them (no web code here).

A topic is an intent named ``ask_...`` (footdrop.check_questions.TOPIC_INTENT_PREFIX) with:

- its title (content/topics.yml), the words on its "Do you mean ...?" button;
- its answer, the response ``utter_<intent>`` in domain.yml, in three parts (footdrop.guide's
  ``split_answer``): the facts, one care-note line, and ``From: <section>``;
- its phrasings: the training examples in whichever data/ file holds them;
- its held-out lines (tests/nlu_holdout.yml): phrasings kept out of training to test it.

``check_answer`` runs `make check`'s own checks of one answer (tools/check.py's
``response_problems``) on a draft, so staff see exactly what `make check` would say before
anything is written; ``set_answer`` writes a new text into domain.yml keeping its comments,
order and anchors (round-trip YAML, as tools/new_topic.py writes it).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ruamel.yaml.scalarstring import LiteralScalarString, ScalarString

from footdrop.check_questions import TOPIC_INTENT_PREFIX
from footdrop.guide import Answer, split_answer
from tools.check import DATA_DIR, DOMAIN, HOLDOUT, SECTIONS, SYMPTOM_CHECK, TEST_STORIES, TOPICS, Project, \
    load_project, response_problems
from tools.new_topic import round_trip_yaml

#: a change to an answer is written to this file only
ANSWER_FILE = DOMAIN


class TopicError(ValueError):
    """A topic or answer that cannot be read or written as asked; the message says why."""


@dataclass(frozen=True)
class TopicSummary:
    intent: str
    title: str
    phrasings: int
    held_out: int


@dataclass(frozen=True)
class Topic:
    intent: str
    title: str
    response: str
    text: str
    parts: Optional[Answer]  # None when the answer lacks its three parts (check_answer says which)
    phrasings: List[Tuple[str, str]]  # (data file, example)
    held_out: List[str]


def response_of(intent: str) -> str:
    """The response that answers a topic intent."""
    return f"utter_{intent}"


def load(project: Path) -> Project:
    """The project's files, parsed as `make check` parses them; TopicError when one cannot be read."""
    parsed, problems = load_project(project)
    if problems:
        raise TopicError("The assistant's files cannot be read right now: " + " ".join(problems))
    return parsed


_last: Dict[Path, Tuple[tuple, Project]] = {}


def _load_unless_unchanged(project: Path) -> Project:
    """load(project), parsed again only when a file it reads changed (size or time): the live
    check runs this as staff type. For checks only: what is written is decided on a fresh load."""
    files = [project / name for name in (DOMAIN, HOLDOUT, TEST_STORIES, SECTIONS, TOPICS, SYMPTOM_CHECK)]
    files += sorted((project / DATA_DIR).rglob("*.yml"))
    stamp = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) if f.exists() else (str(f),) for f in files)
    if project in _last and _last[project][0] == stamp:
        return _last[project][1]
    parsed = load(project)
    _last[project] = (stamp, parsed)
    return parsed


def topic_intents(parsed: Project) -> List[str]:
    return [intent for intent in parsed.intents if intent.startswith(TOPIC_INTENT_PREFIX)]


def topic_responses(parsed: Project) -> Dict[str, str]:
    """Response name -> topic intent, for every topic's answer."""
    return {response_of(intent): intent for intent in topic_intents(parsed)}


def title_of(parsed: Project, intent: str) -> str:
    titles = parsed.topics.get("titles") or {}
    return str(titles.get(intent) or intent[len(TOPIC_INTENT_PREFIX):].replace("_", " ")).strip()


def list_topics(project: Path) -> List[TopicSummary]:
    """Every topic in domain.yml's order, with its number of phrasings and held-out lines."""
    parsed = load(project)
    training, holdout = parsed.training_examples(), parsed.holdout_examples()
    return [TopicSummary(intent, title_of(parsed, intent), len(training.get(intent, [])), len(holdout.get(intent, [])))
            for intent in topic_intents(parsed)]


def answer_text(parsed: Project, response: str) -> str:
    """The (first) text of a response; TopicError when there is no such response."""
    variations = parsed.responses.get(response)
    if not isinstance(variations, list) or not variations or not isinstance(variations[0], dict):
        raise TopicError(f"There is no answer called '{response}'.")
    return str(variations[0].get("text") or "")


def get_topic(project: Path, intent: str) -> Topic:
    """One topic with its answer, phrasings and held-out lines; TopicError when it is not a topic."""
    parsed = load(project)
    if intent not in topic_intents(parsed):
        raise TopicError(f"There is no topic called '{intent}'.")
    text = answer_text(parsed, response_of(intent))
    return Topic(intent, title_of(parsed, intent), response_of(intent), text, split_answer(text),
                 list(parsed.training_examples().get(intent, [])), list(parsed.holdout_examples().get(intent, [])))


def phrasing_files(project: Path, intent: str) -> List[str]:
    """The data/ files that hold a topic's phrasings (where a new phrasing of it belongs)."""
    return sorted({path for path, _ in load(project).training_examples().get(intent, [])})


def normalise(text: str) -> str:
    """An answer as it is stored: one line per part, no blank lines (a channel would split the
    message at one), no spaces at either end of a line, '\\n' line ends whatever the browser sent."""
    return "\n".join(line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
                     if line.strip())


def check_answer(project: Path, response: str, text: str) -> List[str]:
    """What `make check` would say about `response` with `text` as its answer (tools/check.py's
    own checks of one response); an empty list when it would pass. Messages speak of "This
    answer" instead of domain.yml's response name."""
    parsed = _load_unless_unchanged(project)
    answer_text(parsed, response)  # it exists
    own = f"{DOMAIN}: response '{response}'"
    return [problem.replace(own, "This answer", 1) for problem in response_problems(parsed, response, normalise(text))]


# ------------------------------------------------------------------------------ writing


def with_answer(domain_text: str, response: str, text: str) -> str:
    """domain.yml's text with `text` as the (first) text of `response`; the rest as it was."""
    yaml = round_trip_yaml()  # keeps comments, order, quotes and anchors
    domain = yaml.load(domain_text)
    variations = (domain.get("responses") or {}).get(response)
    if not variations or "text" not in variations[0]:
        raise TopicError(f"There is no answer called '{response}'.")
    old = variations[0]["text"]
    text = normalise(text)
    if "\n" in text or isinstance(old, LiteralScalarString):
        variations[0]["text"] = LiteralScalarString(text)
    elif isinstance(old, ScalarString):
        variations[0]["text"] = type(old)(text)  # e.g. keeps its double quotes
    else:
        variations[0]["text"] = text
    out = io.StringIO()
    yaml.dump(domain, out)
    return out.getvalue()


def set_answer(project: Path, response: str, text: str) -> List[str]:
    """Writes `text` as the answer `response` in domain.yml; the files written (for History.commit).
    The caller holds History.lock() and has checked the text (check_answer)."""
    path = project / ANSWER_FILE
    path.write_text(with_answer(path.read_text(encoding="utf-8"), response, text), encoding="utf-8")
    return [ANSWER_FILE]

