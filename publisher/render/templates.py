"""Jinja2 templates: package defaults, overridden file by file from the site's templates/.

Lookup is Hugo/Pelican style: ``<site>/templates/weibo/post.txt.j2`` replaces the packaged
``weibo/post.txt.j2``. Undefined variables are errors naming the template and line.
"""

from __future__ import annotations

import traceback
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from publisher.errors import TemplateError
from publisher.i18n import _
from publisher.render import inputs

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class _ConfinedLoader(jinja2.FileSystemLoader):
    """Loads templates only from inside its folder: a symbolic link that leads out of it (to the
    file system's root, to another project) is refused, not followed."""

    def get_source(self, environment: jinja2.Environment, template: str):
        source, filename, uptodate = super().get_source(environment, template)
        # The folder itself is not resolved: templates/ that is a link out of the site is refused too.
        root = Path(self.searchpath[0]).parent.resolve() / Path(self.searchpath[0]).name
        if not Path(filename).resolve().is_relative_to(root):
            raise TemplateOutside(template, root)
        return source, filename, uptodate


class TemplateOutside(jinja2.TemplateError):
    def __init__(self, name: str, root: Path):
        super().__init__(_("template {name!r} is a link that leads outside {root}; refused").format(name=name,
                                                                                                    root=root))


class _RecordingEnvironment(SandboxedEnvironment):
    """Records every template a rendition loads, including through ``include`` and ``extends``,
    and the site override it looked for when a packaged default was used (adding the override
    later must render the rendition again). Sandboxed: a site template reaches the values it is
    given, never Python's internals (``lipsum.__globals__``, ``__class__``) or the file system."""

    site: Path

    def _load_template(self, name, globals):  # type: ignore[override]
        override = self.site / "templates" / name
        inputs.record(override)  # found or absent (one of several candidates): adding it renders again
        template = super()._load_template(name, globals)
        if override.is_file() and template.filename != str(override) and self.cache is not None:
            # An override added since the default was cached (``serve``, tests): Jinja's cache only
            # checks the file it loaded, so it would keep serving the default.
            self.cache.clear()
            template = super()._load_template(name, globals)
        if not (template.filename and Path(template.filename).resolve() == override.resolve()):
            inputs.record_package(f"templates/{name}")
        return template


@lru_cache(maxsize=16)
def environment(site: Path) -> jinja2.Environment:
    env = _RecordingEnvironment(
        loader=jinja2.ChoiceLoader([
            _ConfinedLoader(str(site / "templates")),
            jinja2.FileSystemLoader(str(PACKAGE_TEMPLATES)),
        ]),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2", "htm"),
                                            default_for_string=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.site = site
    env.filters["topic"] = lambda name: f"#{name}#"
    env.filters["cn_date"] = lambda d: f"{d.year}年{d.month}月{d.day}日"
    return env


def render(site: Path, name: str | list[str], /, **context: object) -> str:
    """Render template ``name`` (or the first of several names that exists) with ``context``;
    failures become TemplateError."""
    env = environment(site)
    try:
        return env.get_or_select_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or name}:{exc.lineno}: " + _("template error: {message}").format(
            message=exc.message)) from None
    except jinja2.UndefinedError as exc:
        where = _template_frame(exc, name)
        raise TemplateError(f"{where}: " + _("template error: {message}").format(message=exc.message)) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(_("template {name!r} not found in the site's templates/ or the defaults").format(
            name=exc.name)) from None
    except TemplateOutside as exc:
        raise TemplateError(str(exc)) from None


def _template_frame(exc: BaseException, fallback: str) -> str:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".j2", ".html", ".txt")):
            return f"{frame.filename}:{frame.lineno}"
    return fallback
