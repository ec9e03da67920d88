"""Deliveries in the ledger: one row per rendition, channel and target, claimed atomically.

States: ``scheduled`` (waiting for its time, or for a retry), ``claimed`` (a delivery is under
way), ``delivered``, ``failed`` (retries used up: a person looks), ``unconfirmed`` (the
outcome cannot be known: a person resolves it), ``missed`` (a social slot passed more than the
grace period ago; not posted late), ``held`` (the gate at the moment of delivery refused it:
not approved for its current content, withdrawn, expired, or its files changed; the reason is
kept in ``last_error``). The same (channel, target, key, hash) is never delivered twice.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass

from publisher.i18n import _
from publisher.timing import week_start

BACKOFF = (dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30))


def stamp(moment: dt.datetime) -> str:
    """Times are stored in UTC, ISO format, so they sort as text."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@dataclass
class Delivery:
    id: int
    channel: str
    target: str
    key: str
    hash: str
    kind: str
    due_at: dt.datetime
    state: str
    attempts: int
    payload: dict
    last_error: str = ""

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Delivery:
        return cls(row["id"], row["channel"], row["target"], row["key"], row["hash"], row["kind"],
                   parse(row["due_at"]), row["state"], row["attempts"], json.loads(row["payload"]), row["last_error"])

    @property
    def label(self) -> str:
        return f"{self.channel} {self.key} → {self.target}"


