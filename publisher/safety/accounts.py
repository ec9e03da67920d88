"""Reviewers' accounts for reviewing in the browser: passwords, lockout and sessions, in the ledger.

Passwords are kept only as Argon2id hashes (argon2-cffi's defaults); five failed sign-ins lock an
account for fifteen minutes. A session is a random token the browser keeps in a cookie; the ledger
keeps only its SHA-256, with the form token (CSRF) that every change must carry. Sessions end after
``[review_server] session_idle_minutes`` without a request, ``session_hours`` after signing in, at
sign-out, and when the account is disabled or its password changed (also from another process).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from publisher.config import ReviewServer, SiteConfig, person_key
from publisher.errors import PublisherError
from publisher.i18n import _
from publisher.safety import audit

MAX_FAILURES = 5
"""Failed sign-ins in a row that lock an account."""
LOCK_SECONDS = 15 * 60
"""How long a locked account stays locked."""
MIN_PASSWORD = 8
"""The shortest password accepted (characters)."""

_hasher = PasswordHasher()
# Each Argon2 check takes 64 MiB for tens of milliseconds: at most one per core at a time, so a
# flood of sign-ins queues up instead of exhausting the memory.
_checks = threading.BoundedSemaphore(os.cpu_count() or 1)


@functools.cache
def _dummy() -> str:
    """Verified when the name is unknown, so that a wrong name takes as long as a wrong password
    (made on first use: every command imports this module, few sign anyone in)."""
    return _hasher.hash(secrets.token_hex(16))


class AccountError(PublisherError):
    """An account cannot be made or changed as asked."""


class SignInRefused(PublisherError):
    """Wrong name or password, or a locked or disabled account (the message says which only when safe)."""


@dataclass(frozen=True)
class Account:
    name: str
    stages: tuple[str, ...]
    disabled: bool
    locked_until: float
    """Seconds since the epoch; 0 when not locked."""

    @property
    def locked(self) -> bool:
        return self.locked_until > time.time()


@dataclass(frozen=True)
class Session:
    user: Account
    csrf: str
    """The form token every state-changing request of this session must carry."""


def _account(row: sqlite3.Row) -> Account:
    return Account(row["name"], tuple(json.loads(row["stages"])), bool(row["disabled"]), row["locked_until"])


def get(ledger: sqlite3.Connection, name: str) -> Account | None:
    row = ledger.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    return _account(row) if row else None


def listing(ledger: sqlite3.Connection | None) -> list[Account]:
    if ledger is None:
        return []
    return [_account(row) for row in ledger.execute("SELECT * FROM users ORDER BY created_at, name")]


def check_password(name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(_("the password must have at least {count} characters").format(count=MIN_PASSWORD))
    if person_key(password) == person_key(name):
        raise AccountError(_("the password must not be the name"))


def _check_stages(config: SiteConfig, stages: list[str]) -> tuple[str, ...]:
    stages = [stage.strip() for stage in stages if stage.strip()]
    if not stages:
        raise AccountError(_("say which stages the reviewer holds (--stages 初审,复审)"))
    for stage in stages:
        if stage not in config.safety.stages:
            raise AccountError(_("unknown stage {stage!r} (stages: {stages})").format(
                stage=stage, stages=_(", ").join(config.safety.stages)))
    return tuple(dict.fromkeys(stages))


def add(ledger: sqlite3.Connection, config: SiteConfig, name: str, stages: list[str], password: str,
        os_user: str = "") -> Account:
    """A new account. The name is how the reviewer signs in and how decisions are recorded; one
    person is one name, however it is written (李編輯 is 李编辑), across accounts and config.toml."""
    name = name.strip()
    if not name or any(not ch.isprintable() for ch in name) or len(name) > 64:
        raise AccountError(_("write the reviewer's name (at most 64 characters, no invisible characters)"))
    held = _check_stages(config, stages)
    check_password(name, password)
    existing = {account.name for account in listing(ledger)}
    if name in existing:
        raise AccountError(_("{name} already has an account (publisher user list)").format(name=name))
    key = person_key(name)
    for other in [*existing, *(reviewer.name for reviewer in config.reviewers)]:
        if other != name and person_key(other) == key:
            raise AccountError(_("{name} is {other}, written differently; use one spelling for one person").format(
                name=name, other=other))
    stamp = audit.now(config.timezone)
    with ledger:
        ledger.execute("INSERT INTO users (name, stages, password, created_at, changed_at) VALUES (?, ?, ?, ?, ?)",
                       (name, json.dumps(list(held), ensure_ascii=False), _hasher.hash(password), stamp, stamp))
        audit.record(ledger, config.timezone, "user-add", name, stage=",".join(held), os_user=os_user, via="cli")
    return get(ledger, name)  # type: ignore[return-value]


def _existing(ledger: sqlite3.Connection, name: str) -> Account:
    account = get(ledger, name.strip())
    if account is None:
        raise AccountError(_("no account {name!r} (publisher user list)").format(name=name))
    return account


def set_password(ledger: sqlite3.Connection, config: SiteConfig, name: str, password: str, os_user: str = "") -> None:
    """A new password; it also unlocks the account and signs it out everywhere."""
    account = _existing(ledger, name)
    check_password(account.name, password)
    with ledger:
        ledger.execute("UPDATE users SET password = ?, failures = 0, locked_until = 0, changed_at = ? WHERE name = ?",
                       (_hasher.hash(password), audit.now(config.timezone), account.name))
        ledger.execute("DELETE FROM sessions WHERE user = ?", (account.name,))
        audit.record(ledger, config.timezone, "user-passwd", account.name, os_user=os_user, via="cli")


def set_disabled(ledger: sqlite3.Connection, config: SiteConfig, name: str, disabled: bool, os_user: str = "") -> None:
    """Disable (signs the account out everywhere; its approvals stop counting) or enable it again."""
    account = _existing(ledger, name)
    with ledger:
        ledger.execute("UPDATE users SET disabled = ?, changed_at = ? WHERE name = ?",
                       (int(disabled), audit.now(config.timezone), account.name))
        if disabled:
            ledger.execute("DELETE FROM sessions WHERE user = ?", (account.name,))
        audit.record(ledger, config.timezone, "user-disable" if disabled else "user-enable", account.name,
                     os_user=os_user, via="cli")


def authenticate(ledger: sqlite3.Connection, config: SiteConfig, name: str, password: str, ip: str) -> Account:
    """The account, when ``password`` is its password and it may sign in; else :class:`SignInRefused`.
    Every attempt is in the audit trail; the fifth failure in a row locks the account."""
    name = name.strip()[:200]
    row = ledger.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
    now = time.time()
    if row is None:
        _verify(_dummy(), password)
        with ledger:
            audit.record(ledger, config.timezone, "sign-in-failed", name, ip=ip, via="web", note="unknown name")
        raise SignInRefused(_("wrong name or password"))
    if row["locked_until"] > now:
        with ledger:
            audit.record(ledger, config.timezone, "sign-in-failed", name, ip=ip, via="web", note="locked")
        raise _locked(row["locked_until"] - now)
    if not _verify(row["password"], password):
        failures = row["failures"] + 1
        locked = now + LOCK_SECONDS if failures >= MAX_FAILURES else 0
        with ledger:
            ledger.execute("UPDATE users SET failures = ?, locked_until = ? WHERE name = ?",
                           (0 if locked else failures, locked, name))
            audit.record(ledger, config.timezone, "sign-in-failed", name, ip=ip, via="web", note="wrong password")
            if locked:
                audit.record(ledger, config.timezone, "locked", name, ip=ip, via="web",
                             note=f"{MAX_FAILURES} failed sign-ins")
        if locked:
            raise _locked(LOCK_SECONDS)
        raise SignInRefused(_("wrong name or password"))
    if row["disabled"]:
        with ledger:
            audit.record(ledger, config.timezone, "sign-in-failed", name, ip=ip, via="web", note="disabled")
        raise SignInRefused(_("this account is disabled; ask the administrator"))
    with ledger:
        ledger.execute("UPDATE users SET failures = 0, locked_until = 0 WHERE name = ?", (name,))
        if _hasher.check_needs_rehash(row["password"]):
            ledger.execute("UPDATE users SET password = ? WHERE name = ?", (_hasher.hash(password), name))
        audit.record(ledger, config.timezone, "sign-in", name, ip=ip, via="web")
    return _account(row)


def _locked(seconds: float) -> SignInRefused:
    return SignInRefused(_("too many failed sign-ins: the account is locked for {minutes} more minute(s)").format(
        minutes=max(1, round(seconds / 60))))


def _verify(stored: str, password: str) -> bool:
    try:
        with _checks:
            return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(ledger: sqlite3.Connection, account: Account, ip: str) -> str:
    """A new session for a signed-in account; returns the token for the cookie (kept nowhere else)."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    with ledger:
        ledger.execute("INSERT INTO sessions (token, user, csrf, ip, created, seen) VALUES (?, ?, ?, ?, ?, ?)",
                       (_digest(token), account.name, secrets.token_urlsafe(32), ip, now, now))
    return token


