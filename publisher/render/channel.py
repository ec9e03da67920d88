"""The channel interface: what every channel type implements, and what its renderer receives.

A channel type is one class (a subclass of :class:`Channel`) in its own module or package, with
its config model, its Chinese label, its templates (``templates/<type>/``), and everything else
that is particular to it. It is registered as an entry point in the group ``publisher.channels``
(see :mod:`publisher.plugins`), so a bureau can add one from its own package; the pipeline, the
publisher, the preview and the CLI only ever talk to this interface.

What a channel renders is a :class:`Unit`: one story (:class:`StoryUnit`), or a collective unit
made of many stories, such as an LED screen's programme for a day or a leaflet edition
(subclasses of :class:`CollectiveUnit`). A rendition is a pure function of its unit and of the
files it reads, which are recorded as they are read (:mod:`publisher.render.inputs`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from publisher import plugins
from publisher.config import ChannelSettings, SiteConfig
from publisher.content.hashing import content_hash
from publisher.content.story import Story
from publisher.errors import ContentError, Diagnostic
from publisher.i18n import _
from publisher.render import chinese, fonts
from publisher.sourcepos import shown_path

CONFIG_FILE = "config.toml"


class Unit(ABC):
    """What one rendition renders, and the folder it renders into (``<channel>/<key>/``)."""

    key: str
    """The rendition's folder under its channel: a story id, or a collective unit's own name."""

    @property
    @abstractmethod
    def stories(self) -> list[Story]:
        """Every story the unit carries (what the review gate checks before it goes out)."""

    @property
    @abstractmethod
    def title(self) -> str:
        """What people call it (a story's headline, 望峰岗门头屏 2026-11-28 …)."""

    @property
    @abstractmethod
    def shown_path(self) -> str:
        """The file errors point at (the story, or config.toml)."""

    @abstractmethod
    def content(self) -> str:
        """A hash of what the unit carries, known before rendering (part of the plan key)."""


@dataclass
class StoryUnit(Unit):
    """One story on one channel: the usual rendition."""

    story: Story

    @property
    def key(self) -> str:  # type: ignore[override]
        return self.story.id

    @property
    def stories(self) -> list[Story]:
        return [self.story]

    @property
    def title(self) -> str:
        return self.story.meta.title

    @property
    def shown_path(self) -> str:
        return self.story.rel_path

    def content(self) -> str:
        return content_hash(self.story)


@dataclass
class CollectiveUnit(Unit):
    """Many stories in one rendition (a screen-day, a leaflet edition). A subclass names its kind
    and says which stories it carries; the publisher delivers it to ``targets``."""

    kind: ClassVar[str] = "collective"
    """What sort of unit it is, stored in the manifest (``screen-day``, ``edition``)."""

    key: str
    name: str
    """Its own title for people."""
    members: list[Story] = field(default_factory=list)
    day: dt.date | None = None
    """The day it is for (an LED programme), or None when it does not depend on the date."""
    targets: list[str] = field(default_factory=list)
    """Where the publisher delivers it (names of ``[targets.NAME]``)."""
    extra: str = ""
    """Anything else its rendition depends on, known before rendering (hashed into the plan)."""

    @property
    def stories(self) -> list[Story]:
        return self.members

    @property
    def title(self) -> str:
        return self.name

    @property
    def shown_path(self) -> str:
        return CONFIG_FILE

    def content(self) -> str:
        digest = hashlib.sha256(f"{self.kind}\0{self.key}\0{self.day}\0{self.extra}\0".encode())
        for story in self.members:
            digest.update(f"{story.id}\0{content_hash(story)}\0".encode())
        return digest.hexdigest()


@dataclass
class Message:
    """What a post carries to people: its text and the files to attach (batch packages, robots)."""

    text: str = ""
    files: list[str] = field(default_factory=list)


@dataclass
class Delivered:
    """Something of a channel that went out in a report's period, as the work report hands it to the
    channel to count: a confirmed post (a channel posted by hand) or a delivery (one the program sends)."""

    key: str
    """The story id, or the collective unit's key (``square/2021-04-08``)."""
    stories: list[str]
    """The stories it carried."""
    at: dt.datetime
    """When it was posted or delivered."""
    day: dt.date | None = None
    """The day a collective unit was for (an LED programme)."""
    facts: dict = field(default_factory=dict)
    """What the channel noted about it when it was queued (:meth:`Channel.facts`)."""
    url: str = ""
    """A confirmed post's link."""


@dataclass(frozen=True)
class Tally:
    """One count of the work report, as the channel names it: 发布相关信息 7 条."""

    label: str
    """What was counted, for the report's table (“淮南谢家集公安在线”官方微博发布信息)."""
    count: int | float
    unit: str
    """条, 篇, 块, 小时…"""
    phrase: str = ""
    """The clause the summary paragraph uses (在“淮南谢家集公安在线”官方微博发布相关信息7条); empty: not
    in the summary."""


@dataclass
class ChannelReport:
    """What a channel says about its period: its counts, and optionally a daily series to chart."""

    tallies: list[Tally] = field(default_factory=list)
    daily: dict[str, dict[dt.date, float]] = field(default_factory=dict)
    """A chart's series: name (a screen) → day → value (hours of airtime)."""
    daily_title: str = ""
    """The chart's title (LED 屏每日播放时长), and its value axis after a ｜ (小时)."""


@dataclass
class RenderContext:
    site: Path
    config: SiteConfig
    unit: Unit
    channel: str
    """The channel's name in config.toml (``[channels.NAME]``)."""
    folder: Path
    """Where this rendition writes its files (a staging folder, swapped in on success)."""
    warnings: list[Diagnostic] = field(default_factory=list)
    progress: bool = False
    """Show a per-rendition progress bar (long renders such as video) on the terminal."""
    out: Path | None = None
    """The output folder, for artifacts several renditions share (:mod:`publisher.render.artifacts`)."""

    @property
    def story(self) -> Story:
        """The story of a per-story rendition."""
        if not isinstance(self.unit, StoryUnit):
            raise TypeError(f"{self.unit.key} is not a story")
        return self.unit.story

    @property
    def channel_config(self) -> ChannelSettings:
        return self.config.channels[self.channel]

    @property
    def language(self) -> str:
        return self.config.language_of(self.channel)

    @property
    def account(self) -> str:
        return self.channel_config.account or self.config.name

    def localize(self, text: str) -> str:
        return chinese.localize(text, self.language, self.channel_config.opencc)

    def error(self, message: str, *key: str | int) -> ContentError:
        """A content error for this story, at ``key`` in its front matter (or line 1)."""
        line, col = self.story.position(*key) if key and isinstance(self.unit, StoryUnit) else (1, 1)
        return ContentError(Diagnostic(self.shown_path, line, col, message))

    def error_at(self, needle: str, message: str) -> ContentError:
        """A content error at the first place ``needle`` appears in the story file."""
        line, col = self.story.locate(needle)
        return ContentError(Diagnostic(self.shown_path, line, col, message))

    def warn(self, message: str, *key: str | int) -> None:
        line, col = self.story.position(*key) if key and isinstance(self.unit, StoryUnit) else (1, 1)
        self.warnings.append(Diagnostic(self.shown_path, line, col, message, "warning"))

    @property
    def shown_path(self) -> str:
        if isinstance(self.unit, StoryUnit):
            return shown_path(self.story.path)
        return self.unit.shown_path

    def require_glyphs(self, text: str) -> None:
        """Refuse to draw a character the font lacks (it would be an empty box)."""
        missing = fonts.missing_glyphs(text, self.language)
        if missing:
            ch = missing[0]
            line, col = self.story.locate(ch) if isinstance(self.unit, StoryUnit) else (1, 1)
            raise ContentError(Diagnostic(self.shown_path, line, col,
                                          _("the font has no glyph for {char!r} (U+{code:04X}) in {unit} "
                                            "on channel {channel}").format(char=ch, code=ord(ch), unit=self.unit.key,
                                                                           channel=self.channel)))


class Channel(ABC):
    """A channel type. One instance per ``[channels.NAME]`` table, made by the registry."""

    type: ClassVar[str]
    """The ``type`` written in config.toml (``weibo``); also the folder of its templates."""
    label: ClassVar[str]
    """What the team calls it, in Chinese (微博); shown in summaries, the preview and notices."""
    Settings: ClassVar[type[ChannelSettings]]
    """Its config model: a subclass of :class:`publisher.config.ChannelSettings`."""
    quick: ClassVar[bool] = False
    """Renders in about a second a story (text, images): ``serve`` renders it first on every save."""
    preview_template: ClassVar[str] = ""
    """The partial that shows one rendition in the preview (``<type>/preview.html.j2``); empty: none."""
    scheduled: ClassVar[str] = "batch"
    """What its scheduled job does: ``batch`` (next week's posts, in the channel's slots) or
    ``units`` (render the day's collective units and deliver each to its targets)."""
    aliases: ClassVar[tuple[str, ...]] = ()
    """Older ``type`` names read as this type (``douyin`` for ``video``)."""
    units_template: ClassVar[str] = ""
    """The preview index's section for its collective units (with :meth:`preview_units`)."""
    story_units_template: ClassVar[str] = ""
    """A story page's section for the collective units that carry the story (:meth:`preview_story`)."""
    adopts: ClassVar[tuple[str, ...]] = ()
    """Top-level config tables of older sites that belong to this type now (LED: ``screens``): a
    channel of this type that does not set them reads them from the top level."""

    def __init__(self, name: str, settings: ChannelSettings, config: SiteConfig):
        self.name, self.settings, self.config = name, settings, config

    @property
    def shown(self) -> str:
        """The channel as people know it: 微博, or 微博（weibo_county） when named otherwise."""
        return self.label if self.name == self.type else f"{self.label}（{self.name}）"

    # -- planning ----------------------------------------------------------------------------
    def plan(self, stories: list[Story], day: dt.date, drafts: bool, refused: Sequence[Story] = ()) -> list[Unit]:
        """The units to render for ``day``: by default one per story that lists this channel.
        ``refused`` are stories the caller left out (the publisher: not approved), for channels
        that say what was left out and why (an LED programme)."""
        return [StoryUnit(story) for story in stories
                if self.name in story.channels and (drafts or story.meta.status == "ready")]

    def keeps(self, key: str) -> bool:
        """Whether an earlier collective rendition not planned now (another day's) stays in the output."""
        return False

    # -- rendering ---------------------------------------------------------------------------
    def check(self, ctx: RenderContext) -> None:  # noqa: B027  (optional: nothing to check)
        """Everything the build would refuse, found without rendering (``publisher check``)."""

    @abstractmethod
    def render(self, ctx: RenderContext) -> list[str]:
        """Write the rendition into ``ctx.folder``; return the names of the files written."""

    # -- preview and publishing --------------------------------------------------------------
    def preview(self, folder: Path, link: str) -> dict:
        """What the preview partial needs of one rendition (``folder`` on disk, ``link`` from the page)."""
        return {}

    def preview_units(self, units: list[tuple[str, Path, str]]) -> dict:
        """What :attr:`units_template` needs of this channel's collective renditions: (key, folder on
        disk, link from the preview's index page) each."""
        return {}

    def preview_story(self, units: dict, story_id: str) -> dict | None:
        """What :attr:`story_units_template` shows on a story's page (None: nothing about this story)."""
        return None

    def site_problems(self, stories: list[Story], site: Path) -> list[Diagnostic]:
        """Problems only the whole site shows (an edition naming a story that does not exist)."""
        return []

    def front_matter_problems(self, story: Story, shown: str) -> list[Diagnostic]:
        """Front-matter values only this channel can check (LED: the screens a story names)."""
        return []

    def destination(self, key: str) -> str:
        """Where a collective unit goes inside its target (a folder on a USB stick, on a share)."""
        return f"{self.name}/{key}"

    def message(self, folder: Path) -> Message:
        """The text and files a batch post or a robot message carries."""
        return Message(files=sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()))

    # -- the work report ---------------------------------------------------------------------
    @property
    def posted_by_hand(self) -> bool:
        """Whether people post it by hand from the weekly batch (a social account): then "delivered to
        the team folder" is not "published", and the report, ``status`` and the keep-alive count the
        posts confirmed with ``publisher posted``. Channels the program delivers itself (LED loops,
        leaflet editions for the print shop) count their deliveries."""
        return self.scheduled == "batch"

    @property
    def account(self) -> str:
        """The account it publishes as (the site's name when the channel names none)."""
        return self.settings.account or self.config.name

    def facts(self, folder: Path, stories: Sequence[Story]) -> dict:
        """What the work report needs to remember of a delivered rendition, noted when it is queued
        (the rendition's folder may be gone by the time of the report): JSON-able."""
        return {}

    def report(self, items: Sequence[Delivered], only: set[str] | None = None) -> ChannelReport:
        """The channel's counts for a period, from what went out (``items``); with ``only``, counting
        only those stories (a campaign). By default: the stories published, as 条."""
        count = posted_stories(items, only)
        if not count:
            return ChannelReport()
        where = f"{self.shown}“{self.account}”"
        return ChannelReport([Tally(f"{where}发布信息", count, "条", f"在{where}发布信息{count}条")])


def posted_stories(items: Sequence[Delivered], only: set[str] | None = None) -> int:
    """How many different stories ``items`` carried (of ``only``, when given): a story posted twice
    on one account (taken down and posted again) is one piece of work."""
    return len({story for item in items for story in item.stories if only is None or story in only})


def read_json(path: Path) -> dict:
    """A rendition's own JSON description ({} when missing or damaged: the preview shows what it can)."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def template_context(ctx: RenderContext, **more: object) -> dict[str, object]:
    """What every story template can use (documented in README, "Templates")."""
    story = ctx.story
    return {
        "story": story.meta,
        "story_id": story.id,
        "body_html": story.body.html,
        "body_text": story.body.text,
        "quotes": story.body.quotes,
        "account": ctx.account,
        "site": ctx.config,
        "channel": ctx.channel_config,
        "channel_name": ctx.channel,
        **more,
    }


def channels(config: SiteConfig) -> dict[str, Channel]:
    """Every configured channel, as an instance of its type (from the installed plugins)."""
    by_type = plugins.by_type()
    return {name: by_type[settings.type](name, settings, config) for name, settings in config.channels.items()}
