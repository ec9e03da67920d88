"""WeChat official account: an article whose CSS is all inline, with local images and a cover.

Outputs: ``article.html``, the article as a page of its own that works opened from disk on any
machine (its images and a subset of the bundled font embedded; select all and copy, or the
preview's 复制正文, pastes it into the 公众号 editor with its images), ``images/…`` (the same
images as files, for uploading by hand), ``cover.jpg`` (2.35:1) and ``article.json`` (title,
digest, author, size of the body HTML the editor gets).
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from publisher import atomic
from publisher.config import ChannelSettings
from publisher.errors import Diagnostic
from publisher.i18n import _
from publisher.render import fonts, inputs
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
from publisher.sourcepos import toml_key_line
from publisher.timing import parse_slot

if TYPE_CHECKING:  # the renderers are imported where they draw: a build that renders nothing never loads Pillow
    from publisher.render import textbox

TEMPLATE = "wechat/article.html.j2"
PAGE_TEMPLATE = "wechat/page.html.j2"
BODY_START, BODY_END = "<!--article-->", "<!--/article-->"
"""Around the body in ``article.html``: what the editor gets (the preview copies it from there)."""
MAX_IMAGE_BYTES = 1024 * 1024  # WeChat refuses body images over 1 MB
MAX_IMAGE_WIDTH = 1080

_CLASS = re.compile(r'\s+class="[^"]*"')
_ATTRIBUTES = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
"""A tag's attributes up to its ``>``, quote-aware: css_inline writes a title's or an alt's ``>`` as it is."""
_IMG_TAG = re.compile(rf"<img\b{_ATTRIBUTES}>")
_IMG_SRC = re.compile(rf'(<img\b{_ATTRIBUTES}?\ssrc=")([^"]+)(")')


class WechatSettings(ChannelSettings):
    """``[channels.NAME] type = "wechat"``: an official-account article with its cover."""

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

    def problems(self, name: str, path: Path, text: str) -> list[Diagnostic]:
        """A subscription account gets one mass send a day, of up to 8 articles: same-day slots must
        share their time (they go out together), and at most 8."""
        by_day: dict[int, list] = {}
        for slot in self.slots:
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



def check(ctx: RenderContext) -> None:
    """Everything the build would refuse: title and digest limits, the article's size, the cover."""
    _limits(ctx)
    channel: WechatSettings = ctx.channel_config  # type: ignore[assignment]
    from publisher.render import templates

    lead = "images/lead.jpg" if ctx.story.images else None
    page = templates.render(ctx.site, channel.template or TEMPLATE,
                            **template_context(ctx, lead_image=lead, author=channel.author or ctx.account))
    page = _local_body_images(ctx, page, [], lead, copy=False)
    _check_size(ctx, channel, ctx.localize(article_body(page)))
    _cover_text(ctx, channel)


def _limits(ctx: RenderContext) -> None:
    channel: WechatSettings = ctx.channel_config  # type: ignore[assignment]
    meta = ctx.story.meta
    if len(meta.title) > channel.title_limit:
        raise ctx.error(_("title is {length} characters, over WeChat's limit of {limit} by {over}").format(
            length=len(meta.title), limit=channel.title_limit, over=len(meta.title) - channel.title_limit), "title")
    if len(meta.summary) > channel.digest_limit:
        raise ctx.error(_("summary (the WeChat digest) is {length} characters, over the limit of {limit} by "
                          "{over}").format(length=len(meta.summary), limit=channel.digest_limit,
                                           over=len(meta.summary) - channel.digest_limit), "summary")


def render(ctx: RenderContext) -> list[str]:
    channel: WechatSettings = ctx.channel_config  # type: ignore[assignment]
    meta = ctx.story.meta
    _limits(ctx)
    files: list[str] = []
    lead = None
    if ctx.story.images:
        lead = _copy_image(ctx.story.images[0], ctx.folder, "images/lead", files)
    from publisher.render import templates

    author = channel.author or ctx.account
    page = templates.render(ctx.site, channel.template or TEMPLATE,
                            **template_context(ctx, lead_image=lead, author=author))
    page = _local_body_images(ctx, page, files, lead)
    html = article_body(page)
    html = ctx.localize(html)
    _check_size(ctx, channel, html)
    atomic.write_text(ctx.folder / "article.html", _standalone_page(ctx, html, author))
    files.insert(0, "article.html")
    cover_lines = _draw_cover(ctx, channel, ctx.folder / "cover.jpg")
    files.append("cover.jpg")
    atomic.write_text(ctx.folder / "article.json", json.dumps({
        "title": ctx.localize(meta.title), "digest": ctx.localize(meta.summary), "author": ctx.localize(author),
        "cover": "cover.jpg", "cover_lines": cover_lines, "html_chars": len(html), "html_limit": channel.html_limit,
        "images": [f for f in files if f.startswith("images/")],
    }, ensure_ascii=False, indent=2))
    files.append("article.json")
    return files


