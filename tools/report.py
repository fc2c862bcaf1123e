"""The staff report of patient messages the assistant could not answer.

    .venv/bin/python -m tools.report [--endpoints endpoints.yml] [--out reports/unanswered.md]
                                     [--min-confidence 0.5]

Reads the conversations from the SQL tracker store configured in endpoints.yml (Rasa's
`events` table), picks the patient messages that were not answered, masks phone numbers,
e-mail addresses and dates, groups near-duplicates and prints the groups newest first; the
same Markdown goes to --out. Sender ids are never shown: the header gives counts only.

A message is unanswered when its intent is nlu_fallback or out_of_scope, its intent
confidence is below --min-confidence (default: FallbackClassifier's threshold in config.yml),
or the bot's reply to it ran a fallback (utter_default, action_default_fallback,
utter_out_of_scope). Button payloads ("/intent") and empty messages are ignored.

Grouping: messages are normalised (case, punctuation, whitespace, after masking) and a message
joins the first group whose normalised text has a difflib.SequenceMatcher ratio >= 0.8 with
it (so "What's the weather in Paris?" and "whats the weather in paris" are one group).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import yaml

from footdrop_rasa.stores import SQL_STORE_TYPES

UNANSWERED_INTENTS = {"nlu_fallback", "out_of_scope"}
FALLBACK_ACTIONS = {"utter_default", "action_default_fallback", "utter_out_of_scope"}
SIMILARITY = 0.8
DEFAULT_MIN_CONFIDENCE = 0.5

# ------------------------------------------------------------------------------ masking

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DATES = [
    re.compile(r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b"),  # 1961-03-12
    re.compile(r"\b\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})\b"),  # 12/03/1961, 12.3.61
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?\b", re.I),  # 12 March 1961
    re.compile(rf"\b{_MONTH}\s+{_DAY}(?:,?\s+\d{{4}})?\b", re.I),  # March 12, 1961
    re.compile(rf"\b{_MONTH}\s+\d{{4}}\b", re.I),  # March 1961
]
# A run of digits, spaces, dots, dashes and brackets (optionally after +) with 7+ digits.
_PHONE = re.compile(r"(?<![\w+])(?:\+|\()?\d[\d\s().-]*\d(?!\w)")


def _phone(match: re.Match) -> str:
    text = match.group(0)
    return "[phone]" if sum(c.isdigit() for c in text) >= 7 else text


def mask(text: str) -> str:
    """The text with e-mail addresses, dates and phone numbers replaced by [email], [date], [phone]."""
    text = _EMAIL.sub("[email]", text)
    for pattern in _DATES:
        text = pattern.sub("[date]", text)
    return _PHONE.sub(_phone, text)


# ----------------------------------------------------------------------------- grouping


def normalise(text: str) -> str:
    """Lower case, apostrophes dropped, other punctuation as spaces, single spaces."""
    text = re.sub(r"['\u2019`]", "", text.lower())
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def similar(a: str, b: str, threshold: float = SIMILARITY) -> bool:
    """Whether two normalised texts are near-duplicates (difflib ratio >= threshold)."""
    return a == b or SequenceMatcher(None, a, b).ratio() >= threshold


@dataclass
class Message:
    text: str  # already masked
    timestamp: float
    conversation: str = ""  # used for counting only, never shown


@dataclass
class Group:
    key: str  # normalised text of the group's first (newest) message
    messages: List[Message] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.messages)

    @property
    def last_seen(self) -> float:
        return max(m.timestamp for m in self.messages)

    @property
    def representative(self) -> str:
        """The most frequent wording in the group; the newest one on a tie."""
        counts = Counter(m.text for m in self.messages)
        newest = {m.text: m.timestamp for m in sorted(self.messages, key=lambda m: m.timestamp)}
        return max(counts, key=lambda t: (counts[t], newest[t]))


def group_messages(messages: Iterable[Message], threshold: float = SIMILARITY) -> List[Group]:
    """Near-duplicate groups (see `similar`), newest first by the last time seen."""
    groups: List[Group] = []
    for message in sorted(messages, key=lambda m: m.timestamp, reverse=True):
        key = normalise(message.text)
        for group in groups:
            if similar(key, group.key, threshold):
                group.messages.append(message)
                break
        else:
            groups.append(Group(key, [message]))
    return sorted(groups, key=lambda g: g.last_seen, reverse=True)


# --------------------------------------------------------------------- finding messages


def unanswered(events: Sequence[dict], min_confidence: float) -> List[Tuple[dict, bool]]:
    """(user event, unanswered?) for each patient message in one conversation's events."""
    result: List[Tuple[dict, bool]] = []
    for i, event in enumerate(events):
        if event.get("event") != "user":
            continue
        text = (event.get("text") or "").strip()
        if not text or text.startswith("/"):
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        confidence = intent.get("confidence")
        missed = intent.get("name") in UNANSWERED_INTENTS or (
            confidence is not None and confidence < min_confidence
        )
        for reply in events[i + 1 :]:  # the bot's turn: up to the next patient message
            if reply.get("event") == "user":
                break
            if reply.get("event") == "action" and reply.get("name") in FALLBACK_ACTIONS:
                missed = True
            if reply.get("event") == "bot" and (reply.get("metadata") or {}).get("utter_action") in FALLBACK_ACTIONS:
                missed = True  # a custom action that sent the fallback response
        result.append((event, missed))
    return result


