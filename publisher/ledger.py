"""The ledger: one SQLite file inside the site that remembers what people and the publisher did.

Review decisions (三审) live here, reviewers' accounts and sessions for reviewing in the browser,
the audit trail (sign-ins and decisions), and deliveries (the publisher). SQLite gives atomic
claims and survives crashes; WAL mode lets the preview read while the daemon writes.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from publisher.config import SiteConfig
from publisher.errors import PublisherError
from publisher.i18n import _

SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY,
    story TEXT NOT NULL,
    stage TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject', 'withdraw')),
    reviewer TEXT NOT NULL,
    os_user TEXT NOT NULL DEFAULT '',
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
        CHECK (state IN ('scheduled', 'claimed', 'delivered', 'failed', 'unconfirmed', 'missed', 'held')),
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

CREATE TABLE IF NOT EXISTS posts (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    story TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    os_user TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL,
    UNIQUE (channel, story, url)
);
CREATE INDEX IF NOT EXISTS posts_channel ON posts (channel, posted_at);

CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    stages TEXT NOT NULL,
    password TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    changed_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    csrf TEXT NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    seen REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user);

CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    user TEXT NOT NULL DEFAULT '',
    story TEXT NOT NULL DEFAULT '',
    stage TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    os_user TEXT NOT NULL DEFAULT '',
    via TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT ''
);
"""


SCHEMA_VERSION = 2
"""``PRAGMA user_version`` of a ledger this release writes; older ledgers are migrated on open.
Version 2 adds ``posts`` (what a person confirmed posting by hand, ``publisher posted``) and the
review server's ``users``, ``sessions`` and ``audit`` (past decisions are copied into the audit)."""
TABLES = ("reviews", "deliveries", "jobs", "posts", "users", "sessions", "audit")

# Version 0 (the first release) could not record withdrawals, the reviewer's operating-system
# account or held deliveries. SQLite cannot change a CHECK constraint, so the tables are rebuilt.
_MIGRATE_0_TO_1 = """
DROP INDEX IF EXISTS reviews_story;
DROP INDEX IF EXISTS deliveries_due;
ALTER TABLE reviews RENAME TO reviews_v0;
ALTER TABLE deliveries RENAME TO deliveries_v0;
""" + SCHEMA + """
INSERT INTO reviews (id, story, stage, decision, reviewer, note, content_hash, at)
    SELECT id, story, stage, decision, reviewer, note, content_hash, at FROM reviews_v0;
INSERT INTO deliveries SELECT * FROM deliveries_v0;
DROP TABLE reviews_v0;
DROP TABLE deliveries_v0;
"""

# Version 2 adds reviewers' accounts (signing in to review in the browser), their sessions, and the
# audit trail of sign-ins and decisions; the decisions made before are copied into the trail.
# (``sessions.token`` and ``users.password`` hold only hashes: a copy of the ledger signs nobody in.)
_COPY_DECISIONS_TO_AUDIT = """
INSERT INTO audit (at, event, user, story, stage, content_hash, os_user, via, note)
    SELECT at, decision, reviewer, story, stage, content_hash, os_user, 'cli', note FROM reviews ORDER BY id;
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
    try:
        connection = sqlite3.connect(path, timeout=30)
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        _migrate(connection)
        problem = connection.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise sqlite3.DatabaseError(f"damaged: {problem}")
    except sqlite3.DatabaseError as exc:
        raise LedgerError(_("{path} cannot be used as the ledger ({error}). Restore the last backup "
                            "(publisher backup; see README, 'The ledger') or move the file aside to start a new "
                            "ledger (review decisions and deliveries would then be forgotten)").format(
            path=path, error=exc)) from None
    return connection


def backup(site: Path, config: SiteConfig, destination: Path) -> Path:
    """A consistent copy of the ledger, taken with SQLite's online backup while the daemon may be
    writing. ``destination`` is a file, or a folder that gets ``ledger-<time>.sqlite``."""
    import datetime as dt

    source = connect(site, config, create=False)
    if source is None:
        raise LedgerError(_("there is no ledger yet at {path}").format(path=path_of(site, config)))
    if destination.is_dir():
        destination = destination / f"ledger-{dt.datetime.now():%Y%m%d-%H%M%S}.sqlite"
    if destination.exists() or destination.is_symlink():
        source.close()
        raise LedgerError(_("{path} exists; give a new file name or a folder (a backup never overwrites)").format(
            path=destination))
    if not destination.parent.is_dir():
        source.close()
        raise LedgerError(_("folder {path} does not exist; create it first").format(path=destination.parent))
    temp = destination.with_name(f".tmp-{destination.name}")
    try:
        target = sqlite3.connect(temp)
        with target:
            source.backup(target)
        target.close()
        os.link(temp, destination)  # never replaces a file that appeared meanwhile
    except (sqlite3.Error, OSError) as exc:
        raise LedgerError(_("could not write the backup to {path}: {error}").format(
            path=destination, error=exc)) from None
    finally:
        source.close()
        temp.unlink(missing_ok=True)
    return destination


def _migrate(connection: sqlite3.Connection) -> None:
    marks = ", ".join("?" * len(TABLES))
    tables = connection.execute(f"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",
                                TABLES).fetchone()[0]
    if connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION and tables == len(TABLES):
        return
    level, connection.isolation_level = connection.isolation_level, None
    try:
        connection.execute("BEGIN IMMEDIATE")  # one process migrates; the others wait, then see it done
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            connection.execute("ROLLBACK")
            raise LedgerError(_("the ledger was written by a newer publisher (schema {version}, this one knows "
                                "{known}); upgrade publisher").format(version=version, known=SCHEMA_VERSION))
        if version == SCHEMA_VERSION:  # marked current but tables are missing: make them
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    connection.execute(statement)
        if version < SCHEMA_VERSION:
            old = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reviews'").fetchone()
            # Version 0 rebuilds its tables; the schema then makes any table still missing (version
            # 1 to 2 only adds tables), and decisions made before the audit existed are copied into it.
            script = (_MIGRATE_0_TO_1 if old and version == 0 else "") + ";" + SCHEMA
            if old:
                script += ";" + _COPY_DECISIONS_TO_AUDIT
            for statement in script.split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    finally:
        connection.isolation_level = level


class LedgerError(PublisherError):
    """The ledger cannot be used as it is."""
