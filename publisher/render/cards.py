"""Image cards drawn with Pillow: a title card, quote cards, key-figure cards, officer cards.

Each card knows the boxes it drew into (text and decoration); ink never leaves them, which
the tests check pixel by pixel. Sizes scale with the card width, so a channel may ask for
other dimensions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

from publisher.config import Theme
from publisher.render import photos, textbox
from publisher.render.textbox import Box


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

    def quote_card(self, quote: str, attribution: str) -> Card:
        card = self._canvas("quote")
        inner = self.width - 2 * self.margin
        self._text(card, "mark", "“", Box(self.margin, self._px(200), self._px(220), self._px(240)), 220, 120,
                   900, self.theme.accent)
        self._text(card, "quote", quote, Box(self.margin, self._px(460), inner, self._px(620)), 76, 34, 500,
                   self.theme.text, spacing=1.4)
        if attribution:
            self._text(card, "attribution", f"—— {attribution}",
                       Box(self.margin, self._px(1120), inner, self._px(70)), 40, 24, 400, self.theme.muted,
                       align="right")
        return card

    def figure_card(self, label: str, value: str, unit: str, title: str) -> Card:
        card = self._canvas("figure")
        inner = self.width - 2 * self.margin
        self._text(card, "label", label, Box(self.margin, self._px(330), inner, self._px(180)), 72, 36, 500,
                   self.theme.text, spacing=1.2)
        self._text(card, "figure", f"{value}{unit}", Box(self.margin, self._px(540), inner, self._px(380)), 320,
                   80, 900, self.theme.accent, valign="middle")
        self._text(card, "caption", title, Box(self.margin, self._px(1000), inner, self._px(220)), 48, 26, 400,
                   self.theme.muted, spacing=1.35)
        return card

    def officer_card(self, name: str, position: str, honors: list[str]) -> Card:
        card = self._canvas("officer")
        inner = self.width - 2 * self.margin
        self._text(card, "name", name, Box(self.margin, self._px(260), inner, self._px(240)), 180, 60, 900,
                   self.theme.text)
        self._text(card, "position", position, Box(self.margin, self._px(540), inner, self._px(140)), 56, 28,
                   500, self.theme.muted, spacing=1.3)
        if honors:
            self._text(card, "honors", "\n".join(honors), Box(self.margin, self._px(740), inner, self._px(520)),
                       64, 28, 700, self.theme.accent, spacing=1.45)
        return card
