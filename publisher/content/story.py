"""The story: typed front matter plus its Markdown, with where every key was written."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from publisher.config import Kind
from publisher.content import markup
from publisher.content.frontmatter import Parsed


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


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

    @field_validator("value", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value


class FrontMatter(_Strict):
    title: str = Field(min_length=1)
    """Headline."""
    kind: Kind
    """officer | deed | antifraud."""
    date: dt.date
    """Date of the story (the deed or the profile)."""
    summary: str = ""
    """One or two sentences: the WeChat digest and the cards' subtitle."""
    topics: list[str] = []
    """Weibo topics, written without ``#``."""
    channels: list[str] | None = None
    """Channels this story goes to; default from config.toml per kind."""
    images: list[str] = []
    """Images, relative to the story (bundle) or to assets/. The first is the lead image."""
    status: Literal["draft", "ready"] = "draft"
    """draft stories are built only with --drafts and never published."""
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
    extra: dict[str, Any] = {}
    """Free-form keys for templates."""

    @field_validator("topics")
    @classmethod
    def _topics_are_bare(cls, topics: list[str]) -> list[str]:
        for topic in topics:
            if not topic.strip():
                raise ValueError("a topic is empty")
            if "#" in topic or re.search(r"\s", topic):
                raise ValueError(f"topic {topic!r}: write it without '#' and without spaces")
        return topics

    @model_validator(mode="after")
    def _officer_needs_officer(self) -> FrontMatter:
        if self.kind == "officer" and self.officer is None:
            raise ValueError("an officer story needs an 'officer:' mapping with at least 'name'")
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
    media: dict[str, list[Path]] = field(default_factory=dict)
    """Resolved audio files: ``voice`` (one, or one per scene) and ``music``."""
    source_hash: str = ""

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
        if index < 0:
            return (1, 1)
        line = text.count("\n", 0, index) + 1
        return (line, index - (text.rfind("\n", 0, index) + 1) + 1)

    def drawn_texts(self) -> list[str]:
        """Text that image renderers draw with our font (so it must have every glyph)."""
        meta = self.meta
        texts = [meta.title, meta.summary, *self.body.quotes]
        texts += [f"{f.label}{f.value}{f.unit}" for f in meta.figures]
        if meta.officer:
            texts += [meta.officer.name, meta.officer.unit, meta.officer.title, *meta.officer.honors]
        return [t for t in texts if t]
