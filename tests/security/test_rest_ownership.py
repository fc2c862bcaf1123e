"""A patient's REST conversation belongs to the client that started it (issue 16): knowing its
``sender`` id is not enough to read or continue it. Probed as someone on the network would,
against the real, trained server (``tests/conftest.py``'s ``assistant``), with the README's
protocol (``footdrop_rasa/channels/ownership.py``)."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from footdrop.check_questions import load_questions
from footdrop_rasa.channels import ownership
from support.rest_client import SECRETS, send, stored_id

QUESTIONS = load_questions()
VICTIM_ANSWERS = {"affected_side": "Right foot", "onset": "Over days to weeks", "preceded_by": "A knee or back problem"}


def post(assistant: str, sender: str, message: str, metadata=None) -> list:
    body = {"sender": sender, "message": message, **({"metadata": metadata} if metadata is not None else {})}
    response = requests.post(f"{assistant}/webhooks/rest/webhook", json=body, timeout=60)
    assert response.status_code == 200
    return response.json()


def secret_of(replies: list) -> str:
    """The secret a reply gives: its last message, and only there."""
    *said, last = replies
    assert set(last) == {"recipient_id", "custom"} and set(last["custom"]) == {ownership.KEY}, replies
    assert not any(ownership.KEY in (r.get("custom") or {}) for r in said)
    return last["custom"][ownership.KEY]


def victim_mid_check(assistant: str) -> tuple:
    """A patient three answers into the symptom check; returns (sender, secret, the replies so far)."""
    sender = uuid.uuid4().hex
    replies = send(assistant, "check my symptoms", sender).json()
    for title in VICTIM_ANSWERS.values():
        button = next(b for b in replies[-1]["buttons"] if b["title"] == title)
        replies = send(assistant, button["payload"], sender).json()
    return sender, SECRETS[(assistant, sender)], replies


def test_the_first_reply_ends_with_a_secret_that_continues_the_conversation(assistant):
    sender = uuid.uuid4().hex
    first = send(assistant, "check my symptoms", sender, raw=True).json()
    secret = secret_of(first)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", secret)  # 192 random bits
    assert {r["recipient_id"] for r in first} == {sender}, "replies name the client's own sender"
    assert first[-2]["text"] == QUESTIONS["affected_side"].ask
    later = send(assistant, "left foot", sender, raw=True).json()
    assert not any(ownership.KEY in (r.get("custom") or {}) for r in later), "a secret is given once"
    assert later[-1]["text"] == QUESTIONS["onset"].ask
    assert assistant.user_texts(sender) == ["check my symptoms", "left foot"]


@pytest.mark.parametrize("attempt", ["no secret", "a made-up secret", "not a secret", "the secret with another sender"])
def test_someone_who_knows_the_sender_id_gets_a_fresh_conversation_and_nothing_of_the_patients(assistant, attempt):
    sender, secret, replies = victim_mid_check(assistant)
    assert replies[-1]["text"] == QUESTIONS["back_leg_pain"].ask
    before = assistant.events(sender)
    metadata, as_sender = {
        "no secret": (None, sender),
        "a made-up secret": ({ownership.KEY: ownership.new_secret()}, sender),
        "not a secret": ({ownership.KEY: {"$ne": ""}}, sender),
        "the secret with another sender": ({ownership.KEY: secret}, uuid.uuid4().hex),
    }[attempt]
    # The attacker answers the patient's next question, as the takeover did before.
    intruder = post(assistant, as_sender, "no", metadata)
    fresh = secret_of(intruder)
    assert fresh != secret
    said = " ".join(str(r.get("text") or "") for r in intruder).lower()
    assert "right foot" not in said and "what you told me" not in said and "knee or back" not in said
    assert QUESTIONS["numbness"].ask not in said, "the patient's check did not go on for the intruder"
    assert assistant.events(sender) == before, "nothing reached the patient's conversation"
    # The patient goes on as if nothing happened.
    button = next(b for b in replies[-1]["buttons"] if b["title"] == "No")
    assert send(assistant, button["payload"], sender).json()[-1]["text"] == QUESTIONS["numbness"].ask


def test_the_secret_is_not_stored_and_the_store_does_not_name_the_sender(assistant):
    sender, secret, _ = victim_mid_check(assistant)
    stored = assistant.tracker_db.read_bytes()
    for suffix in ("-wal",):
        journal = assistant.tracker_db.with_name(assistant.tracker_db.name + suffix)
        stored += journal.read_bytes() if journal.exists() else b""
    assert secret.encode() not in stored
    assert stored_id(assistant, sender) == ownership.conversation_id(sender, secret)
    user_events = [e for e in assistant.events(sender) if e.get("event") == "user"]
    assert len(user_events) == 4 and all(ownership.KEY not in (e.get("metadata") or {}) for e in user_events)


def test_a_secret_the_client_chose_is_never_taken_for_a_new_conversation(assistant):
    chosen = ownership.new_secret()
    replies = post(assistant, uuid.uuid4().hex, "what is foot drop", {ownership.KEY: chosen})
    assert secret_of(replies) != chosen


async def test_claim_keeps_a_stored_conversation_only_for_its_secret():
    """footdrop_rasa/channels/ownership.claim, the one rule both channels follow."""
    secret = ownership.new_secret()
    stored = {ownership.conversation_id("me", secret)}

    async def exists(conversation: str) -> bool:
        return conversation in stored

    assert await ownership.claim("me", secret, exists) == (ownership.conversation_id("me", secret), secret, False)
    for sender, value in (("me", None), ("me", ownership.new_secret()), ("me", {"$ne": ""}), ("you", secret)):
        conversation, fresh, new = await ownership.claim(sender, value, exists)
        assert new and fresh != secret and conversation == ownership.conversation_id(sender, fresh)
        assert conversation not in stored


async def test_a_conversation_started_lately_is_kept_before_its_first_turn_is_stored():
    """A slow first turn: the patient has the fallback and the secret, the store has nothing
    yet. The next message with that secret stays in the conversation; after ``keep_seconds``
    only the store decides."""
    now = [0.0]
    started = ownership.Started(keep_seconds=600, clock=lambda: now[0])

    async def nothing_stored(conversation: str) -> bool:
        return False

    conversation, secret, new = await ownership.claim("me", None, nothing_stored, started)
    assert new
    assert await ownership.claim("me", secret, nothing_stored, started) == (conversation, secret, False)
    other, _, new = await ownership.claim("you", secret, nothing_stored, started)
    assert new and other != conversation, "the secret with another client id is not the conversation"
    now[0] = 601.0
    later, fresh, new = await ownership.claim("me", secret, nothing_stored, started)
    assert new and fresh != secret and later != conversation
