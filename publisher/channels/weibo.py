"""Weibo: the post text (with ``#话题#`` topics) and 1-9 image cards.

Outputs in the rendition folder: ``post.txt``, ``card-1.png``…, and ``post.json`` (text,
length, limit, cards and their boxes) for the preview and the publisher.
"""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from publisher import atomic
from publisher.config import ChannelSettings
from publisher.i18n import _
from publisher.render.channel import Channel, Message, RenderContext, read_json, template_context

if TYPE_CHECKING:  # the renderers are imported where they draw: a build that renders nothing never loads Pillow
    from publisher.render.cards import Card

TEMPLATE = "weibo/post.txt.j2"


class WeiboSettings(ChannelSettings):
    """``[channels.NAME] type = "weibo"``: a post with ``#话题#`` topics and 1-9 image cards."""

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


def weibo_length(text: str) -> int:
    """Length as Weibo counts it: a CJK (non-ASCII) character is 1, two ASCII characters are 1."""
    halves = sum(1 if ord(ch) < 128 else 2 for ch in text)
    return math.ceil(halves / 2)


def post_text(ctx: RenderContext) -> tuple[str, list[str], int]:
    """The post from its template: (text, topics, Weibo length). Over the limit is an error."""
    channel: WeiboSettings = ctx.channel_config  # type: ignore[assignment]
    topics = list(dict.fromkeys([*ctx.story.meta.topics, *channel.topics]))
    from publisher.render import templates

    text = templates.render(ctx.site, channel.template or TEMPLATE,
                            **template_context(ctx, topics=topics)).strip() + "\n"
    text = ctx.localize(text)
    length = weibo_length(text.strip())
    if length > channel.limit:
        raise ctx.error(_("weibo post is {length} characters (Weibo count), over the channel {channel!r} limit "
                          "of {limit} by {over}").format(length=length, channel=ctx.channel, limit=channel.limit,
                                                         over=length - channel.limit))
    return text, topics, length


def check(ctx: RenderContext) -> None:
    """Everything the build would refuse: the post's length, and every card's text fitting."""
    channel: WeiboSettings = ctx.channel_config  # type: ignore[assignment]
    post_text(ctx)
    draw_cards(ctx, channel)


def render(ctx: RenderContext) -> list[str]:
    channel: WeiboSettings = ctx.channel_config  # type: ignore[assignment]
    text, topics, length = post_text(ctx)
    cards = draw_cards(ctx, channel)
    files = ["post.txt"]
    atomic.write_text(ctx.folder / "post.txt", text)
    described = []
    for number, card in enumerate(cards, start=1):
        name = f"card-{number}.png"
        card.image.save(ctx.folder / name, optimize=False, compress_level=6)
        described.append(card.to_json(name))
        files.append(name)
    atomic.write_text(ctx.folder / "post.json", json.dumps(
        {"text": text, "length": length, "limit": channel.limit, "topics": topics, "cards": described},
        ensure_ascii=False, indent=2))
    files.append("post.json")
    return files


def draw_cards(ctx: RenderContext, channel: WeiboSettings) -> list[Card]:
    from publisher.render.cards import CardPainter, CardTextTooLong

    story, meta = ctx.story, ctx.story.meta
    footer = f"{ctx.config.name}　{meta.date.year}年{meta.date.month}月{meta.date.day}日"
    painter = CardPainter(channel.card_width, channel.card_height, ctx.config.theme, ctx.language,
                          ctx.localize(ctx.account), ctx.localize(footer))
    lead = story.images[0] if story.images else None
    plan: list[tuple[str, tuple, tuple]] = [
        ("title", (meta.title, meta.summary, lead), ("title",))]
    if meta.officer:
        position = "　".join(p for p in (meta.officer.unit, meta.officer.title) if p)
        plan.append(("officer", (meta.officer.name, position, meta.officer.honors), ("officer",)))
    attribution = meta.officer.name if meta.officer else ""
    plan += [("quote", (quote, attribution), ()) for quote in story.body.quotes]
    plan += [("figure", (f.label, f.value, f.unit, meta.title), ("figures", i)) for i, f in enumerate(meta.figures)]
    if len(plan) > channel.max_cards:
        ctx.warn(_("{planned} cards planned, Weibo takes {most}: the last {left} are left out").format(
            planned=len(plan), most=channel.max_cards, left=len(plan) - channel.max_cards))
        plan = plan[:channel.max_cards]
    cards = []
    for kind, args, key in plan:
        localized = tuple(_localize(ctx, a) for a in args)
        for text in _texts(localized):
            ctx.require_glyphs(text)
        try:
            cards.append(getattr(painter, f"{kind}_card")(*localized))
        except CardTextTooLong as exc:
            raise ctx.error(_("{kind} card: the {role} text does not fit the card even at the smallest legible "
                              "size; shorten it: {text}…").format(kind=kind, role=exc.role, text=exc.text[:24]),
                            *key) from None
    return cards


def _localize(ctx: RenderContext, value: object) -> object:
    if isinstance(value, str):
        return ctx.localize(value)
    if isinstance(value, list):
        return [ctx.localize(v) for v in value]
    return value


def _texts(values: tuple) -> list[str]:
    out: list[str] = []
    for value in values:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list):
            out.extend(v for v in value if isinstance(v, str))
    return out


class WeiboChannel(Channel):
    type = "weibo"
    label = "微博"
    Settings = WeiboSettings
    quick = True
    preview_template = "weibo/preview.html.j2"

    def check(self, ctx: RenderContext) -> None:
        check(ctx)

    def render(self, ctx: RenderContext) -> list[str]:
        return render(ctx)

    def preview(self, folder: Path, link: str) -> dict:
        post = read_json(folder / "post.json")
        return {**post, "html": _topics(post.get("text", "")),
                "images": [f"{link}/{card['file']}" for card in post.get("cards", [])]}

    def message(self, folder: Path) -> Message:
        post = read_json(folder / "post.json")
        return Message(post.get("text", "").strip(), ["post.txt", *(card["file"] for card in post.get("cards", []))])


def _topics(text: str) -> str:
    """Post text as HTML with ``#话题#`` highlighted, as Weibo shows it."""
    escaped = html.escape(text)
    return re.sub(r"#([^#\s]{1,40})#", r'<span class="topic">#\1#</span>', escaped).replace("\n", "<br>")

