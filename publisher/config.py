"""config.toml as a typed schema: every option has a type, a default and a docstring.

An invalid config stops the command early (exit 2) with the option's key path and the
line that set it. Channel tables are chosen by their ``type``; later channel kinds (douyin,
led) add one class here and one renderer module.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from publisher.errors import ConfigError, Diagnostic
from publisher.i18n import _
from publisher.sourcepos import toml_error, toml_key_line, toml_limits
from publisher.validation import describe, first_per_place

Language = Literal["zh-Hans", "zh-Hant"]
Kind = Literal["officer", "deed", "antifraud"]
KINDS: tuple[Kind, ...] = ("officer", "deed", "antifraud")


class Schema(BaseModel):
    """Base of every config table: unknown keys are errors, docstrings document options."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=True, allow_inf_nan=False)


def _colour(value: str) -> str:
    from PIL import ImageColor

    try:
        ImageColor.getrgb(value)
    except (ValueError, AttributeError):
        raise ValueError(_("{value!r} is not a colour; write it like \"#0d2c5e\" or \"white\"").format(
            value=value)) from None
    return value


Colour = Annotated[str, AfterValidator(_colour)]
"""A colour as CSS writes it: ``#0d2c5e``, ``#fff``, ``rgb(13,44,94)`` or a name like ``white``."""

X264Preset = Literal["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"]
"""x264's speed presets (slower presets make smaller files of the same quality)."""
FOLDER_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
"""A name that becomes a folder in the output: letters, digits, - and _ (no path)."""

OpenCC = Literal["s2t", "s2tw", "s2twp", "s2hk", "s2hkp"]
"""OpenCC's Simplified-to-Traditional conversions that ship with it (stories are written in Simplified)."""


class Theme(Schema):
    """Colours of image cards and covers."""

    background: Colour = "#0d2c5e"
    """Card background (police blue)."""
    text: Colour = "#ffffff"
    """Main text colour."""
    accent: Colour = "#d4a631"
    """Accent colour: the band at the top of a card, key figures."""
    muted: Colour = "#b8c4d9"
    """Secondary text: account name, units, captions."""


class ChannelBase(Schema):
    account: str = ""
    """The account name shown on cards and in posts (empty: the site name)."""
    language: Language | None = None
    """Override the site's language for this channel (``zh-Hant`` converts with OpenCC)."""
    opencc: OpenCC = "s2t"
    """OpenCC conversion used when this channel is ``zh-Hant`` (``s2t``, ``s2tw``, ``s2hk``, ``s2twp``)."""
    template: str = ""
    """Main template name; empty means the channel's default (e.g. ``weibo/post.txt.j2``)."""
    schedule: str = ""
    """When the publisher works on this channel: ``"daily 05:30"`` (LED loops) or ``"monday 09:00"``
    (the weekly batch of a social channel). Empty: only by hand."""
    slots: list[str] = []
    """Posting slots of a social channel, e.g. ``["mon 09:00", "wed 12:00", "fri 18:00"]``."""
    deliver: list[str] = []
    """Targets that receive each post at its slot (names of ``[targets.NAME]``)."""
    notify: str = ""
    """A target that is told about batches, deliveries and failures (a webhook)."""

    @field_validator("schedule")
    @classmethod
    def _schedule_format(cls, value: str) -> str:
        if value:
            from publisher.publish.timing import parse_schedule

            parse_schedule(value)
        return value

    @field_validator("slots")
    @classmethod
    def _slot_format(cls, slots: list[str]) -> list[str]:
        from publisher.publish.timing import parse_slot

        for slot in slots:
            parse_slot(slot)
        return slots


class WeiboChannel(ChannelBase):
    type: Literal["weibo"]
    limit: int = Field(2000, ge=1)
    """Maximum post length, counted the Weibo way (CJK 1, two ASCII characters 1)."""
    topics: list[str] = []
    """Topics added to every post of this channel, written without ``#``."""
    max_cards: int = Field(9, ge=1, le=9)
    """Most image cards a post carries (Weibo allows 9 images)."""
    card_width: int = Field(1080, ge=200, le=8192)
    """Card width in pixels."""
    card_height: int = Field(1440, ge=200, le=8192)
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
    cover_width: int = Field(900, ge=100, le=8192)
    """Cover image width (WeChat shows covers at 2.35:1)."""
    cover_height: int = Field(383, ge=100, le=8192)
    """Cover image height."""


