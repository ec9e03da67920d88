"""The gate at the moment of delivery: nothing goes out that is not approved, masked and current.

A batch is written days before its slots and an LED loop hours before it plays; a story can be
rejected, edited, withdrawn (撤稿) or expire in between. So every delivery is checked again just
before it is sent, against the site as it is now:

- every story it carries reads cleanly, is ``ready``, inside its publishing window, and has the
  content hash it had when the delivery was queued;
- that content is approved at every review stage (a withdrawal voids earlier approvals);
- the files about to be sent are byte for byte the ones queued (checksums in the payload);
- the rendition is still the current one for its story and channel.

A delivery that fails is ``held`` with the reason, in the team's language, for ``status`` and the notice.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from publisher.config import SiteConfig
from publisher.content.hashing import content_hash, fresh_hash
from publisher.content.story import Story
from publisher.i18n import _
from publisher.pipeline import manifest
from publisher.pipeline.reader import read_site
from publisher.publish.batch import in_window
from publisher.publish.queue import Delivery
from publisher.safety import access, review


def checksums(folder: Path, files: list[str]) -> dict[str, str]:
    """SHA-256 of each file of a delivery, as queued (the gate compares them when sending)."""
    return {name: fresh_hash(folder / name) for name in files}


class Gate:
    """One pass of checks; the site and the manifest are read once, when first needed."""

    def __init__(self, site: Path, config: SiteConfig, ledger: sqlite3.Connection, out: Path):
        self.site, self.config, self.ledger, self.out = site, config, ledger, out
        self._stories: dict[str, Story] | None = None
        self._manifest: manifest.Manifest | None = None

    def stories(self) -> dict[str, Story]:
        if self._stories is None:
            found, _problems = read_site(self.site, self.config)
            self._stories = {story.id: story for story in found}
        return self._stories

    def reason(self, item: Delivery, now: dt.datetime) -> str | None:
        """Why ``item`` must not be sent now, or None when it may go."""
        carried = item.payload.get("stories")
        if carried is None:
            return _("the delivery does not say which reviewed stories it carries (queued by an older version); "
                     "render it again, then deliver it")
        for story_id, digest in carried.items():
            problem = self._story_problem(story_id, digest, now)
            if problem:
                return _("{story}: {problem}").format(story=story_id, problem=problem)
        folder = Path(item.payload.get("folder", ""))
        for name, digest in item.payload.get("checksums", {}).items():
            path = folder / name
            if not path.is_file() or fresh_hash(path) != digest:
                return _("file {name} is not what was queued (changed or missing); not delivered").format(name=name)
        if not self._still_current(item):
            return _("the channel's rendition has changed since (templates or settings edited); write the batch "
                     "again, then deliver it")
        return None

    def _story_problem(self, story_id: str, digest: str, now: dt.datetime) -> str | None:
        story = self.stories().get(story_id)
        if story is None:
            return _("the story was deleted or has errors and cannot be read (run publisher check)")
        if content_hash(story) != digest:
            return _("the story was edited after it was queued; it must be reviewed (三审) again")
        state = review.state_of(self.ledger, story_id, digest, self.config.safety.stages,
                                access.holders(self.config, self.ledger))
        if not state.approved:
            return _("not approved (三审): {state}").format(state=state.label)
        if story.meta.status != "ready":
            return _("the story was set back to draft")
        if not in_window(story, now):
            return _("outside the story's publishing window (expired, or not yet due)")
        return None

    def _still_current(self, item: Delivery) -> bool:
        if self._manifest is None:
            self._manifest = manifest.load(self.out)
        rendition = self._manifest.find(item.key, item.channel)
        return rendition is None or rendition.hash == item.hash
