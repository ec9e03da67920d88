"""``<out>/manifest.json``: what was rendered, from which inputs, and what went wrong.

The manifest is the build's memory (a rendition whose input hash is unchanged is not
rendered again) and its report to the publisher and the preview.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from publisher import atomic

NAME = "manifest.json"


@dataclass
class Rendition:
    story: str
    channel: str
    type: str
    files: list[str]
    """Paths relative to the output folder."""
    hash: str
    """Hash of every input: story, images, templates, channel config, package version."""
    status: str = "ready"
    title: str = ""
    path: str = ""
    """The story file, relative to the site."""
    stories: list[str] = field(default_factory=list)
    """For a screen-day (LED): the stories it plays. ``story`` is then ``<screen>/<date>``."""
    review: str = ""
    """The story's review state (三审) at build time: ``approved`` or what it waits for."""
    plan: str = ""
    """What the build knew before rendering (package version, configs, the story's content hash)."""
    inputs: dict[str, str] = field(default_factory=dict)
    """Every file the rendition read, site-relative, with its SHA-256 (or ``absent``, or the
    installed version for the program's own files): recorded while it rendered."""

    @property
    def folder(self) -> str:
        return f"{self.channel}/{self.story}"


@dataclass
class Manifest:
    renditions: list[Rendition] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    _by_key: dict[tuple[str, str], Rendition] | None = field(default=None, repr=False, compare=False)

    def find(self, story: str, channel: str) -> Rendition | None:
        # Built once: the build looks up every planned rendition in the last manifest.
        if self._by_key is None:
            self._by_key = {(r.story, r.channel): r for r in self.renditions}
        return self._by_key.get((story, channel))

    def to_json(self) -> str:
        return json.dumps({"renditions": [asdict(r) for r in self.renditions],
                           "errors": self.errors, "warnings": self.warnings},
                          ensure_ascii=False, indent=2) + "\n"

    def save(self, out: Path) -> None:
        atomic.write_text(out / NAME, self.to_json())


def load(out: Path) -> Manifest:
    path = out / NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        renditions = [Rendition(**r) for r in data.get("renditions", [])]
        return Manifest(renditions, data.get("errors", []), data.get("warnings", []))
    except (OSError, ValueError, TypeError):
        return Manifest()
