"""Times the publisher works with: schedules (``daily 05:30``), slots (``mon 09:00``), ISO weeks."""

from __future__ import annotations

import datetime as dt
import re

from publisher.i18n import _

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
            "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
            "周一": 0, "周二": 1, "周三": 2, "周四": 3, "周五": 4, "周六": 5, "周日": 6, "周天": 6,
            "星期一": 0, "星期二": 1, "星期三": 2, "星期四": 3, "星期五": 4, "星期六": 5, "星期日": 6, "星期天": 6,
            "每周一": 0, "每周二": 1, "每周三": 2, "每周四": 3, "每周五": 4, "每周六": 5, "每周日": 6}
DAILY = ("daily", "每天", "每日")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _clock(text: str) -> dt.time:
    match = _CLOCK.match(text)
    if not match:
        raise ValueError(_("{value!r} is not a time like 05:30").format(value=text))
    return dt.time(int(match.group(1)), int(match.group(2)))


def parse_schedule(text: str) -> tuple[int | None, dt.time]:
    """``"daily 05:30"`` → (None, 05:30); ``"monday 09:00"`` → (0, 09:00)."""
    parts = _split(text)
    if len(parts) != 2 or (parts[0] not in DAILY and parts[0] not in WEEKDAYS):
        raise ValueError(_("schedule {value!r}: write \"daily 05:30\" or \"monday 09:00\"").format(value=text))
    return (None if parts[0] in DAILY else WEEKDAYS[parts[0]]), _clock(parts[1])


def _split(text: str) -> list[str]:
    """``"wed 12:00"``, ``"周三 12:00"``, ``"周三12:00"`` or ``"星期三 12：00"`` → [day, time]."""
    text = text.strip().lower().replace("：", ":")
    match = re.fullmatch(r"(\D+?)\s*(\d{1,2}:\d{2})", text)
    return [match.group(1).strip(), match.group(2)] if match else text.split()


def parse_slot(text: str) -> tuple[int, dt.time]:
    """``"wed 12:00"`` → (2, 12:00)."""
    parts = _split(text)
    if len(parts) != 2 or parts[0] not in WEEKDAYS:
        raise ValueError(_("slot {value!r}: write a weekday and a time, like \"wed 12:00\"").format(value=text))
    return WEEKDAYS[parts[0]], _clock(parts[1])


def last_due(schedule: str, now: dt.datetime) -> dt.datetime:
    """The most recent time at or before ``now`` when ``schedule`` was due (``now`` is aware)."""
    weekday, at = parse_schedule(schedule)
    candidate = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    step = dt.timedelta(days=1)
    for _day in range(8):
        if candidate <= now and (weekday is None or candidate.weekday() == weekday):
            return candidate
        candidate -= step
    raise AssertionError("unreachable")


def next_due(schedule: str, now: dt.datetime) -> dt.datetime:
    weekday, at = parse_schedule(schedule)
    candidate = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    for _day in range(9):
        if candidate > now and (weekday is None or candidate.weekday() == weekday):
            return candidate
        candidate += dt.timedelta(days=1)
    raise AssertionError("unreachable")


def iso_week(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> dt.date:
    """Monday of ``2026-W49``."""
    match = re.fullmatch(r"(\d{4})-W(\d{2})", week)
    if not match:
        raise ValueError(_("{value!r} is not an ISO week like 2026-W49").format(value=week))
    return dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)


def slot_times(slots: list[str], week: str, tz: dt.tzinfo) -> list[dt.datetime]:
    monday = week_start(week)
    times = []
    for slot in slots:
        weekday, at = parse_slot(slot)
        day = monday + dt.timedelta(days=weekday)
        times.append(dt.datetime.combine(day, at, tzinfo=tz))
    return sorted(times)
