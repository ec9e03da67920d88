"""Photos as every renderer needs them: upright (EXIF orientation applied) and cover-cropped."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps


def cover(path: Path, size: tuple[int, int]) -> Image.Image:
    """The photo at ``path``, upright, scaled and centre-cropped to fill ``size`` exactly (RGB)."""
    with Image.open(path) as source:
        return ImageOps.fit(ImageOps.exif_transpose(source).convert("RGB"), size, Image.Resampling.LANCZOS)
