"""Frame composition that only computes what moves.

A frame is a scene layer + subtitle. The title and end cards are drawn once and returned as
they are. A photo scene is scaled and converted to YUV once and slides by slicing (no per-frame
resampling or colour conversion), its heading band placed over the photo's calmest stretch; a
designed scene (:mod:`publisher.render.video.design`) drifts its backdrop the same way and fades
its heading and figure or icon in. Subtitles are drawn once per cue and composited only inside
their box. Frames are yuv420p (BT.709, limited range) as one flat array, ready for the encoder.
Caches hold the current scene and cue only, so memory does not grow with the clip's length.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from publisher.config import Theme
from publisher.render import photos, textbox
from publisher.render.textbox import Box
from publisher.render.video import design, icons, placement
from publisher.render.video.encode import rgb_to_yuv420
from publisher.render.video.settings import ClipSettings
from publisher.render.video.subtitles import Overlay, draw_cue, subtitle_box
from publisher.render.video.timing import Plan, PlannedScene

KIND_LABELS = {"antifraud": "反诈提醒", "officer": "警察故事", "deed": "为民服务"}


@dataclass
class Cards:
    """Texts of the opening and closing cards."""

    title: str
    account: str
    kind_label: str
    end_lines: list[str]
    figures: list[design.KeyFigure] = field(default_factory=list)
    """The story's key figures (a designed scene whose text names one shows it)."""


class FrameComposer:
    def __init__(self, plan: Plan, channel: ClipSettings, theme: Theme, language: str, cards: Cards,
                 images: dict[int, Path]):
        self.plan, self.channel, self.theme, self.language = plan, channel, theme, language
        self.cards, self.images = cards, images
        self.size = (channel.width, channel.height)
        self.s = channel.width / 1080
        self._title: np.ndarray | None = None
        self._end: np.ndarray | None = None
        self._scene_key: int | None = None
        self._scene: design.Frame | None = None
        self._cue_key: int | None = None
        self._cue: Overlay | None = None
        self.layouts = self._layouts()

    # -- public -----------------------------------------------------------------------------
    def frame(self, t: float) -> np.ndarray:
        """The yuv420p frame at ``t`` seconds (flat: Y plane, then U, then V)."""
        plan = self.plan
        if t < plan.title[1]:
            if self._title is None:
                self._title = to_i420(np.asarray(self.title_card()))
            return self._title
        if t >= plan.end_card[0]:
            if self._end is None:
                self._end = to_i420(np.asarray(self.end_card()))
            return self._end
        scene = self._scene_at(t)
        return self._layer(scene)(t - scene.start, self._overlay(self._cue_at(t)))

    def title_card(self) -> Image.Image:
        image = self._gradient()
        draw = ImageDraw.Draw(image)
        width, _height = self.size
        margin = round(90 * self.s)
        inner = width - 2 * margin - round(self.channel.safe_right * self.s) + margin
        self._fit(draw, self.cards.kind_label, Box(margin, round(420 * self.s), inner, round(90 * self.s)), 64, 30,
                  700, self.theme.accent)
        self._fit(draw, self.cards.title, Box(margin, round(560 * self.s), inner, round(620 * self.s)), 120, 48, 900,
                  self.theme.text, valign="middle", spacing=1.2)
        bar = round(1230 * self.s)
        draw.rectangle((margin, bar, margin + round(160 * self.s), bar + round(12 * self.s)), fill=self.theme.accent)
        self._fit(draw, self.cards.account, Box(margin, round(1300 * self.s), inner, round(80 * self.s)), 48, 26, 500,
                  self.theme.muted)
        return image

    def end_card(self) -> Image.Image:
        image = self._gradient()
        draw = ImageDraw.Draw(image)
        width, _ = self.size
        margin = round(90 * self.s)
        inner = width - 2 * margin
        text = "\n".join(self.cards.end_lines)
        self._fit(draw, text, Box(margin, round(520 * self.s), inner, round(520 * self.s)), 96, 36, 900,
                  self.theme.text, align="center", valign="middle", spacing=1.5)
        self._fit(draw, self.cards.account, Box(margin, round(1140 * self.s), inner, round(90 * self.s)), 56, 28, 700,
                  self.theme.accent, align="center")
        return image

    # -- scenes -------------------------------------------------------------------------------
    def _scene_at(self, t: float) -> PlannedScene:
        for scene in self.plan.scenes:
            if scene.start <= t < scene.end:
                return scene
        return self.plan.scenes[-1]

    def _cue_at(self, t: float) -> int | None:
        for index, cue in enumerate(self.plan.cues):
            if cue.start <= t < cue.end:
                return index
        return None

    def _overlay(self, index: int | None) -> Overlay | None:
        if index is None:
            return None
        if index != self._cue_key:
            self._cue_key, self._cue = index, draw_cue(self.plan.cues[index], self.channel, self.language)
        return self._cue

    def _layer(self, scene: PlannedScene) -> design.Frame:
        if scene.index != self._scene_key:
            self._scene_key, self._scene = scene.index, self._make_layer(scene)
        return self._scene  # type: ignore[return-value]

    def _make_layer(self, scene: PlannedScene) -> design.Frame:
        photo = self.images.get(scene.index)
        if photo is None:
            return design.DesignedScene(self.size, self.theme, self.language, self.channel.safe_right,
                                        self.layouts[scene.index], scene.end - scene.start,
                                        self.channel.pan_pixels_per_second).frame
        return _pan(photo, self.size, scene, self.channel.pan_pixels_per_second,
                    self._heading_overlay if scene.heading else None)

    def _layouts(self) -> list[design.Layout]:
        """Each scene's designed layout: its key figure, else an icon unlike the previous scene's."""
        layouts: list[design.Layout] = []
        previous = None
        for scene in self.plan.scenes:
            text = "".join(cue.text for cue in self.plan.cues if cue.scene == scene.index)
            figure = design.key_figure(text, self.cards.figures)
            icon = icons.icon_for(scene.heading, text, avoid=previous)
            previous = None if figure else icon
            layouts.append(design.Layout(scene.index + 1, len(self.plan.scenes), scene.heading, figure, icon))
        return layouts

    def _heading_overlay(self, heading: str, luma: np.ndarray, travel: int, vertical: bool) -> Overlay:
        """The heading on a translucent band across the photo, over its calmest stretch (see
        :mod:`publisher.render.video.placement`)."""
        margin = round(60 * self.s)
        height = 2 * round(75 * self.s)
        subtitles = subtitle_box(self.channel)
        top = 2 * round(130 * self.s)
        lowest = subtitles.y - height - 2 * round(20 * self.s)
        y = placement.heading_band(luma, height, top, lowest, lowest, travel, vertical)
        box = Box(0, y, self.size[0], height)
        image = Image.new("RGBA", (box.width, box.height), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, box.width - 1, box.height - 1), fill=(*_rgb(self.theme.background), 190))
        inner = Box(margin, round(28 * self.s), box.width - 2 * margin - round(self.channel.safe_right * self.s),
                    box.height - round(56 * self.s))
        self._fit(draw, heading, inner, 72, 32, 800, self.theme.text, valign="middle")
        return Overlay.from_rgba(image, box)

    # -- drawing helpers -------------------------------------------------------------------
    def _gradient(self) -> Image.Image:
        width, height = self.size
        top = np.array(_rgb(self.theme.background), dtype=np.float32)
        bottom = top * 0.45
        ramp = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
        column = (top * (1 - ramp) + bottom * ramp).astype(np.uint8)
        return Image.fromarray(np.repeat(column, width, axis=1))

    def _fit(self, draw: ImageDraw.ImageDraw, text: str, box: Box, max_size: int, min_size: int, weight: int,
             fill: str, align: str = "left", valign: str = "top", spacing: float = 1.25) -> None:
        if not text:
            return
        fitted = textbox.fit(text, box, round(max_size * self.s), max(10, round(min_size * self.s)), weight,
                             self.language, spacing, align, balance=weight >= 700)  # headings: even lines
        textbox.draw(draw, fitted, fill, valign)


