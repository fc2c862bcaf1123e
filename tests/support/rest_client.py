"""A client as the README's protocol asks ("Talking to the assistant from another program"):
it keeps each conversation's secret (from a REST reply or a socket.io ``session_confirm``) and
sends it with every later message or ``session_request``; the tests read a conversation from
the store under the id the secret gives (``stored_id``)."""

from __future__ import annotations

import json
import uuid
from typing import Dict, Optional, Tuple

import requests

from footdrop_rasa.channels import ownership

#: what a client keeps between messages (README, "Talking to the assistant from another
#: program"): each conversation's secret, by server and sender
SECRETS: Dict[Tuple[str, str], str] = {}


def send(base_url: str, message, sender: str = None, metadata: Optional[dict] = None,
         raw: bool = False) -> requests.Response:
    """Posts a message as a client following the protocol does: with the secret the server gave
    for this sender, if any, in ``metadata``; the reply's secret message is kept and, unless
    ``raw``, taken out of the response (as the widget does not show it)."""
    sender = sender or uuid.uuid4().hex
    secret = SECRETS.get((base_url, sender))
    sent_metadata = {**(metadata or {}), **({ownership.KEY: secret} if secret else {})}
    response = requests.post(
        f"{base_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": message, **({"metadata": sent_metadata} if sent_metadata else {})},
        timeout=60,
    )
    if response.status_code == 200 and isinstance(response.json(), list):
        replies = remember(base_url, sender, response.json())
        if not raw:
            response._content = json.dumps(replies).encode("utf-8")
    return response


def is_emergency(replies: list) -> bool:
    """Whether REST replies carry the emergency message's marker."""
    return any((r.get("custom") or {}).get("emergency") for r in replies)


def secret_given(replies: list) -> Optional[str]:
    """The secret a REST reply gives (in its last message), if any."""
    given = [r["custom"][ownership.KEY] for r in replies if ownership.KEY in (r.get("custom") or {})]
    return given[-1] if given else None


def without_secret(replies: list) -> list:
    """The replies a patient sees: all but the secret's message."""
    return [r for r in replies if ownership.KEY not in (r.get("custom") or {})]


def remember(base_url: str, sender: str, replies: list) -> list:
    """Keeps the secret a reply gives for ``sender``'s conversation; the replies without it."""
    secret = secret_given(replies)
    if secret:
        SECRETS[(base_url, sender)] = secret
    return without_secret(replies)


def stored_id(base_url: str, sender: str) -> str:
    """The id the conversation of ``sender`` (started with ``send``) is stored under; a sender
    ``send`` never started a conversation for (a socket.io session id) as it is."""
    secret = SECRETS.get((base_url, sender))
    return ownership.conversation_id(sender, secret) if secret else sender


def session_request(base_url: str, session_id) -> dict:
    """The widget's ``session_request`` data: the session id, and its secret once one was given."""
    secret = SECRETS.get((base_url, session_id)) if isinstance(session_id, str) else None
    return {"session_id": session_id, **({ownership.KEY: secret} if secret else {})}


def confirmed(base_url: str, data: dict) -> str:
    """Keeps the secret a socket.io ``session_confirm`` gives; returns the session id."""
    SECRETS[(base_url, data["session_id"])] = data[ownership.KEY]
    return data["session_id"]