def enqueue(ledger: sqlite3.Connection, channel: str, target: str, key: str, digest: str, kind: str,
            due: dt.datetime, payload: dict) -> bool:
    """Add a delivery unless this exact content is already queued or done for this target.
    Older content for the same key that has not started is dropped (the new one replaces it);
    the same content held back earlier (withdrawn, then approved afresh) is queued again."""
    with ledger:
        ledger.execute("DELETE FROM deliveries WHERE channel = ? AND target = ? AND key = ? AND hash != ? "
                       "AND state = 'scheduled' AND attempts = 0", (channel, target, key, digest))
        cursor = ledger.execute(
            "UPDATE deliveries SET state = 'scheduled', attempts = 0, next_try_at = NULL, claimed_at = NULL, "
            "last_error = '', due_at = ?, payload = ? WHERE channel = ? AND target = ? AND key = ? AND hash = ? "
            "AND state = 'held'",
            (stamp(due), json.dumps(payload, ensure_ascii=False), channel, target, key, digest))
        if cursor.rowcount == 1:
            return True
        cursor = ledger.execute(
            "INSERT OR IGNORE INTO deliveries (channel, target, key, hash, kind, due_at, payload) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (channel, target, key, digest, kind, stamp(due), json.dumps(payload, ensure_ascii=False)))
        if cursor.rowcount == 1:
            return True
        # Already queued and not started: the package was written again (the batch re-run), so the
        # delivery must point at the files as they are now.
        ledger.execute("UPDATE deliveries SET payload = ?, due_at = ? WHERE channel = ? AND target = ? AND key = ? "
                       "AND hash = ? AND state = 'scheduled' AND attempts = 0",
                       (json.dumps(payload, ensure_ascii=False), stamp(due), channel, target, key, digest))
    return False


def due(ledger: sqlite3.Connection, now: dt.datetime, channels: set[str] | None = None) -> list[Delivery]:
    rows = ledger.execute("SELECT * FROM deliveries WHERE state = 'scheduled' AND COALESCE(next_try_at, due_at) <= ? "
                          "ORDER BY due_at, id", (stamp(now),)).fetchall()
    found = [Delivery.from_row(r) for r in rows]
    return [d for d in found if channels is None or d.channel in channels]


def claim(ledger: sqlite3.Connection, delivery: Delivery, now: dt.datetime) -> bool:
    """Atomically take a delivery; False when another process (or an earlier pass) has it."""
    with ledger:
        cursor = ledger.execute("UPDATE deliveries SET state = 'claimed', claimed_at = ?, attempts = attempts + 1 "
                                "WHERE id = ? AND state = 'scheduled'", (stamp(now), delivery.id))
    return cursor.rowcount == 1


def delivered(ledger: sqlite3.Connection, delivery: Delivery, now: dt.datetime, note: str = "") -> None:
    with ledger:
        ledger.execute("UPDATE deliveries SET state = 'delivered', delivered_at = ?, last_error = ? WHERE id = ?",
                       (stamp(now), note, delivery.id))


def failed_attempt(ledger: sqlite3.Connection, delivery: Delivery, now: dt.datetime, error: str) -> str:
    """Record a failed attempt: retry after 1, 5, 30 minutes, then ``failed``. Returns the new state."""
    attempts = ledger.execute("SELECT attempts FROM deliveries WHERE id = ?", (delivery.id,)).fetchone()[0]
    with ledger:
        if attempts <= len(BACKOFF):
            retry = now + BACKOFF[attempts - 1]
            ledger.execute("UPDATE deliveries SET state = 'scheduled', next_try_at = ?, last_error = ? WHERE id = ?",
                           (stamp(retry), error, delivery.id))
            return "scheduled"
        ledger.execute("UPDATE deliveries SET state = 'failed', last_error = ? WHERE id = ?", (error, delivery.id))
    return "failed"


def held(ledger: sqlite3.Connection, delivery_id: int, reason: str) -> None:
    """Held back at the moment of delivery (not approved, changed, withdrawn, expired): never sent."""
    with ledger:
        ledger.execute("UPDATE deliveries SET state = 'held', last_error = ? WHERE id = ? "
                       "AND state IN ('scheduled', 'claimed')", (reason, delivery_id))


def hold_post(ledger: sqlite3.Connection, channel: str, story: str, reason: str) -> list[Delivery]:
    """Hold the posts of ``story`` on ``channel`` not yet sent (every target): the batch no longer has it."""
    found = rows(ledger, "channel = ? AND key = ? AND kind = 'post' AND state = 'scheduled'", (channel, story),
                 limit=1000)
    for item in found:
        held(ledger, item.id, reason)
    return found


def hold_story(ledger: sqlite3.Connection, story: str, reason: str) -> list[Delivery]:
    """Hold every delivery still to come that carries ``story`` (its posts, loops that play it)."""
    rows = ledger.execute("SELECT * FROM deliveries WHERE state = 'scheduled'").fetchall()
    found = [d for d in map(Delivery.from_row, rows) if d.key == story or story in d.payload.get("stories", {})]
    for item in found:
        held(ledger, item.id, reason)
    return found


def unconfirmed(ledger: sqlite3.Connection, delivery_id: int, error: str) -> None:
    with ledger:
        ledger.execute("UPDATE deliveries SET state = 'unconfirmed', last_error = ? WHERE id = ?",
                       (error, delivery_id))


def missed(ledger: sqlite3.Connection, now: dt.datetime, grace: dt.timedelta) -> list[Delivery]:
    """Posts whose slot passed more than ``grace`` ago without a delivery: never posted late, whatever
    happened before (a post whose target failed at its slot and waits for a retry is missed too).
    Call it before :func:`due` with the same ``now``, so ``due`` never hands such a post out."""
    rows = ledger.execute("SELECT * FROM deliveries WHERE kind = 'post' AND state = 'scheduled' "
                          "AND due_at < ?", (stamp(now - grace),)).fetchall()
    late = [Delivery.from_row(r) for r in rows]
    with ledger:
        for item in late:
            ledger.execute("UPDATE deliveries SET state = 'missed', last_error = ? "
                           "WHERE id = ? AND state = 'scheduled'",
                           (_("slot {slot} missed by more than {minutes} minutes").format(
                               slot=f"{item.due_at.astimezone(now.tzinfo):%Y-%m-%d %H:%M}",
                               minutes=round(grace.total_seconds() / 60)), item.id))
    return late


def recover(ledger: sqlite3.Connection, idempotent: dict[str, bool]) -> list[tuple[Delivery, str]]:
    """After a crash: a claim left behind is redone where the target is idempotent, else
    becomes ``unconfirmed`` for a person to resolve. Returns (delivery, new state)."""
    rows = ledger.execute("SELECT * FROM deliveries WHERE state = 'claimed'").fetchall()
    changes = []
    with ledger:
        for row in rows:
            item = Delivery.from_row(row)
            if idempotent.get(item.target, False):
                ledger.execute("UPDATE deliveries SET state = 'scheduled', attempts = MAX(attempts - 1, 0) "
                               "WHERE id = ?", (item.id,))
                changes.append((item, "scheduled"))
            else:
                ledger.execute("UPDATE deliveries SET state = 'unconfirmed', last_error = ? WHERE id = ?",
                               (_("interrupted while delivering: the target may or may not have it"), item.id))
                changes.append((item, "unconfirmed"))
    return changes


def resolve(ledger: sqlite3.Connection, delivery_id: int, outcome: str, now: dt.datetime) -> bool:
    """A person says what happened to an unconfirmed (or failed) delivery: delivered, or retry."""
    with ledger:
        if outcome == "delivered":
            cursor = ledger.execute("UPDATE deliveries SET state = 'delivered', delivered_at = ?, last_error = ? "
                                    "WHERE id = ? AND state IN ('unconfirmed', 'failed')",
                                    (stamp(now), _("confirmed by a person"), delivery_id))
        else:
            cursor = ledger.execute("UPDATE deliveries SET state = 'scheduled', attempts = 0, next_try_at = NULL, "
                                    "due_at = ? WHERE id = ? AND state IN ('unconfirmed', 'failed', 'missed')",
                                    (stamp(now), delivery_id))
    return cursor.rowcount == 1


def posted(ledger: sqlite3.Connection, channel: str) -> set[str]:
    """Stories already delivered, queued or in doubt on ``channel`` (never put in a batch again)."""
    rows = ledger.execute("SELECT DISTINCT key FROM deliveries WHERE channel = ? AND kind = 'post' "
                          "AND state IN ('scheduled', 'claimed', 'delivered', 'unconfirmed')", (channel,))
    return {row[0] for row in rows}


def week_posts(ledger: sqlite3.Connection, channel: str, week: str, tz: dt.tzinfo) -> list[Delivery]:
    """Posts of ``channel`` whose slot falls in ``week`` (one per story, whatever the target)."""

    start = dt.datetime.combine(week_start(week), dt.time(), tzinfo=tz)
    end = start + dt.timedelta(days=7)
    found = ledger.execute("SELECT * FROM deliveries WHERE channel = ? AND kind = 'post' AND due_at >= ? "
                           "AND due_at < ? AND state NOT IN ('missed', 'held') ORDER BY due_at, id",
                           (channel, stamp(start), stamp(end))).fetchall()
    by_story: dict[str, Delivery] = {}
    for row in found:  # one row per target: keep one per story
        by_story.setdefault(row["key"], Delivery.from_row(row))
    return sorted(by_story.values(), key=lambda d: d.due_at)


def delivered_destinations(ledger: sqlite3.Connection, target: str, kind: str = "loop") -> list[str]:
    """Folders (``payload.destination``) the publisher delivered to ``target``: the only ones it may prune."""
    found = ledger.execute("SELECT channel, key, payload FROM deliveries WHERE target = ? AND kind = ? "
                           "AND state = 'delivered'", (target, kind)).fetchall()
    places = set()
    for channel, key, payload in found:
        try:
            place = json.loads(payload).get("destination")
        except (ValueError, AttributeError):
            place = None
        places.add(place or f"{channel}/{key}")
    return sorted(places)


def rows(ledger: sqlite3.Connection, where: str = "1", params: tuple = (), limit: int = 50) -> list[Delivery]:
    found = ledger.execute(f"SELECT * FROM deliveries WHERE {where} ORDER BY due_at DESC, id DESC LIMIT ?",
                           (*params, limit)).fetchall()
    return [Delivery.from_row(r) for r in found]


def job_last_run(ledger: sqlite3.Connection, name: str) -> dt.datetime | None:
    row = ledger.execute("SELECT last_run FROM jobs WHERE name = ?", (name,)).fetchone()
    return parse(row[0]) if row else None


def job_ran(ledger: sqlite3.Connection, name: str, at: dt.datetime) -> None:
    with ledger:
        ledger.execute("INSERT INTO jobs (name, last_run) VALUES (?, ?) "
                       "ON CONFLICT (name) DO UPDATE SET last_run = excluded.last_run", (name, stamp(at)))
