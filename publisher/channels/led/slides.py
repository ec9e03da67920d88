"""LED slides at the screen's native pixels: a headline and a few short lines, fitted.

Text takes the largest size that fits, down to the screen's minimum legible size; what does
not fit at that size flows onto the next slide (the headline repeats), never cut off. On
low screens text is drawn without anti-aliasing so each stroke lands on whole pixels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

from publisher.channels.led.settings import Screen
from publisher.render import fonts, photos, textbox
from publisher.render.textbox import Box, DoesNotFit

SPACING = 1.05  # LED lines sit tighter than print: the font's own ascent/descent is roomy


@dataclass
class Slide:
    image: Image.Image
    story: str
    urgent: bool = False
    lines: list[str] = field(default_factory=list)


@dataclass
class SlideText:
    story: str
    headline: str
    body: str
    photo: Path | None = None
    urgent: bool = False


def margin(screen: Screen) -> int:
    return max(2, round(min(screen.width, screen.height) * 0.04))


def slides_for(item: SlideText, screen: Screen, language: str) -> list[Slide]:
    """Every slide one item needs on ``screen``."""
    m = margin(screen)
    width, height = screen.width, screen.height
    area = Box(m, m, width - 2 * m, height - 2 * m)
    photo_box = None
    # A photo where the screen is big enough: tall enough to show a face, wide enough to leave a
    # text column of at least eight characters at the minimum size.
    if item.photo is not None and height >= 160 and width - round(area.height * 0.8) - 3 * m >= 8 * screen.min_text:
        side = area.height
        photo_box = Box(m, m, round(side * 0.8), side)
        area = Box(photo_box.right + m, m, width - photo_box.right - 2 * m, area.height)
    biggest = screen.max_text or max(screen.min_text, height // 3)
    headline_color = screen.theme.urgent if item.urgent else screen.theme.headline

    headline_box = Box(area.x, area.y, area.width, round(area.height * 0.45))
    try:
        head = textbox.fit(item.headline, headline_box, biggest, screen.min_text, 800, language, SPACING,
                           max_lines=2, balance=True)
    except DoesNotFit:
        head = None
    pages: list[tuple[textbox.TextLayout | None, textbox.TextLayout | None]] = []
    if head is None:
        # The headline alone needs whole slides; the body follows on its own slides.
        pages += [(page, None) for page in _flow(item.headline, area, screen.min_text, 800, language, balance=True)]
        body_area = area
        if item.body:
            pages += [(None, page) for page in _flow(item.body, body_area, screen.min_text, 500, language)]
    else:
        gap = max(1, round(head.size * 0.25))
        body_area = Box(area.x, area.y + head.height + gap, area.width, area.height - head.height - gap)
        if not item.body:
            pages.append((head, None))
        elif body_area.height < _line_height(screen.min_text, language):
            pages.append((head, None))
            pages += [(None, page) for page in _flow(item.body, area, screen.min_text, 500, language)]
        else:
            try:
                body = textbox.fit(item.body, body_area, min(head.size, biggest), screen.min_text, 500, language,
                                   SPACING)
                pages.append((head, body))
            except DoesNotFit:
                pages += [(head, page) for page in _flow(item.body, body_area, screen.min_text, 500, language)]
    photo = photos.cover(item.photo, (photo_box.width, photo_box.height)) if photo_box and item.photo else None
    slides = []
    for head_layout, body_layout in pages:
        image = Image.new("RGB", (width, height), screen.theme.background)
        draw = ImageDraw.Draw(image)
        if screen.crisp:
            draw.fontmode = "1"
        lines: list[str] = []
        if photo is not None and photo_box is not None:
            image.paste(photo, (photo_box.x, photo_box.y))
        if head_layout is not None:
            textbox.draw(draw, head_layout, headline_color)
            lines += head_layout.lines
        if body_layout is not None:
            textbox.draw(draw, body_layout, screen.theme.text)
            lines += body_layout.lines
        slides.append(Slide(image, item.story, item.urgent, lines))
    return slides


def _line_height(size: int, language: str) -> int:
    ascent, descent = fonts.font(size, 500, language).getmetrics()
    return ascent + descent


def _flow(text: str, box: Box, size: int, weight: int, language: str,
          balance: bool = False) -> list[textbox.TextLayout]:
    """Wrap at ``size`` and cut into slides of as many lines as the box holds, each slide ending
    where a sentence (else a clause) ends: the viewer never waits 8 s for the rest of a phrase."""
    probe = textbox.layout("", box, size, weight, language, SPACING)
    ascent, descent = probe.font.getmetrics()
    per_page = max(1, 1 + (box.height - (ascent + descent)) // probe.line_height)

    def lines_of(piece: str) -> list[str]:
        return textbox.layout(piece, box, size, weight, language, SPACING, balance=balance).lines

    return [textbox.TextLayout(page, size, weight, language, probe.line_height, box)
            for paragraph in text.split("\n") if paragraph.strip()
            for page in pages(paragraph.strip(), lines_of, per_page)]


_LEVELS = (re.compile(r".+?(?:[。！？!?…]+[”’」』）)]*|$)"), re.compile(r".+?(?:[，；：,;:]+[”’」』）)]*|$)"))


def pages(text: str, lines_of, per_page: int, level: int = 0) -> list[list[str]]:
    """``text`` in slides of at most ``per_page`` lines: whole sentences while they fit, a sentence
    too long for a slide by whole clauses, a clause too long for a slide between words."""
    if level == len(_LEVELS):
        lines = lines_of(text)
        return [lines[start:start + per_page] for start in range(0, len(lines), per_page)] or [[]]
    found: list[list[str]] = []
    current = ""
    for piece in (m.group() for m in _LEVELS[level].finditer(text) if m.group()):
        if len(lines_of(current + piece)) <= per_page:
            current += piece
            continue
        if current:
            found.append(lines_of(current))
            current = ""
        if len(lines_of(piece)) <= per_page:
            current = piece
        else:
            *whole, last = pages(piece, lines_of, per_page, level + 1)
            found += whole
            current = "".join(last)
    if current:
        found.append(lines_of(current))
    return found
