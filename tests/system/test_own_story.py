"""Patients' own new problems with a question, over REST: the answer with the offer of the
symptom check, never the bare menu (the recognising itself: tests/unit/test_own_story.py)."""

from __future__ import annotations


from footdrop.clarify import load_wording
from support.rest_client import send

WORDING = load_wording()


# Patients' own new problems with a question (written for this test, not in any training file).
ASKED_WITH_A_STORY = [
    "my foot has been dragging for a few weeks now. will foot drop get better?",
    "my foot got worse this month, does a brace help with foot drop?",
    "I noticed my toes catching since last week. what treatments are there for foot drop?",
    "my left foot started slapping the floor a few weeks ago. can physical therapy help with foot drop?",
]


def test_the_running_assistant_answers_and_offers_the_check_never_the_bare_menu(assistant, domain):
    menu = domain["responses"]["utter_default"][0]["text"]
    check_started = domain["responses"]["utter_symptom_check_intro"][0]["text"][:40]
    answered_and_offered = 0
    for text in ASKED_WITH_A_STORY:
        replies = send(assistant, text).json()
        said = "\n".join(r.get("text") or "" for r in replies)
        payloads = [b["payload"] for r in replies for b in r.get("buttons") or []]
        assert menu not in said, (text, replies)
        # the offer (as a button), or the check itself, or the safety question comes first
        assert "/check_symptoms" in payloads or check_started in said or "/affirm" in payloads, (text, replies)
        answered_and_offered += "From: " in said and WORDING.offer_check in said
    assert answered_and_offered >= 1
    general = send(assistant, "what causes foot drop?").json()
    assert WORDING.offer_check not in "\n".join(r.get("text") or "" for r in general)
