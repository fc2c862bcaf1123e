"""Rasa's SQL tracker store on an SQLite file, set up for one server answering many patients.

Rasa 3.6 opens SQLite with SQLAlchemy 1.4's defaults: a new connection for every read and
every write, and SQLite's rollback journal, where each message's commit syncs a journal and
the database file and no reader may look while it does. Under load that made the tracker
store about 40% of the server's time (docs/PERFORMANCE.md). This store keeps Rasa's table,
queries and behaviour, and changes how the file is opened:

- the write-ahead log (``journal_mode=WAL``): a commit appends to one log file and syncs it
  once, and readers are never blocked by the writer;
- ``synchronous=FULL`` kept: a message is on disk before the patient gets the reply, also
  across a power cut (``NORMAL`` would be faster and lose the last messages then);
- connections are kept open and reused (a pool) instead of one per query.

``make purge`` empties the log after deleting (tools/purge.py), so deleted conversations do
not stay in it. Use Rasa's own ``SQL`` type for PostgreSQL (endpoints.scale.yml).
"""

from __future__ import annotations

from typing import Any, Optional, Text

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain

POOL_SIZE = 4  # connections kept open; Rasa uses one at a time per message, on one thread


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
    finally:
        cursor.close()


class SQLiteTrackerStore(SQLTrackerStore):
    """`tracker_store: {type: stores.sqlite.SQLiteTrackerStore, db: var/tracker.db}`."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        db: Text = "rasa.db",
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("dialect", None)  # always SQLite
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
