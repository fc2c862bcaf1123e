"""Staff accounts: a name, the name shown in the history, a role and an argon2id password hash.

Two roles (docs/STAFF.md):
- ``editor``: phrasings, answers (an answer waits for a clinician's approval), topics;
- ``clinician``: all an editor may do, and the safety path (emergency signs, the symptom
  check's texts); approves editors' answers.

Passwords are hashed with argon2id (argon2-cffi's PasswordHasher, RFC 9106's second
recommended profile: 64 MiB, 3 passes, 4 lanes) and never stored or logged otherwise. A name
that does not exist costs the same hashing time as a wrong password, so timing does not tell
which names exist.
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from typing import List, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

EDITOR, CLINICIAN = "editor", "clinician"
ROLES = (EDITOR, CLINICIAN)
NAME = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 256

_hasher = PasswordHasher()  # argon2id with RFC 9106's low-memory profile
# Verified when the name is unknown, so that an unknown name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone's")


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message says why, in plain words."""


@dataclass(frozen=True)
class Account:
    name: str
    display_name: str
    role: str

    @property
    def is_clinician(self) -> bool:
        return self.role == CLINICIAN


def check_password(name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"The password must have at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"The password must have at most {MAX_PASSWORD} characters.")
    if name.lower() in password.lower():
        raise AccountError("The password must not contain the account name.")


class Accounts:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def create(self, name: str, role: str, password: str, display_name: str = "") -> Account:
        name = name.strip().lower()
        if not NAME.match(name):
            raise AccountError("An account name is 2 to 32 lower-case letters, digits, '.', '_' or '-', "
                               "starting with a letter.")
        if role not in ROLES:
            raise AccountError(f"The role is one of {', '.join(ROLES)}, not '{role}'.")
        check_password(name, password)
        display_name = " ".join((display_name or name).split())[:80]
        try:
            self.db.execute("INSERT INTO accounts (name, display_name, role, password_hash, created) "
                            "VALUES (?, ?, ?, ?, ?)", (name, display_name, role, _hasher.hash(password), time.time()))
        except sqlite3.IntegrityError:
            raise AccountError(f"There is already an account named '{name}'.") from None
        return Account(name, display_name, role)

    def set_password(self, name: str, password: str) -> None:
        check_password(name, password)
        changed = self.db.execute("UPDATE accounts SET password_hash = ? WHERE name = ?",
                                  (_hasher.hash(password), name)).rowcount
        if not changed:
            raise AccountError(f"There is no account named '{name}'.")
        self.db.execute("DELETE FROM sessions WHERE account = ?", (name,))  # signed out everywhere

    def disable(self, name: str) -> None:
        if not self.db.execute("UPDATE accounts SET disabled = 1 WHERE name = ?", (name,)).rowcount:
            raise AccountError(f"There is no account named '{name}'.")
        self.db.execute("DELETE FROM sessions WHERE account = ?", (name,))

    def get(self, name: str) -> Optional[Account]:
        row = self.db.execute("SELECT name, display_name, role FROM accounts WHERE name = ? AND disabled = 0",
                              (name,)).fetchone()
        return Account(row["name"], row["display_name"], row["role"]) if row else None

    def all(self) -> List[Account]:
        rows = self.db.execute("SELECT name, display_name, role FROM accounts WHERE disabled = 0 ORDER BY name")
        return [Account(r["name"], r["display_name"], r["role"]) for r in rows]

    def verify(self, name: str, password: str) -> Optional[Account]:
        """The account when `password` is its password; None otherwise (same cost either way).
        Slow on purpose (argon2id): call it off the event loop."""
        row = self.db.execute("SELECT password_hash FROM accounts WHERE name = ? AND disabled = 0",
                              (name.strip().lower(),)).fetchone()
        stored = row["password_hash"] if row else _DUMMY_HASH
        try:
            _hasher.verify(stored, password[:MAX_PASSWORD])
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _hasher.check_needs_rehash(stored):  # the parameters were raised since it was made
            self.db.execute("UPDATE accounts SET password_hash = ? WHERE name = ?",
                            (_hasher.hash(password), name.strip().lower()))
        return self.get(name.strip().lower())
