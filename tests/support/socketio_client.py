"""Socket.io clients as the widget connects (python-socketio, polling: its websocket client needs a
newer aiohttp than Rasa 3.6 allows; the browser tests cover the widget's websocket transport)."""

from __future__ import annotations

import asyncio
from typing import Any, List, Optional

import socketio

from support import rest_client as session


async def ask(base_url: str, session_id: str, text: str) -> list:
    """Connects as the widget does, sends one message and collects the turn's replies."""
    client = socketio.AsyncClient(reconnection=False)
    replies, confirmed, arrived = [], asyncio.Event(), asyncio.Event()

    @client.on("session_confirm")
    async def on_confirm(data):
        session.confirmed(base_url, data)  # keeps the conversation's secret, as the widget does
        confirmed.set()

    @client.on("bot_uttered")
    async def on_reply(data):
        replies.append(data)
        arrived.set()

    await client.connect(base_url, socketio_path="/socket.io", transports=["polling"])
    try:
        await client.emit("session_request", session.session_request(base_url, session_id))
        await asyncio.wait_for(confirmed.wait(), 10)
        await client.emit("user_uttered", {"message": text, "session_id": session_id})
        await asyncio.wait_for(arrived.wait(), 20)
        while True:  # the turn's further messages, until 2 s pass without one
            arrived.clear()
            try:
                await asyncio.wait_for(arrived.wait(), 2)
            except asyncio.TimeoutError:
                break
    finally:
        await client.disconnect()
    return replies


class Patient:
    """One widget-like connection that keeps everything the server sends it."""

    def __init__(self, base_url: str, origin: Optional[str]):
        self.base_url, self.origin = base_url, origin
        self.client = socketio.AsyncClient(reconnection=False)
        self.replies: List[dict] = []
        self.confirms: asyncio.Queue = asyncio.Queue()
        self.arrived = asyncio.Event()
        self.client.on("session_confirm", self.confirms.put)

        @self.client.on("bot_uttered")
        async def on_reply(data):
            self.replies.append(data)
            self.arrived.set()

    async def connect(self) -> None:
        """As a browser page of ``origin`` does; with no Origin header when it is None (a program)."""
        await self.client.connect(
            self.base_url, socketio_path="/socket.io", transports=["polling"],
            headers={"Origin": self.origin} if self.origin else {},
        )

    async def request_session(self, session_id: Any) -> str:
        """Asks for a session as the widget does (with its secret, if one was given for it);
        returns the one the server confirmed, and keeps the secret it gave."""
        await self.client.emit("session_request", session.session_request(self.base_url, session_id))
        return session.confirmed(self.base_url, await asyncio.wait_for(self.confirms.get(), 10))

    async def say(self, text: str, session_id: Any) -> None:
        """Sends a message naming ``session_id`` and waits for this connection's next reply."""
        count = len(self.replies)
        self.arrived.clear()
        await self.client.emit("user_uttered", {"message": text, "session_id": session_id})
        while len(self.replies) == count:
            await asyncio.wait_for(self.arrived.wait(), 30)
            self.arrived.clear()

    def texts(self) -> List[str]:
        return [r.get("text") for r in self.replies]
