"""Where the subject of a photo is: what every crop keeps in frame.

In order: the focal point the front matter gives (``focus: [x, y]``); else the faces found
(:mod:`publisher.render.faces`); else what stands out (:func:`salient`). ``benchmarks/bench_focus.py``
measured the choice on photos with the subject off-centre (README, "Photos").
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from publisher.render import inputs, treatment
from publisher.render.region import Region

SALIENCY_SIDE = 96
"""What stands out is looked for on a copy this many pixels on its long side (colour contrast at
this scale is the subject, not the texture of grass or gravel)."""
FACE_CONTEXT = 0.6
"""A face's box grows by this share on every side: the crop keeps head and shoulders, not only the eyes."""

SALIENT_CONTEXT = 0.15
"""What stands out grows by this share on every side: its strongest colour ends before its edges do
(a frame, a shadow, the hand holding it)."""


def subject(path: Path) -> Region:
    """Where the subject of the photo at ``path`` is, for the rendition under way."""
    declared = treatment.of(path).focus
    if declared is not None:
        return Region.point(*declared)
    found = inputs.faces_in(path)
    if found:
        return Region.union(found).padded(FACE_CONTEXT)  # type: ignore[union-attr]
    return inputs.analysis(path, salient).padded(SALIENT_CONTEXT)


def salient(image: Image.Image) -> Region:
    """The part of ``image`` that stands out: the strongest blob of colour contrast against the
    photo's mean colour (frequency-tuned saliency, Achanta et al. 2009), weighted towards the
    middle only to break ties; the middle when nothing stands out."""
    import cv2

    scale = SALIENCY_SIDE / max(image.size)
    size = (max(8, round(image.width * scale)), max(8, round(image.height * scale)))
    small = image.resize(size, Image.Resampling.BOX).filter(ImageFilter.GaussianBlur(1))
    lab = cv2.cvtColor(np.asarray(small), cv2.COLOR_RGB2LAB).astype(np.float32)
    contrast = np.linalg.norm(lab - lab.reshape(-1, 3).mean(axis=0), axis=2)
    if contrast.max() <= 1e-6:
        return Region.point(0.5, 0.5)
    mask = (contrast >= max(contrast.mean() * 2.0, contrast.max() * 0.5)).astype(np.uint8)
    count, labels, stats, _centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return Region.point(0.5, 0.5)
    mass = [float(contrast[labels == index].sum()) for index in range(1, count)]
    best = 1 + int(np.argmax(mass))
    x, y, w, h = (int(v) for v in stats[best][:4])
    return Region.of_pixels((x, y, x + w, y + h), size)
