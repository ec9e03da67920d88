"""The clip's cover, designed for the feed (3:4, or 6:7 on 视频号): the photo full-bleed under a
dark scrim (or, without a photo, the designed backdrop with an icon), the story's kind on an
accent tag, the title large in the middle, where both crops keep it, and the account's name
once, at the foot.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from publisher.config import Theme
from publisher.render import photos, textbox
from publisher.render.cards import BALANCED, Card, CardTextTooLong
from publisher.render.textbox import Box
from publisher.render.video.design import backdrop
from publisher.render.video.icons import draw_icon, icon_for


class CoverPainter:
    def __init__(self, width: int, height: int, theme: Theme, language: str):
        self.width, self.height = width, height
        self.theme, self.language = theme, language
        self.s = width / 1080
        self.margin = round(84 * self.s)

    def cover(self, title: str, kind_label: str, account: str, photo: Path | None, words: str = "") -> Card:
        """The cover of a clip; ``words`` (the summary) help choose the icon when there is no photo."""
        card = Card("cover", self._background(photo, title + words))
        draw = ImageDraw.Draw(card.image)
        inner = self.width - 2 * self.margin
        middle = self.height // 2
        if kind_label:
            self._tag(card, draw, kind_label, middle - self._px(250))
        self._text(card, draw, "title", title, Box(self.margin, middle - self._px(160), inner, self._px(420)),
                   124, 52, 900, self.theme.text, spacing=1.16)
        foot = self.height - self._px(200)  # inside the centre 6:7 crop a feed may take of a 3:4 cover
        rule = Box(self.margin, foot + self._px(22), self._px(8), self._px(44))
        draw.rectangle((rule.x, rule.y, rule.right - 1, rule.bottom - 1), fill=self.theme.accent)
        card.boxes.append(("rule", rule))
        self._text(card, draw, "account", account, Box(self.margin + self._px(28), foot, inner - self._px(28),
                                                        self._px(88)), 44, 24, 700, self.theme.text,
                   valign="middle")
        return card

    def _background(self, photo: Path | None, words: str) -> Image.Image:
        if photo is None:
            image = backdrop(self.width, self.height, self.theme, 7).convert("RGBA")
            size = self._px(300)
            icon = draw_icon(icon_for(words, ""), size, (*_rgb(self.theme.accent), 255))
            image.alpha_composite(icon, ((self.width - size) // 2, self.height // 2 - self._px(300) - size))
            return image.convert("RGB")
        image = photos.cover(photo, (self.width, self.height)).convert("RGBA")
        # Dark from just above the title down, so the text reads on any photo; the top stays clear.
        scrim = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(scrim)
        colour = _rgb(self.theme.background)
        begin, span = self.height // 2 - self._px(480), self._px(600)
        for y in range(max(0, begin), self.height):
            ramp = min(1.0, (y - begin) / span)
            draw.line([(0, y), (self.width, y)], fill=(*colour, round(215 * ramp * ramp * (3 - 2 * ramp))))
        image.alpha_composite(scrim)
        return image.convert("RGB")

    def _tag(self, card: Card, draw: ImageDraw.ImageDraw, label: str, y: int) -> None:
        fitted = textbox.fit(label, Box(0, 0, self.width, self._px(60)), self._px(40), self._px(20), 700,
                             self.language)
        face = fitted.font
        width = round(face.getlength(label)) + 2 * self._px(24)
        box = Box(self.margin, y, width, self._px(68))
        draw.rounded_rectangle((box.x, box.y, box.right, box.bottom), radius=self._px(10), fill=self.theme.accent)
        self._text(card, draw, "kind", label, Box(box.x + self._px(24), box.y + self._px(8), width - self._px(48) + 2,
                                                  self._px(54)), 40, 20, 700, self.theme.background,
                   valign="middle")

    def _text(self, card: Card, draw: ImageDraw.ImageDraw, role: str, text: str, box: Box, max_size: int,
              min_size: int, weight: int, fill: str, valign: str = "top", spacing: float = 1.25) -> None:
        if not text:
            return
        try:
            fitted = textbox.fit(text, box, self._px(max_size), max(8, self._px(min_size)), weight, self.language,
                                 spacing, balance=role in BALANCED)
        except textbox.DoesNotFit:
            raise CardTextTooLong(role, text) from None
        textbox.draw(draw, fitted, fill, valign)
        card.boxes.append((role, box))
        card.texts.append(text)
        card.lines[role] = list(fitted.lines)

    def _px(self, value: float) -> int:
        return round(value * self.s)


def _rgb(color: str) -> tuple[int, int, int]:
    return Image.new("RGB", (1, 1), color).getpixel((0, 0))  # type: ignore[return-value]