def to_i420(rgb: np.ndarray) -> np.ndarray:
    """An RGB frame as one flat yuv420p array."""
    y, u, v = rgb_to_yuv420(rgb)
    return np.concatenate([y.ravel(), u.ravel(), v.ravel()])


def _pan(photo: Path, size: tuple[int, int], scene: PlannedScene, speed: float,
         heading: Callable[[str, np.ndarray, int, bool], Overlay] | None) -> design.Frame:
    """A slow pan: the photo is fitted around its subject and converted to YUV once, a little
    larger than the frame, and each frame is a slice of it at an even offset (so chroma stays
    aligned); scenes alternate vertical and horizontal travel, and travel only as far as keeps the
    subject in frame. ``heading`` draws the heading band, given the scaled photo's luma and the
    pan, so it can avoid the photo's busy parts."""
    width, height = size
    duration = max(0.1, scene.end - scene.start)
    travel = 2 * (min(math.ceil(speed * duration), round(0.25 * min(width, height))) // 2)
    vertical = scene.index % 2 == 0
    target = (width, height + travel) if vertical else (width + travel, height)
    fitted = photos.placed(photo, target)
    planes = rgb_to_yuv420(np.asarray(fitted.image))
    left, top, right, bottom = fitted.subject
    first, last = pan_range((top, bottom) if vertical else (left, right), height if vertical else width, travel)
    if scene.index % 4 >= 2:
        first, last = last, first
    luma = width * height
    band = heading(scene.heading, planes[0], travel, vertical) if heading is not None else None

    def frame(elapsed: float, cue: Overlay | None) -> np.ndarray:
        progress = min(1.0, max(0.0, elapsed / duration))
        offset = 2 * round((first + (last - first) * progress) / 2)
        out = np.empty(luma * 3 // 2, np.uint8)
        y = out[:luma].reshape(height, width)
        u = out[luma:luma + luma // 4].reshape(height // 2, width // 2)
        v = out[luma + luma // 4:].reshape(height // 2, width // 2)
        for plane, source, scale in ((y, planes[0], 1), (u, planes[1], 2), (v, planes[2], 2)):
            start = offset // scale
            if vertical:
                plane[...] = source[start:start + height // scale]
            else:
                plane[...] = source[:, start:start + width // scale]
        for overlay in (band, cue):
            if overlay is not None:
                overlay.onto_yuv(y, u, v)
        return out

    return frame


def pan_range(subject: tuple[int, int], frame: int, travel: int) -> tuple[int, int]:
    """The even offsets (first, last) a pan of up to ``travel`` pixels may take so that a window of
    ``frame`` pixels keeps the ``subject`` span (start, end) in view: the whole travel when the
    subject allows it; centred on a subject longer than the frame."""
    first, last = max(0, subject[1] - frame), min(travel, subject[0])
    if first > last:
        first = last = min(travel, max(0, (subject[0] + subject[1] - frame) // 2))
    first, last = 2 * math.ceil(first / 2), 2 * (last // 2)
    return (first, last) if first <= last else (last, last)


def _rgb(color: str) -> tuple[int, int, int]:
    return Image.new("RGB", (1, 1), color).getpixel((0, 0))  # type: ignore[return-value]
