"""Session ids on the widget's socket.io channel: random uuid4s that a client cannot guess or
borrow. Rasa's own channel joins any session id a client names ("patient-1") and files each
message under the id it carries; ours issues a fresh uuid4 for anything else and keeps every
connection to the session it was confirmed. Real python-socketio clients, the real assistant."""

from __future__ import annotations

import uuid

import pytest

from footdrop_rasa.channels.kind import is_session_id
from support.socketio_client import Patient


@pytest.fixture
def origin(web_port) -> str:
    return f"http://127.0.0.1:{web_port}"


def answer(domain, intent: str) -> str:
    return domain["responses"][f"utter_{intent}"][0]["text"]


async def test_a_uuid4_session_id_is_kept_in_either_spelling(assistant, origin):
    patient = Patient(assistant, origin)
    await patient.connect()
    try:
        for session_id in (uuid.uuid4().hex, str(uuid.uuid4())):  # as Rasa issues it; as the widget does
            assert await patient.request_session(session_id) == session_id
    finally:
        await patient.client.disconnect()


async def test_a_malformed_or_guessable_session_id_gets_a_fresh_uuid4(assistant, origin):
    patient = Patient(assistant, origin)
    await patient.connect()
    try:
        issued = set()
        for asked in ("patient-1", "1", "", "0" * 32, uuid.uuid1().hex, "../../admin", 42, None):
            confirmed = await patient.request_session(asked)
            assert is_session_id(confirmed) and confirmed != asked, (asked, confirmed)
            issued.add(confirmed)
        assert len(issued) == 8  # a new one every time: no shared "guest" conversation
    finally:
        await patient.client.disconnect()


async def test_a_guessed_session_id_does_not_join_another_patients_conversation(assistant, origin, domain):
    victim, intruder = Patient(assistant, origin), Patient(assistant, origin)
    await victim.connect()
    await intruder.connect()
    try:
        victims_session = await victim.request_session("patient-1")
        intruders_session = await intruder.request_session("patient-1")  # the same guess
        assert intruders_session != victims_session

        await victim.say("what is foot drop", victims_session)
        # Even naming the victim's real session in its messages, the intruder talks in its own.
        await intruder.say("what causes foot drop", victims_session)
        # The victim's next reply comes after anything the intruder's turn could have sent it.
        await victim.say("thanks", victims_session)

        assert victim.texts() == [answer(domain, "ask_what_is_foot_drop"), answer(domain, "thank")]
        assert intruder.texts() == [answer(domain, "ask_causes")]
        assert assistant.user_texts(victims_session) == ["what is foot drop", "thanks"]
        assert assistant.user_texts(intruders_session) == ["what causes foot drop"]
    finally:
        await victim.client.disconnect()
        await intruder.client.disconnect()


async def test_two_patients_never_see_each_others_replies(assistant, origin, domain):
    first, second = Patient(assistant, origin), Patient(assistant, origin)
    await first.connect()
    await second.connect()
    try:
        first_session = await first.request_session(str(uuid.uuid4()))
        second_session = await second.request_session(uuid.uuid4().hex)
        await first.say("what is foot drop", first_session)
        await second.say("what causes foot drop", second_session)
        await first.say("thanks", first_session)  # after anything the second's turn could send it
        await second.say("bye", second_session)
        assert first.texts() == [answer(domain, "ask_what_is_foot_drop"), answer(domain, "thank")]
        assert second.texts() == [answer(domain, "ask_causes"), answer(domain, "goodbye")]
    finally:
        await first.client.disconnect()
        await second.client.disconnect()
