"""What every channel does with a message it cannot pass on, or an answer that never comes.

Shared by the REST channel (``rest_safe.py``) and the widget's socket.io channel
(``socketio_origin.py``) so that a patient gets the same kind reply on both:

- ``TOO_LONG``: a message over ``MAX_MESSAGE_CHARS`` is answered without reaching the NLU;
- ``UNREADABLE``: a body that is not JSON, not UTF-8, or has no text message;
- ``limit_reply()``: a conversation over its pace or its length (``footdrop/limits.py``);
- ``fallback_text()``, added by ``answer_within()``: the turn sent nothing, raised, had a
  custom action fail (action server down, 5xx, too slow) or took longer than the channel's
  ``reply_timeout``: sorry, try again, or call the clinic (phone from clinic.yml).

``configure()``, run when Rasa creates a channel, installs footdrop_rasa/rasa_patches.py (Rasa's
wait for an action cut from 300 s to FOOTDROP_ACTION_TIMEOUT, failed actions counted per turn,
database errors logged without their parameters).

Nothing here logs what a patient wrote: ``describe()`` names an error by its type and where it
happened, because the message of an error can quote the conversation.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import unicodedata
import uuid
from functools import lru_cache
from typing import Any, Awaitable, Callable, Collection, Dict, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore, TrackerStore

from footdrop.clinic import load_clinic
from footdrop.errors import describe
from footdrop.limits import TOO_FAST, TOO_MANY, ConversationLimits, Limits
from footdrop_rasa import rasa_patches

logger = logging.getLogger(__name__)

# Longer messages get TOO_LONG instead of an answer (the widget stops at 1,000 characters).
MAX_MESSAGE_CHARS = 2000
# A request body larger than this is not even parsed: 2,000 emoji as JSON escapes are ~24 KB.
MAX_BODY_BYTES = 64 * 1024
# How long a patient waits for the assistant before getting the fallback (credentials.yml
# `reply_timeout` overrides it). It covers every stall; slow actions are cut sooner, below.
DEFAULT_REPLY_TIMEOUT = 20.0

TOO_LONG = (
    "That message is too long for me. Please keep it shorter (under 2,000 characters) "
    "and ask one thing at a time."
)
UNREADABLE = (
    "Sorry, I could not read that message. Please type your question in plain words, "
    "for example: what is foot drop?"
)


#: the reply to a REST request whose Content-Type is not JSON (HTTP 415): a web page can post
#: text/plain or a form to any site without asking first, but JSON only after CORS allows it
NOT_JSON = (
    "Sorry, I could not read that message. Send it as JSON, with the header "
    "Content-Type: application/json."
)
#: what a channel's settings may hold besides Rasa's own (credentials.yml)
LIMIT_KEYS = tuple(Limits.KEYS)


def conversation_limits(settings: Dict[str, Any]) -> ConversationLimits:
    """The per-conversation limits a channel's credentials.yml settings give (checked: a bad
    value stops the start, naming the key)."""
    return ConversationLimits(Limits.from_settings(settings))


@lru_cache(maxsize=1)
def _help_line() -> str:
    """Read once, as fallback_text: a flood of refused messages must not read clinic.yml each time."""
    clinic = load_clinic()
    return (
        f"To talk to someone, call {clinic.name} at {clinic.phone} ({clinic.hours}). "
        f"In an emergency, call {clinic.emergency_number} now."
    )


def limit_reply(verdict: str, wait_seconds: int = 1) -> str:
    """The reply to a message over a conversation's limits, with the way to get help."""
    help_line = _help_line()
    if verdict == TOO_MANY:
        return (
            "This conversation has become too long for me to go on with it. Please start a new "
            f"one (press \"Start over\" at the top of the chat). {help_line}"
        )
    assert verdict == TOO_FAST, verdict
    wait = "a second" if wait_seconds <= 1 else f"{wait_seconds} seconds"
    return (
        "You are sending messages faster than I can read them. Please wait "
        f"{wait}, then send your message again. {help_line}"
    )


def configure(reply_timeout: Any = DEFAULT_REPLY_TIMEOUT) -> float:
    """What both channels check when Rasa creates them; returns the reply timeout in seconds.

    A bad ``reply_timeout`` or clinic.yml stops the server at start, with the field named.
    """
    if isinstance(reply_timeout, bool) or not isinstance(reply_timeout, (int, float)) or reply_timeout <= 0:
        raise ValueError("credentials.yml: 'reply_timeout' must be a number of seconds, e.g. 20")
    fallback_text()
    rasa_patches.install()
    return float(reply_timeout)


@lru_cache(maxsize=1)
def fallback_text() -> str:
    """The reply when the assistant cannot answer: points to the clinic's phone (clinic.yml).

    Read once; a bad clinic.yml raises ClinicConfigError naming the field, at start-up
    (the channels call this when they are created).
    """
    clinic = load_clinic()
    return (
        "Sorry, I can't answer right now. Please try again in a moment. "
        f"To talk to someone, call {clinic.name} at {clinic.phone} ({clinic.hours}). "
        f"In an emergency, call {clinic.emergency_number}."
    )


