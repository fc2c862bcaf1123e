"""The clarifying question and the answer after the safety question, from the running assistant
(the decisions themselves: tests/unit/test_clarify.py)."""

from __future__ import annotations

import uuid


from footdrop.clarify import (
    load_titles, load_wording,
)
from support.project import filled
from support.rest_client import send

WORDING = load_wording()
TITLES = load_titles()


# Held-out questions (never trained on) that the classifier was unsure about when this was
# written; at least one must get the question from the running assistant.
UNSURE = [
    "what kinds of problems result in drop foot",
    "what symptons do foot drop patients get",
    "is drop foot something that clears up eventually",
    "any treatmant out there for drop foot?",
    "bracing for drop foot",
]


def test_the_running_assistant_asks_do_you_mean_with_topic_buttons(assistant):
    asked = []
    for text in UNSURE:
        replies = send(assistant, text).json()
        if replies and replies[0]["text"] == WORDING.question:
            asked.append(replies[0])
    assert asked, "none of the unsure questions got the clarifying question"
    for reply in asked:
        payloads = [b["payload"] for b in reply["buttons"]]
        assert 2 <= len(payloads) <= 4 and payloads[-1] == "/bot_capabilities"
        assert all(p[1:] in TITLES for p in payloads[:-1])


# ------------------------------------------------------------------ after the safety question
# "Before I answer, one safety question: is this happening now ...?" -- on "no", the question.


def test_no_to_the_safety_question_answers_the_question_the_patient_asked(assistant, domain):
    from support.rest_client import is_emergency

    sender = "after-safety-" + uuid.uuid4().hex
    asked = send(assistant, "my dad's feet are both getting floppy, can foot drop happen in both feet?", sender).json()
    assert "is this happening now" in asked[-1]["text"].lower()
    no = send(assistant, "/deny", sender).json()
    assert not is_emergency(no)
    said = [r.get("text") for r in no]
    assert "talk to a doctor about it today" in said[0]
    assert said[-1] == filled(domain["responses"]["utter_ask_one_or_both_feet"][0]["text"])


def test_no_to_a_safety_question_with_no_question_in_it_invites_one(assistant, domain):
    sender = "after-safety-" + uuid.uuid4().hex
    send(assistant, "should I go to A&E?", sender)
    no = send(assistant, "/deny", sender).json()
    invitation = domain["responses"]["utter_after_safety_question"][0]
    assert no[-1]["text"] == invitation["text"]
    assert [b["payload"] for b in no[-1]["buttons"]] == ["/check_symptoms"]
