"""三审: a story is published only after approval at every stage, in order, of its current content.

Decisions are rows in the ledger with the story's content hash. Editing the story or any
file it uses changes the hash: earlier approvals no longer count, and the story goes back
to the first stage ("changed after approval"). Who may decide is :mod:`publisher.safety.access`'s
to say; one version's stages need different people. A withdrawal (撤稿) voids every approval
before it. What each reviewer approved is kept, content-addressed, beside the ledger, and each
decision is in the audit trail with where it came from.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from publisher import atomic
from publisher.config import Reviewer, SiteConfig
from publisher.content.hashing import content_hash, file_hash
from publisher.content.story import Story
from publisher.i18n import N_, _
from publisher.safety import access, audit
from publisher.safety.access import Forbidden, Person, ReviewError

__all__ = ["Forbidden", "Person", "ReviewError", "ReviewState", "Stale", "approve", "reject", "state", "state_of",
           "states", "withdraw"]

Holders = Mapping[str, Iterable[str]] | list[Reviewer] | None
"""Who holds which stages (:func:`publisher.safety.access.holders`), or config.toml's reviewers alone."""


class Stale(ReviewError):
    """The story changed after the reviewer loaded it: what they saw is not what would be approved."""


@dataclass
class ReviewState:
    story: str
    content_hash: str
    stages: list[str]
    passed: list[str] = field(default_factory=list)
    """Stages approved for the current content, in order."""
    approvers: list[str] = field(default_factory=list)
    """Who approved each passed stage (three stages, three different people)."""
    changed_after_approval: bool = False
    rejected: dict | None = None
    """The last rejection of the current content, if it is what sent the story back."""
    withdrawn: dict | None = None
    """The last withdrawal (撤稿), until the story is approved afresh at every stage."""
    approved_at: dt.datetime | None = None
    """When the last stage (终审) approved the current content, once every stage has."""

    @property
    def approved(self) -> bool:
        return len(self.passed) == len(self.stages)

    @property
    def waiting_for(self) -> str | None:
        return None if self.approved else self.stages[len(self.passed)]

    @property
    def label(self) -> str:
        """Where the story stands, in the reader's language: ``rejected by 王局长 (数字有误); waiting for
        初审``, 被王局长退回（数字有误），待初审 (``review list``, notices, why a delivery is held)."""
        return self._describe(_)

    @property
    def label_source(self) -> str:
        """The same in English, whatever the language: what is stored (manifest.json) and compared
        (``"approved"``); :func:`publisher.preview.labels.review` words it in Chinese for the preview."""
        return self._describe(str)

    def _describe(self, translate: Callable[[str], str]) -> str:
        if self.approved:
            return translate(N_("approved"))
        label = translate(N_("waiting for {stage}")).format(stage=self.waiting_for)
        if self.rejected:
            label = translate(N_("rejected by {reviewer} ({note}); {state}")).format(
                reviewer=self.rejected["reviewer"], note=self.rejected["note"], state=label)
        if self.withdrawn:
            label = translate(N_("withdrawn by {reviewer} ({note}); {state}")).format(
                reviewer=self.withdrawn["reviewer"], note=self.withdrawn["note"], state=label)
        if self.changed_after_approval:
            label = translate(N_("changed after approval; {state}")).format(state=label)
        return label


def state(ledger: sqlite3.Connection | None, story: Story, stages: list[str], reviewers: Holders = None) -> ReviewState:
    return state_of(ledger, story.id, content_hash(story), stages, reviewers)


def state_of(ledger: sqlite3.Connection | None, story_id: str, current: str, stages: list[str],
             reviewers: Holders = None) -> ReviewState:
    """The review state of ``story_id`` for the content hash ``current``. With ``reviewers`` (who
    holds which stages: :func:`publisher.safety.access.holders`), an approval counts only while its
    reviewer still holds that stage."""
    rows = [] if ledger is None else ledger.execute("SELECT * FROM reviews WHERE story = ? ORDER BY id",
                                                    (story_id,)).fetchall()
    return _state(rows, story_id, current, stages, reviewers)


