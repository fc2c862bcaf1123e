"""staff/accounts.py and staff/sessions.py on a real SQLite file: argon2id hashes, roles,
session expiry, the login limit; no web server."""

from __future__ import annotations

import os
import stat

import pytest
from argon2 import PasswordHasher

from staff import store
from staff.accounts import CLINICIAN, EDITOR, AccountError, Accounts
from staff.sessions import ADDRESS_MAX_FAILURES, IDLE_S, MAX_AGE_S, MAX_FAILURES, WINDOW_S, LoginLimiter, Sessions

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def db(tmp_path):
    connection = store.connect(tmp_path / "var" / "staff.db")
    yield connection
    connection.close()


def test_the_database_is_private_to_its_user(tmp_path):
    store.connect(tmp_path / "staff.db").close()
    assert stat.S_IMODE(os.stat(tmp_path / "staff.db").st_mode) == 0o600


def test_passwords_are_stored_as_argon2id_hashes_only(db):
    Accounts(db).create("ana", EDITOR, PASSWORD, "Ana Pereira")
    stored = db.execute("SELECT password_hash FROM accounts").fetchone()[0]
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in stored


def test_verify_accepts_the_password_and_nothing_else(db):
    accounts = Accounts(db)
    accounts.create("ana", EDITOR, PASSWORD, "Ana Pereira")
    account = accounts.verify(" Ana ", PASSWORD)
    assert (account.name, account.display_name, account.role, account.is_clinician) == \
        ("ana", "Ana Pereira", EDITOR, False)
    assert accounts.verify("ana", PASSWORD + "x") is None
    assert accounts.verify("ana", "") is None
    assert accounts.verify("nobody", PASSWORD) is None
    assert accounts.verify("ana", "x" * 100_000) is None  # cut to 256 characters before hashing


def test_an_unknown_name_runs_the_same_hash_as_a_wrong_password(db, monkeypatch):
    from staff import accounts as module

    accounts = Accounts(db)
    accounts.create("ana", EDITOR, PASSWORD)
    verified = []

    class Counting(PasswordHasher):
        def verify(self, hash, password):  # noqa: A002 - argon2's own parameter name
            verified.append(hash)
            return super().verify(hash, password)

    monkeypatch.setattr(module, "_hasher", Counting())
    assert accounts.verify("nobody", "wrong password here") is None
    assert accounts.verify("ana", "wrong password here") is None
    assert len(verified) == 2 and all(h.startswith("$argon2id$v=19$m=65536,t=3,p=4$") for h in verified)


@pytest.mark.parametrize("name, role, password, says", [
    ("a", EDITOR, PASSWORD, "2 to 32"),
    ("Ana Smith", EDITOR, PASSWORD, "2 to 32"),
    ("ana", "admin", PASSWORD, "role is one of editor, clinician"),
    ("ana", EDITOR, "short", "at least 12"),
    ("ana", EDITOR, "x" * 300, "at most 256"),
    ("ana", EDITOR, "ana-password-1234", "must not contain the account name"),
])
def test_account_rules_say_what_is_wrong(db, name, role, password, says):
    with pytest.raises(AccountError, match=says):
        Accounts(db).create(name, role, password)


def test_names_are_unique(db):
    accounts = Accounts(db)
    accounts.create("ana", EDITOR, PASSWORD)
    with pytest.raises(AccountError, match="already an account named 'ana'"):
        accounts.create("ANA", CLINICIAN, PASSWORD)


def test_sessions_end_when_idle_at_their_age_and_at_logout(db):
    clock = Clock()
    accounts = Accounts(db)
    account = accounts.create("bo", CLINICIAN, PASSWORD)
    sessions = Sessions(db, accounts, clock)
    token = sessions.start(account)
    assert token not in {row[0] for row in db.execute("SELECT token_hash FROM sessions")}  # only its hash
    session = sessions.get(token)
    assert session.account == account and session.csrf_matches(session.csrf_token)
    assert not session.csrf_matches("") and not session.csrf_matches(None) and not session.csrf_matches("x")
    clock.now += IDLE_S - 5
    assert sessions.get(token) is not None  # used: idle time starts again
    clock.now += IDLE_S + 1
    assert sessions.get(token) is None
    token = sessions.start(account)
    for _ in range(MAX_AGE_S // (IDLE_S - 60) + 1):
        clock.now += IDLE_S - 60
        alive = sessions.get(token)
    assert alive is None  # in use all along, but older than MAX_AGE_S
    token = sessions.start(account)
    sessions.end(token)
    assert sessions.get(token) is None
    assert sessions.get(None) is None and sessions.get("") is None and sessions.get("x" * 1000) is None


def test_a_new_password_or_a_disabled_account_signs_out_everywhere(db):
    accounts = Accounts(db)
    account = accounts.create("cy", EDITOR, PASSWORD)
    sessions = Sessions(db, accounts)
    first, second = sessions.start(account), sessions.start(account)
    accounts.set_password("cy", "another long password")
    assert sessions.get(first) is None and sessions.get(second) is None
    assert accounts.verify("cy", PASSWORD) is None and accounts.verify("cy", "another long password")
    third = sessions.start(account)
    accounts.disable("cy")
    assert sessions.get(third) is None and accounts.verify("cy", "another long password") is None
    with pytest.raises(AccountError, match="no account named 'zed'"):
        accounts.disable("zed")


def test_the_login_limit_per_name_and_per_address(db):
    clock = Clock()
    limiter = LoginLimiter(db, clock)
    keys = ["name:ana", "address:10.0.0.1"]
    for _ in range(MAX_FAILURES - 1):
        assert limiter.wait_seconds(keys) == 0
        limiter.failed(keys)
        clock.now += 10
    assert limiter.wait_seconds(keys) == 0
    limiter.failed(keys)
    wait = limiter.wait_seconds(keys)
    assert WINDOW_S - 10 * MAX_FAILURES < wait <= WINDOW_S
    assert limiter.wait_seconds(["name:ana", "address:10.0.0.2"]) > 0  # the same name, another address
    assert limiter.wait_seconds(["name:bo", "address:10.0.0.1"]) == 0  # the same address: staff share a proxy's
    for n in range(ADDRESS_MAX_FAILURES - MAX_FAILURES):
        limiter.failed([f"name:guess{n}", "address:10.0.0.1"])
    assert limiter.wait_seconds(["name:bo", "address:10.0.0.1"]) > 0  # many names tried from one address
    assert limiter.wait_seconds(["name:bo", "address:10.0.0.2"]) == 0
    clock.now += WINDOW_S + 1
    assert limiter.wait_seconds(keys) == 0  # the failures left the window
    for _ in range(ADDRESS_MAX_FAILURES):
        limiter.failed(keys)
    limiter.succeeded("name:ana")
    assert limiter.wait_seconds(["name:ana"]) == 0
    assert limiter.wait_seconds(["address:10.0.0.1"]) > 0  # a success does not clear the address
