"""Photos as every renderer needs them: upright (EXIF orientation applied) and cover-cropped."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps

from publisher.render import inputs


def cover(path: Path, size: tuple[int, int]) -> Image.Image:
    """The photo at ``path``, upright, scaled and centre-cropped to fill ``size`` exactly (RGB)."""
    return ImageOps.fit(inputs.open_image(path), size, Image.Resampling.LANCZOS)
