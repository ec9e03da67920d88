"""The period a report covers: a month, a quarter, a year, or any span of days, as people write it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from publisher.i18n import _


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    """The first day after the period (the period is [start, end))."""
    name: str
    """Its folder under reports/: 2021-04, 2021Q2, 2021, 2021-04-01_2021-04-15."""
    label: str
    """As the report's title writes it: 2021年4月, 2021年第二季度, 2021年4月1日至15日."""
    since: str
    """How the summary paragraph opens: 4月以来, 二季度以来, 2021年以来."""

    @property
    def last(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days)]


QUARTERS = "一二三四"
FIRST_YEAR, LAST_YEAR = 2000, 2100
"""The years a report, ``history`` or ``posted --at`` may name: a typo (0001, 9999) is an error in
words, never a date the calendar cannot hold."""


def check_year(year: int, written: str) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(_("{value!r} is outside the years a report covers ({first} to {last})").format(
            value=written, first=FIRST_YEAR, last=LAST_YEAR))
    return year


def check_day(day: dt.date) -> dt.date:
    check_year(day.year, day.isoformat())
    return day


def month(text: str) -> Period:
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-|年)\s*(\d{1,2})\s*月?\s*", text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(_("{value!r} is not a month like 2021-04").format(value=text))
    year, number = check_year(int(match.group(1)), text), int(match.group(2))
    start = dt.date(year, number, 1)
    end = dt.date(year + number // 12, number % 12 + 1, 1)
    return Period(start, end, f"{year}-{number:02d}", f"{year}年{number}月", f"{number}月以来")


def quarter(text: str) -> Period:
    match = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*", text)
    if not match:
        raise ValueError(_("{value!r} is not a quarter like 2021Q2").format(value=text))
    year, number = check_year(int(match.group(1)), text), int(match.group(2))
    start = dt.date(year, 3 * number - 2, 1)
    end = dt.date(year + 1, 1, 1) if number == 4 else dt.date(year, 3 * number + 1, 1)
    name = QUARTERS[number - 1]
    return Period(start, end, f"{year}Q{number}", f"{year}年第{name}季度", f"{name}季度以来")


def year(text: str) -> Period:
    if not re.fullmatch(r"\s*\d{4}\s*年?\s*", text):
        raise ValueError(_("{value!r} is not a year like 2021").format(value=text))
    number = check_year(int(text.strip().removesuffix("年")), text)
    return Period(dt.date(number, 1, 1), dt.date(number + 1, 1, 1), str(number), f"{number}年", f"{number}年以来")


def span(first: dt.date, last: dt.date) -> Period:
    """From ``first`` to ``last``, both included."""
    check_day(first)
    check_day(last)
    if last < first:
        raise ValueError(_("the period ends ({last}) before it starts ({first})").format(first=first, last=last))
    tail = f"{last.day}日" if (first.year, first.month) == (last.year, last.month) else (
        f"{last.month}月{last.day}日" if first.year == last.year else f"{last.year}年{last.month}月{last.day}日")
    return Period(first, last + dt.timedelta(days=1), f"{first.isoformat()}_{last.isoformat()}",
                  f"{first.year}年{first.month}月{first.day}日至{tail}", f"{first.month}月{first.day}日以来")
