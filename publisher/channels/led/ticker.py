"""Strip screens (4:1 and wider): a horizontally scrolling ticker (走字) that wraps seamlessly.

The whole text is drawn once as one long strip; each frame is a slice of it, so scrolling
costs no drawing. The loop's length is one full pass, rounded to whole frames, and the last
frame joins the first without a jump.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from publisher.channels.led.settings import LedSettings, Screen
from publisher.channels.led.slides import margin
from publisher.render import fonts, linebreak
from publisher.render.video.encode import rgb_to_yuv420


@dataclass
class TickerSegment:
    story: str
    text: str
    width: int
    """Pixels this item occupies in the strip, separator included."""
    urgent: bool = False


@dataclass
class Ticker:
    strip: np.ndarray
    """H x period x 3: one full pass of the text."""
    segments: list[TickerSegment]
    frames: int
    fps: int

    @property
    def period(self) -> int:
        return self.strip.shape[1]

    @property
    def duration(self) -> float:
        return self.frames / self.fps

    def seconds(self, segment: TickerSegment) -> float:
        return self.duration * segment.width / self.period

    def frame_bytes(self, width: int) -> Iterator[bytes]:
        """Each frame as yuv420p bytes at the even encoded size: a window sliding left through
        the strip, wrapping around. The strip is converted to YUV once; offsets are even so
        the half-resolution chroma stays aligned, and the last frame joins the first."""
        even_width = width + width % 2
        strip = self.strip
        if strip.shape[0] % 2:
            strip = np.concatenate([strip, np.zeros((1, *strip.shape[1:]), strip.dtype)])
        repeats = math.ceil(even_width / self.period)  # enough of the start again to wrap one window
        wrapped = np.concatenate([strip, *([strip] * repeats)], axis=1)[:, :self.period + even_width]
        y, u, v = rgb_to_yuv420(wrapped)
        if width % 2:  # the padding column is black, as the RGB path pads it
            black = np.zeros_like(y[:, :1]) + 16
        for index in range(self.frames):
            offset = 2 * round(index * self.period / (2 * self.frames))
            offset %= self.period
            plane = y[:, offset:offset + even_width]
            if width % 2:
                plane = np.concatenate([y[:, offset:offset + width], black], axis=1)
            half = offset // 2
            yield (np.ascontiguousarray(plane).tobytes()
                   + np.ascontiguousarray(u[:, half:half + even_width // 2]).tobytes()
                   + np.ascontiguousarray(v[:, half:half + even_width // 2]).tobytes())


def build(items: list[tuple[str, str, bool]], screen: Screen, channel: LedSettings, language: str) -> Ticker:
    """``items`` are (story id, text, urgent). Text size fills the strip's height."""
    m = margin(screen)
    target = round(screen.height * channel.ticker_text)
    size = max(screen.min_text, min(screen.max_text or target, target, _size_for(screen.height - 2 * m, language)))
    face = fonts.font(size, 700, language)
    tag = fonts.shaping_language(language)
    ascent, descent = face.getmetrics()
    y = (screen.height - (ascent + descent)) // 2
    segments: list[TickerSegment] = []
    for story, text, urgent in items:
        piece = linebreak.drawable(text).replace("\n", " ") + channel.ticker_separator
        width = math.ceil(face.getlength(piece, language=tag) if tag else face.getlength(piece))
        segments.append(TickerSegment(story, piece, width, urgent))
    period = max(screen.width, sum(s.width for s in segments))
    if period % 2:  # even, so the wrap lands on an even offset
        segments[-1].width += 1
        period += 1
    image = Image.new("RGB", (period, screen.height), screen.theme.background)
    draw = ImageDraw.Draw(image)
    if screen.crisp:
        draw.fontmode = "1"
    x = 0
    for segment in segments:
        color = screen.theme.urgent if segment.urgent else screen.theme.text
        draw.text((x, y), segment.text, font=face, fill=color, anchor="la", language=tag)
        x += segment.width
    frames = max(1, round(period / channel.ticker_speed * channel.fps))
    return Ticker(np.asarray(image), segments, frames, channel.fps)


def _size_for(height: int, language: str) -> int:
    """Largest font size whose line (ascent + descent) fits ``height``."""
    size = height
    while size > 6:
        ascent, descent = fonts.font(size, 700, language).getmetrics()
        if ascent + descent <= height:
            return size
        size -= 1
    return size
