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
    SerializeAsAny,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from publisher import plugins
from publisher.errors import ConfigError, Diagnostic
from publisher.i18n import _
from publisher.sourcepos import toml_error, toml_key_line, toml_limits
from publisher.timing import parse_schedule, parse_slot
from publisher.validation import describe, first_per_place

Language = Literal["zh-Hans", "zh-Hant"]
Kind = Literal["officer", "deed", "antifraud"]
KINDS: tuple[Kind, ...] = ("officer", "deed", "antifraud")


class Schema(BaseModel):
    """Base of every config table: unknown keys are errors, docstrings document options."""

    # The docstrings are for people reading the model; pydantic's use_attribute_docstrings would
    # copy them into field descriptions nothing reads, by parsing this file's source on every start.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


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


class ChannelSettings(Schema):
    """What every ``[channels.NAME]`` table may set; each channel type's model adds its own options."""

    type: str
    """The channel type (``weibo``, ``wechat``, ``video``, ``led``, ``print`` or a plugin's)."""
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

    def problems(self, name: str, path: Path, text: str) -> list[Diagnostic]:
        """Checks that need config.toml's text (beyond the model's own validation)."""
        return []

    def targets_named(self, name: str) -> list[tuple[tuple[str | int, ...], str]]:
        """Every delivery target this channel names, with the config key that names it."""
        found: list[tuple[tuple[str | int, ...], str]] = [(("channels", name, "deliver"), t) for t in self.deliver]
        if self.notify:
            found.append((("channels", name, "notify"), self.notify))
        return found

    def drawn_texts(self, name: str) -> list[tuple[tuple[str | int, ...], str]]:
        """Config text this channel draws with the bundled font (checked for missing glyphs first)."""
        return [(("channels", name, "account"), self.account)] if self.account else []

    @field_validator("schedule")
    @classmethod
    def _schedule_format(cls, value: str) -> str:
        if value:
            parse_schedule(value)
        return value

    @field_validator("slots")
    @classmethod
    def _slot_format(cls, slots: list[str]) -> list[str]:
        for slot in slots:
            parse_slot(slot)
        return slots




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
    os_user: str = ""
    """The operating-system account that may act as this reviewer with ``publisher review --by NAME``
    on this machine (``whoami``); empty: this reviewer decides in the browser only (``publisher serve
    --review``, with an account made by ``publisher user add``)."""


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
    keep_alive_days: int = Field(4, ge=0)
    """Keep-alive: the daemon tells the channel's ``notify`` target when an account has been silent
    for ``quiet_days`` minus this many days (default 10 - 4 = 6), once per silence, so there is
    time to post before ``status`` warns and long before an inspection's two weeks."""

    @field_validator("keep_alive_days")
    @classmethod
    def _before_quiet(cls, days: int, info: ValidationInfo) -> int:
        quiet = info.data.get("quiet_days")
        if quiet is not None and days >= quiet:
            raise ValueError(_("keep_alive_days must be smaller than quiet_days ({quiet})").format(quiet=quiet))
        return days


class Report(Schema):
    """The work report (``publisher report``): what was published, from the ledger."""

    folder: str = "reports"
    """Where reports are written (``reports/<period>/``), relative to the site."""
    subject: str = "分局"
    """Who did the work, as the summary paragraph names it (“分局围绕……”)."""
    title: str = ""
    """The report's title; empty: “<site name>新媒体宣传工作情况”."""
    unit: str = ""
    """The signing unit at the report's end (落款, above the date); empty: the site's name."""


SCHEDULER_PORT = 8786
"""The port a Dask scheduler listens on unless told otherwise (``dask scheduler --port``)."""


def parse_executor(value: str) -> str:
    """``local`` or a valid ``dask://HOST:PORT`` (stripped); ValueError otherwise."""
    value = value.strip()
    if value == "local":
        return value
    scheduler_address(value)
    return value


def scheduler_address(executor: str) -> str:
    """``dask://HOST:PORT`` as Dask's client addresses the scheduler (``tcp://HOST:PORT``); the
    port defaults to Dask's own. Raises ValueError (in the reader's language) for anything else."""
    from urllib.parse import urlsplit

    example = _("write \"local\" or \"dask://HOST:PORT\" (a Dask scheduler, e.g. dask://10.0.0.5:8786)")
    try:
        parts = urlsplit(executor)
        port = parts.port
    except ValueError:
        raise ValueError(_("{value!r} is not an address (a port is a number from 1 to 65535); {example}").format(
            value=executor, example=example)) from None
    if parts.scheme != "dask":
        raise ValueError(_("{value!r} is not an executor; {example}").format(value=executor, example=example))
    if not parts.hostname:
        raise ValueError(_("{value!r}: the scheduler's host is missing; {example}").format(value=executor,
                                                                                             example=example))
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username \
            or parts.password is not None or any(ch.isspace() for ch in executor):
        raise ValueError(_("{value!r}: give only the scheduler's host and port; {example}").format(
            value=executor, example=example))
    if port == 0:
        raise ValueError(_("{value!r}: port 0 is not a port; the scheduler listens on 8786 unless started with "
                           "--port").format(value=executor))
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"tcp://{host}:{port or SCHEDULER_PORT}"


