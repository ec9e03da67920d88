"""Delivery targets: a folder (USB stick, share), an FTP server, a webhook robot."""

from __future__ import annotations

from pathlib import Path

from publisher.config import SiteConfig
from publisher.publish.targets.base import (
    MARKER,
    DeliveryError,
    Target,
    UnknownOutcome,
    destination,
    expired_loops,
    file_hash,
    marker_files,
    marker_hashes,
    relative_path,
    source_files,
)
from publisher.publish.targets.folder import FolderTarget
from publisher.publish.targets.ftp import FtpTarget
from publisher.publish.targets.webhook import WebhookTarget

KINDS: dict[str, type[Target]] = {"dir": FolderTarget, "ftp": FtpTarget, "webhook": WebhookTarget}

__all__ = [
    "KINDS", "MARKER", "DeliveryError", "FolderTarget", "FtpTarget", "Target", "UnknownOutcome",
    "WebhookTarget", "build", "destination", "expired_loops", "file_hash", "marker_files", "marker_hashes",
    "relative_path", "source_files",
]


def build(name: str, site: Path, config: SiteConfig) -> Target:
    settings = config.targets[name]
    return KINDS[settings.type](name, settings, site)
