"""Make the focal-point test photos in ``tests/fixtures/focal/`` (already committed; run again only to
change them): ten scenes with the subject off-centre, and ``boxes.json`` with each subject's box.

The subjects are public-domain or CC0 photos that scikit-image ships in ``skimage/data`` (needs
``pip install scikit-image``, not a dependency of publisher): ``astronaut`` (Eileen Collins, NASA,
public domain), ``chelsea`` (CC0, Stefan van der Walt), ``coffee`` (CC0, Rachel Michetti),
``rocket`` (SpaceX, public domain), ``camera`` (CC0, Lav Varshney), ``stereo_motorcycle`` (CC0, its left view); the
backgrounds are its CC0 textures ``grass``, ``gravel`` and ``brick`` (cc0textures.com), tinted.
Each subject is pasted with a feathered oval edge; its box is where the oval is at least half opaque.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from skimage import data

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "focal"
TINTS = {"grass": (0.55, 0.8, 0.45), "gravel": (0.95, 0.88, 0.75), "brick": (0.95, 0.6, 0.5)}


def background(texture: str, size: tuple[int, int]) -> Image.Image:
    grey = np.asarray(Image.fromarray(getattr(data, texture)()).resize(size, Image.Resampling.BICUBIC),
                      dtype=np.float32)
    ramp = np.linspace(1.1, 0.8, size[1], dtype=np.float32)[:, None]
    rgb = np.stack([grey * ramp * t for t in TINTS[texture]], axis=2)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


def subject(name: str, crop: tuple[int, int, int, int] | None) -> Image.Image:
    pixels = getattr(data, name)()
    image = Image.fromarray(pixels[0] if isinstance(pixels, tuple) else pixels).convert("RGB")  # stereo: left
    return image.crop(crop) if crop else image


def paste(canvas: Image.Image, picture: Image.Image, at: tuple[int, int], width: int) -> list[int]:
    height = round(picture.height * width / picture.width)
    picture = picture.resize((width, height), Image.Resampling.LANCZOS)
    feather = max(4, width // 14)
    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).ellipse((feather, feather, width - feather, height - feather), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(feather / 2))
    canvas.paste(picture, at, mask)
    inside = np.argwhere(np.asarray(mask) >= 128)
    (top, left), (bottom, right) = inside.min(axis=0), inside.max(axis=0) + 1
    return [int(at[0] + left), int(at[1] + top), int(at[0] + right), int(at[1] + bottom)]


def sign(canvas: Image.Image, at: tuple[int, int], side: int, colour: tuple[int, int, int]) -> list[int]:
    """A warning sign on a post: a coloured triangle over a grey post."""
    draw = ImageDraw.Draw(canvas)
    x, y = at
    draw.rectangle((x + side // 2 - side // 14, y + side // 2, x + side // 2 + side // 14, y + side * 2),
                   fill=(120, 120, 125))
    draw.polygon([(x, y + side), (x + side, y + side), (x + side // 2, y)], fill=colour, outline=(20, 20, 20))
    draw.text((x + side // 2 - 4, y + side // 2), "!", fill=(0, 0, 0))
    return [x, y, x + side, y + side * 2]


SCENES = [
    # name, size, texture, (subject, crop, position, width) or a sign
    ("p01-portrait-face-top-left", (900, 1200), "grass", ("astronaut", (110, 0, 370, 300), (40, 30), 330)),
    ("p02-landscape-face-bottom-right", (1200, 800), "gravel", ("astronaut", (110, 0, 370, 300), (880, 420), 290)),
    ("p03-phone-face-top-right", (720, 1280), "brick", ("astronaut", (110, 0, 370, 300), (430, 40), 270)),
    ("p04-wide-cat-left", (1200, 675), "gravel", ("chelsea", (90, 0, 360, 300), (20, 150), 300)),
    ("p05-portrait-cup-bottom-left", (900, 1200), "brick", ("coffee", (60, 0, 560, 400), (30, 820), 360)),
    ("p06-panorama-rocket-right", (1500, 600), "grass", ("rocket", (0, 0, 400, 427), (1130, 110), 330)),
    ("p07-square-camera-top-left", (1000, 1000), "gravel", ("camera", (80, 30, 420, 512), (20, 20), 300)),
    ("p08-landscape-motorcycle-top-left", (1200, 800), "grass", ("stereo_motorcycle", None, (20, 20), 420)),
    ("p09-portrait-sign-bottom-right", (800, 1200), "grass", ("sign", (230, 40, 40), (590, 780), 170)),
    ("p10-landscape-sign-top-right", (1200, 900), "brick", ("sign", (250, 200, 20), (1000, 40), 160)),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    boxes = {}
    for name, size, texture, (what, crop, at, width) in SCENES:
        canvas = background(texture, size)
        box = sign(canvas, at, width, crop) if what == "sign" else paste(canvas, subject(what, crop), at, width)
        canvas.save(OUT / f"{name}.jpg", quality=85, optimize=True)
        boxes[f"{name}.jpg"] = {"subject": what, "box": box, "size": list(size)}
    (OUT / "boxes.json").write_text(json.dumps(boxes, indent=2) + "\n")


if __name__ == "__main__":
    main()
