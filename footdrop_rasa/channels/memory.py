"""Keep the garbage collector's pauses out of patients' replies.

Once Rasa has loaded the model, its process holds millions of long-lived Python objects
(TensorFlow, spaCy, Rasa's graph). Python's collector walks all of them in each full
collection, about 350 ms on this project's 2-core server, during which no patient gets a
reply; under load such a pause came every few hundred messages and made the slowest replies
(docs/PERFORMANCE.md). ``gc.freeze()`` (Python 3.7+) moves every object alive at that moment
out of the collector's sight: later collections walk only what was made since, the
conversations' short-lived objects. Garbage made while loading is collected first.

Each of our channels calls ``freeze_after_start`` on its blueprint. Sanic runs the
``after_server_start`` listeners once Rasa's ``before_server_start`` listener has loaded the
model, so the freeze comes after it; the second channel's listener finds the objects frozen
already and does nothing.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

from sanic import Blueprint

logger = logging.getLogger(__name__)


def freeze_after_start(blueprint: Blueprint) -> None:
    """Freeze the loaded model's objects once the server has started."""

    @blueprint.listener("after_server_start")
    async def _freeze(_app: Any, _loop: Any) -> None:
        if gc.get_freeze_count():  # the other channel's listener froze them
            return
        gc.collect()
        gc.freeze()
        logger.info("Model loaded: %d objects kept out of the garbage collector's sight (gc.freeze)", gc.get_freeze_count())
