"""Users, roles, sessions and the audit log of the internal view.

Roles: ``analyst`` (an employment area's own analyst: unsuppressed figures for that area and its
municipalities only), ``researcher`` and ``admin`` (everything). The public needs no account and
sees suppressed aggregates only.

Passwords are hashed with Argon2id (argon2-cffi). A session is a random token kept in an HttpOnly,
SameSite=Strict cookie; the database stores only the token's SHA-256 and its expiry, so a leaked
database does not leak sessions. Every internal view is appended to ``audit_log``. SQLite (stdlib)
is enough: a handful of users, and writes are rare and small.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from vaikutus import reference

ROLES = ("analyst", "researcher", "admin")
SESSION_COOKIE = "vaikutus_session"
DEFAULT_SESSION_MINUTES = 30
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=5)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    employment_area INTEGER,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username),
    expires TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_log (
    at TEXT NOT NULL,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
"""


class AuthError(ValueError):
    """A user-management request that cannot be carried out (message says why)."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    employment_area: int | None

    def municipalities(self) -> frozenset[str]:
        if self.employment_area is None:
            return frozenset()
        areas = reference.employment_areas()
        row = areas.loc[areas["code"] == self.employment_area, "municipality_codes"]
        return frozenset(row.iloc[0]) if len(row) else frozenset()

    def sees_unsuppressed(self, area_type: str, area_code: str) -> bool:
        """Whether this user may read unsuppressed values of one area."""
        if self.role in ("researcher", "admin"):
            return True
        if area_type == "employment_area":
            return str(self.employment_area) == str(area_code)
        if area_type == "municipality":
            return str(area_code) in self.municipalities()
        return False


def _now() -> datetime:
    return datetime.now(UTC)


class UserStore:
    """Users, sessions and audit log in one SQLite file."""

    def __init__(self, path: Path, session_minutes: int = DEFAULT_SESSION_MINUTES):
        self.path = Path(path)
        self.session_length = timedelta(minutes=session_minutes)
        self._hasher = PasswordHasher()
        self._lock = threading.Lock()
        with self._connect() as con:
            con.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=10)
        con.row_factory = sqlite3.Row
        return con

    # -- users -----------------------------------------------------------------------------------
    def add_user(self, username: str, password: str, role: str, employment_area: int | None = None) -> User:
        if role not in ROLES:
            raise AuthError(f"role must be one of {', '.join(ROLES)}; got {role!r}")
        if role == "analyst":
            known = set(reference.employment_areas()["code"])
            if employment_area not in known:
                raise AuthError("an analyst needs --area, the code of an employment area (1-46)")
        elif employment_area is not None:
            raise AuthError(f"a {role} sees every area; leave --area out")
        if len(password) < 12:
            raise AuthError("the password must be at least 12 characters long")
        with self._lock, self._connect() as con:
            con.execute(
                "INSERT OR REPLACE INTO users (username, password_hash, role, employment_area) VALUES (?, ?, ?, ?)",
                (username, self._hasher.hash(password), role, employment_area),
            )
        return User(username, role, employment_area)

    def users(self) -> list[User]:
        with self._connect() as con:
            rows = con.execute("SELECT username, role, employment_area FROM users ORDER BY username").fetchall()
        return [User(r["username"], r["role"], r["employment_area"]) for r in rows]

    # -- sessions --------------------------------------------------------------------------------
    def login(self, username: str, password: str) -> str | None:
        """Check the password; return a new session token, or None (no hint which part was wrong)."""
        with self._lock, self._connect() as con:
            row = con.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
            if row is None:
                self._hasher.hash(password)  # same work either way: no user enumeration by timing
                return None
            if row["locked_until"] and datetime.fromisoformat(row["locked_until"]) > _now():
                return None
            try:
                self._hasher.verify(row["password_hash"], password)
            except (VerificationError, InvalidHashError):
                failed = row["failed_logins"] + 1
                locked = (_now() + LOCKOUT).isoformat() if failed >= MAX_FAILED_LOGINS else None
                con.execute(
                    "UPDATE users SET failed_logins = ?, locked_until = ? WHERE username = ?",
                    (0 if locked else failed, locked, username),
                )
                return None
            token = secrets.token_urlsafe(32)
            con.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = ?", (username,))
            con.execute("DELETE FROM sessions WHERE expires < ?", (_now().isoformat(),))
            con.execute(
                "INSERT INTO sessions VALUES (?, ?, ?)",
                (_digest(token), username, (_now() + self.session_length).isoformat()),
            )
        self.audit(User(username, row["role"], row["employment_area"]), "login", "")
        return token

    def user_for(self, token: str | None) -> User | None:
        """The user of a live session; sliding expiry (each use extends it)."""
        if not token:
            return None
        with self._connect() as con:
            row = con.execute(
                "SELECT u.username, u.role, u.employment_area, s.expires FROM sessions s "
                "JOIN users u USING (username) WHERE s.token_sha256 = ?",
                (_digest(token),),
            ).fetchone()
            if row is None or datetime.fromisoformat(row["expires"]) < _now():
                return None
            con.execute(
                "UPDATE sessions SET expires = ? WHERE token_sha256 = ?",
                ((_now() + self.session_length).isoformat(), _digest(token)),
            )
        return User(row["username"], row["role"], row["employment_area"])

    def logout(self, token: str | None) -> None:
        if token:
            with self._connect() as con:
                con.execute("DELETE FROM sessions WHERE token_sha256 = ?", (_digest(token),))

    # -- audit -----------------------------------------------------------------------------------
    def audit(self, user: User, action: str, detail: str) -> None:
        with self._connect() as con:
            con.execute(
                "INSERT INTO audit_log VALUES (?, ?, ?, ?, ?)",
                (_now().isoformat(), user.username, user.role, action, detail),
            )

    def audit_entries(self, limit: int = 100) -> list[dict]:
        with self._connect() as con:
            rows = con.execute("SELECT * FROM audit_log ORDER BY at DESC LIMIT ?", (limit,)).fetchall()
        return [dict(r) for r in rows]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
