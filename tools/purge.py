"""Deletes conversations older than the clinic's retention period from the tracker store.

    .venv/bin/python -m tools.purge --days 365 [--dry-run] [--endpoints endpoints.yml]
    make purge DAYS=365

A conversation is deleted, all of its events, when its LAST event is older than --days days:
a conversation still going on is never cut in half. The tracker store is the SQL one
configured in endpoints.yml (SQLite by default, PostgreSQL in endpoints.scale.yml, whose
${NAME} values come from the environment as Rasa reads them). --dry-run only counts what
would go. Only counts are printed, never sender ids or message text.

On SQLite the deleted rows are overwritten on disk (PRAGMA secure_delete), so old messages
do not linger in the file's free pages; PostgreSQL reclaims them with its (auto)vacuum.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Optional, Sequence, Tuple

import yaml

from tools.report import events_engine, plural, tracker_store_url

SECONDS_PER_DAY = 24 * 60 * 60

# Conversations whose last event is older than :cutoff (unix seconds, as Rasa stores them).
OLD_CONVERSATIONS = "SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff"


def tracker_store(endpoints: Path) -> dict:
    """endpoints.yml's tracker_store, with ${NAME} values taken from the environment."""
    config = yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}
    store = {k: os.path.expandvars(v) if isinstance(v, str) else v
             for k, v in (config.get("tracker_store") or {}).items()}
    if not store:
        raise SystemExit(f"{endpoints} configures no tracker_store: there are no conversations to purge.")
    unset = sorted({name for value in store.values() if isinstance(value, str)
                    for name in re.findall(r"\$\{(\w+)\}", value)})
    if unset:
        raise SystemExit(f"{endpoints}: the tracker store needs environment variable(s) {', '.join(unset)}, not set.")
    return store


def purge(url, cutoff: float, dry_run: bool = False) -> Optional[Tuple[int, int]]:
    """Deletes (or with dry_run only counts) the conversations whose last event is before cutoff.

    Returns (conversations, events), or None when the store has no events table yet.
    """
    import sqlalchemy as sa

    engine = events_engine(url)
    if engine is None:
        return None
    try:
        with engine.begin() as connection:  # one transaction: counts and deletion agree
            if url.get_backend_name() == "sqlite":
                # Zero the deleted rows in the file (Debian's SQLite does by default, other builds not).
                connection.exec_driver_sql("PRAGMA secure_delete = ON")
            conversations, events = connection.execute(
                sa.text(f"SELECT COUNT(DISTINCT sender_id), COUNT(*) FROM events "
                        f"WHERE sender_id IN ({OLD_CONVERSATIONS})"),
                {"cutoff": cutoff},
            ).one()
            if not dry_run and events:
                events = connection.execute(
                    sa.text(f"DELETE FROM events WHERE sender_id IN ({OLD_CONVERSATIONS})"), {"cutoff": cutoff}
                ).rowcount
        if url.get_backend_name() == "sqlite" and not dry_run and events:
            with engine.connect() as connection:
                # With the write-ahead log (footdrop_rasa/stores/sqlite.py) the deleted rows' old pages can
                # sit in the log file: copy it into the database and empty it.
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return conversations, events
    finally:
        engine.dispose()


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.purge", description=__doc__.split("\n\n")[1])
    parser.add_argument("--days", type=int, required=True,
                        help="the retention period: conversations whose last message is older go")
    parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
    parser.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"),
                        help="where the tracker store is configured (default: endpoints.yml)")
    args = parser.parse_args(argv)
    if args.days < 1:
        parser.error(f"--days must be 1 or more (the clinic's retention period in days), not {args.days}")

    url = tracker_store_url(tracker_store(args.endpoints))
    where = url.database if url.get_backend_name() == "sqlite" else url.render_as_string(hide_password=True)
    cutoff = time.time() - args.days * SECONDS_PER_DAY
    try:
        counts = purge(url, cutoff, args.dry_run)
    except Exception as error:  # a server down or a wrong password: say so, no traceback
        raise SystemExit(f"Cannot purge the tracker store {where}: {error.__class__.__name__}: {error}") from None
    if counts is None:
        print(f"No conversations yet in {where}: nothing to delete.")
        return 0

    conversations, events = counts
    found = f"{plural(conversations, 'conversation')} ({plural(events, 'event')})"
    since = f"with no message in the last {plural(args.days, 'day')} (since {datetime.fromtimestamp(cutoff):%Y-%m-%d %H:%M})"
    if args.dry_run:
        print(f"Would delete {found} {since} from {where}. Nothing was deleted (--dry-run).")
    else:
        print(f"Deleted {found} {since} from {where}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
