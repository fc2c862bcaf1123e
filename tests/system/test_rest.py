"""End to end over the REST channel of the real, trained server (with its action server)."""

from __future__ import annotations

import uuid

import pytest
import requests

from footdrop.guide import split_answer
from footdrop_rasa.channels import kind
from support.project import filled
from support.rest_client import remember, send
from support.topic_questions import QUESTIONS

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("intent", sorted(QUESTIONS))
def test_each_topic_question_gets_its_answer(assistant, domain, intent):
    response = send(assistant, QUESTIONS[intent])
    assert response.status_code == 200
    replies = response.json()
    expected = domain["responses"][f"utter_{intent}"][0]
    assert [r.get("text") for r in replies] == [filled(expected["text"])], f"{QUESTIONS[intent]!r} -> {replies}"
    if "buttons" in expected:
        assert replies[0]["buttons"] == expected["buttons"]
    answer = split_answer(replies[0]["text"])
    if intent.startswith("ask_"):
        assert answer is not None and answer.sources, "topic answers carry their source"


def test_a_quick_reply_payload_answers_its_topic(assistant, domain):
    menu = send(assistant, "what can you do").json()
    payload = menu[0]["buttons"][1]["payload"]
    replies = send(assistant, payload).json()
    assert replies[0]["text"] == domain["responses"][f"utter_{payload.lstrip('/')}"][0]["text"]


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "x" * 5000,
        "foot " * 1000,
        "😀😀😀",
        "🦶⬇️❓",
        "<b>hello</b><script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "asdfghjkl qwertyuiop",
        "¿Qué es el pie caído?",
        "ये क्या है",
        "\x00\x07\x1b[31mwhat is foot drop\x7f",
        "foot \ud800 drop",
        "\u200b\u200b",
    ],
    ids=[
        "empty", "whitespace", "5000-chars", "5000-chars-words", "emoji", "emoji-foot",
        "html-script", "html-img", "nonsense", "spanish", "hindi", "control-chars", "lone-surrogate",
        "zero-width",
    ],
)
def test_bad_input_gets_a_kind_reply(assistant, message):
    response = send(assistant, message)
    assert response.status_code == 200
    replies = response.json()
    assert replies, f"no reply to {message[:40]!r}"
    assert all(r.get("text") for r in replies)


def test_over_2000_characters_gets_please_keep_it_shorter_without_reaching_the_assistant(assistant):
    sender = uuid.uuid4().hex
    replies = send(assistant, "why does my foot drag " * 100, sender).json()  # 2,200 characters
    assert [r["text"] for r in replies] == [kind.TOO_LONG] and "keep it shorter" in kind.TOO_LONG
    assert assistant.user_texts(sender) == []  # never reached the NLU or the tracker store
    at_the_cap = "a" * kind.MAX_MESSAGE_CHARS
    replies = send(assistant, at_the_cap, sender).json()
    assert replies and kind.TOO_LONG not in [r.get("text") for r in replies]
    assert assistant.user_texts(sender) == [at_the_cap]


@pytest.mark.parametrize(
    "body",
    [
        b'{"sender": "s", "message": "what is foot \xff\xfe drop"}',
        b'{"sender": "s", "message": "unterminated',
        b'["what is foot drop"]',
        b'{"sender": "s", "message": null}',
        b'{"sender": "s", "message": 42}',
        b'{"sender": "s", "message": {"text": "what is foot drop"}}',
        b"",
        b'{"sender": "s", "message": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5000 + b"}",
        b'{"sender": "s", "message": "what is foot drop", "n": ' + b"9" * 5000 + b"}",
    ],
    ids=["invalid-utf8", "broken-json", "json-array", "null", "number", "object", "no-body",
         "nested-5000-deep", "5000-digit-number"],
)
def test_a_body_it_cannot_read_gets_a_kind_reply_and_a_200(assistant, body):
    """Sent as JSON (any other Content-Type gets a 415: tests/security/test_conversation_limits.py)."""
    response = requests.post(f"{assistant}/webhooks/rest/webhook", data=body, headers=JSON, timeout=60)
    assert response.status_code == 200
    assert [r["text"] for r in response.json()] == [kind.UNREADABLE]


