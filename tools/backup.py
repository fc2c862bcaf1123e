"""Backs up the SQLite conversation store while the assistant serves, and puts a backup back.

    make backup [DIR=var/backups] [KEEP=30]      .venv/bin/python -m tools.backup backup
    make restore FILE=var/backups/tracker-20261204-031500.123.db

A backup is a consistent copy made with SQLite's online backup API (the messages still in the
write-ahead log included), while Rasa goes on reading and writing: a plain file copy would
miss the log or catch a page half written. Each backup is checked (PRAGMA integrity_check)
before it gets its final name, is private to this user (0600 in a 0700 folder), and only the
newest KEEP are kept. Only counts are printed, never sender ids or message text.

A restore first checks the file (integrity, Rasa's events table), then backs up the current
store (``before-restore-...``, so a restore can be undone), then copies the file into the
store through the same API: a running assistant reads the restored conversations from its next
message on. Conversations written after the backup are gone from the store (they are in the
``before-restore`` copy).

PostgreSQL (endpoints.scale.yml) is backed up with its own tools: docs/DEPLOY.md.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from datetime import datetime
from pathlib import Path
from typing import Optional, Sequence, Tuple

from tools.purge import tracker_store
from tools.report import plural, tracker_store_url

DEFAULT_DIR = Path("var/backups")
DEFAULT_KEEP = 30
#: Rasa's events table, as the assistant and the staff tools read it
COLUMNS = {"id", "sender_id", "type_name", "timestamp", "intent_name", "action_name", "data"}


class BackupError(Exception):
    """A store or backup file that cannot be used, with the reason for staff."""


def sqlite_store(endpoints: Path) -> Path:
    """The SQLite file endpoints.yml's tracker store uses."""
    url = tracker_store_url(tracker_store(endpoints))
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            f"{endpoints} keeps conversations in {url.get_backend_name()}, not SQLite: back it up with "
            "its own tools (docs/DEPLOY.md, 'Backups')."
        )
    return Path(url.database)


def counts(connection: sqlite3.Connection) -> Tuple[int, int]:
    """(conversations, events) in a store or backup."""
    return connection.execute("SELECT COUNT(DISTINCT sender_id), COUNT(*) FROM events").fetchone()


def check(path: Path) -> Tuple[int, int]:
    """A backup file's (conversations, events), after checking it is a whole SQLite database
    with Rasa's events table; BackupError says what is wrong."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            result = connection.execute("PRAGMA integrity_check").fetchall()
            if result != [("ok",)]:
                raise BackupError(f"{path} is damaged (SQLite's integrity check: {result[0][0]}).")
            columns = {row[1] for row in connection.execute("PRAGMA table_info(events)")}
            if not COLUMNS <= columns:
                raise BackupError(f"{path} is not a backup of the conversation store (no events table of Rasa's).")
            return counts(connection)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database ({error}).") from None


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)


def backup(store: Path, folder: Path, keep: Optional[int] = DEFAULT_KEEP, prefix: str = "tracker") -> Tuple[Path, int, int]:
    """Copies the live store into ``folder``; returns (the backup, conversations, events).
    Removes all but the newest ``keep`` backups named ``prefix-*`` (None: removes none)."""
    if not store.is_file():
        raise BackupError(f"There is no conversation store at {store} yet: nothing to back up.")
    _private_folder(folder)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S.%f")[:-3]
    target = folder / f"{prefix}-{stamp}.db"
    partial = target.with_name(target.name + ".partial")
    previous = os.umask(0o077)
    try:
        source = sqlite3.connect(store)
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # in one step: one consistent snapshot, writers go on (WAL)
            copy.execute("PRAGMA journal_mode=DELETE")  # a backup is one file
        finally:
            copy.close()
            source.close()
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        found = check(partial)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        os.umask(previous)
    if keep is not None:
        for old in sorted(folder.glob(f"{prefix}-*.db"))[:-keep]:
            old.unlink()
    return (target, *found)


def restore(file: Path, store: Path, folder: Path) -> Tuple[Optional[Path], int, int]:
    """Puts a checked backup in place of the store, after backing up the store as it was.
    Returns (that safety backup, or None if there was no store; conversations, events restored)."""
    found = check(file)
    safety = backup(store, folder, keep=None, prefix="before-restore")[0] if store.is_file() else None
    previous = os.umask(0o077)
    try:
        store.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        source = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        live = sqlite3.connect(store, timeout=30)
        try:
            source.backup(live)  # a running assistant sees it from its next read on
        except sqlite3.OperationalError as error:
            raise BackupError(f"Could not write {store} ({error}): stop the assistant and run the restore again.") from None
        finally:
            live.close()
            source.close()
    finally:
        os.umask(previous)
    store.chmod(0o600)
    return (safety, *found)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.backup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"),
                        help="where the tracker store is configured (default: endpoints.yml)")
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help=f"the backups' folder (default: {DEFAULT_DIR})")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="back up the store now")
    make.add_argument("--keep", type=int, default=DEFAULT_KEEP, help=f"backups kept, newest first (default {DEFAULT_KEEP})")
    put = commands.add_parser("restore", help="put a backup in place of the store")
    put.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    try:
        store = sqlite_store(args.endpoints)
        if args.command == "backup":
            if args.keep < 1:
                parser.error(f"--keep must be 1 or more, not {args.keep}")
            target, conversations, events = backup(store, args.dir, args.keep)
            print(f"Backed up {plural(conversations, 'conversation')} ({plural(events, 'event')}) to {target}.")
        else:
            safety, conversations, events = restore(args.file, store, args.dir)
            before = f" The store as it was is in {safety}." if safety else ""
            print(f"Restored {plural(conversations, 'conversation')} ({plural(events, 'event')}) from {args.file} into {store}.{before}")
    except BackupError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
