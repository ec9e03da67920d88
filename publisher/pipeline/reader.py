"""Find story files under content/ and turn each into a validated Story.

A story is ``content/<section>/<slug>.md`` or a bundle ``content/<section>/<slug>/index.md``
with its images beside it. Every problem becomes a Diagnostic at ``path:line:col``; a bad
story is left out and the others go on.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import hashlib
import os
import re
import unicodedata
from pathlib import Path

from pydantic import ValidationError

from publisher.config import SiteConfig
from publisher.content import frontmatter
from publisher.content.files import story_files
from publisher.content.frontmatter import comma_hint
from publisher.content.story import ALIASES, FrontMatter, Story
from publisher.errors import ContentError, Diagnostic
from publisher.i18n import N_, _
from publisher.pipeline import readcache
from publisher.render import fonts
from publisher.render.channel import channels as configured_channels
from publisher.safety import file_names, guard, names, wording
from publisher.safety.people import masked_name
from publisher.sourcepos import line_col, shown_path
from publisher.validation import describe, first_per_place

_BIDI_CONTROLS = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp"}
AUDIO_SUFFIXES = {".m4a", ".mp3", ".wav", ".aac", ".ogg", ".flac", ".amr", ".opus"}


MAX_STORY_BYTES = 2_000_000
"""A story is text (about 600,000 Chinese characters at this size); anything larger is a mistake."""


def read_site(site: Path, config: SiteConfig) -> tuple[list[Story], list[Diagnostic]]:
    """Every valid story, and the diagnostics of those that failed (errors, and their warnings)."""
    site = site.resolve()
    stories: list[Story] = []
    problems: list[Diagnostic] = []
    files = story_files(site)
    ids = collections.Counter(story_id for story_id, _path in files)
    kept = readcache.ReadCache(site, config)
    for story_id, path in files:
        if ids[story_id] > 1:
            other = next(p for i, p in files if i == story_id and p != path)
            problems.append(Diagnostic(shown_path(path), 1, 1, _(
                "two stories have the id {id}: this file and {other}; rename or remove one").format(
                id=story_id, other=shown_path(other))))
            kept.forget(story_id)
            continue
        story = kept.story(story_id, path)
        if story is None:
            try:
                with readcache.probing() as looked_at:
                    readcache.probe(Path(os.path.abspath(path)))
                    story = read_story(site, story_id, path, config)
            except ContentError as exc:
                problems.extend(exc.diagnostics)
                kept.forget(story_id)
                continue
            kept.keep(story, looked_at)
        stories.append(story)
    kept.save()
    return stories, problems


def read_story(site: Path, story_id: str, path: Path, config: SiteConfig, raw: bytes | None = None) -> Story:
    """Parse and validate one story. Raises ContentError with every problem found.

    ``raw`` is the story file's text as it was at another time (the copy a reviewer approved), read
    as if it were at ``path`` now: its images and media are found beside it."""
    # Absolute, so that everything derived from the story (its content hash above all) is the same
    # whether the site was given as ".", as a relative path or as an absolute one.
    site, path = site.resolve(), Path(os.path.abspath(path))
    shown = shown_path(path)
    if any(not ch.isprintable() or unicodedata.bidirectional(ch) in _BIDI_CONTROLS for ch in story_id):
        raise ContentError.at(shown, _("the file name holds a line break, an invisible or a direction-changing "
                                       "character; rename the file with letters, digits, - and _"))
    try:
        size = path.stat().st_size if raw is None else len(raw)
    except OSError:
        size = 0
    if size > MAX_STORY_BYTES:
        raise ContentError.at(shown, _("the story file is {size:.1f} MB; a story is at most {most:.0f} MB of text "
                                       "(images and audio go beside it as files)").format(
            size=size / 1e6, most=MAX_STORY_BYTES / 1e6))
    if not path.resolve().is_relative_to(site.resolve()):
        raise ContentError.at(shown, _("this story is a link to a file outside the site; only files inside the "
                                       "site are read (copy the story into content/)"))
    try:
        raw = path.read_bytes() if raw is None else raw
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError.at(shown, _("not UTF-8 text (byte {byte}); save the file as UTF-8").format(
            byte=exc.start)) from None
    except OSError as exc:
        raise ContentError.at(shown, _("cannot read: {reason}").format(reason=exc.strerror)) from None
    try:
        parsed = frontmatter.parse(text)
    except frontmatter.FrontMatterError as exc:
        raise ContentError.at(shown, exc.message, exc.line, exc.col) from None
    try:
        meta = FrontMatter.model_validate(parsed.meta)
    except ValidationError as exc:
        raise ContentError(*_field_errors(shown, parsed, exc)) from None

    # Masking happens here, once: everything downstream sees only the masked story.
    cache = (site / config.safety.ledger).parent / "cache" / "screen"
    meta, masked_body, problems = guard.screen_cached(cache, text, meta, parsed.body, shown, config.safety.id_mask)
    parsed = dataclasses.replace(parsed, body=masked_body)
    warnings: list[Diagnostic] = _undeclared_people(text, meta, shown)
    problems += _identifying_file_name(story_id, meta, parsed, shown)
    meta = _without_raw_values(meta)
    for finding in wording.check(text, site, config, shown):
        (problems if finding.severity == "error" else warnings).append(finding)
    channels = meta.channels if meta.channels is not None else config.channels_for(meta.kind)
    for index, name in enumerate(channels):
        if name not in config.channels:
            line, col = parsed.position("channels", index)
            known = ", ".join(config.channels) or _("none configured")
            problems.append(Diagnostic(shown, line, col, _("unknown channel {name!r} (known: {known})").format(
                name=name, known=known) + comma_hint(name)))
    images, focus = [], {}
    for index, entry in enumerate(meta.images):
        line, col = parsed.position("images", index, "src")
        try:
            images.append(resolve_image(site, path.parent, entry.src))
            if entry.focus is not None:
                focus.setdefault(images[-1], entry.focus)
        except ValueError as exc:
            problems.append(Diagnostic(shown, line, col, str(exc)))
    media: dict[str, list[Path]] = {}
    voices = [meta.voice] if isinstance(meta.voice, str) else list(meta.voice or [])
    for key, wanted in (("voice", voices), ("music", [meta.music] if meta.music else [])):
        for index, name in enumerate(wanted):
            where = (key, index) if isinstance(getattr(meta, key), list) else (key,)
            try:
                media.setdefault(key, []).append(resolve_file(site, path.parent, name, AUDIO_SUFFIXES, "audio"))
            except ValueError as exc:
                line, col = parsed.position(*where)
                problems.append(Diagnostic(shown, line, col, str(exc)))
    story = Story(id=story_id, path=path, site=site, meta=meta, parsed=parsed, channels=channels,
                  images=images, focus=focus, media=media, source_hash=hashlib.sha256(raw).hexdigest(),
                  warnings=warnings)
    problems += _resolve_body_images(story, shown)
    for channel in configured_channels(config).values():
        problems += channel.front_matter_problems(story, shown)
    problems += missing_glyph_problems(story, shown, config.language)
    if problems:
        raise ContentError(*problems, *warnings)  # a failing story still shows its warnings
    return story


def resolve_image(site: Path, folder: Path, name: str) -> Path:
    """Find an image beside the story, else under assets/. Refuses paths leaving the site and
    checks the file is a readable image."""
    path = resolve_file(site, folder, name, IMAGE_SUFFIXES, "image")
    _verify_image(path, name)
    return path


def resolve_file(site: Path, folder: Path, name: str, suffixes: set[str], what: str) -> Path:
    """Find a file beside the story, else under assets/; refuse paths that leave the site."""
    site_root = site.resolve()
    for base in (folder, site / "assets"):
        try:
            readcache.probe(base / name)
            candidate = (base / name).resolve()
            found = candidate.is_relative_to(site_root) and candidate.is_file()
        except (OSError, ValueError, RuntimeError) as exc:  # a name too long, a NUL byte, a link loop…
            raise ValueError(_("{what} {name!r}… not found: no file can have this name ({error})").format(
                what=_(WHAT[what]), name=name[:40], error=exc.__class__.__name__)) from None
        if not candidate.is_relative_to(site_root):
            raise ValueError(_("{what} {name!r} is outside the site; refused").format(what=_(WHAT[what]), name=name))
        if found:
            if candidate.suffix.lower() not in suffixes:
                raise ValueError(_("{what} {name!r} is not an {what} file ({suffix}; expected {expected})").format(
                    what=_(WHAT[what]), name=name, suffix=candidate.suffix or _("no suffix"),
                    expected=", ".join(sorted(suffixes))))
            return candidate
    raise ValueError(_("{what} {name!r} not found beside the story or under assets/").format(
        what=_(WHAT[what]), name=name) + comma_hint(name) + _did_you_mean(site, folder, name))


def _did_you_mean(site: Path, folder: Path, name: str) -> str:
    """`` (did you mean images/x.jpg?)`` when a file of that name is elsewhere in the site's
    content/ or assets/: as the story would write it (assets-relative, or from the story's folder)."""
    wanted = Path(name).name
    if not wanted:
        return ""
    for root in (site / "assets", site / "content"):
        if not root.is_dir():
            continue
        for found in sorted(root.rglob(wanted)):
            if not found.is_file() or any(part.startswith(".") for part in found.relative_to(site).parts):
                continue
            shown = (found.relative_to(root) if root.name == "assets"
                     else Path(os.path.relpath(found, folder)))
            return _(" (did you mean {path}?)").format(path=shown.as_posix())
    return ""


WHAT = {"image": N_("image"), "audio": N_("audio")}
"""The kinds of file a story names, as messages say them."""


def _undeclared_people(text: str, meta: FrontMatter, shown: str) -> list[Diagnostic]:
    """A warning where the story seems to name a person it does not declare under ``people:``."""
    declared = [person.name for person in meta.people] + ([meta.officer.name] if meta.officer else [])
    warned: set[str] = set()
    found = []
    for finding in names.find_undeclared(text, declared):
        if finding.name in warned:
            continue
        warned.add(finding.name)
        line, col = line_col(text, finding.start)
        found.append(Diagnostic(shown, line, col, names.suggestion(finding.name), "warning"))
    return found


def _identifying_file_name(story_id: str, meta: FrontMatter, parsed: frontmatter.Parsed,
                           shown: str) -> list[Diagnostic]:
    """An error where the file name (the story's id, shown in every output's path, in playlists,
    preview addresses and batch sheets) holds a personal number or the pinyin of a name that is not
    published: masking reaches the text, never the file name."""
    found = []
    for part in file_names.identifying_parts(story_id, meta.people):
        if part.person is None:
            found.append(Diagnostic(shown, 1, 1, _(
                "the file name holds personal information ({text}); it is part of every output's address: rename "
                "the file (e.g. the date, or what happened)").format(text=part.text)))
        else:
            line, col = parsed.position("people", part.person, "name")
            found.append(Diagnostic(shown, line, col, _(
                "the file name spells {name}'s name ({text}), which is published masked; the file name is part of "
                "every output's address: rename the file").format(
                name=masked_name(meta.people[part.person].name), text=part.text)))
    return found


def _without_raw_values(meta: FrontMatter) -> FrontMatter:
    """The story as channels and templates see it: the raw names and values that ``people:`` and
    ``pii:`` declare are gone (masked, or kept where published on purpose), so no template can
    print them, however it walks its context."""
    people = [person if person.role == "officer" or person.publish
              else person.model_copy(update={"name": masked_name(person.name)}) for person in meta.people]
    sensitive = [entry if entry.allow else entry.model_copy(update={"value": "***"}) for entry in meta.pii]
    return meta.model_copy(update={"people": people, "pii": sensitive})


def _resolve_body_images(story: Story, shown: str) -> list[Diagnostic]:
    """Find every image the body shows, the way ``images`` are found; a missing one is an error
    here, not a failed rendition later."""
    problems = []
    for src in story.body.images:
        if src in story.body_images or re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I):
            continue  # seen already, or a web address (channels that cannot show one say so)
        try:
            story.body_images[src] = resolve_image(story.site, story.folder, src)
        except ValueError as exc:
            line, col = story.locate(src)
            problems.append(Diagnostic(shown, line, col, str(exc)))
    return problems


