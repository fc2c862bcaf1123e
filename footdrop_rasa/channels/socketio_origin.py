"""Rasa's socket.io channel, restricted to the web pages allowed to embed the widget.

``rasa run --cors`` only sets CORS headers on HTTP routes: the websocket transport of
socket.io accepts any page's origin. This channel is Rasa's own ``SocketIOInput`` with
Engine.IO's origin check switched on for both transports: a browser page from an origin that
is not listed in ``credentials.yml`` (``allowed_origins``) is refused at the handshake.
Clients that send no ``Origin`` header (not browsers: curl, server-to-server) are not affected.

Session ids cannot be guessed or borrowed. Rasa's channel joins whatever ``session_id`` a
client sends in ``session_request`` (so "patient-1" would join patient 1's replies) and files
each message under the ``session_id`` it carries. Here a session id must be a uuid4 (as Rasa
issues it, or as the widget's ``crypto.randomUUID()`` writes it), else the client gets a fresh
one; and a connection's messages always go to the session it was confirmed, whatever
``session_id`` they carry.

Knowing a live session's id is not enough either (``footdrop_rasa/channels/ownership.py``): a session has a
secret, and its conversation and its room (where the replies go) are named by both.
``session_confirm`` sends ``{"session_id": ..., "conversation_secret": ...}``; a later
``session_request`` (a reload, a reconnect) continues the conversation only when it brings
that secret, and otherwise gets the same session id with a fresh secret: a fresh conversation
in a room of its own.

Messages get the same kind replies as on the REST channel (``footdrop_rasa/channels/kind.py``): one over
2,000 characters or not text is answered without reaching the assistant, and a turn that sends
no message, fails, or takes longer than ``reply_timeout`` seconds gets the clinic fallback.
The same per-conversation limits apply (``footdrop/limits.py``): a message past a
conversation's pace or length gets ``kind.limit_reply`` instead of reaching the assistant.

A restart loses no message (issue 17). Every ``user_uttered`` is acknowledged at once with
``{"accepted": true}`` (its turn then runs on), or ``{"accepted": false}`` while the server is
stopping: the widget keeps a message as "not sent yet" until it is accepted, and sends it again
once connected. On SIGTERM (Sanic's ``before_server_stop``) the channel stops accepting
messages and new connections, lets the turns under way finish (at most ``reply_timeout``
seconds), and then disconnects every client, so that each reconnects to the next server at once
instead of waiting on a closing one.

It also sends custom payloads as they are. Rasa 3.6's ``SocketIOOutput.send_custom_json``
spreads the payload into ``emit(**payload)``, so ``{"emergency": true, ...}`` raised a
TypeError and never reached the widget; ``CustomJsonSocketIOOutput`` emits it as the event's
data, like every other bot message.

credentials.yml::

    footdrop_rasa.channels.socketio_origin.OriginCheckedSocketIOInput:
      allowed_origins: ["http://localhost:8080"]
      session_persistence: true
      reply_timeout: 20
      messages_per_minute: 30         # optional, footdrop/limits.py's defaults
      message_burst: 20
      messages_per_conversation: 500
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Text

import asyncio
import inspect
import json
import logging

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from footdrop_rasa.channels import kind, ownership
from footdrop_rasa.channels.draining import close_connections_when_stopping
from footdrop_rasa.channels.memory import freeze_after_start
from footdrop.limits import ConversationLimits

logger = logging.getLogger(__name__)

#: the acknowledgement of a ``user_uttered``: taken (its turn runs), or not (send it again later)
ACCEPTED = {"accepted": True}
NOT_ACCEPTED = {"accepted": False}


class CustomJsonSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output, but a custom payload is the event's data, unchanged."""

    sent = 0  # bot messages sent through this output: none means the patient heard nothing

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, json_message)

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)


