"""Where the stories are: every story file under ``content/``, by id."""

from __future__ import annotations

from pathlib import Path


def story_files(site: Path) -> list[tuple[str, Path]]:
    """(id, path) of every story under ``site/content``, sorted by id. Both ``x.md`` and
    ``x/index.md`` are listed when both exist (:func:`read_site` reports the clash)."""
    root = site / "content"
    found: dict[tuple[str, str], Path] = {}
    if not root.is_dir():
        return []
    for section in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        for entry in sorted(section.iterdir()):
            if entry.name.startswith((".", "_")):
                continue
            if entry.is_file() and entry.suffix == ".md":
                found[(f"{section.name}/{entry.stem}", "file")] = entry
            elif entry.is_dir() and (entry / "index.md").is_file():
                found[(f"{section.name}/{entry.name}", "bundle")] = entry / "index.md"
    return [(story_id, path) for (story_id, _kind), path in sorted(found.items())]
