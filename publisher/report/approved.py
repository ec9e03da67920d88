"""The version of a story that went out, for the report: what the reviewers approved, never what the
story file says now. A story edited after it was posted (a new title, 17 made 1700) is not approved
for that text, and a report handed up must not carry it.

Every approval keeps the story file as approved (``.publisher/approved/<content hash>.json`` and its
objects, :func:`publisher.safety.review.keep_approved_copy`); each delivery and confirmed post records
the content hash that went out. The report reads that copy back, through the same reader as the
story itself (masked the same way).
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from publisher.config import SiteConfig
from publisher.content.hashing import content_hash
from publisher.content.story import Story
from publisher.errors import ContentError
from publisher.pipeline.reader import read_story
from publisher.safety import review

_DIGEST = re.compile(r"[0-9a-f]{64}")


def version(site: Path, config: SiteConfig, ledger: sqlite3.Connection, story_id: str, digest: str,
            current: Story | None) -> Story | None:
    """``story_id`` as approved with content hash ``digest`` (the current story when it has not changed
    since); with no digest, the current story only while it is approved at every stage. None when the
    approved text cannot be found or read: the report then shows none of the story's text."""
    if current is not None:
        if digest and content_hash(current) == digest:
            return current
        if not digest and review.state(ledger, current, config.safety.stages, config.reviewers).approved:
            return current
    if not _DIGEST.fullmatch(digest or ""):
        return None
    folder = review.approved_folder(site, config)
    try:
        record = json.loads((folder / f"{digest}.json").read_text(encoding="utf-8"))
        shown, sha = next(iter(record["files"].items()))  # the story file comes first, then its media
        if record.get("story") != story_id or not _DIGEST.fullmatch(sha):
            return None
        raw = (folder / "objects" / sha[:2] / sha).read_bytes()
    except (OSError, ValueError, KeyError, TypeError, AttributeError, StopIteration):
        return None
    path = (site / shown).resolve()
    if not path.is_relative_to(site.resolve()):
        return None
    try:
        return read_story(site, story_id, path, config, raw=raw)
    except ContentError:
        return None