class OriginCheckedSocketIOInput(SocketIOInput):
    """socket.io for the widget, for the listed page origins only, custom payloads intact."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = dict(credentials or {})
        origins = credentials.pop("allowed_origins", None)
        timeout = credentials.pop("reply_timeout", kind.DEFAULT_REPLY_TIMEOUT)
        limits = kind.conversation_limits({key: credentials.pop(key) for key in kind.LIMIT_KEYS if key in credentials})
        if not origins or not all(isinstance(o, str) and o.startswith(("http://", "https://")) for o in origins):
            raise ValueError(
                "credentials.yml: 'allowed_origins' must list the web page origins allowed to use "
                "the chat widget, e.g. [\"https://www.your-clinic.example\"]"
            )
        channel = super().from_credentials(credentials)
        channel.allowed_origins = [o.rstrip("/") for o in origins]
        channel.reply_timeout = kind.configure(timeout)
        channel.limits = limits
        channel.started = ownership.Started()
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        freeze_after_start(blueprint)
        close_connections_when_stopping(blueprint)
        # Rasa creates the server with cors_allowed_origins=[] (no check at all); Engine.IO
        # reads this list on every request, for polling and websocket alike.
        self.sio.eio.cors_allowed_origins = list(self.allowed_origins)
        self.sessions = {}
        self.turns = set()
        self.closing = False

        async def session_request(sid: Text, data: Any) -> None:
            # Rasa's handler joins any id the client names; here only a uuid4, else a new one,
            # and its conversation only with its secret, else a fresh one.
            data = data if isinstance(data, dict) else {}
            requested = data.get("session_id")
            session_id = requested if kind.is_session_id(requested) else kind.new_session_id()
            await self._confirm(sid, session_id, data.get(ownership.KEY))

        async def disconnect(sid: Text) -> None:
            self.sessions.pop(sid, None)

        rasa_connect = self.sio.handlers[self.namespace or "/"]["connect"]  # Rasa's (its JWT check)

        async def connect(sid: Text, environ: Dict, auth: Any) -> bool:
            if self.closing:  # a stopping server takes no new connection: the next one will
                return False
            return await rasa_connect(sid, environ, auth)

        async def handle_message(sid: Text, data: Any) -> Dict[str, bool]:
            """Acknowledges the message at once; its turn runs on (``self.turns``)."""
            if self.closing:
                return NOT_ACCEPTED
            turn = asyncio.ensure_future(answer(sid, data))
            self.turns.add(turn)
            turn.add_done_callback(self.turns.discard)
            return ACCEPTED

        async def answer(sid: Text, data: Any) -> None:
            data = data if isinstance(data, dict) else {"message": None}  # None: not text, unreadable
            text = kind.clean_text(data.get("message", ""))
            if self.session_persistence:
                # The session this connection was confirmed, never the one the message names.
                if sid not in self.sessions:  # no session_request first: give it a session now
                    await self._confirm(sid, kind.new_session_id(), None)
                sender_id = self.sessions[sid]
            else:
                sender_id = sid
            output = CustomJsonSocketIOOutput(self.sio, self.bot_message_evt)
            refused = kind.refusal(text)
            if not refused:
                over = self.limits.admit(sender_id)
                refused = kind.limit_reply(over, self.limits.wait_seconds(sender_id)) if over else None
            if refused:
                await output.send_text_message(sender_id, refused)
                return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except (ValueError, RecursionError):
                    metadata = {}
            message = UserMessage(
                kind.unslashed(text, kind.intents_of(self.app)), output, sender_id,
                input_channel=self.name(), metadata=kind.flat_metadata(metadata) or {},
            )
            fallback = await kind.answer_within(
                on_new_message(message), self.reply_timeout, lambda: output.sent, sender_id
            )
            if fallback:
                await output.send_text_message(sender_id, fallback)

        @blueprint.listener("after_server_start")
        async def remember_app(app: Any, _loop: Any) -> None:
            self.app = app  # for the model's intents (kind.unslashed)

        @blueprint.listener("before_server_stop")
        async def drain(_app: Any, _loop: Any) -> None:
            # Sanic runs this on SIGTERM, before it closes its listening socket.
            self.closing = True
            if self.turns:
                logger.info("Stopping: finishing %d message(s) under way.", len(self.turns))
                _, late = await asyncio.wait(set(self.turns), timeout=self.reply_timeout)
                for turn in late:  # where it waits, by code location only (no patient text)
                    where = " <- ".join(f"{f.f_code.co_filename.rsplit('/', 1)[-1]}:{f.f_lineno}" for f in turn.get_stack(limit=8))
                    logger.warning("Stopping: a message was not finished in time, waiting at %s", where)
            clients = list(self.sessions)
            try:
                await asyncio.wait_for(self._disconnect_all(clients), timeout=5)
            except asyncio.TimeoutError:
                logger.warning("Stopping: not every widget connection could be told to reconnect in 5 s.")
            logger.info("Stopping: %d widget connection(s) told to reconnect.", len(clients))

        self.sio.on("connect", handler=connect, namespace=self.namespace)
        self.sio.on("session_request", handler=session_request, namespace=self.namespace)
        self.sio.on("disconnect", handler=disconnect, namespace=self.namespace)
        self.sio.on(self.user_message_evt, handler=handle_message, namespace=self.namespace)
        return blueprint

    async def _confirm(self, sid: Text, session_id: Text, secret: Any) -> None:
        """Joins the connection to the conversation of ``session_id`` and ``secret`` when one
        is stored, else to a fresh one with a new secret; tells the client which."""
        conversation, secret, _ = await ownership.claim(
            session_id, secret, kind.conversation_exists(self.app), self.started
        )
        await self._join(sid, conversation)
        await self.sio.emit("session_confirm", {"session_id": session_id, ownership.KEY: secret}, room=sid)

    async def _disconnect_all(self, clients: List[Text]) -> None:
        """Tells each client to reconnect, and closes the transports (websocket, long poll) that
        Sanic would otherwise wait on for its graceful timeout. Without waiting for a client to
        fetch what is queued for it: one that is gone never will (engine.io's own
        ``disconnect()`` waits for that)."""
        for sid in clients:
            await self.sio.disconnect(sid, namespace=self.namespace)
        for socket in list(self.sio.eio.sockets.values()):
            await socket.close(wait=False)

    async def _join(self, sid: Text, session_id: Text) -> None:
        """Puts a connection in its session's room (the replies go there), and only that one."""
        previous = self.sessions.get(sid)
        if previous and previous != session_id:
            await _maybe_await(self.sio.leave_room(sid, previous, namespace=self.namespace))
        self.sessions[sid] = session_id
        if self.session_persistence:
            await _maybe_await(self.sio.enter_room(sid, session_id, namespace=self.namespace))

    allowed_origins: List[str] = []
    app: Any = None  # the Sanic app, once the server has started
    reply_timeout: float = kind.DEFAULT_REPLY_TIMEOUT
    limits: ConversationLimits = ConversationLimits()  # replaced per channel in from_credentials
    started: ownership.Started = ownership.Started()  # replaced per channel in from_credentials
    sessions: Dict[Text, Text] = {}  # socket.io connection id -> its conversation's stored id (per channel)
    closing: bool = False  # stopping: no new message or connection is taken
    turns: Set["asyncio.Future[None]"] = set()  # the turns under way (per channel)


async def _maybe_await(result: Any) -> None:
    # enter_room/leave_room are plain methods in python-socketio 5.9 and coroutines from 5.10.
    if inspect.isawaitable(result):
        await result
