"""Content-addressed artifacts that several renditions share, made once.

Two channels that would make the same file (the same clip for Douyin and Kuaishou) ask for it
by a key that hashes everything it is made from. The first maker writes it under an exclusive
lock into ``<out>/.shared/``; everyone else waits for that lock and reuses the file. Each
rendition gets a hard link in its own folder, so its files stay self-contained (batches copy
them, targets deliver them) at no cost in time or disk. The build prunes artifacts no rendition
links to any more (:func:`prune`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from publisher import atomic

FOLDER = ".shared"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with atomic.open_own(path, "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def shared(out: Path, key: str, suffix: str, make: Callable[[Path], None]) -> tuple[Path, bool]:
    """The artifact ``key``: (its path, whether this call made it). ``make(path)`` writes it."""
    folder = out / FOLDER
    folder.mkdir(exist_ok=True)
    final = folder / f"{key}{suffix}"
    with _locked(folder / f"{key}.lock"):
        if final.is_file():
            return final, False
        temp = folder / atomic.temp_name(final.name)
        try:
            make(temp)
            os.replace(temp, final)
        finally:
            temp.unlink(missing_ok=True)
    return final, True


def receive(out: Path, name: str, data: bytes) -> Path:
    """Keep an artifact made elsewhere (by a cluster worker) under its name ``KEY.SUFFIX``, unless
    this output already holds it (the same key is the same file)."""
    key, dot, suffix = name.partition(".")
    path, _made = shared(out, key, dot + suffix, lambda temp: temp.write_bytes(data))
    return path


def link(artifact: Path, destination: Path) -> None:
    """Put ``artifact`` into a rendition folder (a hard link; a copy where links are not possible)."""
    destination.unlink(missing_ok=True)
    try:
        os.link(artifact, destination)
    except OSError:
        shutil.copyfile(artifact, destination)


def prune(out: Path) -> None:
    """Remove artifacts that no rendition links to any more (and their lock files)."""
    folder = out / FOLDER
    if not atomic.confined(out, folder) or not folder.is_dir():
        return
    files = [path for path in folder.iterdir() if path.is_file() and not path.is_symlink()]
    linked: set[str] = set()
    for path in files:
        if path.suffix == ".lock":
            continue
        if path.stat().st_nlink <= 1:
            path.unlink(missing_ok=True)
        else:
            linked.add(path.stem)
    for path in files:  # a lock outlives its artifact (unlinked now, or a failed make that never wrote one)
        if path.suffix == ".lock" and path.stem not in linked:
            path.unlink(missing_ok=True)
