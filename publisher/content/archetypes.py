"""``publisher new``: a story scaffolded from an archetype, every field present and commented.

Archetypes ship in the package; ``<site>/templates/archetypes/KIND.md`` overrides one.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import yaml
from jinja2.sandbox import SandboxedEnvironment

from publisher.config import SiteConfig
from publisher.content import slugs
from publisher.errors import PublisherError
from publisher.i18n import _

PACKAGE_ARCHETYPES = Path(__file__).resolve().parent.parent / "archetypes"


def scaffold(site: Path, config: SiteConfig, kind: str, title: str, slug: str | None = None, *,
             spelled_from: str | None = None) -> Path:
    """Write the new story and return its path. Never overwrites an existing story.

    Without ``slug`` the file name is ``spelled_from`` in pinyin: the title without the names and
    numbers of people in it (:func:`publisher.safety.file_names.title_for_slug`), since a story's
    file name is its id in every output. Defaults to the title."""
    if not title.strip():
        raise PublisherError(_("the title is empty"))
    today = dt.datetime.now(ZoneInfo(config.timezone)).date()
    section = site / "content" / config.section_for(kind)  # type: ignore[arg-type]
    slug = slug or _default_slug(title if spelled_from is None else spelled_from, today, section)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_\-]*", slug):
        raise PublisherError(_("slug {slug!r}: use letters, digits, '-' and '_' (it becomes a file name)").format(
            slug=slug))
    path = section / f"{slug}.md"
    if path.exists() or (section / slug).exists():
        raise PublisherError(_("{path} already exists").format(path=path))
    source = site / "templates" / "archetypes" / f"{kind}.md"
    if not source.is_file() or not source.resolve().is_relative_to((site / "templates").resolve()):
        source = PACKAGE_ARCHETYPES / f"{kind}.md"
    # Sandboxed like every site template: an archetype is the site's file, not the program's code.
    try:
        text = SandboxedEnvironment(keep_trailing_newline=True).from_string(source.read_text(encoding="utf-8")).render(
            title=_quoted_inside(title), date=today.isoformat())
    except jinja2.TemplateError as exc:
        raise PublisherError(_("{path}: the archetype template fails: {error}").format(
            path=source, error=exc)) from None
    if not section.resolve().is_relative_to((site / "content").resolve()):
        raise PublisherError(_("{section} leads outside the site's content/; refused").format(section=section))
    section.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # never overwrites, even a story made meanwhile
        handle.write(text)
    return path


def _quoted_inside(title: str) -> str:
    """The title as the inside of a YAML double-quoted string (archetypes write ``title: "{{ title }}"``),
    escaped by the YAML dumper: a backslash (``C:\\用户``), a quote or a control character stays the title."""
    return yaml.safe_dump(title, default_style='"', allow_unicode=True, width=float("inf")).strip()[1:-1]


def _default_slug(title: str, today: dt.date, section: Path) -> str:
    """The title in pinyin (the date when nothing in it can be spelled), made unique with -2, -3…"""
    spelled = slugs.from_title(title)
    base = spelled if len(spelled) >= 3 else today.strftime("%Y%m%d")
    slug, number = base, 1
    while (section / f"{slug}.md").exists() or (section / slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug
