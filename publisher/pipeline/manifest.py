"""``<out>/manifest.json``: what was rendered, from which inputs, and what went wrong.

The manifest is the build's memory (a rendition whose input hash is unchanged is not
rendered again) and its report to the publisher and the preview.

While a build runs, every change to the output is journaled before and after it happens
(``.manifest-journal.jsonl``: "drop" before a folder is replaced or removed, "put" once the
new one is in place), and :func:`load` replays the journal. So after a kill at any moment the
next build sees exactly what is on disk: a folder whose drop has no put is rendered again.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from publisher import atomic

NAME = "manifest.json"
JOURNAL = ".manifest-journal.jsonl"


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
    unit: str = ""
    """For a collective unit (a screen-day, a leaflet edition): its key, e.g. ``wangfenggang/2026-11-28``;
    ``story`` is then empty. Its folder is ``<channel>/<unit>``."""
    unit_kind: str = ""
    """What sort of collective unit it is (``screen-day``, ``edition``)."""
    day: str = ""
    """The date a collective unit is for (ISO), or empty when it does not depend on the date."""
    targets: list[str] = field(default_factory=list)
    """Where the publisher delivers a collective unit (names of ``[targets.NAME]``)."""
    stories: list[str] = field(default_factory=list)
    """For a collective unit: the stories it carries."""
    review: str = ""
    """The story's review state (三审) at build time: ``approved`` or what it waits for."""
    plan: str = ""
    """What the build knew before rendering (package version, configs, the story's content hash)."""
    inputs: dict[str, str] = field(default_factory=dict)
    """Every file the rendition read, site-relative, with its SHA-256 (or ``absent``, or the
    installed version for the program's own files): recorded while it rendered."""
    outputs: dict[str, list] = field(default_factory=dict)
    """Each file written, relative to the output: [SHA-256, size, modification time in ns]. A file
    changed since (by hand, by another program) makes the rendition render again."""

    @property
    def key(self) -> str:
        """The story, or the collective unit: what the rendition is of, within its channel."""
        return self.unit or self.story

    @property
    def folder(self) -> str:
        return f"{self.channel}/{self.key}"


@dataclass
class Manifest:
    renditions: list[Rendition] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    _by_key: dict[tuple[str, str], Rendition] | None = field(default=None, repr=False, compare=False)

    def find(self, key: str, channel: str) -> Rendition | None:
        # Built once: the build looks up every planned rendition in the last manifest.
        if self._by_key is None:
            self._by_key = {(r.key, r.channel): r for r in self.renditions}
        return self._by_key.get((key, channel))

    def to_json(self) -> str:
        """One rendition, error or warning a line. Not ``indent=``: with it ``json`` uses its pure
        Python encoder, which took most of a one-story rebuild of 500 stories; each line here goes
        through the C one. vars(), not asdict(): the fields are plain lists and dicts already."""
        def lines(items: list) -> str:
            return "".join(f"\n    {json.dumps(item, ensure_ascii=False)}," for item in items).rstrip(",")

        return (f'{{\n  "renditions": [{lines([vars(r) for r in self.renditions])}\n  ],\n'
                f'  "errors": [{lines(self.errors)}\n  ],\n  "warnings": [{lines(self.warnings)}\n  ]\n}}\n')

    def save(self, out: Path) -> None:
        """Write the whole manifest atomically; the journal it includes is then done with."""
        atomic.write_text(out / NAME, self.to_json())
        (out / JOURNAL).unlink(missing_ok=True)


def _rendition(data: object) -> Rendition | None:
    """A rendition from the manifest, or None when the entry is not one this program wrote (a
    manifest is a file anyone can edit: every path in it is checked again before use)."""
    try:
        rendition = Rendition(**data)  # type: ignore[arg-type]
    except TypeError:
        return None
    if isinstance(rendition.stories, list) and rendition.stories and not rendition.unit \
            and isinstance(rendition.story, str):
        # Written before collective units had a field of their own: the key was in ``story``.
        rendition.unit, rendition.story = rendition.story, ""
        rendition.stories = [s for s in rendition.stories if s != "(idle)"]
    text_fields = (rendition.story, rendition.unit, rendition.channel, rendition.type, rendition.hash, rendition.day)
    if not all(isinstance(v, str) and "\0" not in v for v in text_fields):
        return None
    if not (isinstance(rendition.files, list) and all(isinstance(f, str) for f in rendition.files)):
        return None
    if not isinstance(rendition.stories, list) or not isinstance(rendition.targets, list) \
            or not isinstance(rendition.inputs, dict) \
            or not isinstance(rendition.outputs, dict):
        return None
    return rendition


class Journal:
    """Appends each change to the output as it happens (flushed to the OS: a killed process
    loses nothing it wrote)."""

    def __init__(self, out: Path):
        self.found = (out / JOURNAL).exists()
        """A journal was there already: a build that did not finish (the manifest must be written)."""
        self.written = 0
        self._handle = atomic.open_own(out / JOURNAL, "a")

    def drop(self, key: str, channel: str) -> None:
        self._write({"drop": [key, channel]})

    def put(self, rendition: Rendition) -> None:
        self._write({"put": asdict(rendition)})

    def _write(self, entry: dict) -> None:
        self.written += 1
        self._handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()


def load(out: Path) -> Manifest:
    """The last manifest written, with any journal of a build that did not finish replayed."""
    try:
        data = json.loads((out / NAME).read_text(encoding="utf-8"))
        renditions = [r for r in map(_rendition, data.get("renditions", [])) if r is not None]
        found = Manifest(renditions, list(data.get("errors", [])), list(data.get("warnings", [])))
    except (OSError, ValueError, TypeError, AttributeError):  # missing, damaged, or not ours: start afresh
        found = Manifest()
    try:
        lines = (out / JOURNAL).read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return found
    by_key = {(r.key, r.channel): r for r in found.renditions}
    for line in lines:
        try:
            entry = json.loads(line)
            if "drop" in entry:
                by_key.pop(tuple(entry["drop"]), None)
            elif "put" in entry and (rendition := _rendition(entry["put"])) is not None:
                by_key[(rendition.key, rendition.channel)] = rendition
        except (ValueError, TypeError, KeyError, AttributeError):
            break  # the line a kill cut short, and anything after it
    found.renditions = list(by_key.values())
    return found
