"""Errors named for a log without their messages, which can quote what a patient wrote: shared
by the Rasa server's channels (``footdrop_rasa/channels/kind.py``) and the action server (``actions/errors.py``).
Imports nothing from Rasa."""

from __future__ import annotations

import traceback


def describe(error: BaseException) -> str:
    """An error for the log without its message (which may quote patient text): its type and
    the code it went through."""
    frames = traceback.extract_tb(error.__traceback__)[-4:]
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in reversed(frames))
    return f"{type(error).__module__}.{type(error).__name__} at {where or 'unknown'}"
