"""The answers: one per intent, faithful to the guide, cited, and plain."""

from __future__ import annotations

import re

import pytest
import textstat

from footdrop.claims import Claim, claims, unsupported_claims
from footdrop.guide import ROOT, load_sections, readable_text, split_answer, topic_answers
from support.project import load_yaml
from tools.check import CONVERSATION_INTENTS, MAX_GRADE, SYMPTOM_CHECK_INTENTS

DOMAIN = load_yaml("domain.yml")
RESPONSES = DOMAIN["responses"]
TOPIC_ANSWERS = topic_answers(RESPONSES)
SECTIONS = load_sections()
TOPIC_INTENTS = [i for i in DOMAIN["intents"] if i not in CONVERSATION_INTENTS | SYMPTOM_CHECK_INTENTS]
SEED = ROOT.parent / "shared" / "seed" / "foot-drop.txt"


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
def test_answer_claims_come_from_the_cited_sections(name):
    """Each cause, symptom, treatment, device or body structure an answer names is in its source
    (footdrop/claims.py, the code `make check` and the staff console run)."""
    answer = split_answer(TOPIC_ANSWERS[name])
    extra = unsupported_claims(answer.body, [SECTIONS[s] for s in answer.sources])
    assert not extra, f"{name}: {extra} are not in {answer.sources}"


def test_the_claim_check_catches_an_added_treatment():
    """The faithfulness check above is not vacuous: a treatment the cited section never names is caught."""
    invented = "Massage cures foot drop in a week."
    massage = Claim("treatment", "manual_therapy")
    assert massage in claims(invented) and massage not in claims(SECTIONS["Recovery"])
    assert unsupported_claims(invented, [SECTIONS["Recovery"]]) == {massage: ["Massage"]}
    assert unsupported_claims(invented, [SECTIONS["Recovery"], SECTIONS["Physical Therapy Interventions"]]) == {}
    assert all(claims(text) for text in SECTIONS.values()), "every section of the guide names some term"


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


# ---------------------------------------------------------------- the guide's words, not more (review of domain.yml)

WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")
CAUSES_MAX_WORDS = 90
# Plain-word explanations an answer gives, on the same line, for the jargon it keeps. Where the guide
# explains a term itself (ALS, multiple sclerosis, muscular dystrophy), the explanation is the guide's.
SAME_AS_GUIDE_NERVOUS_SYSTEM = re.compile(r"affects? the brain and (the )?spinal cord", re.I)
JARGON = {
    "ALS": (re.compile(r"\bALS\b"), SAME_AS_GUIDE_NERVOUS_SYSTEM),
    "multiple sclerosis": (re.compile(r"multiple sclerosis", re.I), SAME_AS_GUIDE_NERVOUS_SYSTEM),
    "muscular dystrophy": (
        re.compile(r"muscular dystrophy", re.I),
        re.compile(r"muscle (diseases?|disorders?) that causes? weakness", re.I),
    ),
    "cold laser": (re.compile(r"cold laser", re.I), re.compile(r"low-power laser light", re.I)),
    "deep friction massage": (re.compile(r"deep friction massage", re.I), re.compile(r"firm rubbing", re.I)),
    "neuromuscular re-education": (re.compile(r"neuromuscular re-?education", re.I), re.compile(r"retrain", re.I)),
    # A treatment the therapist gives (a modality), not a scan.
    "ultrasound": (re.compile(r"ultrasound", re.I), re.compile(r"not a scan", re.I)),
}
# Facts only Background & Etiology states. Anatomy names the muscle's job "dorsiflexion" and no more;
# that this means lifting the front of the foot is said in Background & Etiology alone.
BACKGROUND_FACTS = re.compile(r"dorsiflexion|drop foot|\bnot a disease\b|neurological|anatomical", re.I)
LIFTING = re.compile(r"\blift", re.I)


def all_response_texts() -> dict:
    return {
        f"{name}[{number}]": variation["text"]
        for name, variations in RESPONSES.items()
        for number, variation in enumerate(variations)
        if isinstance(variation.get("text"), str)
    }


def count_words(text: str) -> int:
    """Words as a reader counts them: '- ' list marks and punctuation are not words; 'low-power' is one."""
    return len(WORD.findall(text))


def unexplained_jargon(body: str) -> list:
    return sorted(
        {
            term
            for line in body.splitlines()
            for term, (found, explained) in JARGON.items()
            if found.search(line) and not explained.search(line)
        }
    )


def test_no_answer_names_a_brace_the_guide_does_not_name():
    """The guide says 'brace' ('an assistive brace'), never AFO or orthosis (patients may still type them)."""
    offenders = [n for n, t in all_response_texts().items() if re.search(r"\bAFOs?\b|orthos[ie]s|orthotic", t, re.I)]
    assert not offenders, offenders
    assert not re.search(r"\bAFO\b|orthos", (ROOT / "content" / "foot-drop.txt").read_text(), re.I)


