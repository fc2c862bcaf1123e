"""Clients that talk to the assistant as a program following the README's protocol does
("Talking to the assistant from another program"): over REST, and over socket.io as the web
widget does.

The protocol (footdrop_rasa/channels/ownership.py): the reply that starts a conversation
carries a **secret** in a message of its own, ``{"custom": {"conversation_secret": ...}}``; the
client keeps it and sends it back with every later message (REST: in ``metadata``; socket.io:
in its ``session_request``, the secret coming in ``session_confirm``). A message without it, or
with a wrong one, starts a fresh conversation. The secret's message is not shown to a patient
(``without_secret``). Stock Rasa gives no secret: the same clients work with it unchanged.

- ``RestConversation``: one REST conversation on an aiohttp session (the bench, the paced
  patients of bench/load.py);
- ``SocketConversation``: one socket.io connection and session (the bench);
- ``Secrets``: a blocking client (requests) that keeps the secret of every conversation it
  started, by server and sender, for programs and tests that send one message at a time.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any, Dict, List, Optional, Protocol, Tuple

import aiohttp
import requests
import socketio

from footdrop_rasa.channels import ownership

# python-engineio 4.15's websocket client builds an aiohttp.ClientWSTimeout (aiohttp 3.10+); Rasa
# 3.6 pins aiohttp 3.9, whose ws_connect takes that close timeout as a plain number of seconds.
if not hasattr(aiohttp, "ClientWSTimeout"):
    aiohttp.ClientWSTimeout = lambda ws_close=10.0, **_: ws_close

#: the key of the secret in a reply's ``custom`` and in a message's ``metadata``
SECRET = ownership.KEY
WEBHOOK = "/webhooks/rest/webhook"
CHANNELS = ("rest", "socketio")
TIMEOUT_S = 30.0  # longer than our channels' 20 s reply_timeout: their fallback arrives first
QUIET_S = 0.3
# Our socket.io channel refuses pages from origins not in credentials.yml's allowed_origins.
ORIGIN = "http://localhost:8080"


def secret_given(replies: List[Dict[str, Any]]) -> Optional[str]:
    """The secret a REST reply gives (in its last message that has one), if any."""
    given = [r["custom"][SECRET] for r in replies if SECRET in (r.get("custom") or {})]
    return given[-1] if given else None


def without_secret(replies: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The replies a patient sees: all but the secret's message."""
    return [r for r in replies if SECRET not in (r.get("custom") or {})]


def stored_id(sender: str, secret: Optional[str]) -> str:
    """The id the assistant stores a REST conversation under: made from the sender and the
    secret its first reply gave; without a secret (a socket.io session id), the sender itself."""
    return ownership.conversation_id(sender, secret) if secret else sender


class ReplyError(Exception):
    """An answer that is not a reply (an HTTP status other than 200)."""


class Conversation(Protocol):
    async def ask(self, text: str) -> Tuple[float, List[Dict[str, Any]]]:
        """Seconds to the reply, and the reply's bot messages."""

    async def close(self) -> None:
        ...


