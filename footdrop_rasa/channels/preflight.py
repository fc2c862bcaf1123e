"""Checks that the conversation store (and lock store) in endpoints.yml answer, before Rasa starts.

Rasa 3.6 does not stop when its SQL tracker store cannot be reached at start: it logs "Could not
create tables", serves anyway, and keeps every conversation in memory only (its
FailSafeTrackerStore), so they are lost at the next restart. Run this first; it exits with 1 and
a message naming the store and where it was looked for:

    python -m footdrop_rasa.channels.preflight endpoints.yml

It reads the file as Rasa does (``${VARIABLES}`` from the environment) and builds the same
database address as Rasa's SQLTrackerStore. Other store types are not checked.

An SQLite store holds every patient's messages in clear, so before it is opened its folder is
made private to the user that runs the assistant (0700) and the file and its journals 0600:
created so when missing, tightened (and said so) when an older start left them readable by
other users, and a start that cannot tighten them stops with the command that would.
"""

from __future__ import annotations

import os
import stat
import sys
import warnings
from pathlib import Path
from typing import Any, List, Optional, Tuple

from footdrop_rasa.stores import SQL_STORE_TYPES

CONNECT_TIMEOUT = 5  # seconds, for a database or Redis that does not answer at all
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
#: the files SQLite keeps beside a database while it writes
JOURNALS = ("-journal", "-wal", "-shm")
#: how .env.example's passwords begin ("change-me", "change-me-too")
EXAMPLE_PASSWORD = "change-me"


def problems(endpoints_file: str, notes: Optional[List[str]] = None) -> List[str]:
    """What is wrong with the stores in ``endpoints_file``, one line each; [] when all answer.
    ``notes`` receives what was put right on the way (an SQLite store's file modes)."""
    if not Path(endpoints_file).is_file():
        return [f"{endpoints_file} is missing"]  # Rasa would quietly use ./endpoints.yml
    from rasa.core.utils import read_endpoints_from_path

    endpoints = read_endpoints_from_path(endpoints_file)
    found = example_passwords(endpoints, endpoints_file)
    if found:
        return found
    store = endpoints.tracker_store
    if store is not None:
        store_type = store.type or ""
        unloadable = _check_loads(store_type, "tracker store", endpoints_file)
        found += unloadable
        if not unloadable and store_type.lower() in SQL_STORE_TYPES:
            if store.kwargs.get("dialect", "sqlite") == "sqlite":
                tightened, refused = protect_sqlite(str(store.kwargs.get("db", "rasa.db")))
                (notes if notes is not None else []).extend(tightened)
                found += refused
                if refused:
                    return found
            found += _check_sql(store.url, store.kwargs, endpoints_file)
    locks = endpoints.lock_store
    if locks is not None:
        lock_type = locks.type or ""
        found += _check_loads(lock_type, "lock store", endpoints_file)
        if lock_type.lower() == "redis" or lock_type.endswith("RedisLockStore"):
            found += _check_redis(locks.url, locks.kwargs, endpoints_file)
    return found


def example_passwords(endpoints: Any, where: str) -> List[str]:
    """A store whose password is still one of .env.example's ("change-me", "change-me-too"):
    a deployment copied from the example would otherwise run with a password anyone can read."""
    found = []
    for store, what, variable in ((endpoints.tracker_store, "tracker store (conversations)", "DB_PASSWORD"),
                                  (endpoints.lock_store, "lock store", "REDIS_PASSWORD")):
        password = (store.kwargs.get("password") if store is not None else None) or ""
        if str(password).lower().startswith(EXAMPLE_PASSWORD):
            found.append(
                f"{where}: the {what}'s password is still the example from .env.example: set "
                f"{variable} to a long random value (e.g. `openssl rand -hex 24`) in .env, and the same "
                "in the database's or Redis's own settings"
            )
    return found


