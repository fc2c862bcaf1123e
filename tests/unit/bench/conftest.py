"""Fakes for bench/'s unit tests: a REST webhook that answers as the project's channel does (a
secret in the first reply of a conversation), a socket.io server that answers as the widget's
channel does, both on 127.0.0.1; no Rasa, no model."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List

import pytest
import socketio
from aiohttp import web

from bench.clients import SECRET
from bench.load import fallback_text


class FakeRasa:
    """What the fake REST webhook saw and gave: every body posted, and each sender's secret.
    Messages "empty", "fallback" and "fail" get [], the clinic fallback and an HTTP 500."""

    def __init__(self) -> None:
        self.bodies: List[Dict[str, Any]] = []
        self.secrets: Dict[str, str] = {}
        self.url = ""

    def answer(self, body: Dict[str, Any]) -> tuple:
        self.bodies.append(body)
        sender, text = body["sender"], body["message"]
        if text == "fail":
            return 500, {"error": "boom"}
        if text == "empty":
            return 200, []
        given = (body.get("metadata") or {}).get(SECRET)
        replies: List[Dict[str, Any]] = [{"recipient_id": sender,
                                          "text": fallback_text() if text == "fallback" else f"you said {text}"}]
        if given is None or given != self.secrets.get(sender):  # a new conversation, a new secret
            self.secrets[sender] = uuid.uuid4().hex
            replies.append({"recipient_id": sender, "custom": {SECRET: self.secrets[sender]}})
        return 200, replies


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def reply(self, status: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path in ("/", "/webhooks/rest/", "/health"):
                self.reply(200, {"status": "ok"})
            else:
                self.reply(404, {})

        def do_POST(self) -> None:
            if self.path != "/webhooks/rest/webhook":
                self.reply(404, {})
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            self.reply(*fake.answer(body))

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


class FakeWidgetChannel:
    """What the fake socket.io channel saw: each session_request and user_uttered, by event."""

    def __init__(self) -> None:
        self.seen: List[tuple] = []
        self.url = ""


@pytest.fixture
async def fake_socketio() -> Any:
    """A socket.io server as the widget's channel: `session_confirm` with a secret, then two
    `bot_uttered` for each `user_uttered`, which it acknowledges as accepted."""
    fake = FakeWidgetChannel()
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")

    @sio.on("session_request")
    async def session_request(sid: str, data: Dict[str, Any]) -> None:
        fake.seen.append(("session_request", data))
        await sio.emit("session_confirm", {"session_id": data["session_id"], SECRET: "s" * 32}, to=sid)

    @sio.on("user_uttered")
    async def user_uttered(sid: str, data: Dict[str, Any]) -> Dict[str, bool]:
        fake.seen.append(("user_uttered", data))
        await sio.emit("bot_uttered", {"text": f"you said {data['message']}"}, to=sid)
        await sio.emit("bot_uttered", {"text": "and one more thing"}, to=sid)
        return {"accepted": True}

    app = web.Application()
    sio.attach(app)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fake.url = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        await runner.cleanup()
