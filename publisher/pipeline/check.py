"""``publisher check``: everything the build would refuse, found without rendering."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from publisher.config import SiteConfig
from publisher.content.story import Story
from publisher.errors import ConfigError, ContentError, Diagnostic, PublisherError
from publisher.i18n import _, ngettext
from publisher.pipeline.readcache import remembered_digests
from publisher.pipeline.reader import read_site, story_files
from publisher.render import fonts, inputs, treatment
from publisher.render.channel import RenderContext, channels
from publisher.sourcepos import shown_path, toml_key_line


def drawn_config_problems(site: Path, config: SiteConfig) -> list[Diagnostic]:
    """Text from config.toml that would be drawn with a character the font lacks (an LED idle
    slide, an account name on every card): an error at its key, before anything renders."""
    path = site / "config.toml"
    text = path.read_text(encoding="utf-8")
    found: list[tuple[tuple, str, str]] = [(("name",), config.name, config.language)]
    for name, channel in config.channels.items():
        found += [(keys, value, config.language_of(name)) for keys, value in channel.drawn_texts(name) if value]
    problems = []
    for keys, value, language in found:
        missing = fonts.missing_glyphs(value, language)
        if missing:
            line, col = toml_key_line(text, keys)
            problems.append(Diagnostic(str(path), line, col, _(
                "{key}: the font has no glyph for {char!r} (U+{code:04X}); it would be drawn as an empty "
                "box").format(key=".".join(str(k) for k in keys), char=missing[0], code=ord(missing[0]))))
    return problems


def check_site(site: Path, config: SiteConfig) -> tuple[list[Diagnostic], list[Diagnostic], int]:
    """Return (errors, warnings, number of stories read)."""
    with remembered_digests(site, config):
        return _check_site(site, config)


def _check_site(site: Path, config: SiteConfig) -> tuple[list[Diagnostic], list[Diagnostic], int]:
    drawn = drawn_config_problems(site, config)
    if drawn:
        raise ConfigError(*drawn)
    stories, problems = read_site(site, config)
    errors = [d for d in problems if d.severity == "error"]
    warnings: list[Diagnostic] = [d for d in problems if d.severity != "error"]
    warnings += [w for story in stories for w in story.warnings]
    protected = treatment.protected_photos(stories)
    warnings += protected_photo_warnings(stories, protected)
    warnings += unheard_keep_alive(site, config)
    today = dt.datetime.now(ZoneInfo(config.timezone)).date()
    for name, channel in channels(config).items():
        errors += channel.site_problems(stories, site)
        for unit in channel.plan(stories, today, drafts=True):
            ctx = RenderContext(site, config, unit, name, folder=Path("/nonexistent"))
            try:
                with treatment.applying(unit.stories, protected):
                    channel.check(ctx)
            except ContentError as exc:
                errors += exc.diagnostics
            except PublisherError as exc:
                errors.append(Diagnostic(unit.shown_path, 1, 1, str(exc)))
            warnings += ctx.warnings
    return errors, warnings, len(story_files(site))


def unheard_keep_alive(site: Path, config: SiteConfig) -> list[Diagnostic]:
    """A warning for each account posted by hand from slots whose keep-alive notice (silent for
    ``quiet_days - keep_alive_days``) would reach nobody: no ``notify``, or a target that carries no
    messages (a folder, an FTP server)."""
    path = site / "config.toml"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    found = []
    for name, channel in channels(config).items():
        if not channel.posted_by_hand or not channel.settings.slots:
            continue
        notify = config.channels[name].notify
        target = config.targets.get(notify)
        if target is not None and target.type == "webhook":
            continue
        line, col = toml_key_line(text, ("channels", name, "notify") if notify else ("channels", name))
        found.append(Diagnostic(shown_path(path), line, col, _(
            "{channel} is posted by hand but its silence reminder reaches nobody: set notify to a webhook "
            "target (a WeCom or DingTalk robot) in [channels.{channel}]").format(channel=name), "warning"))
    return found


def protected_photo_warnings(stories: list[Story], protected: treatment.Protected) -> list[Diagnostic]:
    """A warning for each photo whose faces are blurred (its story, or another story showing it,
    names a victim or a minor), with the number of faces found: the detector misses faces turned
    away and some small ones, so a person must look at every such photo."""
    found = []
    for story in stories:
        places = [(path, story.position("images", index)) for index, path in enumerate(story.images)]
        places += [(path, story.locate(src)) for src, path in story.body_images.items()]
        seen: set[Path] = set()
        for path, (line, col) in places:
            if path in seen or not (story.meta.blurs_faces or protected.stories_protecting(path)):
                continue
            seen.add(path)
            count = len(inputs.faces_in(path, thoroughly=True))
            if count:
                message = ngettext(
                    "{count} face was found in {image} and is blurred, a photo of a victim or a minor: look at the "
                    "photo yourself for any face left unblurred",
                    "{count} faces were found in {image} and are blurred, a photo of a victim or a minor: look at "
                    "the photo yourself for any face left unblurred", count).format(count=count, image=path.name)
            else:
                message = _("no face was found in {image}, a photo of a story that names a victim or a minor: look at "
                            "it yourself; a face the program missed is published unblurred").format(image=path.name)
            found.append(Diagnostic(shown_path(story.path), line, col, message, "warning"))
    return found
