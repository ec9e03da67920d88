"""The story: typed front matter plus its Markdown, with where every key was written."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from publisher.config import Kind
from publisher.content import markup
from publisher.content.frontmatter import Parsed
from publisher.i18n import _
from publisher.sourcepos import line_col

DAY_NAMES = {
    **{d: d for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    "monday": "mon", "tuesday": "tue", "wednesday": "wed", "thursday": "thu", "friday": "fri",
    "saturday": "sat", "sunday": "sun",
    "周一": "mon", "周二": "tue", "周三": "wed", "周四": "thu", "周五": "fri", "周六": "sat", "周日": "sun",
    "周天": "sun", "星期一": "mon", "星期二": "tue", "星期三": "wed", "星期四": "thu", "星期五": "fri",
    "星期六": "sat", "星期日": "sun", "星期天": "sun",
    "1": "mon", "2": "tue", "3": "wed", "4": "thu", "5": "fri", "6": "sat", "7": "sun",
}

KIND_NAMES = {"民警风采": "officer", "为民服务": "deed", "反诈宣传": "antifraud"}
"""``kind:`` may be written in Chinese."""
KIND_LABELS = {kind: label for label, kind in KIND_NAMES.items()}
"""Each kind as the team calls it: section names, badges on leaflets, the preview."""
STATUS_NAMES = {"草稿": "draft", "待发": "ready"}
ROLE_NAMES = {"受害人": "victim", "证人": "witness", "未成年人": "minor", "嫌疑人": "suspect", "民警": "officer",
              "群众": "public"}
ALIASES = {"kind": KIND_NAMES, "status": STATUS_NAMES, "role": ROLE_NAMES}
"""Chinese names of the English values, by key (messages list both)."""

_CHINESE_DATE = re.compile(r"\s*(\d{4})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|/\s*(\d{1,2})\s*/\s*(\d{1,2}))"
                           r"(?:\s*(?:T|\s)\s*(\d{1,2})\s*[:：点时]\s*(\d{1,2})\s*(?:[:：分]\s*(\d{1,2})\s*秒?)?)?\s*")


def chinese_name(value: Any, names: dict[str, str]) -> Any:
    """The English value of a Chinese name (``民警风采`` → ``officer``); anything else as it is."""
    return names.get(value.strip(), value) if isinstance(value, str) else value


def written_date(value: Any) -> Any:
    """``2021年4月8日``, ``2021/4/8`` (and ``2021年4月8日 08:00``) as a date (or a time); anything else
    as it is, for the field's own parsing (and its message)."""
    if not isinstance(value, str):
        return value
    match = _CHINESE_DATE.fullmatch(value)
    if not match:
        return value
    year, m1, d1, m2, d2, hour, minute, second = match.groups()
    try:
        day = dt.date(int(year), int(m1 or m2), int(d1 or d2))
        if hour is None:
            return day
        return dt.datetime.combine(day, dt.time(int(hour), int(minute), int(second or 0)))
    except ValueError:
        return value


def _qr_text(value: str) -> str:
    if any(not ch.isprintable() for ch in value):
        raise ValueError(_("qr holds an invisible or control character; write a link or a phone number"))
    return value.strip()


QrText = Annotated[str, AfterValidator(_qr_text)]
"""What a printed QR code encodes: a link or a phone number (``tel:96110``), printable, trimmed."""


def said(reason: str) -> bool:
    """Whether a reason says anything: spaces and invisible characters (a zero-width space) do not."""
    return any(not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Zs", "Zl", "Zp")
               for ch in reason)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)  # docstrings for people (see config.Schema)


class Officer(_Strict):
    name: str = Field(min_length=1)
    """The officer's name, as it will be published."""
    unit: str = ""
    """Unit, e.g. 望峰岗派出所."""
    title: str = ""
    """Position, e.g. 副所长."""
    honors: list[str] = []
    """Honours, e.g. 全国五一劳动奖章."""


