"""The widget's channel over a real socket.io connection: replies arrive with session
persistence on (the python-socketio regression, RasaHQ/rasa#13027), and only allowed page
origins get in, on the websocket transport as well as polling."""

from __future__ import annotations

import uuid

import aiohttp
import pytest

from support.socketio_client import ask

pytestmark = pytest.mark.asyncio


async def test_replies_arrive_over_socketio_with_session_persistence(assistant, domain):
    # With python-socketio >= 5.10 Rasa 3.6 drops every reply here (enter_room not awaited).
    replies = await ask(assistant, uuid.uuid4().hex, "what is foot drop")
    assert [r.get("text") for r in replies] == [domain["responses"]["utter_ask_what_is_foot_drop"][0]["text"]]


async def test_the_same_session_id_continues_the_same_conversation(assistant, domain):
    session_id = uuid.uuid4().hex
    await ask(assistant, session_id, "check my symptoms")
    replies = await ask(assistant, session_id, "left foot")  # a new connection, the same check
    assert replies and "begin" in replies[-1]["text"]
    assert assistant.user_texts(session_id) == ["check my symptoms", "left foot"]


@pytest.mark.parametrize("transport", ["polling", "websocket"])
async def test_pages_from_other_origins_are_refused(assistant, web_port, transport):
    scheme = "ws" if transport == "websocket" else "http"
    url = f"{scheme}{assistant[len('http'):]}/socket.io/?EIO=4&transport={transport}"
    allowed, other = f"http://127.0.0.1:{web_port}", "http://evil.example"
    async with aiohttp.ClientSession() as session:
        if transport == "polling":
            async with session.get(url, headers={"Origin": other}) as refused:
                assert refused.status == 400
            async with session.get(url, headers={"Origin": allowed}) as accepted:
                assert accepted.status == 200
        else:
            with pytest.raises(aiohttp.WSServerHandshakeError):
                await session.ws_connect(url, headers={"Origin": other})
            ws = await session.ws_connect(url, headers={"Origin": allowed})
            opened = await ws.receive(timeout=10)
            assert opened.data.startswith("0")  # Engine.IO "open" packet
            await ws.close()


async def test_the_emergency_marker_arrives_after_its_text(assistant):
    replies = await ask(assistant, uuid.uuid4().hex, "my face is drooping")
    texts = [r for r in replies if "text" in r]
    markers = [r for r in replies if r.get("emergency") is True]
    assert texts and "Call 911 now" in texts[0]["text"]
    assert markers and markers[0]["call"] == "911"
    assert replies.index(markers[0]) > replies.index(texts[0])
