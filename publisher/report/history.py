"""What went out, from the ledger: one line per delivery (delivered, held, failed, missed…) and per
post a person confirmed, with its story, title, channel, target, time and state."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from dataclasses import dataclass, field

from publisher.i18n import _
from publisher.publish import posts
from publisher.publish.queue import parse, stamp

log = logging.getLogger("publisher")

POSTED = "posted"
"""The state of a line that is a confirmed post (``publisher posted``), not a delivery."""
BY_HAND = "(by hand)"
"""The target of a confirmed post."""
APART = ("held", "failed", "missed", "unconfirmed")
"""States the report lists apart from what it counts."""
AWAITING = "awaiting"
"""A batch post whose slot passed with no confirmed post (listed apart too: 待确认发布)."""


@dataclass
class Line:
    number: str
    """#12 for delivery 12, P3 for confirmed post 3."""
    at: dt.datetime
    """When it was delivered or posted; else when it was due."""
    channel: str
    target: str
    state: str
    kind: str
    """post, loop (a collective unit), or posted."""
    key: str
    title: str
    stories: list[str] = field(default_factory=list)
    hash: str = ""
    day: dt.date | None = None
    url: str = ""
    note: str = ""
    facts: dict = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    """Story → the content hash that went out (what the reviewers approved); empty when the ledger
    row does not say (a delivery queued before versions were recorded)."""

    def as_row(self, tz: dt.tzinfo) -> dict:
        return {"number": self.number, "time": f"{self.at.astimezone(tz):%Y-%m-%d %H:%M}", "channel": self.channel,
                "target": self.target, "state": self.state, "kind": self.kind, "story": " ".join(self.stories),
                "title": self.title, "url": self.url, "note": self.note}


def lines(ledger: sqlite3.Connection, tz: dt.tzinfo, start: dt.datetime | None = None,
          end: dt.datetime | None = None, channels: set[str] | None = None, story: str | None = None) -> list[Line]:
    """Every delivery and confirmed post whose time falls in [start, end), oldest first. A delivery's
    time is when it was delivered, else when it was due; a unit for a day (an LED loop) falls on its day."""
    found = []
    for row in ledger.execute("SELECT * FROM deliveries ORDER BY id"):
        try:
            payload = json.loads(row["payload"])
        except ValueError:
            payload = {}
        payload = payload if isinstance(payload, dict) else {}
        carried = payload.get("stories")
        stories = sorted(carried) if isinstance(carried, dict) and carried else [row["key"]]
        versions = {str(k): v for k, v in carried.items() if isinstance(v, str)} if isinstance(carried, dict) else {}
        try:
            at = parse(row["delivered_at"] or row["due_at"])
            if at.tzinfo is None:  # a time without its zone is as damaged as one that does not parse
                raise ValueError(at)
        except (TypeError, ValueError, OverflowError):
            log.warning(_("ledger: delivery #{id} has a damaged time {value!r}; it is left out").format(
                id=row["id"], value=row["delivered_at"] or row["due_at"]))
            continue
        day = _day(payload.get("day"))
        found.append(Line(f"#{row['id']}", at, row["channel"], row["target"], row["state"], row["kind"], row["key"],
                          str(payload.get("title") or row["key"]), stories, row["hash"], day,
                          note=row["last_error"], facts=payload.get("facts") or {}, versions=versions))
    for post in posts.confirmed(ledger):
        found.append(Line(f"P{post.id}", post.posted_at, post.channel, BY_HAND, POSTED, POSTED, post.story,
                          post.title or post.story, [post.story], post.content_hash, url=post.url,
                          versions={post.story: post.content_hash}))
    chosen = []
    for line in found:
        if channels is not None and line.channel not in channels:
            continue
        if story is not None and story not in line.stories:
            continue
        # A unit for a day (an LED loop) belongs to its day, whenever it was delivered.
        when = dt.datetime.combine(line.day, dt.time(12), tzinfo=tz) if line.day else line.at
        if (start is not None and when < start) or (end is not None and when >= end):
            continue
        chosen.append(line)
    return sorted(chosen, key=lambda line: (stamp(line.at), line.number))


def _day(text: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if isinstance(text, str) and text else None
    except ValueError:
        return None
