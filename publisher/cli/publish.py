"""The publisher's commands: run, publish, batch, status, resolve (parsed in :mod:`publisher.cli`)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from publisher.cli.common import EXIT_OK, EXIT_USAGE, known_channels, load_site, log_to_stderr, print_diagnostics
from publisher.config import SiteConfig
from publisher.i18n import _
from publisher.pipeline.check import unheard_keep_alive
from publisher.publish import posts, queue
from publisher.publish.daemon import clock_from_environment, run
from publisher.publish.runner import Publisher, take_down
from publisher.safety import review
from publisher.timing import iso_week, week_start


def cmd_run(args: argparse.Namespace) -> int:
    config = load_site(args)
    log_to_stderr()
    return run(args.site, config)


def cmd_publish(args: argparse.Namespace) -> int:
    config = load_site(args)
    log_to_stderr()
    publisher = Publisher(args.site, config, clock_from_environment(_tz(config)))
    if not known_channels(args.channel, config):
        return EXIT_USAGE
    chosen = set(args.channel) or set(config.channels)
    if not args.dry_run:
        publisher.start()
        for name in sorted(chosen):
            if publisher.channels[name].scheduled == "units":
                publisher.unit_job(name, publisher.now().date())
    done = publisher.deliver_due(chosen, dry_run=args.dry_run)
    print(_("{count} delivered").format(count=done) if not args.dry_run else _("dry run: nothing changed"))
    return EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    config = load_site(args)
    log_to_stderr()
    publisher = Publisher(args.site, config, clock_from_environment(_tz(config)))
    week = args.week or iso_week(publisher.now().date() + dt.timedelta(days=7))
    try:
        week_start(week)
    except ValueError as exc:
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        return EXIT_USAGE
    chosen = args.channel or [n for n, c in config.channels.items() if c.slots]
    for name in chosen:
        if name not in config.channels or not config.channels[name].slots:
            print(_("error: channel {name!r} has no slots in config.toml").format(name=name), file=sys.stderr)
            return EXIT_USAGE
        posts = publisher.weekly_job(name, week)
        print(_("{channel} {week}: {count} posts").format(channel=name, week=week, count=len(posts)))
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    config = load_site(args)
    publisher = Publisher(args.site, config, clock_from_environment(_tz(config)))
    ledger = publisher.ledger
    sections = [(_("Queued"), "state IN ('scheduled', 'claimed')", 100),
                (_("Held (not sent; see the reason)"), "state = 'held'", 100),
                (_("Unconfirmed (a person must check)"), "state = 'unconfirmed'", 100),
                (_("Failed"), "state = 'failed'", 100),
                (_("Missed slots (not posted late)"), "state = 'missed'", 100),
                (_("Last deliveries"), "state = 'delivered'", 10)]
    for title, where, limit in sections:
        found = queue.rows(ledger, where, limit=limit)
        print(_("{title}: {count}").format(title=title, count=len(found)))
        for item in found:
            extra = "  " + _("attempts {count}").format(count=item.attempts) if item.state != "held" else ""
            extra += f"  {item.last_error}" if item.last_error else ""
            title = f"  《{item.payload['title']}》" if item.payload.get("title") else ""
            print(f"  #{item.id:<5} {item.due_at.astimezone(publisher.tz):%Y-%m-%d %H:%M}  {item.label}{title}{extra}")
    withdrawn = review.withdrawn_stories(ledger)
    gone = take_down(ledger, set(withdrawn))
    if gone:
        print(_("To take down by hand (withdrawn after they went out): {count}").format(count=len(gone)))
        for story, item in gone:
            print(f"  #{item.id:<5} {item.channel} {item.payload.get('destination', item.key)} → {item.target}  "
                  f"{item.payload.get('title', '')}  " + _("withdrawn by {reviewer}: {note}").format(
                      reviewer=withdrawn[story]["reviewer"], note=withdrawn[story]["note"]))
    print(_("Next jobs:"))
    for name, due in publisher.next_due_times():
        print(f"  {name:10s} {due:%Y-%m-%d %H:%M}")
    for name, channel in config.channels.items():
        if channel.deliver and not channel.schedule and not channel.slots:
            print(_("note: {channel} has delivery targets but no schedule: it is delivered only by "
                    "publisher publish").format(channel=name))
    print_diagnostics(unheard_keep_alive(args.site, config))
    now = publisher.now()
    by_hand = {name for name, channel in publisher.channels.items() if channel.posted_by_hand}
    waiting = posts.awaiting_confirmation(ledger, by_hand, now)
    if waiting:
        print(_("Slot passed, post not confirmed (publisher posted STORY --channel NAME --url LINK): {count}").format(
            count=len(waiting)))
        for channel_name, story, title, slot in waiting:
            print(f"  {slot.astimezone(publisher.tz):%Y-%m-%d %H:%M}  {channel_name} {story}  《{title}》")
    for name, channel in config.channels.items():
        if not channel.slots:
            continue
        if name in by_hand:  # posted by hand: only a confirmed post counts as published
            moment = posts.last_posted(ledger, name, now)
            last = queue.stamp(moment) if moment else None
        else:
            last = ledger.execute("SELECT MAX(delivered_at) FROM deliveries WHERE channel = ? AND kind = 'post' "
                                  "AND state = 'delivered'", (name,)).fetchone()[0]
        quiet = (now - queue.parse(last)).days if last else None
        if quiet is None or quiet >= config.publish.quiet_days:
            if quiet is None:
                text = _("warning: {channel} has published nothing yet; accounts silent for two weeks fail "
                         "government new-media inspections")
            else:
                text = _("warning: {channel} has published nothing for {days} days; accounts silent for two weeks "
                         "fail government new-media inspections")
            print(text.format(channel=name, days=quiet))
    return EXIT_OK


def cmd_resolve(args: argparse.Namespace) -> int:
    config = load_site(args)
    publisher = Publisher(args.site, config)
    outcome = "delivered" if args.delivered else "retry"
    if not queue.resolve(publisher.ledger, args.delivery, outcome, publisher.now()):
        print(_("error: delivery #{number} is not unconfirmed, failed or missed").format(number=args.delivery),
              file=sys.stderr)
        return EXIT_USAGE
    done = _("marked delivered") if args.delivered else _("queued again")
    print(_("#{number}: {outcome}").format(number=args.delivery, outcome=done))
    return EXIT_OK


def _tz(config: SiteConfig):
    from zoneinfo import ZoneInfo

    return ZoneInfo(config.timezone)
