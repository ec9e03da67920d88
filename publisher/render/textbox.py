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
    ink_only: bool = False
    """Measured from the top of the first line's ink to the bottom of the last's, not by the
    font's ascent and descent, and (left-aligned) drawn with its ink on the box's left edge:
    display type (a big number, a quotation mark) sits tight."""

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        return fonts.font(self.size, self.weight, self.language)

    def ink_box(self, line: str) -> tuple[int, int, int, int]:
        """The ink of ``line`` drawn at (0, 0) with anchor ``la``: left, top, right, bottom (the
        font's bounding box is its advance box for some glyphs, so the rendered mask is measured)."""
        mask, (x, y) = self.font.getmask2(line, "L", anchor="la", language=fonts.shaping_language(self.language))
        box = mask.getbbox()
        if box is None:
            return 0, 0, 0, 0
        return x + box[0], y + box[1], x + box[2], y + box[3]

    def _ink_rows(self) -> tuple[int, int]:
        """Ink top of the first line and bottom of the last, from the top of the first line."""
        last = self.ink_box(self.lines[-1])[3]
        return self.ink_box(self.lines[0])[1], (len(self.lines) - 1) * self.line_height + last

    @property
    def top_trim(self) -> int:
        """Space above the first line's ink that ``draw`` leaves out (only ``ink_only`` layouts)."""
        return self._ink_rows()[0] if self.ink_only and self.lines else 0

    @property
    def height(self) -> int:
        if not self.lines:
            return 0
        if self.ink_only:
            top, bottom = self._ink_rows()
            return bottom - top
        ascent, descent = self.font.getmetrics()
        return (len(self.lines) - 1) * self.line_height + ascent + descent


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
    y = box.y - text_layout.top_trim
    if valign == "middle":
        y += (box.height - text_layout.height) // 2
    elif valign == "bottom":
        y += box.height - text_layout.height
    for line in text_layout.lines:
        width = face.getlength(line, language=tag) if tag else face.getlength(line)
        x = box.x
        if text_layout.ink_only and text_layout.align == "left":  # the ink, not the side bearing, on the edge
            x -= text_layout.ink_box(line)[0]
        if text_layout.align == "center":
            x += (box.width - width) / 2
        elif text_layout.align == "right":
            x += box.width - width
        image_draw.text((x, y), line, font=face, fill=fill, anchor="la", language=tag)
        y += text_layout.line_height


@dataclass(frozen=True)
class Block:
    """One text of a column (see ``fit_column``): how large it may be set, and how."""

    role: str
    text: str
    max_size: int
    min_size: int
    weight: int = 400
    spacing: float = 1.25
    align: str = "left"
    balance: bool = False
    max_lines: int | None = None
    gap: int = 0
    """Space above the block at full scale (it shrinks with the type)."""
    ink_only: bool = False
    """Take the block's height from its ink (display type); see ``TextLayout.ink_only``."""
    one_line_from: int = 0
    """Keep each paragraph on one line when they fit so at this size or larger (a short heading
    or an honour is not broken in two just to be set larger)."""


class BlockDoesNotFit(DoesNotFit):
    def __init__(self, block: Block, box: Box):
        super().__init__(block.text, box, block.min_size)
        self.block = block


SCALE_STEPS = 1000


def fit_column(blocks: list[Block], box: Box, language: str = "zh-Hans") -> list[TextLayout]:
    """Set ``blocks`` one under another, centred vertically in ``box``, at one common scale: the
    largest at which the column fits.

    Each block is set at its ``max_size`` times the scale, never below its ``min_size`` nor above
    the largest size at which it fits the width unbroken in ``max_lines``; gaps scale alike. So a
    short text is set large and fills the box, a long one smaller, and the blocks keep their
    proportions. Raises BlockDoesNotFit naming the block to shorten when even the smallest sizes
    overflow (the tallest block then), or when a block's words do not fit the width at its
    ``min_size``. Each returned layout's box is exactly where it is drawn.
    """
    caps = [_width_cap(block, box, language) for block in blocks]
    cache: dict[tuple[int, int], TextLayout] = {}

    def column(scale: int) -> tuple[list[TextLayout], int]:
        layouts, total = [], 0
        for index, (block, cap) in enumerate(zip(blocks, caps, strict=True)):
            size = min(cap, max(block.min_size, round(block.max_size * scale / SCALE_STEPS)))
            if (index, size) not in cache:
                found = layout(block.text, box, size, block.weight, language, block.spacing, block.align,
                               block.balance)
                found.ink_only = block.ink_only
                cache[index, size] = found
            layouts.append(cache[index, size])
            total += cache[index, size].height + (round(block.gap * scale / SCALE_STEPS) if index else 0)
        return layouts, total

    low, high, best = 0, SCALE_STEPS, None
    while low <= high:
        mid = (low + high) // 2
        layouts, total = column(mid)
        if total <= box.height:
            best, low = mid, mid + 1
        else:
            high = mid - 1
    if best is None:
        layouts, _total = column(0)
        tallest = max(range(len(blocks)), key=lambda i: layouts[i].height)
        raise BlockDoesNotFit(blocks[tallest], box)
    layouts, total = column(best)
    y = box.y + (box.height - total) // 2
    placed = []
    for index, (block, found) in enumerate(zip(blocks, layouts, strict=True)):
        if index:
            y += round(block.gap * best / SCALE_STEPS)
        placed.append(TextLayout(found.lines, found.size, found.weight, language, found.line_height,
                                 Box(box.x, y, box.width, found.height), found.align, found.ink_only))
        y += found.height
    return placed


def _width_cap(block: Block, box: Box, language: str) -> int:
    """The largest size at which ``block`` fits the box's width unbroken, in its ``max_lines``
    (a line per paragraph, when they fit so from ``one_line_from`` up)."""
    if 0 < block.one_line_from <= block.max_size:
        paragraphs = len([p for p in block.text.split("\n") if p.strip()])
        try:
            return fit(block.text, Box(box.x, box.y, box.width, 1 << 20), block.max_size, block.one_line_from,
                       block.weight, language, block.spacing, block.align, paragraphs, block.balance).size
        except DoesNotFit:
            pass
    try:
        return fit(block.text, Box(box.x, box.y, box.width, 1 << 20), block.max_size, block.min_size,
                   block.weight, language, block.spacing, block.align, block.max_lines, block.balance).size
    except DoesNotFit:
        raise BlockDoesNotFit(block, box) from None
