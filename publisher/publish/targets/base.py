"""Delivery targets: one module per kind. Adding one (a vendor LED API, SFTP) is adding a module
with a class like these and an entry in :data:`KINDS`.

A target either delivers, raises :class:`DeliveryError` (it did not arrive: retry later), or
raises :class:`UnknownOutcome` (it may have arrived: never retried, a person resolves it).
``idempotent`` targets can safely redo a delivery interrupted by a crash.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path
from typing import Protocol

from publisher.content.hashing import fresh_hash
from publisher.i18n import _
from publisher.publish import queue
from publisher.publish.queue import Delivery

MARKER = ".publisher-delivered.json"
"""Kept in each delivered folder: ``{"hashes": [delivery hashes], "files": {name: sha256}}``, what the
target last received, so a redo after a crash skips what arrived and a changed file is always sent.
Only folders holding it are ever pruned."""


class DeliveryError(Exception):
    """The delivery did not happen; it may be retried."""


class UnknownOutcome(Exception):
    """The delivery may or may not have happened; it must not be retried automatically."""


class Target(Protocol):
    name: str
    idempotent: bool

    def deliver(self, delivery: Delivery) -> str:
        """Deliver; return a short note for the log (e.g. "already there")."""

    def notify(self, title: str, text: str) -> bool:
        """Tell people something (only message targets do; others ignore it). True when it was sent;
        never raises (a notice never blocks a delivery)."""

    def prune(self, destinations: list[str]) -> list[str]:
        """Remove these delivered folders (relative, as :func:`destination` gives them), each only if it
        holds :data:`MARKER`, and only the files the publisher put there; return the ones removed."""


def destination(delivery: Delivery) -> str:
    """Folder for a delivery inside a target: ``<screen>/<date>`` for loops, ``<channel>/<week>/<post>`` for posts."""
    return delivery.payload.get("destination") or f"{delivery.channel}/{delivery.key}"


def source_files(delivery: Delivery) -> list[tuple[Path, str]]:
    """(local file, name inside the destination) for every file of a delivery."""
    folder = Path(delivery.payload["folder"])
    return [(folder / name, name) for name in delivery.payload.get("files", [])]


_DRIVE = re.compile(r"^[A-Za-z]:")
_LOOP_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def relative_path(text: str) -> str:
    """``text`` if it is a plain relative path inside a target (``square/2021-04-20``); ValueError for
    an absolute path, a drive, ``..`` or ``.``, an empty part, a backslash or a control character."""
    if not isinstance(text, str) or not text:
        raise ValueError(_("not a relative path: {path!r}").format(path=text))
    if text.startswith("/") or "\\" in text or _DRIVE.match(text) or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValueError(_("not a relative path: {path!r}").format(path=text))
    if any(part in ("", ".", "..") for part in text.split("/")):
        raise ValueError(_("not a relative path: {path!r}").format(path=text))
    return text


def file_hash(path: Path) -> str:
    """SHA-256 of a file's content read now (what decides whether a target already has it; never
    the size, never a cached value)."""
    return fresh_hash(path)


def marker_files(held: dict) -> dict[str, str]:
    """{name: sha256} of a marker; markers written before hashes were kept list names only (hash "")."""
    files = held.get("files") if isinstance(held, dict) else None
    if isinstance(files, dict):
        return {str(k): str(v) for k, v in files.items()}
    if isinstance(files, list):
        return {str(name): "" for name in files}
    return {}


def marker_hashes(held: dict, add: str = "") -> list[str]:
    """The delivery hashes a marker lists (last 20), with ``add`` moved to the end."""
    hashes = held.get("hashes") if isinstance(held, dict) else None
    hashes = [h for h in hashes if isinstance(h, str) and h != add] if isinstance(hashes, list) else []
    return ([*hashes, add] if add else hashes)[-20:]


def expired_loops(ledger: sqlite3.Connection, target: Target, today: dt.date) -> list[str]:
    """Destinations of LED loops this target received (per the ledger) whose day is more than the
    target's ``keep_days`` before ``today``. Targets without ``keep_days`` (webhooks) keep nothing: []."""
    keep = getattr(getattr(target, "settings", None), "keep_days", None)
    if keep is None:
        return []
    cutoff = today - dt.timedelta(days=keep)
    old = []
    for place in queue.delivered_destinations(ledger, target.name, "loop"):
        day = place.rsplit("/", 1)[-1]
        try:
            if _LOOP_DAY.match(day) and dt.date.fromisoformat(day) < cutoff:
                old.append(place)
        except ValueError:
            continue
    return old
