"""Log hygiene: what patients write never reaches the Rasa server's or the action server's log.

Both servers run at their default level, INFO, as `make serve` runs them. The messages below are
really received and stored (the tracker store has them), so their absence from the logs is not
an accident of a message that never arrived.
"""

from __future__ import annotations

import asyncio
import uuid

from support.rest_client import send
from support.socketio_client import ask

# Distinctive patient texts: a free question, an emergency, answers inside the symptom check (over
# REST), and a message over socket.io.
FREE_TEXT = "my secret phrase zebra42 hurts when I walk"
EMERGENCY = "my face is drooping since breakfast quokka7"
CHECK = ["check my symptoms", "the left one, since the wombat9 fall", "no pain at all, numbat3"]
SOCKETIO = "my wallaby8 foot is numb"  # over socket.io, as the widget sends it
SECRETS = ["zebra42", "quokka7", "wombat9", "numbat3", "wallaby8", "secret phrase", "face is drooping since"]


def test_patient_text_is_not_in_the_logs(assistant):
    sent = {}
    for messages in ([FREE_TEXT], [EMERGENCY], CHECK):
        sender = str(uuid.uuid4())
        for message in messages:
            response = send(assistant, message, sender)
            assert response.status_code == 200 and response.json(), message
        sent[sender] = messages
    session_id = str(uuid.uuid4())  # as the widget makes it
    assert asyncio.run(ask(assistant, session_id, SOCKETIO))
    sent[session_id] = [SOCKETIO]

    for sender, messages in sent.items():
        assert assistant.user_texts(sender) == messages  # received and stored, so it could have been logged

    logs = {"Rasa": assistant.log, "action server": assistant.log.parent / "actions.log"}
    for name, path in logs.items():
        text = path.read_text(encoding="utf-8", errors="replace")
        assert "INFO" in text, f"the {name} log at {path} has no INFO lines: is it the right file?"
        for secret in SECRETS:
            assert secret not in text, f"patient text {secret!r} is in the {name} log ({path})"
