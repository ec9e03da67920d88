"""config.toml as a typed schema: every option has a type, a default and a docstring.

An invalid config stops the command early (exit 2) with the option's key path and the
line that set it. Channel tables are chosen by their ``type``; later channel kinds (douyin,
led) add one class here and one renderer module.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from publisher.errors import ConfigError, Diagnostic
from publisher.sourcepos import toml_error, toml_key_line

Language = Literal["zh-Hans", "zh-Hant"]
Kind = Literal["officer", "deed", "antifraud"]
KINDS: tuple[Kind, ...] = ("officer", "deed", "antifraud")


class Schema(BaseModel):
    """Base of every config table: unknown keys are errors, docstrings document options."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True)


class Theme(Schema):
    """Colours of image cards and covers."""

    background: str = "#0d2c5e"
    """Card background (police blue)."""
    text: str = "#ffffff"
    """Main text colour."""
    accent: str = "#d4a631"
    """Accent colour: the band at the top of a card, key figures."""
    muted: str = "#b8c4d9"
    """Secondary text: account name, units, captions."""


class ChannelBase(Schema):
    account: str = ""
    """The account name shown on cards and in posts (empty: the site name)."""
    language: Language | None = None
    """Override the site's language for this channel (``zh-Hant`` converts with OpenCC)."""
    opencc: str = "s2t"
    """OpenCC conversion used when this channel is ``zh-Hant`` (``s2t``, ``s2tw``, ``s2hk``, ``s2twp``)."""
    template: str = ""
    """Main template name; empty means the channel's default (e.g. ``weibo/post.txt.j2``)."""


class WeiboChannel(ChannelBase):
    type: Literal["weibo"]
    limit: int = Field(2000, ge=1)
    """Maximum post length, counted the Weibo way (CJK 1, two ASCII characters 1)."""
    topics: list[str] = []
    """Topics added to every post of this channel, written without ``#``."""
    max_cards: int = Field(9, ge=1, le=9)
    """Most image cards a post carries (Weibo allows 9 images)."""
    card_width: int = Field(1080, ge=200)
    """Card width in pixels."""
    card_height: int = Field(1440, ge=200)
    """Card height in pixels."""


class WechatChannel(ChannelBase):
    type: Literal["wechat"]
    html_limit: int = Field(20000, ge=1000)
    """Maximum article HTML length in characters, tags and styles included (WeChat: 20,000)."""
    title_limit: int = Field(64, ge=1)
    """Maximum title length in characters."""
    digest_limit: int = Field(120, ge=1)
    """Maximum digest (summary) length in characters."""
    author: str = ""
    """Author line of the article (empty: the account name)."""
    cover_width: int = Field(900, ge=100)
    """Cover image width (WeChat shows covers at 2.35:1)."""
    cover_height: int = Field(383, ge=100)
    """Cover image height."""


ChannelConfig = Annotated[WeiboChannel | WechatChannel, Field(discriminator="type")]


class KindDefaults(Schema):
    channels: list[str] = []
    """Channels a story of this kind goes to when its front matter names none."""
    section: str = ""
    """Folder under content/ where ``publisher new`` puts stories of this kind."""


class SiteConfig(Schema):
    name: str = "publisher"
    """Site name: the bureau or account family the content belongs to."""
    language: Language = "zh-Hans"
    """Language of everything written for people; channels may override."""
    timezone: str = "Asia/Shanghai"
    """Time zone of dates, schedules and ``--date`` defaults."""
    output: str = "output"
    """Default output folder, relative to the site."""
    theme: Theme = Theme()
    """Colours shared by all image renderers."""
    kinds: dict[Kind, KindDefaults] = {}
    """Per-kind defaults: ``[kinds.officer] channels = [...]``."""
    channels: dict[str, ChannelConfig] = {}
    """Output channels by name: ``[channels.weibo] type = "weibo"``."""

    def channels_for(self, kind: Kind) -> list[str]:
        defaults = self.kinds.get(kind)
        return list(defaults.channels) if defaults else list(self.channels)

    def section_for(self, kind: Kind) -> str:
        defaults = self.kinds.get(kind)
        return (defaults.section if defaults and defaults.section else kind)

    def language_of(self, channel: str) -> Language:
        return self.channels[channel].language or self.language


def load_config(site: Path) -> tuple[SiteConfig, str]:
    """Read and validate ``site/config.toml``. Returns the config and its source text
    (hashed into every rendition). Raises ConfigError with key path and line."""
    path = site / "config.toml"
    if not path.is_file():
        raise ConfigError(Diagnostic(str(path), 1, 1, "config.toml not found (is --site right?)"))
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line, col = toml_error(exc)
        raise ConfigError(Diagnostic(str(path), line, col, f"invalid TOML: {message}")) from None
    try:
        config = SiteConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(*_diagnostics(path, text, exc)) from None
    problems = []
    for kind, defaults in config.kinds.items():
        for name in defaults.channels:
            if name not in config.channels:
                line, col = toml_key_line(text, ("kinds", kind, "channels"))
                problems.append(Diagnostic(str(path), line, col,
                                           f"kinds.{kind}.channels: unknown channel {name!r}"))
    try:
        from zoneinfo import ZoneInfo
        ZoneInfo(config.timezone)
    except Exception:
        line, col = toml_key_line(text, ("timezone",))
        problems.append(Diagnostic(str(path), line, col, f"timezone: unknown time zone {config.timezone!r}"))
    if problems:
        raise ConfigError(*problems)
    return config, text


def _diagnostics(path: Path, text: str, exc: ValidationError) -> list[Diagnostic]:
    out = []
    for err in exc.errors():
        keys = _clean_loc(tuple(err["loc"]))
        line, col = toml_key_line(text, keys)
        dotted = ".".join(str(k) for k in keys) or "(top level)"
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown key"
        elif err["type"] == "union_tag_invalid":
            message = f"unknown channel type {err.get('input', {}).get('type')!r} (known: weibo, wechat)"
        elif err["type"] == "union_tag_not_found":
            message = "missing 'type' (weibo, wechat)"
        out.append(Diagnostic(str(path), line, col, f"{dotted}: {message}"))
    return out


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's discriminator tags (``channels.x.weibo.limit`` -> ``channels.x.limit``)."""
    keys = list(loc)
    if len(keys) >= 3 and keys[0] == "channels" and keys[2] in ("weibo", "wechat"):
        del keys[2]
    return tuple(keys)
