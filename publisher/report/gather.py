"""The work report's facts, gathered from the ledger and the stories: counted through each channel
(:meth:`publisher.render.channel.Channel.report`), from what went out, never from what was planned.

Channels posted by hand count the posts people confirmed (``publisher posted``); the others count
their deliveries, each rendition once whatever the number of targets. Held, failed, missed and
unconfirmed items are listed apart and counted nowhere.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from publisher.config import SiteConfig
from publisher.content.story import KIND_LABELS, Story
from publisher.pipeline.reader import read_site
from publisher.publish import posts
from publisher.render.channel import Channel, ChannelReport, Delivered, channels
from publisher.report import approved, figures, history
from publisher.report.period import Period
from publisher.timing import iso_week


@dataclass
class ChannelPart:
    name: str
    shown: str
    """微博, 抖音, LED 屏…"""
    account: str
    by_hand: bool
    counted: ChannelReport
    items: list[Delivered]


@dataclass
class StoryLine:
    id: str
    title: str
    kind: str
    """民警风采, 为民服务, 反诈宣传."""
    first: dt.date
    """The first day it went out in the period."""
    channels: list[str]


@dataclass
class Officer:
    name: str
    unit: str
    title: str
    honors: list[str]
    story: str


@dataclass
class Silence:
    shown: str
    account: str
    days: int
    start: dt.date
    end: dt.date
    posts: int


@dataclass
class Apart:
    """Something that did not go out (or is not known to have): listed, counted nowhere."""

    at: dt.datetime
    shown: str
    """The channel as people call it (微博, LED 屏)."""
    target: str
    """Where it was to go (a target's name; empty for a post waiting to be confirmed)."""
    title: str
    state: str
    """held, failed, missed, unconfirmed, or awaiting (a batch post not confirmed posted)."""


@dataclass
class Report:
    period: Period
    title: str
    subject: str
    campaign: str
    site_name: str
    channels: list[ChannelPart] = field(default_factory=list)
    stories: list[StoryLine] = field(default_factory=list)
    officers: list[Officer] = field(default_factory=list)
    figures: list[figures.FigureLine] = field(default_factory=list)
    silences: list[Silence] = field(default_factory=list)
    apart: list[Apart] = field(default_factory=list)
    unreviewed: list[StoryLine] = field(default_factory=list)
    """Stories that went out but whose approved text cannot be read back (changed since, and no copy of
    what was approved): counted in the channels, their text shown nowhere."""
    weekly: dict[str, Counter] = field(default_factory=dict)
    """Channel (as shown) → ISO week → items counted."""
    kinds: Counter = field(default_factory=Counter)
    quiet_days: int = 14
    timezone: str = "Asia/Shanghai"
    unit: str = ""
    """Who signs it (落款)."""
    signed: dt.date | None = None
    """The date under the signature: the day after the period, or today while the period runs (the
    same ledger gives the same report once the period is over)."""

    @property
    def summed(self) -> list[figures.FigureLine]:
        return [line for line in self.figures if line.summed]


def gather(site: Path, config: SiteConfig, ledger: sqlite3.Connection, period: Period, campaign: str = "",
           now: dt.datetime | None = None) -> Report:
    tz = ZoneInfo(config.timezone)
    start = dt.datetime.combine(period.start, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(period.end, dt.time(), tzinfo=tz)
    now = now or dt.datetime.now(tz)
    stories, _problems = read_site(site, config)
    lines = history.lines(ledger, tz, start, end)
    current = {story.id: story for story in stories}
    by_id = _as_approved(site, config, ledger, lines, current)
    # Which stories belong to the campaign: as approved for what went out, as written for the rest
    # (held, failed: shown apart by their ledger title).
    tagged = {**current, **{story_id: story for story_id, story in by_id.items() if story}}
    only = {story_id for story_id, story in tagged.items() if campaign in story.meta.campaign} if campaign else None
    report = Report(period, config.report.title or f"{config.name}新媒体宣传工作情况", config.report.subject,
                    campaign, config.name, quiet_days=config.publish.quiet_days, timezone=config.timezone,
                    unit=config.report.unit or config.name, signed=min(now.astimezone(tz).date(), period.end))
    seen_first: dict[str, dt.date] = {}
    seen_on: dict[str, list[str]] = {}
    for name, channel in channels(config).items():
        items = _items(channel, lines, tz)
        counted = channel.report(items, only)
        if not counted.tallies:
            continue
        part = ChannelPart(name, channel.shown, channel.account, channel.posted_by_hand, counted, items)
        report.channels.append(part)
        weekly = report.weekly.setdefault(channel.shown, Counter())
        for item in items:
            carried = [s for s in item.stories if only is None or s in only]
            if not carried:
                continue
            day = item.day or item.at.astimezone(tz).date()
            weekly[iso_week(day)] += 1
            for story in carried:
                seen_first[story] = min(seen_first.get(story, day), day)
                if channel.shown not in seen_on.setdefault(story, []):
                    seen_on[story].append(channel.shown)
    titles = {line.stories[0]: line.title for line in lines if len(line.stories) == 1}
    for story_id in sorted(seen_first, key=lambda s: (seen_first[s], s)):
        story = by_id.get(story_id)
        if story is None:  # its approved text is gone: its name as the ledger kept it, nothing more
            report.unreviewed.append(StoryLine(story_id, titles.get(story_id, story_id), "", seen_first[story_id],
                                               seen_on[story_id]))
            continue
        kind = KIND_LABELS.get(story.meta.kind, story.meta.kind)
        report.stories.append(StoryLine(story_id, story.meta.title, kind, seen_first[story_id], seen_on[story_id]))
        report.kinds[kind] += 1
    published = [by_id[s.id] for s in report.stories]
    report.officers = _officers(published)
    report.figures = figures.aggregate(published)
    report.silences = _silences(ledger, config, start, min(end, max(now, start)), tz)
    report.apart = _apart(ledger, config, lines, only, start, min(end, now))
    return report


def _as_approved(site: Path, config: SiteConfig, ledger: sqlite3.Connection, lines: list[history.Line],
                 current: dict[str, Story]) -> dict[str, Story | None]:
    """Each story that went out in the period, as approved in the last version that went out."""
    last: dict[str, str] = {}
    for line in lines:  # oldest first: the last version wins
        if line.state in (history.POSTED, "delivered"):
            for story in line.stories:
                last[story] = line.versions.get(story, "")
    return {story: approved.version(site, config, ledger, story, digest, current.get(story))
            for story, digest in last.items()}


def _apart(ledger: sqlite3.Connection, config: SiteConfig, lines: list[history.Line], only: set[str] | None,
           start: dt.datetime, end: dt.datetime) -> list[Apart]:
    """Held, failed, missed and unconfirmed deliveries, and batch posts whose slot passed in the period
    with no confirmed post (the same as ``status`` lists), oldest first."""
    known = channels(config)

    def shown(name: str) -> str:
        return known[name].shown if name in known else name

    found = [Apart(line.at, shown(line.channel), line.target, line.title, line.state) for line in lines
             if line.state in history.APART and (only is None or only.intersection(line.stories))]
    by_hand = {name for name, channel in known.items() if channel.posted_by_hand}
    for channel, story, title, slot in posts.awaiting_confirmation(ledger, by_hand, end):
        if start <= slot < end and (only is None or story in only):
            found.append(Apart(slot, shown(channel), "", title or story, history.AWAITING))
    return sorted(found, key=lambda item: (item.at, item.shown, item.title))


def _items(channel: Channel, lines: list[history.Line], tz: dt.tzinfo) -> list[Delivered]:
    """What the channel counts: confirmed posts (posted by hand), or its deliveries, each rendition
    (key and content) once, at its first delivery."""
    if channel.posted_by_hand:
        chosen = [line for line in lines if line.channel == channel.name and line.state == history.POSTED]
        return [Delivered(line.key, line.stories, line.at, url=line.url) for line in chosen]
    first: dict[tuple[str, str], history.Line] = {}
    for line in lines:
        if line.channel == channel.name and line.state == "delivered":
            first.setdefault((line.key, line.hash), line)
    return [Delivered(line.key, line.stories, line.at, line.day, line.facts) for line in first.values()]


def _officers(stories: list[Story]) -> list[Officer]:
    found: dict[str, Officer] = {}
    for story in stories:
        officer = story.meta.officer
        if officer and officer.name not in found:
            found[officer.name] = Officer(officer.name, officer.unit, officer.title, list(officer.honors),
                                          story.meta.title)
    return list(found.values())


def _silences(ledger: sqlite3.Connection, config: SiteConfig, start: dt.datetime, end: dt.datetime,
              tz: dt.tzinfo) -> list[Silence]:
    """Each account's longest run without a confirmed post inside the period: from the last post
    before it, or from when the account was first used (its first batch slot or post), to the next
    post or the period's end. An account not yet in use by the end is left out."""
    found = []
    for name, channel in channels(config).items():
        if not channel.posted_by_hand:
            continue
        times = [post.posted_at for post in posts.confirmed(ledger, start, end, name)]
        before = posts.last_posted(ledger, name, start)
        used = [moment for moment in (posts.in_use_since(ledger, name), *times[:1]) if moment is not None]
        if before is None and (not used or min(used) >= end):
            continue  # an account the site did not use yet
        edges = [before or max(start, min(used)), *times, end]
        gaps = [(b - a, a, b) for a, b in itertools.pairwise(edges)]
        length, first, last = max(gaps, key=lambda gap: gap[0])
        # A run that reaches the period's end (midnight after its last day) ends on that last day.
        last_day = (last - dt.timedelta(microseconds=1) if last == end else last).astimezone(tz).date()
        found.append(Silence(channel.shown, channel.account, length.days, first.astimezone(tz).date(), last_day,
                             len(times)))
    return found