class DouyinChannel(ChannelBase):
    type: Literal["douyin"]
    width: int = Field(1080, ge=360, le=4096)
    """Video width in pixels (vertical 9:16; Douyin wants at least 720)."""
    height: int = Field(1920, ge=640, le=4096)
    """Video height in pixels."""
    fps: int = Field(30, ge=1, le=60)
    """Frames per second (constant)."""
    crf: int = Field(20, ge=0, le=51)
    """x264 quality (lower is better; 18-23 is usual)."""
    preset: X264Preset = "medium"
    """x264 speed preset (ultrafast … veryslow)."""
    audio_bitrate: str = Field("160k", pattern=r"^[1-9]\d{1,3}k$")
    """AAC bitrate."""
    chars_per_second: float = Field(4.5, gt=0)
    """Reading speed for cue timing without a voice-over (Chinese characters a second)."""
    min_cue: float = Field(1.2, gt=0)
    """Shortest time a subtitle stays up, in seconds."""
    max_cue: float = Field(7.0, gt=0)
    """Longest time a subtitle stays up, in seconds."""
    cue_gap: float = Field(0.12, ge=0)
    """Gap between two cues, in seconds."""
    line_chars: int = Field(16, ge=4, le=30)
    """Most characters on a subtitle line (16 for Simplified Chinese)."""
    max_lines: int = Field(2, ge=1, le=3)
    """Most lines a cue shows."""
    subtitle_size: int = Field(50, ge=16, le=400)
    """Subtitle font size in pixels (at 1080 wide)."""
    subtitle_bottom: int = Field(1500, ge=100, le=4096)
    """Lowest y of subtitle ink, in pixels of a 1920-high frame (Douyin's buttons sit below)."""
    safe_left: int = Field(60, ge=0, le=2000)
    """Subtitle box left edge (pixels at 1080 wide)."""
    safe_right: int = Field(180, ge=0, le=2000)
    """Kept clear on the right for Douyin's buttons (pixels at 1080 wide)."""
    title_seconds: float = Field(2.5, ge=0.5)
    """How long the opening title card shows."""
    end_seconds: float = Field(3.0, ge=0.5)
    """How long the closing card shows."""
    end_lines: list[str] = ["全国反诈预警专线 96110", "报警求助请拨 110"]
    """Lines of the closing card, above the account name."""
    pan_pixels_per_second: float = Field(24.0, ge=0)
    """Speed of the slow pan over a scene's photo."""
    music_volume: float = Field(0.5, ge=0, le=2)
    """Background music volume without a voice-over (1 = as recorded)."""
    music_under_voice: float = Field(0.15, ge=0, le=2)
    """Background music volume under a voice-over."""
    music_fade: float = Field(2.0, ge=0)
    """Fade-out of the music at the end, in seconds."""
    title_limit: int = Field(30, ge=1)
    """Most characters in the caption's title (upload tools enforce 30)."""
    min_seconds: float = Field(5.0, ge=0)
    """Shortest allowed clip."""
    max_seconds: float = Field(900.0, gt=0)
    """Longest allowed clip (Douyin: 15 minutes for one upload)."""
    max_megabytes: float = Field(128.0, gt=0)
    """Largest allowed file (Douyin: 128 MB for one upload)."""


class LedChannel(ChannelBase):
    type: Literal["led"]
    fps: int = Field(25, ge=1, le=60)
    """Frame rate of the loops (constant; 25 suits most controllers)."""
    crf: int = Field(23, ge=0, le=51)
    """x264 quality of the loops."""
    preset: X264Preset = "ultrafast"
    """x264 preset of the loops. Slides are stills and tickers are simple; ultrafast also keeps
    the stream free of B-frames and CABAC, which the cheapest controllers decode best."""
    urgent_every: int = Field(4, ge=1, le=1000)
    """An urgent item goes first and comes back after every N other items."""
    ticker_speed: float = Field(360.0, gt=0)
    """Scrolling speed of strip-screen tickers, in pixels a second (about 2 characters a
    second at a 320-pixel strip's text size)."""
    ticker_text: float = Field(0.6, gt=0.1, le=1.0)
    """Ticker text size as a share of the strip's height."""
    strip_ratio: float = Field(4.0, gt=1)
    """Screens at least this many times wider than high are strips and get a ticker."""
    ticker_separator: str = "　◆　"
    """Text between two items of a ticker."""
    idle_text: str = "报警求助请拨 110　反诈咨询请拨 96110"
    """Shown when no story is due on a screen, so a loop is never empty."""


