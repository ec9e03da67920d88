"""Posts a person confirmed (``publisher posted``): social accounts are posted by hand from the
weekly batch, so a delivery to the team folder says the post was ready, not that it went out.

One ledger row per (channel, story, link): the work report, ``history``, ``status`` and the
keep-alive count these for channels posted by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from dataclasses import dataclass

from publisher.i18n import _
from publisher.publish.queue import parse, stamp

log = logging.getLogger("publisher")
_told: set[tuple[int, str]] = set()


@dataclass(frozen=True)
class Post:
    id: int
    channel: str
    story: str
    title: str
    url: str
    posted_at: dt.datetime
    content_hash: str
    os_user: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Post:
        return cls(row["id"], row["channel"], row["story"], row["title"], row["url"], parse(row["posted_at"]),
                   row["content_hash"], row["os_user"])


def record(ledger: sqlite3.Connection, channel: str, story: str, title: str, url: str, at: dt.datetime,
           digest: str, os_user: str, now: dt.datetime) -> bool:
    """Remember the post; False when this link was already recorded for the story on the channel."""
    with ledger:
        cursor = ledger.execute(
            "INSERT OR IGNORE INTO posts (channel, story, title, url, posted_at, content_hash, os_user, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (channel, story, title, url, stamp(at), digest, os_user, stamp(now)))
    return cursor.rowcount == 1


def confirmed(ledger: sqlite3.Connection, start: dt.datetime | None = None, end: dt.datetime | None = None,
              channel: str | None = None) -> list[Post]:
    """Confirmed posts in [start, end), oldest first."""
    where, params = ["1"], []
    if start is not None:
        where.append("posted_at >= ?")
        params.append(stamp(start))
    if end is not None:
        where.append("posted_at < ?")
        params.append(stamp(end))
    if channel is not None:
        where.append("channel = ?")
        params.append(channel)
    rows = ledger.execute(f"SELECT * FROM posts WHERE {' AND '.join(where)} ORDER BY posted_at, id", params)
    found = []
    for row in rows:
        if _time(row) is not None:
            found.append(Post.from_row(row))
    return found


def last_posted(ledger: sqlite3.Connection, channel: str, before: dt.datetime | None = None) -> dt.datetime | None:
    """The latest confirmed post on ``channel`` (before ``before``), or None."""
    rows = ledger.execute("SELECT id, posted_at FROM posts WHERE channel = ? AND posted_at < ? "
                          "ORDER BY posted_at DESC", (channel, stamp(before) if before else "9999"))
    for row in rows:
        moment = _time(row)
        if moment is not None and (before is None or moment < before):
            return moment
    return None


def _time(row: sqlite3.Row) -> dt.datetime | None:
    """A row's ``posted_at``; None, and a warning naming the row (once), when it is damaged (edited
    by hand, a disk error): one bad row never stops history, the report, status or the daemon."""
    try:
        moment = parse(row["posted_at"])
        if moment.tzinfo is None:
            raise ValueError(row["posted_at"])
        return moment
    except (TypeError, ValueError, OverflowError):
        if (row["id"], str(row["posted_at"])) not in _told:
            _told.add((row["id"], str(row["posted_at"])))
            log.warning(_("ledger: confirmed post P{id} has a damaged time {value!r}; it is left out (correct or "
                          "delete that row of the posts table)").format(id=row["id"], value=row["posted_at"]))
        return None


def in_use_since(ledger: sqlite3.Connection, channel: str) -> dt.datetime | None:
    """The first batch slot of ``channel``: an account never confirmed posting is silent from then on."""
    row = ledger.execute("SELECT MIN(due_at) FROM deliveries WHERE channel = ? AND kind = 'post'",
                         (channel,)).fetchone()
    return parse(row[0]) if row[0] else None


def awaiting_confirmation(ledger: sqlite3.Connection, channels: set[str], now: dt.datetime) -> list[tuple]:
    """Batch posts whose slot has passed with no confirmed post of the story on the channel:
    (channel, story, title, slot), one per story and channel."""
    if not channels:
        return []
    marks = ", ".join("?" * len(channels))
    rows = ledger.execute(
        f"SELECT d.channel, d.key, MIN(d.due_at) AS slot, d.payload FROM deliveries d WHERE d.kind = 'post' "
        f"AND d.state = 'delivered' AND d.due_at <= ? AND d.channel IN ({marks}) AND NOT EXISTS "
        f"(SELECT 1 FROM posts p WHERE p.channel = d.channel AND p.story = d.key) "
        f"GROUP BY d.channel, d.key ORDER BY slot", (stamp(now), *sorted(channels))).fetchall()
    found = []
    for row in rows:
        try:
            title = json.loads(row["payload"]).get("title", "")
        except (ValueError, AttributeError):
            title = ""
        found.append((row["channel"], row["key"], title, parse(row["slot"])))
    return found
