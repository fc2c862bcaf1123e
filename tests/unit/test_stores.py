"""The SQLite tracker store (footdrop_rasa/stores/sqlite.py): Rasa's SQL store with a write-ahead log, full
syncs and pooled connections, and still every event of every conversation kept."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from footdrop_rasa.channels import kind
from footdrop_rasa.stores.sqlite import SQLiteTrackerStore
from support.project import ROOT

DOMAIN = Domain.load(ROOT / "domain.yml")


def conversation(store: SQLTrackerStore, sender: str, turns: int) -> DialogueStateTracker:
    """`turns` patient messages and replies, saved after each turn as Rasa does."""
    tracker = asyncio.run(store.get_or_create_tracker(sender))
    for turn in range(turns):
        tracker.update(UserUttered(f"question {turn} from {sender}", {"name": "ask_causes", "confidence": 1.0}))
        tracker.update(ActionExecuted("utter_ask_causes"))
        tracker.update(BotUttered(f"answer {turn}"))
        tracker.update(ActionExecuted("action_listen"))
        asyncio.run(store.save(tracker))
    return tracker


def test_conversations_are_kept_whole_in_a_write_ahead_logged_file(tmp_path):
    db = tmp_path / "tracker.db"
    store = SQLiteTrackerStore(domain=DOMAIN, db=str(db))
    senders = [str(uuid.uuid4()) for _ in range(3)]
    trackers = {sender: conversation(store, sender, turns=4) for sender in senders}

    with store.engine.connect() as connection:  # what every pooled connection is set to
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    store.engine.dispose()

    # A new store on the same file, as after a restart: every event back, in order.
    again = SQLiteTrackerStore(domain=DOMAIN, db=str(db))
    for sender, tracker in trackers.items():
        restored = asyncio.run(again.retrieve(sender))
        assert restored is not None
        assert [e.as_dict() for e in restored.events] == [e.as_dict() for e in tracker.events]
    assert sorted(asyncio.run(again.keys())) == sorted(senders)
    again.engine.dispose()

    # And Rasa's own SQL store (and the staff tools, which read with plain SQL) read the same rows.
    plain = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(db))
    assert len(asyncio.run(plain.retrieve(senders[0])).events) == len(trackers[senders[0]].events)
    with sqlite3.connect(db) as connection:
        stored = connection.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    assert stored == sum(len(t.events) for t in trackers.values())


def test_a_dialect_in_the_endpoints_is_ignored_the_store_is_always_sqlite(tmp_path):
    store = SQLiteTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"), dialect="postgresql", host=None)
    assert store.engine.url.get_backend_name() == "sqlite"
    conversation(store, "someone", turns=1)
    assert (tmp_path / "t.db").is_file()


def test_reads_and_writes_match_rasas_own_sql_store_across_sessions(tmp_path):
    """The store's plain-SQL reads and writes give what Rasa's ORM ones give, on the same file:
    the current session only for `retrieve`, every session for `retrieve_full_tracker`, and each
    event stored once, whichever of the two stores saved the turn before."""
    db = str(tmp_path / "tracker.db")
    ours = SQLiteTrackerStore(domain=DOMAIN, db=db)
    rasas = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=db)
    sender = "patient-with-two-sessions"
    added = list(asyncio.run(ours.get_or_create_tracker(sender)).events)  # the whole conversation
    for session in range(2):
        for turn in range(3):
            # As Rasa's processor: read the current session, add the turn's events, save.
            tracker = asyncio.run(ours.retrieve(sender))
            events = []
            if session and not turn:  # a new session, as Rasa starts one after the expiry
                events += [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
            events += [
                UserUttered(f"turn {turn}", {"name": "ask_causes", "confidence": 0.9}),
                SlotSet("affected_side", "left"),
                ActionExecuted("utter_ask_causes"),
                BotUttered(f"answer {session}.{turn}"),
                ActionExecuted("action_listen"),
            ]
            for event in events:
                tracker.update(event)
            added += events
            writer = ours if turn % 2 else rasas  # both write to the same conversation
            asyncio.run(writer.save(tracker))
            current = asyncio.run(ours.retrieve(sender))
            theirs = asyncio.run(rasas.retrieve(sender))
            assert [e.as_dict() for e in current.events] == [e.as_dict() for e in theirs.events]
            assert current.current_state() == theirs.current_state()

    full = asyncio.run(ours.retrieve_full_tracker(sender))
    assert [e.as_dict() for e in full.events] == [e.as_dict() for e in added]
    assert full.current_state() == asyncio.run(rasas.retrieve_full_tracker(sender)).current_state()
    # The current session starts at the second SessionStarted: nothing of the first is in it.
    current = asyncio.run(ours.retrieve(sender))
    assert [e.text for e in current.events if isinstance(e, BotUttered)] == [f"answer 1.{t}" for t in range(3)]
    assert isinstance(current.events[0], SessionStarted)
    assert current.get_slot("affected_side") == "left"
    # Saving an unchanged tracker stores nothing twice.
    asyncio.run(ours.save(current))
    with sqlite3.connect(db) as connection:
        stored = connection.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]
    assert stored == len(added)


def test_an_unknown_conversation_is_none_and_a_new_one_is_created(tmp_path):
    store = SQLiteTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"))
    assert asyncio.run(store.retrieve("nobody")) is None
    assert asyncio.run(store.retrieve_full_tracker("nobody")) is None
    created = asyncio.run(store.get_or_create_tracker("newcomer"))
    assert [e.as_dict() for e in asyncio.run(store.retrieve("newcomer")).events] == [e.as_dict() for e in created.events]


def test_exists_looks_up_one_row_and_agrees_with_rasas_answer(tmp_path):
    """The channels ask for every message whether a conversation is stored (footdrop_rasa/channels/ownership.py):
    one indexed row, where Rasa's default reads the whole conversation back."""
    store = SQLiteTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"))
    conversation(store, "someone", turns=3)
    for sender in ("someone", "nobody"):
        assert asyncio.run(store.exists(sender)) is asyncio.run(TrackerStore.exists(store, sender))
    assert asyncio.run(store.exists("someone")) is True


