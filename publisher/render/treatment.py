"""How each photo of the stories being rendered is treated: its focal point, and whether the faces
in it are blurred.

The build (and ``publisher check``) wraps each rendition in :func:`applying` with the stories it
carries; :func:`publisher.render.inputs.open_image` then blurs the faces of a protected story's
photos for every channel, a bureau's own channel plugin included, and :mod:`publisher.render.photos`
crops around the focal point. Both come from the front matter, which is part of every rendition's
identity: changing ``focus`` or ``blur`` renders again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from publisher.content.story import Story


@dataclass(frozen=True)
class Treatment:
    focus: tuple[float, float] | None = None
    """The focal point the front matter gives (fractions of width and height), or None: found."""
    blur_faces: bool = False
    """Blur every face found (a story that names a victim or a minor)."""


NONE = Treatment()

_active: ContextVar[dict[Path, Treatment] | None] = ContextVar("publisher_photo_treatment", default=None)


def of_stories(stories: Iterable[Story]) -> dict[Path, Treatment]:
    """Each photo the stories use (front-matter and body images), by resolved path. A photo two
    stories share is blurred if either protects someone, and takes the first focal point given."""
    table: dict[Path, Treatment] = {}
    for story in stories:
        for path in dict.fromkeys([*story.images, *story.body_images.values()]):
            key = path.resolve()
            known = table.get(key, NONE)
            table[key] = Treatment(known.focus or story.focus.get(path),
                                   known.blur_faces or story.meta.blurs_faces)
    return table


@contextlib.contextmanager
def applying(stories: Iterable[Story]) -> Iterator[None]:
    """Treat the stories' photos as their front matter says inside the ``with`` block."""
    token = _active.set(of_stories(stories))
    try:
        yield
    finally:
        _active.reset(token)


def of(path: Path) -> Treatment:
    """How the photo at ``path`` is treated in the rendition under way (untouched outside one)."""
    table = _active.get()
    return NONE if table is None else table.get(path.resolve(), NONE)