class RestConversation:
    """One REST conversation; with the project's channel, it sends back the secret its first
    reply gave (footdrop_rasa/channels/ownership.py: the README's protocol). Stock Rasa gives none."""

    SECRET = SECRET

    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self.http, self.url, self.sender = http, url, uuid.uuid4().hex
        self.secret: Optional[str] = None

    def body(self, text: str) -> Dict[str, Any]:
        """The JSON to post for `text`: with the conversation's secret once it has one."""
        body: Dict[str, Any] = {"sender": self.sender, "message": text}
        if self.secret:
            body["metadata"] = {SECRET: self.secret}
        return body

    def take(self, messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """Keeps the secret a reply gives; the reply without it."""
        self.secret = secret_given(messages) or self.secret
        return without_secret(messages)

    async def ask(self, text: str) -> Tuple[float, List[Dict[str, Any]]]:
        body = self.body(text)
        began = time.monotonic()
        async with self.http.post(f"{self.url}{WEBHOOK}", json=body) as answer:
            if answer.status != 200:
                raise ReplyError(f"HTTP {answer.status}")
            messages = await answer.json()
        elapsed = time.monotonic() - began
        return elapsed, self.take(messages)

    async def close(self) -> None:
        pass


class SocketConversation:
    """One socket.io connection and session, as the web widget opens them."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        self.messages: asyncio.Queue = asyncio.Queue()
        self.session_id = str(uuid.uuid4())
        self.client.on("bot_uttered", self.messages.put)

    @classmethod
    async def open(cls, url: str, origin: str = ORIGIN) -> SocketConversation:
        conversation = cls()
        confirmed = asyncio.get_running_loop().create_future()
        conversation.client.on("session_confirm", lambda _session: confirmed.done() or confirmed.set_result(True))
        try:
            await conversation.client.connect(url, headers={"Origin": origin}, transports=["websocket"],
                                              socketio_path="/socket.io", wait_timeout=TIMEOUT_S)
            await conversation.client.emit("session_request", {"session_id": conversation.session_id})
            await asyncio.wait_for(confirmed, TIMEOUT_S)
        except BaseException:
            await conversation.close()
            raise
        return conversation

    async def ask(self, text: str) -> Tuple[float, List[Dict[str, Any]]]:
        """Latency to the first `bot_uttered`; the turn ends after QUIET_S without another (not
        counted in the latency), so that a reply's trailing messages are never taken for the
        next reply."""
        while not self.messages.empty():  # late messages of the previous turn, if any
            self.messages.get_nowait()
        began = time.monotonic()
        await self.client.emit("user_uttered", {"message": text, "session_id": self.session_id})
        messages = [await asyncio.wait_for(self.messages.get(), TIMEOUT_S)]
        latency = time.monotonic() - began
        while True:  # the rest of this turn's messages
            try:
                messages.append(await asyncio.wait_for(self.messages.get(), QUIET_S))
            except asyncio.TimeoutError:
                return latency, messages

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.client.disconnect(), TIMEOUT_S)
        except (asyncio.TimeoutError, socketio.exceptions.SocketIOError):
            pass


class Secrets:
    """A blocking client that keeps each conversation's secret, by server and sender, as the
    protocol asks, and sends it with every later message or ``session_request``."""

    def __init__(self) -> None:
        self.kept: Dict[Tuple[str, str], str] = {}

    def send(self, base_url: str, message: Any, sender: Optional[str] = None, metadata: Optional[dict] = None,
             raw: bool = False, timeout: float = 60) -> requests.Response:
        """Posts a message with the secret the server gave for this sender, if any, in
        ``metadata``; the reply's secret is kept and, unless ``raw``, its message taken out of
        the response (as the widget does not show it)."""
        sender = sender or uuid.uuid4().hex
        secret = self.kept.get((base_url, sender))
        sent_metadata = {**(metadata or {}), **({SECRET: secret} if secret else {})}
        response = requests.post(
            f"{base_url}{WEBHOOK}",
            json={"sender": sender, "message": message, **({"metadata": sent_metadata} if sent_metadata else {})},
            timeout=timeout,
        )
        if response.status_code == 200 and isinstance(response.json(), list):
            replies = self.remember(base_url, sender, response.json())
            if not raw:
                response._content = json.dumps(replies).encode("utf-8")
        return response

    def remember(self, base_url: str, sender: str, replies: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """Keeps the secret a reply gives for ``sender``'s conversation; the replies without it."""
        secret = secret_given(replies)
        if secret:
            self.kept[(base_url, sender)] = secret
        return without_secret(replies)

    def stored_id(self, base_url: str, sender: str) -> str:
        """The id the conversation of ``sender`` (started with ``send``) is stored under; a sender
        ``send`` never started a conversation for (a socket.io session id) as it is."""
        return stored_id(sender, self.kept.get((base_url, sender)))

    def session_request(self, base_url: str, session_id: Any) -> Dict[str, Any]:
        """The widget's ``session_request`` data: the session id, and its secret once one was given."""
        secret = self.kept.get((base_url, session_id)) if isinstance(session_id, str) else None
        return {"session_id": session_id, **({SECRET: secret} if secret else {})}

    def confirmed(self, base_url: str, data: Dict[str, Any]) -> str:
        """Keeps the secret a socket.io ``session_confirm`` gives; returns the session id."""
        self.kept[(base_url, data["session_id"])] = data[SECRET]
        return data["session_id"]
