"""Burned-in subtitles (white with a dark outline, inside Douyin's safe area) and the SRT sidecar."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from publisher.config import DouyinChannel
from publisher.render import fonts
from publisher.render.textbox import Box
from publisher.render.video.timing import Cue

FILL = (255, 255, 255, 255)
OUTLINE = (16, 16, 16, 255)


def subtitle_box(channel: DouyinChannel) -> Box:
    """Where subtitle ink may appear: centred between the safe margins, bottom at ``subtitle_bottom``."""
    sx, sy = channel.width / 1080, channel.height / 1920
    size = round(channel.subtitle_size * sx)
    line_height = round(size * 1.32)
    height = line_height * channel.max_lines + round(size * 0.4)
    left = round(channel.safe_left * sx)
    right = channel.width - round(channel.safe_right * sx)
    bottom = round(channel.subtitle_bottom * sy)
    return Box(left, bottom - height, right - left, height)


@dataclass
class Overlay:
    """A pre-rendered layer for one region: composited as ``frame*(1-alpha) + premultiplied``."""

    box: Box
    alpha: np.ndarray
    premultiplied: np.ndarray
    image: Image.Image

    @classmethod
    def from_rgba(cls, image: Image.Image, box: Box) -> Overlay:
        data = np.asarray(image, dtype=np.float32) / 255.0
        alpha = data[:, :, 3:4]
        return cls(box, alpha, data[:, :, :3] * alpha * 255.0, image)

    def onto(self, frame: np.ndarray) -> None:
        """Composite in place onto an HxWx3 uint8 frame."""
        b = self.box
        region = frame[b.y:b.bottom, b.x:b.right]
        region[...] = (region * (1.0 - self.alpha) + self.premultiplied).astype(np.uint8)


def draw_cue(cue: Cue, channel: DouyinChannel, language: str) -> Overlay:
    box = subtitle_box(channel)
    sx = channel.width / 1080
    size = round(channel.subtitle_size * sx)
    stroke = max(2, round(size * 0.08))
    face = fonts.font(size, 700, language)
    tag = fonts.shaping_language(language)
    image = Image.new("RGBA", (box.width, box.height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    line_height = round(size * 1.32)
    ascent, descent = face.getmetrics()
    # Bottom-aligned: the last line's descent sits just above the box bottom.
    y = box.height - stroke - (ascent + descent) - (len(cue.lines) - 1) * line_height
    for line in cue.lines:
        width = face.getlength(line, language=tag) if tag else face.getlength(line)
        x = (box.width - width) / 2
        draw.text((x, y), line, font=face, fill=FILL, stroke_width=stroke, stroke_fill=OUTLINE,
                  anchor="la", language=tag)
        y += line_height
    return Overlay.from_rgba(image, box)


def srt(cues: list[Cue]) -> str:
    """SRT text: numbered from 1, ``HH:MM:SS,mmm`` times, one block per cue."""
    blocks = []
    for number, cue in enumerate(cues, start=1):
        blocks.append(f"{number}\n{_timestamp(cue.start)} --> {_timestamp(cue.end)}\n" + "\n".join(cue.lines) + "\n")
    return "\n".join(blocks)


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d},{millis:03d}"
