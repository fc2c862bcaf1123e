"""The red-flag detector (footdrop/red_flags.py) on in-house cases: signs stated now, questions,
denials, history, other meanings, bad input, the symptom check's buttons. Needs the detector's
fitted classifier (`make train` keeps it in build/encoder/cache; fitting it takes about a minute).
The files it reads and its evaluation set's independence: tests/unit/test_red_flags.py.

The measure of what patients get is the evaluation set written by people who never saw the
examples (tests/red_flags/, tests/system/test_red_flag_evaluation.py). The cases here were
written in the project (some of them kept from the word-list detector this one replaced): they
pin down behaviour that must never change, and are not a measure of quality.
"""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from footdrop.red_flags import ASK, EMERGENCY, NONE, shared_detector
from support.project import ROOT


@pytest.fixture(scope="module")
def detector():
    return shared_detector()


# Stated now: the emergency message at once, naming the sign.
AT_ONCE = [
    ("my face is drooping", "face"),
    ("my mum's face looks droopy on one side and her words are slurred", "face"),
    ("i suddenly cant lift my arm", "arm"),
    ("worst headache of my life", "headache"),
    ("sudden severe headache", "headache"),
    ("my shin is swollen and rock hard and it hurts like crazy after the fall", "compartment"),
    ("i've wet myself and can't feel anything between my legs", "saddle"),
    ("I've lost control of my bowels", "bowel"),
    ("i cant pee since this morning", "bladder"),
    ("numbness in my groin", "saddle"),
    ("the weakness is moving up my legs", "ascending"),
    ("i can't get my words out", "speech"),
    ("she's slurring her words", "speech"),
    ("My speech is slurred!!! 😢", "speech"),
    ("is it normal that my arm feels weak?", "arm"),
    ("my fase is droopin", "face"),
    ("my arm went weak for a few minutes yesterday but it's fine now", "arm"),  # a warning stroke
    ("the foot drop has spread to my other foot", "both_legs"),
    ("I collapsed", "floor"),
]


# Found, at once or after the safety question ("is this happening now?").
FOUND = AT_ONCE + [
    ("both my feet went weak this morning", "both_legs"),
    ("my legs suddenly gave way and I can't walk", "floor"),
    ("the numbness is spreading up to my thighs", "ascending"),
    ("my face is drooping, is that a stroke?", "face"),
    ("no headache, but my face is drooping", "face"),
    ("I'm not sure if my face is drooping", "face"),  # unsure still counts: be safe
    ("i can't poo or pee properly and my back is killing me", "bladder"),
    ("my wife's words are coming out wrong and her arm is weak", "speech"),
    ("I can't walk at all since this morning", "floor"),
    ("my dad's foot went white and cold an hour ago", "cold_foot"),
    ("I had a back operation yesterday and now I can't lift my foot", "after_procedure"),
]


# Never the emergency message, nor the safety question.
QUIET = [
    "what causes foot drop",
    "can a stroke cause foot drop?",
    "what is compartment syndrome",
    "does MS cause weakness in the arms",
    "is slurred speech a sign of a stroke?",
    "what should I do if my face droops?",
    "no headache",
    "my face is fine",
    "no problems with my bladder",
    "I don't have any numbness between my legs",
    "my arms are not weak and my speech is normal",
    "my foot has dragged for months",
    "should I wear a brace",
    "my foot drop is slowly getting worse",
    "I keep tripping and falling over my toes",
    "both my feet have been numb for years",
    "I can't lift my foot when I walk",
    "could it move to my other foot",
    "can both my feet go floppy",
    "what if I lose control of my bladder",
    "I'm scared my face will droop",
    "i read that a swollen shin can mean compartment syndrome",
    "is arm weakness a symptom of foot drop?",
    "tell me about cauda equina syndrome symptoms like bladder problems",
    "I can't speak Spanish",
    "my shin muscle is weak",
    "i struggle going up stairs",
    "bladder control is fine, bowels normal",
    "no slurred speech, no face drooping, no arm weakness",
    "my face felt a bit numb last year but it's fine now",
    "my podiatrist says I have collapsed arches",
    "my mouth is numb from the dentist",
    "I had a stroke six years ago and my arm has been a bit weak since",
    "hello", "thanks", "yes", "no", "stop",
]


