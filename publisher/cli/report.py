"""The work report's commands: history, posted, report (parsed in :mod:`publisher.cli`)."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import re
import sys
from zoneinfo import ZoneInfo

from publisher import ledger as ledgers
from publisher.cli.common import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, load_site, print_diagnostics
from publisher.config import SiteConfig
from publisher.content.hashing import content_hash
from publisher.content.story import KIND_LABELS, KIND_NAMES, written_date
from publisher.errors import ContentError
from publisher.i18n import N_, _
from publisher.pipeline.reader import read_site, read_story, story_files
from publisher.publish import posts
from publisher.publish.daemon import clock_from_environment
from publisher.render.channel import channels
from publisher.report import history, period
from publisher.report.gather import gather
from publisher.report.write import write
from publisher.safety import links, review

STATES = {"delivered": N_("delivered"), "held": N_("held"), "failed": N_("failed"), "missed": N_("missed"),
          "unconfirmed": N_("unconfirmed"), "posted": N_("posted"), "scheduled": N_("queued"),
          "claimed": N_("delivering")}
"""A line's state as ``history`` shows it (``--csv`` and ``--json`` keep the ledger's word)."""
COLUMNS = ("number", "time", "channel", "target", "state", "kind", "story", "title", "url", "note")


def _within_years(args: argparse.Namespace) -> bool:
    """``--from``/``--to`` in the years a report may name; else says so."""
    for day in (args.start, args.end):
        if day is not None:
            try:
                period.check_day(day)
            except ValueError as exc:
                _error(str(exc))
                return False
    return True


def _now(config: SiteConfig) -> dt.datetime:
    tz = ZoneInfo(config.timezone)
    clock = clock_from_environment(tz)
    return (clock() if clock else dt.datetime.now(tz)).astimezone(tz)


def _error(message: str) -> None:
    print(_("error: {message}").format(message=message), file=sys.stderr)


# -- history -----------------------------------------------------------------------------------
def cmd_history(args: argparse.Namespace) -> int:
    config = load_site(args)
    tz = ZoneInfo(config.timezone)
    unknown = [name for name in args.channel if name not in config.channels]
    if unknown:
        _error(_("unknown channel {name!r} (known: {known})").format(name=unknown[0], known=", ".join(
            config.channels)))
        return EXIT_USAGE
    if not _within_years(args):
        return EXIT_USAGE
    kind = KIND_NAMES.get(args.kind, args.kind) if args.kind else None
    if kind is not None and kind not in KIND_LABELS:
        _error(_("unknown kind {kind!r}; use officer, deed or antifraud").format(kind=args.kind))
        return EXIT_USAGE
    start = dt.datetime.combine(args.start, dt.time(), tzinfo=tz) if args.start else None
    end = dt.datetime.combine(args.end + dt.timedelta(days=1), dt.time(), tzinfo=tz) if args.end else None
    if start and end and end <= start:
        _error(_("--to is before --from"))
        return EXIT_USAGE
    connection = ledgers.connect(args.site, config, create=False)
    found = [] if connection is None else history.lines(
        connection, tz, start, end, set(args.channel) or None, args.story.removesuffix(".md") if args.story else None)
    if kind is not None:
        stories, _problems = read_site(args.site, config)
        of_kind = {story.id for story in stories if story.meta.kind == kind}
        found = [line for line in found if of_kind.intersection(line.stories)]
    rows = [line.as_row(tz) for line in found]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif args.csv:
        out = csv.DictWriter(sys.stdout, COLUMNS, lineterminator="\n")
        out.writeheader()
        out.writerows(rows)
    else:
        for row in rows:
            state = _(STATES[row["state"]]) if row["state"] in STATES else row["state"]
            where = row["url"] or row["target"]
            note = f"  {row['note']}" if row["note"] else ""
            print(f"{row['number']:<6} {row['time']}  {row['channel']:<8} {state:<6} {where}  "
                  f"{row['story']}  《{row['title']}》{note}")
        print(_("{count} lines").format(count=len(rows)))
    return EXIT_OK


# -- posted ------------------------------------------------------------------------------------
def cmd_posted(args: argparse.Namespace) -> int:
    config = load_site(args)
    tz = ZoneInfo(config.timezone)
    now = _now(config)
    known = channels(config)
    channel = known.get(args.channel)
    if channel is None:
        _error(_("unknown channel {name!r} (known: {known})").format(name=args.channel, known=", ".join(known)))
        return EXIT_USAGE
    if not channel.posted_by_hand:
        _error(_("{channel} is delivered by the publisher itself; its deliveries are counted, there is nothing "
                 "to confirm").format(channel=args.channel))
        return EXIT_USAGE
    url = args.url.strip()
    if not re.fullmatch(r"https?://[^\s/]+\.[^\s/]+(/\S*)?", url):
        _error(_("{url!r} is not a link to the post (write it as https://…)").format(url=args.url))
        return EXIT_USAGE
    found_pii = links.personal_information(url)
    if found_pii:
        _error(_("the link holds {what}; it would be kept in the ledger and printed in every report. Give the "
                 "post's own link, without personal information").format(what=_("; ").join(found_pii)))
        return EXIT_USAGE
    at = now
    if args.at:
        try:
            at = _moment(args.at, tz)
        except ValueError:
            _error(_("--at {value!r}: write the time like 2021-04-19 10:05").format(value=args.at))
            return EXIT_USAGE
        try:
            period.check_year(at.year, args.at)
        except ValueError as exc:
            _error(str(exc))
            return EXIT_USAGE
        if at > now + dt.timedelta(minutes=5):
            _error(_("--at {value} is in the future; say when it was posted").format(value=f"{at:%Y-%m-%d %H:%M}"))
            return EXIT_USAGE
    wanted = args.story.removesuffix(".md").removesuffix("/index")
    found = next(((story_id, path) for story_id, path in story_files(args.site)
                  if story_id == wanted or path.resolve() == (args.site / args.story).resolve()
                  or str(path.resolve()) == str(args.story)), None)
    if found is None:
        _error(_("no story {target!r} (ids look like deeds/huzheng-365)").format(target=args.story))
        return EXIT_USAGE
    try:
        story = read_story(args.site, found[0], found[1], config)
    except ContentError as exc:
        print_diagnostics(exc.diagnostics)
        return EXIT_CONTENT
    if args.channel not in story.channels:
        _error(_("{story} does not go to {channel} (its channels: {channels})").format(
            story=story.id, channel=args.channel, channels=", ".join(story.channels)))
        return EXIT_USAGE
    connection = ledgers.connect(args.site, config)
    state = review.state(connection, story, config.safety.stages, config.reviewers)
    if not state.approved or story.meta.status != "ready":
        reason = state.label if not state.approved else _("the story is a draft")
        _error(_("{story} may not be published: {reason}. Only a story approved at every review stage "
                 "(三审) for its current content is recorded as posted").format(story=story.id, reason=reason))
        return EXIT_USAGE
    if state.approved_at is not None and at < state.approved_at:
        _error(_("--at {value} is before {story} passed {stage} ({approved}); a story is posted only after its "
                 "last review stage: say when it was posted").format(
            value=f"{at.astimezone(tz):%Y-%m-%d %H:%M}", story=story.id, stage=config.safety.stages[-1],
            approved=f"{state.approved_at.astimezone(tz):%Y-%m-%d %H:%M}"))
        return EXIT_USAGE
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = ""
    if posts.record(connection, args.channel, story.id, story.meta.title, url, at, content_hash(story), user, now):
        print(_("recorded: {story} posted on {channel} at {time}: {url}").format(
            story=story.id, channel=args.channel, time=f"{at.astimezone(tz):%Y-%m-%d %H:%M}", url=url))
    else:
        print(_("already recorded: {story} on {channel} at {url}").format(story=story.id, channel=args.channel,
                                                                         url=url))
    return EXIT_OK


def _moment(text: str, tz: ZoneInfo) -> dt.datetime:
    value = written_date(text.strip())
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("/", "-"))
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(12))
    return value if value.tzinfo else value.replace(tzinfo=tz)


# -- report ------------------------------------------------------------------------------------
def cmd_report(args: argparse.Namespace) -> int:
    config = load_site(args)
    now = _now(config)
    chosen = [name for name in ("month", "quarter", "year") if getattr(args, name)]
    spans = args.start is not None or args.end is not None
    if not _within_years(args):
        return EXIT_USAGE
    if len(chosen) + spans > 1:
        _error(_("give one period: --month, --quarter, --year or --from/--to"))
        return EXIT_USAGE
    try:
        if args.month:
            span = period.month(args.month)
        elif args.quarter:
            span = period.quarter(args.quarter)
        elif args.year:
            span = period.year(args.year)
        elif spans:
            span = period.span(args.start or dt.date(now.year, 1, 1), args.end or now.date())
        elif args.campaign:
            span = _campaign_span(args, config, now.date())
        else:
            _error(_("say which period: --month 2021-04, --quarter 2021Q2, --year 2021, --from/--to, or "
                     "--campaign NAME"))
            return EXIT_USAGE
    except ValueError as exc:
        _error(str(exc))
        return EXIT_USAGE
    connection = ledgers.connect(args.site, config, create=False)
    if connection is None:
        _error(_("there is no ledger yet at {path}: nothing has been published").format(
            path=ledgers.path_of(args.site, config)))
        return EXIT_USAGE
    stories, problems = read_site(args.site, config)
    if args.campaign and not any(args.campaign in story.meta.campaign for story in stories):
        _error(_("no story names the campaign {name!r} (campaign: in front matter)").format(name=args.campaign))
        return EXIT_USAGE
    print_diagnostics(problems)
    report = gather(args.site, config, connection, span, args.campaign or "", now)
    folder = write(args.site, config, report)
    for part in report.channels:
        for tally in part.counted.tallies:
            print(f"  {tally.label}  {tally.count} {tally.unit}")
    print(_("report for {period}: {folder}").format(period=span.label, folder=folder))
    return EXIT_CONTENT if problems else EXIT_OK


def _campaign_span(args: argparse.Namespace, config: SiteConfig, today: dt.date) -> period.Period:
    """A campaign without a period: from its first day in the ledger to today."""
    connection = ledgers.connect(args.site, config, create=False)
    first = today
    if connection is not None:
        tz = ZoneInfo(config.timezone)
        lines = history.lines(connection, tz)
        if lines:
            first = min(line.day or line.at.astimezone(tz).date() for line in lines)
    return period.span(min(first, today), today)
