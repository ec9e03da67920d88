"""Key figures across the period's stories: the same label and unit are added up (协助找回走失群众
17人 in two stories is one line); figures marked ``sum: false`` (a hotline, 96110) or that are not
plain numbers (5000余) are only listed."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from publisher.content.story import Story


@dataclass
class FigureLine:
    label: str
    value: str
    unit: str
    summed: bool
    """Added up across stories (False: listed as written)."""
    stories: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return f"{self.label}{self.value}{self.unit}"


PLAIN = re.compile(r"[0-9]+(\.[0-9]+)?|[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")
"""17, 12.5, 3,050 (or in full-width digits, １７): a number as a report writes one. Not 1e5000, -3,
1,7 (17 or 1.7?), 0x10, other scripts' digits."""


def number(text: str) -> Decimal | None:
    """A figure's value as a number (17, 3,050, 12.5), or None when it is not one as people write
    numbers (5000余, 约3千, 1,7, -3, 1e5000): those are listed as written, never added up."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not PLAIN.fullmatch(text):
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def written(value: Decimal) -> str:
    """17, 3050, 12.5: as the seed writes numbers (no thousands separator, no trailing zeros)."""
    text = format(value.normalize(), "f")
    return text


def aggregate(stories: list[Story]) -> list[FigureLine]:
    totals: dict[tuple[str, str], FigureLine] = {}
    sums: dict[tuple[str, str], Decimal] = {}
    listed: list[FigureLine] = []
    for story in stories:
        for figure in story.meta.figures:
            value = number(figure.value)
            key = (figure.label.strip(), figure.unit.strip())
            if figure.sum and value is not None:
                sums[key] = sums.get(key, Decimal(0)) + value
                line = totals.setdefault(key, FigureLine(key[0], "", key[1], True))
                line.stories.append(story.id)
            elif not any(item.text == f"{key[0]}{figure.value}{key[1]}" for item in listed):
                listed.append(FigureLine(key[0], figure.value.strip(), key[1], False, [story.id]))
    for key, line in totals.items():
        line.value = written(sums[key])
    return [*totals.values(), *listed]
