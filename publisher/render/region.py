"""A part of a photo, as fractions of its width and height: the same at any scale of the photo."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    """``left``, ``top``, ``right``, ``bottom`` as fractions (0 … 1) of the photo's width and height."""

    left: float
    top: float
    right: float
    bottom: float

    @classmethod
    def point(cls, x: float, y: float) -> Region:
        return cls(x, y, x, y)

    @classmethod
    def of_pixels(cls, box: tuple[float, float, float, float], size: tuple[int, int]) -> Region:
        """A pixel box ``(left, top, right, bottom)`` of a photo of ``size`` (width, height)."""
        width, height = size
        return cls(box[0] / width, box[1] / height, box[2] / width, box[3] / height).clamped()

    @classmethod
    def union(cls, regions: Iterable[Region]) -> Region | None:
        found = list(regions)
        if not found:
            return None
        return cls(min(r.left for r in found), min(r.top for r in found), max(r.right for r in found),
                   max(r.bottom for r in found))

    @property
    def centre(self) -> tuple[float, float]:
        return (self.left + self.right) / 2, (self.top + self.bottom) / 2

    @property
    def area(self) -> float:
        return max(0.0, self.right - self.left) * max(0.0, self.bottom - self.top)

    def pixels(self, size: tuple[int, int]) -> tuple[int, int, int, int]:
        width, height = size
        return (round(self.left * width), round(self.top * height), round(self.right * width),
                round(self.bottom * height))

    def padded(self, fraction: float) -> Region:
        """Grown by ``fraction`` of its own width and height on every side, kept inside the photo."""
        dx, dy = (self.right - self.left) * fraction, (self.bottom - self.top) * fraction
        return Region(self.left - dx, self.top - dy, self.right + dx, self.bottom + dy).clamped()

    def clamped(self) -> Region:
        return Region(*(min(1.0, max(0.0, v)) for v in (self.left, self.top, self.right, self.bottom)))

    def inside(self, other: Region) -> float:
        """The share (0 … 1) of this region's area that lies inside ``other`` (1 for a point inside)."""
        if self.area == 0:
            x, y = self.centre
            return 1.0 if other.left <= x <= other.right and other.top <= y <= other.bottom else 0.0
        overlap = Region(max(self.left, other.left), max(self.top, other.top), min(self.right, other.right),
                         min(self.bottom, other.bottom))
        return overlap.area / self.area if overlap.right > overlap.left and overlap.bottom > overlap.top else 0.0
