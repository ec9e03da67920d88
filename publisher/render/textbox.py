"""Fit text into a box: the largest font size at which it wraps inside, never cut off.

Used by every image renderer (Weibo cards, WeChat covers, and later Douyin and LED).
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import ImageDraw, ImageFont

from publisher.i18n import _
from publisher.render import fonts, linebreak


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height


@dataclass
class TextLayout:
    lines: list[str]
    size: int
    weight: int
    language: str
    line_height: int
    box: Box
    align: str = "left"

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        return fonts.font(self.size, self.weight, self.language)

    @property
    def height(self) -> int:
        ascent, descent = self.font.getmetrics()
        return (len(self.lines) - 1) * self.line_height + ascent + descent if self.lines else 0


class DoesNotFit(Exception):
    def __init__(self, text: str, box: Box, min_size: int):
        super().__init__(_("text does not fit a {width}x{height} box even at {size}px: {text}…").format(
            width=box.width, height=box.height, size=min_size, text=text[:30]))


def layout(text: str, box: Box, size: int, weight: int = 400, language: str = "zh-Hans",
           spacing: float = 1.25, align: str = "left", balance: bool = False) -> TextLayout:
    """Wrap ``text`` at one font size (no fitting); ``balance`` evens the lines (titles, quotes)."""
    face = fonts.font(size, weight, language)
    tag = fonts.shaping_language(language)

    def measure(s: str) -> float:
        return face.getlength(s, language=tag) if tag else face.getlength(s)

    lines = linebreak.wrap(text, box.width, measure, balance)
    ascent, descent = face.getmetrics()
    return TextLayout(lines, size, weight, language, round((ascent + descent) * spacing), box, align)


def fit(text: str, box: Box, max_size: int, min_size: int, weight: int = 400, language: str = "zh-Hans",
        spacing: float = 1.25, align: str = "left", max_lines: int | None = None, balance: bool = False) -> TextLayout:
    """The largest size in [min_size, max_size] at which ``text`` fits ``box``.

    Raises DoesNotFit when even ``min_size`` overflows: callers decide whether that is an
    error (a card) or a reason to flow onto another slide (LED).
    """
    def ok(size: int) -> TextLayout | None:
        result = layout(text, box, size, weight, language, spacing, align, balance)
        face = result.font
        tag = fonts.shaping_language(language)
        unbroken = linebreak.fits(text, box.width,
                                  lambda s: face.getlength(s, language=tag) if tag else face.getlength(s))
        if unbroken and result.height <= box.height and (max_lines is None or len(result.lines) <= max_lines):
            return result
        return None

    low, high, best = min_size, max_size, None
    while low <= high:
        mid = (low + high) // 2
        if (found := ok(mid)) is not None:
            best, low = found, mid + 1
        else:
            high = mid - 1
    if best is None:
        raise DoesNotFit(text, box, min_size)
    return best


def draw(image_draw: ImageDraw.ImageDraw, text_layout: TextLayout, fill: str, valign: str = "top") -> None:
    """Draw a layout inside its box (ink stays inside: lines start at the font's ascent)."""
    face = text_layout.font
    tag = fonts.shaping_language(text_layout.language)
    box = text_layout.box
    y = box.y
    if valign == "middle":
        y += (box.height - text_layout.height) // 2
    elif valign == "bottom":
        y += box.height - text_layout.height
    for line in text_layout.lines:
        width = face.getlength(line, language=tag) if tag else face.getlength(line)
        x = box.x
        if text_layout.align == "center":
            x += (box.width - width) / 2
        elif text_layout.align == "right":
            x += box.width - width
        image_draw.text((x, y), line, font=face, fill=fill, anchor="la", language=tag)
        y += text_layout.line_height
