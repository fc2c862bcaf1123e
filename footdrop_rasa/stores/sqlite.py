"""Rasa's SQL tracker store on an SQLite file, set up for one server answering many patients.

Rasa 3.6 opens SQLite with SQLAlchemy 1.4's defaults: a new connection for every read and
every write, and SQLite's rollback journal, where each message's commit syncs a journal and
the database file and no reader may look while it does. Under load that made the tracker
store about 40% of the server's time (docs/PERFORMANCE.md). This store keeps Rasa's table
and what its queries return, and changes how the file is opened and read:

- the write-ahead log (``journal_mode=WAL``): a commit appends to one log file and syncs it
  once, and readers are never blocked by the writer;
- ``synchronous=FULL`` kept: a message is on disk before the patient gets the reply, also
  across a power cut (``NORMAL`` would be faster and lose the last messages then);
- connections are kept open and reused (a pool) instead of one per query;
- a message's two trips to the store (read the conversation, then add its new events) run
  Rasa's own queries written as plain SQL on a pooled connection. Through SQLAlchemy's ORM
  they cost about 9 ms a message, a quarter of the server's time; as plain SQL about 2 ms.
  Same rows, same order, same rule for what the current session is (below);
- whether a conversation is stored (asked for every message, footdrop_rasa/channels/ownership.py) is one
  indexed row, not the whole conversation read back;
- reading turns each stored event back into its Rasa event class, found by its name. Rasa
  searches all event classes for every event it reads (``Event.resolve_by_type``), 5% of the
  server's time; this store looks the name up in a table of those classes.

The plain SQL repeats Rasa 3.6.21's private query (``SQLTrackerStore._retrieve``, its rule for
the current session): on another Rasa release the start stops with an error saying so
(footdrop_rasa/rasa_version.py). ``plain_sql: false`` under ``tracker_store`` in endpoints.yml
reads and writes through Rasa's own code (the log, the syncs and the pool stay).

``make purge`` empties the log after deleting (tools/purge.py), so deleted conversations do
not stay in it. Use Rasa's own ``SQL`` type for PostgreSQL (endpoints.scale.yml).
"""

from __future__ import annotations

import itertools
import json
import logging
from contextlib import contextmanager
from typing import Any, Dict, Iterator, Optional, Text, Tuple, Type

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.shared.utils.common import all_subclasses

from footdrop_rasa.rasa_version import require_tested_rasa

logger = logging.getLogger(__name__)

POOL_SIZE = 4  # connections kept open; Rasa uses one at a time per message, on one thread

# Rasa's rule (SQLTrackerStore._event_query): the current session is every event of the
# conversation from the latest `session_started` on, by timestamp; with no such event, all
# of them. Events come in the order they were stored (id), never by their timestamp.
_SESSION_START = (
    "(SELECT max(timestamp) AS start FROM events WHERE sender_id = :sender AND type_name = :started)"
)
_IN_SESSION = "sender_id = :sender AND (timestamp >= session.start OR session.start IS NULL)"
CURRENT_SESSION_EVENTS = f"SELECT data FROM events, {_SESSION_START} AS session WHERE {_IN_SESSION} ORDER BY id"
CURRENT_SESSION_COUNT = f"SELECT count(*) FROM events, {_SESSION_START} AS session WHERE {_IN_SESSION}"
ALL_EVENTS = "SELECT data FROM events WHERE sender_id = :sender ORDER BY id"
ANY_EVENT = "SELECT 1 FROM events WHERE sender_id = :sender LIMIT 1"
INSERT_EVENT = (
    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
    "VALUES (:sender, :type_name, :timestamp, :intent, :action, :data)"
)


_EVENT_CLASSES: Dict[Text, Type[Event]] = {}


