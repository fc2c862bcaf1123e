"""A new topic made in the console (no web code here): what staff wrote on the new topic form
(/topics/new, staff/pages/new_topics.py), checked before anything is written, then written to
the six files `make new-topic` writes, with the same code (tools/new_topic.py ``write_topic``),
in one commit.

- ``tidy``: the form's values as they will be written (single spaces, no empty lines);
- ``check_draft``: what is wrong, by field of the form (``FIELDS``), with `make check`'s own
  checks: the answer with tools/check.py's ``response_problems`` (as staff/topics.py
  ``check_answer`` checks a changed answer), the phrasings with staff/training_data.py's
  ``check_phrasings`` (the checks of "this is topic X" on the Unanswered page), the minimum
  numbers of phrasings and held-out lines from tools/check.py; an empty dict when it may be written;
- ``create``: writes a checked draft and commits the six files in one commit (kind ``topic``,
  "New topic '<title>'"), under the staff member's name; then `make check` as a whole must find
  no problem it did not find before, or every file is put back as it was. The caller holds
  ``History.lock()`` from the checks to the commit.

An editor's new topic is a proposal a clinician approves, like an editor's answer
(staff/approvals.py ``Approvals.new_topic``).
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Dict, List, Optional

from staff.history import Author, History
from staff.topics import load, normalise
from staff.training_data import check_phrasings, clean, refusal
from tools.check import DOMAIN, MAX_TITLE, MIN_HOLDOUT_EXAMPLES, MIN_TRAINING_EXAMPLES, response_problems, \
    run_checks
from tools.new_topic import FILES, MARKER, NAME, Draft, NewTopicError, check_name, write_topic
from tools.report import normalise as same_words

#: proposals.kind of a new topic, and its commits' Staff-change trailer
KIND = "topic"

#: the form's fields, by the name each problem is shown under (the label staff read)
FIELDS = {
    "title": "Title",
    "name": "Topic name",
    "answer": "The answer",
    "facts": "What the guide says",
    "care_note": "Care note",
    "sections": "The guide's section",
    "phrasings": "How patients ask it",
    "held_out": "Test questions",
    "question": "Question for the conversation test",
    "project": "The checks of all the assistant's files",
}

Problems = Dict[str, List[str]]


class DraftError(ValueError):
    """The new topic was not written: ``problems`` says what to fix, by field (FIELDS)."""

    def __init__(self, problems: Problems):
        self.problems = problems
        super().__init__("The new topic was not saved: please fix what the checks found. " + " ".join(lines(problems)))


def lines(problems: Problems) -> List[str]:
    """Each problem as "<field's label>: <problem>", in the form's order."""
    return [f"{FIELDS.get(field, field)}: {problem}" for field in FIELDS for problem in problems.get(field, [])] + \
        [f"{field}: {problem}" for field, found in problems.items() if field not in FIELDS for problem in found]


