"""A widget's live session belongs to the connection that holds its secret (issue 16): another
client that sends the session's id, with no Origin header (not a browser: any program on the
network), is confirmed into a fresh conversation in a room of its own. It gets none of the
patient's replies, and its messages ("stop") do not touch the patient's symptom check."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from footdrop.check_questions import load_questions
from footdrop_rasa.channels import ownership
from support.socketio_client import Patient

QUESTIONS = load_questions()


async def until_asked(patient: Patient, question: str) -> None:
    """Waits (up to 20 s) until the patient's latest reply is ``question``: a turn may send
    several messages, and ``say`` returns at the first."""
    for _ in range(200):
        if patient.texts() and patient.texts()[-1] == question:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never asked {question!r}: {patient.texts()[-3:]}")


@pytest.mark.parametrize("secret", [None, "made-up"])
async def test_a_live_sessions_id_does_not_join_its_room_or_its_conversation(assistant, web_port, secret):
    victim = Patient(assistant, f"http://127.0.0.1:{web_port}")
    intruder = Patient(assistant, None)
    await victim.connect()
    await intruder.connect()
    try:
        session_id = await victim.request_session(str(uuid.uuid4()))
        await victim.say("check my symptoms", session_id)
        await until_asked(victim, QUESTIONS["affected_side"].ask)
        await victim.say("right foot", session_id)
        await until_asked(victim, QUESTIONS["onset"].ask)
        before = assistant.events(session_id)

        request = {"session_id": session_id}
        if secret:
            request[ownership.KEY] = ownership.new_secret()
        await intruder.client.emit("session_request", request)
        confirmed = await intruder.confirms.get()
        assert confirmed["session_id"] == session_id
        assert confirmed[ownership.KEY] != request.get(ownership.KEY)
        await intruder.say("stop", session_id)

        assert assistant.events(session_id) == before, "nothing reached the patient's conversation"
        await victim.say("over days to weeks", session_id)  # the patient's check goes on
        await until_asked(victim, QUESTIONS["preceded_by"].ask)
        heard = " ".join(str(t) for t in intruder.texts())
        assert QUESTIONS["preceded_by"].ask not in heard and "right foot" not in heard.lower()
    finally:
        await victim.client.disconnect()
        await intruder.client.disconnect()
