"""What line breaking keeps whole besides words: the site's own terms and the names a story declares.

The site's terms are in ``terms.txt`` at the site's root, one a line (``#`` starts a comment):
五进五民, 情指中心, 谢家集. A rendition that reads the file records it, so adding a term renders
again what it may change.
"""

from __future__ import annotations

from pathlib import Path

from publisher.content.story import Story
from publisher.render import inputs
from publisher.safety.people import hidden_people, kept_names, masked_name

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
    """The names a story declares, as they are published: officers and consented names as
    written, everyone else masked (王某)."""
    names = [*kept_names(story.meta), *(masked_name(name) for name in hidden_people(story.meta))]
    return [name for name in names if len(name) > 1]


def unit_terms(site: Path, stories: list[Story], convert=None) -> list[str]:
    """Everything a rendition of ``stories`` keeps whole (``convert``: also as the channel writes
    it, e.g. in Traditional characters)."""
    terms = [*site_terms(site), *(term for story in stories for term in story_terms(story))]
    return terms + [converted for term in terms if (converted := convert(term)) != term] if convert else terms
