"""三审: a story is published only after approval at every stage, in order, of its current content.

Decisions are rows in the ledger with the story's content hash. Editing the story or any
file it uses changes the hash: earlier approvals no longer count, and the story goes back
to the first stage ("changed after approval").
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from publisher.content.hashing import content_hash
from publisher.content.story import Story
from publisher.errors import PublisherError


class ReviewError(PublisherError):
    pass


@dataclass
class ReviewState:
    story: str
    content_hash: str
    stages: list[str]
    passed: list[str] = field(default_factory=list)
    """Stages approved for the current content, in order."""
    changed_after_approval: bool = False
    rejected: dict | None = None
    """The last rejection of the current content, if it is what sent the story back."""

    @property
    def approved(self) -> bool:
        return len(self.passed) == len(self.stages)

    @property
    def waiting_for(self) -> str | None:
        return None if self.approved else self.stages[len(self.passed)]

    @property
    def label(self) -> str:
        if self.approved:
            return "approved"
        label = f"waiting for {self.waiting_for}"
        if self.rejected:
            label = f"rejected by {self.rejected['reviewer']} ({self.rejected['note']}); " + label
        if self.changed_after_approval:
            label = "changed after approval; " + label
        return label


def state(ledger: sqlite3.Connection | None, story: Story, stages: list[str]) -> ReviewState:
    current = content_hash(story)
    result = ReviewState(story.id, current, list(stages))
    if ledger is None:
        return result
    rows = ledger.execute("SELECT * FROM reviews WHERE story = ? ORDER BY id", (story.id,)).fetchall()
    for row in rows:
        if row["content_hash"] != current:
            if row["decision"] == "approve":
                result.changed_after_approval = True
            continue
        if row["decision"] == "reject":
            result.passed, result.rejected = [], dict(row)
        elif len(result.passed) < len(stages) and row["stage"] == stages[len(result.passed)]:
            result.passed.append(row["stage"])
            result.rejected = None
    if result.passed:
        result.changed_after_approval = False
    return result


def approve(ledger: sqlite3.Connection, story: Story, stages: list[str], stage: str, reviewer: str, note: str,
            timezone: str) -> ReviewState:
    if stage not in stages:
        raise ReviewError(f"unknown stage {stage!r} (stages: {', '.join(stages)})")
    if not reviewer.strip():
        raise ReviewError("--by: say who approves")
    current = state(ledger, story, stages)
    if current.approved:
        raise ReviewError(f"{story.id} is already approved at every stage")
    if stage != current.waiting_for:
        raise ReviewError(f"{story.id} cannot be approved at {stage} yet: it is waiting for {current.waiting_for}")
    _record(ledger, story.id, stage, "approve", reviewer, note, current.content_hash, timezone)
    return state(ledger, story, stages)


def reject(ledger: sqlite3.Connection, story: Story, stages: list[str], reviewer: str, note: str,
           timezone: str) -> ReviewState:
    if not reviewer.strip() or not note.strip():
        raise ReviewError("a rejection needs --by and a --note saying what to change")
    current = state(ledger, story, stages)
    _record(ledger, story.id, current.waiting_for or stages[-1], "reject", reviewer, note, current.content_hash,
            timezone)
    return state(ledger, story, stages)


def _record(ledger: sqlite3.Connection, story: str, stage: str, decision: str, reviewer: str, note: str,
            digest: str, timezone: str) -> None:
    now = dt.datetime.now(ZoneInfo(timezone)).isoformat(timespec="seconds")
    with ledger:
        ledger.execute("INSERT INTO reviews (story, stage, decision, reviewer, note, content_hash, at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (story, stage, decision, reviewer.strip(), note.strip(), digest, now))


def log(ledger: sqlite3.Connection | None) -> list[dict]:
    if ledger is None:
        return []
    return [dict(row) for row in ledger.execute("SELECT * FROM reviews ORDER BY id")]
