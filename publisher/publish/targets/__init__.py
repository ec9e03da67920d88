"""Delivery targets: one module per kind. Adding one (a vendor LED API, SFTP) is adding a module
with a class like these and an entry in :data:`KINDS`.

A target either delivers, raises :class:`DeliveryError` (it did not arrive: retry later), or
raises :class:`UnknownOutcome` (it may have arrived: never retried, a person resolves it).
``idempotent`` targets can safely redo a delivery interrupted by a crash.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Protocol

from publisher.config import SiteConfig
from publisher.publish.queue import Delivery

MARKER = ".publisher-delivered.json"
"""Kept in each delivered folder: which content hashes it holds, so a redo after a crash skips."""


class DeliveryError(Exception):
    """The delivery did not happen; it may be retried."""


class UnknownOutcome(Exception):
    """The delivery may or may not have happened; it must not be retried automatically."""


class Target(Protocol):
    name: str
    idempotent: bool

    def deliver(self, delivery: Delivery) -> str:
        """Deliver; return a short note for the log (e.g. "already there")."""

    def notify(self, title: str, text: str) -> None:
        """Tell people something (only message targets do; others ignore it)."""

    def prune(self, today: dt.date) -> list[str]:
        """Remove old LED loops; return what was removed."""


def destination(delivery: Delivery) -> str:
    """Folder for a delivery inside a target: ``<screen>/<date>`` for loops, ``<channel>/<week>/<post>`` for posts."""
    return delivery.payload.get("destination") or f"{delivery.channel}/{delivery.key}"


def source_files(delivery: Delivery) -> list[tuple[Path, str]]:
    """(local file, name inside the destination) for every file of a delivery."""
    folder = Path(delivery.payload["folder"])
    return [(folder / name, name) for name in delivery.payload.get("files", [])]


def build(name: str, site: Path, config: SiteConfig) -> Target:
    settings = config.targets[name]
    return KINDS[settings.type](name, settings, site)


def _kinds() -> dict[str, type]:
    from publisher.publish.targets.folder import FolderTarget
    from publisher.publish.targets.ftp import FtpTarget
    from publisher.publish.targets.webhook import WebhookTarget

    return {"dir": FolderTarget, "ftp": FtpTarget, "webhook": WebhookTarget}


class _Kinds(dict):
    def __missing__(self, key: str) -> type:
        self.update(_kinds())
        return dict.__getitem__(self, key)


KINDS: dict[str, type] = _Kinds()
