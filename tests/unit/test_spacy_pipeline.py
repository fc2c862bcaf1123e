"""The blank spaCy pipeline: lemmas, terminology entities, and how Rasa's components use it."""

from __future__ import annotations

from pathlib import Path

import pytest

from footdrop.language import (
    TerminologyError,
    build_pipeline,
    entity_patterns,
    load_terminology,
)


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline(load_terminology())


@pytest.mark.parametrize(
    "word, lemma",
    [("feet", "foot"), ("dragging", "drag"), ("drags", "drag"), ("braces", "brace"), ("slapped", "slap")],
)
def test_lookup_lemmatizer_joins_word_forms(nlp, word, lemma):
    assert nlp(word)[0].lemma_ == lemma


@pytest.mark.parametrize(
    "text, entity, value",
    [
        ("my dad needs an AFO", "device", "brace"),
        ("what about an ankle-foot orthosis", "device", "brace"),
        ("would a splint help", "device", "brace"),
        ("I was told I have drop foot", "condition", "foot_drop"),
        ("is footdrop permanent", "condition", "foot_drop"),
        ("what does the fibular nerve do", "anatomy", "peroneal_nerve"),
        ("Peroneal nerve damage", "anatomy", "peroneal_nerve"),
        ("my wife has Multiple Sclerosis", "cause", "multiple_sclerosis"),
        ("can Lou Gehrig's disease do this", "cause", "als"),
        ("my left foot drags", "symptom", "dragging"),
        ("my left foot drags", "body_side", "left"),
        ("both feet feel numb", "body_side", "both"),
        ("pins and needles in my toes", "symptom", "numbness"),
        ("does e-stim work", "treatment", "electrical_stimulation"),
        ("can I take ibuprofen", "treatment", "nsaid"),
        # patients' everyday words for the guide's signs (issue 15)
        ("my toes catch on the carpet", "symptom", "dragging"),
        ("I keep tripping over nothing", "symptom", "dragging"),
        ("I catch my toes on every step", "symptom", "dragging"),
        ("my shoe scuffs on the pavement", "symptom", "dragging"),
        ("my foot thumps down when I walk", "symptom", "slapping"),
        ("it flops onto the floor", "symptom", "slapping"),
        ("my foot flaps like a flipper", "symptom", "slapping"),
        ("I have a floppy foot", "condition", "foot_drop"),
        ("the doctor called it a lazy foot", "condition", "foot_drop"),
        ("my dead foot won't lift", "condition", "foot_drop"),
        ("I lift my knee high like I'm marching", "symptom", "steppage_gait"),
        ("high stepping to get my toes clear", "symptom", "steppage_gait"),
        ("I can't pull my toes up", "symptom", "foot_lifting"),
    ],
)
def test_terminology_entities_have_canonical_values(nlp, text, entity, value):
    found = {(e.label_, e.ent_id_) for e in nlp(text).ents}
    assert (entity, value) in found, f"{text!r}: found {sorted(found)}"


def test_ordinary_words_are_not_entities(nlp):
    assert list(nlp("thank you, have a nice day").ents) == []


def test_every_phrase_becomes_one_pattern():
    terminology = load_terminology()
    phrases = sum(len(p) for values in terminology.values() for p in values.values())
    assert len(entity_patterns(terminology)) == phrases


@pytest.mark.parametrize(
    "content, message",
    [
        ("[]", "expected entity types"),
        ("device: [brace]", "must map canonical values"),
        ("device:\n  brace: brace", "must be a list"),
        ("device:\n  brace: ['']", "non-empty phrases"),
    ],
)
def test_a_broken_terminology_file_is_named(tmp_path: Path, content, message):
    broken = tmp_path / "terminology.yml"
    broken.write_text(content)
    with pytest.raises(TerminologyError, match=message) as error:
        load_terminology(broken)
    assert str(broken) in str(error.value)


def test_rasa_loads_the_built_pipeline_and_extracts_canonical_entities(nlp, tmp_path: Path):
    """Rasa's own SpacyNLP loads the pipeline as `make train` writes it (footdrop/language.py's
    main: build_pipeline, then to_disk; here into a folder of the test's own); our extractor
    reads its entities."""
    from rasa.nlu.utils.spacy_utils import SpacyNLP
    from rasa.shared.nlu.training_data.message import Message

    from footdrop_rasa.nlu.terminology_extractor import TerminologyEntityExtractor

    built = tmp_path / "en_footdrop"
    nlp.to_disk(built)
    model = SpacyNLP.load_model(str(built))
    extractor = TerminologyEntityExtractor(TerminologyEntityExtractor.get_default_config())
    message = Message(data={"text": "Would an AFO help my dad's drop foot?"})
    [processed] = extractor.process([message], model)
    entities = {(e["entity"], e["value"], e["extractor"]) for e in processed.get("entities")}
    assert ("device", "brace", "TerminologyEntityExtractor") in entities
    assert ("condition", "foot_drop", "TerminologyEntityExtractor") in entities
    start_end = [(e["start"], e["end"]) for e in processed.get("entities") if e["value"] == "brace"]
    assert start_end == [(9, 12)]
