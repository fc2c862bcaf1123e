"""The one question test (footdrop/questions.py): the red-flag detector and the symptom check
both rely on it."""

from __future__ import annotations

import pytest

from footdrop.questions import is_question


@pytest.mark.parametrize(
    "text",
    [
        "can a stroke cause foot drop?",
        "Can I wear the brace in bed",
        "what is foot drop",
        "Is this an emergency",
        "will I walk normally again",
        "how long does physio take?",
        "my foot drags, is that normal?",
    ],
)
def test_questions(text):
    assert is_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "can't lift my arm since this morning",  # starts with "can", states a sign
        "Can't feel my foot at all",
        "can't tell when I need the toilet anymore",
        "can’t speak properly",  # a typographic apostrophe
        "Isn't right, my face is drooping",
        "my foot drags when I walk",
        "",
    ],
)
def test_statements(text):
    assert not is_question(text)