def test_no_answer_says_more_about_a_tendon_rupture_than_the_guide():
    """The guide says 'tendon rupture' and 'tear of the anterior tibialis tendon', not how complete a tear is."""
    pattern = re.compile(r"\b(fully|completely|totally)\s+(torn|tore|ruptured)\b|\bcomplete\s+(tear|rupture)\b", re.I)
    offenders = [n for n, t in all_response_texts().items() if pattern.search(t)]
    assert not offenders, offenders


def test_no_answer_calls_a_listed_symptom_or_cause_common():
    """The guide lists the symptoms and causes; how common each one is, it does not say."""
    pattern = re.compile(r"\bcommon\b(\s+\w+){0,2}?\s+(symptoms?|signs?|causes?)\b", re.I)
    offenders = {n: m.group(0) for n, t in TOPIC_ANSWERS.items() for m in [pattern.search(t)] if m}
    assert not offenders, offenders


@pytest.mark.parametrize("name", sorted(TOPIC_ANSWERS))
def test_the_shin_is_named_only_as_the_guide_names_it(name):
    """The guide's one line about the shin: 'Damage to the peroneal or fibula nerve along the front of the
    shin may result in foot drop' (Causes). It does not say where the nerve runs."""
    assert "nerve along the front of the shin" in SECTIONS["Causes"]
    answer = split_answer(TOPIC_ANSWERS[name])
    assert not re.search(r"\bruns?\b[^.]*\bshin\b", answer.body, re.I), name
    for match in re.finditer(r"front of the shin", answer.body, re.I):
        assert answer.body[: match.start()].lower().endswith("nerve along the "), name
        assert "Causes" in answer.sources, name


@pytest.mark.parametrize("name", sorted(TOPIC_ANSWERS))
def test_an_answer_with_facts_from_background_cites_it(name):
    """'Lifting the front of the foot (dorsiflexion)', 'not a disease', 'neurological, muscular or
    anatomical' are Background & Etiology's; an answer that uses them cites it."""
    background, anatomy = SECTIONS["Background & Etiology"], SECTIONS["Anatomy"]
    assert "lifting the front of the foot (dorsiflexion)" in background and not LIFTING.search(anatomy)
    answer = split_answer(TOPIC_ANSWERS[name])
    uses_background = BACKGROUND_FACTS.search(answer.body) or (
        "Anatomy" in answer.sources and LIFTING.search(answer.body)
    )
    if uses_background:
        assert "Background & Etiology" in answer.sources, f"{name}: cites {answer.sources}"


def test_the_causes_answer_says_they_vary_in_severity_and_some_are_rarer():
    answer = split_answer(RESPONSES["utter_ask_causes"][0]["text"])
    assert "vary in their severity" in SECTIONS["Treatment"]
    assert re.search(r"vary in (how serious|(their )?severity)", answer.body, re.I), answer.body
    assert "Treatment" in answer.sources
    assert re.search(r"\bmuch rarer than others\b", answer.body, re.I), answer.body


def test_the_causes_answer_is_under_90_words():
    answer = split_answer(RESPONSES["utter_ask_causes"][0]["text"])
    words = count_words(f"{answer.body}\n{answer.care_note}")
    assert words < CAUSES_MAX_WORDS, f"utter_ask_causes: {words} words (body and care note), limit {CAUSES_MAX_WORDS}"


def test_count_words_counts_words_not_list_marks():
    assert count_words("- Hands-on care (manual therapy)\n- A stroke, that's all.") == 8


@pytest.mark.parametrize("name", sorted(TOPIC_ANSWERS))
def test_jargon_an_answer_keeps_is_explained_in_plain_words(name):
    body = split_answer(TOPIC_ANSWERS[name]).body
    missing = unexplained_jargon(body)
    assert not missing, f"{name}: explain {missing} on the line that uses it ({[JARGON[t][1].pattern for t in missing]})"
    if JARGON["ultrasound"][0].search(body):
        assert re.search(r"therapist", body, re.I), f"{name}: say that ultrasound is given by the therapist"


def test_the_jargon_check_is_live_and_catches_a_bare_term():
    bodies = [split_answer(t).body for t in TOPIC_ANSWERS.values()]
    unused = [term for term, (found, _) in JARGON.items() if not any(found.search(b) for b in bodies)]
    assert not unused, f"no answer uses {unused}: drop them from JARGON"
    assert unexplained_jargon("Treatments include ultrasound and cold laser.\nALS can cause it.") == [
        "ALS", "cold laser", "ultrasound",
    ]
    assert unexplained_jargon("ALS (a disease that affects the brain and spinal cord)") == []
    # The guide's own explanations, which the answers reuse.
    assert "affect the spinal cord and brain" in SECTIONS["Causes"]
    assert "like muscular dystrophy, that cause weakness" in SECTIONS["Causes"]


def test_no_response_hard_codes_an_emergency_number():
    """The number comes from clinic.yml through the {emergency_number} placeholder."""
    offenders = [n for n, t in all_response_texts().items() if re.search(r"\b(911|999|112|000)\b", t)]
    assert not offenders, offenders
    assert any("{emergency_number}" in t for t in all_response_texts().values())
