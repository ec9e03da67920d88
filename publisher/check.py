"""``publisher check``: everything the build would refuse, found without rendering."""

from __future__ import annotations

from pathlib import Path

from publisher.config import SiteConfig
from publisher.content.reader import read_site, story_files
from publisher.errors import ContentError, Diagnostic, PublisherError
from publisher.render import channels as registry
from publisher.render.base import RenderContext


def check_site(site: Path, config: SiteConfig) -> tuple[list[Diagnostic], list[Diagnostic], int]:
    """Return (errors, warnings, number of stories read)."""
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