# ------------------------------------------------------------------------- the database


def fallback_threshold(config: Path = Path("config.yml")) -> float:
    """FallbackClassifier's threshold in config.yml (0.5 when absent)."""
    try:
        pipeline = yaml.safe_load(config.read_text(encoding="utf-8")).get("pipeline") or []
    except (OSError, AttributeError, yaml.YAMLError):
        return DEFAULT_MIN_CONFIDENCE
    for component in pipeline:
        if component.get("name") == "FallbackClassifier":
            return float(component.get("threshold", DEFAULT_MIN_CONFIDENCE))
    return DEFAULT_MIN_CONFIDENCE


def tracker_store_settings(endpoints: Path) -> dict:
    """The `tracker_store:` keys of an endpoints.yml, with ${VARIABLES} from the environment
    filled in; {} when it configures none."""
    content = yaml.safe_load(Path(endpoints).read_text(encoding="utf-8")) or {}
    return {k: os.path.expandvars(v) if isinstance(v, str) else v
            for k, v in (content.get("tracker_store") or {}).items()}


def tracker_store_url(store: dict, base: Path = Path()):
    """An SQLAlchemy URL from Rasa's SQL tracker store keys (dialect, url, port, db, username, password).
    A relative SQLite file is taken from `base` (the folder Rasa runs in: the project)."""
    from sqlalchemy.engine.url import URL, make_url

    if str(store.get("type", "")).lower() not in SQL_STORE_TYPES:
        raise SystemExit(f"tracker_store type {store.get('type')!r} is not SQL: this report reads SQL stores only.")
    dialect = store.get("dialect", "sqlite")
    db = str(store.get("db", "rasa.db"))
    host = store.get("url")
    if host and "://" in str(host):
        return make_url(str(host))
    if dialect.startswith("sqlite"):
        return URL.create(dialect, database=str((Path(base) / db).resolve()))
    port = store.get("port")
    if host and ":" in str(host):
        host, _, port_in_host = str(host).partition(":")
        port = port or port_in_host
    return URL.create(
        dialect, username=store.get("username"), password=store.get("password"),
        host=host, port=int(port) if port else None, database=db, query=store.get("query") or {},
    )


