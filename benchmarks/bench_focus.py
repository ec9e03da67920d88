"""How much of each photo's subject stays in every channel's crop, per way of finding the subject.

Reads the photos in ``tests/fixtures/focal/`` (the subject off-centre; ``boxes.json`` notes its box,
made by ``benchmarks/make_focal_photos.py``) and crops each to every channel's photo box the way the
channels do (:func:`publisher.render.photos.fit`; the video pans as :func:`frames.pan_range` allows,
the worst frame counts). The subject is found four ways: the middle (the old centre crop), faces
only (Haar; the middle without one), what stands out only (saliency), and faces then saliency (what
publisher does). Prints "subject box inside crop %" per photo and channel, then a summary line each.

    python benchmarks/bench_focus.py
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher.render import faces, focus, photos  # noqa: E402
from publisher.render.region import Region  # noqa: E402
from publisher.render.video.frames import pan_range  # noqa: E402

PHOTOS = ROOT / "tests" / "fixtures" / "focal"
CHANNELS = {  # the photo box of each channel (pixels, or mm for print: only the shape matters)
    "weibo card": (1080, 620),  # also the video cover's photo (3:4 and 6:7 covers)
    "wechat cover": (900, 383),
    "video pan": (1080, 1920),
    "led photo": (141, 176),  # a 384×192 screen's photo slot
    "print A4 front": (180, 92),
    "print A4 single": (180, 52),
    "print A5 front": (126, 62),
}
PAN_SECONDS, PAN_SPEED = 5.0, 24.0  # a 5 s scene at the default speed


def finders():
    def middle(image: Image.Image) -> Region:
        return Region.point(0.5, 0.5)

    def faces_only(image: Image.Image) -> Region:
        found = faces.find(image)
        return Region.union(found).padded(focus.FACE_CONTEXT) if found else Region.point(0.5, 0.5)  # type: ignore

    def salient_only(image: Image.Image) -> Region:
        return focus.salient(image).padded(focus.SALIENT_CONTEXT)

    def faces_then_salient(image: Image.Image) -> Region:
        found = faces.find(image)
        if found:
            return Region.union(found).padded(focus.FACE_CONTEXT)  # type: ignore[union-attr]
        return focus.salient(image).padded(focus.SALIENT_CONTEXT)

    return {"centre": middle, "haar": faces_only, "saliency": salient_only, "haar+saliency": faces_then_salient}


def inside(image: Image.Image, truth: Region, found: Region, box: tuple[int, int]) -> float:
    """Share of the true subject box inside what the channel shows (the worst frame of a pan)."""
    if photos.kept_share(image.size, box) < photos.KEEP_AT_LEAST:
        return 1.0  # the whole photo is shown over a blurred fill
    if box != CHANNELS["video pan"]:
        return truth.inside(_shown(image.size, box, found))
    width, height = box
    travel = 2 * (min(math.ceil(PAN_SPEED * PAN_SECONDS), round(0.25 * min(width, height))) // 2)
    worst = 1.0
    for vertical in (True, False):
        target = (width, height + travel) if vertical else (width + travel, height)
        if photos.kept_share(image.size, target) < photos.KEEP_AT_LEAST:
            continue
        left, top, right, _bottom = photos.crop_box(image.size, target, found)
        scale = (right - left) / target[0]
        subject = Region.of_pixels(((found.left * image.width - left) / scale, (found.top * image.height - top) / scale,
                                    (found.right * image.width - left) / scale,
                                    (found.bottom * image.height - top) / scale), target)
        span = subject.pixels(target)
        first, last = pan_range((span[1], span[3]) if vertical else (span[0], span[2]), height if vertical else width,
                                travel)
        for offset in (first, last):
            x0 = left + (0 if vertical else offset * scale)
            y0 = top + (offset * scale if vertical else 0)
            window = Region.of_pixels((x0, y0, x0 + width * scale, y0 + height * scale), image.size)
            worst = min(worst, truth.inside(window))
    return worst


def _shown(size: tuple[int, int], box: tuple[int, int], found: Region) -> Region:
    return Region.of_pixels(photos.crop_box(size, box, found), size)


def main() -> None:
    notes = json.loads((PHOTOS / "boxes.json").read_text())
    results: dict[str, list[float]] = {}
    seconds: dict[str, float] = {}
    for method, find in finders().items():
        print(f"\n== {method}")
        print(f"{'photo':40s} " + " ".join(f"{name:>15s}" for name in CHANNELS))
        for name, note in notes.items():
            with Image.open(PHOTOS / name) as opened:
                image = opened.convert("RGB")
            truth = Region.of_pixels(tuple(note["box"]), image.size)
            started = time.perf_counter()
            found = find(image)
            seconds[method] = seconds.get(method, 0.0) + time.perf_counter() - started
            shares = [inside(image, truth, found, box) for box in CHANNELS.values()]
            results.setdefault(method, []).extend(shares)
            print(f"{name:40s} " + " ".join(f"{100 * share:14.0f}%" for share in shares))
    print()
    for method, shares in results.items():
        kept = sum(share >= 0.9 for share in shares)
        print(f"summary {method:14s}: worst {100 * min(shares):5.1f} %, mean {100 * sum(shares) / len(shares):5.1f} %,"
              f" {kept}/{len(shares)} crops keep >= 90 % of the subject, {1000 * seconds[method] / len(notes):.0f} ms"
              " a photo")


if __name__ == "__main__":
    main()
