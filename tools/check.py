"""The project's own consistency checks, for clinic staff who edit the answers and examples.

    .venv/bin/python -m tools.check [--root DIR]      # or: make check

Each problem is printed on one line that names the file, the intent / response / field at
fault, and what to do about it, e.g.

    domain.yml: intent 'ask_driving' has no response 'utter_ask_driving' — add one under responses:

All problems are listed (not just the first); the exit status is 1 if there are any, else 0.
The rules are the ones tests/unit/test_content.py and tests/unit/test_nlu_holdout.py enforce, checked
here in seconds without training a model or starting the assistant; and domain.yml's side of the
symptom check is compared with content/symptom_check.yml, the one list of its questions, and the
rule that answers a topic question during the check with the topic intents.

Each ``check_*`` function takes a :class:`Project` (the parsed files) and returns a list of
messages; an empty list means that check passed.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Set, Tuple

import textstat
import yaml

from footdrop.check_questions import ANSWER_DURING_CHECK, Question, QuestionsError, is_topic_intent, parse_questions
from footdrop.claims import Claim, named_claims, unsupported_claims
from footdrop.clinic import ClinicConfigError, load_clinic
from footdrop.guide import SOURCE_PREFIX, readable_text, split_answer, split_sections

REPO = Path(__file__).resolve().parent.parent

# The sets and limits the project holds itself to; tests/unit/test_content.py and
# tests/unit/test_nlu_holdout.py use them too.
CONVERSATION_INTENTS = {
    "greet", "goodbye", "thank", "affirm", "deny", "bot_capabilities", "bot_identity", "out_of_scope",
}
# Handled by the symptom check's custom actions (actions/), not by one response each.
SYMPTOM_CHECK_INTENTS = {
    "check_symptoms", "describe_symptoms", "inform", "stop", "why_ask", "emergency", "red_flag_check",
}
MAX_GRADE = 8.0
MIN_TRAINING_EXAMPLES = 15
MIN_HOLDOUT_EXAMPLES = 5
CARE_NOTE = re.compile(r"doctor|physical therapist|emergency", re.I)

DOMAIN = "domain.yml"
HOLDOUT = "tests/nlu_holdout.yml"
TEST_STORIES = "tests/test_stories.yml"
SECTIONS = "content/sections.yml"
TOPICS = "content/topics.yml"
#: the symptom check's questions: the one list of them (footdrop/check_questions.py)
SYMPTOM_CHECK = "content/symptom_check.yml"
FORM = "symptom_form"
#: longest title on a "Do you mean ...?" button (content/topics.yml)
MAX_TITLE = 40
CLINIC = "clinic.yml"
# data/nlu.yml, data/nlu/*.yml, data/rules.yml, data/stories.yml: every YAML file in data/.
DATA_DIR = "data"


@dataclass
class Project:
    """The parsed project files; paths are relative to ``root`` and written with '/'."""

    root: Path
    domain: Dict[str, Any] = field(default_factory=dict)
    data: Dict[str, Any] = field(default_factory=dict)  # every data/**/*.yml file
    holdout: Dict[str, Any] = field(default_factory=dict)
    test_stories: Dict[str, Any] = field(default_factory=dict)
    sections: Dict[str, Any] = field(default_factory=dict)
    topics: Dict[str, Any] = field(default_factory=dict)
    symptom_check: Dict[str, Any] = field(default_factory=dict)

    # ---------------------------------------------------------------- intents
    @property
    def intents(self) -> List[str]:
        names = []
        for entry in self.domain.get("intents") or []:
            if isinstance(entry, dict):  # `- name: {use_entities: ...}`
                names.extend(str(k) for k in entry)
            else:
                names.append(str(entry))
        return names

    @property
    def topic_intents(self) -> List[str]:
        return [i for i in self.intents if i not in CONVERSATION_INTENTS | SYMPTOM_CHECK_INTENTS]

    @property
    def responses(self) -> Dict[str, Any]:
        return self.domain.get("responses") or {}

    # ---------------------------------------------------------------- NLU examples
    def training_examples(self) -> Dict[str, List[Tuple[str, str]]]:
        """Intent -> [(file, example)] over every NLU file in data/."""
        merged: Dict[str, List[Tuple[str, str]]] = {}
        for path, content in self.data.items():
            for intent, examples in examples_by_intent(content).items():
                merged.setdefault(intent, []).extend((path, e) for e in examples)
        return merged

    def holdout_examples(self) -> Dict[str, List[str]]:
        return examples_by_intent(self.holdout)

    # ---------------------------------------------------------------- rules and stories
    def handlers(self) -> Dict[str, List[Tuple[str, str]]]:
        """Intent -> [(file, action)]: the action that follows the intent in a rule or story in data/."""
        mapping: Dict[str, List[Tuple[str, str]]] = {}
        for path, content in self.data.items():
            for steps in story_steps(content):
                for step, following in zip(steps, steps[1:]):
                    if isinstance(following, dict) and "action" in following:
                        for intent in step_intents(step):
                            mapping.setdefault(intent, []).append((path, str(following["action"])))
        return mapping

    def tested_intents(self) -> set:
        """Intents that a user turn of a conversation test in tests/test_stories.yml is labelled with."""
        return {i for steps in story_steps(self.test_stories) for step in steps for i in step_intents(step)}


def examples_by_intent(content: Any) -> Dict[str, List[str]]:
    """Intent -> examples of one NLU file (``- intent: NAME`` / ``examples: |`` / ``- text`` lines)."""
    result: Dict[str, List[str]] = {}
    if not isinstance(content, dict):
        return result
    for block in content.get("nlu") or []:
        if isinstance(block, dict) and "intent" in block:
            text = block.get("examples") if isinstance(block.get("examples"), str) else ""
            examples = [re.sub(r"^\s*-\s*", "", line).strip() for line in text.splitlines()]
            result.setdefault(str(block["intent"]), []).extend(e for e in examples if e)
    return result


def story_steps(content: Any) -> Iterable[list]:
    if not isinstance(content, dict):
        return
    for key in ("rules", "stories"):
        for item in content.get(key) or []:
            if isinstance(item, dict) and isinstance(item.get("steps"), list):
                yield item["steps"]


def step_intents(step: Any) -> List[str]:
    if not isinstance(step, dict):
        return []
    if "intent" in step:
        return [str(step["intent"])]
    return [str(s["intent"]) for s in step.get("or") or [] if isinstance(s, dict) and "intent" in s]


def normalize(text: str) -> str:
    return " ".join(text.lower().split())


def _files(paths: Iterable[str]) -> str:
    return " and ".join(sorted(set(paths)))


# ======================================================================== loading (YAML that parses)

def read_yaml(root: Path, relative: str, problems: List[str], required: bool = True) -> Any:
    """The parsed file, or None with a message in ``problems`` if it is missing or not valid YAML."""
    path = root / relative
    if not path.exists():
        if required:
            problems.append(f"{relative}: the file is missing — restore it with `git checkout {relative}`")
        return None
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = f" on line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "it cannot be read"
        problems.append(
            f"{relative}: not valid YAML{where} ({problem}) — check the indentation of that line and the "
            f"lines just above it (same number of spaces as its neighbours, no tabs), and put text "
            f"containing ':' or '#' in quotes"
        )
        return None
    except UnicodeDecodeError:
        problems.append(f"{relative}: not UTF-8 text — save it as UTF-8")
        return None


def load_project(root: Path) -> Tuple[Project, List[str]]:
    """The parsed files and the messages for files that are missing or do not parse."""
    problems: List[str] = []
    project = Project(root=root)
    project.domain = _mapping(read_yaml(root, DOMAIN, problems))
    data_files = sorted(p.relative_to(root).as_posix() for p in (root / DATA_DIR).rglob("*.yml"))
    if not data_files:
        problems.append(f"{DATA_DIR}/: no .yml files found — restore them with `git checkout {DATA_DIR}`")
    for relative in data_files:
        project.data[relative] = _mapping(read_yaml(root, relative, problems))
    project.holdout = _mapping(read_yaml(root, HOLDOUT, problems))
    project.test_stories = _mapping(read_yaml(root, TEST_STORIES, problems))
    project.sections = _mapping(read_yaml(root, SECTIONS, problems))
    project.topics = _mapping(read_yaml(root, TOPICS, problems))
    project.symptom_check = _mapping(read_yaml(root, SYMPTOM_CHECK, problems))
    return project, problems


def _mapping(content: Any) -> Dict[str, Any]:
    return content if isinstance(content, dict) else {}


# ======================================================================== the checks

def check_responses(project: Project) -> List[str]:
    """Every topic intent has a response ``utter_<intent>`` in domain.yml."""
    return [
        f"{DOMAIN}: intent '{intent}' has no response 'utter_{intent}' — add one under responses:"
        for intent in project.topic_intents
        if f"utter_{intent}" not in project.responses
    ]


def check_handled(project: Project) -> List[str]:
    """Every intent is followed by an action in a rule or story in data/; a topic intent by its answer."""
    problems = []
    handlers = project.handlers()
    topics = set(project.topic_intents)
    for intent in project.intents:
        actions = {action for _, action in handlers.get(intent, [])}
        if not actions:
            problems.append(
                f"data/rules.yml: no rule or story in {DATA_DIR}/ handles intent '{intent}' — add a rule "
                f"with the steps `- intent: {intent}` then `- action: utter_{intent}` (or the action that answers it)"
            )
        elif intent in topics and f"utter_{intent}" not in actions:
            problems.append(
                f"data/rules.yml: no rule or story answers intent '{intent}' with 'utter_{intent}' — add a rule "
                f"with the steps `- intent: {intent}` then `- action: utter_{intent}`"
            )
    return problems


def section_titles(project: Project) -> List[str]:
    return [
        str(s["title"]) for s in project.sections.get("sections") or [] if isinstance(s, dict) and "title" in s
    ]


def check_sections(project: Project) -> List[str]:
    """content/sections.yml: each section's `starts` text is in the guide (as footdrop.guide.load_sections needs).

    (load_sections itself reads the guide from this checkout, not from --root, so the same test is made here.)
    """
    spec = project.sections
    if not spec:
        return []
    document_name = spec.get("document")
    if not document_name or not (project.root / str(document_name)).is_file():
        return [f"{SECTIONS}: 'document' must name the guide's text file (content/foot-drop.txt), not {document_name!r}"]
    document = (project.root / str(document_name)).read_text(encoding="utf-8")
    problems = []
    for section in spec.get("sections") or []:
        if not isinstance(section, dict) or "title" not in section:
            problems.append(f"{SECTIONS}: every section needs a 'title:' and a 'starts:' line")
        elif str(section.get("starts") or "") not in document or not section.get("starts"):
            problems.append(
                f"{SECTIONS}: section '{section['title']}' starts with text that is not in {document_name}: "
                f"{section.get('starts')!r} — copy the section's first words exactly from the guide"
            )
    return problems


def check_answers(project: Project) -> List[str]:
    """Every topic answer ends with a care-note line, then `From: <section>` naming known sections."""
    titles = set(section_titles(project))
    return [problem for name, text in topic_answer_texts(project) for problem in answer_problems(name, text, titles)]


def topic_answer_texts(project: Project) -> Iterator[Tuple[str, str]]:
    """(response name, its first text) of every topic answer that has one (check_responses
    reports those that do not)."""
    for intent in project.topic_intents:
        name = f"utter_{intent}"
        text = _first_text(project.responses.get(name))
        if text is not None:
            yield name, text


def answer_problems(name: str, text: str, titles: Set[str]) -> List[str]:
    """The problems of one topic answer `text` (response `name`) given the guide's section `titles`."""
    problems = []
    answer = split_answer(text)
    if answer is None:
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        if lines and not lines[-1].startswith(SOURCE_PREFIX):
            problems.append(
                f"{DOMAIN}: response '{name}' has no last line '{SOURCE_PREFIX}<section>' — add one naming the "
                f"guide section(s) in {SECTIONS} the answer is written from"
            )
        else:
            problems.append(
                f"{DOMAIN}: response '{name}' needs the facts, then a care-note line, then the "
                f"'{SOURCE_PREFIX}<section>' line — add the missing lines (no blank lines in between)"
            )
        return problems
    if not answer.sources:
        problems.append(f"{DOMAIN}: response '{name}' has an empty '{SOURCE_PREFIX}' line — name the guide's section(s) it comes from")
    for source in answer.sources:
        if source not in titles:
            problems.append(
                f"{DOMAIN}: response '{name}' cites section '{source}', which is not in {SECTIONS} — "
                f"use one of: {'; '.join(sorted(titles))}"
            )
    if not CARE_NOTE.search(answer.care_note):
        problems.append(
            f"{DOMAIN}: response '{name}' has no care note: the line before '{SOURCE_PREFIX}...' should say to see "
            f"a doctor or physical therapist, or to get emergency care (it says {answer.care_note!r})"
        )
    return problems


