"""Photos as every renderer needs them: upright, faces blurred where the story protects someone
(:func:`publisher.render.inputs.open_image`), and fitted to a box around their subject.

A photo is cropped to the box's shape around its subject (:mod:`publisher.render.focus`): the crop is
centred on the subject and slid back inside the photo where it would leave it. When the crop would
drop more than half of the photo (a portrait phone photo on a wide card), the whole photo is shown
instead, fitted inside the box over a blurred, darkened copy of itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageEnhance, ImageFilter, ImageOps

from publisher.render import focus, inputs
from publisher.render.region import Region

KEEP_AT_LEAST = 0.5
"""A crop that would keep less of the photo's area than this gets the blurred fill instead."""
FILL_BLUR = 0.04
"""Blur radius of the fill, as a share of the box's long side."""
FILL_BRIGHTNESS = 0.55
"""The fill is darkened to this brightness, so the photo stands out from it."""


@dataclass
class Placed:
    image: Image.Image
    """The box's picture (RGB, exactly the box's size)."""
    subject: tuple[int, int, int, int]
    """Where the subject landed in it, in pixels (left, top, right, bottom)."""
    filled: bool
    """The whole photo is shown over a blurred copy (a crop would have lost too much)."""


def cover(path: Path, size: tuple[int, int]) -> Image.Image:
    """The photo at ``path`` filling ``size`` exactly (RGB), its subject in frame."""
    return placed(path, size).image


def placed(path: Path, size: tuple[int, int]) -> Placed:
    """:func:`cover`, saying where the subject landed (a pan keeps it in frame)."""
    return fit(inputs.open_image(path), focus.subject(path), size)


def kept_share(photo: tuple[int, int], box: tuple[float, float]) -> float:
    """The share of the photo's area a crop to the box's shape keeps."""
    photo_aspect, box_aspect = photo[0] / photo[1], box[0] / box[1]
    return min(photo_aspect / box_aspect, box_aspect / photo_aspect)


def crop_box(photo: tuple[int, int], box: tuple[float, float], subject: Region) -> tuple[float, float, float, float]:
    """The largest part of the photo with the box's shape, centred on the subject as far as the
    photo's edges allow (left, top, right, bottom in the photo's pixels)."""
    width, height = photo
    aspect = box[0] / box[1]
    crop_w, crop_h = (height * aspect, height) if width / height > aspect else (width, width / aspect)
    x, y = subject.centre
    left = min(max(x * width - crop_w / 2, 0.0), width - crop_w)
    top = min(max(y * height - crop_h / 2, 0.0), height - crop_h)
    return left, top, left + crop_w, top + crop_h


def fit(image: Image.Image, subject: Region, size: tuple[int, int]) -> Placed:
    """``image`` filling ``size`` around ``subject``: cropped, or whole over a blurred fill."""
    if kept_share(image.size, size) < KEEP_AT_LEAST:
        return _filled(image, subject, size)
    box = crop_box(image.size, size, subject)
    out = image.resize(size, Image.Resampling.LANCZOS, box=box)
    sx, sy = size[0] / (box[2] - box[0]), size[1] / (box[3] - box[1])
    left, top, right, bottom = subject.pixels(image.size)
    return Placed(out, (round((left - box[0]) * sx), round((top - box[1]) * sy), round((right - box[0]) * sx),
                        round((bottom - box[1]) * sy)), False)


def native_size(photo: tuple[int, int], box: tuple[float, float]) -> tuple[int, int]:
    """The size, with the box's shape, that :func:`fit` needs to keep every pixel of the photo it
    shows at its own resolution (a pre-crop handed to a typesetter that scales it)."""
    width, height = photo
    aspect = box[0] / box[1]
    if kept_share(photo, box) < KEEP_AT_LEAST:  # the whole photo, inside a wider or taller box
        return (round(height * aspect), height) if width / height < aspect else (width, round(width / aspect))
    return (round(height * aspect), height) if width / height > aspect else (width, round(width / aspect))


def _filled(image: Image.Image, subject: Region, size: tuple[int, int]) -> Placed:
    width, height = size
    back = ImageOps.fit(image, size, Image.Resampling.BILINEAR)
    back = back.filter(ImageFilter.GaussianBlur(max(2.0, FILL_BLUR * max(size))))
    back = ImageEnhance.Brightness(back).enhance(FILL_BRIGHTNESS)
    scale = min(width / image.width, height / image.height)
    shown = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    x, y = (width - shown[0]) // 2, (height - shown[1]) // 2
    back.paste(image.resize(shown, Image.Resampling.LANCZOS), (x, y))
    left, top, right, bottom = subject.pixels(shown)
    return Placed(back, (x + left, y + top, x + right, y + bottom), True)