def states(ledger: sqlite3.Connection | None, stories: list[Story], stages: list[str],
           reviewers: Holders = None) -> dict[str, ReviewState]:
    """:func:`state` of many stories, read from the ledger at once (a list of every story)."""
    rows: dict[str, list] = {}
    if ledger is not None:
        for row in ledger.execute("SELECT * FROM reviews ORDER BY id"):
            rows.setdefault(row["story"], []).append(row)
    return {story.id: _state(rows.get(story.id, []), story.id, content_hash(story), stages, reviewers)
            for story in stories}


def _state(rows: list, story_id: str, current: str, stages: list[str], reviewers: Holders) -> ReviewState:
    if isinstance(reviewers, list):
        reviewers = {r.name: r.stages for r in reviewers}
    holds = {(name, stage) for name, held in (reviewers or {}).items() for stage in held}
    result = ReviewState(story_id, current, list(stages))
    for row in rows:
        if row["decision"] == "withdraw":  # whatever the content: everything before it is void
            result.passed, result.approvers, result.rejected, result.withdrawn = [], [], None, dict(row)
            result.changed_after_approval = False
            continue
        if row["content_hash"] != current:
            if row["decision"] == "approve":
                result.changed_after_approval = True
            continue
        if row["decision"] == "reject":
            result.passed, result.approvers, result.rejected = [], [], dict(row)
        elif (len(result.passed) < len(stages) and row["stage"] == stages[len(result.passed)]
              and (reviewers is None or (row["reviewer"], row["stage"]) in holds)):
            result.passed.append(row["stage"])
            result.approvers.append(row["reviewer"])
            result.rejected = None
            if len(result.passed) == len(stages):
                result.approved_at = _moment(row["at"])
    if result.passed:
        result.changed_after_approval = False
    if result.approved:
        result.withdrawn = None
    return result