def section_texts(project: Project) -> Dict[str, str]:
    """Section title -> its text in the guide (content/sections.yml, the guide it names), or {} when
    they cannot be read (check_sections says why)."""
    spec = project.sections
    path = project.root / str(spec.get("document") or "")
    if not spec.get("document") or not path.is_file():
        return {}
    try:
        return split_sections(spec, path.read_text(encoding="utf-8"), SECTIONS)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return {}


#: what each type of claim is, in plain words (footdrop/claims.py CLAIM_TYPES)
CLAIM_KINDS = {
    "anatomy": "a part of the body", "cause": "a cause", "symptom": "a symptom", "treatment": "a treatment",
    "device": "a device",
}


def check_claims(project: Project) -> List[str]:
    """Every cause, symptom, treatment, device or part of the body a topic answer names is named in
    a guide section its `From:` line cites (the words come from content/terminology.yml)."""
    sections = section_texts(project)
    return [problem for name, text in topic_answer_texts(project) for problem in claim_problems(name, text, sections)]


def claim_problems(name: str, text: str, sections: Dict[str, str]) -> List[str]:
    """One problem per term the topic answer `text` (response `name`) names and the guide sections
    it cites do not; `sections` is section title -> text (section_texts). Nothing when the answer
    lacks its parts or cites a section that does not exist: answer_problems names that first."""
    answer = split_answer(text)
    if answer is None or not answer.sources or any(source not in sections for source in answer.sources):
        return []
    cited = "; ".join(answer.sources)
    its = f"the section it cites ({cited}) does not" if len(answer.sources) == 1 else f"the sections it cites ({cited}) do not"
    problems = []
    for claim, words in unsupported_claims(answer.body, [sections[s] for s in answer.sources]).items():
        named = _and([f"'{w}'" for w in words])
        titles, said = _named_in(claim, sections, words)
        fix = (
            f"add the section that says it to the '{SOURCE_PREFIX}' line (the guide says '{said}' in {_and(titles)}), "
            f"or take it out of the answer"
            if titles else "no section of the guide names it, so take it out of the answer"
        )
        problems.append(
            f"{DOMAIN}: response '{name}' names {named} ({CLAIM_KINDS.get(claim.kind, claim.kind)}), but {its} — "
            f"an answer may only say what those sections say: {fix}"
        )
    return problems


