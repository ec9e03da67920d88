"""三审: a story is published only after approval at every stage, in order, of its current content.

Decisions are rows in the ledger with the story's content hash. Editing the story or any
file it uses changes the hash: earlier approvals no longer count, and the story goes back
to the first stage ("changed after approval"). Reviewers are named in config.toml with the
stages they hold; one version's stages need different people. A withdrawal (撤稿) voids every
approval before it. What each reviewer approved is kept, content-addressed, beside the ledger.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from publisher import atomic
from publisher.config import Reviewer, SiteConfig
from publisher.content.hashing import content_hash, file_hash
from publisher.content.story import Story
from publisher.errors import PublisherError
from publisher.i18n import N_, _


class ReviewError(PublisherError):
    pass


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


def state(ledger: sqlite3.Connection | None, story: Story, stages: list[str],
          reviewers: list[Reviewer] | None = None) -> ReviewState:
    return state_of(ledger, story.id, content_hash(story), stages, reviewers)


def state_of(ledger: sqlite3.Connection | None, story_id: str, current: str, stages: list[str],
             reviewers: list[Reviewer] | None = None) -> ReviewState:
    """The review state of ``story_id`` for the content hash ``current``. With ``reviewers`` (the
    config's), an approval counts only while its reviewer is still listed for that stage."""
    holds = {(r.name, stage) for r in reviewers or [] for stage in r.stages}
    result = ReviewState(story_id, current, list(stages))
    if ledger is None:
        return result
    rows = ledger.execute("SELECT * FROM reviews WHERE story = ? ORDER BY id", (story_id,)).fetchall()
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


def check_may_decide(reviewers: list[Reviewer], stages: list[str], current: ReviewState, decision: str,
                     name: str, stage: str | None = None) -> None:
    """The one place that decides who may do what in 三审 (the CLI and any other front end ask it).

    A reviewer must be listed in config.toml; approving needs the stage being waited for and a
    person who approved no earlier stage of this version; rejecting needs the waited-for stage or
    a later one; withdrawing (撤稿) needs the last stage."""
    name = name.strip()
    if not name:
        raise ReviewError(_("--by: say who decides (a name from [[reviewers]] in config.toml)"))
    person = next((r for r in reviewers if r.name == name), None)
    if person is None:
        listed = _listing(r.name for r in reviewers) or _("none yet")
        raise ReviewError(_("{name} is not a reviewer in config.toml (reviewers: {listed}); add a [[reviewers]] "
                            "table with name and stages").format(name=name, listed=listed))
    if decision == "approve":
        if stage not in stages:
            raise ReviewError(_("unknown stage {stage!r} (stages: {stages})").format(
                stage=stage, stages=_listing(stages)))
        if current.approved:
            raise ReviewError(_("{story} is already approved at every stage").format(story=current.story))
        if stage != current.waiting_for:
            raise ReviewError(_("{story} cannot be approved at {stage} yet: it is waiting for {waiting}").format(
                story=current.story, stage=stage, waiting=current.waiting_for))
        if stage not in person.stages:
            raise ReviewError(_("{name} may approve {stages}, not {stage}").format(
                name=name, stages=_listing(person.stages), stage=stage))
        if name in current.approvers:
            done = current.passed[current.approvers.index(name)]
            raise ReviewError(_("{name} already approved {done} of this version; each stage needs a different "
                                "reviewer (三审: three pairs of eyes)").format(name=name, done=done))
    elif decision == "reject":
        at = current.waiting_for or stages[-1]
        later = stages[stages.index(at):]
        if not set(person.stages) & set(later):
            raise ReviewError(_("{name} may decide at {stages}; the story waits for {waiting}").format(
                name=name, stages=_listing(person.stages), waiting=at))
    elif decision == "withdraw" and stages[-1] not in person.stages:
        raise ReviewError(_("only a {stage} reviewer may withdraw a story (撤稿)").format(stage=stages[-1]))


def _listing(names) -> str:
    """Names or stages in a message: 初审, 复审 (in Chinese 初审、复审)."""
    return _(", ").join(names)


def approve(ledger: sqlite3.Connection, story: Story, config: SiteConfig, stage: str, reviewer: str, note: str,
            os_user: str = "", at: dt.datetime | None = None) -> ReviewState:
    stages = config.safety.stages
    current = state(ledger, story, stages, config.reviewers)
    check_may_decide(config.reviewers, stages, current, "approve", reviewer, stage)
    keep_approved_copy(story, approved_folder(story.site, config), current.content_hash)
    _record(ledger, story.id, stage, "approve", reviewer, note, current.content_hash, config.timezone, os_user, at)
    return state(ledger, story, stages, config.reviewers)


def reject(ledger: sqlite3.Connection, story: Story, config: SiteConfig, reviewer: str, note: str,
           os_user: str = "", at: dt.datetime | None = None) -> ReviewState:
    stages = config.safety.stages
    if not note.strip():
        raise ReviewError(_("a rejection needs a --note saying what to change"))
    current = state(ledger, story, stages, config.reviewers)
    check_may_decide(config.reviewers, stages, current, "reject", reviewer)
    _record(ledger, story.id, current.waiting_for or stages[-1], "reject", reviewer, note, current.content_hash,
            config.timezone, os_user, at)
    return state(ledger, story, stages, config.reviewers)


def withdraw(ledger: sqlite3.Connection, story_id: str, current_hash: str, config: SiteConfig, reviewer: str,
             note: str, os_user: str = "", at: dt.datetime | None = None) -> ReviewState:
    """撤稿: pull a story at any time; it is not delivered again until approved afresh."""
    stages = config.safety.stages
    if not note.strip():
        raise ReviewError(_("a withdrawal needs a --note saying why"))
    current = state_of(ledger, story_id, current_hash, stages, config.reviewers)
    check_may_decide(config.reviewers, stages, current, "withdraw", reviewer)
    _record(ledger, story_id, stages[-1], "withdraw", reviewer, note, current_hash, config.timezone, os_user, at)
    return state_of(ledger, story_id, current_hash, stages, config.reviewers)


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


def _record(ledger: sqlite3.Connection, story: str, stage: str, decision: str, reviewer: str, note: str,
            digest: str, timezone: str, os_user: str, at: dt.datetime | None = None) -> None:
    """``at``: the decision's time (the command's clock: a rehearsal on a compressed clock records
    its own time); now when not given."""
    now = (at or dt.datetime.now(ZoneInfo(timezone))).astimezone(ZoneInfo(timezone)).isoformat(timespec="seconds")
    with ledger:
        ledger.execute("INSERT INTO reviews (story, stage, decision, reviewer, os_user, note, content_hash, at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (story, stage, decision, reviewer.strip(), os_user, note.strip(), digest, now))


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
    if ledger is None:
        return []
    return [dict(row) for row in ledger.execute("SELECT * FROM reviews ORDER BY id")]