MAX_IMAGE_PIXELS = 100_000_000
"""Larger images are refused (a 20000x20000 PNG is a few kilobytes on disk and 1.6 GB in memory)."""


def _verify_image(path: Path, name: str) -> None:
    stat = path.stat()
    problem = _image_problem(path, stat.st_mtime_ns, stat.st_size)
    if problem:
        raise ValueError(_("image {name!r} {problem}").format(name=name, problem=problem))


@functools.lru_cache(maxsize=1024)
def _image_problem(path: Path, mtime_ns: int, size: int) -> str | None:
    """Why the image cannot be used, or None. Decoded in full (at a reduced scale where the
    format allows), so a truncated file is found here and not halfway through a build."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None  # we check the size ourselves, with a clear message
    try:
        with Image.open(path) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return _("is {width}x{height} pixels ({megapixels:.0f} megapixels), over the limit of {limit:.0f}; "
                         "make it smaller").format(width=width, height=height, megapixels=width * height / 1e6,
                                                   limit=MAX_IMAGE_PIXELS / 1e6)
            image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()
    except Exception as exc:  # Pillow raises many kinds for a damaged file
        return _("is unreadable or corrupt ({error})").format(
            error=f"{exc.__class__.__name__}: {str(exc)[:80]}")
    return None


def missing_glyph_problems(story: Story, shown: str, language: str) -> list[Diagnostic]:
    problems = []
    seen: set[str] = set()
    for text in story.drawn_texts():
        for ch in fonts.missing_glyphs(text, language):
            if ch in seen:
                continue
            seen.add(ch)
            line, col = story.locate(ch)
            problems.append(Diagnostic(shown, line, col, _(
                "the font has no glyph for {char!r} (U+{code:04X}) in story {story}; it would be drawn as an empty "
                "box").format(char=ch, code=ord(ch), story=story.id)))
    return problems


def _field_errors(shown: str, parsed: frontmatter.Parsed, exc: ValidationError) -> list[Diagnostic]:
    out = []
    for err in first_per_place(exc.errors()):
        loc = tuple(err["loc"])
        line, col = parsed.position(*loc) if loc else (1, 1)
        key = ".".join(str(p) for p in loc)
        if err["type"] == "extra_forbidden":
            message = _("unknown key {key!r} (put free-form keys under 'extra:')").format(key=key)
        elif err["type"] in ("value_error", "assertion_error"):
            reason = str((err.get("ctx") or {}).get("error", err["msg"])).removeprefix("Value error, ")
            message = _("{key}: {message}").format(key=key, message=reason) if loc else reason
        else:
            field = next((p for p in reversed(loc) if isinstance(p, str)), "")
            message = describe(err, key, {v: k for k, v in ALIASES.get(field, {}).items()})
        out.append(Diagnostic(shown, line, col, message))
    return out
