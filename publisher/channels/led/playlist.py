"""What plays on which screen, when: eligibility, parts of the day, and a stable order.

Pure logic, no drawing: given the stories, a screen and a date, decide which items play in
which part of the day, in which order, and why the others are out.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field

from publisher.channels.led.settings import Screen
from publisher.content.story import Story

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60


@dataclass
class Entry:
    story: Story
    windows: list[tuple[int, int]]
    """Minutes of the day [start, end) when the story may play (wrapping windows are split)."""

    @property
    def urgent(self) -> bool:
        return self.story.meta.urgent


@dataclass
class Part:
    start: int
    end: int
    """Minutes since midnight: the part plays from ``start`` to ``end``."""
    entries: list[Entry] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.start // 60:02d}{self.start % 60:02d}"

    @property
    def label(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)}"


NOT_ON_CHANNEL = "not on the led channel"
NOT_APPROVED = "not approved"
"""Left out by the publisher: not approved (三审) for its current content."""
"""Why a story is not in any screen's loop: it does not list the channel (not shown as left out)."""


def eligible(story: Story, screen: Screen, day: dt.date, led_channels: set[str],
             drafts: bool = False) -> str | None:
    """None when the story plays on ``screen`` on ``day``; otherwise the reason it is out."""
    meta = story.meta
    if not led_channels.intersection(story.channels):
        return NOT_ON_CHANNEL
    if meta.status != "ready" and not drafts:
        return "draft"
    if meta.screens is not None and screen.name not in meta.screens:
        return f"screens: only {', '.join(meta.screens)}"
    if meta.publish_after is not None and day < _as_date(meta.publish_after):
        return f"publish_after {meta.publish_after}"
    if meta.expire_after is not None and day > _as_date(meta.expire_after):
        return f"expired after {meta.expire_after}"
    if meta.days is not None and WEEKDAYS[day.weekday()] not in meta.days:
        return f"days: only {', '.join(meta.days)}"
    return None


def windows(hours: str | None) -> list[tuple[int, int]]:
    """Minutes [start, end) of a daily window; one past midnight is split in two."""
    if hours is None:
        return [(0, DAY_MINUTES)]
    first, last = hours.split("-")
    start, end = _minutes(first), _minutes(last)
    if start < end:
        return [(start, end)]
    return [(0, end), (start, DAY_MINUTES)] if end > 0 else [(start, DAY_MINUTES)]


def day_parts(entries: list[Entry]) -> list[Part]:
    """Cut the day where any window starts or ends; merge neighbouring parts that hold the same items."""
    cuts = {0, DAY_MINUTES}
    for entry in entries:
        for start, end in entry.windows:
            cuts.update((start, end))
    bounds = sorted(cuts)
    parts: list[Part] = []
    for start, end in itertools.pairwise(bounds):
        inside = [e for e in entries if any(a <= start and end <= b for a, b in e.windows)]
        if parts and [id(e) for e in parts[-1].entries] == [id(e) for e in inside]:
            parts[-1].end = end
        else:
            parts.append(Part(start, end, inside))
    return [p for p in parts if p.entries] or [Part(0, DAY_MINUTES, [])]


def order(entries: list[Entry], urgent_every: int) -> list[Entry]:
    """Stable order: urgent items first and again after every ``urgent_every`` others; the rest
    newest first, then by id, so a screen's loop does not reshuffle from one day to the next."""
    urgent = sorted((e for e in entries if e.urgent), key=_key)
    normal = sorted((e for e in entries if not e.urgent), key=_key)
    if not urgent:
        return normal
    sequence: list[Entry] = list(urgent)
    for index, entry in enumerate(normal, start=1):
        sequence.append(entry)
        if index % urgent_every == 0 and index < len(normal):
            sequence.extend(urgent)
    return sequence


def _key(entry: Entry) -> tuple:
    return (-entry.story.meta.date.toordinal(), entry.story.id)


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


DAY_NAMES = {"mon": "周一", "tue": "周二", "wed": "周三", "thu": "周四", "fri": "周五", "sat": "周六", "sun": "周日"}


def reason_zh(text: str) -> str:
    """Why a story is not in a screen's loop, in Chinese."""
    if text == "draft":
        return "草稿"
    if text == NOT_APPROVED:
        return "未通过三审（或审核后又修改）"
    if match := re.fullmatch(r"screens: only (.+)", text):
        return f"只在 {match.group(1)} 屏播放"
    if match := re.fullmatch(r"publish_after (.+)", text):
        return f"{match.group(1)} 起才播放"
    if match := re.fullmatch(r"expired after (.+)", text):
        return f"{match.group(1)} 后已过期"
    if match := re.fullmatch(r"days: only (.+)", text):
        return "只在" + "、".join(DAY_NAMES.get(d.strip(), d.strip()) for d in match.group(1).split(",")) + "播放"
    return text