def _moment(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def approve(ledger: sqlite3.Connection, story: Story, config: SiteConfig, stage: str, reviewer: Person | str,
            note: str, seen: str | None = None, at: dt.datetime | None = None) -> ReviewState:
    """Approve ``stage`` of the story as it is now. ``seen``: the content hash the reviewer was shown;
    when the story has changed since, nothing is recorded (:class:`Stale`). ``reviewer`` as a name:
    a reviewer of config.toml acting at this machine (:func:`publisher.safety.access.cli_person`)."""
    person = _person(config, reviewer)
    stages = config.safety.stages
    with _deciding(ledger):  # two reviewers pressing 通过 at once: one decides, the other sees its result
        current = state(ledger, story, stages, access.holders(config, ledger))
        access.check_may_decide(person, stages, current, "approve", stage)
        check_seen(current.content_hash, seen)
        keep_approved_copy(story, approved_folder(story.site, config), current.content_hash)
        _record(ledger, config, story.id, stage, "approve", person, note, current.content_hash, at)
    return state(ledger, story, stages, access.holders(config, ledger))


def reject(ledger: sqlite3.Connection, story: Story, config: SiteConfig, reviewer: Person | str, note: str,
           seen: str | None = None, at: dt.datetime | None = None) -> ReviewState:
    person = _person(config, reviewer)
    stages = config.safety.stages
    if not note.strip():
        raise ReviewError(_("a rejection needs a --note saying what to change"))
    with _deciding(ledger):
        current = state(ledger, story, stages, access.holders(config, ledger))
        access.check_may_decide(person, stages, current, "reject")
        check_seen(current.content_hash, seen)
        _record(ledger, config, story.id, current.waiting_for or stages[-1], "reject", person, note,
                current.content_hash, at)
    return state(ledger, story, stages, access.holders(config, ledger))


def withdraw(ledger: sqlite3.Connection, story_id: str, current_hash: str, config: SiteConfig,
             reviewer: Person | str, note: str, at: dt.datetime | None = None) -> ReviewState:
    """撤稿: pull a story at any time; it is not delivered again until approved afresh."""
    person = _person(config, reviewer)
    stages = config.safety.stages
    if not note.strip():
        raise ReviewError(_("a withdrawal needs a --note saying why"))
    with _deciding(ledger):
        current = state_of(ledger, story_id, current_hash, stages, access.holders(config, ledger))
        access.check_may_decide(person, stages, current, "withdraw")
        _record(ledger, config, story_id, stages[-1], "withdraw", person, note, current_hash, at)
    return state_of(ledger, story_id, current_hash, stages, access.holders(config, ledger))


@contextlib.contextmanager
def _deciding(ledger: sqlite3.Connection):
    """The check and the record in one write transaction, taken before the check."""
    ledger.commit()  # nothing of the caller's stays open in it
    ledger.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        ledger.rollback()
        raise
    ledger.commit()


def _person(config: SiteConfig, reviewer: Person | str) -> Person:
    return reviewer if isinstance(reviewer, Person) else access.cli_person(config, reviewer)


def check_seen(current: str, seen: str | None) -> None:
    """Refuse (:class:`Stale`) when the reviewer was shown another version than ``current``."""
    if seen is not None and seen != current:
        raise Stale(_("the story has changed; reload the page and review it again"))


def withdrawn_stories(ledger: sqlite3.Connection | None) -> dict[str, dict]:
    """Stories whose last decision is a withdrawal and that no approval has followed since."""
    if ledger is None:
        return {}
    found: dict[str, dict] = {}
    for row in ledger.execute("SELECT * FROM reviews ORDER BY id"):
        if row["decision"] == "withdraw":
            found[row["story"]] = dict(row)
        elif row["decision"] == "approve":
            found.pop(row["story"], None)
    return found


def _record(ledger: sqlite3.Connection, config: SiteConfig, story: str, stage: str, decision: str, person: Person,
            note: str, digest: str, at: dt.datetime | None = None) -> None:
    """The decision and its audit row (inside :func:`_deciding`'s transaction: both or neither).
    ``at``: the decision's time (the command's clock: a rehearsal on a compressed clock records its
    own time); now when not given."""
    ledger.execute("INSERT INTO reviews (story, stage, decision, reviewer, os_user, note, content_hash, at) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (story, stage, decision, person.name, person.os_user, note.strip(), digest,
                    audit.now(config.timezone, at)))
    audit.record(ledger, config.timezone, decision, person.name, story=story, stage=stage, content_hash=digest,
                 ip=person.ip, os_user=person.os_user, via=person.via, note=note.strip())


def approved_folder(site: Path, config: SiteConfig) -> Path:
    """``.publisher/approved`` beside the ledger: what each reviewer signed, kept."""
    return (site / config.safety.ledger).parent / "approved"


def keep_approved_copy(story: Story, folder: Path, digest: str) -> Path:
    """Keep the story file and its media as approved: each file once under ``objects/<sha256>``
    (content-addressed), and ``<content hash>.json`` naming them. Returns that JSON file."""
    files = {}
    for path in [story.path, *story.files]:
        sha = file_hash(path)
        target = folder / "objects" / sha[:2] / sha
        if not target.exists():
            atomic.write_bytes(target, path.read_bytes())
        try:
            shown = path.relative_to(story.site).as_posix()
        except ValueError:
            shown = str(path)
        files[shown] = sha
    record = folder / f"{digest}.json"
    if not record.exists():
        atomic.write_text(record, json.dumps({"story": story.id, "content_hash": digest, "files": files},
                                             ensure_ascii=False, indent=2) + "\n")
    return record


def log(ledger: sqlite3.Connection | None) -> list[dict]:
    """The audit trail: sign-ins and decisions, oldest first."""
    return audit.rows(ledger)
