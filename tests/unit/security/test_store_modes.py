"""The SQLite conversation store holds every patient's messages in clear: other users of the
machine must not read it (issue 16). `scripts/serve` (`make serve`, `make run`) runs
`footdrop_rasa.channels.preflight` before Rasa starts; these run it the same way, as a process, with the
everyday umask 022 under which the store used to be created 0644 in a 0755 folder."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import yaml

from support.project import ROOT

BIN = ROOT / ".venv" / "bin"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def preflight(tmp_path: Path, db: Path) -> subprocess.CompletedProcess:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump({"version": "3.1", "tracker_store": {
        "type": "footdrop_rasa.stores.sqlite.SQLiteTrackerStore", "db": str(db)}}))
    return subprocess.run(
        [str(BIN / "python"), "-m", "footdrop_rasa.channels.preflight", str(endpoints)], cwd=ROOT, capture_output=True,
        text=True, timeout=120, env=dict(os.environ, RASA_TELEMETRY_ENABLED="false"),
        preexec_fn=lambda: os.umask(0o022),
    )


def test_a_new_store_is_created_private_and_sqlite_keeps_its_journals_private(tmp_path):
    db = tmp_path / "var" / "tracker.db"
    started = preflight(tmp_path, db)
    assert started.returncode == 0, started.stderr
    assert (mode(db.parent), mode(db)) == (0o700, 0o600)
    assert "Made private" not in started.stderr  # nothing was open to tighten
    old = os.umask(0o022)
    try:  # what Rasa does next: writes, with SQLite's own journal files beside the database
        with sqlite3.connect(db) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("CREATE TABLE events (data TEXT)")
            connection.execute("INSERT INTO events VALUES ('my foot drags since Monday')")
            journals = [Path(f"{db}{suffix}") for suffix in ("-wal", "-shm") if Path(f"{db}{suffix}").exists()]
            assert journals, "SQLite wrote no journal beside the database"
            assert {j.name: mode(j) for j in journals} == {j.name: 0o600 for j in journals}
    finally:
        os.umask(old)


def test_a_store_left_readable_by_an_older_start_is_tightened_and_said_so(tmp_path):
    folder = tmp_path / "var"
    folder.mkdir(mode=0o755)
    db, wal = folder / "tracker.db", folder / "tracker.db-wal"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE events (data TEXT)")
    wal.write_bytes(b"")
    for path, loose in ((folder, 0o755), (db, 0o644), (wal, 0o664)):
        path.chmod(loose)
    started = preflight(tmp_path, db)
    assert started.returncode == 0, started.stderr
    assert (mode(folder), mode(db), mode(wal)) == (0o700, 0o600, 0o600)
    assert f"Made private: {db}: the conversation store's file was mode 0644" in started.stderr
    assert f"{folder}: the conversation store's folder was mode 0755" in started.stderr
    assert f"{wal}: the conversation store's file was mode 0664" in started.stderr
    with sqlite3.connect(db) as connection:  # the patients' conversations are still there
        assert connection.execute("SELECT count(*) FROM events").fetchone() == (0,)


def test_a_store_that_cannot_be_made_private_stops_the_start_with_the_fix(tmp_path):
    blocker = tmp_path / "var"
    blocker.write_text("a file where the store's folder should be")
    refused = preflight(tmp_path, blocker / "tracker.db")
    assert refused.returncode == 1
    assert f"Cannot start: the conversation store {blocker / 'tracker.db'} (every patient's messages) cannot be made private" in refused.stderr
    assert f"`chmod 700 {blocker}`" in refused.stderr


def test_make_serve_runs_the_check_before_anything_opens_the_store():
    serve = (ROOT / "scripts" / "serve").read_text()
    assert serve.index("umask 077") < serve.index("mkdir -p var") < serve.index("footdrop_rasa.channels.preflight") < serve.index("rasa run")
