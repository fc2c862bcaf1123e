"""Issue 18: one "is this a question?" test (footdrop/questions.py) for the whole project.

The red-flag component, the red-flag detector's reading of a message (footdrop/context.py: its
parts that ask something, and the *general* questions built on them), the symptom check's
actions and the free-text answers (footdrop/answers.py: where a question starts in a sentence)
all decide it with ``footdrop.questions``; none keeps a list of question words of its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from footdrop import answers
from footdrop.questions import QUESTION_WORDS, is_question, opens_question

ROOT = Path(__file__).resolve().parents[2]
USERS = {
    "footdrop/answers.py": {"opens_question", "QUESTION_WORDS"},
    "footdrop/context.py": {"is_question"},
    "actions/symptom_check.py": {"is_question"},
    "footdrop_rasa/nlu/red_flags.py": {"is_question"},
}


@pytest.mark.parametrize("path, names", sorted(USERS.items()))
def test_each_user_takes_the_one_test(path, names):
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "footdrop.questions"
        for alias in node.names
    }
    assert names <= imported, f"{path} imports {imported} from footdrop.questions"


def python_files():
    for package in ("footdrop", "footdrop_rasa", "actions", "tools"):
        yield from sorted((ROOT / package).rglob("*.py"))


def test_no_other_module_keeps_question_words():
    """A set of question openers ("what" ... "does") exists once, in footdrop/questions.py."""
    found = []
    for path in python_files():
        if path == ROOT / "footdrop" / "questions.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Set, ast.List, ast.Tuple)):
                words = {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
                if {"what", "does", "could"} <= words:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


@pytest.mark.parametrize(
    "text, question",
    [
        ("when should I worry about numbness", True),
        ("where can I get a brace", True),
        ("where's the nearest emergency department", True),
        ("who's in charge of treating foot drop", True),
        ("did you see my last message", True),
        ("was there anything else I should do", True),
        ("is not being able to lift my toes a sign of foot drop", True),
        ("did a marathon yesterday, now my shin is rock hard", False),  # the subject left out
        ("was watching TV and suddenly half the screen went missing", False),
        ("when I sit on the toilet I can't feel the seat", False),  # "when" opening a statement
        ("can not feel my toes since this morning", False),
        ("does not lift at all now", False),
        ("had a fall last week", False),
    ],
)
def test_what_starts_a_question(text, question):
    assert is_question(text) is question


def test_the_words_and_the_message_agree():
    assert opens_question(["when", "should", "i", "worry"])
    assert not opens_question(["when", "i", "walk"])
    assert opens_question(["when", "i", "walk"], asked=True)  # "when I walk?"
    assert not opens_question([])
    assert {"what", "when", "did"} <= QUESTION_WORDS


def test_the_answers_read_a_statement_that_leaves_out_its_subject():
    """"was fine this morning, now ..." states the onset; it is not a question in general."""
    assert answers.extract_answers("was fine this morning, now my left foot drags") == {
        "affected_side": "left", "onset": "sudden",
    }
    assert answers.extract_answers("what causes numbness?") == {}
    assert answers.extract_answers("can a stroke cause weakness in the arm") == {}