def session(ledger: sqlite3.Connection, settings: ReviewServer, token: str) -> Session | None:
    """The live session of ``token``, or None (unknown, expired, or its account disabled)."""
    if not token or len(token) > 200:
        return None
    row = ledger.execute("SELECT sessions.*, users.name, users.stages, users.disabled, users.locked_until "
                         "FROM sessions JOIN users ON users.name = sessions.user WHERE token = ?",
                         (_digest(token),)).fetchone()
    if row is None:
        return None
    now = time.time()
    if (row["disabled"] or now - row["seen"] > settings.session_idle_minutes * 60
            or now - row["created"] > settings.session_hours * 3600):
        with ledger:
            ledger.execute("DELETE FROM sessions WHERE token = ?", (row["token"],))
        return None
    if now - row["seen"] > 30:  # sliding expiry, written at most twice a minute per session
        with ledger:
            ledger.execute("UPDATE sessions SET seen = ? WHERE token = ?", (now, row["token"]))
    return Session(_account(row), row["csrf"])


def close_session(ledger: sqlite3.Connection, token: str) -> None:
    with ledger:
        ledger.execute("DELETE FROM sessions WHERE token = ?", (_digest(token),))


def forget_expired(ledger: sqlite3.Connection, settings: ReviewServer) -> None:
    """Drop sessions that can no longer be used (at the server's start)."""
    now = time.time()
    with ledger:
        ledger.execute("DELETE FROM sessions WHERE seen < ? OR created < ?",
                       (now - settings.session_idle_minutes * 60, now - settings.session_hours * 3600))
