"""Every file a rendition reads, recorded as it is read (Lektor's dependency recording).

A renderer never lists its inputs. While a rendition renders, a :class:`Recorder` is active;
the places that open files (:func:`open_image`, :func:`use` for audio and other media, the
Jinja loader in :mod:`publisher.render.templates`, the font loader) record each file here. The
build stores what was recorded in the manifest, so "is this rendition current?" is a look at
those files, never a list written by hand, and the rendition's identity is their hash.

Keys are site-relative paths (``content/deeds/x.md``, ``templates/weibo/post.txt.j2``) with the
file's SHA-256, or ``absent`` for a file that was looked for and not found (a site template
that would override a packaged one). Files that come with the install (packaged templates, the
font) are keyed ``package:…`` and identified by the installed version, not hashed on every run.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from publisher import __version__, fingerprints
from publisher.content.hashing import file_hash

if TYPE_CHECKING:
    from PIL import Image

ABSENT = "absent"
PACKAGE = "package:"

_active: ContextVar[Recorder | None] = ContextVar("publisher_inputs", default=None)


@dataclass
class Recorder:
    site: Path
    files: dict[str, str] = field(default_factory=dict)

    def record(self, path: Path) -> None:
        key = self.key(path)
        if key is not None and key not in self.files:
            self.files[key] = file_hash(path) if path.is_file() else ABSENT

    def record_package(self, name: str, distribution: str = "publisher") -> None:
        self.files.setdefault(f"{PACKAGE}{distribution}:{name}", installed_version(distribution))

    def key(self, path: Path) -> str | None:
        try:
            return path.resolve().relative_to(self.site.resolve()).as_posix()
        except ValueError:
            return None  # outside the site: only the program's own files, recorded by name


@contextlib.contextmanager
def recording(site: Path) -> Iterator[Recorder]:
    """Record every input read inside the ``with`` block."""
    recorder = Recorder(site)
    token = _active.set(recorder)
    try:
        yield recorder
    finally:
        _active.reset(token)


def record(path: Path) -> None:
    """Note that the active rendition read (or looked for) ``path``."""
    recorder = _active.get()
    if recorder is not None:
        recorder.record(path)


def record_package(name: str, distribution: str = "publisher") -> None:
    """Note a file that comes with an installed distribution (identified by its version)."""
    recorder = _active.get()
    if recorder is not None:
        recorder.record_package(name, distribution)


def use(path: Path) -> Path:
    """Record a file that a library will open by its path (audio, video); returns it."""
    record(path)
    return path


def open_image(path: Path) -> Image.Image:
    """A photo as every renderer needs it: recorded, upright (EXIF orientation applied), RGB,
    loaded into memory and without any of the file's metadata (EXIF, GPS, XMP)."""
    from PIL import Image, ImageOps

    record(path)
    with Image.open(path) as source:
        upright = ImageOps.exif_transpose(source)
        image = _to_rgb(upright)
    image.info.clear()
    return image


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit grayscale: scale to 8 bits (convert("RGB") would clip it to white).
        image = image.point(lambda value: value / 256).convert("L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        from PIL import Image

        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def current(files: dict[str, str], site: Path) -> bool:
    """True when every recorded input still has the digest it had."""
    store = fingerprints.active()
    root = str(site)
    for key, digest in files.items():
        if key.startswith(PACKAGE):
            if digest != installed_version(key.removeprefix(PACKAGE).split(":", 1)[0]):
                return False
            continue
        if store is not None:  # a build: strings and the run's store (a thousand renditions, a few files each)
            now = store.digest(os.path.join(root, key))
        else:
            path = site / key
            now = file_hash(path) if path.is_file() else ABSENT
        if now != digest:
            return False
    return True


@functools.cache
def installed_version(distribution: str) -> str:
    if distribution == "publisher":
        return __version__
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"