Executor = Annotated[str, AfterValidator(parse_executor)]
"""``local`` or ``dask://HOST:PORT``."""


class Build(Schema):
    """How the build renders (``[build]``)."""

    executor: Executor = "local"
    """Where renditions are rendered: ``local`` (worker processes on this machine, ``--jobs`` of
    them) or ``dask://HOST:PORT``, a Dask distributed scheduler whose workers render them and send
    the files back (the port defaults to 8786; ``pip install 'publisher[cluster]'``; README,
    "Rendering on a cluster"). ``publisher build --executor`` overrides it for one build."""


class ReviewServer(Schema):
    """``publisher serve --review``: reviewing (三审) in the browser."""

    session_idle_minutes: int = Field(30, ge=1, le=24 * 60)
    """A reviewer is signed out after this many minutes without a request."""
    session_hours: int = Field(12, ge=1, le=24 * 7)
    """A reviewer is signed out this many hours after signing in, however busy."""
    secure_cookies: bool = False
    """Send the session cookie only over HTTPS (``Secure``). Set it when a TLS reverse proxy serves the
    review; it is on by itself for requests a trusted proxy says came over HTTPS."""
    trusted_proxies: list[str] = []
    """Addresses of reverse proxies whose ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed
    (the reviewer's address in the audit trail and the sign-in limit, HTTPS for the cookie); behind
    nginx on the same machine: ``["127.0.0.1"]``. Nobody's, by default."""


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
    channels: dict[Annotated[str, Field(pattern=FOLDER_NAME)], SerializeAsAny[ChannelSettings]] = {}
    """Output channels by name: ``[channels.NAME] type = "…"`` (the name is a folder of the
    output: letters, digits, - and _)."""
    safety: Safety = Safety()
    """Masking, wording and review settings."""
    reviewers: list[Reviewer] = []
    """Who may approve which review stage. A stage is approved only by a reviewer listed for it,
    and the stages of one version of a story by different people."""
    targets: dict[str, TargetConfig] = {}
    """Delivery targets by name: ``[targets.usb] type = "dir"``; channels (and their screens) name them."""
    publish: Publish = Publish()
    """Publisher settings."""
    report: Report = Report()
    """The work report."""
    build: Build = Build()
    """Where the build renders: this machine, or a Dask cluster."""
    review_server: ReviewServer = ReviewServer()
    """Reviewing in the browser (``publisher serve --review``)."""

    @field_validator("reviewers")
    @classmethod
    def _reviewers_hold_known_stages(cls, reviewers: list[Reviewer], info: ValidationInfo) -> list[Reviewer]:
        seen: dict[str, str] = {}
        for reviewer in reviewers:
            same = person_key(reviewer.name)
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

    def channels_for(self, kind: Kind) -> list[str]:
        defaults = self.kinds.get(kind)
        return list(defaults.channels) if defaults else list(self.channels)

    def section_for(self, kind: Kind) -> str:
        defaults = self.kinds.get(kind)
        return (defaults.section if defaults and defaults.section else kind)

    def language_of(self, channel: str) -> Language:
        return self.channels[channel].language or self.language


def person_key(name: str) -> str:
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
    data, channel_errors, adopted = _channel_tables(data)
    try:
        config = SiteConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(*_diagnostics(path, text, channel_errors + exc.errors(), adopted)) from None
    if channel_errors:
        raise ConfigError(*_diagnostics(path, text, channel_errors, adopted))
    problems = []
    for kind, defaults in config.kinds.items():
        for name in defaults.channels:
            if name not in config.channels:
                line, col = toml_key_line(text, ("kinds", kind, "channels"))
                problems.append(Diagnostic(str(path), line, col,
                                           _("kinds.{kind}.channels: unknown channel {name!r}").format(
                                               kind=kind, name=name)))
    for name, channel in config.channels.items():
        problems += channel.problems(name, path, text)
        for keys, target in channel.targets_named(name):
            if target not in config.targets:
                shown = _adopted_keys(keys, adopted)
                line, col = _place(text, shown)
                problems.append(Diagnostic(str(path), line, col, _("{key}: unknown target {target!r}").format(
                    key=".".join(str(k) for k in shown), target=target)))
    for keys, value in ((("safety", "wording"), config.safety.wording), (("safety", "ledger"), config.safety.ledger),
                        (("publish", "output"), config.publish.output),
                        (("publish", "batches"), config.publish.batches),
                        (("report", "folder"), config.report.folder)):
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


