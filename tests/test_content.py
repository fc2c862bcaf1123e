"""The answers: one per intent, faithful to the guide, cited, and plain."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import textstat

from actions.guide import ROOT, load_sections, readable_text, split_answer, topic_answers
from nlu_components.spacy_pipeline import build_pipeline, load_terminology
from tests.conftest import load_yaml
from tools.check import CONVERSATION_INTENTS, MAX_GRADE, SYMPTOM_CHECK_INTENTS

DOMAIN = load_yaml("domain.yml")
RESPONSES = DOMAIN["responses"]
TOPIC_ANSWERS = topic_answers(RESPONSES)
SECTIONS = load_sections()
TOPIC_INTENTS = [i for i in DOMAIN["intents"] if i not in CONVERSATION_INTENTS | SYMPTOM_CHECK_INTENTS]
# Entity types whose terms are medical claims: each one an answer's body uses must be in a cited section.
CLAIM_TYPES = {"anatomy", "cause", "symptom", "treatment", "device"}
SEED = ROOT.parent / "shared" / "seed" / "foot-drop.txt"


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline(load_terminology())


def claims(nlp, text: str) -> set:
    return {(e.label_, e.ent_id_) for e in nlp(text).ents if e.label_ in CLAIM_TYPES}


def rules_by_intent() -> dict:
    rules = load_yaml("data/rules.yml")["rules"]
    mapping = {}
    for rule in rules:
        steps = rule["steps"]
        for step, following in zip(steps, steps[1:]):
            intents = [step["intent"]] if "intent" in step else [s["intent"] for s in step.get("or", [])]
            if "action" in following:
                for intent in intents:
                    mapping.setdefault(intent, set()).add(following["action"])
    return mapping


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed folder is not beside this checkout")
def test_guide_copy_matches_the_seed_document():
    assert (ROOT / "content" / "foot-drop.txt").read_text() == SEED.read_text()


def test_every_section_is_found_once_and_they_cover_the_guide():
    guide = (ROOT / "content" / "foot-drop.txt").read_text()
    assert len(SECTIONS) == 8
    covered = sum(len(text) for text in SECTIONS.values())
    assert covered > 0.9 * len(guide.split("Foot Drop (also called drop foot)", 1)[1])


@pytest.mark.parametrize("intent", sorted(SYMPTOM_CHECK_INTENTS))
def test_every_symptom_check_intent_is_handled_by_a_rule(intent):
    assert intent in DOMAIN["intents"]
    assert rules_by_intent().get(intent), f"data/rules.yml: no rule handles intent '{intent}'"


@pytest.mark.parametrize("intent", [i for i in DOMAIN["intents"] if i not in SYMPTOM_CHECK_INTENTS])
def test_every_intent_has_a_response_and_a_rule(intent):
    response = f"utter_{intent}"
    assert response in RESPONSES, f"domain.yml: intent '{intent}' has no response '{response}'"
    assert response in rules_by_intent().get(intent, set()), (
        f"data/rules.yml: no rule answers intent '{intent}' with '{response}'"
    )


@pytest.mark.parametrize("intent", TOPIC_INTENTS)
def test_every_topic_answer_has_body_care_note_and_source(intent):
    text = RESPONSES[f"utter_{intent}"][0]["text"]
    answer = split_answer(text)
    assert answer is not None, f"utter_{intent}: needs a body, a care note and a 'From: ...' line"
    unknown = [s for s in answer.sources if s not in SECTIONS]
    assert answer.sources and not unknown, f"utter_{intent}: unknown sections {unknown}"
    assert re.search(r"doctor|physical therapist|emergency", answer.care_note, re.I), (
        f"utter_{intent}: the care note should point to a clinician or emergency care"
    )


@pytest.mark.parametrize("intent", TOPIC_INTENTS)
def test_a_care_note_that_says_see_your_doctor_says_how_soon(intent):
    """As the triage table does (docs/triage.md): new foot drop within 24 hours, the same day
    when it came on suddenly; emergency care for the emergency signs."""
    note = split_answer(RESPONSES[f"utter_{intent}"][0]["text"]).care_note
    if re.search(r"\bsee (your|a) doctor\b", note, re.I):
        assert re.search(r"24 hours|same day|today|emergency", note, re.I), f"utter_{intent}: {note!r}"


def test_every_answer_with_a_source_belongs_to_a_topic_intent():
    assert sorted(TOPIC_ANSWERS) == sorted(f"utter_{i}" for i in TOPIC_INTENTS)


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_every_response_reads_at_grade_8_or_below(name):
    text = RESPONSES[name][0]["text"]
    answer = split_answer(text)
    readable = readable_text(f"{answer.body}\n{answer.care_note}" if answer else text)
    grade = textstat.flesch_kincaid_grade(readable)
    assert grade <= MAX_GRADE, f"{name}: Flesch-Kincaid grade {grade} is above {MAX_GRADE}"


@pytest.mark.parametrize("name", sorted(TOPIC_ANSWERS))
def test_answer_claims_come_from_the_cited_sections(nlp, name):
    """Each cause, symptom, treatment, device or body structure an answer names is in its source."""
    answer = split_answer(TOPIC_ANSWERS[name])
    source_claims = set().union(*(claims(nlp, SECTIONS[s]) for s in answer.sources))
    extra = claims(nlp, answer.body) - source_claims
    assert not extra, f"{name}: {sorted(extra)} are not in {answer.sources}"


def test_the_claim_check_catches_an_added_treatment(nlp):
    """The faithfulness check above is not vacuous: a treatment the guide never names is caught."""
    invented = "Massage cures foot drop in a week."
    recovery = claims(nlp, SECTIONS["Recovery"])
    assert ("treatment", "manual_therapy") in claims(nlp, invented) - recovery


def test_menu_buttons_lead_to_topics():
    buttons = RESPONSES["utter_bot_capabilities"][0]["buttons"]
    assert len(buttons) >= 5
    for button in buttons:
        intent = button["payload"].lstrip("/")
        assert intent in TOPIC_INTENTS or intent == "check_symptoms", (
            f"button '{button['title']}' goes to unknown intent {intent}"
        )


def test_identity_answer_says_it_is_not_a_clinician():
    text = RESPONSES["utter_bot_identity"][0]["text"].lower()
    assert "automated assistant" in text and "not a doctor" in text
