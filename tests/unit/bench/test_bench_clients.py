"""bench/clients.py against fake servers: the REST client follows the secret protocol, the
socket.io client opens a session and gathers a turn's messages, the blocking client keeps each
conversation's secret."""

from __future__ import annotations

import aiohttp
import pytest
import socketio

from bench import clients
from bench.clients import SECRET, ReplyError, RestConversation, Secrets, SocketConversation


def test_secret_given_and_without_secret():
    replies = [{"text": "hello"}, {"custom": {SECRET: "abc"}}, {"custom": {"other": 1}}]
    assert clients.secret_given(replies) == "abc"
    assert clients.without_secret(replies) == [{"text": "hello"}, {"custom": {"other": 1}}]
    assert clients.secret_given([{"text": "hello"}]) is None


def test_stored_id_is_made_from_sender_and_secret():
    assert clients.stored_id("widget-session", None) == "widget-session"
    made = clients.stored_id("patient", "s" * 32)
    assert made.startswith("c-") and made != clients.stored_id("patient", "t" * 32)
    assert made == clients.stored_id("patient", "s" * 32)


async def test_rest_conversation_sends_back_the_secret_of_its_first_reply(fake_rasa):
    async with aiohttp.ClientSession() as http:
        conversation = RestConversation(http, fake_rasa.url)
        latency, first = await conversation.ask("hi")
        assert latency >= 0
        assert first == [{"recipient_id": conversation.sender, "text": "you said hi"}]  # the secret's message taken out
        assert conversation.secret == fake_rasa.secrets[conversation.sender]
        _latency, second = await conversation.ask("what is foot drop")
    assert second == [{"recipient_id": conversation.sender, "text": "you said what is foot drop"}]
    assert "metadata" not in fake_rasa.bodies[0]
    assert fake_rasa.bodies[1]["metadata"] == {SECRET: conversation.secret}
    assert len(fake_rasa.secrets) == 1  # the second message continued the same conversation


async def test_rest_conversation_without_a_secret_works_as_with_stock_rasa(fake_rasa):
    async with aiohttp.ClientSession() as http:
        conversation = RestConversation(http, fake_rasa.url)
        _latency, messages = await conversation.ask("empty")
        assert messages == []
        assert conversation.secret is None
        assert conversation.body("hello") == {"sender": conversation.sender, "message": "hello"}


async def test_rest_conversation_raises_on_another_status(fake_rasa):
    async with aiohttp.ClientSession() as http:
        with pytest.raises(ReplyError, match="HTTP 500"):
            await RestConversation(http, fake_rasa.url).ask("fail")


async def test_socket_conversation_opens_a_session_and_gathers_a_turn(fake_socketio):
    conversation = await SocketConversation.open(fake_socketio.url)
    try:
        latency, messages = await conversation.ask("hello")
        assert latency >= 0
        assert [m["text"] for m in messages] == ["you said hello", "and one more thing"]
        _latency, messages = await conversation.ask("again")
        assert [m["text"] for m in messages] == ["you said again", "and one more thing"]
    finally:
        await conversation.close()
    assert fake_socketio.seen[0] == ("session_request", {"session_id": conversation.session_id})
    assert fake_socketio.seen[1] == ("user_uttered", {"message": "hello", "session_id": conversation.session_id})
    assert not conversation.client.connected


async def test_socket_conversation_that_cannot_connect_raises():
    with pytest.raises(socketio.exceptions.ConnectionError):
        await SocketConversation.open("http://127.0.0.1:9")  # discard port: nothing listens


def test_secrets_keep_each_conversation_secret(fake_rasa):
    secrets = Secrets()
    first = secrets.send(fake_rasa.url, "hi", sender="ann")
    assert first.json() == [{"recipient_id": "ann", "text": "you said hi"}]
    secret = fake_rasa.secrets["ann"]
    assert secrets.stored_id(fake_rasa.url, "ann") == clients.stored_id("ann", secret)
    secrets.send(fake_rasa.url, "and then", sender="ann", metadata={"extra": 1})
    assert fake_rasa.bodies[-1]["metadata"] == {"extra": 1, SECRET: secret}
    raw = secrets.send(fake_rasa.url, "hi", sender="bob", raw=True)
    assert raw.json()[-1] == {"recipient_id": "bob", "custom": {SECRET: fake_rasa.secrets["bob"]}}
    assert secrets.send(fake_rasa.url, "fail", sender="ann").status_code == 500
    assert secrets.stored_id(fake_rasa.url, "never-sent") == "never-sent"


def test_secrets_for_a_socketio_session():
    secrets = Secrets()
    assert secrets.session_request("http://x", "sid-1") == {"session_id": "sid-1"}
    assert secrets.confirmed("http://x", {"session_id": "sid-1", SECRET: "k" * 32}) == "sid-1"
    assert secrets.session_request("http://x", "sid-1") == {"session_id": "sid-1", SECRET: "k" * 32}
    assert secrets.session_request("http://other", "sid-1") == {"session_id": "sid-1"}
    assert secrets.session_request("http://x", 12) == {"session_id": 12}
