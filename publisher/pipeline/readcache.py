"""What reading each story produced, kept from one run to the next.

Reading a story (front matter, masking, Markdown, wording, glyph checks, images) is most of a
build that renders nothing. So each story read cleanly is kept in the site's
``.publisher/cache/stories.pickle`` with every file its reading looked at: the story file, and
each place an image or audio file was looked for (found, with where it led, or absent: a photo
put beside a story later must win over the one under ``assets/``). The next run uses the kept
story only when each of those files has the same digest (:mod:`publisher.fingerprints`: known
from size, mtime, inode and ctime, hashed again when any changed).

The whole cache is for one reading of the site: the program (its files and the installed
libraries), config.toml, the wording list, the language of the messages and the folder the
command runs from (diagnostics show paths from there). Any change there and every story is read
again. Stories with errors are never kept: they are read again each time, and say so each time.
A damaged cache file is ignored; the cache is only ever written inside the site's ``.publisher``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from publisher import __version__, atomic, fingerprints
from publisher.config import SiteConfig
from publisher.content.story import Story

NAME = "stories.pickle"
DIGESTS = "digests.pickle"
_FORMAT = 1

Probe = tuple[str, str, str]
"""A path reading looked at, where it led (its real path) and its digest (or ``absent``)."""

_probes: ContextVar[list[Probe] | None] = ContextVar("publisher_read_probes", default=None)


def probe(path: Path) -> None:
    """Note that reading the current story looked at ``path`` (found or not)."""
    found = _probes.get()
    if found is not None:
        found.append(_state(str(path)))


@contextlib.contextmanager
def probing() -> Iterator[list[Probe]]:
    """Collect every :func:`probe` made inside the block."""
    found: list[Probe] = []
    token = _probes.set(found)
    try:
        yield found
    finally:
        _probes.reset(token)


def _state(name: str) -> Probe:
    store = fingerprints.active()
    digest = store.digest(name) if store is not None else _digest(name)
    return name, os.path.realpath(name), digest


def _digest(name: str) -> str:
    try:
        return fingerprints.sha256_of(name) if os.path.isfile(name) else fingerprints.ABSENT
    except OSError:
        return fingerprints.ABSENT


def cache_folder(site: Path, config: SiteConfig) -> Path:
    """The program's cache folder in the site (beside the ledger, in ``.publisher``)."""
    return (site / config.safety.ledger).parent / "cache"


def remembered_digests(site: Path, config: SiteConfig):
    """Files' digests kept between runs for this site (a context manager, see :mod:`publisher.fingerprints`)."""
    return fingerprints.remembered(cache_folder(site, config) / DIGESTS)


class ReadCache:
    """The kept stories of one site, for one reading of it (see the module's docstring)."""

    def __init__(self, site: Path, config: SiteConfig):
        self.path = cache_folder(site, config) / NAME
        self.key = _reading_key(site, config)
        self._entries: dict[str, tuple[tuple[Probe, ...], dict]] = {}
        self._changed = False
        with contextlib.suppress(Exception):  # missing, truncated, foreign: every story is read afresh
            key, entries = _Loader(io.BytesIO(self.path.read_bytes())).load()
            if key == self.key and isinstance(entries, dict):
                self._entries = entries
        self._seen: set[str] = set()

    def story(self, story_id: str, path: Path) -> Story | None:
        """The kept story, when every file its reading looked at is as it was."""
        self._seen.add(story_id)
        entry = self._entries.get(story_id)
        if entry is None:
            return None
        probes, state = entry
        if not probes or probes[0][0] != os.path.abspath(path) or any(_state(p[0]) != p for p in probes):
            return None
        story = Story.__new__(Story)
        story.__dict__.update(state)
        return story

    def keep(self, story: Story, probes: list[Probe]) -> None:
        state = dict(story.__dict__)
        state.pop("_content_hash", None)  # worked out from files' digests when needed, never kept
        self._entries[story.id] = (tuple(probes), state)
        self._changed = True

    def forget(self, story_id: str) -> None:
        self._seen.add(story_id)
        if self._entries.pop(story_id, None) is not None:
            self._changed = True

    def save(self) -> None:
        """Write the cache if it changed (stories no longer in the site are dropped)."""
        gone = set(self._entries) - self._seen
        for story_id in gone:
            del self._entries[story_id]
        if not (self._changed or gone):
            return
        # A read-only site still builds; so does one whose story holds a value pickle cannot take.
        with contextlib.suppress(OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic.write_bytes(self.path, pickle.dumps((self.key, self._entries), protocol=pickle.HIGHEST_PROTOCOL))


_ALLOWED = {("pathlib", "PosixPath"), ("pathlib", "WindowsPath"), ("datetime", "date"), ("datetime", "datetime"),
            ("datetime", "time"), ("datetime", "timedelta"), ("datetime", "timezone"),
            ("publisher.content.markup", "Section"), ("publisher.content.markup", "Rendered"),
            ("publisher.content.frontmatter", "Parsed"), ("publisher.errors", "Diagnostic")}
"""Everything a kept story is made of besides the story model's own classes, and nothing else."""


def _story_model_class(module: str, name: str) -> bool:
    """``Story`` and the front matter's models (``FrontMatter``, ``Person``, ``ImageEntry``…): a part
    added to the model is kept without being listed here (a class left off made every build read
    every story again, silently)."""
    if module != "publisher.content.story":
        return False
    from pydantic import BaseModel

    from publisher.content import story

    found = getattr(story, name, None)
    return isinstance(found, type) and found.__module__ == module and (
        found is story.Story or issubclass(found, BaseModel))


class _Loader(pickle.Unpickler):
    """Loads only the classes a kept story is made of (a file planted in the cache can call no
    function: not ``os.system``, nor one of the program's own that writes a file)."""

    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED or _story_model_class(module, name):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the read cache")


def _reading_key(site: Path, config: SiteConfig) -> str:
    from publisher.i18n import language
    from publisher.render import fonts
    from publisher.safety import wording

    digest = hashlib.sha256(f"{_FORMAT}\0{__version__}\0{language()}\0{os.getcwd()}\0{site}\0".encode())
    digest.update(_program_state().encode())
    for path in (site / "config.toml", site / config.safety.wording, wording.PACKAGED, site / "terms.txt"):
        digest.update(f"\0{path}\0{_state(str(path))}".encode())
    digest.update(f"\0{fonts.COVERAGE_TABLE.stat().st_mtime_ns}\0".encode())
    digest.update(config.model_dump_json().encode())
    return digest.hexdigest()


@cache
def _program_state() -> str:
    """The program as installed: each of its files (size and time) and the folders libraries are
    installed in (installing or upgrading one changes its folder)."""
    root = Path(__file__).resolve().parent.parent
    parts = [sys.version]
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".py", ".mo", ".toml", ".json", ".txt")):
                stat = os.stat(os.path.join(dirpath, name))
                parts.append(f"{dirpath}/{name}:{stat.st_size}:{stat.st_mtime_ns}")
    for entry in sys.path:
        with contextlib.suppress(OSError):
            if entry and os.path.isdir(entry) and entry.endswith("-packages"):
                parts.append(f"{entry}:{os.stat(entry).st_mtime_ns}")
    return "\n".join(parts)
