"""Who a conversation belongs to: the one client that holds its secret (issue 16).

Knowing a conversation's sender id (a patient's REST ``sender``, a widget's session id) must
not let anyone else read or continue it. So every conversation has a **secret** that only the
server hands out, once, to the client that starts it, and the conversation is stored under an
id made from both:

    stored id = "c-" + SHA-256(client id, NUL, secret)

A message that comes with a client id and the right secret reaches that conversation; any
other message (no secret, a wrong one, one the server never gave) starts a fresh conversation
with a fresh secret, so it can never reach anybody else's. The store holds only the hash
(never the secret), and finding a conversation by its hash needs no comparison of secrets, so
nothing can be learnt from timing. Secrets are 192 bits from ``secrets``.

The protocol a client follows is in the README ("Talking to the assistant from another
program"). Imports nothing from Rasa.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Optional, Tuple

#: the key of the secret: in the reply that starts a conversation, ``{"custom": {KEY: ...}}``;
#: in every later REST message, ``"metadata": {KEY: ...}``
KEY = "conversation_secret"
#: 24 random bytes, URL-safe base64: 32 characters
SECRET_BYTES = 24
_SECRET = re.compile(r"[A-Za-z0-9_-]{32}")
PREFIX = "c-"


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def presented(value: Any) -> Optional[str]:
    """The secret a client sent, if it has the form of one the server gives out."""
    return value if isinstance(value, str) and _SECRET.fullmatch(value) else None


def conversation_id(client_id: str, secret: str) -> str:
    """The id a conversation is stored under: neither the client id nor the secret alone finds it."""
    return PREFIX + hashlib.sha256(f"{client_id}\0{secret}".encode("utf-8")).hexdigest()


class Started:
    """The conversations this process started lately, stored or not yet.

    A conversation is in the tracker store once its first turn is over. When that turn is
    slow, the patient already has the fallback reply and the secret (the turn goes on in the
    background), and may send the next message before the turn is stored: the store does not
    know the conversation yet, yet it is the patient's. Remembering the ids handed out in the
    last ``keep_seconds`` (at most ``most`` of them) keeps that message in its conversation.
    """

    def __init__(self, keep_seconds: float = 600.0, most: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self.keep_seconds = keep_seconds
        self.most = most
        self._clock = clock
        self._ids: "OrderedDict[str, float]" = OrderedDict()

    def add(self, stored_id: str) -> None:
        self._forget_old()
        self._ids[stored_id] = self._clock()
        while len(self._ids) > self.most:
            self._ids.popitem(last=False)

    def __contains__(self, stored_id: object) -> bool:
        self._forget_old()
        return stored_id in self._ids

    def _forget_old(self) -> None:
        oldest = self._clock() - self.keep_seconds
        while self._ids and next(iter(self._ids.values())) < oldest:
            self._ids.popitem(last=False)


async def claim(
    client_id: str, value: Any, exists: Callable[[str], Awaitable[bool]], started: Optional[Started] = None
) -> Tuple[str, str, bool]:
    """The conversation a message (or a socket.io session request) reaches: (its stored id, its
    secret, whether the secret is new). With the secret of a stored conversation of
    ``client_id`` (or of one ``started`` lately), that conversation; with anything else, a
    fresh one with a new secret. ``exists``: the tracker store's check for a stored id."""
    secret = presented(value)
    if secret:
        stored = conversation_id(client_id, secret)
        if (started is not None and stored in started) or await exists(stored):
            return stored, secret, False
    secret = new_secret()
    stored = conversation_id(client_id, secret)
    if started is not None:
        started.add(stored)
    return stored, secret, True
