"""Weibo: the post text (with ``#话题#`` topics and 【小标题】 section headings) and 1-9 image cards.

Outputs in the rendition folder: ``post.txt``, ``card-1.png``…, and ``post.json`` (text,
length, limit, cards and their boxes) for the preview and the publisher. Which cards a post
carries is decided in ``plan.py``.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from publisher import atomic
from publisher.channels.weibo import plan
from publisher.config import ChannelSettings
from publisher.i18n import _
from publisher.render.channel import (
    Channel,
    ChannelReport,
    Delivered,
    Message,
    RenderContext,
    Tally,
    posted_stories,
    read_json,
    template_context,
)

if TYPE_CHECKING:  # the renderers are imported where they draw: a build that renders nothing never loads Pillow
    from publisher.render.cards import Card

TEMPLATE = "weibo/post.txt.j2"
NAMED_AT_MOST = 4
"""A warning names this many of the cards left out, then counts the rest."""


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
    closing_lines: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        ["全国反诈预警专线 96110", "报警求助请拨 110"], max_length=4)
    """Lines of the closing card, above the account name: a number at the end of a line is set
    large under its label (``全国反诈预警专线 96110``). Empty: posts carry no closing card."""

    def drawn_texts(self, name: str) -> list[tuple[tuple[str | int, ...], str]]:
        return [*super().drawn_texts(name), *((("channels", name, "closing_lines"), line)
                                              for line in self.closing_lines)]


def weibo_length(text: str) -> int:
    """Length as Weibo counts it: a CJK (non-ASCII) character is 1, two ASCII characters are 1."""
    halves = sum(1 if ord(ch) < 128 else 2 for ch in text)
    return math.ceil(halves / 2)


def post_text(ctx: RenderContext) -> tuple[str, list[str], int]:
    """The post from its template: (text, topics, Weibo length). Over the limit is an error."""
    channel: WeiboSettings = ctx.channel_config  # type: ignore[assignment]
    topics = list(dict.fromkeys([*ctx.story.meta.topics, *channel.topics]))
    from publisher.render import templates

    sections = [{"heading": s.heading, "text": s.text} for s in ctx.story.body.sections]
    text = templates.render(ctx.site, channel.template or TEMPLATE,
                            **template_context(ctx, topics=topics, sections=sections)).strip() + "\n"
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
    from publisher.render.cards import CardPainter, CardTextTooLong, card_name, text_name

    story, meta = ctx.story, ctx.story.meta
    footer = f"{ctx.config.name}　{meta.date.year}年{meta.date.month}月{meta.date.day}日"
    account = ctx.localize(ctx.account)
    painter = CardPainter(channel.card_width, channel.card_height, ctx.config.theme, ctx.language,
                          account, ctx.localize(footer))
    planned = plan.plan(story, channel.max_cards, channel.closing_lines, ctx.account, ctx.localize)
    if planned.left_out:
        named = _(", ").join(planned.left_out[:NAMED_AT_MOST])
        if len(planned.left_out) > NAMED_AT_MOST:
            named = _("{named} and {more} more").format(named=named, more=len(planned.left_out) - NAMED_AT_MOST)
        ctx.warn(_("{planned} cards planned, Weibo takes {most}: left out {left}").format(
            planned=planned.planned, most=channel.max_cards, left=named))
    cards = []
    for card in planned.cards:
        for text in card.texts:
            ctx.require_glyphs(text)
        try:
            cards.append(getattr(painter, f"{card.kind}_card")(*card.args))
        except CardTextTooLong as exc:
            message = _("{kind}: the {role} does not fit the card even at the smallest legible "
                        "size; shorten it: {text}…").format(kind=card_name(card.kind), role=text_name(exc.role),
                                                           text=exc.text[:24])
            if card.needle:
                raise ctx.error_at(card.needle, message) from None
            raise ctx.error(message, *card.key) from None
    return cards


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

    def report(self, items: Sequence[Delivered], only: set[str] | None = None) -> ChannelReport:
        """Posts on the account: 在“淮南谢家集公安在线”官方微博发布（相关）信息 7 条."""
        count = posted_stories(items, only)
        if not count:
            return ChannelReport()
        related = "相关" if only is not None else ""
        return ChannelReport([Tally(f"官方微博“{self.account}”发布信息", count, "条",
                                    f"在“{self.account}”官方微博发布{related}信息{count}条")])


def _topics(text: str) -> str:
    """Post text as HTML with ``#话题#`` highlighted, as Weibo shows it."""
    escaped = html.escape(text)
    return re.sub(r"#([^#\s]{1,40})#", r'<span class="topic">#\1#</span>', escaped).replace("\n", "<br>")

