"""Designed scenes: a scene without a photo gets a layout that moves.

The layout: the scene's number and heading at the top, and below them its key figure with its
label (a figure of the story's ``figures:`` or a hotline that the scene's text names) or else
an icon chosen from its words (:mod:`publisher.render.video.icons`). The motion: the heading
slides and fades in, the figure or icon rises and fades in just after it, and the backdrop (a
gradient with soft glows) drifts slowly for the whole scene.

Like the photo pan, everything is drawn and converted to YUV once per scene; a frame is a slice
of the backdrop with the layers composited onto it (see :class:`Overlay`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from publisher.config import Theme
from publisher.render import textbox
from publisher.render.textbox import Box
from publisher.render.video.encode import rgb_to_yuv420
from publisher.render.video.icons import draw_icon
from publisher.render.video.subtitles import Overlay

HOTLINES = {"96110": "全国反诈预警专线", "12345": "政务服务便民热线", "110": "报警求助电话"}
"""Numbers a scene's text may name that deserve to be its key figure, with their label."""
HEADING_IN = 0.5
"""Seconds the heading takes to slide and fade in."""
FEATURE_DELAY, FEATURE_IN = 0.25, 0.6
"""When the figure or icon starts to rise and fade in, and how long it takes."""


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: str
    unit: str = ""


def key_figure(text: str, figures: list[KeyFigure]) -> KeyFigure | None:
    """The figure a scene shows: one of the story's figures whose number its text names, else a
    hotline it names (96110 before 110, never a piece of a longer number)."""
    for figure in figures:
        if _names_number(text, figure.value):
            return figure
    for number, label in HOTLINES.items():
        if _names_number(text, number):
            return KeyFigure(label, number)
    return None


def _names_number(text: str, number: str) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(number)}(?![\d.])", text) is not None


@dataclass
class Layout:
    """What a designed scene shows."""

    number: int
    count: int
    heading: str
    figure: KeyFigure | None
    icon: str


Frame = Callable[[float, Overlay | None], np.ndarray]


