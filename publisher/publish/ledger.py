"""The ledger: one SQLite file inside the site that remembers what people and the publisher did.

Review decisions (三审) live here, and deliveries (the publisher). SQLite gives atomic
claims and survives crashes; WAL mode lets the preview read while the daemon writes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from publisher.config import SiteConfig

SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY,
    story TEXT NOT NULL,
    stage TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    reviewer TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_story ON reviews (story, id);
"""


def path_of(site: Path, config: SiteConfig) -> Path:
    return site / config.safety.ledger


def connect(site: Path, config: SiteConfig, create: bool = True) -> sqlite3.Connection | None:
    """Open (and create) the ledger. With ``create=False`` a missing ledger gives None."""
    path = path_of(site, config)
    if not path.exists():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.executescript(SCHEMA)
    return connection