def _named_in(claim: Claim, sections: Dict[str, str], words: List[str]) -> Tuple[List[str], str]:
    """The titles of the sections that name `claim`, and the words the guide names it by: the answer's
    `words` where a section uses them too, else the first section's first words for it."""
    titles, said = [], []
    for title, section in sections.items():
        here = [w for found, w in named_claims(section) if found == claim]
        if here:
            titles.append(title)
            said.extend(here)
    same = [w for w in said if w.lower() in {word.lower() for word in words}]
    return titles, (same or said or [""])[0]


def _and(items: List[str]) -> str:
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def check_examples(project: Project) -> List[str]:
    """Every intent has >= 15 training examples, >= 5 held-out examples, and a conversation test."""
    problems = []
    training, holdout, tested = project.training_examples(), project.holdout_examples(), project.tested_intents()
    for intent in project.intents:
        found = training.get(intent, [])
        if not found:
            problems.append(
                f"{DATA_DIR}/: intent '{intent}' has no training examples — add a block `- intent: {intent}` "
                f"with at least {MIN_TRAINING_EXAMPLES} examples to a file in data/nlu/"
            )
        elif len(found) < MIN_TRAINING_EXAMPLES:
            problems.append(
                f"{_files(p for p, _ in found)}: intent '{intent}' has {len(found)} training examples — "
                f"add {MIN_TRAINING_EXAMPLES - len(found)} more (at least {MIN_TRAINING_EXAMPLES})"
            )
        count = len(holdout.get(intent, []))
        if count < MIN_HOLDOUT_EXAMPLES:
            problems.append(
                f"{HOLDOUT}: intent '{intent}' has {count} held-out examples — add "
                f"{MIN_HOLDOUT_EXAMPLES - count} more under `- intent: {intent}` (at least {MIN_HOLDOUT_EXAMPLES}, "
                f"worded differently from the training examples)"
            )
        if intent not in tested:
            problems.append(
                f"{TEST_STORIES}: intent '{intent}' is in no conversation test — add a story with a user "
                f"message labelled `intent: {intent}` and the reply it should get"
            )
    return problems