def name_from_title(title: str) -> str:
    """The topic name made from its title: ask_ and its words, e.g. "Driving with foot drop" ->
    ask_driving_with_foot_drop (accents dropped, at most the length a name may have)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", title) if not unicodedata.combining(c)).lower()
    name = "ask"
    for word in re.findall(r"[a-z0-9]+", plain):
        if len(name) + 1 + len(word) > 45:  # tools/new_topic.py NAME: ask_ and at most 41 more
            break
        name += "_" + word
    return name


def split_lines(text: str) -> tuple:
    """One phrasing a line (single spaces); empty lines left out."""
    return tuple(line for line in (clean(line) for line in text.replace("\r", "\n").split("\n")) if line)


def tidy(draft: Draft) -> Draft:
    """The draft as it will be written: single spaces, the answer's facts one line per line and no
    empty lines (staff/topics.py ``normalise``), the name made from the title when left empty."""
    title = clean(draft.title)
    return Draft(
        name=clean(draft.name).lower() or name_from_title(title),
        title=title,
        facts=normalise(draft.facts),
        care_note=clean(draft.care_note),
        sections=tuple(s for s in (clean(s) for s in draft.sections) if s),
        phrasings=tuple(p for p in (clean(p) for p in draft.phrasings) if p),
        held_out=tuple(p for p in (clean(p) for p in draft.held_out) if p),
        question=clean(draft.question),
    )


def _field_of(problem: str, facts_lines: int) -> str:
    """Which field of the form a problem of response_problems is about ("answer": the whole answer)."""
    todo = re.search(r"line (\d+) still says TODO", problem)
    if todo:
        line = int(todo.group(1))
        return "facts" if line <= facts_lines else "care_note" if line == facts_lines + 1 else "sections"
    if "care note" in problem:
        return "care_note"
    if "cites section" in problem or "empty 'From: '" in problem:
        return "sections"
    if "reads at grade" in problem:
        return "facts"
    return "answer"


def check_draft(project: Path, draft: Draft) -> Problems:
    """What `make check` and the console would refuse in the (tidied) draft, by field; {} when it
    may be written. Nothing is written. TopicError when the project's files cannot be read."""
    parsed = load(project)
    problems: Problems = {}

    def add(field: str, problem: str) -> None:
        problems.setdefault(field, []).append(problem)

    # the title
    titles = {str(intent): str(title) for intent, title in (parsed.topics.get("titles") or {}).items()}
    if not draft.title:
        add("title", "Write a short title: the words on the topic's button, e.g. \u201cDriving with foot drop\u201d.")
    elif len(draft.title) > MAX_TITLE:
        add("title", f"It has {len(draft.title)} characters: keep it to {MAX_TITLE}.")
    else:
        same = [intent for intent, title in titles.items() if same_words(title) == same_words(draft.title)]
        if same:
            add("title", f"The topic \u201c{titles[same[0]]}\u201d has this title already: patients could not tell "
                         "the two buttons apart. Choose another title, or add the questions to that topic.")

    # the name
    try:
        check_name(draft.name)
    except NewTopicError:
        add("name", f"\u201c{draft.name}\u201d cannot be a topic name: write ask_ and then a few lowercase words "
                    "joined by _, e.g. ask_driving (at least 3 letters after ask_, no spaces).")
    else:
        if draft.name in parsed.intents or draft.name in titles or draft.response in parsed.responses:
            add("name", f"There is already a topic called {draft.name}. Choose another name, or add the questions "
                        "to that topic.")

    # the answer: `make check`'s checks of one answer, as if the topic were there already
    missing = [("facts", "Write what the guide says about this, in plain words."),
               ("care_note", "Write one line that sends the patient to a clinician, e.g. \u201cAsk your doctor or "
                             "physical therapist if this is right for you.\u201d"),
               ("sections", "Choose the section(s) of the guide the answer is written from.")]
    for field, problem in missing:
        if not getattr(draft, field):
            add(field, problem)
    if all(getattr(draft, field) for field, _ in missing):
        name = draft.name if NAME.match(draft.name) else "ask_new_topic"
        response = f"utter_{name}"
        intents = list(parsed.domain.get("intents") or [])
        as_topic = replace(parsed, domain={**parsed.domain, "intents": [*intents, name]})
        own = f"{DOMAIN}: response '{response}'"
        facts_lines = len(draft.facts.split("\n"))
        for problem in response_problems(as_topic, response, draft.answer()):
            add(_field_of(problem, facts_lines), problem.replace(own, "This answer", 1))

    # the phrasings: the checks of "this is topic X", and as many as `make check` asks for
    training = check_phrasings(project, draft.name, draft.phrasings)
    _phrasing_problems("phrasings", training, add, "a training phrasing")
    if len(training.new) < MIN_TRAINING_EXAMPLES:
        add("phrasings", f"Write at least {MIN_TRAINING_EXAMPLES} different ways patients ask this, one a line: "
                         f"there {'is' if len(training.new) == 1 else 'are'} {len(training.new)}"
                         f"{' that can be used' if training.refused or training.known else ''}.")
    held = check_phrasings(project, draft.name, draft.held_out)
    taught = {same_words(text) for text in training.new}
    also_training = [text for text in held.new if same_words(text) in taught]
    _phrasing_problems("held_out", held, add, "a test question")
    for text in also_training:
        add("held_out", f"\u201c{text}\u201d is also one of the ways patients ask it above: a test question must "
                        "be worded differently, or it tests nothing.")
    usable = len(held.new) - len(also_training)
    if usable < MIN_HOLDOUT_EXAMPLES:
        add("held_out", f"Write at least {MIN_HOLDOUT_EXAMPLES} other ways of asking, one a line: there "
                        f"{'is' if usable == 1 else 'are'} {usable}"
                        f"{' that can be used' if held.refused or held.known or also_training else ''}.")

    # the conversation test's question
    if not draft.question:
        add("question", "Write one question as a patient would type it; the assistant's tests check that it gets "
                        "this topic's answer.")
    elif refusal(draft.question):
        add("question", refusal(draft.question))

    # a TODO left anywhere (the answer's are found by response_problems)
    for field in ("title", "question"):
        if MARKER in getattr(draft, field):
            add(field, f"It still says {MARKER}: write the real text instead.")
    for field in ("phrasings", "held_out"):
        for text in getattr(draft, field):
            if MARKER in text:
                add(field, f"\u201c{text}\u201d still says {MARKER}: write a real question instead.")
    return problems


def _phrasing_problems(field: str, checked, add, what: str) -> None:
    for text, why in checked.refused:
        add(field, f"\u201c{text}\u201d: {why}")
    for text, where in checked.known:
        if where == "the phrasings you chose":
            add(field, f"\u201c{text}\u201d is written twice: keep it once.")
        else:
            add(field, f"\u201c{text}\u201d is already in the assistant's files ({where}), so it cannot be "
                       f"{what} of this topic: remove it, or word it differently.")


def commit_message(title: str, note: str = "") -> str:
    return f"New topic '{title}'" + (f"\n\n{note}" if note else "")


def create(project: Path, history: History, draft: Draft, by: Author, approved_by: Optional[Author] = None,
           note: str = "") -> str:
    """Writes a checked draft to the six files and commits them in one commit; its sha. When
    anything fails (the files have changes made outside the console, `make check` finds a new
    problem, git fails), every file is put back as it was and nothing stays staged. The caller
    holds ``History.lock()`` and has checked the draft (``check_draft``)."""
    files = list(FILES)
    history.ensure_unchanged(files)
    before = {path: (project / path).read_bytes() if (project / path).exists() else None for path in files}
    known = set(run_checks(project))
    try:
        write_topic(project, draft)
        found = [problem for problem in run_checks(project) if problem not in known]
        if found:
            raise DraftError({"project": found})
        return history.commit(by, commit_message(draft.title, note), files, kind=KIND, approved_by=approved_by)
    except BaseException:
        for path, data in before.items():
            if data is None:
                (project / path).unlink(missing_ok=True)
            else:
                (project / path).write_bytes(data)
        subprocess.run(["git", "reset", "-q", "--", *files], cwd=project, capture_output=True)
        raise
