"""The audit trail: every sign-in (and failed one), sign-out, approval, rejection and withdrawal, and
every change to reviewers' accounts, with who, when, from where and the content hash decided on.

Rows are only ever added. ``publisher review log --csv`` exports them; a password never reaches them.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from zoneinfo import ZoneInfo

COLUMNS = ("id", "at", "story", "stage", "event", "user", "os_user", "note", "content_hash", "ip", "via")
"""The columns of ``review log --csv``, in order."""


def now(timezone: str, at: dt.datetime | None = None) -> str:
    """``at`` (else now) in the site's timezone, as the ledger stores times."""
    return (at or dt.datetime.now(ZoneInfo(timezone))).astimezone(ZoneInfo(timezone)).isoformat(timespec="seconds")


def record(ledger: sqlite3.Connection, timezone: str, event: str, user: str = "", *, story: str = "",
           stage: str = "", content_hash: str = "", ip: str = "", os_user: str = "", via: str = "",
           note: str = "") -> None:
    """Add one row, in the caller's transaction (``with ledger:``): with the change it records, or not at all."""
    ledger.execute("INSERT INTO audit (at, event, user, story, stage, content_hash, ip, os_user, via, note) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (now(timezone), event, user, story, stage, content_hash, ip, os_user, via, note))


def rows(ledger: sqlite3.Connection | None) -> list[dict]:
    if ledger is None:
        return []
    return [dict(row) for row in ledger.execute("SELECT * FROM audit ORDER BY id")]


def for_story(ledger: sqlite3.Connection, story: str) -> list[dict]:
    """A story's decisions, oldest first (its page's history)."""
    return [dict(row) for row in ledger.execute(
        "SELECT * FROM audit WHERE story = ? AND event IN ('approve', 'reject', 'withdraw') ORDER BY id", (story,))]
