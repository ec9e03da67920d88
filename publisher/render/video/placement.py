"""Where a photo scene's heading band goes: over the calmest stretch of the photo, never over
the photo's own text or detail.

Busyness is edge density: the mean absolute brightness step between neighbouring pixels, per
row. A band is scored over every row the pan moves under it. The calmest band wins (the one
nearest the usual top position among near-equals); when even the calmest is busy, the band
goes to the lower third, just above the subtitles, where viewers expect a caption.
"""

from __future__ import annotations

import numpy as np

NEAR_EQUAL = 1.15
"""Bands scoring within this factor of the calmest count as equally calm."""
BUSY = 14.0
"""Mean brightness step (0-255 scale) above which no band is calm enough: lower third."""


def row_busyness(luma: np.ndarray) -> np.ndarray:
    """Edge density of each row of a luma plane (0-255 values)."""
    plane = luma.astype(np.int16)
    across = np.abs(np.diff(plane, axis=1)).mean(axis=1)
    down = np.abs(np.diff(plane, axis=0)).mean(axis=1)
    return across + np.concatenate([down, down[-1:]])


def heading_band(luma: np.ndarray, band: int, top: int, lowest: int, lower_third: int, travel: int = 0,
                 vertical: bool = True, step: int = 8) -> int:
    """The y (even, in frame pixels) of a ``band``-high heading band between ``top`` and ``lowest``
    (its highest and lowest allowed y). ``luma`` is the photo as scaled for the scene; with a
    vertical pan it is ``travel`` rows taller than the frame and a band covers those rows too.
    ``lower_third`` is where the band goes when the whole photo is busy."""
    rows = row_busyness(luma)
    cumulative = np.concatenate([[0.0], np.cumsum(rows)])
    reach = band + (travel if vertical else 0)
    candidates = range(top - top % 2, max(top, lowest) + 1, max(2, step - step % 2))
    scores = []
    for y in candidates:
        end = min(len(rows), y + reach)
        scores.append((cumulative[end] - cumulative[y]) / max(1, end - y))
    best = min(scores)
    if best > BUSY:
        return lower_third - lower_third % 2
    calm = [y for y, score in zip(candidates, scores, strict=True) if score <= best * NEAR_EQUAL + 0.5]
    return calm[0]