ChannelConfig = Annotated[WeiboChannel | WechatChannel | DouyinChannel | LedChannel, Field(discriminator="type")]
CHANNEL_TYPES = ("weibo", "wechat", "douyin", "led")


class LedTheme(Schema):
    """Colours of LED slides: high contrast, read from across a street."""

    background: Colour = "#000000"
    """Slide background (black: unlit pixels)."""
    headline: Colour = "#ffd400"
    """Headline colour."""
    text: Colour = "#ffffff"
    """Body text colour."""
    urgent: Colour = "#ff2020"
    """Headline colour of urgent items."""


class Screen(Schema):
    name: str = Field(pattern=FOLDER_NAME)
    """Screen name, used in folder names and in a story's ``screens:`` (letters, digits, - and _)."""
    title: str = ""
    """Where the screen is, for people (e.g. 谢家集大道与望峰路口)."""
    width: int = Field(ge=8, le=8192)
    """Native width in pixels (a multiple of the module width: P10 modules are 32x16)."""
    height: int = Field(ge=8, le=8192)
    """Native height in pixels."""
    slide_seconds: float = Field(8.0, gt=0, le=3600)
    """How long each slide shows, in seconds."""
    theme: LedTheme = LedTheme()
    """Colours of this screen's slides."""
    antialias: bool | None = None
    """Smooth text edges; default: off below ``antialias_below`` pixels high, for crisp text."""
    antialias_below: int = Field(64, ge=0, le=8192)
    """Screens lower than this draw crisp (non-antialiased) text unless ``antialias`` says otherwise."""
    min_text: int = Field(16, ge=6, le=8192)
    """Smallest legible text size in pixels (16 is the classic LED dot-matrix size)."""
    max_text: int = Field(0, ge=0, le=8192)
    """Largest text size in pixels (0: a third of the screen height)."""
    deliver: str = ""
    """Delivery target for this screen's daily loop (used by ``publisher run``)."""

    @model_validator(mode="after")
    def _text_fits_the_screen(self) -> Screen:
        if self.min_text > min(self.width, self.height):
            raise ValueError(_("min_text {min_text} px is larger than the {width}x{height} screen; no line of "
                               "text would fit").format(min_text=self.min_text, width=self.width,
                                                        height=self.height))
        if self.max_text and self.max_text < self.min_text:
            raise ValueError(_("max_text {max_text} is smaller than min_text {min_text}").format(
                max_text=self.max_text, min_text=self.min_text))
        return self

    @property
    def crisp(self) -> bool:
        return not self.antialias if self.antialias is not None else self.height < self.antialias_below


class KindDefaults(Schema):
    channels: list[str] = []
    """Channels a story of this kind goes to when its front matter names none."""
    section: str = Field("", pattern=r"^([A-Za-z0-9][A-Za-z0-9_-]*)?$")
    """Folder under content/ where ``publisher new`` puts stories of this kind (one folder name:
    letters, digits, - and _)."""


class Safety(Schema):
    """Personal information, wording and review (三审)."""

    id_mask: Literal["keep", "drop"] = "keep"
    """Masked ID numbers keep their first 6 and last 4 characters (``keep``) or are removed (``drop``)."""
    stages: list[str] = Field(["初审", "复审", "终审"], min_length=1)
    """Review stages, in order; a story is published only when approved at every one, each stage
    by a different person. At least one stage: an empty list would approve everything."""
    wording: str = "wording.toml"
    """The site's wording list (forbidden and wrong expressions); the packaged list when missing."""
    ledger: str = ".publisher/ledger.sqlite"
    """The SQLite ledger (review approvals, deliveries), relative to the site."""


    @field_validator("stages")
    @classmethod
    def _distinct_stages(cls, stages: list[str]) -> list[str]:
        stages = [stage.strip() for stage in stages]
        if any(not stage for stage in stages):
            raise ValueError(_("a review stage is empty"))
        if len(set(stages)) != len(stages):
            raise ValueError(_("review stages must differ from each other"))
        return stages