# Never the emergency message (the safety question is allowed: the words are close, and a tight
# shin after exercise can be compartment syndrome).
NOT_AT_ONCE = [
    "my shin feels tight after running",
    "my left foot is numb",
    "I can't walk properly because of my foot drop",
    "I had a headache last week",
    "the pain is spreading down my leg",
    "my shin hurts a lot after football",
    "my arm is fine but my leg is weak",
    "I can't talk right now I'm at work",
    # a clause reads as an emergency, its sentence gives the harmless cause: asked, not alarmed
    "Both my legs were sore this morning, then I remembered the ten mile walk yesterday, so it is only tired muscles and they feel fine now.",
]


def test_a_clause_that_reads_as_an_emergency_in_a_harmless_sentence_gets_the_safety_question(detector):
    """A clause that reads as an emergency ("take a deep breath" is near "I can't take a deep
    breath") gets the safety question, not the emergency message, when its sentence reads as
    harmless (Thresholds.whole_sentence); a sign in a sentence of its own does not need the rest
    of the message."""
    part = "Take a deep breath"
    whole = part + ", my physio said, before she showed me the scan. It was only a slipped disc, nothing serious."
    assert detector.assess("I can't take a deep breath").level == EMERGENCY
    assert detector.assess(whole).level == ASK
    scores = detector.score(whole)
    without_gate = dataclasses.replace(detector.thresholds, whole_sentence=0.0)
    assert detector.decide(scores, without_gate).level == EMERGENCY
    history_then_sign = "I've had foot drop for a year. Since this morning my smile is lopsided."
    assert detector.assess(history_then_sign).level == EMERGENCY


def test_a_part_in_a_signs_words_much_nearer_the_sign_than_anything_harmless_gets_the_safety_question(detector):
    """Thresholds.nearer_floor / nearer_margin: odd behaviour told in words no example uses
    ("called me by the dog's name") has the sign's words and is well away from every harmless
    line, though the classifier is unsure: the safety question, not silence."""
    scores = detector.score("dad put the cat food in the kettle and called me by the dog's name this evening")
    sign = detector._sign_ids.index("confusion")
    row = next(r for r, states in enumerate(scores.states) if states[sign] == "live")
    scores.probability[:] = 0.0
    scores.similarity[:] = 0.0
    t = detector.thresholds
    scores.similarity[row, sign] = t.nearer_floor + 0.01
    scores.harmless_similarity[:] = t.nearer_floor + 0.01 - t.nearer_margin - 0.01
    assert detector.decide(scores).level == ASK and detector.decide(scores).signs == ("confusion",)
    scores.harmless_similarity[:] = t.nearer_floor + 0.01 - t.nearer_margin + 0.01  # a harmless line as near
    assert detector.decide(scores).level == NONE


@pytest.mark.parametrize("text, sign", AT_ONCE)
def test_a_sign_stated_now_gets_the_emergency_message(detector, text, sign):
    assessment = detector.assess(text)
    assert assessment.level == EMERGENCY, assessment
    assert sign in assessment.signs


@pytest.mark.parametrize("text, sign", FOUND)
def test_a_sign_stated_now_is_never_missed(detector, text, sign):
    assessment = detector.assess(text)
    assert assessment.level in (EMERGENCY, ASK), assessment
    assert sign in assessment.signs


@pytest.mark.parametrize("text", QUIET)
def test_questions_denials_history_and_other_meanings_stay_quiet(detector, text):
    assert detector.assess(text).level == NONE


@pytest.mark.parametrize("text", NOT_AT_ONCE)
def test_near_misses_never_get_the_emergency_message(detector, text):
    assert detector.assess(text).level != EMERGENCY


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "<b>hi</b>", "¿Dónde está la clínica?", "asdkjh qwe zzzz", "x" * 3000])
def test_bad_input_is_read_without_error_and_is_no_emergency(detector, text):
    assert detector.assess(text).level == NONE


def test_every_finding_says_where_and_why(detector):
    assessment = detector.assess("I've had foot drop for a year. Since this morning my smile is lopsided.")
    assert assessment.level == EMERGENCY
    finding = assessment.findings[0]
    assert finding.sign == "face" and "smile" in finding.part
    assert finding.example  # the nearest example of the sign, for staff who check a decision


def test_the_symptom_checks_buttons_are_never_taken_for_a_sign(detector):
    """A button sends its payload as text; "both feet" answers a question, the table decides."""
    raw = yaml.safe_load((ROOT / "content" / "symptom_check.yml").read_text())
    payloads = [b["payload"] for q in raw["questions"].values() for b in q.get("buttons", [])]
    payloads += [b["payload"] for b in raw["yes_no_buttons"]]
    for payload in payloads:
        assert detector.assess(payload).level == NONE, payload


# ---- the files ----------------------------------------------------------------------------