class DesignedScene:
    """Draws one designed scene once and hands out its frames."""

    def __init__(self, size: tuple[int, int], theme: Theme, language: str, safe_right: int, layout: Layout,
                 duration: float, drift: float):
        self.width, self.height = size
        self.s = self.width / 1080
        self.theme, self.language, self.layout = theme, language, layout
        self.margin = _even(90 * self.s)
        self.inner = self.width - self.margin - max(self.margin, _even(safe_right * self.s))
        self.duration = max(0.1, duration)
        self.travel = _even(min(math.ceil(drift * self.duration), 0.2 * self.height))
        self.backdrop = rgb_to_yuv420(np.asarray(backdrop(self.width, self.height + self.travel, theme,
                                                          layout.number)))
        self.heading = self._heading()
        self.feature = self._figure() if layout.figure else self._icon()
        self._last_key: tuple | None = None
        self._last_cue: Overlay | None = None
        self._last = np.empty(0, np.uint8)

    def frame(self, elapsed: float, cue: Overlay | None) -> np.ndarray:
        offset = _even(self.travel * min(1.0, max(0.0, elapsed / self.duration)))
        shown, risen = _ease(elapsed / HEADING_IN), _ease((elapsed - FEATURE_DELAY) / FEATURE_IN)
        # The drift moves two pixels every few frames: in between, the frame is the one before.
        key = (offset, shown, risen)
        if key != self._last_key or cue is not self._last_cue:
            self._last_key, self._last_cue = key, cue
            self._last = self._compose(offset, shown, risen, cue)
        return self._last

    def _compose(self, offset: int, shown: float, risen: float, cue: Overlay | None) -> np.ndarray:
        width, height = self.width, self.height
        luma = width * height
        out = np.empty(luma * 3 // 2, np.uint8)
        y = out[:luma].reshape(height, width)
        u = out[luma:luma + luma // 4].reshape(height // 2, width // 2)
        v = out[luma + luma // 4:].reshape(height // 2, width // 2)
        y[...] = self.backdrop[0][offset:offset + height]
        u[...] = self.backdrop[1][offset // 2:offset // 2 + height // 2]
        v[...] = self.backdrop[2][offset // 2:offset // 2 + height // 2]
        if self.heading is not None and shown > 0:
            self.heading.onto_yuv(y, u, v, dx=-_even(60 * self.s * (1 - shown)), opacity=shown)
        if risen > 0:
            self.feature.onto_yuv(y, u, v, dy=_even(90 * self.s * (1 - risen)), opacity=risen)
        if cue is not None:
            cue.onto_yuv(y, u, v)
        return out

    # -- layers --------------------------------------------------------------------------------
    def _heading(self) -> Overlay | None:
        """Scene number, an accent rule and the heading, in the top third (below Douyin's top bar)."""
        layout = self.layout
        box = Box(self.margin, _even(300 * self.s), self.inner, _even(380 * self.s))
        image = Image.new("RGBA", (box.width, box.height), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        counter = f"{layout.number:02d} / {layout.count:02d}"
        self._text(draw, counter, Box(0, 0, box.width, self._px(50)), 40, 20, 700, self.theme.accent)
        draw.rectangle((0, self._px(70), self._px(120), self._px(82)), fill=self.theme.accent)
        if layout.heading:
            self._text(draw, layout.heading, Box(0, self._px(110), box.width, box.height - self._px(110)), 104, 44,
                       900, self.theme.text, spacing=1.18)
        return _tight(image, box)

    def _icon(self) -> Overlay:
        """The icon in a soft disc with an accent ring, centred in the middle of the frame."""
        diameter = _even(520 * self.s)
        box = Box(_even((self.width - diameter) / 2), _even(760 * self.s), diameter, diameter)
        image = Image.new("RGBA", (diameter, diameter), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        accent = _rgb(self.theme.accent)
        ring = self._px(8)
        draw.ellipse((ring, ring, diameter - ring, diameter - ring), fill=(*accent, 40), outline=(*accent, 255),
                     width=ring)
        size = round(diameter * 0.56)
        icon = draw_icon(self.layout.icon, size, (*_rgb(self.theme.text), 255))
        corner = (diameter - size) // 2
        image.alpha_composite(icon, (corner, corner))
        return _tight(image, box)

    def _figure(self) -> Overlay:
        """The key figure large in the accent colour, its label under it."""
        figure = self.layout.figure
        assert figure is not None
        box = Box(self.margin, _even(720 * self.s), self.inner, _even(600 * self.s))
        image = Image.new("RGBA", (box.width, box.height), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        self._text(draw, f"{figure.value}{figure.unit}", Box(0, 0, box.width, self._px(330)), 300, 80, 900,
                   self.theme.accent, align="center", valign="middle", spacing=1.0)
        rule = self._px(60)
        middle = box.width // 2
        draw.rectangle((middle - rule, self._px(360), middle + rule, self._px(368)), fill=self.theme.text)
        self._text(draw, figure.label, Box(0, self._px(400), box.width, self._px(190)), 64, 32, 700,
                   self.theme.text, align="center", spacing=1.25)
        return _tight(image, box)

    def _text(self, draw: ImageDraw.ImageDraw, text: str, box: Box, max_size: int, min_size: int, weight: int,
              fill: str, align: str = "left", valign: str = "top", spacing: float = 1.25) -> None:
        fitted = textbox.fit(text, box, self._px(max_size), max(10, self._px(min_size)), weight, self.language,
                             spacing, align, balance=weight >= 700)
        textbox.draw(draw, fitted, fill, valign)

    def _px(self, value: float) -> int:
        return round(value * self.s)


def backdrop(width: int, height: int, theme: Theme, seed: int) -> Image.Image:
    """The theme's background as a gradient with a few soft glows (placed by ``seed``, so
    consecutive scenes differ), which show the drift. Only soft shapes: fine texture that moves
    in every frame would make x264 work (and the file grow) for nothing anyone notices."""
    top = np.array(_rgb(theme.background), dtype=np.float32)
    ramp = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    column = (top * (1 - ramp) + top * 0.4 * ramp).astype(np.uint8)
    image = Image.fromarray(np.repeat(column, width, axis=1)).convert("RGBA")
    small = Image.new("RGBA", (max(1, width // 8), max(1, height // 8)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(small)
    rng = np.random.default_rng(seed)
    accent, light = _rgb(theme.accent), _rgb(theme.text)
    for index in range(4):
        radius = small.width * rng.uniform(0.35, 0.6)
        cx, cy = small.width * rng.uniform(-0.1, 1.1), small.height * (index + rng.uniform(0.1, 0.9)) / 4
        colour = (*accent, 26) if index == 1 else (*light, 22)  # one warm glow; more turns the navy muddy
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=colour)
    glows = small.filter(ImageFilter.GaussianBlur(small.width / 10)).resize((width, height),
                                                                             Image.Resampling.BICUBIC)
    image.alpha_composite(glows)
    return image.convert("RGB")


def _tight(image: Image.Image, box: Box) -> Overlay:
    """An overlay of only the inked part of ``image`` (drawn at ``box``): compositing skips the
    transparent rest. Edges stay even, for the half-size chroma planes."""
    bbox = image.getchannel("A").getbbox()
    if bbox is None:
        bbox = (0, 0, 2, 2)
    left, top = bbox[0] - bbox[0] % 2, bbox[1] - bbox[1] % 2
    right, bottom = min(image.width, bbox[2] + bbox[2] % 2), min(image.height, bbox[3] + bbox[3] % 2)
    return Overlay.from_rgba(image.crop((left, top, right, bottom)),
                             Box(box.x + left, box.y + top, right - left, bottom - top))


def _ease(progress: float) -> float:
    """Ease-out cubic on [0, 1] (fast start, soft landing)."""
    p = min(1.0, max(0.0, progress))
    return 1 - (1 - p) ** 3


def _even(value: float) -> int:
    return 2 * round(value / 2)


def _rgb(color: str) -> tuple[int, int, int]:
    return Image.new("RGB", (1, 1), color).getpixel((0, 0))  # type: ignore[return-value]
