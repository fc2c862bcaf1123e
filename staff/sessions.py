"""Signed-in sessions, their CSRF tokens, and the limit on failed logins.

- A session is a random 256-bit token in an HttpOnly, SameSite=Strict cookie; the database
  keeps only its SHA-256, so a copy of var/staff.db signs no one in. It ends after IDLE_S
  without a request, after MAX_AGE_S in any case, at logout, and when the password changes.
- Every form carries the session's CSRF token (synchronizer token); web.py refuses a POST
  without it, and one whose Origin is another site.
- Failed logins are counted per account name and per client address over WINDOW_S; from
  MAX_FAILURES for a name (ADDRESS_MAX_FAILURES for an address: behind the clinic's proxy every
  member of staff has the proxy's address) that name or address must wait until its oldest
  counted failure leaves the window. Kept in the database, so a restart does not reset them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from staff.accounts import Account, Accounts

IDLE_S = 30 * 60
MAX_AGE_S = 12 * 60 * 60
MAX_FAILURES = 5
ADDRESS_MAX_FAILURES = 20
WINDOW_S = 15 * 60


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Session:
    account: Account
    csrf_token: str
    token_hash: str

    def csrf_matches(self, given: Optional[str]) -> bool:
        return bool(given) and hmac.compare_digest(self.csrf_token, str(given))


class Sessions:
    def __init__(self, db: sqlite3.Connection, accounts: Accounts, clock: Callable[[], float] = time.time):
        self.db, self.accounts, self.clock = db, accounts, clock

    def start(self, account: Account) -> str:
        """A new session for `account`; its cookie value (never stored as is)."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        self.db.execute("INSERT INTO sessions (token_hash, account, csrf_token, created, last_seen) VALUES (?, ?, ?, ?, ?)",
                        (_digest(token), account.name, secrets.token_urlsafe(32), now, now))
        return token

    def get(self, token: Optional[str]) -> Optional[Session]:
        """The live session of a cookie value, its idle time reset; None when there is none."""
        if not token or len(token) > 100:
            return None
        now = self.clock()
        self.db.execute("DELETE FROM sessions WHERE last_seen < ? OR created < ?", (now - IDLE_S, now - MAX_AGE_S))
        row = self.db.execute("SELECT account, csrf_token FROM sessions WHERE token_hash = ?",
                              (_digest(token),)).fetchone()
        if row is None:
            return None
        account = self.accounts.get(row["account"])
        if account is None:  # disabled since
            return None
        self.db.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (now, _digest(token)))
        return Session(account, row["csrf_token"], _digest(token))

    def end(self, token: Optional[str]) -> None:
        if token:
            self.db.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),))


def most_failures(key: str) -> int:
    return ADDRESS_MAX_FAILURES if key.startswith("address:") else MAX_FAILURES


class LoginLimiter:
    """Failed logins per key ("name:..." or "address:...") within WINDOW_S, at most
    ``most_failures(key)``."""

    def __init__(self, db: sqlite3.Connection, clock: Callable[[], float] = time.time):
        self.db, self.clock = db, clock

    def wait_seconds(self, keys: Iterable[str]) -> int:
        """0 when a login may be tried; else the seconds until it may."""
        now = self.clock()
        self.db.execute("DELETE FROM login_failures WHERE at < ?", (now - WINDOW_S,))
        longest = 0.0
        for key in keys:
            limit = most_failures(key)
            rows = self.db.execute("SELECT at FROM login_failures WHERE key = ? ORDER BY at DESC LIMIT ?",
                                   (key, limit)).fetchall()
            if len(rows) >= limit:
                longest = max(longest, rows[-1]["at"] + WINDOW_S - now)
        return int(longest) + 1 if longest > 0 else 0

    def failed(self, keys: Iterable[str]) -> None:
        now = self.clock()
        self.db.executemany("INSERT INTO login_failures (key, at) VALUES (?, ?)", [(key, now) for key in keys])

    def succeeded(self, name_key: str) -> None:
        """A correct password clears the account name's count (not the address's)."""
        self.db.execute("DELETE FROM login_failures WHERE key = ?", (name_key,))
