"""``dir`` target: a folder (a USB stick, a network share). Files appear atomically (written
aside, renamed into place), then a manifest; old LED loops are pruned."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from pathlib import Path

from publisher import atomic
from publisher.config import DirTarget
from publisher.publish.queue import Delivery
from publisher.publish.targets import (
    MARKER,
    DeliveryError,
    destination,
    file_hash,
    marker_files,
    marker_hashes,
    relative_path,
    source_files,
)


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
                return "already there"
            held = {"hashes": marker_hashes(held, delivery.hash), "files": files, "key": delivery.key,
                    "delivered_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
            atomic.write_text(marker, json.dumps(held, ensure_ascii=False, indent=2))
        except OSError as exc:
            raise DeliveryError(f"{self.root}: {exc.strerror or exc}") from exc
        if not placed:
            return "already there"
        return f"{placed} of {len(names)} files to {folder}"

    def notify(self, title: str, text: str) -> None:
        return None

    def prune(self, today: dt.date) -> list[str]:
        """Delete ``<screen>/<date>`` folders older than ``keep_days``."""
        removed = []
        if not self.root.is_dir():
            return removed
        cutoff = today - dt.timedelta(days=self.settings.keep_days)
        for screen in self.root.iterdir():
            if not screen.is_dir():
                continue
            for day in screen.iterdir():
                try:
                    date = dt.date.fromisoformat(day.name)
                except ValueError:
                    continue
                if date < cutoff:
                    shutil.rmtree(day, ignore_errors=True)
                    removed.append(str(day))
        return removed


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
