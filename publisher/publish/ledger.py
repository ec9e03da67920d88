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

CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    key TEXT NOT NULL,
    hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    due_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'scheduled'
        CHECK (state IN ('scheduled', 'claimed', 'delivered', 'failed', 'unconfirmed', 'missed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try_at TEXT,
    claimed_at TEXT,
    delivered_at TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    payload TEXT NOT NULL,
    UNIQUE (channel, target, key, hash)
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, due_at);

CREATE TABLE IF NOT EXISTS jobs (
    name TEXT PRIMARY KEY,
    last_run TEXT NOT NULL
);
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
    connection = sqlite3.connect(path, timeout=30)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.executescript(SCHEMA)
    connection.commit()
    return connection
