"""Image cards drawn with Pillow: a title card, section, quote, key-figure, officer and closing cards.

Each card knows the boxes it drew into (text and decoration); ink never leaves them, which
the tests check pixel by pixel. Sizes scale with the card width, so a channel may ask for
other dimensions. Every card but the title card sets its texts as one column whose type scales
to the content (``textbox.fit_column``): a short quote is set large, a long one smaller, and
neither leaves most of the card empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from PIL import Image, ImageDraw

from publisher.config import Theme
from publisher.i18n import _
from publisher.render import photos, textbox
from publisher.render.textbox import Block, Box


@dataclass
class Card:
    kind: str
    image: Image.Image
    boxes: list[tuple[str, Box]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    lines: dict[str, list[str]] = field(default_factory=dict)
    """Each text box's lines exactly as drawn, by role (the typesetting audit reads them)."""

    def to_json(self, file: str) -> dict:
        return {"file": file, "kind": self.kind, "texts": self.texts,
                "boxes": [{"role": role, "x": b.x, "y": b.y, "width": b.width, "height": b.height,
                           **({"lines": self.lines[role]} if role in self.lines else {})}
                          for role, b in self.boxes]}


BALANCED = {"title", "quote", "label", "caption", "name", "position"}
"""Card texts set as headlines: lines of even length (body-like texts fill line by line)."""


def card_name(kind: str) -> str:
    """A card kind as the team calls it (``section`` → 小节卡), for messages."""
    names = {"title": _("title card"), "section": _("section card"), "quote": _("quote card"),
             "figures": _("figures card"), "officer": _("officer card"), "closing": _("closing card"),
             "cover": _("cover")}
    return names.get(kind, kind)


def text_name(role: str) -> str:
    """A text box of a card as the team calls it (``heading-2`` → 小标题), for messages."""
    names = {"title": _("title"), "summary": _("summary"), "heading": _("section heading"),
             "key": _("key sentence"), "quote": _("quote"), "attribution": _("attribution"),
             "label": _("figure label"), "figure": _("figure"), "caption": _("caption"), "name": _("name"),
             "position": _("position"), "honors": _("honours"), "hotline": _("hotline label"),
             "number": _("number"), "account": _("account name"), "footer": _("footer"), "tag": _("tag")}
    base = re.split(r"[-\d]", role, maxsplit=1)[0]
    return names.get(role, names.get(base, role))


class CardTextTooLong(Exception):
    def __init__(self, role: str, text: str):
        super().__init__(role)
        self.role, self.text = role, text


