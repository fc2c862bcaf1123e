"""Rasa's REST channel (``POST /webhooks/rest/webhook``) that always answers kindly, with a 200.

Rasa 3.6's ``RestInput`` answers a body that is not JSON (or not UTF-8) with a 400, answers
``[]`` (silence) when a custom action fails or the action server is down, logs the patient's
text with any error, waits as long as Rasa does (300 s for an action) and files messages
without a ``sender`` under one shared conversation, "default". This channel instead:

- answers a request whose Content-Type is not JSON (``application/json`` or ``...+json``) with
  a 415 and ``NOT_JSON``: a web page may send text/plain or a form to any site without the
  browser asking first, while JSON needs CORS's consent, which this server never gives;
- answers a body it cannot read (nested too deep, a number too long, not JSON, not UTF-8), or
  a message that is not text, with ``UNREADABLE``;
- keeps ``metadata`` only when it is a small, flat object (``kind.flat_metadata``): it is
  stored with every message in the patient database;
- answers a message over 2,000 characters with ``TOO_LONG``, without passing it on;
- answers with the clinic fallback (``footdrop_rasa/channels/kind.py``) when the assistant produced no
  message, raised, or took longer than ``reply_timeout`` seconds (it then finishes the turn
  in the background, so the conversation stays consistent);
- gives a message without a usable ``sender`` a conversation of its own (a fresh uuid4);
- gives each conversation an owner (``footdrop_rasa/channels/ownership.py``): the reply that starts one ends
  with ``{"custom": {"conversation_secret": ...}}``, and only a later message whose
  ``metadata`` carries that secret continues it; any other message, whatever its ``sender``,
  starts a fresh conversation with a secret of its own (the secret is never stored, and
  replies name the client's own ``sender``);
- limits what one conversation may send (``footdrop/limits.py``): past its pace or its length
  a message gets a 429 and ``kind.limit_reply`` (with ``Retry-After`` when waiting helps),
  without reaching the assistant or the store;
- never logs patient text; errors are logged by type and place;
- answers its health route (``GET /webhooks/rest/``) with a 503 while no model is loaded.

Replies come as one JSON list, as from Rasa's channel (``?stream=true`` is not supported).

credentials.yml::

    footdrop_rasa.channels.rest_safe.SafeRestInput:
      reply_timeout: 20
      messages_per_minute: 30         # optional, footdrop/limits.py's defaults
      message_burst: 20
      messages_per_conversation: 500
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from footdrop_rasa.channels import kind, ownership
from footdrop_rasa.channels.draining import close_connections_when_stopping
from footdrop_rasa.channels.memory import freeze_after_start
from footdrop.limits import TOO_FAST, ConversationLimits

logger = logging.getLogger(__name__)


def is_json(content_type: Optional[str]) -> bool:
    """A JSON media type: application/json or application/<anything>+json, with any parameters."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _sender(value: Any) -> Text:
    """The client's conversation id, or a fresh one if it is missing or unusable
    (Rasa would file every such message under the same conversation, "default")."""
    if isinstance(value, str) and 0 < len(value) <= 255 and value.isprintable() and value.strip():
        return value
    return kind.new_session_id()


class SafeRestInput(RestInput):
    """The REST channel: kind replies for bad input and faults, a bounded wait, no silence."""

    def __init__(self, reply_timeout: float = kind.DEFAULT_REPLY_TIMEOUT, limits: Optional[ConversationLimits] = None) -> None:
        self.reply_timeout = reply_timeout  # seconds; then the fallback, the turn goes on
        self.limits = limits or ConversationLimits()
        self.started = ownership.Started()

    @classmethod
    def name(cls) -> Text:
        return "rest"  # so the URL stays /webhooks/rest/webhook

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        settings = credentials or {}
        return cls(
            kind.configure(settings.get("reply_timeout", kind.DEFAULT_REPLY_TIMEOUT)),
            kind.conversation_limits(settings),
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)
        freeze_after_start(webhook)
        close_connections_when_stopping(webhook)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            # The health check of `make serve` (scripts/serve): Rasa answers "/" even when its
            # model failed to load, and then ignores every message; this says so with a 503.
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json({"status": "no model loaded"}, status=503)
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not is_json(request.headers.get("content-type")):
                return response.json([{"text": kind.NOT_JSON}], status=415)
            body = self._parse(request.body)
            sender_id = _sender(body.get("sender"))
            text = kind.clean_text(body.get("message"))
            refused = kind.TOO_LONG if len(request.body) > kind.MAX_BODY_BYTES else kind.refusal(text)
            if refused:
                return response.json([{"recipient_id": sender_id, "text": refused}])

            metadata = kind.flat_metadata(body.get("metadata")) or {}
            conversation, secret, new = await ownership.claim(
                sender_id, metadata.get(ownership.KEY), kind.conversation_exists(request.app), self.started
            )
            over = self.limits.admit(conversation)
            if over:
                wait = self.limits.wait_seconds(conversation)
                headers = {"Retry-After": str(wait)} if over == TOO_FAST else None
                reply = [{"recipient_id": sender_id, "text": kind.limit_reply(over, wait)}]
                return response.json(reply, status=429, headers=headers)
            # stored with the message: everything the client sent but the secret
            kept = {key: value for key, value in metadata.items() if key != ownership.KEY}
            collector = CollectingOutputChannel()
            message = UserMessage(
                kind.unslashed(text, kind.intents_of(request.app)), collector, conversation,
                input_channel=self.name(), metadata=kept or None,
            )
            fallback = await kind.answer_within(
                on_new_message(message), self.reply_timeout, lambda: len(collector.messages), conversation
            )
            # A copy: a late turn may still add to the collector after we answer.
            messages = [{**m, "recipient_id": sender_id} for m in list(collector.messages)]
            if fallback:
                messages.append({"recipient_id": sender_id, "text": fallback})
            if new:
                messages.append({"recipient_id": sender_id, "custom": {ownership.KEY: secret}})
            return response.json(messages)

        return webhook

    @staticmethod
    def _parse(raw: bytes) -> Dict[Text, Any]:
        """The JSON object in the body, or {} (not JSON, not UTF-8, too big, or not an object)."""
        if len(raw) > kind.MAX_BODY_BYTES:
            return {}
        try:
            body = json.loads(raw.decode("utf-8"))
        # UnicodeDecodeError, JSONDecodeError and an integer of over 4,300 digits are ValueErrors;
        # nesting deeper than Python's recursion limit is a RecursionError
        except (ValueError, RecursionError):
            return {}
        return body if isinstance(body, dict) else {}
