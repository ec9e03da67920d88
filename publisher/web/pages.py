"""What the review pages show: the stories waiting for a reviewer, and one story as it goes out.

The site is read again only when one of its files changes (stat calls); the output's manifest
when it is rewritten. A decision never trusts these copies: it reads the story afresh and
compares its content hash with the one the reviewer's page carried.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from publisher.config import SiteConfig, load_config
from publisher.content.hashing import content_hash
from publisher.content.story import Story
from publisher.errors import ContentError, Diagnostic, PublisherError
from publisher.pipeline import manifest
from publisher.pipeline.build import plan_key
from publisher.pipeline.reader import read_site, read_story, story_files
from publisher.preview import labels, story_views
from publisher.preview.serve import snapshot
from publisher.safety import access, audit, review
from publisher.safety.masking import masked_items


@dataclass
class Listed:
    story: Story
    state: review.ReviewState
    label: str
    """The state in Chinese (待复审, 已通过审核…)."""


@dataclass
class StoryPage:
    story: Story
    content_hash: str
    state: review.ReviewState
    label: str
    view: object
    """The preview's :class:`publisher.preview.StoryView`: each channel's rendition for its partial."""
    current: bool
    """Every rendition shown was made from this content hash (the build has caught up with the edit)."""
    masked: list[dict[str, str]]
    history: list[dict]
    actions: dict[str, str | bool] = field(default_factory=dict)
    """``approve``: the stage the reviewer may approve (or ""), ``reject``, ``withdraw``: True when allowed."""


class ReviewSite:
    """The site, its output folder and its config, as the server sees them now."""

    def __init__(self, site: Path, config: SiteConfig, out: Path):
        self.site, self.config, self.out = site.resolve(), config, out.resolve()
        self._lock = threading.Lock()
        self._seen: dict | None = None
        self._looked = -1.0
        self._stories: dict[str, Story] = {}
        self._problems: list[Diagnostic] = []
        self._manifest: tuple[int, manifest.Manifest] | None = None

    def stories(self) -> dict[str, Story]:
        """The site's stories, looked at again (stat calls) at most once a second: a page may be a
        second behind an edit, a decision never is (it reads the story afresh)."""
        with self._lock:
            if time.monotonic() - self._looked < 1.0:
                return self._stories
            self._looked = time.monotonic()
            current = snapshot(self.site)
            if current != self._seen:
                if self._seen is not None:
                    # The watcher renders with the new config: compare renditions against it too (a broken
                    # config is the watcher's to report; reviewing goes on with the last good one).
                    with contextlib.suppress(PublisherError):
                        self.config, _source = load_config(self.site)
                found, self._problems = read_site(self.site, self.config)
                self._stories, self._seen = {story.id: story for story in found}, current
            return self._stories

    def fresh(self, story_id: str) -> Story | None:
        """The story read now from its file (for a decision), or None if it is gone or broken."""
        for found_id, path in story_files(self.site):
            if found_id == story_id:
                try:
                    return read_story(self.site, story_id, path, self.config)
                except ContentError:  # a story with errors is not reviewed until fixed
                    return None
        return None

    def manifest(self) -> manifest.Manifest:
        try:
            stamp = (self.out / manifest.NAME).stat().st_mtime_ns
        except OSError:
            stamp = 0
        with self._lock:
            if self._manifest is None or self._manifest[0] != stamp:
                self._manifest = (stamp, manifest.load(self.out))
            return self._manifest[1]

    def waiting_for(self, ledger: sqlite3.Connection, person: access.Person) -> tuple[list[Listed], list[Listed]]:
        """The stories ``person`` may approve now (待我审核), and all the others."""
        stages = self.config.safety.stages
        holders = access.holders(self.config, ledger)
        mine, others = [], []
        stories = sorted(self.stories().values(), key=lambda s: (-s.meta.date.toordinal(), s.id))
        found = review.states(ledger, stories, stages, holders)
        for story in stories:
            state = found[story.id]
            listed = Listed(story, state, labels.review(state.label_source))
            ready = state.waiting_for and access.may(person, stages, state, "approve", state.waiting_for)
            (mine if ready else others).append(listed)
        return mine, others

    def page(self, ledger: sqlite3.Connection, person: access.Person, story_id: str) -> StoryPage | None:
        story = self.stories().get(story_id)
        if story is None:
            return None
        stages = self.config.safety.stages
        digest = content_hash(story)
        state = review.state_of(ledger, story.id, digest, stages, access.holders(self.config, ledger))
        views, _sections = story_views(self.config, self.out, self.manifest(), [story])
        view = views[story.id]
        current = self.current(story, view.renditions)
        waiting = state.waiting_for
        actions: dict[str, str | bool] = {
            "approve": waiting if waiting and current and access.may(person, stages, state, "approve", waiting)
            else "",
            "reject": current and access.may(person, stages, state, "reject"),
            "withdraw": access.may(person, stages, state, "withdraw"),
        }
        for rendition in view.renditions.values():
            if "page" in rendition:  # the article exactly as it goes out, not the preview's page
                rendition["page_link"] = f"{rendition['folder']}/article.html"
        return StoryPage(story, digest, state, labels.review(state.label_source), view, current,
                         masked_items(story, self.config.safety.id_mask), audit.for_story(ledger, story.id),
                         actions)

    def current(self, story: Story, renditions: dict[str, dict]) -> bool:
        """Whether every rendition of the story in the output was made from its content as it is now."""
        digest = content_hash(story)
        return bool(renditions) and all(
            shown.get("plan") == plan_key(self.config, channel, story.id, digest)
            for channel, shown in renditions.items())
