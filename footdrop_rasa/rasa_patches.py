"""What this project changes inside a running Rasa 3.6.21 server, in one place.

Installed once, when Rasa creates the channels (``footdrop_rasa/channels/kind.configure``), never
at import, and only in the Rasa server:

- **A bounded wait for actions.** Rasa 3.6 calls the action server with
  ``timeout=DEFAULT_REQUEST_TIMEOUT`` (300 s, a global of ``rasa.core.actions.action`` read at
  each call; endpoints.yml cannot change it), holding the conversation's lock all along, so
  every later message of that patient waits too. Set to FOOTDROP_ACTION_TIMEOUT (default 10 s),
  a slow action fails: Rasa logs it, the patient gets the fallback, the conversation goes on.
- **Failed actions counted per turn.** Rasa 3.6's processor logs a failed custom action (action
  server down, 5xx, timeout) and carries on as if it had run, which leaves the patient with
  silence or a confusing "not sure I understood"; its log record ("Encountered an exception
  while running action") is the only sign, so a log filter counts them for the turn being
  answered (``run_counting_failed_actions``), and the channels send the fallback.

Both rely on Rasa 3.6.21's private code (a module global, a log message's words): on another
release the start stops with an error saying so (footdrop_rasa/rasa_version.py), unless
``FOOTDROP_RASA_PATCHES=off``: then Rasa waits for actions as it does itself, and a failed
action is noticed only when the turn sent nothing.

Also installed here, on SQLAlchemy's public API: a database error's message quotes its query's
parameters (the conversation's events, a patient's words among them), which Rasa logs in full
when the tracker store fails; they are left out.
"""

from __future__ import annotations

import asyncio
import logging
import os
from contextvars import ContextVar
from typing import Any, Awaitable, Dict, Optional, Tuple

import sqlalchemy

from footdrop_rasa.rasa_version import require_tested_rasa

#: Rasa 3.6's own wait for an action, in seconds (rasa.core.actions.action)
RASA_ACTION_WAIT = 300.0
#: the words Rasa 3.6.21's processor logs a failed custom action with
FAILED_ACTION_LOG = "Encountered an exception while running action"

_turn: ContextVar[Optional[Dict[str, int]]] = ContextVar("footdrop_turn", default=None)
_installed: Optional[float] = None


def enabled() -> bool:
    """False when FOOTDROP_RASA_PATCHES=off: Rasa's own behaviour, on any release."""
    return os.environ.get("FOOTDROP_RASA_PATCHES", "on").strip().lower() not in ("off", "0", "false", "no")


def action_wait_seconds() -> float:
    """FOOTDROP_ACTION_TIMEOUT (default 10), checked: a number of seconds above 0."""
    try:
        seconds = float(os.environ.get("FOOTDROP_ACTION_TIMEOUT", "10"))
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise ValueError("FOOTDROP_ACTION_TIMEOUT must be a number of seconds above 0, e.g. 10")
    return seconds


class _CountFailedActions(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        turn = _turn.get()
        if turn is not None and str(record.msg).startswith(FAILED_ACTION_LOG):
            turn["failed_actions"] += 1
        return True  # counts, never hides


def _hide_parameters(context: Any) -> None:
    if context.sqlalchemy_exception is not None:
        context.sqlalchemy_exception.hide_parameters = True


def install() -> float:
    """Installs the changes above (once per process); returns Rasa's wait for an action, in s."""
    global _installed
    if _installed is not None:
        return _installed
    if not sqlalchemy.event.contains(sqlalchemy.engine.Engine, "handle_error", _hide_parameters):
        sqlalchemy.event.listen(sqlalchemy.engine.Engine, "handle_error", _hide_parameters)
    if not enabled():
        _installed = RASA_ACTION_WAIT
        return _installed
    seconds = action_wait_seconds()
    require_tested_rasa("footdrop_rasa/rasa_patches.py (the action wait, failed actions counted)",
                        "rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT, the processor's log message",
                        "set FOOTDROP_RASA_PATCHES=off in the Rasa server's environment")
    import rasa.core.actions.action as remote_actions

    remote_actions.DEFAULT_REQUEST_TIMEOUT = seconds
    logging.getLogger("rasa.core.processor").addFilter(_CountFailedActions())
    _installed = seconds
    return seconds


def run_counting_failed_actions(turn: Awaitable[Any]) -> Tuple["asyncio.Future[Any]", Dict[str, int]]:
    """Starts a turn as a task; the dictionary counts the custom actions that fail in it."""
    failures = {"failed_actions": 0}
    token = _turn.set(failures)
    task = asyncio.ensure_future(turn)  # the task runs in a copy of this context, with `failures`
    _turn.reset(token)
    return task, failures
