"""What patients asked, read from the conversations the assistant keeps (for the console's pages).

- ``missed_messages(project)``: the patient messages the assistant could not answer, masked,
  each with the kind of miss (``MENU``, ``CLARIFYING``, ``LOW_CONFIDENCE``);
- ``asked_counts(project)``: how many times patients asked each intent in their own words and
  got its answer (the topic pages show it).

The conversations are in the SQL tracker store named in the project's endpoints.yml; reading
it, deciding what counts as unanswered and masking phone numbers, e-mail addresses and dates are
``make report``'s own code (tools/report.py), so the console and the report always agree.

Patients are never identified: sender ids are only used to tell conversations apart for
counting, and are kept as a one-way hash even in memory; texts are masked before they leave
this module. Nothing here logs a message.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Optional

import yaml

from tools import report

ENDPOINTS = "endpoints.yml"
CONFIG = "config.yml"
TOPICS = "content/topics.yml"

#: the kinds of miss, as staff read them
MENU = "menu"
CLARIFYING = "clarifying question"
LOW_CONFIDENCE = "low confidence"
KINDS = (MENU, CLARIFYING, LOW_CONFIDENCE)
#: the payload of the last button of the clarifying question ("Something else"); the menu
#: (utter_default, utter_out_of_scope) has topic buttons only (footdrop/clarify.py ``buttons``)
SOMETHING_ELSE = "/bot_capabilities"


class ConversationsError(RuntimeError):
    """The conversations cannot be read; the message says why in plain words."""


@dataclass(frozen=True)
class Missed:
    """One unanswered patient message."""

    text: str  # masked (tools/report.py ``mask``)
    timestamp: float
    kind: str  # one of KINDS
    conversation: str  # a one-way hash of the conversation, for counting only


def conversation_hash(sender_id: str) -> str:
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:16]


# ------------------------------------------------------------------------------ reading


def read_store(project: Path) -> Dict[str, List[dict]]:
    """Each conversation's user, bot and action events (report.read_conversations) from the
    tracker store of the project's endpoints.yml; {} when there are none yet."""
    try:
        settings = report.tracker_store_settings(project / ENDPOINTS)
    except (OSError, yaml.YAMLError) as error:
        raise ConversationsError(f"The assistant's settings ({ENDPOINTS}) cannot be read: {error}") from None
    if not settings:
        raise ConversationsError(f"{ENDPOINTS} keeps no conversations (it has no tracker_store), so there is "
                                 "nothing to list. Ask whoever runs the assistant to configure one.")
    try:
        url = report.tracker_store_url(settings, base=project)
    except (SystemExit, ValueError):  # tools/report.py stops a command line with SystemExit
        raise ConversationsError(f"The console cannot read the conversation store set in {ENDPOINTS} (tracker_store): "
                                 "it reads SQL stores only. Ask whoever runs the assistant to check it.") from None
    try:
        return report.read_conversations(url) or {}
    except Exception as error:  # a database server down, a wrong password: say so, never a 500
        raise ConversationsError("The conversations cannot be read just now "
                                 f"({error.__class__.__name__}). Try again later, or ask whoever runs the "
                                 "assistant whether its database is up.") from None


def clarifying_wording(project: Path) -> str:
    """The clarifying question's text (content/topics.yml ``question``), or "" when unreadable."""
    try:
        content = yaml.safe_load((project / TOPICS).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return ""
    return str(content.get("question") or "").strip()


# ---------------------------------------------------------------------------- the kinds


def is_clarifying(event: dict, question: str) -> bool:
    """Whether a bot event is the clarifying question (or the offer of the symptom check with the
    likely topics): its text is the question, or its last button is "Something else"."""
    if event.get("event") != "bot":
        return False
    if question and (event.get("text") or "").strip() == question:
        return True
    buttons = (event.get("data") or {}).get("buttons") or []
    return bool(buttons) and isinstance(buttons[-1], dict) and buttons[-1].get("payload") == SOMETHING_ELSE


def kind_of_miss(events: List[dict], index: int, question: str) -> str:
    """How the assistant replied to the unanswered message ``events[index]``: with the clarifying
    question, with the menu (a fallback: tools/report.py FALLBACK_ACTIONS, or an
    nlu_fallback / out_of_scope intent), else an answer given with low confidence."""
    reply: List[dict] = []
    for event in events[index + 1:]:
        if event.get("event") == "user":
            break
        reply.append(event)
    if any(is_clarifying(event, question) for event in reply):
        return CLARIFYING
    fallback = any(
        (event.get("event") == "action" and event.get("name") in report.FALLBACK_ACTIONS)
        or (event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") in report.FALLBACK_ACTIONS)
        for event in reply
    )
    intent = ((events[index].get("parse_data") or {}).get("intent") or {}).get("name")
    if fallback or intent in report.UNANSWERED_INTENTS:
        return MENU
    return LOW_CONFIDENCE


def missed_in(events: List[dict], min_confidence: float, question: str, conversation: str) -> List[Missed]:
    """The unanswered messages of one conversation (report.unanswered decides which), masked."""
    position = {id(event): i for i, event in enumerate(events)}
    return [
        Missed(report.mask(event["text"].strip()), float(event.get("timestamp") or 0.0),
               kind_of_miss(events, position[id(event)], question), conversation)
        for event, missed in report.unanswered(events, min_confidence) if missed
    ]


def missed_messages(project: Path, conversations: Optional[Dict[str, List[dict]]] = None) -> List[Missed]:
    """Every unanswered patient message in the project's tracker store (or in ``conversations``),
    oldest first. The threshold of a low-confidence answer is FallbackClassifier's in config.yml,
    as for ``make report``."""
    if conversations is None:
        conversations = read_store(project)
    min_confidence = report.fallback_threshold(project / CONFIG)
    question = clarifying_wording(project)
    found: List[Missed] = []
    for sender, events in conversations.items():
        found.extend(missed_in(events, min_confidence, question, conversation_hash(sender)))
    return sorted(found, key=lambda m: m.timestamp)


# --------------------------------------------------------------------------- asked counts


def count_answered(conversations: Iterable[List[dict]], min_confidence: float) -> Dict[str, int]:
    """Intent -> how many patient messages, typed (not a button), got that intent and were answered."""
    counts: Counter = Counter()
    for events in conversations:
        for event, missed in report.unanswered(events, min_confidence):
            name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if name and not missed:
                counts[str(name)] += 1
    return dict(counts)


def asked_counts(project: Path, conversations: Optional[Dict[str, List[dict]]] = None) -> Dict[str, int]:
    """How many times patients asked each intent in their own words and were answered, over every
    conversation in the tracker store (an intent never asked is absent). A button press is not
    counted: it shows which buttons were offered as much as what was wanted."""
    if conversations is None:
        conversations = read_store(project)
    return count_answered(conversations.values(), report.fallback_threshold(project / CONFIG))
