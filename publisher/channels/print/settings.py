"""``[channels.NAME] type = "print"``: print-ready leaflets (宣传单)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from publisher.config import FOLDER_NAME, ChannelSettings
from publisher.content.story import QrText
from publisher.i18n import _

EditionName = Annotated[str, Field(pattern=FOLDER_NAME)]


class PrintSettings(ChannelSettings):
    type: Literal["print"]
    paper: Literal["A4", "A5"] = "A5"
    """Trim size of the leaflet: A4 (210×297 mm) or A5 (148×210 mm)."""
    sides: Literal[1, 2] = 2
    """1: everything on one side; 2: front (headline, photo, figures) and back (text, QR code, hotlines)."""
    bleed: bool = True
    """Add 3 mm bleed on every side (the background runs into it) and crop marks; the PDF's TrimBox
    and BleedBox are set. Off: the PDF page is the trim size (for an office printer)."""
    qr: QrText = ""
    """Text of the QR code when a story has no ``qr`` of its own (a URL, an account name); empty:
    the first hotline's number."""
    qr_caption: str = "扫码了解更多防骗知识"
    """Line printed under the QR code."""
    hotlines: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        ["全国反诈预警专线 96110", "报警求助请拨 110"], min_length=1, max_length=4)
    """Lines in the footer of every leaflet (1-4); the number in the first one is the default QR text."""
    copies: int = Field(0, ge=0, le=10_000_000)
    """How many copies of each leaflet edition are printed, for the work report (a story's own
    ``copies`` wins for its leaflet); 0: the report counts editions only."""
    min_dpi: int = Field(300, ge=72, le=2400)
    """A photo printed at less than this resolution (pixels per inch at its printed size) is a warning."""
    editions: dict[EditionName, Annotated[list[str], Field(min_length=1, max_length=7)]] = Field(default_factory=dict)
    """Editions: a name (a folder of the output) and the story ids printed together on one double-sided
    sheet, e.g. ``spring = ["antifraud/dianxin-zhapian", "antifraud/shuadan-fanli"]``: the first large on
    the front, the others (up to 6) on the back."""

    def drawn_texts(self, name: str) -> list[tuple[tuple[str | int, ...], str]]:
        return [*super().drawn_texts(name), (("channels", name, "qr_caption"), self.qr_caption),
                *((("channels", name, "hotlines"), line) for line in self.hotlines)]

    @field_validator("editions")
    @classmethod
    def _distinct_stories(cls, editions: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, stories in editions.items():
            if len(set(stories)) != len(stories):
                raise ValueError(_("edition {name!r} lists a story twice").format(name=name))
        return editions