def check_duplicates(project: Project) -> List[str]:
    """No example under two intents (training data; held-out set), no held-out example in the training data."""
    problems = []
    owners: Dict[str, Dict[str, set]] = {}  # example -> intent -> files
    for intent, examples in project.training_examples().items():
        for path, example in examples:
            owners.setdefault(normalize(example), {}).setdefault(intent, set()).add(path)
    for example, intents in owners.items():
        if len(intents) > 1:
            names = " and ".join(f"'{i}'" for i in sorted(intents))
            problems.append(
                f"{_files(p for paths in intents.values() for p in paths)}: example '{example}' is under intents "
                f"{names} — keep it under one intent only"
            )
    held: Dict[str, set] = {}
    for intent, examples in project.holdout_examples().items():
        for example in examples:
            key = normalize(example)
            held.setdefault(key, set()).add(intent)
            if key in owners:
                where = _files(p for paths in owners[key].values() for p in paths)
                problems.append(
                    f"{HOLDOUT}: held-out example '{example}' (intent '{intent}') is also a training example in "
                    f"{where} — reword it here or remove it from one of the files"
                )
    for example, intents in held.items():
        if len(intents) > 1:
            names = " and ".join(f"'{i}'" for i in sorted(intents))
            problems.append(f"{HOLDOUT}: held-out example '{example}' is under intents {names} — keep it under one intent only")
    return problems


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade as tests/unit/test_content.py computes it: body and care note, bullets as sentences."""
    answer = split_answer(text)
    return textstat.flesch_kincaid_grade(readable_text(f"{answer.body}\n{answer.care_note}" if answer else text))


def check_reading_level(project: Project) -> List[str]:
    """Every response text reads at Flesch-Kincaid grade 8.0 or below."""
    problems = []
    for name, variations in project.responses.items():
        for number, variation in enumerate(variations if isinstance(variations, list) else []):
            text = variation.get("text") if isinstance(variation, dict) else None
            if isinstance(text, str):
                problems.extend(reading_problems(name, text, number))
    return problems


def reading_problems(name: str, text: str, number: int = 0) -> List[str]:
    """The reading-level problem of one text of response `name` (its variation `number`), if any."""
    if not text.strip():
        return []
    grade = reading_grade(text)
    if grade <= MAX_GRADE:
        return []
    which = f" (variation {number + 1})" if number else ""
    return [
        f"{DOMAIN}: response '{name}'{which} reads at grade {grade} (Flesch-Kincaid), above "
        f"{MAX_GRADE} — use shorter sentences and simpler, shorter words"
    ]


def check_clinic(project: Project) -> List[str]:
    """clinic.yml is valid (footdrop.clinic.load_clinic); its message names the field and the fix."""
    try:
        load_clinic(project.root / CLINIC)
    except ClinicConfigError as error:
        return [str(error)]
    return []


def _first_text(variations: Any) -> Optional[str]:
    if isinstance(variations, list) and variations and isinstance(variations[0], dict):
        text = variations[0].get("text")
        return text if isinstance(text, str) else None
    return None


def check_todo(project: Project) -> List[str]:
    """Places `make new-topic` marked with TODO that are still to be filled in."""
    problems = []
    for relative in [DOMAIN, *project.data, HOLDOUT, TEST_STORIES, TOPICS]:
        path = project.root / relative
        if path.exists():
            problems.extend(todo_problems(relative, path.read_text(encoding="utf-8")))
    return problems


def todo_problems(where: str, text: str) -> List[str]:
    """The lines of `text` (a file, or one answer: `where` names it) that still say TODO."""
    return [
        f"{where}: line {number} still says TODO — replace it as docs/EXTENDING.md shows: {line.strip()[:80]}"
        for number, line in enumerate(text.splitlines(), start=1)
        if "TODO" in line and not line.lstrip().startswith("#")
    ]


def response_problems(project: Project, name: str, text: str) -> List[str]:
    """What `make check` would say about response `name` if `text` were its (first) text: its
    TODO lines, for a topic answer its parts, its cited sections and the terms it names that those
    sections do not, and its reading level.
    The staff console checks an answer with this before writing it (staff/topics.py)."""
    problems = todo_problems(f"{DOMAIN}: response '{name}'", text)
    if name in {f"utter_{intent}" for intent in project.topic_intents}:
        problems.extend(answer_problems(name, text, set(section_titles(project))))
        problems.extend(claim_problems(name, text, section_texts(project)))
    return problems + reading_problems(name, text)


def check_titles(project: Project) -> List[str]:
    """Every topic (and the symptom check) has a short title for the "Do you mean ...?" buttons
    in content/topics.yml, and every title there belongs to an intent of domain.yml."""
    titles = _mapping(project.topics.get("titles"))
    intents = set(project.intents)
    problems = [
        f"{TOPICS}: topic '{intent}' has no title — add a line `  {intent}: \"A short title\"` under titles:"
        for intent in [*project.topic_intents, "check_symptoms"]
        if intent in intents and not str(titles.get(intent) or "").strip()
    ]
    for key in ("question", "something_else", "offer_check"):
        if not str(project.topics.get(key) or "").strip():
            problems.append(f"{TOPICS}: '{key}' is missing or empty — restore it with `git checkout {TOPICS}`")
    for intent, title in titles.items():
        if intent not in intents:
            problems.append(f"{TOPICS}: title for '{intent}', which is not an intent in {DOMAIN} — remove it or fix the name")
        elif len(str(title)) > MAX_TITLE:
            problems.append(f"{TOPICS}: the title of '{intent}' has {len(str(title))} characters — keep it to {MAX_TITLE}")
    return problems


def _questions(project: Project) -> Tuple[Dict[str, Question], List[str]]:
    """content/symptom_check.yml's questions, or the message saying what is wrong with it."""
    try:
        return parse_questions(project.symptom_check, SYMPTOM_CHECK), []
    except QuestionsError as error:
        return {}, [f"{error} — see the comments at the top of {SYMPTOM_CHECK}"]