class Reviewer(Schema):
    """A person who reviews (三审), as ``[[reviewers]]`` tables."""

    name: str = Field(min_length=1)
    """The name given with ``publisher review … --by NAME`` and shown in the audit log."""

    @field_validator("name")
    @classmethod
    def _plain_name(cls, name: str) -> str:
        name = name.strip()
        if not name or any(not ch.isprintable() for ch in name):
            raise ValueError(_("reviewer name {name!r}: write the person's name, without invisible "
                               "characters").format(name=name))
        return name
    stages: list[str] = Field(min_length=1)
    """The review stages this person may approve (and reject at), e.g. ``["复审"]``."""


class DirTarget(Schema):
    type: Literal["dir"]
    path: str
    """The folder (a USB stick, a network share); relative paths are relative to the site."""
    keep_days: int = Field(7, ge=1)
    """LED loops older than this many days are pruned from the folder."""


class FtpTarget(Schema):
    type: Literal["ftp"]
    host: str
    """FTP server (many LED players and signage boxes take FTP)."""
    port: int = Field(21, ge=1, le=65535)
    """FTP port."""
    user: str = "anonymous"
    """FTP user name."""
    password_env: str = ""
    """Name of the environment variable that holds the password (never the password itself)."""
    directory: str = "/"
    """Folder on the server that receives the files."""
    keep_days: int = Field(7, ge=1)
    """LED loops older than this many days are pruned."""
    timeout: float = Field(30.0, gt=0)
    """Seconds before a stalled connection is given up."""


class WebhookTarget(Schema):
    type: Literal["webhook"]
    kind: Literal["wecom", "dingtalk", "json"] = "json"
    """wecom (企业微信群机器人), dingtalk (钉钉机器人) or json (any other endpoint)."""
    url_env: str
    """Name of the environment variable holding the webhook URL (it contains the robot's key)."""
    secret_env: str = ""
    """DingTalk: environment variable holding the signing secret (HMAC-SHA256), if the robot has one."""
    per_minute: int = Field(20, ge=1)
    """Messages a minute the robot accepts (WeCom and DingTalk: 20)."""
    timeout: float = Field(15.0, gt=0)
    """Seconds to wait for an answer; after that the outcome is unknown (unconfirmed)."""


TargetConfig = Annotated[DirTarget | FtpTarget | WebhookTarget, Field(discriminator="type")]


class Publish(Schema):
    """The publisher: schedules, slots and delivery."""

    grace_minutes: int = Field(60, ge=0)
    """A social slot missed by more than this is not posted late; it is reported instead."""
    output: str = ".publisher/out"
    """Where the publisher renders what it delivers (only approved stories), relative to the site."""
    batches: str = "batches"
    """Where weekly batches are written, relative to the site."""
    tick_seconds: float = Field(60.0, gt=0)
    """How often the daemon asks the ledger what is due."""
    quiet_days: int = Field(10, ge=1)
    """``status`` warns when a social channel has published nothing for this many days (government
    new-media inspections veto accounts silent for two weeks; some counties ask for every 10 days)."""


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
    channels: dict[Annotated[str, Field(pattern=FOLDER_NAME)], ChannelConfig] = {}
    """Output channels by name: ``[channels.weibo] type = "weibo"`` (the name is a folder of the
    output: letters, digits, - and _)."""
    screens: list[Screen] = []
    """LED screens, as ``[[screens]]`` tables."""
    safety: Safety = Safety()
    """Masking, wording and review settings."""
    reviewers: list[Reviewer] = []
    """Who may approve which review stage. A stage is approved only by a reviewer listed for it,
    and the stages of one version of a story by different people."""
    targets: dict[str, TargetConfig] = {}
    """Delivery targets by name: ``[targets.usb] type = "dir"``; screens and channels name them."""
    publish: Publish = Publish()
    """Publisher settings."""

    @field_validator("reviewers")
    @classmethod
    def _reviewers_hold_known_stages(cls, reviewers: list[Reviewer], info: ValidationInfo) -> list[Reviewer]:
        seen: dict[str, str] = {}
        for reviewer in reviewers:
            same = _person_key(reviewer.name)
            if same in seen:
                raise ValueError(_("{name} and {other} are the same name (written differently); each reviewer "
                                   "is listed once, with all their stages").format(name=reviewer.name,
                                                                                   other=seen[same]))
            seen[same] = reviewer.name
        safety = info.data.get("safety")
        stages = safety.stages if safety else []
        for reviewer in reviewers:
            unknown = [stage for stage in reviewer.stages if stage not in stages]
            if unknown:
                raise ValueError(_("{name} holds unknown stage {stage!r} (stages: {stages})").format(
                    name=reviewer.name, stage=unknown[0], stages=", ".join(stages)))
        return reviewers

    def screen(self, name: str) -> Screen | None:
        return next((s for s in self.screens if s.name == name), None)

    def channels_for(self, kind: Kind) -> list[str]:
        defaults = self.kinds.get(kind)
        return list(defaults.channels) if defaults else list(self.channels)

    def section_for(self, kind: Kind) -> str:
        defaults = self.kinds.get(kind)
        return (defaults.section if defaults and defaults.section else kind)

    def language_of(self, channel: str) -> Language:
        return self.channels[channel].language or self.language