class Figure(_Strict):
    label: str = Field(min_length=1)
    """What was counted, e.g. 找回走失群众."""
    value: str = Field(min_length=1)
    """The number as written, e.g. 17 or 3050."""
    unit: str = ""
    """Unit after the number, e.g. 人, 元."""
    sum: bool = True
    """Whether the work report adds this figure up with the same label and unit in other stories
    (协助找回走失群众 17人 + 5人). ``false`` for numbers that are not amounts: a hotline (96110), a year."""

    @field_validator("value", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value


PROTECTED_ROLES = frozenset({"victim", "minor"})
"""Roles whose faces are blurred in every photo of the story unless the person says ``blur: false``."""


class Person(_Strict):
    name: str = Field(min_length=1)
    """The name as written in the story."""
    role: Literal["victim", "witness", "minor", "suspect", "officer", "public"]
    """victim | witness | minor | suspect | officer | public (or 受害人 | 证人 | 未成年人 | 嫌疑人 | 民警 |
    群众). Only officers are published by name."""
    publish: bool = False
    """Publish this non-officer's full name (needs a ``reason``: consent, a commendation…)."""
    blur: bool | None = None
    """Blur the faces in the story's photos for this person: on by default for a victim or a minor
    (``blur: false`` keeps them sharp and needs a ``reason``); ``blur: true`` asks for it for anyone."""
    reason: str = ""
    """Why the name may be published, or why the faces may stay sharp."""

    @property
    def blurs_faces(self) -> bool:
        """Whether this person makes the story's photos blur every face."""
        return self.blur if self.blur is not None else self.role in PROTECTED_ROLES

    @field_validator("role", mode="before")
    @classmethod
    def _chinese_role(cls, value: Any) -> Any:
        return chinese_name(value, ROLE_NAMES)

    @model_validator(mode="after")
    def _publishing_needs_a_reason(self) -> Person:
        if self.publish and not said(self.reason):
            raise ValueError(_("people: publishing {name}'s name needs a reason").format(name=self.name))
        if self.blur is False and self.role in PROTECTED_ROLES and not said(self.reason):
            raise ValueError(_("people: keeping the faces in {name}'s photos sharp (blur: false) needs a reason, "
                               "e.g. the guardian's written consent").format(name=self.name))
        return self


class ImageEntry(_Strict):
    """One of the story's images: a file name, or ``{src: a.jpg, focus: [0.5, 0.3]}``."""

    src: str = Field(min_length=1)
    """The file, relative to the story (bundle) or to assets/."""
    focus: tuple[float, float] | None = None
    """Where the subject is, as fractions of the width and the height from the top left (``[0.5, 0.3]``):
    every crop keeps it in frame. Without it the subject is found automatically (faces, else what
    stands out)."""

    @field_validator("focus")
    @classmethod
    def _inside_the_photo(cls, focus: tuple[float, float] | None) -> tuple[float, float] | None:
        if focus is not None and not all(0.0 <= value <= 1.0 for value in focus):
            raise ValueError(_("focus {focus}: write [x, y] with both between 0 and 1 (0.5 is the middle; [0, 0] "
                               "the top left corner)").format(focus=list(focus)))
        return focus

    def __str__(self) -> str:
        return self.src


class Sensitive(_Strict):
    value: str = Field(min_length=1)
    """The exact text as it appears in the story (a phone number, a plate…)."""
    allow: bool = False
    """Publish it as written (needs a ``reason``); otherwise it is masked in every output."""
    reason: str = ""
    """Why it may be published (e.g. 派出所值班电话)."""

    @field_validator("value", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _allowing_needs_a_reason(self) -> Sensitive:
        if self.allow and not said(self.reason):
            raise ValueError(_("pii: allowing {value!r} needs a reason").format(value=self.value))
        return self


class FrontMatter(_Strict):
    title: str = Field(min_length=1)
    """Headline."""
    kind: Kind
    """officer | deed | antifraud (or 民警风采 | 为民服务 | 反诈宣传)."""
    date: dt.date
    """Date of the story (the deed or the profile)."""
    summary: str = ""
    """One or two sentences: the WeChat digest and the cards' subtitle."""
    topics: list[str] = []
    """Weibo topics, written without ``#``."""
    channels: list[str] | None = None
    """Channels this story goes to; default from config.toml per kind."""
    images: list[ImageEntry] = []
    """Images, relative to the story (bundle) or to assets/. The first is the lead image. Each is a file
    name or ``{src: a.jpg, focus: [x, y]}`` (where the subject is, kept in every crop)."""
    status: Literal["draft", "ready"] = "draft"
    """draft stories are built only with --drafts and never published (or 草稿 | 待发)."""
    publish_after: dt.datetime | dt.date | None = None
    """Not published before this date/time."""
    expire_after: dt.datetime | dt.date | None = None
    """Not published after this date/time."""
    officer: Officer | None = None
    """For officer profiles: name, unit, honours."""
    figures: list[Figure] = []
    """Key figures that get a card each: ``{label: 找回走失群众, value: 17, unit: 人}``."""
    voice: str | list[str] | None = None
    """Douyin voice-over: one audio file for the whole clip, or a list with one per scene."""
    music: str | None = None
    """Douyin background music, relative to the story or assets/."""
    screens: list[str] | None = None
    """LED: only these screens (names from config.toml); default: every screen."""
    days: list[str] | None = None
    """LED: only on these days of the week: mon … sun (or 周一 … 周日)."""
    hours: str | None = None
    """LED: only in this daily window, e.g. ``"07:00-22:00"`` (may wrap past midnight)."""
    urgent: bool = False
    """An urgent alert: first in every loop and repeated after every N items (config)."""
    people: list[Person] = []
    """People named in the story, with their role; all but officers are published as 王某."""
    pii: list[Sensitive] = []
    """Personal information the story keeps on purpose: masked in outputs, or allowed with a reason."""
    campaign: list[str] = []
    """Campaigns (专项活动) the story belongs to, e.g. ``我为群众办实事``: ``publisher report --campaign``
    reports on them. One name or a list."""
    copies: int | None = Field(None, ge=0, le=10_000_000)
    """Leaflets: how many copies of this story's leaflet were printed (the work report counts them;
    default: the print channel's ``copies``)."""
    qr: QrText = ""
    """What a printed QR code encodes for this story (a link, ``tel:96110``); empty: the channel's."""
    extra: dict[str, Any] = {}
    """Free-form keys for templates."""

    @field_validator("campaign", mode="before")
    @classmethod
    def _one_campaign(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("campaign")
    @classmethod
    def _plain_campaigns(cls, names: list[str]) -> list[str]:
        names = [name.strip() for name in names]
        if any(not name or any(not ch.isprintable() or ch in "/\\" for ch in name) for name in names):
            raise ValueError(_("campaign: write each campaign's name (no slashes or invisible characters)"))
        return names

    @field_validator("images", mode="before")
    @classmethod
    def _names_as_entries(cls, images: Any) -> Any:
        if isinstance(images, list):
            return [{"src": image} if isinstance(image, str) else image for image in images]
        return images

    @property
    def blurs_faces(self) -> bool:
        """Whether faces in the story's photos are blurred in every output (a victim or a minor is
        named, or someone asks for it with ``blur: true``)."""
        return any(person.blurs_faces for person in self.people)

    @field_validator("kind", mode="before")
    @classmethod
    def _chinese_kind(cls, value: Any) -> Any:
        return chinese_name(value, KIND_NAMES)

    @field_validator("status", mode="before")
    @classmethod
    def _chinese_status(cls, value: Any) -> Any:
        return chinese_name(value, STATUS_NAMES)

    @field_validator("date", "publish_after", "expire_after", mode="before")
    @classmethod
    def _chinese_dates(cls, value: Any) -> Any:
        return written_date(value)

    @field_validator("days", mode="before")
    @classmethod
    def _day_numbers(cls, days: Any) -> Any:
        return [str(d) if isinstance(d, int) else d for d in days] if isinstance(days, list) else days

    @field_validator("days")
    @classmethod
    def _known_days(cls, days: list[str] | None) -> list[str] | None:
        if days is None:
            return None
        normalized = []
        for day in days:
            key = str(day).strip().lower()
            if key not in DAY_NAMES:
                raise ValueError(_("unknown day {day!r}; use mon tue wed thu fri sat sun (or 周一 … 周日)").format(
                    day=day))
            normalized.append(DAY_NAMES[key])
        return normalized

    @field_validator("hours")
    @classmethod
    def _window(cls, hours: str | None) -> str | None:
        if hours is None:
            return None
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", hours)
        if not match:
            raise ValueError(_("hours {hours!r}: write a daily window like \"07:00-22:00\"").format(hours=hours))
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if not (0 <= h1 <= 24 and 0 <= h2 <= 24 and m1 < 60 and m2 < 60) or (h1, m1) == (h2, m2):
            raise ValueError(_("hours {hours!r}: not a valid window").format(hours=hours))
        return f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}"

    @field_validator("topics")
    @classmethod
    def _topics_are_bare(cls, topics: list[str]) -> list[str]:
        for topic in topics:
            if not topic.strip():
                raise ValueError(_("a topic is empty"))
            if "#" in topic or re.search(r"\s", topic):
                raise ValueError(_("topic {topic!r}: write it without '#' and without spaces").format(topic=topic))
            if "，" in topic or "、" in topic:
                raise ValueError(_("topic {topic!r}: separate topics with an English comma ',' (not '，' or "
                                   "'、')").format(topic=topic))
        return topics

    @model_validator(mode="after")
    def _officer_needs_officer(self) -> FrontMatter:
        if self.kind == "officer" and self.officer is None:
            raise ValueError(_("an officer story needs an 'officer:' mapping with at least 'name'"))
        return self


@dataclass
class Story:
    """One story file, validated. Renderers get this and nothing else from content/."""

    id: str
    """``<section>/<slug>``."""
    path: Path
    """The Markdown file."""
    site: Path
    meta: FrontMatter
    parsed: Parsed
    channels: list[str]
    images: list[Path] = field(default_factory=list)
    """Resolved image files, in the order of ``images``."""
    focus: dict[Path, tuple[float, float]] = field(default_factory=dict)
    """The focal point the front matter gives an image (``focus: [x, y]``), by resolved file."""
    media: dict[str, list[Path]] = field(default_factory=dict)
    """Resolved audio files: ``voice`` (one, or one per scene) and ``music``."""
    body_images: dict[str, Path] = field(default_factory=dict)
    """Images the Markdown body shows, by the ``src`` written there, resolved like ``images``."""
    source_hash: str = ""
    warnings: list = field(default_factory=list)
    """Warnings found while reading (wording), reported with the build's."""

    @property
    def files(self) -> list[Path]:
        """Every file the story uses besides itself (images, audio, body images), wherever each was
        found: with the story file, what reviewers approve."""
        found = [*self.images, *(p for paths in self.media.values() for p in paths), *self.body_images.values()]
        return list(dict.fromkeys(found))

    @property
    def section(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def slug(self) -> str:
        return self.id.split("/", 1)[1]

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def rel_path(self) -> str:
        try:
            return str(self.path.relative_to(self.site))
        except ValueError:
            return str(self.path)

    @cached_property
    def body(self) -> markup.Rendered:
        return markup.render(self.parsed.body)

    def position(self, *key: str | int) -> tuple[int, int]:
        return self.parsed.position(*key)

    def locate(self, needle: str) -> tuple[int, int]:
        """Line and column of the first occurrence of ``needle`` in the file (1, 1 if absent)."""
        text = self.path.read_text(encoding="utf-8")
        index = text.find(needle)
        return line_col(text, index) if index >= 0 else (1, 1)

    def drawn_texts(self) -> list[str]:
        """Text that image renderers draw with our font (so it must have every glyph)."""
        meta = self.meta
        texts = [meta.title, meta.summary, *self.body.quotes]
        texts += [f"{f.label}{f.value}{f.unit}" for f in meta.figures]
        if meta.officer:
            texts += [meta.officer.name, meta.officer.unit, meta.officer.title, *meta.officer.honors]
        return [t for t in texts if t]
