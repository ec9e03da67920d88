"""``dir`` target: a folder (a USB stick, a network share). Files appear atomically (written
aside, renamed into place), then a marker listing each file's SHA-256; old LED loops the publisher
delivered there (per the ledger) are pruned, and only folders holding that marker."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import shutil
import uuid
from pathlib import Path

from publisher import atomic
from publisher.config import DirTarget
from publisher.i18n import _
from publisher.publish.queue import Delivery
from publisher.publish.targets.base import (
    MARKER,
    DeliveryError,
    destination,
    file_hash,
    marker_files,
    marker_hashes,
    relative_path,
    source_files,
)

log = logging.getLogger("publisher")


class FolderTarget:
    idempotent = True

    def __init__(self, name: str, settings: DirTarget, site: Path):
        self.name, self.settings = name, settings
        root = Path(settings.path).expanduser()
        self.root = root if root.is_absolute() else site / root

    def deliver(self, delivery: Delivery) -> str:
        try:
            folder = self.root / relative_path(destination(delivery))
            names = [(source, relative_path(name)) for source, name in source_files(delivery)]
        except ValueError as exc:
            raise DeliveryError(f"{self.root}: {exc}") from exc
        marker = folder / MARKER
        held = _read_marker(marker)
        files = marker_files(held)
        placed = 0
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for stale in folder.rglob(".tmp-*"):  # left by an interrupted copy
                stale.unlink(missing_ok=True)
            for source, name in names:
                digest = file_hash(source)
                final = folder / name
                if _hash_or_none(final) != digest:  # what is there decides: a copy that arrived before
                    _place(source, final)  # an interruption is not made twice, a changed one always is
                    placed += 1
                files[name] = digest
            if not placed and marker_hashes(held)[-1:] == [delivery.hash]:
                return _("already there")
            held = {"hashes": marker_hashes(held, delivery.hash), "files": files, "key": delivery.key,
                    "delivered_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
            atomic.write_text(marker, json.dumps(held, ensure_ascii=False, indent=2))
        except OSError as exc:
            raise DeliveryError(f"{self.root}: {exc.strerror or exc}") from exc
        if not placed:
            return _("already there")
        return _("{sent} of {count} files to {place}").format(sent=placed, count=len(names), place=folder)

    def notify(self, title: str, text: str) -> bool:
        return False

    def prune(self, destinations: list[str]) -> list[str]:
        """Remove these delivered folders, each only if it holds the marker, and in it only the files
        the marker lists (a file a person added keeps the folder). Returns the folders removed."""
        removed = []
        for place in destinations:
            try:
                folder = self.root / relative_path(place)
            except ValueError as exc:
                log.warning(_("{target}: not pruned: {error}").format(target=self.name, error=exc))
                continue
            if not atomic.confined(self.root, folder) or not (folder / MARKER).is_file():
                continue  # not a folder the publisher delivered (or already pruned)
            try:
                _remove_delivered(folder)
            except OSError as exc:
                log.warning(_("{target}: could not prune {folder}: {error}").format(target=self.name, folder=folder,
                                                                                   error=exc))
                continue
            if folder.exists():
                log.warning(_("{target}: kept {folder}: it holds files the publisher did not deliver").format(
                    target=self.name, folder=folder))
            else:
                removed.append(place)
        return removed


def _remove_delivered(folder: Path) -> None:
    """Delete the files the marker lists, temporary files, the marker last, then empty folders."""
    names = []
    for name in marker_files(_read_marker(folder / MARKER)):
        try:
            parts = relative_path(name).split("/")
        except ValueError:
            continue
        if atomic.confined(folder, folder.joinpath(*parts).parent):
            names.append(name)  # never through a link to somewhere else
    for name in names:
        path = folder / name
        if path.is_symlink() or path.is_file():
            path.unlink()
    for stale in folder.rglob(".tmp-*"):
        if stale.is_symlink() or stale.is_file():
            stale.unlink()
    (folder / MARKER).unlink()
    parents = {folder.joinpath(*name.split("/")[:n]) for name in names for n in range(1, name.count("/") + 1)}
    for path in [*sorted(parents, key=lambda p: len(p.parts), reverse=True), folder]:
        with contextlib.suppress(OSError):  # not empty: someone else's files are in it
            path.rmdir()


def _place(source: Path, final: Path) -> None:
    """Copy ``source`` to ``final`` atomically: written aside, flushed, renamed into place."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = final.with_name(f".tmp-{uuid.uuid4().hex[:8]}-{final.name}")
    shutil.copyfile(source, temp)
    with temp.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temp, final)


def _hash_or_none(path: Path) -> str | None:
    try:
        return file_hash(path) if path.is_file() else None
    except OSError:
        return None


def _read_marker(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