def _person_key(name: str) -> str:
    """A name as a person is identified: full-width forms, spaces and Traditional characters aside
    (李編輯 is 李编辑: one person may not hold two stages under two spellings)."""
    import unicodedata

    import opencc

    folded = "".join(unicodedata.normalize("NFKC", name).split())
    return opencc.OpenCC("t2s").convert(folded)


def load_config(site: Path) -> tuple[SiteConfig, str]:
    """Read and validate ``site/config.toml``. Returns the config and its source text
    (hashed into every rendition). Raises ConfigError with key path and line."""
    path = site / "config.toml"
    if not path.is_file():
        raise ConfigError(Diagnostic(str(path), 1, 1, _("config.toml not found (is --site right?)")))
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ConfigError(Diagnostic(str(path), line, 1, _("config.toml is not UTF-8 text (byte {byte}); save it "
                                                           "as UTF-8").format(byte=exc.start))) from None
    except OSError as exc:
        raise ConfigError(Diagnostic(str(path), 1, 1, _("cannot read config.toml: {reason}").format(
            reason=exc.strerror))) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line, col = toml_error(exc)
        raise ConfigError(Diagnostic(str(path), line, col, _("invalid TOML: {message}").format(
            message=message))) from None
    except (ValueError, RecursionError) as exc:
        message, line, col = toml_limits(text, exc, first_line=1)
        raise ConfigError(Diagnostic(str(path), line, col, message)) from None
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
                                           _("kinds.{kind}.channels: unknown channel {name!r}").format(
                                               kind=kind, name=name)))
    for name, channel in config.channels.items():
        if channel.type == "wechat":
            problems += _one_mass_send_a_day(path, text, name, channel.slots)
        for target in [*channel.deliver, *([channel.notify] if channel.notify else [])]:
            if target not in config.targets:
                line, col = toml_key_line(text, ("channels", name, "deliver" if target in channel.deliver
                                                 else "notify"))
                problems.append(Diagnostic(str(path), line, col, _("channels.{name}: unknown target {target!r}").format(
                    name=name, target=target)))
    seen: set[str] = set()
    for index, screen in enumerate(config.screens):
        if screen.deliver and screen.deliver not in config.targets:
            line, col = _nth_table_line(text, "screens", index)
            problems.append(Diagnostic(str(path), line, col, _("screens.{name}: unknown target {target!r}").format(
                name=screen.name, target=screen.deliver)))
        if screen.name in seen:
            line, col = _nth_table_line(text, "screens", index)
            problems.append(Diagnostic(str(path), line, col, _("screens: the name {name!r} is used twice").format(
                name=screen.name)))
        seen.add(screen.name)
    for keys, value in ((("safety", "wording"), config.safety.wording), (("safety", "ledger"), config.safety.ledger),
                        (("publish", "output"), config.publish.output),
                        (("publish", "batches"), config.publish.batches)):
        where = (site / value).resolve()
        if not where.is_relative_to(site.resolve()) or where == site.resolve() or \
                where.is_relative_to((site / "content").resolve()):
            line, col = toml_key_line(text, keys)
            problems.append(Diagnostic(str(path), line, col, _(
                "{key}: {value!r} is outside the site (or is the site or inside content/); it must be a path inside "
                "the site").format(key=".".join(keys), value=value)))
    try:
        from zoneinfo import ZoneInfo
        ZoneInfo(config.timezone)
    except Exception:
        line, col = toml_key_line(text, ("timezone",))
        problems.append(Diagnostic(str(path), line, col, _("timezone: unknown time zone {zone!r}").format(
            zone=config.timezone)))
    if problems:
        raise ConfigError(*problems)
    return config, text


