"""Rasa's socket.io channel, restricted to the web pages allowed to embed the widget.

``rasa run --cors`` only sets CORS headers on HTTP routes: the websocket transport of
socket.io accepts any page's origin. This channel is Rasa's own ``SocketIOInput`` with
Engine.IO's origin check switched on for both transports: a browser page from an origin that
is not listed in ``credentials.yml`` (``allowed_origins``) is refused at the handshake.
Clients that send no ``Origin`` header (not browsers: curl, server-to-server) are not affected.

It also sends custom payloads as they are. Rasa 3.6's ``SocketIOOutput.send_custom_json``
spreads the payload into ``emit(**payload)``, so ``{"emergency": true, ...}`` raised a
TypeError and never reached the widget; ``CustomJsonSocketIOOutput`` emits it as the event's
data, like every other bot message.

credentials.yml::

    channels.socketio_origin.OriginCheckedSocketIOInput:
      allowed_origins: ["http://localhost:8080"]
      session_persistence: true
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

import json

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint


class CustomJsonSocketIOOutput(SocketIOOutput):
    """Rasa's socket.io output, but a custom payload is the event's data, unchanged."""

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, json_message)


class OriginCheckedSocketIOInput(SocketIOInput):
    """socket.io for the widget, for the listed page origins only, custom payloads intact."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = dict(credentials or {})
        origins = credentials.pop("allowed_origins", None)
        if not origins or not all(isinstance(o, str) and o.startswith(("http://", "https://")) for o in origins):
            raise ValueError(
                "credentials.yml: 'allowed_origins' must list the web page origins allowed to use "
                "the chat widget, e.g. [\"https://www.your-clinic.example\"]"
            )
        channel = super().from_credentials(credentials)
        channel.allowed_origins = [o.rstrip("/") for o in origins]
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        # Rasa creates the server with cors_allowed_origins=[] (no check at all); Engine.IO
        # reads this list on every request, for polling and websocket alike.
        self.sio.eio.cors_allowed_origins = list(self.allowed_origins)

        async def handle_message(sid: Text, data: Dict) -> None:
            # Rasa's own handler, with the output that sends custom payloads unchanged.
            if self.session_persistence:
                if not data.get("session_id"):
                    return  # Rasa warns and ignores such a message too
                sender_id = data["session_id"]
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            output = CustomJsonSocketIOOutput(self.sio, self.bot_message_evt)
            await on_new_message(
                UserMessage(data.get("message", ""), output, sender_id, input_channel=self.name(), metadata=metadata)
            )

        self.sio.on(self.user_message_evt, handler=handle_message, namespace=self.namespace)
        return blueprint

    allowed_origins: List[str] = []