def protect_sqlite(db: str) -> Tuple[List[str], List[str]]:
    """Makes an SQLite store's folder 0700 and its file and journals 0600, creating the folder
    and an empty database file when missing (SQLite then keeps the file's mode). Returns what
    was tightened, and what could not be (each with the command that would). The folder is
    left as it is when it is the one the assistant runs in (a store next to the project's files)."""
    if not db or db == ":memory:" or db.startswith("file:"):
        return [], []
    path = Path(db)
    folder = path.parent
    tightened: List[str] = []
    try:
        if folder.resolve() != Path.cwd().resolve():
            folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
            tightened += _tighten(folder, PRIVATE_FOLDER, "folder")
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
        for file in [path, *(Path(f"{db}{suffix}") for suffix in JOURNALS)]:
            if file.exists():
                tightened += _tighten(file, PRIVATE_FILE, "file")
    except OSError as error:
        return tightened, [
            f"the conversation store {db} (every patient's messages) cannot be made private to this "
            f"user ({type(error).__name__}: {error.strerror}): run `chmod 700 {folder}` and "
            f"`chmod 600 {db}` as its owner"
        ]
    return tightened, []


def _tighten(path: Path, private: int, what: str) -> List[str]:
    mode = stat.S_IMODE(path.stat().st_mode)
    if not mode & 0o077:  # nothing for the group or other users
        return []
    path.chmod(private)
    return [f"{path}: the conversation store's {what} was mode {mode:04o}, "
            f"open to other users of this machine; now {private:04o}"]


def _check_loads(store_type: str, what: str, where: str) -> List[str]:
    """A store given by its class path must import: Rasa would warn and keep everything in
    memory only (lost at the next restart) if it did not."""
    if "." not in store_type:
        return []
    from rasa.shared.utils.common import class_from_module_path

    try:
        class_from_module_path(store_type)
    except (AttributeError, ImportError) as error:
        return [f"{where}: the {what} type {store_type} cannot be loaded: {error}"]
    return []


def _check_sql(host: Optional[str], config: dict, where: str) -> List[str]:
    import sqlalchemy
    from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs

    dialect = config.get("dialect", "sqlite")
    url = SQLTrackerStore.get_db_url(
        dialect, host, config.get("port"), config.get("db", "rasa.db"),
        config.get("username"), config.get("password"), config.get("login_db"), config.get("query"),
    )
    connect_args = {} if dialect == "sqlite" else {"connect_timeout": CONNECT_TIMEOUT}
    engine = sqlalchemy.create_engine(url, connect_args=connect_args, **create_engine_kwargs(url))
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text("SELECT 1"))
    except sqlalchemy.exc.SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return [
            f"{where}: the tracker store (conversations), {dialect} database "
            f"{engine.url.render_as_string(hide_password=True)}, does not answer: {reason}"
        ]
    finally:
        engine.dispose()
    return []


def _check_redis(host: Optional[str], config: dict, where: str) -> List[str]:
    import redis

    host, port = host or "localhost", int(config.get("port") or 6379)
    client = redis.Redis(
        host=host, port=port, db=int(config.get("db") or 0), password=config.get("password"),
        socket_timeout=CONNECT_TIMEOUT, socket_connect_timeout=CONNECT_TIMEOUT,
    )
    try:
        client.ping()
    except redis.RedisError as error:
        return [f"{where}: the lock store, Redis at {host}:{port}, does not answer: {error}"]
    finally:
        client.close()
    return []


def main(argv: List[str]) -> int:
    endpoints_file = argv[0] if argv else "endpoints.yml"
    # record=True keeps Rasa's and SQLAlchemy's deprecation notes off the terminal (they turn
    # warnings back on as they are imported, so a filter would not do).
    notes: List[str] = []
    with warnings.catch_warnings(record=True):
        found = problems(endpoints_file, notes)
    for note in notes:
        print(f"Made private: {note}", file=sys.stderr)
    for problem in found:
        print(f"Cannot start: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