@pytest.mark.parametrize(
    "metadata, stored",
    [
        (b'{"a": ' * 900 + b"1" + b"}" * 900, {}),
        (b'{"client": "widget", "a": {"b": 1}}', {}),
        (b'{"client": "widget", "version": 2}', {"client": "widget", "version": 2}),
    ],
    ids=["nested-900-deep", "one-nested-value", "flat"],
)
def test_only_small_flat_metadata_is_stored_and_the_message_is_answered(assistant, domain, metadata, stored):
    """Rasa stores ``metadata`` with every message in the patient database: only a small flat
    object is kept (what a client needs to send), never a deep structure."""
    sender = f"metadata-{uuid.uuid4()}"
    body = b'{"sender": "' + sender.encode() + b'", "message": "what is foot drop", "metadata": ' + metadata + b"}"
    response = requests.post(f"{assistant}/webhooks/rest/webhook", data=body, headers=JSON, timeout=60)
    assert response.status_code == 200
    expected = filled(domain["responses"]["utter_ask_what_is_foot_drop"][0]["text"])
    assert [r.get("text") for r in remember(assistant, sender, response.json())] == [expected]
    [user] = [e for e in assistant.events(sender) if e.get("event") == "user"]
    assert user["text"] == "what is foot drop"
    # Rasa adds its own two keys to every message's metadata
    kept = {k: v for k, v in (user.get("metadata") or {}).items() if k not in ("assistant_id", "model_id")}
    assert kept == stored


def test_messages_without_a_sender_do_not_share_a_conversation(assistant):
    first, second = (
        requests.post(f"{assistant}/webhooks/rest/webhook", json={"message": "hello"}, timeout=60).json()
        for _ in range(2)
    )
    assert first[0]["text"] and second[0]["text"]
    # Rasa files them all under "default"; each gets a fresh conversation id instead.
    assert first[0]["recipient_id"] != second[0]["recipient_id"]
    assert assistant.user_texts("default") == []


def test_patient_text_never_reaches_the_log(assistant):
    marked = [
        "<script>alert('log-check-1')</script>",
        "my foot drags, log-check-2",
        "log-check-3 " * 300,  # over the cap
        "\x00log-check-4\x1b",
        "/log-check-5 what is foot drop",  # Rasa logs a "/" message that is no button's payload
        "/log_check_6",
    ]
    for text in marked:
        assert send(assistant, text).status_code == 200
    log = assistant.log.read_text(errors="replace")
    assert "log-check" not in log and "log_check" not in log


def test_unknown_input_offers_the_topics_instead_of_guessing(assistant, domain):
    replies = send(assistant, "asdfghjkl qwertyuiop").json()
    fallback_texts = {
        domain["responses"]["utter_default"][0]["text"],
        domain["responses"]["utter_out_of_scope"][0]["text"],
    }
    assert replies[0]["text"] in fallback_texts
    assert len(replies[0]["buttons"]) >= 5


def test_conversation_continues_with_the_same_sender(assistant, domain):
    sender = uuid.uuid4().hex
    send(assistant, "hi", sender)
    send(assistant, "what causes foot drop", sender)
    replies = send(assistant, "thanks", sender).json()
    assert replies[0]["text"] == domain["responses"]["utter_thank"][0]["text"]


def test_the_health_route_says_ok_once_the_model_is_loaded(assistant):
    """`make serve`'s health check of Rasa (a 503 while no model is loaded: tests/system/test_faults.py)."""
    health = requests.get(f"{assistant}/webhooks/rest/", timeout=10)
    assert health.status_code == 200 and health.json() == {"status": "ok"}