def event_from_dict(data: Dict[Text, Any]) -> Optional[Event]:
    """``Event.from_parameters(data)``, with the class looked up in a table, not searched for.
    The table holds the event classes imported when it is first needed, first of a name wins
    (as in Rasa's search); any other name goes to Rasa's own search (and its errors)."""
    if not _EVENT_CLASSES:
        for cls in all_subclasses(Event):  # the order Event.resolve_by_type searches in
            _EVENT_CLASSES.setdefault(cls.type_name, cls)
    cls = _EVENT_CLASSES.get(data.get("event"))
    return cls._from_parameters(data) if cls is not None else Event.from_parameters(data)


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
    finally:
        cursor.close()


class SQLiteTrackerStore(SQLTrackerStore):
    """`tracker_store: {type: footdrop_rasa.stores.sqlite.SQLiteTrackerStore, db: var/tracker.db}`."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        db: Text = "rasa.db",
        event_broker: Optional[EventBroker] = None,
        plain_sql: bool = True,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("dialect", None)  # always SQLite
        self.plain_sql = bool(plain_sql)
        if self.plain_sql:
            require_tested_rasa("SQLiteTrackerStore (footdrop_rasa/stores/sqlite.py)",
                                "SQLTrackerStore._retrieve and its session query",
                                "set `plain_sql: false` under tracker_store in endpoints.yml")
        super().__init__(domain=domain, dialect="sqlite", db=db, event_broker=event_broker, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        # Rasa runs the store on its event loop's thread; other threads (Rasa's HTTP API) may
        # borrow a pooled connection in turn, which sqlite3 allows with check_same_thread off.
        self.engine = sa.create_engine(
            url, poolclass=sa.pool.QueuePool, pool_size=POOL_SIZE, max_overflow=POOL_SIZE,
            connect_args={"check_same_thread": False},
        )
        sa.event.listen(self.engine, "connect", _set_pragmas)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    @contextmanager
    def _cursor(self) -> Iterator[Tuple[Any, Any]]:
        """A pooled connection and a cursor on it; the connection goes back to the pool after."""
        connection = self.engine.raw_connection()
        try:
            yield connection, connection.cursor()
        finally:
            connection.close()

    async def _retrieve(
        self, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        """As Rasa's: the conversation's current session (or all of it), or None."""
        if not self.plain_sql:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        sql = ALL_EVENTS if fetch_events_from_all_sessions else CURRENT_SESSION_EVENTS
        with self._cursor() as (_connection, cursor):
            rows = cursor.execute(sql, {"sender": sender_id, "started": SessionStarted.type_name}).fetchall()
        if not self.domain or not rows:
            return None
        # As DialogueStateTracker.from_dict (rasa.shared.core.events.deserialise_events).
        events = []
        for (text,) in rows:
            data = json.loads(text)
            if "event" in data:
                event = event_from_dict(data)
                if event is None:
                    logger.warning("Conversation %s: an event of type %r could not be read", sender_id, data["event"])
                else:
                    events.append(event)
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    async def exists(self, conversation_id: Text) -> bool:
        """Whether a conversation is stored: one indexed row looked up, where Rasa's default
        reads and rebuilds the whole conversation. The channels ask it for every message
        (footdrop_rasa/channels/ownership.py)."""
        if not self.plain_sql:
            return await super().exists(conversation_id)
        with self._cursor() as (_connection, cursor):
            return cursor.execute(ANY_EVENT, {"sender": conversation_id}).fetchone() is not None

    async def save(self, tracker: DialogueStateTracker) -> None:
        """As Rasa's: store the tracker's events that the current session does not hold yet."""
        if not self.plain_sql:
            return await super().save(tracker)
        await self.stream_events(tracker)
        with self._cursor() as (connection, cursor):
            (stored,) = cursor.execute(
                CURRENT_SESSION_COUNT, {"sender": tracker.sender_id, "started": SessionStarted.type_name}
            ).fetchone()
            rows = []
            for event in itertools.islice(tracker.events, stored, len(tracker.events)):
                data = event.as_dict()
                rows.append({
                    "sender": tracker.sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    "action": data.get("name"),
                    "data": json.dumps(data),
                })
            if rows:
                cursor.executemany(INSERT_EVENT, rows)
                connection.commit()
