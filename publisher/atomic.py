"""Atomic writes: a file or a whole folder appears complete or not at all.

Everything publisher writes for people goes through here, so an interrupted run never
leaves a half-written file where a user (or a screen's player) would pick it up.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TEMP_PREFIX = ".tmp-"


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


@contextmanager
def staged_folder(final: Path) -> Iterator[Path]:
    """Yield an empty hidden folder beside ``final``; on success it replaces ``final``.

    On failure the staging folder is removed and ``final`` is left as it was.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    stage = final.parent / f"{TEMP_PREFIX}{final.name}-{uuid.uuid4().hex[:8]}"
    stage.mkdir()
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    replace_folder(stage, final)


def replace_folder(source: Path, final: Path) -> None:
    """Move ``source`` to ``final``, replacing what was there with two renames."""
    if final.exists():
        old = final.parent / f"{TEMP_PREFIX}old-{final.name}-{uuid.uuid4().hex[:8]}"
        os.replace(final, old)
        os.replace(source, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(source, final)


def remove_stale(root: Path) -> None:
    """Delete staging leftovers of an interrupted run under ``root``."""
    if not root.is_dir():
        return
    for path in root.rglob(f"{TEMP_PREFIX}*"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
