"""Content hashes: what a story is made of, for the build cache, the ledger and the review."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from publisher import fingerprints
from publisher.content.story import Story


@lru_cache(maxsize=4096)
def _file_hash(path: Path, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_hash(path: Path) -> str:
    """SHA-256 of a file, computed again only when its size or modification time changes (and,
    while a build's store is active, its inode or ctime: see :mod:`publisher.fingerprints`)."""
    store = fingerprints.active()
    if store is not None and path.is_file():
        return store.digest(path)
    stat = path.stat()
    return _file_hash(path, stat.st_mtime_ns, stat.st_size)


def fresh_hash(path: Path) -> str:
    """SHA-256 of a file read now, trusting no cache (for checks at the moment of delivery: an
    edit that keeps a file's size and time must still be seen)."""
    return _file_hash.__wrapped__(path, 0, 0)


def content_hash(story: Story) -> str:
    """The story file and every file it uses (images, voice, music, images in the body) wherever
    each was found: what reviewers approve, and the story's part of every rendition's identity."""
    known = story.__dict__.get("_content_hash")
    if known is not None:  # a Story is read once and never changes: worked out once per read
        return known
    digest = hashlib.sha256(story.source_hash.encode())
    for path in story.files:
        try:
            shown = path.relative_to(story.site).as_posix()
        except ValueError:
            shown = str(path)
        digest.update(f"\0{shown}\0{file_hash(path)}".encode())
    story.__dict__["_content_hash"] = digest.hexdigest()
    return story.__dict__["_content_hash"]
