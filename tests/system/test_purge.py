"""The retention purge (tools/purge.py, `make purge DAYS=...`) on a copy of a real tracker store.

Conversations are held with the real assistant, its SQLite store is copied, some conversations
are aged in the copy, and the purge runs on the copy (never on var/tracker.db). The same rows
also go into PostgreSQL, in a table made from Rasa's own schema, purged through
endpoints.scale.yml.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from support.project import ROOT
from support.rest_client import send, stored_id
from support.scale import ENDPOINTS as SCALE_ENDPOINTS, Services

DAY = 24 * 60 * 60
# Each conversation: its messages, and which of its events are aged by 40 days in the copy.
CONVERSATIONS = {
    "old": (["what is foot drop", "old-marker-kestrel41 should I wear a brace"], "all"),
    "old too": (["hello", "old-marker-kestrel42 what causes foot drop"], "all"),
    "recent": (["recent-marker-heron17 what exercises help foot drop"], None),
    # Began long ago, but the patient wrote again today: kept whole, never cut in half.
    "long-running": (["what is steppage gait", "long-marker-egret5 can I take painkillers for it"], "first half"),
}
OLD = {"old", "old too"}


def rows(db: Path, where: str = "1", *params) -> list:
    with sqlite3.connect(db) as connection:
        return connection.execute(f"SELECT * FROM events WHERE {where} ORDER BY id", params).fetchall()


def run_purge(endpoints: Path, *options, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tools.purge", "--endpoints", str(endpoints), *options],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=env,
    )


@pytest.fixture(scope="module")
def store(assistant, tmp_path_factory):
    """A copy of the assistant's tracker store with two conversations aged 40 days (and half of one).

    Returns (copy, {name: sender id}).
    """
    clients = {name: str(uuid.uuid4()) for name in CONVERSATIONS}
    for name, (messages, _) in CONVERSATIONS.items():
        for message in messages:
            assert send(assistant, message, clients[name]).status_code == 200
    # the ids the conversations are stored under (footdrop_rasa/channels/ownership.py)
    senders = {name: stored_id(assistant, client) for name, client in clients.items()}

    copy = tmp_path_factory.mktemp("purge") / "tracker.db"
    with sqlite3.connect(assistant.tracker_db) as source, sqlite3.connect(copy) as target:
        source.backup(target)  # a consistent copy while the server runs
    with sqlite3.connect(copy) as db:
        for name, (_, aged) in CONVERSATIONS.items():
            ids = [i for (i,) in db.execute("SELECT id FROM events WHERE sender_id = ? ORDER BY id", (senders[name],))]
            assert ids, f"no events stored for the {name!r} conversation"
            if aged == "first half":
                ids = ids[: len(ids) // 2]
            if aged:
                db.executemany("UPDATE events SET timestamp = timestamp - ? WHERE id = ?", [(40 * DAY, i) for i in ids])
    return copy, senders


def endpoints_for(db: Path) -> Path:
    endpoints = db.with_name(f"endpoints-{db.stem}.yml")
    endpoints.write_text(yaml.safe_dump({"tracker_store": {"type": "footdrop_rasa.stores.sqlite.SQLiteTrackerStore", "db": str(db)}}))
    return endpoints


def test_dry_run_counts_and_deletes_nothing(store):
    db, senders = store
    before = rows(db)
    old_events = [r for r in before if r[1] in {senders[n] for n in OLD}]
    result = run_purge(endpoints_for(db), "--days", "30", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert f"Would delete 2 conversations ({len(old_events)} events)" in result.stdout, result.stdout
    assert "Nothing was deleted" in result.stdout
    assert rows(db) == before
    for sender in senders.values():
        assert sender not in result.stdout + result.stderr


def test_purge_deletes_exactly_the_old_conversations(store, tmp_path):
    db = tmp_path / "tracker.db"
    shutil.copy(store[0], db)
    senders = store[1]
    old = {senders[n] for n in OLD}
    before = rows(db)
    assert b"old-marker-kestrel41" in db.read_bytes()  # the old text is really in the file
    with sqlite3.connect(db) as connection:  # as the assistant keeps it (footdrop_rasa/stores/sqlite.py)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)

    result = run_purge(endpoints_for(db), "--days", "30")
    assert result.returncode == 0, result.stderr
    assert f"Deleted 2 conversations ({sum(r[1] in old for r in before)} events)" in result.stdout, result.stdout
    assert rows(db) == [r for r in before if r[1] not in old]  # everything else intact, row for row
    assert rows(db, "sender_id = ?", senders["long-running"])  # old start, recent end: kept whole
    assert rows(db, "sender_id = ?", senders["recent"])
    for sender in senders.values():
        assert sender not in result.stdout + result.stderr
    log = db.with_name(db.name + "-wal")  # the write-ahead log of footdrop_rasa/stores/sqlite.py
    for marker in (b"old-marker-kestrel41", b"old-marker-kestrel42"):
        assert marker not in db.read_bytes()  # overwritten on disk, not left in free pages
        assert not log.exists() or marker not in log.read_bytes()  # nor in the log

    again = run_purge(endpoints_for(db), "--days", "30")
    assert "Deleted 0 conversations (0 events)" in again.stdout, again.stdout


def test_days_must_be_given_and_at_least_one(tmp_path):
    endpoints = endpoints_for(tmp_path / "tracker.db")
    for options in ([], ["--days", "0"], ["--days", "-5"], ["--days", "soon"]):
        result = run_purge(endpoints, *options)
        assert result.returncode == 2, (options, result.stdout)
        assert "usage: python -m tools.purge" in result.stderr and "--days" in result.stderr, result.stderr
    assert "must be 1 or more" in run_purge(endpoints, "--days", "0").stderr


def test_no_store_yet_is_not_an_error(tmp_path):
    result = run_purge(endpoints_for(tmp_path / "tracker.db"), "--days", "30")
    assert result.returncode == 0, result.stderr
    assert "nothing to delete" in result.stdout
    assert not (tmp_path / "tracker.db").exists()


@pytest.fixture
def project_copy(tmp_path):
    """The files `make purge` needs, in a folder of their own, using this checkout's .venv."""
    copy = tmp_path / "project"
    (copy / "var").mkdir(parents=True)
    for package in ("tools", "footdrop", "footdrop_rasa"):
        shutil.copytree(ROOT / package, copy / package, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("Makefile", "endpoints.yml", "requirements.lock"):
        shutil.copy2(ROOT / name, copy / name)
    (copy / ".venv").symlink_to(ROOT / ".venv")
    return copy


def make(copy: Path, *args) -> subprocess.CompletedProcess:
    # -o: never (re)build the shared .venv from here, whatever its timestamps say.
    return subprocess.run(["make", "--no-print-directory", "-C", str(copy), "-o", ".venv/.installed", "purge", *args],
                          capture_output=True, text=True, timeout=120)


def test_make_purge_on_a_project_copy(store, project_copy):
    db = project_copy / "var" / "tracker.db"
    shutil.copy(store[0], db)
    old = {store[1][n] for n in OLD}
    before = rows(db)

    usage = make(project_copy)
    assert usage.returncode != 0 and "Usage: make purge DAYS=" in usage.stdout, usage.stdout + usage.stderr
    assert rows(db) == before

    result = make(project_copy, "DAYS=30")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Deleted 2 conversations" in result.stdout
    assert rows(db) == [r for r in before if r[1] not in old]


# ------------------------------------------------------------------------------ PostgreSQL


def test_purge_on_postgresql_with_endpoints_scale_yml(store):
    """The same rows in PostgreSQL, in Rasa's own table, purged through endpoints.scale.yml."""
    import sqlalchemy as sa
    from rasa.core.tracker_store import SQLTrackerStore

    db, senders = store
    old = {senders[n] for n in OLD}
    before = rows(db)
    with Services() as services:  # PostgreSQL (and Redis) from scripts/scale-services
        e = services.env
        engine = sa.create_engine(f"postgresql://{e['DB_USER']}:{e['DB_PASSWORD']}@{e['DB_HOST']}:{e['DB_PORT']}/{e['DB_NAME']}")
        try:
            SQLTrackerStore.Base.metadata.create_all(engine)  # Rasa's own `events` table
            table = SQLTrackerStore.SQLEvent.__table__
            with engine.begin() as connection:
                connection.execute(table.insert(), [dict(zip(table.columns.keys(), r)) for r in before])

            unset = {k: v for k, v in os.environ.items() if k not in e}
            missing = run_purge(SCALE_ENDPOINTS, "--days", "30", env=unset)
            assert missing.returncode != 0 and "DB_HOST" in missing.stderr, missing.stderr

            env = {**os.environ, **e}
            dry = run_purge(SCALE_ENDPOINTS, "--days", "30", "--dry-run", env=env)
            assert dry.returncode == 0, dry.stderr
            assert f"Would delete 2 conversations ({sum(r[1] in old for r in before)} events)" in dry.stdout, dry.stdout
            result = run_purge(SCALE_ENDPOINTS, "--days", "30", env=env)
            assert result.returncode == 0, result.stderr
            assert "Deleted 2 conversations" in result.stdout, result.stdout
            assert e["DB_PASSWORD"] not in result.stdout + result.stderr
            with engine.connect() as connection:
                left = connection.execute(sa.text("SELECT * FROM events ORDER BY id")).fetchall()
            assert [tuple(r) for r in left] == [r for r in before if r[1] not in old]
        finally:
            engine.dispose()
