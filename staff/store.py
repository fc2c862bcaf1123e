"""The console's own SQLite database (var/staff.db): accounts, sessions, failed logins,
approvals, ignored questions. One file, readable by the console's user only, with the
write-ahead log so that pages read while a change is written."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('editor', 'clinician')),
    password_hash TEXT NOT NULL,
    created REAL NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    account TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created REAL NOT NULL,
    last_seen REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS login_failures (
    key TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures(key, at);
-- An editor's change to an answer (kind 'answer': content {text, replaces}) or new topic (kind
-- 'topic': content {text, replaces: '', draft}), waiting for a clinician (staff/approvals.py).
CREATE TABLE IF NOT EXISTS proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    content TEXT NOT NULL,
    message TEXT NOT NULL,
    author TEXT NOT NULL,
    created REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'waiting'
        CHECK (status IN ('waiting', 'approved', 'declined', 'withdrawn')),
    decided_by TEXT,
    decided REAL,
    note TEXT,
    commit_sha TEXT
);
-- Groups of unanswered patient questions staff chose to ignore (staff/unanswered.py).
CREATE TABLE IF NOT EXISTS ignored_questions (
    key TEXT PRIMARY KEY,
    example TEXT NOT NULL,
    by TEXT NOT NULL,
    at REAL NOT NULL
);
-- What was published, when and by whom, with its figures (staff/publish.py).
CREATE TABLE IF NOT EXISTS publications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started REAL NOT NULL,
    finished REAL,
    by TEXT NOT NULL,
    commit_sha TEXT NOT NULL,
    status TEXT NOT NULL,
    model_sha256 TEXT,
    figures TEXT,
    message TEXT
);
"""


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the database at `path`, created (mode 0600, schema) when missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    connection = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.executescript(SCHEMA)
    return connection