def _check_size(ctx: RenderContext, channel: WechatSettings, html: str) -> None:
    if len(html) > channel.html_limit:
        raise ctx.error(_("WeChat article HTML is {length} characters, over the limit of {limit} by {over}; "
                          "shorten the story or simplify the template").format(
            length=len(html), limit=channel.html_limit, over=len(html) - channel.html_limit))


def _standalone_page(ctx: RenderContext, body: str, author: str) -> str:
    """``body`` as a page of its own: images embedded, and the font subset of exactly the
    characters the page shows, so it reads right on a machine without any Chinese font."""
    from publisher.render import templates

    meta = ctx.story.meta

    def page(article: str, font: str) -> str:
        return templates.render(ctx.site, PAGE_TEMPLATE, story=meta, title=ctx.localize(meta.title),
                                author=ctx.localize(author), language=ctx.language, font=font,
                                article=f"{BODY_START}\n{article}{BODY_END}")

    shown = html.unescape(re.sub(r"<[^>]*>", "", page(body, "")))
    font = base64.b64encode(fonts.subset(shown, ctx.language, flavor="woff", layout=False)).decode("ascii")
    return page(embed_images(body, ctx.folder), f"data:font/woff;base64,{font}")


def embed_images(body: str, folder: Path) -> str:
    """Local ``src="images/…"`` as data URIs (the editor uploads pasted images; a file path it cannot)."""

    def embed(match: re.Match) -> str:
        path = folder / html.unescape(match.group(2))
        if not path.is_file() or not path.resolve().is_relative_to(folder.resolve()):
            return match.group(0)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"{match.group(1)}data:image/jpeg;base64,{data}{match.group(3)}"

    return _IMG_SRC.sub(embed, body)


def article_fragment(page: str) -> str:
    """The body the editor gets, out of ``article.html`` (the whole ``<body>`` of a page whose
    site template dropped the marks)."""
    start, end = page.find(BODY_START), page.find(BODY_END)
    if 0 <= start < end:
        return page[start + len(BODY_START):end].strip() + "\n"
    match = re.search(r"<body[^>]*>(.*)</body>", page, re.S)
    return (match.group(1) if match else page).strip() + "\n"


def plain_text(body: str) -> str:
    """The body as plain text, a paragraph a line (what a plain-text paste gets)."""
    text = re.sub(r"<(?:br)\b[^>]*>|</(?:p|h[1-6]|li|blockquote|section|div)>", "\n", body)
    text = html.unescape(re.sub(r"<[^>]*>", "", text))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def article_body(page: str) -> str:
    """Inline every style, then keep only the body and drop classes (WeChat strips them)."""
    import css_inline

    inlined = css_inline.inline(page)
    match = re.search(r"<body[^>]*>(.*)</body>", inlined, re.S)
    body = match.group(1) if match else inlined
    body = _CLASS.sub("", body)
    return "\n".join(line.strip() for line in body.strip().splitlines() if line.strip()) + "\n"


def _local_body_images(ctx: RenderContext, page: str, files: list[str], lead: str | None, copy: bool = True) -> str:
    """Copy images the Markdown body references and point ``src`` at the copies (``copy=False``:
    only the names, as ``check`` measures the article)."""
    counter = iter(range(1, 1000))
    lead_file = ctx.story.images[0].resolve() if lead and ctx.story.images else None

    def same_as_lead(tag: re.Match) -> str:
        """The lead photo again in the body (a script's scene image) is shown once, at the top."""
        src = _IMG_SRC.search(tag.group(0))
        path = ctx.story.body_images.get(html.unescape(src.group(2))) if src else None
        return "" if lead_file is not None and path is not None and path.resolve() == lead_file else tag.group(0)

    page = _IMG_TAG.sub(same_as_lead, page)

    def replace(match: re.Match) -> str:
        src = match.group(2)
        if src == lead:  # the lead photo, already copied
            return match.group(0)
        if re.match(r"^[a-z]+:", src):
            raise ctx.error_at(src, _("image {src!r}: WeChat removes external images; put the file beside the "
                                      "story").format(src=src))
        path = ctx.story.body_images.get(html.unescape(src))
        if path is None:
            raise ctx.error_at(html.unescape(src), _("image {src!r} not found beside the story or under "
                                                     "assets/").format(src=src))
        stem = f"images/body-{next(counter)}"
        local = _copy_image(path, ctx.folder, stem, files) if copy else f"{stem}.jpg"
        return f"{match.group(1)}{local}{match.group(3)}"

    return _IMG_SRC.sub(replace, page)


