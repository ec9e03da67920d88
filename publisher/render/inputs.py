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
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from publisher import __version__, fingerprints
from publisher.content.hashing import file_hash
from publisher.render import treatment
from publisher.render.region import Region

if TYPE_CHECKING:
    from PIL import Image

ABSENT = "absent"
PACKAGE = "package:"
PACKAGE_ROOT = Path(__file__).resolve().parents[1]
"""The installed ``publisher`` package: files under it are recorded by name and version."""

_active: ContextVar[Recorder | None] = ContextVar("publisher_inputs", default=None)


@dataclass
class Recorder:
    site: Path
    files: dict[str, str] = field(default_factory=dict)

    def record(self, path: Path) -> None:
        packaged = packaged_name(path)
        if packaged is not None:  # a file that ships with publisher (the music bed): by version
            self.record_package(packaged)
            return
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


def packaged_name(path: Path) -> str | None:
    """``assets/music/calm-bed.m4a`` for a file inside the installed publisher package, else None."""
    try:
        return path.resolve().relative_to(PACKAGE_ROOT).as_posix()
    except ValueError:
        return None


def use(path: Path) -> Path:
    """Record a file that a library will open by its path (audio, video); returns it."""
    record(path)
    return path


def open_image(path: Path) -> Image.Image:
    """A photo as every renderer needs it: recorded, upright (EXIF orientation applied), RGB,
    loaded into memory and without any of the file's metadata (EXIF, GPS, XMP); with every face
    blurred when the rendition's story protects someone (:mod:`publisher.render.treatment`)."""
    record(path)
    image = _upright(path)
    if treatment.of(path).blur_faces:
        from publisher.render import faces

        image = faces.blur(image, faces_in(path, thoroughly=True))
    return image


def faces_in(path: Path, thoroughly: bool = False) -> list[Region]:
    """The faces found in the photo at ``path`` (as taken, never blurred); ``thoroughly`` also
    searches it enlarged, for small faces (a protected photo's)."""
    from publisher.render import faces

    return analysis(path, faces.find_thoroughly if thoroughly else faces.find, faces.DISTRIBUTION)


T = TypeVar("T")
_ANALYSES: dict[tuple[str, str], object] = {}
_ANALYSES_KEPT = 512


def analysis(path: Path, analyse: Callable[[Image.Image], T], distribution: str = "publisher") -> T:
    """What ``analyse`` finds in the photo at ``path`` (upright, as taken), worked out once per
    content: remembered by the file's SHA-256, never by its name. The photo and the version of
    the ``distribution`` that does the finding are recorded, so a new detector renders again."""
    record(path)
    record_package(f"{analyse.__module__}.{analyse.__qualname__}", distribution)
    key = (f"{analyse.__module__}.{analyse.__qualname__}", file_hash(path))
    if key not in _ANALYSES:
        if len(_ANALYSES) >= _ANALYSES_KEPT:
            _ANALYSES.pop(next(iter(_ANALYSES)))
        _ANALYSES[key] = analyse(_upright(path))
    return _ANALYSES[key]  # type: ignore[return-value]


def _upright(path: Path) -> Image.Image:
    from PIL import Image, ImageOps

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
    return changed(files, site) is None


def changed(files: dict[str, str], site: Path) -> str | None:
    """The first recorded input whose digest is not the one recorded (None: all as recorded)."""
    store = fingerprints.active()
    root = str(site)
    for key, digest in files.items():
        if key.startswith(PACKAGE):
            if digest != installed_version(key.removeprefix(PACKAGE).split(":", 1)[0]):
                return key
            continue
        if store is not None:  # a build: strings and the run's store (a thousand renditions, a few files each)
            now = store.digest(os.path.join(root, key))
        else:
            path = site / key
            now = file_hash(path) if path.is_file() else ABSENT
        if now != digest:
            return key
    return None


@functools.cache
def installed_version(distribution: str) -> str:
    if distribution == "publisher":
        return __version__
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"

