"""Jinja2 templates: package defaults, overridden file by file from the site's templates/.

Lookup is Hugo/Pelican style: ``<site>/templates/weibo/post.txt.j2`` replaces the packaged
``weibo/post.txt.j2``. Undefined variables are errors naming the template and line.
"""

from __future__ import annotations

import hashlib
import traceback
from functools import lru_cache
from pathlib import Path

import jinja2

from publisher import labels
from publisher.errors import TemplateError

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SHARED = "_shared"


@lru_cache(maxsize=16)
def environment(site: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([
            jinja2.FileSystemLoader(str(site / "templates")),
            jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES)),
        ]),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2", "htm"),
                                            default_for_string=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["topic"] = lambda name: f"#{name}#"
    env.filters["cn_date"] = lambda d: f"{d.year}年{d.month}月{d.day}日"
    env.filters["review_zh"] = labels.review
    env.filters["reason_zh"] = labels.reason
    return env


def render(site: Path, name: str, /, **context: object) -> str:
    """Render template ``name`` with ``context``; failures become TemplateError."""
    env = environment(site)
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or name}:{exc.lineno}: template error: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        where = _template_frame(exc, name)
        raise TemplateError(f"{where}: template error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template {exc.name!r} not found in the site's templates/ or the defaults") from None


def _template_frame(exc: BaseException, fallback: str) -> str:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".j2", ".html", ".txt")):
            return f"{frame.filename}:{frame.lineno}"
    return fallback


def fingerprint(site: Path, folder: str) -> str:
    """Hash of every template a channel can load: its folder and the shared folder, in the
    site and in the package. A template edit changes it; nothing else does."""
    digest = hashlib.sha256()
    for root in (site / "templates", PACKAGE_TEMPLATES):
        for sub in (folder, SHARED):
            base = root / sub
            if not base.is_dir():
                continue
            for path in sorted(base.rglob("*")):
                if path.is_file():
                    digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
