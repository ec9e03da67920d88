"""Burned-in subtitles (white with a dark outline, inside Douyin's safe area) and the SRT sidecar."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from publisher.render import fonts
from publisher.render.textbox import Box
from publisher.render.video.settings import ClipSettings
from publisher.render.video.timing import Cue

FILL = (255, 255, 255, 255)
OUTLINE = (16, 16, 16, 255)


def subtitle_box(channel: ClipSettings) -> Box:
    """Where subtitle ink may appear: centred between the safe margins, bottom at ``subtitle_bottom``."""
    sx, sy = channel.width / 1080, channel.height / 1920
    size = round(channel.subtitle_size * sx)
    line_height = round(size * 1.32)
    height = line_height * channel.max_lines + round(size * 0.4)
    # Even edges: the box is also composited on 4:2:0 frames, whose chroma is per 2x2 pixels.
    left = _even(channel.safe_left * sx)
    right = channel.width - _even(channel.safe_right * sx)
    bottom = _even(channel.subtitle_bottom * sy)
    height = _even(height)
    return Box(left, bottom - height, right - left, height)


def _even(value: float) -> int:
    return 2 * round(value / 2)


@dataclass
class Overlay:
    """A pre-rendered layer for one region: composited as ``frame*(1-alpha) + premultiplied``,
    on RGB frames or, plane by plane, on yuv420p frames (box edges are even)."""

    box: Box
    alpha: np.ndarray
    premultiplied: np.ndarray
    image: Image.Image
    _yuv: tuple | None = None

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

    def onto_yuv(self, y: np.ndarray, u: np.ndarray, v: np.ndarray, dx: int = 0, dy: int = 0,
                 opacity: float = 1.0) -> None:
        """Composite in place onto the Y, U and V planes of a yuv420p frame, moved by ``dx``, ``dy``
        (even; the moved box must stay inside the frame) and faded to ``opacity``."""
        if self._yuv is None:
            self._yuv = _yuv_layers(np.asarray(self.image.convert("RGB")), self.alpha[:, :, 0])
        (inverse, premultiplied_y), (inverse2, premultiplied_u, premultiplied_v) = self._yuv
        if opacity < 1.0:
            k = round(max(0.0, opacity) * 256)
            inverse, inverse2 = (_faded_inverse(a, k) for a in (inverse, inverse2))
            premultiplied_y, premultiplied_u, premultiplied_v = (
                ((p.astype(np.uint32) * k) >> 8).astype(np.uint16)
                for p in (premultiplied_y, premultiplied_u, premultiplied_v))
        b = Box(self.box.x + dx, self.box.y + dy, self.box.width, self.box.height)
        region = y[b.y:b.bottom, b.x:b.right]
        # 8.8 fixed point: 16-bit integer maths is several times faster than floats here.
        region[...] = ((region * inverse + premultiplied_y) >> 8).astype(np.uint8)
        for plane, premultiplied in ((u, premultiplied_u), (v, premultiplied_v)):
            half = plane[b.y // 2:b.bottom // 2, b.x // 2:b.right // 2]
            half[...] = ((half * inverse2 + premultiplied) >> 8).astype(np.uint8)


def _faded_inverse(inverse: np.ndarray, k: int) -> np.ndarray:
    """``256 - alpha * k / 256``: the inverse alpha of a layer faded to ``k``/256."""
    return (256 - (((256 - inverse.astype(np.uint32)) * k) >> 8)).astype(np.uint16)


def _yuv_layers(colour: np.ndarray, alpha: np.ndarray) -> tuple:
    """Premultiplied BT.709 limited-range planes and inverse alphas, in 8.8 fixed point."""
    data = colour.astype(np.float32) / 255.0
    r, g, b = data[..., 0], data[..., 1], data[..., 2]
    luma = 0.2126 * r + 0.7152 * g + 0.0722 * b
    y = 16 + 219 * luma
    u = 128 + 224 * (b - luma) / 1.8556
    v = 128 + 224 * (r - luma) / 1.5748

    def half(plane: np.ndarray) -> np.ndarray:
        return (plane[0::2, 0::2] + plane[1::2, 0::2] + plane[0::2, 1::2] + plane[1::2, 1::2]) / 4

    a = alpha
    a2 = half(a)
    fixed = np.uint16
    return (((256 - np.round(a * 256)).astype(fixed), np.round(y * a * 256).astype(fixed)),
            ((256 - np.round(a2 * 256)).astype(fixed), np.round(half(u * a) * 256).astype(fixed),
             np.round(half(v * a) * 256).astype(fixed)))


def draw_cue(cue: Cue, channel: ClipSettings, language: str) -> Overlay:
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