class CardPainter:
    """Draws the cards of one story at one size, theme and language."""

    def __init__(self, width: int, height: int, theme: Theme, language: str, account: str, footer: str):
        self.width, self.height = width, height
        self.theme, self.language = theme, language
        self.account, self.footer = account, footer
        self.s = width / 1080
        self.margin = round(80 * self.s)

    def _px(self, value: float) -> int:
        return round(value * self.s)

    def _canvas(self, kind: str) -> Card:
        image = Image.new("RGB", (self.width, self.height), self.theme.background)
        card = Card(kind, image)
        band = Box(0, 0, self.width, self._px(16))
        ImageDraw.Draw(image).rectangle((band.x, band.y, band.right - 1, band.bottom - 1), fill=self.theme.accent)
        card.boxes.append(("band", band))
        self._text(card, "account", self.account, Box(self.margin, self._px(56), self.width - 2 * self.margin,
                                                       self._px(56)), 34, 20, 500, self.theme.muted)
        self._text(card, "footer", self.footer,
                   Box(self.margin, self.height - self._px(120), self.width - 2 * self.margin, self._px(56)),
                   30, 18, 400, self.theme.muted)
        return card

    def _text(self, card: Card, role: str, text: str, box: Box, max_size: int, min_size: int, weight: int,
              fill: str, align: str = "left", valign: str = "top", spacing: float = 1.25) -> None:
        if not text:
            return
        try:
            fitted = textbox.fit(text, box, self._px(max_size), max(8, self._px(min_size)), weight,
                                 self.language, spacing, align, balance=role in BALANCED)
        except textbox.DoesNotFit:
            raise CardTextTooLong(role, text) from None
        textbox.draw(ImageDraw.Draw(card.image), fitted, fill, valign)
        card.boxes.append((role, box))
        card.texts.append(text)
        card.lines[role] = list(fitted.lines)

    def title_card(self, title: str, summary: str, photo: Path | None) -> Card:
        card = self._canvas("title")
        inner = self.width - 2 * self.margin
        if photo is not None:
            area = Box(0, self._px(150), self.width, self._px(620))
            card.image.paste(photos.cover(photo, (area.width, area.height)), (area.x, area.y))
            card.boxes.append(("photo", area))
            self._text(card, "title", title, Box(self.margin, self._px(820), inner, self._px(300)), 88, 40, 700,
                       self.theme.text, spacing=1.2)
            self._text(card, "summary", summary, Box(self.margin, self._px(1140), inner, self._px(160)), 40, 24,
                       400, self.theme.muted, spacing=1.35)
        else:
            self._text(card, "title", title, Box(self.margin, self._px(300), inner, self._px(520)), 120, 44, 800,
                       self.theme.text, valign="bottom", spacing=1.18)
            rule = Box(self.margin, self._px(880), self._px(140), self._px(12))
            ImageDraw.Draw(card.image).rectangle((rule.x, rule.y, rule.right - 1, rule.bottom - 1),
                                                 fill=self.theme.accent)
            card.boxes.append(("rule", rule))
            self._text(card, "summary", summary, Box(self.margin, self._px(950), inner, self._px(330)), 48, 26,
                       400, self.theme.muted, spacing=1.4)
        return card

    # -- cards whose type scales to their content ------------------------------------------------

    @property
    def content(self) -> Box:
        """Between the account line and the footer: where a column of text is centred."""
        top, bottom = self._px(210), self.height - self._px(200)
        return Box(self.margin, top, self.width - 2 * self.margin, bottom - top)

    def _column(self, card: Card, blocks: list[tuple[Block, str, bool]]) -> None:
        """Draw ``blocks`` (each with its colour, and whether an accent rule sits in the gap above
        it) as one column scaled to fill the content area. Sizes and gaps are given for a card 1080
        pixels wide; blocks without text are left out."""
        shown = [(replace(block, max_size=self._px(block.max_size), min_size=max(8, self._px(block.min_size)),
                          gap=self._px(block.gap), one_line_from=self._px(block.one_line_from)), fill, rule)
                 for block, fill, rule in blocks if block.text.strip()]
        try:
            placed = textbox.fit_column([block for block, _fill, _rule in shown], self.content, self.language)
        except textbox.BlockDoesNotFit as exc:
            raise CardTextTooLong(exc.block.role, exc.block.text) from None
        draw = ImageDraw.Draw(card.image)
        for index, ((block, fill, rule), laid) in enumerate(zip(shown, placed, strict=True)):
            textbox.draw(draw, laid, fill)
            card.boxes.append((block.role, laid.box))
            card.texts.append(block.text)
            card.lines[block.role] = list(laid.lines)
            if rule and index:
                self._rule(card, placed[index - 1].box.bottom, laid.box.y)

    def _rule(self, card: Card, above: int, below: int) -> None:
        """A short accent rule centred in the gap between ``above`` and ``below`` (if it has room)."""
        height = max(2, self._px(8))
        if below - above < 3 * height:
            return
        rule = Box(self.margin, (above + below - height) // 2, self._px(120), height)
        ImageDraw.Draw(card.image).rectangle((rule.x, rule.y, rule.right - 1, rule.bottom - 1), fill=self.theme.accent)
        card.boxes.append(("rule", rule))

    def section_card(self, sections: list[tuple[int, str, str]]) -> Card:
        """One or more sections of the story (number, heading, key sentence), in order."""
        card = self._canvas("section")
        blocks: list[tuple[Block, str, bool]] = []
        for number, heading, key in sections:
            n = f"-{number}"
            blocks += [
                (Block("number" + n, f"{number:02d}", 170, 40, 900, ink_only=True, gap=130 if blocks else 0),
                 self.theme.accent, False),
                (Block("heading" + n, heading, 150, 44, 800, 1.2, balance=True, gap=48, one_line_from=100),
                 self.theme.text, False),
                (Block("key" + n, key, 108, 30, 500, 1.5, gap=120), self.theme.text, True)]
        self._column(card, blocks)
        return card

    def quote_card(self, quote: str, attribution: str) -> Card:
        card = self._canvas("quote")
        self._column(card, [
            (Block("mark", "“", 360, 100, 900, ink_only=True), self.theme.accent, False),
            (Block("quote", quote, 120, 34, 500, 1.45, balance=True, gap=80), self.theme.text, False),
            (Block("attribution", f"—— {attribution}" if attribution else "", 48, 26, 400, align="right", gap=60),
             self.theme.muted, False)])
        return card

    def figures_card(self, figures: list[tuple[str, str]], caption: str) -> Card:
        """Key figures (label, value with its unit), one under another, and the story's title."""
        card = self._canvas("figure")
        blocks: list[tuple[Block, str, bool]] = []
        for number, (label, value) in enumerate(figures, start=1):
            blocks += [
                (Block(f"label-{number}", label, 84, 30, 500, 1.2, balance=True, gap=110 if blocks else 0),
                 self.theme.text, False),
                (Block(f"figure-{number}", value, 400, 64, 900, max_lines=1, gap=44, ink_only=True),
                 self.theme.accent, False)]
        blocks.append((Block("caption", caption, 56, 24, 400, 1.35, balance=True, gap=130), self.theme.muted, True))
        self._column(card, blocks)
        return card

    def officer_card(self, name: str, position: str, honors: list[str]) -> Card:
        card = self._canvas("officer")
        self._column(card, [
            (Block("name", name, 220, 60, 900, 1.15, balance=True), self.theme.text, False),
            (Block("position", position, 64, 28, 500, 1.3, balance=True, gap=44, one_line_from=44),
             self.theme.muted, False),
            (Block("honors", "\n".join(honors), 80, 28, 700, 1.45, gap=130, one_line_from=52),
             self.theme.accent, True)])
        return card

    def closing_card(self, hotlines: list[str], account: str) -> Card:
        """The hotlines (``全国反诈预警专线 96110``: the label, then the number large) and the account."""
        card = self._canvas("closing")
        blocks: list[tuple[Block, str, bool]] = []
        for number, line in enumerate(hotlines, start=1):
            label, digits = split_hotline(line)
            blocks += [
                (Block(f"hotline-{number}", label, 68, 28, 500, 1.25, balance=True, gap=100 if blocks else 0),
                 self.theme.text, False),
                (Block(f"number-{number}", digits, 260, 60, 900, max_lines=1, gap=36 if label else 100,
                       ink_only=True), self.theme.accent, False)]
        blocks.append((Block("account-name", account, 72, 30, 700, 1.25, balance=True, gap=130), self.theme.text,
                       True))
        self._column(card, blocks)
        return card


_HOTLINE = re.compile(r"^(.*?)[\s:：]*(\d[\d-]{1,18}\d)$")


def split_hotline(line: str) -> tuple[str, str]:
    """``全国反诈预警专线 96110`` → (``全国反诈预警专线``, ``96110``); without a number at its end the
    line is all label: (``line``, ``""``)."""
    found = _HOTLINE.match(line.strip())
    return (found.group(1).strip(), found.group(2)) if found else (line.strip(), "")
