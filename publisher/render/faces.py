"""Faces in a photo: found with OpenCV's Haar cascades (shipped inside ``opencv-python-headless``),
and blurred beyond recognition.

Finding faces serves two ends: the focal point of a crop, and the protection of victims and
minors (``people:``), whose stories blur every face found. A protected photo is searched again
enlarged (:func:`find_thoroughly`), so that the small faces of a group photo are blurred too; a
false face there only blurs more. A Haar cascade still misses faces turned far away; ``publisher
check`` and the build say how many faces each protected photo has, so that an editor looks at it.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image, ImageFilter

from publisher.render.region import Region

DISTRIBUTION = "opencv-python-headless"
"""The package that ships the detector and its cascades (its version is part of a rendition's identity)."""
CASCADES = ("haarcascade_frontalface_default.xml", "haarcascade_profileface.xml")
DETECTION_SIDE = 640
"""Photos are searched at most this many pixels on their long side: faster, and fewer false faces
in fine textures (gravel, leaves) than at full size (measured: ``benchmarks/bench_focus.py``)."""
SMALLEST_FACE = 24
"""Faces smaller than this many pixels at the searched size (about 4 % of the long side) are missed."""
THOROUGH_SIDE = 1600
"""Protected photos are also searched at this long side, enlarged when smaller: a face of about 1.5 %
of the long side is found (the cascades see nothing under 24 pixels). About 1 s for a photo."""
BLUR_PADDING = 0.3
"""A blurred face box grows by this share of its size on every side (hair, chin, ears)."""
BLUR_CELLS = 6
"""A blurred face is pixelated to about this many cells across, then softened."""


def find(image: Image.Image) -> list[Region]:
    """Every face found in ``image`` (upright RGB), frontal or in profile facing either way."""
    return _merged(_search(image, min(1.0, DETECTION_SIDE / max(image.size))))


def find_thoroughly(image: Image.Image) -> list[Region]:
    """:func:`find`, and the faces found with the photo enlarged or reduced to :data:`THOROUGH_SIDE`:
    for the photos of the protected, where a missed face is published."""
    return _merged(_search(image, min(1.0, DETECTION_SIDE / max(image.size)))
                   + _search(image, THOROUGH_SIDE / max(image.size)))


def _search(image: Image.Image, scale: float) -> list[Region]:
    if scale == 1.0:
        sized = image
    else:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        sized = image.resize(size, Image.Resampling.BOX if scale < 1 else Image.Resampling.LANCZOS)
    grey = np.asarray(sized.convert("L"))
    side = SMALLEST_FACE
    frontal, profile = _cascades()
    boxes = [tuple(b) for b in frontal.detectMultiScale(grey, 1.1, 5, minSize=(side, side))]
    boxes += [tuple(b) for b in profile.detectMultiScale(grey, 1.1, 6, minSize=(side, side))]
    width = grey.shape[1]
    boxes += [(width - x - w, y, w, h) for x, y, w, h in profile.detectMultiScale(
        np.ascontiguousarray(grey[:, ::-1]), 1.1, 6, minSize=(side, side))]
    size = (grey.shape[1], grey.shape[0])
    return [Region.of_pixels((x, y, x + w, y + h), size) for x, y, w, h in boxes]


def blur(image: Image.Image, faces: list[Region]) -> Image.Image:
    """``image`` with every face (padded) pixelated and softened: not recognisable, at any size."""
    out = image.copy()
    for face in faces:
        left, top, right, bottom = face.padded(BLUR_PADDING).pixels(image.size)
        if right - left < 2 or bottom - top < 2:
            continue
        patch = out.crop((left, top, right, bottom))
        cell = max(1, round(max(patch.size) / BLUR_CELLS))
        tiny = patch.resize((max(1, patch.width // cell), max(1, patch.height // cell)), Image.Resampling.BOX)
        blocks = tiny.resize(patch.size, Image.Resampling.NEAREST)
        out.paste(blocks.filter(ImageFilter.GaussianBlur(cell / 2)), (left, top))
    return out


def _merged(regions: list[Region]) -> list[Region]:
    """Boxes of one face found by several cascades become one (their union)."""
    merged: list[Region] = []
    for region in sorted(regions, key=lambda r: r.area, reverse=True):
        for index, kept in enumerate(merged):
            if region.inside(kept) > 0.3 or kept.inside(region) > 0.3:
                merged[index] = Region.union([kept, region])  # type: ignore[assignment]
                break
        else:
            merged.append(region)
    return merged


@functools.cache
def _cascades():
    import cv2

    return tuple(cv2.CascadeClassifier(cv2.data.haarcascades + name) for name in CASCADES)
