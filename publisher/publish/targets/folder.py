"""``dir`` target: a folder (a USB stick, a network share). Files appear atomically (written
aside, renamed into place), then a manifest; old LED loops are pruned."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from pathlib import Path

from publisher.config import DirTarget
from publisher.publish.queue import Delivery
from publisher.publish.targets import MARKER, DeliveryError, destination, source_files


class FolderTarget:
    idempotent = True

    def __init__(self, name: str, settings: DirTarget, site: Path):
        self.name, self.settings = name, settings
        root = Path(settings.path).expanduser()
        self.root = root if root.is_absolute() else site / root

    def deliver(self, delivery: Delivery) -> str:
        folder = self.root / destination(delivery)
        marker = folder / MARKER
        held = _read_marker(marker)
        if delivery.hash in held.get("hashes", []):
            return "already there"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for stale in folder.rglob(".tmp-*"):  # left by an interrupted copy
                stale.unlink(missing_ok=True)
            for source, name in source_files(delivery):
                final = folder / name
                if _same(source, final):
                    continue  # already delivered before an interruption: never copied twice
                final.parent.mkdir(parents=True, exist_ok=True)
                temp = final.with_name(f".tmp-{uuid.uuid4().hex[:8]}-{final.name}")
                shutil.copyfile(source, temp)
                with temp.open("rb") as handle:
                    os.fsync(handle.fileno())
                os.replace(temp, final)
            held = {"hashes": [*held.get("hashes", []), delivery.hash][-20:],
                    "files": delivery.payload.get("files", []), "key": delivery.key,
                    "delivered_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
            temp = marker.with_name(f".tmp-{uuid.uuid4().hex[:8]}{MARKER}")
            temp.write_text(json.dumps(held, ensure_ascii=False, indent=2), encoding="utf-8")
            os.replace(temp, marker)
        except OSError as exc:
            raise DeliveryError(f"{self.root}: {exc.strerror or exc}") from exc
        return f"{len(delivery.payload.get('files', []))} files to {folder}"

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


def _same(source: Path, final: Path) -> bool:
    try:
        return final.stat().st_size == source.stat().st_size and final.read_bytes() == source.read_bytes()
    except OSError:
        return False


def _read_marker(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
