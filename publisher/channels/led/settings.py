"""The LED channel's options: its screens, their sizes and colours, and how loops are made."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from publisher.config import FOLDER_NAME, ChannelSettings, Colour, Schema, X264Preset
from publisher.i18n import _


class LedTheme(Schema):
    """Colours of LED slides: high contrast, read from across a street."""

    background: Colour = "#000000"
    """Slide background (black: unlit pixels)."""
    headline: Colour = "#ffd400"
    """Headline colour."""
    text: Colour = "#ffffff"
    """Body text colour."""
    urgent: Colour = "#ff2020"
    """Headline colour of urgent items."""


class Screen(Schema):
    name: str = Field(pattern=FOLDER_NAME)
    """Screen name, used in folder names and in a story's ``screens:`` (letters, digits, - and _)."""
    title: str = ""
    """Where the screen is, for people (e.g. 谢家集大道与望峰路口)."""
    width: int = Field(ge=8, le=8192)
    """Native width in pixels (a multiple of the module width: P10 modules are 32x16)."""
    height: int = Field(ge=8, le=8192)
    """Native height in pixels."""
    slide_seconds: float = Field(8.0, gt=0, le=3600)
    """How long each slide shows, in seconds."""
    theme: LedTheme = LedTheme()
    """Colours of this screen's slides."""
    antialias: bool | None = None
    """Smooth text edges; default: off below ``antialias_below`` pixels high, for crisp text."""
    antialias_below: int = Field(64, ge=0, le=8192)
    """Screens lower than this draw crisp (non-antialiased) text unless ``antialias`` says otherwise."""
    min_text: int = Field(16, ge=6, le=8192)
    """Smallest legible text size in pixels (16 is the classic LED dot-matrix size)."""
    max_text: int = Field(0, ge=0, le=8192)
    """Largest text size in pixels (0: a third of the screen height)."""
    deliver: str = ""
    """Delivery target for this screen's daily loop (used by ``publisher run``)."""

    @model_validator(mode="after")
    def _text_fits_the_screen(self) -> Screen:
        if self.min_text > min(self.width, self.height):
            raise ValueError(_("min_text {min_text} px is larger than the {width}x{height} screen; no line of "
                               "text would fit").format(min_text=self.min_text, width=self.width,
                                                        height=self.height))
        if self.max_text and self.max_text < self.min_text:
            raise ValueError(_("max_text {max_text} is smaller than min_text {min_text}").format(
                max_text=self.max_text, min_text=self.min_text))
        return self

    @property
    def crisp(self) -> bool:
        return not self.antialias if self.antialias is not None else self.height < self.antialias_below


class LedSettings(ChannelSettings):
    """``[channels.NAME] type = "led"``: a loop a day for each outdoor screen, at its native size."""

    type: Literal["led"]
    fps: int = Field(25, ge=1, le=60)
    """Frame rate of the loops (constant; 25 suits most controllers)."""
    crf: int = Field(23, ge=0, le=51)
    """x264 quality of the loops."""
    preset: X264Preset = "ultrafast"
    """x264 preset of the loops. Slides are stills and tickers are simple; ultrafast also keeps
    the stream free of B-frames and CABAC, which the cheapest controllers decode best."""
    urgent_every: int = Field(4, ge=1, le=1000)
    """An urgent item goes first and comes back after every N other items."""
    ticker_speed: float = Field(360.0, gt=0)
    """Scrolling speed of strip-screen tickers, in pixels a second (about 2 characters a
    second at a 320-pixel strip's text size)."""
    ticker_text: float = Field(0.6, gt=0.1, le=1.0)
    """Ticker text size as a share of the strip's height."""
    strip_ratio: float = Field(4.0, gt=1)
    """Screens at least this many times wider than high are strips and get a ticker."""
    ticker_separator: str = "　◆　"
    """Text between two items of a ticker."""
    idle_text: str = "报警求助请拨 110　反诈咨询请拨 96110"
    """Shown when no story is due on a screen, so a loop is never empty."""
    screens: list[Screen] = []
    """The screens this channel feeds, as ``[[channels.NAME.screens]]`` tables (older sites write
    them at the top level as ``[[screens]]``, which is read the same way)."""

    @field_validator("screens")
    @classmethod
    def _distinct_names(cls, screens: list[Screen]) -> list[Screen]:
        seen: set[str] = set()
        for screen in screens:
            if screen.name in seen:
                raise ValueError(_("the screen name {name!r} is used twice").format(name=screen.name))
            seen.add(screen.name)
        return screens

    def screen(self, name: str) -> Screen | None:
        return next((s for s in self.screens if s.name == name), None)

    def targets_named(self, name: str) -> list[tuple[tuple[str | int, ...], str]]:
        return [*super().targets_named(name), *((("channels", name, "screens", index, "deliver"), screen.deliver)
                                                for index, screen in enumerate(self.screens) if screen.deliver)]

    def drawn_texts(self, name: str) -> list[tuple[tuple[str | int, ...], str]]:
        return [*super().drawn_texts(name), (("channels", name, "idle_text"), self.idle_text),
                (("channels", name, "ticker_separator"), self.ticker_separator)]