def _channel_tables(data: dict) -> tuple[dict, list[dict], dict[tuple, tuple]]:
    """Validate each ``[channels.NAME]`` table with the model of its type (from the installed
    channel plugins), after giving it the top-level tables of older sites its type adopts
    (``[[screens]]`` for LED channels). Returns the data with validated channels, the errors
    (located as pydantic locates them), and where adopted keys were really written."""
    types = plugins.channel_types()
    by_name = plugins.by_type()
    adoptable = {key for cls in types.values() for key in getattr(cls, "adopts", ())}
    top = {key: data[key] for key in adoptable if key in data}
    data = {key: value for key, value in data.items() if key not in adoptable}
    tables = data.get("channels", {})
    if not isinstance(tables, dict):
        return data, [], {}
    errors: list[dict] = []
    adopted: dict[tuple, tuple] = {}
    validated: dict = {}
    for name, table in tables.items():
        where = ("channels", name)
        if not isinstance(table, dict):
            errors.append({"type": "dict_type", "loc": where, "msg": "Input should be a table", "input": table})
            continue
        kind = table.get("type")
        cls = by_name.get(kind) if isinstance(kind, str) else None
        if cls is None:
            errors.append({"type": "missing_type" if kind is None else "unknown_type", "loc": where,
                           "msg": "", "input": kind, "known": ", ".join(sorted(types))})
            continue
        table = dict(table)
        for key in getattr(cls, "adopts", ()):
            if key in top and key in table:
                errors.append({"type": "adopted_twice", "loc": (key,), "msg": "", "input": None,
                               "channel": name})
            elif key in top:
                table[key] = top[key]
                adopted[(*where, key)] = (key,)
        try:
            validated[name] = cls.Settings.model_validate(table)
        except ValidationError as exc:
            errors += [{**err, "loc": (*where, *err["loc"])} for err in exc.errors()]
    for key in top:
        readers = [prefix[1] for prefix in adopted if prefix[-1] == key]
        if len(readers) > 1:  # two LED channels would send two loops to the same screen
            errors.append({"type": "adopted_twice", "loc": (key,), "msg": "", "input": None,
                           "channel": readers[1]})
    # A top-level table no configured channel reads (screens without an LED channel) is still checked,
    # as the type that would read it sees it.
    for key, value in top.items():
        if any(prefix[-1] == key for prefix in adopted) or any(err["loc"] == (key,) for err in errors):
            continue
        cls = next(cls for cls in types.values() if key in getattr(cls, "adopts", ()))
        try:
            cls.Settings.model_validate({"type": cls.type, key: value})
        except ValidationError as exc:
            errors += [{**err, "loc": tuple(err["loc"])} for err in exc.errors() if err["loc"][:1] == (key,)]
    return {**data, "channels": validated}, errors, adopted


def _adopted_keys(keys: tuple, adopted: dict[tuple, tuple]) -> tuple:
    """Where a key of a channel really is in config.toml: ``channels.led.screens.0.deliver`` is
    ``screens.0.deliver`` when the screens were written at the top level (the older form)."""
    for prefix, written in adopted.items():
        if keys[:len(prefix)] == prefix:
            return (*written, *keys[len(prefix):])
    return keys


def _place(text: str, keys: tuple) -> tuple[int, int]:
    """Line and column of a key path, through arrays of tables (``screens.2.width``)."""
    for index, key in enumerate(keys):
        if isinstance(key, int) and index:
            line, col = _nth_table_line(text, ".".join(str(k) for k in keys[:index]), key)
            if index + 1 < len(keys):
                line, col = _key_after(text, line, str(keys[index + 1]))
            return line, col
    return toml_key_line(text, keys)


def _nth_table_line(text: str, name: str, index: int) -> tuple[int, int]:
    """Line of the ``index``-th ``[[name]]`` table (``name`` dotted: ``channels.led.screens``)."""
    count = -1
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.strip().startswith(f"[[{name}]]"):
            count += 1
            if count == index:
                return number, 1
    return 1, 1


def _diagnostics(path: Path, text: str, errors: list[dict], adopted: dict[tuple, tuple]) -> list[Diagnostic]:
    out = []
    for err in first_per_place(errors):
        keys = _adopted_keys(_clean_loc(tuple(err["loc"])), adopted)
        line, col = _place(text, keys)
        dotted = ".".join(str(k) for k in keys) or _("(top level)")
        if err["type"] == "extra_forbidden":
            message = _("{key}: unknown key").format(key=dotted)
        elif err["type"] == "unknown_type":
            message = _("{key}: unknown channel type {type!r} (known: {known})").format(
                key=dotted, type=err.get("input"), known=err["known"])
        elif err["type"] == "missing_type":
            message = _("{key}: missing 'type' ({known})").format(key=dotted, known=err["known"])
        elif err["type"] == "adopted_twice":
            message = _("{key}: read both at the top level and by [channels.{channel}] (two channels, or two "
                        "places); give each channel its own [[channels.NAME.{key}]]").format(
                key=dotted, channel=err["channel"])
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
    """Drop pydantic's discriminator tags (``targets.x.ftp.host`` -> ``targets.x.host``)."""
    keys = list(loc)
    if len(keys) >= 3 and keys[0] == "targets" and keys[2] in ("dir", "ftp", "webhook"):
        del keys[2]
    return tuple(keys)
