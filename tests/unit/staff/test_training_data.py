"""staff/training_data.py on a copy of the project's content: phrasings go to the file holding the
topic's examples, comments and the rest of the file stay, known phrasings are skipped, masks and
over-long or empty texts refused; and `make check`'s checks still pass after."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from staff.training_data import MAX_LENGTH, PhrasingError, add_examples, check_phrasings, training_file
from support.project import copy_checked_files
from tools import check
from tools.check import examples_by_intent


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_checked_files(tmp_path / "project")


def examples(project: Path, relative: str, intent: str):
    return examples_by_intent(yaml.safe_load((project / relative).read_text(encoding="utf-8")))[intent]


def test_phrasings_are_appended_to_the_topics_own_file_keeping_everything_else(project):
    relative = training_file(project, "ask_brace")
    assert relative == "data/nlu/treatment.yml"  # not patient_wordings.yml, which has a few of its lines
    before = (project / relative).read_text(encoding="utf-8")
    new = ["how much does a foot drop brace cost", "do I have to wear the splint at night"]

    assert add_examples(project, "ask_brace", new) == [relative]

    after = (project / relative).read_text(encoding="utf-8")
    assert examples(project, relative, "ask_brace")[-2:] == new
    # only the two lines were added: every other line, comments included, is where it was
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == [f"    - {text}" for text in new]
    assert [line for line in after.splitlines() if line.startswith("#")] == \
           [line for line in before.splitlines() if line.startswith("#")]
    assert check.run_checks(project) == []


def test_known_phrasings_are_skipped_in_any_file_and_in_the_held_out_questions(project):
    holdout = check.examples_by_intent(yaml.safe_load((project / check.HOLDOUT).read_text()))["ask_brace"][0]
    checked = check_phrasings(project, "ask_brace", [
        "What is foot drop?",  # a training example of another topic, with a capital and a '?'
        holdout.upper(),  # a held-out test question
        "is a brace  worth it for a dropped foot",
        "Is a brace worth it for a dropped foot?",  # the same again
    ])
    assert checked.new == ["is a brace worth it for a dropped foot"]
    assert [where for _, where in checked.known] == ["data/nlu/about.yml", check.HOLDOUT, "the phrasings you chose"]
    assert not checked.refused


def test_masks_empty_and_over_long_texts_are_refused_and_nothing_is_written(project):
    relative = training_file(project, "ask_brace")
    before = (project / relative).read_text(encoding="utf-8")
    for text, reason in [("call me on [phone] about my brace", "[phone]"), ("email [EMAIL] my splint", "[EMAIL]"),
                         ("   ", "empty"), ("x" * (MAX_LENGTH + 1), f"longer than {MAX_LENGTH}"),
                         ("my [afo](device) hurts", "brackets")]:
        checked = check_phrasings(project, "ask_brace", [text])
        assert checked.refused and reason in checked.refused[0][1] and not checked.new
        with pytest.raises(PhrasingError, match="Nothing was added"):
            add_examples(project, "ask_brace", ["a fine question about braces", text])
    assert (project / relative).read_text(encoding="utf-8") == before


def test_only_known_phrasings_change_nothing(project):
    assert add_examples(project, "ask_causes", ["what causes foot drop"]) == []


def test_a_topic_without_examples_is_a_kind_error(project):
    with pytest.raises(PhrasingError, match="no training examples"):
        training_file(project, "ask_not_a_topic")