def clean_text(message: Any) -> Optional[str]:
    """The patient's text, or None if it is not text at all.

    Control characters (except tab and newline) and lone surrogates (valid as JSON escapes,
    but they cannot be stored as UTF-8) become spaces; they carry no meaning.
    """
    if not isinstance(message, str):
        return None
    return "".join(
        " " if unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n" else c for c in message
    )


def refusal(text: Optional[str]) -> Optional[str]:
    """The kind reply for a message that must not reach the assistant, or None if it may."""
    if text is None:
        return UNREADABLE
    if len(text) > MAX_MESSAGE_CHARS:
        return TOO_LONG
    return None


def unslashed(text: str, intents: Collection[str]) -> str:
    """The text, without its leading slashes unless it is a button's payload ("/ask_causes").

    Rasa reads a message that starts with "/" as a payload, and logs one that is not an intent
    of the domain in full, as a warning: "/what is foot drop" would put a patient's words in
    the log. Without the slash it is read as what it is, the patient's words.
    """
    stripped = text.strip()
    if stripped.startswith("/") and stripped[1:] not in intents:
        return stripped.lstrip("/")
    return text


def intents_of(app: Any) -> Collection[str]:
    """The intents of the model the Rasa server runs (none until it is loaded)."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    domain = getattr(agent, "domain", None)
    return domain.intents if domain is not None else ()


def conversation_exists(app: Any) -> Callable[[str], Awaitable[bool]]:
    """The cheapest check the running server's tracker store has for a stored conversation.

    Rasa wraps the configured store in a ``FailSafeTrackerStore``, whose ``exists`` is the
    base class's: read and rebuild the whole conversation. When the configured store has its
    own (footdrop_rasa/stores/sqlite.py: one indexed row), this calls it; for Rasa's own SQL store
    (PostgreSQL, endpoints.scale.yml) it asks for one row of its events table. Like the
    wrapper, it treats a store that fails as holding nothing (logged by error type).
    """
    store = app.ctx.agent.tracker_store
    inner = getattr(store, "_tracker_store", store)  # the store endpoints.yml configures
    if getattr(type(inner), "exists", None) is not TrackerStore.exists:
        look_up = inner.exists
    elif isinstance(inner, SQLTrackerStore):
        look_up = functools.partial(_any_sql_event, inner)
    else:
        return store.exists

    async def exists(conversation_id: str) -> bool:
        try:
            return bool(await look_up(conversation_id))
        except Exception as error:  # noqa: BLE001 - as FailSafeTrackerStore.retrieve does
            logger.error("Could not look a conversation up in the tracker store: %s", describe(error))
            return False

    return exists


async def _any_sql_event(store: SQLTrackerStore, conversation_id: str) -> bool:
    """Whether Rasa's SQL store holds an event of the conversation: one row (sender_id is indexed)."""
    event = store.SQLEvent
    with store.session_scope() as session:
        return session.query(event.id).filter(event.sender_id == conversation_id).first() is not None


def is_session_id(value: Any) -> bool:
    """A uuid4 written as Rasa issues it (32 hex digits) or as the widget's
    crypto.randomUUID() does (36 characters with dashes), lower case."""
    if not isinstance(value, str):
        return False
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return False
    return parsed.version == 4 and value in (parsed.hex, str(parsed))


def new_session_id() -> str:
    return uuid.uuid4().hex


async def answer_within(
    turn: Awaitable[Any], timeout: float, sent: Callable[[], int], sender_id: Text
) -> Optional[Text]:
    """Runs a turn, waiting at most ``timeout`` s; returns the fallback text to send if the
    turn sent nothing, raised, had a custom action fail, or is late (it then carries on in the
    background), else None. ``sent()`` counts the bot messages the turn has sent so far.
    """
    task, failures = rasa_patches.run_counting_failed_actions(turn)
    try:
        # shield: on timeout the turn goes on (its events still reach the tracker store).
        await asyncio.wait_for(asyncio.shield(task), timeout)
    except asyncio.TimeoutError:
        logger.error("No answer within %s s for conversation %s; sent the fallback.", timeout, sender_id)
        task.add_done_callback(_log_late_failure)
        return fallback_text()
    except Exception as error:  # noqa: BLE001 - any failure gets the kind reply
        logger.error("Could not answer a message: %s", describe(error))
        logger.debug("The full error:", exc_info=True)
        return fallback_text()
    if failures["failed_actions"] or not sent():
        logger.warning(
            "Conversation %s: %d custom action(s) failed, %d message(s) sent; sent the fallback.",
            sender_id, failures["failed_actions"], sent(),
        )
        return fallback_text()
    return None


def _log_late_failure(task: "asyncio.Future[Any]") -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("A late turn failed: %s", describe(task.exception()))


#: what a message's ``metadata`` may hold: an object of at most this many keys, each value a
#: string, number, boolean or null (what a client needs to send, e.g. a conversation secret)
MAX_METADATA_KEYS = 20


def flat_metadata(value: Any) -> Optional[Dict[str, Any]]:
    """A client's ``metadata`` when it is a small flat object, else None. Rasa stores it with
    every message in the patient database: only what a client needs to send is kept, never a
    structure of any size or depth a client chooses."""
    if not isinstance(value, dict) or len(value) > MAX_METADATA_KEYS:
        return None
    if all(isinstance(k, str) and (isinstance(v, (str, int, float, bool)) or v is None) for k, v in value.items()):
        return value
    return None