def _one_mass_send_a_day(path: Path, text: str, name: str, slots: list[str]) -> list[Diagnostic]:
    """A subscription account gets one mass send a day, of up to 8 articles: same-day slots must
    share their time (they go out together), and at most 8."""
    from publisher.publish.timing import parse_slot

    by_day: dict[int, list] = {}
    for slot in slots:
        day, at = parse_slot(slot)
        by_day.setdefault(day, []).append(at)
    line, col = toml_key_line(text, ("channels", name, "slots"))
    problems = []
    for times in by_day.values():
        if len(set(times)) > 1:
            problems.append(Diagnostic(str(path), line, col, _(
                "channels.{name}.slots: WeChat allows one mass send a day; give slots on the same day the same "
                "time (they go out together)").format(name=name)))
            break
        if len(times) > 8:
            problems.append(Diagnostic(str(path), line, col, _(
                "channels.{name}.slots: a WeChat mass send holds at most 8 articles").format(name=name)))
            break
    return problems


def _nth_table_line(text: str, name: str, index: int) -> tuple[int, int]:
    """Line of the ``index``-th ``[[name]]`` table."""
    count = -1
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.strip().startswith(f"[[{name}]]"):
            count += 1
            if count == index:
                return number, 1
    return 1, 1


def _diagnostics(path: Path, text: str, exc: ValidationError) -> list[Diagnostic]:
    out = []
    for err in first_per_place(exc.errors()):
        keys = _clean_loc(tuple(err["loc"]))
        line, col = toml_key_line(text, keys)
        if len(keys) >= 2 and keys[0] == "screens" and isinstance(keys[1], int):
            line, col = _nth_table_line(text, "screens", keys[1])
            if len(keys) >= 3:
                line, col = _key_after(text, line, str(keys[2]))
        dotted = ".".join(str(k) for k in keys) or _("(top level)")
        if err["type"] == "extra_forbidden":
            message = _("{key}: unknown key").format(key=dotted)
        elif err["type"] == "union_tag_invalid":
            message = _("{key}: unknown channel type {type!r} (known: {known})").format(
                key=dotted, type=(err.get("input") or {}).get("type"), known=", ".join(CHANNEL_TYPES))
        elif err["type"] == "union_tag_not_found":
            message = _("{key}: missing 'type' ({known})").format(key=dotted, known=", ".join(CHANNEL_TYPES))
        elif err["type"] == "missing":
            message = _("{key}: missing required key").format(key=dotted)
        else:
            message = describe(err, dotted)
        out.append(Diagnostic(str(path), line, col, message))
    return out


def _key_after(text: str, table_line: int, key: str) -> tuple[int, int]:
    """Line of ``key`` inside the table that starts at ``table_line``."""
    lines = text.splitlines()
    for number in range(table_line, len(lines)):
        raw = lines[number]
        if raw.strip().startswith("["):
            break
        if raw.strip().startswith(f"{key} ") or raw.strip().startswith(f"{key}="):
            return number + 1, raw.index(key) + 1
    return table_line, 1


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's discriminator tags (``channels.x.weibo.limit`` -> ``channels.x.limit``)."""
    keys = list(loc)
    if len(keys) >= 3 and keys[0] == "channels" and keys[2] in CHANNEL_TYPES:
        del keys[2]
    if len(keys) >= 3 and keys[0] == "targets" and keys[2] in ("dir", "ftp", "webhook"):
        del keys[2]
    return tuple(keys)
