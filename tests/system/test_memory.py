"""The Rasa server freezes the loaded model's objects once it has started (footdrop_rasa/channels/memory.py),
so that the garbage collector's full passes no longer walk them between patients' replies."""

from __future__ import annotations

import re
import time

import requests


def test_the_loaded_model_is_frozen_once_the_server_has_started(assistant):
    # A reply means the model is loaded and the after_server_start listeners have run.
    reply = requests.post(f"{assistant}/webhooks/rest/webhook", json={"sender": "gc-check", "message": "hi"}, timeout=60)
    assert reply.status_code == 200 and reply.json()
    deadline = time.monotonic() + 30
    while True:
        frozen = re.findall(r"Model loaded: (\d+) objects kept out of the garbage collector's sight",
                            assistant.log.read_text())
        if frozen or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    # TensorFlow, spaCy and the model are hundreds of thousands of objects (about 600,000).
    assert frozen and int(frozen[-1]) > 100_000, "no gc.freeze() after the model loaded"
