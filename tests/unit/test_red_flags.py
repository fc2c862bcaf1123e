"""The files the red-flag detector (footdrop/red_flags.py) learns from, each mistake named, and
the independence of its evaluation set (tests/red_flags/, tests/system/test_red_flag_evaluation.py).
The detector itself on in-house cases: tests/system/test_red_flags.py."""

from __future__ import annotations


import pytest
import yaml

from footdrop.red_flags import EXAMPLES_FILES, load_examples, load_nlu_harmless
from footdrop.signs import SIGNS_FILE, SignsError, load_signs
from support.project import ROOT

SETS = ROOT / "tests" / "red_flags"


def test_every_sign_has_a_reason_words_and_examples():
    signs = load_signs()
    examples, harmless = load_examples(signs)
    assert len(signs) == 20
    for sign_id, sign in signs.items():
        assert sign.why.endswith(".") and sign.words, sign_id
        assert len(examples[sign_id]) >= 50, sign_id
    assert len(harmless) >= 1000


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda raw: raw["signs"]["face"].pop("why"), "sign 'face': needs 'why' text"),
        (lambda raw: raw["signs"]["arm"].update(words=[]), "sign 'arm': 'words' must be a list"),
        (lambda raw: raw.update(signs=[]), "'signs' must map sign ids"),
    ],
)
def test_a_mistake_in_the_signs_file_is_named(tmp_path, change, message):
    raw = yaml.safe_load(SIGNS_FILE.read_text())
    change(raw)
    path = tmp_path / "emergency_signs.yml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(SignsError, match=message):
        load_signs(path)


def test_examples_for_an_unknown_sign_are_named(tmp_path):
    path = tmp_path / "emergency_examples.yml"
    path.write_text(yaml.safe_dump({"signs": {"elbow": {"examples": ["my elbow"], "harmless": []}}}))
    with pytest.raises(SignsError, match=r"unknown|does not list.*elbow"):
        load_examples(load_signs(), [path])


def test_the_triage_doc_names_every_sign():
    doc = (ROOT / "docs" / "triage.md").read_text()
    rows = {line.split("|")[1].strip() for line in doc.splitlines() if line.startswith("| ") and line.count("|") == 4}
    assert set(load_signs()) <= rows


# ---- the evaluation set stays a fair test ----------------------------------------------------


def evaluation_texts(part: str) -> list:
    raw = yaml.safe_load((SETS / f"{part}.yml").read_text())
    return [m["text"] for m in raw["emergencies"] + raw["harmless"]]


def test_the_evaluation_set_is_big_enough_and_covers_every_sign():
    signs = set(load_signs())
    emergencies, harmless = 0, 0
    for part in ("dev", "test"):
        raw = yaml.safe_load((SETS / f"{part}.yml").read_text())
        assert {m["sign"] for m in raw["emergencies"]} == signs, part
        emergencies += len(raw["emergencies"])
        harmless += len(raw["harmless"])
    assert emergencies >= 150 and harmless >= 150 and emergencies + harmless >= 300


def normal(text: str) -> str:
    return " ".join(text.lower().split())


def test_no_evaluation_message_is_in_what_the_detector_learns_from():
    """The set measures words the detector never saw: none may be copied into its examples,
    and the development and test parts do not overlap."""
    examples, harmless = load_examples(load_signs(), EXAMPLES_FILES)
    learned = {normal(t) for lines in examples.values() for t in lines} | {normal(t) for t in harmless}
    learned |= {normal(t) for t in load_nlu_harmless()}
    dev, test = {normal(t) for t in evaluation_texts("dev")}, {normal(t) for t in evaluation_texts("test")}
    assert not dev & test
    assert not (dev | test) & learned