def check_symptom_check(project: Project) -> List[str]:
    """domain.yml's side of the symptom check matches content/symptom_check.yml, the one list of
    its questions: ``symptom_form``'s ``required_slots`` (same questions, same order), one slot per
    question (categorical with the same values, or bool for a yes/no question) and one
    ``action_ask_<slot>`` each; and the questions and values are the ones the triage table reads."""
    questions, problems = _questions(project)
    if problems:
        return problems
    try:
        from footdrop import triage  # reads this checkout's content/symptom_check.yml
    except QuestionsError as error:
        return [f"{line} (in {REPO})" for line in str(error).splitlines()]
    problems = triage.mismatches(questions, SYMPTOM_CHECK)
    order = list(questions)

    form = _mapping(_mapping(project.domain.get("forms")).get(FORM))
    required = [str(s) for s in form.get("required_slots") or []]
    for slot in order:
        if slot not in required:
            problems.append(
                f"{DOMAIN}: forms: {FORM}: required_slots does not list '{slot}', a question of {SYMPTOM_CHECK} — "
                f"add `- {slot}` there, in the order of {SYMPTOM_CHECK}"
            )
    for slot in required:
        if slot not in questions:
            problems.append(
                f"{DOMAIN}: forms: {FORM}: required_slots lists '{slot}', which is not a question of {SYMPTOM_CHECK} — "
                f"remove it, or add the question to {SYMPTOM_CHECK}"
            )
    listed = [slot for slot in required if slot in questions]
    expected = [slot for slot in order if slot in required]
    if listed != expected:
        problems.append(
            f"{DOMAIN}: forms: {FORM}: required_slots are in another order than the questions of {SYMPTOM_CHECK} — "
            f"list them as: {', '.join(expected)}"
        )

    slots = _mapping(project.domain.get("slots"))
    for slot, question in questions.items():
        spec = slots.get(slot)
        values = [str(v) for v in question.values]
        if not isinstance(spec, dict):
            kind = "type: bool" if question.yes_no else f"type: categorical, values: [{', '.join(values)}]"
            problems.append(
                f"{DOMAIN}: no slot '{slot}' for the question '{slot}' of {SYMPTOM_CHECK} — add it under slots: "
                f"({kind}, influence_conversation: false, mappings: - type: custom)"
            )
        elif question.yes_no and spec.get("type") != "bool":
            problems.append(
                f"{DOMAIN}: slot '{slot}' is type {spec.get('type')!r}, but '{slot}' is a yes/no question in "
                f"{SYMPTOM_CHECK} — make it `type: bool`"
            )
        elif not question.yes_no and (
            spec.get("type") != "categorical" or [str(v) for v in spec.get("values") or []] != values
        ):
            problems.append(
                f"{DOMAIN}: slot '{slot}' must be `type: categorical` with `values: [{', '.join(values)}]`, the "
                f"values of the question '{slot}' in {SYMPTOM_CHECK} (it has type {spec.get('type')!r}, values "
                f"{spec.get('values')!r}) — copy them from {SYMPTOM_CHECK}"
            )

    actions = [str(a) for a in project.domain.get("actions") or []]
    for slot in order:
        if f"action_ask_{slot}" not in actions:
            problems.append(
                f"{DOMAIN}: actions does not list 'action_ask_{slot}', which asks the question '{slot}' of "
                f"{SYMPTOM_CHECK} — add `- action_ask_{slot}` under actions:"
            )
    for action in actions:
        if action.startswith("action_ask_") and action[len("action_ask_"):] not in questions:
            problems.append(
                f"{DOMAIN}: actions lists '{action}', but '{action[len('action_ask_'):]}' is not a question of "
                f"{SYMPTOM_CHECK} — remove it, or add the question to {SYMPTOM_CHECK}"
            )
    return problems