def _copy_image(source: Path, folder: Path, stem: str, files: list[str]) -> str:
    """Save an image as JPEG no wider than 1080 px and under 1 MB (WeChat's body image rules)."""
    from PIL import Image

    image = inputs.open_image(source)
    if image.width > MAX_IMAGE_WIDTH:
        image = image.resize((MAX_IMAGE_WIDTH, max(1, round(image.height * MAX_IMAGE_WIDTH / image.width))),
                             Image.Resampling.LANCZOS)
    data = b""
    for quality in (88, 80, 70, 60, 50):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
        data = buffer.getvalue()
        if len(data) < MAX_IMAGE_BYTES:
            break
    name = f"{stem}.jpg"
    atomic.write_bytes(folder / name, data)
    files.append(name)
    return name


def _cover_text(ctx: RenderContext, channel: WechatSettings) -> textbox.TextLayout:
    """The title fitted to the cover (an error when it cannot fit)."""
    from publisher.render import textbox

    width, height = channel.cover_width, channel.cover_height
    title = ctx.localize(ctx.story.meta.title)
    ctx.require_glyphs(title)
    margin = round(width * 0.06)
    box = textbox.Box(margin, round(height * 0.18), width - 2 * margin, round(height * 0.64))
    try:
        return textbox.fit(title, box, round(height * 0.22), max(14, round(height * 0.07)), 800, ctx.language,
                           balance=True)
    except textbox.DoesNotFit:
        raise ctx.error(_("the title does not fit the WeChat cover; shorten it"), "title") from None


def _draw_cover(ctx: RenderContext, channel: WechatSettings, path: Path) -> list[str]:
    """Draw the cover; returns the title's lines as drawn."""
    from PIL import Image, ImageDraw

    from publisher.render import photos, textbox

    width, height, theme = channel.cover_width, channel.cover_height, ctx.config.theme
    if ctx.story.images:
        image = photos.cover(ctx.story.images[0], (width, height))
        shade = Image.new("RGB", (width, height), theme.background)
        image = Image.blend(image, shade, 0.55)
    else:
        image = Image.new("RGB", (width, height), theme.background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width - 1, max(4, height // 40)), fill=theme.accent)
    text = _cover_text(ctx, channel)
    textbox.draw(draw, text, theme.text, valign="middle")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    atomic.write_bytes(path, buffer.getvalue())
    return list(text.lines)


class WechatChannel(Channel):
    type = "wechat"
    label = "微信公众号"
    Settings = WechatSettings
    quick = True
    preview_template = "wechat/preview.html.j2"

    def check(self, ctx: RenderContext) -> None:
        check(ctx)

    def render(self, ctx: RenderContext) -> list[str]:
        return render(ctx)

    def preview(self, folder: Path, link: str) -> dict:
        article = read_json(folder / "article.json")
        try:
            body = article_fragment((folder / "article.html").read_text(encoding="utf-8"))
        except OSError:
            body = ""
        # The article as the phone shows it: a page of its own, framed by the partial, which
        # also holds the body to copy (rich HTML with its images, and plain text).
        return {**article, "article": f"{link}/article.html", "copy_html": body, "copy_text": plain_text(body),
                "page": {"template": "wechat/preview-page.html.j2", "html": body}}

    def message(self, folder: Path) -> Message:
        article = read_json(folder / "article.json")
        text = f"{article.get('title', '')}\n{article.get('digest', '')}".strip()
        return Message(text, ["article.html", "cover.jpg", *article.get("images", [])])

    def report(self, items: Sequence[Delivered], only: set[str] | None = None) -> ChannelReport:
        """Articles sent: 在微信公众号“谢家集公安”推送（相关）文章 3 篇."""
        count = posted_stories(items, only)
        if not count:
            return ChannelReport()
        related = "相关" if only is not None else ""
        return ChannelReport([Tally(f"微信公众号“{self.account}”推送文章", count, "篇",
                                    f"在微信公众号“{self.account}”推送{related}文章{count}篇")])

