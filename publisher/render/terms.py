"""What line breaking keeps whole besides words: the site's own terms and the names a story declares.

The site's terms are in ``terms.txt`` at the site's root, one a line (``#`` starts a comment):
五进五民, 情指中心, 谢家集. A rendition that reads the file records it, so adding a term renders
again what it may change.
"""

from __future__ import annotations

from pathlib import Path

from publisher.content.story import Story
from publisher.render import inputs

FILE = "terms.txt"


def site_terms(site: Path) -> list[str]:
    """The terms of ``site/terms.txt`` (none when the file is missing)."""
    path = site / FILE
    inputs.record(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [term for raw in text.splitlines() if (term := raw.split("#", 1)[0].strip())]


def story_terms(story: Story) -> list[str]:
    """The names a story declares, as they are published: officers by name, everyone else
    masked (王某) — the story's front matter already holds the masked forms."""
    names = [person.name for person in story.meta.people]
    if story.meta.officer:
        names.append(story.meta.officer.name)
    return [name.strip() for name in names if len(name.strip()) > 1]


def unit_terms(site: Path, stories: list[Story]) -> list[str]:
    """Everything a rendition of ``stories`` keeps whole."""
    return [*site_terms(site), *(term for story in stories for term in story_terms(story))]
