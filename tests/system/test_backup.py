"""`make backup` and `make restore` on a live store (issue 17, tools/backup.py): the real
assistant keeps answering, and writing, while its SQLite store is backed up; the backup is a
whole, private, checked copy; restoring it brings its conversations back (they go on where
they were) and the store as it was is kept."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from footdrop.check_questions import load_questions
from support.project import ROOT, filled
from support.rest_client import send, stored_id


def tool(assistant, folder: Path, *args: str) -> subprocess.CompletedProcess:
    endpoints = assistant.tracker_db.parent / "endpoints.yml"
    return subprocess.run(
        [sys.executable, "-m", "tools.backup", "--endpoints", str(endpoints), "--dir", str(folder), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )


def events_of(db: Path, conversation: str) -> list:
    with sqlite3.connect(db) as connection:
        return [row[0] for row in connection.execute(
            "SELECT data FROM events WHERE sender_id = ? ORDER BY id", (conversation,))]


def test_a_backup_of_the_live_store_is_whole_private_and_checked_while_patients_write(assistant, tmp_path, domain):
    before = uuid.uuid4().hex
    send(assistant, "what is foot drop", before)
    stop, errors, written = threading.Event(), [], []

    def patient() -> None:  # keeps the store busy for the whole backup
        sender = uuid.uuid4().hex
        while not stop.is_set():
            reply = send(assistant, "what causes foot drop", sender)
            (written if reply.status_code == 200 and reply.json() else errors).append(reply.status_code)

    patients = [threading.Thread(target=patient) for _ in range(3)]
    for thread in patients:
        thread.start()
    try:
        made = tool(assistant, tmp_path / "backups", "backup", "--keep", "2")
    finally:
        stop.set()
        for thread in patients:
            thread.join()
    assert made.returncode == 0, made.stderr
    assert errors == [] and written, "the assistant answered every message during the backup"
    [backup] = (tmp_path / "backups").glob("tracker-*.db")
    assert made.stdout.startswith("Backed up ") and str(backup) in made.stdout
    assert before not in made.stdout and "foot drop" not in made.stdout, "counts only"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup.parent.stat().st_mode) == 0o700
    with sqlite3.connect(backup) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        senders = [row[0] for row in copy.execute("SELECT DISTINCT sender_id FROM events")]
    # the conversation written before the backup is in it, whole
    conversation = stored_id(assistant, before)
    assert conversation in senders
    assert events_of(backup, conversation) == events_of(assistant.tracker_db, conversation)
    # every conversation in it is a beginning of the live one: nothing half written
    for sender in senders:
        kept = events_of(backup, sender)
        assert events_of(assistant.tracker_db, sender)[: len(kept)] == kept

    for _ in range(2):
        assert tool(assistant, tmp_path / "backups", "backup", "--keep", "2").returncode == 0
    assert len(list((tmp_path / "backups").glob("tracker-*.db"))) == 2, "only the newest KEEP are kept"


def test_a_restore_brings_the_backup_back_keeps_the_store_as_it_was_and_the_assistant_goes_on(
    assistant, tmp_path, domain
):
    kept = uuid.uuid4().hex
    assert send(assistant, "check my symptoms", kept).status_code == 200
    made = tool(assistant, tmp_path, "backup")
    assert made.returncode == 0, made.stderr
    [backup] = tmp_path.glob("tracker-*.db")
    later = uuid.uuid4().hex
    send(assistant, "what is foot drop", later)
    assert events_of(assistant.tracker_db, stored_id(assistant, later))

    restored = tool(assistant, tmp_path, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert events_of(assistant.tracker_db, stored_id(assistant, later)) == [], "written after the backup: gone"
    [safety] = tmp_path.glob("before-restore-*.db")
    assert events_of(safety, stored_id(assistant, later)), "the store as it was is kept"
    assert stat.S_IMODE(assistant.tracker_db.stat().st_mode) == 0o600
    # the running assistant goes on with the restored conversation where it was
    reply = send(assistant, "left foot", kept).json()
    assert reply[-1]["text"] == load_questions()["onset"].ask
    assert send(assistant, "what is foot drop").json()[0]["text"] == filled(
        domain["responses"]["utter_ask_what_is_foot_drop"][0]["text"]
    )


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100, None])
def test_a_file_that_is_not_a_whole_backup_is_refused_and_the_store_is_untouched(assistant, tmp_path, content):
    file = tmp_path / "suspect.db"
    if content is None:  # a SQLite file of something else
        with sqlite3.connect(file) as other:
            other.execute("CREATE TABLE notes (text TEXT)")
    else:
        file.write_bytes(content)
    size = assistant.tracker_db.stat().st_size
    refused = tool(assistant, tmp_path, "restore", str(file))
    assert refused.returncode == 1
    assert str(file) in refused.stderr and "Traceback" not in refused.stderr
    assert not list(tmp_path.glob("before-restore-*.db")), "nothing was done"
    assert assistant.tracker_db.stat().st_size == size
