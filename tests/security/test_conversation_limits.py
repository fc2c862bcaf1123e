"""One conversation cannot flood the assistant or fill the store (issue 16, footdrop/limits.py):
past its burst, a message gets a polite reply (REST: a 429 with Retry-After) and is not stored;
after the wait, the conversation is answered as before. On the real server, both channels."""

from __future__ import annotations

import time
import uuid

import requests

from footdrop.limits import Limits
from support.project import filled
from support.rest_client import send
from support.socketio_client import Patient

LIMITS = Limits()  # what credentials.yml leaves at the defaults
SLOW_DOWN = "You are sending messages faster than I can read them."


def test_a_rest_conversation_past_its_burst_is_asked_to_wait_then_answered(assistant, domain):
    sender = uuid.uuid4().hex
    answered, refused = 0, None
    for n in range(LIMITS.burst + 10):
        response = send(assistant, f"what is foot drop {n}", sender)
        if response.status_code == 429:
            refused = response
            break
        assert response.status_code == 200
        answered += 1
    assert refused is not None, "the burst never ran out"
    assert answered >= LIMITS.burst
    [reply] = refused.json()
    assert reply["recipient_id"] == sender and reply["text"].startswith(SLOW_DOWN)
    assert "In an emergency, call" in reply["text"], "a refused patient still gets the emergency number"
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 60 / LIMITS.per_minute + 1
    assert f"what is foot drop {answered}" not in assistant.user_texts(sender), "the refused message was not stored"

    time.sleep(wait)
    after = send(assistant, "what is foot drop", sender)
    assert after.status_code == 200
    assert [r.get("text") for r in after.json()] == [filled(domain["responses"]["utter_ask_what_is_foot_drop"][0]["text"])]
    assert assistant.user_texts(sender)[-1] == "what is foot drop", "the same conversation goes on"


def test_other_conversations_are_served_while_one_is_refused(assistant):
    busy = uuid.uuid4().hex
    while send(assistant, "hello", busy).status_code != 429:
        pass
    other = send(assistant, "hello")
    assert other.status_code == 200 and other.json()[0]["text"]


async def test_a_widget_session_past_its_burst_is_asked_to_wait_then_answered(assistant, web_port, domain):
    patient = Patient(assistant, f"http://127.0.0.1:{web_port}")
    await patient.connect()
    try:
        session_id = await patient.request_session(str(uuid.uuid4()))
        for n in range(LIMITS.burst + 10):
            await patient.say(f"hello {n}", session_id)
            if patient.texts()[-1].startswith(SLOW_DOWN):
                break
        assert patient.texts()[-1].startswith(SLOW_DOWN), "the burst never ran out"
        assert n >= LIMITS.burst
        time.sleep(60 / LIMITS.per_minute + 0.5)
        await patient.say("what is foot drop", session_id)
        expected = filled(domain["responses"]["utter_ask_what_is_foot_drop"][0]["text"])
        for _ in range(100):  # say() returns at the turn's first message
            if patient.texts()[-1] == expected:
                break
            time.sleep(0.05)
        assert patient.texts()[-1] == expected
    finally:
        await patient.client.disconnect()


def test_a_request_that_is_not_json_gets_a_415_with_a_kind_reply(assistant):
    """A web page can post text/plain, a form or a typeless blob to any site without the
    browser asking the site first; JSON only after CORS consents (which this server never
    does). So only JSON is read; the rest is refused, kindly, and stores nothing."""
    sender = uuid.uuid4().hex
    body = '{"sender": "%s", "message": "what is foot drop"}' % sender
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None):
        headers = {"Content-Type": content_type} if content_type else {}
        response = requests.post(f"{assistant}/webhooks/rest/webhook", data=body.encode(), headers=headers, timeout=30)
        assert response.status_code == 415, content_type
        assert [r["text"] for r in response.json()] == [
            "Sorry, I could not read that message. Send it as JSON, with the header Content-Type: application/json."
        ]
    assert assistant.user_texts(sender) == []
    for content_type in ("application/json; charset=utf-8", "application/vnd.footdrop+json"):
        response = requests.post(
            f"{assistant}/webhooks/rest/webhook", data=body.encode(), headers={"Content-Type": content_type}, timeout=30
        )
        assert response.status_code == 200 and response.json()[0]["text"], content_type