def events_engine(url):
    """An SQLAlchemy engine on the tracker store, or None when it has no events table yet
    (an SQLite file not made yet, or a database Rasa has not written to). Dispose of it after use."""
    import sqlalchemy as sa

    if url.get_backend_name() == "sqlite" and not Path(url.database).is_file():
        return None
    engine = sa.create_engine(url)
    if not sa.inspect(engine).has_table("events"):
        engine.dispose()
        return None
    return engine


def read_conversations(url) -> Optional[Dict[str, List[dict]]]:
    """Each conversation's user, bot and action events in order; None when there is no store yet."""
    import sqlalchemy as sa

    engine = events_engine(url)
    if engine is None:
        return None
    try:
        query = sa.text(
            "SELECT sender_id, data FROM events WHERE type_name IN ('user', 'bot', 'action') ORDER BY id"
        )
        conversations: Dict[str, List[dict]] = {}
        with engine.connect() as connection:
            for sender_id, data in connection.execute(query):
                conversations.setdefault(sender_id, []).append(json.loads(data))
        return conversations
    finally:
        engine.dispose()


# ----------------------------------------------------------------------------- the report


def when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M")


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def render(groups: List[Group], start: float, end: float, patient_messages: int, conversations: int) -> str:
    """The report as Markdown: a header with the range and counts, then one row per group."""
    missed = [m for g in groups for m in g.messages]
    lines = ["# Unanswered patient messages", ""]
    if not missed:
        return "\n".join(lines + [f"No unanswered messages between {when(start)} and {when(end)}.", ""])
    lines += [
        f"From {when(start)} to {when(end)}: {plural(len(missed), 'unanswered message')} in "
        f"{plural(len({m.conversation for m in missed}), 'conversation')} "
        f"(of {plural(patient_messages, 'patient message')} in {plural(conversations, 'conversation')}), "
        f"{plural(len(groups), 'group')}, newest first. Phone numbers, e-mail addresses and dates are masked.",
        "",
        "| Last seen | Count | Message |",
        "|---|---:|---|",
    ]
    for group in groups:
        text = " ".join(group.representative.split()).replace("|", "\\|")
        lines.append(f"| {when(group.last_seen)} | {group.count} | {text} |")
    return "\n".join(lines + [""])


def build_report(conversations: Dict[str, List[dict]], min_confidence: float) -> str:
    timestamps = [e["timestamp"] for events in conversations.values() for e in events if e.get("timestamp")]
    if not timestamps:
        return ""
    checked = [(sender, event, missed) for sender, events in conversations.items()
               for event, missed in unanswered(events, min_confidence)]
    missed = [Message(mask(e["text"].strip()), e["timestamp"], sender) for sender, e, m in checked if m]
    return render(group_messages(missed), min(timestamps), max(timestamps),
                  len(checked), len({sender for sender, _, _ in checked}))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.report", description=__doc__.split("\n\n")[1])
    parser.add_argument("--endpoints", default="endpoints.yml", help="where the tracker store is configured")
    parser.add_argument("--out", default="reports/unanswered.md", help="the Markdown report to write")
    parser.add_argument("--min-confidence", type=float, default=None,
                        help="flag messages whose intent confidence is below this "
                             "(default: FallbackClassifier threshold in config.yml)")
    args = parser.parse_args(argv)
    min_confidence = args.min_confidence if args.min_confidence is not None else fallback_threshold()

    store = tracker_store_settings(Path(args.endpoints))
    if not store:
        raise SystemExit(f"{args.endpoints} configures no tracker_store: conversations are not kept.")
    url = tracker_store_url(store)
    where = url.database if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)
    try:
        conversations = read_conversations(url)
    except Exception as error:  # a server down or a wrong password: say so, no traceback
        raise SystemExit(f"Cannot read the tracker store {where}: {error.__class__.__name__}: {error}") from None
    report = build_report(conversations or {}, min_confidence)
    if not report:
        report = f"# Unanswered patient messages\n\nNo conversations yet in {where}.\n"

    print(report, end="")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")
    print(f"\nWritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
