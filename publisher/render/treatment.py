"""How each photo of the stories being rendered is treated: its focal point, and whether the faces
in it are blurred.

The build (and ``publisher check``) wraps each rendition in :func:`applying` with the stories it
carries; :func:`publisher.render.inputs.open_image` then blurs the faces of a protected story's
photos for every channel, a bureau's own channel plugin included, and :mod:`publisher.render.photos`
crops around the focal point. Both come from the front matter, which is part of every rendition's
identity: changing ``focus`` or ``blur`` renders again.

Blurring is decided per photo across the whole site (:func:`protected_photos`): a photo that one
story protects is blurred in every other story that uses it, under any name (the same content).
The build passes that set to every rendition and records the protecting story as one of its inputs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from publisher.content.hashing import file_hash
from publisher.content.story import Story


@dataclass(frozen=True)
class Treatment:
    focus: tuple[float, float] | None = None
    """The focal point the front matter gives (fractions of width and height), or None: found."""
    blur_faces: bool = False
    """Blur every face found (a story that names a victim or a minor)."""


NONE = Treatment()


@dataclass(frozen=True)
class Protected:
    """The photos whose faces are blurred wherever they appear, with the stories that ask for it."""

    by_path: dict[Path, tuple[Path, ...]] = field(default_factory=dict)
    """Resolved photo file → the story files that protect someone in it."""
    by_content: dict[str, tuple[Path, ...]] = field(default_factory=dict)
    """The photo's SHA-256 → the same (a copy under another name is the same photo)."""

    def stories_protecting(self, path: Path) -> tuple[Path, ...]:
        """The story files that make ``path`` blurred (empty: none)."""
        path = path.resolve()
        found = self.by_path.get(path, ())
        if self.by_content and path.is_file():
            found += self.by_content.get(file_hash(path), ())
        return tuple(dict.fromkeys(found))

    def sources(self, stories: Iterable[Story]) -> list[Path]:
        """The story files that protect a photo of ``stories``: inputs of their renditions."""
        return list(dict.fromkeys(source for story in stories for path in _photos(story)
                                  for source in self.stories_protecting(path)))

    def signature(self, stories: Iterable[Story]) -> str:
        """Which photos of ``stories`` are protected (part of a rendition's plan: protecting a photo in
        another story renders this one again)."""
        return "\0".join(sorted({str(path.resolve()) for story in stories for path in _photos(story)
                                  if self.stories_protecting(path)}))


def protected_photos(stories: Iterable[Story]) -> Protected:
    """Every photo of every story that blurs faces (a victim or a minor is named), by file and by content."""
    by_path: dict[Path, tuple[Path, ...]] = {}
    by_content: dict[str, tuple[Path, ...]] = {}
    for story in stories:
        if not story.meta.blurs_faces:
            continue
        for path in _photos(story):
            key = path.resolve()
            by_path[key] = (*by_path.get(key, ()), story.path)
            if key.is_file():
                digest = file_hash(key)
                by_content[digest] = (*by_content.get(digest, ()), story.path)
    return Protected(by_path, by_content)


def _photos(story: Story) -> list[Path]:
    return list(dict.fromkeys([*story.images, *story.body_images.values()]))

_active: ContextVar[dict[Path, Treatment] | None] = ContextVar("publisher_photo_treatment", default=None)


def of_stories(stories: Iterable[Story], protected: Protected | None = None) -> dict[Path, Treatment]:
    """Each photo the stories use (front-matter and body images), by resolved path. A photo is
    blurred if any of these stories protects someone, or any story of the site (``protected``,
    from :func:`protected_photos`); it takes the first focal point given."""
    protected = protected or Protected()
    table: dict[Path, Treatment] = {}
    for story in stories:
        for path in _photos(story):
            key = path.resolve()
            known = table.get(key, NONE)
            table[key] = Treatment(known.focus or story.focus.get(path),
                                   known.blur_faces or story.meta.blurs_faces
                                   or bool(protected.stories_protecting(path)))
    return table


@contextlib.contextmanager
def applying(stories: Iterable[Story], protected: Protected | None = None) -> Iterator[None]:
    """Treat the stories' photos as their front matter (and the site's ``protected`` photos) say
    inside the ``with`` block."""
    token = _active.set(of_stories(stories, protected))
    try:
        yield
    finally:
        _active.reset(token)


def of(path: Path) -> Treatment:
    """How the photo at ``path`` is treated in the rendition under way (untouched outside one)."""
    table = _active.get()
    return NONE if table is None else table.get(path.resolve(), NONE)