MID_CHECK_RULE = "answer a topic question during the symptom check"


def answered_during_check(project: Project) -> Dict[str, List[str]]:
    """Intent -> files of the rules and stories in data/ where it is followed by
    ``action_answer_topic`` (the answer to a topic question asked during the symptom check)."""
    return {
        intent: [path for path, action in handlers if action == ANSWER_DURING_CHECK]
        for intent, handlers in project.handlers().items()
        if any(action == ANSWER_DURING_CHECK for _, action in handlers)
    }


def check_mid_check_rule(project: Project) -> List[str]:
    """Every topic intent is in the rule that answers a topic question during the symptom check
    (then the check goes on), and that rule holds only topic intents."""
    during = answered_during_check(project)
    problems = [
        f"data/rules.yml: intent '{intent}' is not in the rule '{MID_CHECK_RULE}': asked during the check, it "
        f"would not get its answer with the check going on after it — add `    - intent: {intent}` to that rule's "
        f"`or:` list (make new-topic does this)"
        for intent in project.intents
        if is_topic_intent(intent) and intent not in during
    ]
    problems += [
        f"{_files(paths)}: intent '{intent}' is followed by '{ANSWER_DURING_CHECK}', but it is not a topic "
        f"(footdrop/check_questions.py is_topic_intent), so the symptom check never hands it over — remove it "
        f"from the rule '{MID_CHECK_RULE}'"
        for intent, paths in during.items()
        if not is_topic_intent(intent)
    ]
    return problems


CHECKS = (
    check_todo, check_responses, check_handled, check_sections, check_answers, check_claims, check_examples,
    check_duplicates, check_reading_level, check_titles, check_symptom_check, check_mid_check_rule,
)


def run_checks(root: Path) -> List[str]:
    """Every problem in the project at ``root``; an empty list if all checks pass.

    If a file does not parse, only that is reported (with clinic.yml's check): the other checks
    would give misleading messages about the content they could not read.
    """
    project, problems = load_project(root)
    if not problems:
        for check in CHECKS:
            problems.extend(check(project))
    problems.extend(check_clinic(project))
    return problems


def summary(root: Path) -> str:
    project, _ = load_project(root)
    training = sum(len(v) for v in project.training_examples().values())
    holdout = sum(len(v) for v in project.holdout_examples().values())
    tests = sum(1 for _ in story_steps(project.test_stories))
    return (
        f"{len(project.intents)} intents, {len(project.responses)} responses, {training} training and "
        f"{holdout} held-out examples, {tests} conversation tests, clinic.yml valid"
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.check", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=REPO, help="the project folder (default: this repository)")
    root = parser.parse_args(argv).root.resolve()
    problems = run_checks(root)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found")
        return 1
    print(f"All checks passed ({summary(root)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