def test_the_channels_ask_the_configured_store_past_rasas_wrapper_and_a_failure_is_no_conversation(tmp_path):
    store = SQLiteTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"))
    conversation(store, "someone", turns=1)
    app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=FailSafeTrackerStore(store))))
    exists = kind.conversation_exists(app)
    reads = []
    store.retrieve = lambda *args, **kwargs: reads.append(args)  # the whole-conversation read
    assert asyncio.run(exists("someone")) is True and asyncio.run(exists("nobody")) is False
    assert reads == [], "no conversation was read back to answer"
    store.engine.dispose()
    (tmp_path / "t.db").unlink()
    (tmp_path / "t.db").mkdir()  # the file is gone and cannot be made: the store fails
    store.engine = sa.create_engine(f"sqlite:///{tmp_path / 't.db'}")
    assert asyncio.run(exists("someone")) is False


def test_rasas_own_sql_store_is_asked_for_one_row_too(tmp_path):
    """PostgreSQL runs Rasa's SQLTrackerStore (endpoints.scale.yml), whose ``exists`` reads the
    whole conversation; the channels ask its events table for one row instead (here on SQLite)."""
    plain = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    conversation(plain, "someone", turns=2)
    exists = kind.conversation_exists(SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(
        tracker_store=FailSafeTrackerStore(plain)))))
    reads = []
    plain.retrieve = lambda *args, **kwargs: reads.append(args)
    assert asyncio.run(exists("someone")) is True and asyncio.run(exists("nobody")) is False
    assert reads == []


def test_plain_sql_false_reads_and_writes_through_rasas_own_code(tmp_path, monkeypatch):
    calls = []
    for name in ("_retrieve", "save", "exists"):
        original = getattr(SQLTrackerStore, name)

        async def spy(self, *args, _original=original, _name=name):
            calls.append(_name)
            return await _original(self, *args)
        monkeypatch.setattr(SQLTrackerStore, name, spy)
    db = tmp_path / "tracker.db"
    stock = SQLiteTrackerStore(domain=DOMAIN, db=str(db), plain_sql=False)
    tracker = conversation(stock, "patient", turns=2)
    assert asyncio.run(stock.exists("patient"))
    assert [e.as_dict() for e in asyncio.run(stock.retrieve("patient")).events] == [e.as_dict() for e in tracker.events]
    assert {"_retrieve", "save", "exists"} <= set(calls)
    with stock.engine.connect() as connection:  # the write-ahead log and full syncs stay
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    stock.engine.dispose()
    # The same file read by the plain-SQL store: the same events.
    calls.clear()
    fast = SQLiteTrackerStore(domain=DOMAIN, db=str(db))
    assert [e.as_dict() for e in asyncio.run(fast.retrieve("patient")).events] == [e.as_dict() for e in tracker.events]
    assert calls == []  # its own SQL, not Rasa's code
    fast.engine.dispose()


def test_on_another_rasa_release_the_store_stops_naming_the_switch(tmp_path, monkeypatch):
    import rasa

    from footdrop_rasa.rasa_version import UntestedRasaError

    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    with pytest.raises(UntestedRasaError, match="plain_sql: false"):
        SQLiteTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"))
    store = SQLiteTrackerStore(domain=DOMAIN, db=str(tmp_path / "t.db"), plain_sql=False)
    conversation(store, "patient", turns=1)
    assert asyncio.run(store.exists("patient"))
    store.engine.dispose()
