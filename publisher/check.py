"""``publisher check``: everything the build would refuse, found without rendering."""

from __future__ import annotations

from pathlib import Path

from publisher.config import SiteConfig
from publisher.content.reader import read_site, story_files
from publisher.errors import ConfigError, ContentError, Diagnostic, PublisherError
from publisher.i18n import _
from publisher.render import channels as registry
from publisher.render import fonts
from publisher.render.base import RenderContext
from publisher.sourcepos import toml_key_line

DRAWN_SETTINGS = ("account", "idle_text", "ticker_separator", "end_lines")
"""Channel settings that image and video renderers draw with the bundled font."""


def drawn_config_problems(site: Path, config: SiteConfig) -> list[Diagnostic]:
    """Text from config.toml that would be drawn with a character the font lacks (an LED idle
    slide, an account name on every card): an error at its key, before anything renders."""
    path = site / "config.toml"
    text = path.read_text(encoding="utf-8")
    found: list[tuple[tuple[str, ...], str, str]] = [(("name",), config.name, config.language)]
    for name, channel in config.channels.items():
        settings = channel.model_dump()
        for key in DRAWN_SETTINGS:
            values = settings.get(key)
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, str) and value:
                    found.append((("channels", name, key), value, config.language_of(name)))
    problems = []
    for keys, value, language in found:
        missing = fonts.missing_glyphs(value, language)
        if missing:
            line, col = toml_key_line(text, keys)
            problems.append(Diagnostic(str(path), line, col, _(
                "{key}: the font has no glyph for {char!r} (U+{code:04X}); it would be drawn as an empty "
                "box").format(key=".".join(keys), char=missing[0], code=ord(missing[0]))))
    return problems


def check_site(site: Path, config: SiteConfig) -> tuple[list[Diagnostic], list[Diagnostic], int]:
    """Return (errors, warnings, number of stories read)."""
    drawn = drawn_config_problems(site, config)
    if drawn:
        raise ConfigError(*drawn)
    stories, problems = read_site(site, config)
    errors = [d for d in problems if d.severity == "error"]
    warnings: list[Diagnostic] = [d for d in problems if d.severity != "error"]
    warnings += [w for story in stories for w in story.warnings]
    for story in stories:
        for channel in story.channels:
            module = registry.module_for(config.channels[channel].type)
            checker = getattr(module, "check", None)
            if checker is None:
                continue
            ctx = RenderContext(site, config, story, channel, folder=Path("/nonexistent"))
            try:
                checker(ctx)
            except ContentError as exc:
                errors += exc.diagnostics
            except PublisherError as exc:
                errors.append(Diagnostic(story.rel_path, 1, 1, str(exc)))
            warnings += ctx.warnings
    return errors, warnings, len(story_files(site))
