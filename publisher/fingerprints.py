"""Files' SHA-256 digests remembered from one run to the next.

A digest is trusted while the file's (size, mtime_ns, inode) are what they were, and its ctime
too: ctime changes with every write and cannot be set back, so an edit that keeps the size and
restores the modification time is still seen. When any of them changed the file is hashed
again (a ``touch`` costs one hash, and changes nothing). Without an active store (the daemon's
gate, a test calling a function on its own) nothing is remembered across runs.

The store is one small file in the site's ``.publisher/cache/``; a damaged or foreign one is
ignored and written afresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat as modes
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from publisher import atomic

ABSENT = "absent"
"""The digest of a path that is not a regular file (missing, a folder)."""

_FORMAT = 1
_active: ContextVar[Digests | None] = ContextVar("publisher_fingerprints", default=None)


def sha256_of(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Digests:
    """Digests by absolute path, each with the file state it was computed for."""

    def __init__(self, store: Path | None = None):
        self.store = store
        self._known: dict[str, tuple[int, int, int, int, str]] = {}
        self._this_run: dict[str, str] = {}
        """Digests already looked at in this run: a template every rendition read is looked at once."""
        self._changed = False
        if store is not None:
            with contextlib.suppress(Exception):  # missing, truncated, from another version: start afresh
                data = pickle.loads(store.read_bytes())
                if isinstance(data, tuple) and len(data) == 2 and data[0] == _FORMAT and isinstance(data[1], dict):
                    self._known = data[1]

    def digest(self, path: Path | str) -> str:
        """SHA-256 of the file now (``absent`` when it is not a regular file)."""
        name = os.path.abspath(path)
        seen = self._this_run.get(name)
        if seen is not None:
            return seen
        value = self._digest(name)
        self._this_run[name] = value
        return value

    def _digest(self, name: str) -> str:
        try:
            now = os.stat(name)
        except (OSError, ValueError):
            return ABSENT
        if not modes.S_ISREG(now.st_mode):
            return ABSENT
        state = (now.st_size, now.st_mtime_ns, now.st_ino, now.st_ctime_ns)
        known = self._known.get(name)
        if known is not None and known[:4] == state:
            return known[4]
        try:
            value = sha256_of(name)
        except OSError:
            return ABSENT
        self._known[name] = (*state, value)
        self._changed = True
        return value

    def save(self) -> None:
        """Write the store when something new was learnt (quietly skipped where it cannot be)."""
        if self.store is None or not self._changed:
            return
        with contextlib.suppress(OSError):
            self.store.parent.mkdir(parents=True, exist_ok=True)
            atomic.write_bytes(self.store, pickle.dumps((_FORMAT, self._known), protocol=pickle.HIGHEST_PROTOCOL))
            self._changed = False


@contextlib.contextmanager
def remembered(store: Path | None) -> Iterator[Digests]:
    """Digests inside the ``with`` block go through the store at ``store`` (saved at the end); a
    store already active (a build inside ``preview``) is used as it is."""
    current = _active.get()
    if current is not None:
        yield current
        return
    digests = Digests(store)
    token = _active.set(digests)
    try:
        yield digests
    finally:
        _active.reset(token)
        digests.save()


def active() -> Digests | None:
    """The store of the run, if one is active."""
    return _active.get()
