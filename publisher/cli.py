"""The ``publisher`` command. Exit codes: 0 ok, 1 content errors, 2 usage or config errors."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

from publisher import __version__
from publisher.config import KINDS, SiteConfig, load_config
from publisher.errors import ConfigError, Diagnostic, PublisherError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args)
    except ConfigError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=sys.stderr)
        return EXIT_USAGE
    except PublisherError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `publisher review list | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # a folder that cannot be written, a port in use…
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="publisher",
        description="Turn Markdown stories into Weibo posts, WeChat articles, Douyin videos and LED-screen "
                    "loops, review them (三审) and publish them on schedule. Run in a site folder (content/, "
                    "templates/, assets/, config.toml) or pass --site.")
    parser.add_argument("--version", action="version", version=f"publisher {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = commands.add_parser("build", help="render ready stories for every channel",
                                description="Render every ready story for each of its channels into "
                                            "<out>/<channel>/<story-id>/ and write <out>/manifest.json. "
                                            "Unchanged renditions are not rendered again.")
    _site_option(build)
    build.add_argument("--out", type=Path, help="output folder (default: the site's output/)")
    build.add_argument("--channel", action="append", default=[], metavar="NAME",
                       help="only this channel (repeatable)")
    build.add_argument("--drafts", action="store_true", help="also render stories with status: draft")
    build.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                       help="renditions rendered in parallel (default: the number of cores)")
    build.add_argument("--date", type=_date, metavar="YYYY-MM-DD",
                       help="the day LED loops are rendered for (default: today in the site's time zone)")
    build.set_defaults(handler=cmd_build)

    check = commands.add_parser("check", help="validate config and stories without rendering",
                                description="Validate config.toml and every story (front matter, images, "
                                            "glyphs, channel limits) without rendering anything.")
    _site_option(check)
    check.set_defaults(handler=cmd_check)

    new = commands.add_parser("new", help="scaffold a new story from an archetype",
                              description="Create content/<section>/<slug>.md with every front-matter field "
                                          "present and commented.")
    _site_option(new)
    new.add_argument("kind", choices=KINDS, help="officer, deed or antifraud")
    new.add_argument("title", help="the headline, in quotes")
    new.add_argument("--slug", help="file name without .md (default: date and a number)")
    new.set_defaults(handler=cmd_new)

    review = commands.add_parser(
        "review", help="三审: approve or reject a story, list what waits, export the audit trail",
        description="publisher review STORY approve --stage 初审 --by NAME [--note TEXT]\n"
                    "publisher review STORY reject --by NAME --note TEXT\n"
                    "publisher review list\n"
                    "publisher review log [--csv]\n\n"
                    "STORY is its id (deeds/huzheng-365) or its file. Stages come from config.toml "
                    "([safety] stages) and are approved in order; editing a story voids its approvals.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    _site_option(review)
    review.add_argument("target", metavar="STORY|list|log")
    review.add_argument("action", nargs="?", choices=["approve", "reject"])
    review.add_argument("--stage", help="the stage being approved (e.g. 初审)")
    review.add_argument("--by", default="", help="who decides")
    review.add_argument("--note", default="", help="a note (required for reject)")
    review.add_argument("--csv", action="store_true", help="log: write CSV instead of a table")
    review.set_defaults(handler=cmd_review)

    preview = commands.add_parser("preview", help="write the preview site (open it from disk)",
                                  description="Build (drafts included) and write <out>/preview/index.html: a "
                                              "dashboard, next week's calendar, each screen's loop, and every "
                                              "story as it will look on each channel.")
    _site_option(preview)
    preview.add_argument("--out", type=Path, help="output folder (default: the site's output/)")
    preview.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="the day of the LED loops (default: today)")
    preview.set_defaults(handler=cmd_preview)

    serve = commands.add_parser("serve", help="serve the preview and rebuild it on every save",
                                description="Serve the preview on 127.0.0.1, watch content/, templates/, assets/ "
                                            "and config.toml, rebuild what changed and reload open pages.")
    _site_option(serve)
    serve.add_argument("--out", type=Path, help="output folder (default: the site's output/)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.set_defaults(handler=cmd_serve)

    run = commands.add_parser("run", help="the publisher daemon: scheduled jobs and deliveries",
                              description="Run until stopped (SIGTERM/SIGINT): each channel's schedule "
                                          "(daily LED loops, weekly batches) and every delivery when it is due. "
                                          "Missed jobs are caught up at start.")
    _site_option(run)
    run.set_defaults(handler=cmd_run)

    publish = commands.add_parser("publish", help="one publishing pass by hand",
                                  description="Render and queue today's LED loops, then deliver everything due.")
    _site_option(publish)
    publish.add_argument("--channel", action="append", default=[], metavar="NAME", help="only this channel")
    publish.add_argument("--dry-run", action="store_true", help="say what would be delivered; change nothing")
    publish.set_defaults(handler=cmd_publish)

    batch = commands.add_parser("batch", help="write a week's batch of social posts by hand",
                                description="Fill a week's posting slots with approved stories and write "
                                            "batches/<channel>/<ISO-week>/ (posts, batch.csv, batch.json, "
                                            "batch.ics); each post is queued for its slot.")
    _site_option(batch)
    batch.add_argument("--channel", action="append", default=[], metavar="NAME", help="only this channel")
    batch.add_argument("--week", metavar="YYYY-Www", help="the ISO week (default: next week)")
    batch.set_defaults(handler=cmd_batch)

    status = commands.add_parser("status", help="what is queued, delivered, failed or unconfirmed",
                                 description="Queued deliveries, the last deliveries, failures, anything "
                                             "unconfirmed or missed, and when each channel's job runs next.")
    _site_option(status)
    status.set_defaults(handler=cmd_status)

    resolve = commands.add_parser("resolve", help="settle an unconfirmed, failed or missed delivery",
                                  description="After checking the target: --delivered if it arrived, "
                                              "--retry to send it again.")
    _site_option(resolve)
    resolve.add_argument("delivery", type=int, help="the delivery number shown by status")
    outcome = resolve.add_mutually_exclusive_group(required=True)
    outcome.add_argument("--delivered", action="store_true", help="it arrived: mark it delivered")
    outcome.add_argument("--retry", action="store_true", help="it did not: deliver it again")
    resolve.set_defaults(handler=cmd_resolve)
    return parser


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-01") from None


def _site_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                        help="the site folder (default: the current folder)")


def _load(args: argparse.Namespace) -> SiteConfig:
    config, _ = load_config(args.site)
    return config


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from publisher.build import build, format_summary

    config = _load(args)
    unknown = [name for name in args.channel if name not in config.channels]
    if unknown:
        print(f"error: unknown channel {unknown[0]!r} (known: {', '.join(config.channels)})", file=sys.stderr)
        return EXIT_USAGE
    if args.jobs < 1:
        print("error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    out = args.out or args.site / config.output
    started = time.perf_counter()
    result = build(args.site, config, out, only=args.channel, drafts=args.drafts, jobs=args.jobs,
                   progress=sys.stderr.isatty(), day=args.date)
    _print_diagnostics(result.warnings + result.errors)
    for line in format_summary(result):
        print(line)
    status = f"{len(result.errors)} error(s)" if result.errors else "ok"
    print(f"built into {out} in {time.perf_counter() - started:.1f}s: {status}")
    return EXIT_CONTENT if result.errors else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from publisher.check import check_site

    config = _load(args)
    errors, warnings, count = check_site(args.site, config)
    _print_diagnostics(warnings + errors)
    print(f"checked {count} stories: {len(errors)} error(s), {len(warnings)} warning(s)")
    return EXIT_CONTENT if errors else EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    from publisher.content.reader import read_site
    from publisher.publish import ledger as ledgers
    from publisher.safety import review

    config = _load(args)
    stages = config.safety.stages
    if args.target in ("list", "log"):
        connection = ledgers.connect(args.site, config, create=False)
        if args.target == "log":
            rows = review.log(connection)
            if args.csv:
                import csv

                writer = csv.writer(sys.stdout)
                writer.writerow(["id", "at", "story", "stage", "decision", "reviewer", "note", "content_hash"])
                for row in rows:
                    writer.writerow([row[k] for k in ("id", "at", "story", "stage", "decision", "reviewer", "note",
                                                      "content_hash")])
            else:
                for row in rows:
                    print(f"{row['at']}  {row['story']}  {row['stage']}  {row['decision']}  {row['reviewer']}"
                          f"{'  ' + row['note'] if row['note'] else ''}")
            return EXIT_OK
        stories, errors = read_site(args.site, config)
        _print_diagnostics(errors)
        for story in stories:
            current = review.state(connection, story, stages)
            print(f"{story.id:32s} {story.meta.status:6s} {current.label}")
        return EXIT_CONTENT if errors else EXIT_OK
    if args.action is None:
        print("error: say approve or reject (publisher review STORY approve --stage 初审 --by NAME)",
              file=sys.stderr)
        return EXIT_USAGE
    story = _find_story(args, config)
    if story is None:
        return EXIT_CONTENT
    connection = ledgers.connect(args.site, config)
    try:
        if args.action == "approve":
            if not args.stage:
                print("error: --stage is required to approve", file=sys.stderr)
                return EXIT_USAGE
            result = review.approve(connection, story, stages, args.stage, args.by, args.note, config.timezone)
        else:
            result = review.reject(connection, story, stages, args.by, args.note, config.timezone)
    except review.ReviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{story.id}: {result.label}")
    return EXIT_OK


def _find_story(args: argparse.Namespace, config: SiteConfig):
    """The story named by id or by file, read and validated (errors printed)."""
    from publisher.content.reader import read_story, story_files
    from publisher.errors import ContentError

    wanted = args.target.removesuffix(".md").removesuffix("/index")
    for story_id, path in story_files(args.site):
        candidates = {story_id, str(path.resolve())}
        if wanted in candidates or str(Path(args.target).resolve()) in candidates:
            try:
                return read_story(args.site, story_id, path, config)
            except ContentError as exc:
                _print_diagnostics(exc.diagnostics)
                print(f"error: fix {story_id} before it is reviewed", file=sys.stderr)
                return None
    print(f"error: no story {args.target!r} (ids look like deeds/huzheng-365)", file=sys.stderr)
    return None


def cmd_preview(args: argparse.Namespace) -> int:
    from publisher.build import build, format_summary
    from publisher.preview import generate

    config = _load(args)
    out = args.out or args.site / config.output
    result = build(args.site, config, out, drafts=True, day=args.date, progress=sys.stderr.isatty())
    _print_diagnostics(result.warnings + result.errors)
    for line in format_summary(result):
        print(line)
    index = generate(args.site, config, out, result)
    print(f"preview: {index}")
    return EXIT_CONTENT if result.errors else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from publisher.serve import serve

    config = _load(args)
    _logging()
    return serve(args.site, config, args.out or args.site / config.output, args.port)


def _logging() -> None:
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)


def cmd_run(args: argparse.Namespace) -> int:
    from publisher.publish.daemon import run

    config = _load(args)
    _logging()
    return run(args.site, config)


def cmd_publish(args: argparse.Namespace) -> int:
    from publisher.publish.daemon import clock_from_environment
    from publisher.publish.runner import Publisher

    config = _load(args)
    _logging()
    publisher = Publisher(args.site, config, clock_from_environment(_tz(config)))
    chosen = set(args.channel) or set(config.channels)
    if not args.dry_run:
        publisher.start()
        for name in sorted(chosen):
            if config.channels[name].type == "led":
                publisher.led_job(name, publisher.now().date())
    done = publisher.deliver_due(chosen, dry_run=args.dry_run)
    print(f"{done} delivered" if not args.dry_run else "dry run: nothing changed")
    return EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    import datetime

    from publisher.publish.daemon import clock_from_environment
    from publisher.publish.runner import Publisher
    from publisher.publish.timing import iso_week, week_start

    config = _load(args)
    _logging()
    publisher = Publisher(args.site, config, clock_from_environment(_tz(config)))
    week = args.week or iso_week(publisher.now().date() + datetime.timedelta(days=7))
    try:
        week_start(week)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    chosen = args.channel or [n for n, c in config.channels.items() if c.slots]
    for name in chosen:
        if name not in config.channels or not config.channels[name].slots:
            print(f"error: channel {name!r} has no slots in config.toml", file=sys.stderr)
            return EXIT_USAGE
        posts = publisher.weekly_job(name, week)
        print(f"{name} {week}: {len(posts)} posts")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from publisher.publish import queue
    from publisher.publish.daemon import clock_from_environment
    from publisher.publish.runner import Publisher

    config = _load(args)
    publisher = Publisher(args.site, config, clock_from_environment(_tz(config)))
    ledger = publisher.ledger
    sections = [("Queued", "state IN ('scheduled', 'claimed')"), ("Unconfirmed (a person must check)",
                "state = 'unconfirmed'"), ("Failed", "state = 'failed'"), ("Missed slots (not posted late)",
                "state = 'missed'"), ("Last deliveries", "state = 'delivered'")]
    for title, where in sections:
        found = queue.rows(ledger, where, limit=10 if title.startswith("Last") else 100)
        print(f"{title}: {len(found)}")
        for item in found:
            extra = f"  attempts {item.attempts}" + (f"  {item.last_error}" if item.last_error else "")
            print(f"  #{item.id:<5} {item.due_at.astimezone(publisher.tz):%Y-%m-%d %H:%M}  {item.label}{extra}")
    print("Next jobs:")
    for name, due in publisher.next_due_times():
        print(f"  {name:10s} {due:%Y-%m-%d %H:%M}")
    now = publisher.now()
    for name, channel in config.channels.items():
        if not channel.slots:
            continue
        last = ledger.execute("SELECT MAX(delivered_at) FROM deliveries WHERE channel = ? AND kind = 'post' "
                              "AND state = 'delivered'", (name,)).fetchone()[0]
        quiet = (now - queue.parse(last)).days if last else None
        if quiet is None or quiet >= config.publish.quiet_days:
            since = f"for {quiet} days" if quiet is not None else "yet"
            print(f"warning: {name} has published nothing {since}; accounts silent for two weeks fail "
                  f"government new-media inspections")
    return EXIT_OK


def cmd_resolve(args: argparse.Namespace) -> int:
    from publisher.publish import queue
    from publisher.publish.runner import Publisher

    config = _load(args)
    publisher = Publisher(args.site, config)
    outcome = "delivered" if args.delivered else "retry"
    if not queue.resolve(publisher.ledger, args.delivery, outcome, publisher.now()):
        print(f"error: delivery #{args.delivery} is not unconfirmed, failed or missed", file=sys.stderr)
        return EXIT_USAGE
    print(f"#{args.delivery}: {'marked delivered' if args.delivered else 'queued again'}")
    return EXIT_OK


def _tz(config: SiteConfig):
    from zoneinfo import ZoneInfo

    return ZoneInfo(config.timezone)


def cmd_new(args: argparse.Namespace) -> int:
    from publisher.content.archetypes import scaffold

    config = _load(args)
    path = scaffold(args.site, config, args.kind, args.title, args.slug)
    print(path)
    return EXIT_OK
