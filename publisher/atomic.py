"""Atomic writes: a file or a whole folder appears complete or not at all.

Everything publisher writes for people goes through here, so an interrupted run never
leaves a half-written file where a user (or a screen's player) would pick it up.

Temporary files and staging folders are named ``.tmp-<pid>-<random>-<name>``: the program
deletes a leftover only when it has that shape and the process that made it is gone, so a
user's own ``.tmp-notes.txt`` is never touched, and one build never sweeps away another's work.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from publisher.i18n import N_, _

TEMP_PREFIX = ".tmp-"
_OWNED = re.compile(r"^\.tmp-(\d+)-[0-9a-z_]{8}-")
_UMASK = os.umask(0)
os.umask(_UMASK)
_FILE_MODE = 0o666 & ~_UMASK
STALE_DEPTH = 4
"""How deep below an output folder leftovers are looked for (renditions sit at depth 3)."""


def temp_name(name: str, owner: int | None = None) -> str:
    """A name for a temporary sibling of ``name`` that marks it as the process ``owner``'s own
    (default: this process)."""
    return f"{TEMP_PREFIX}{owner or os.getpid()}-{uuid.uuid4().hex[:8]}-{name}"


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=f"-{path.name}"[:64], dir=path.parent)
    try:
        os.fchmod(fd, _FILE_MODE)  # mkstemp makes 0600; people and web servers must read outputs
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


def confined(root: Path, path: Path) -> bool:
    """True when ``path`` lies inside ``root`` with no symbolic link on the way (a link planted in
    an output folder must not make the program write, move or delete anywhere else)."""
    try:
        relative = path.relative_to(root)
    except ValueError:
        return False
    current = root
    for part in relative.parts:
        if part in ("..", ""):
            return False
        current = current / part
        if current.is_symlink():
            return False
    return True


def open_own(path: Path, mode: str = "a+") -> IO[str]:
    """Open a file of the program's own (a lock, a journal) without following a link planted in
    its place (a link would make it write into the file the link points at)."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | (os.O_APPEND if "a" in mode else 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, _("a symbolic link stands where publisher keeps its own file; remove it"),
                          str(path)) from None
        raise
    return os.fdopen(fd, mode, encoding="utf-8")


def new_stage(final: Path, owner: int | None = None) -> Path:
    """An empty hidden folder beside ``final`` to render into; :func:`replace_folder` swaps it in."""
    final.parent.mkdir(parents=True, exist_ok=True)
    stage = final.parent / temp_name(final.name, owner)
    stage.mkdir()
    return stage


@contextmanager
def output_lock(folder: Path) -> Iterator[None]:
    """One writer per output folder at a time. A second writer waits, saying who holds it.
    Re-entrant within a process (a preview builds, then writes its pages under the same lock)."""
    key = folder.resolve()
    key.mkdir(parents=True, exist_ok=True)
    with _exclusive(key, key / LOCK, N_("{folder} is in use by PID {pid} (another build, preview or publish); "
                                        "waiting for it…")):
        yield


@contextmanager
def replacement_lock(final: Path) -> Iterator[None]:
    """One writer at a time of a folder that is replaced whole (:func:`staged_folder`: a report's
    period folder): the lock file sits beside it, hidden, since the folder itself is swapped away.
    A second writer waits, saying who holds it."""
    key = final.resolve()
    key.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(key, key.parent / f".{key.name}.lock", N_("{folder} is being written by PID {pid}; "
                                                                "waiting for it…")):
        yield


@contextmanager
def _exclusive(key: Path, lock: Path, waiting: str) -> Iterator[None]:
    if key in _locks:
        _locks[key][1] += 1
        try:
            yield
        finally:
            _locks[key][1] -= 1
        return
    handle = open_own(lock)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            print(_(waiting).format(folder=shown(key), pid=holder), file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        _locks[key] = [handle, 1]
        try:
            yield
        finally:
            del _locks[key]
    finally:
        handle.close()  # closing releases the lock


LOCK = ".publisher.lock"
_locks: dict[Path, list] = {}


def shown(path: Path) -> str:
    try:
        return f"{path.relative_to(Path.cwd())}/"
    except ValueError:
        return f"{path}/"


@contextmanager
def staged_folder(final: Path) -> Iterator[Path]:
    """Yield an empty hidden folder beside ``final``; on success it replaces ``final``.

    On failure the staging folder is removed and ``final`` is left as it was.
    """
    stage = new_stage(final)
    try:
        yield stage
        replace_folder(stage, final)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def replace_folder(source: Path, final: Path) -> None:
    """Move ``source`` to ``final``, replacing what was there with two renames."""
    if final.exists():
        old = final.parent / temp_name(f"old-{final.name}")
        os.replace(final, old)
        os.replace(source, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(source, final)


def remove_stale(root: Path, depth: int = STALE_DEPTH) -> list[Path]:
    """Delete leftovers of interrupted runs under ``root``: only entries named the way this
    program names its temporary files whose process is gone, at most ``depth`` folders down,
    never following symbolic links. Returns what was removed."""
    removed: list[Path] = []
    if not root.is_dir() or root.is_symlink():
        return removed
    try:
        entries = list(os.scandir(root))
    except OSError:
        return removed
    for entry in entries:
        match = _OWNED.match(entry.name)
        if match:
            if not _alive(int(match.group(1))):
                path = Path(entry.path)
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.append(path)
        elif depth > 1 and entry.is_dir(follow_symlinks=False):
            removed += remove_stale(Path(entry.path), depth - 1)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid < 2**31  # someone else's process (or a PID that cannot exist)
    return True
