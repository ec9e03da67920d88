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
        "review", help="三审: approve, reject or withdraw a story, list what waits, export the audit trail",
        description="publisher review STORY approve --stage 初审 --by NAME [--note TEXT]\n"
                    "publisher review STORY reject --by NAME --note TEXT\n"
                    "publisher review STORY withdraw --by NAME --note TEXT   (撤稿, by a 终审 reviewer)\n"
                    "publisher review list\n"
                    "publisher review log [--csv]\n\n"
                    "STORY is its id (deeds/huzheng-365) or its file. Stages come from config.toml "
                    "([safety] stages) and are approved in order, each by a different reviewer listed for it "
                    "in [[reviewers]]; editing a story voids its approvals.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    _site_option(review)
    review.add_argument("target", metavar="STORY|list|log")
    review.add_argument("action", nargs="?", choices=["approve", "reject", "withdraw"])
    review.add_argument("--stage", help="the stage being approved (e.g. 初审)")
    review.add_argument("--by", default="", help="who decides: a name from [[reviewers]] in config.toml")
    review.add_argument("--note", default="", help="a note (required for reject and withdraw)")
    review.add_argument("--csv", action="store_true", help="log: write CSV instead of a table")
    review.set_defaults(handler=_lazy("publisher.safety.commands", "cmd_review"))

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
    serve.add_argument("--port", type=_port, default=8000, help="port, 1-65535 (default 8000)")
    serve.set_defaults(handler=cmd_serve)

    run = commands.add_parser("run", help="the publisher daemon: scheduled jobs and deliveries",
                              description="Run until stopped (SIGTERM/SIGINT): each channel's schedule "
                                          "(daily LED loops, weekly batches) and every delivery when it is due. "
                                          "Missed jobs are caught up at start.")
    _site_option(run)
    run.set_defaults(handler=_lazy("publisher.publish.commands", "cmd_run"))

    publish = commands.add_parser("publish", help="one publishing pass by hand",
                                  description="Render and queue today's LED loops, then deliver everything due.")
    _site_option(publish)
    publish.add_argument("--channel", action="append", default=[], metavar="NAME", help="only this channel")
    publish.add_argument("--dry-run", action="store_true", help="say what would be delivered; change nothing")
    publish.set_defaults(handler=_lazy("publisher.publish.commands", "cmd_publish"))

    batch = commands.add_parser("batch", help="write a week's batch of social posts by hand",
                                description="Fill a week's posting slots with approved stories and write "
                                            "batches/<channel>/<ISO-week>/ (posts, batch.csv, batch.json, "
                                            "batch.ics); each post is queued for its slot.")
    _site_option(batch)
    batch.add_argument("--channel", action="append", default=[], metavar="NAME", help="only this channel")
    batch.add_argument("--week", metavar="YYYY-Www", help="the ISO week (default: next week)")
    batch.set_defaults(handler=_lazy("publisher.publish.commands", "cmd_batch"))

    backup = commands.add_parser("backup", help="a consistent copy of the ledger, even while the daemon runs",
                                 description="Copy .publisher/ledger.sqlite (review decisions, deliveries) with "
                                             "SQLite's online backup to DEST (a file, or a folder that gets "
                                             "ledger-<time>.sqlite). Restore: stop the daemon, copy the backup "
                                             "over the ledger file.")
    _site_option(backup)
    backup.add_argument("destination", type=Path, metavar="DEST")
    backup.set_defaults(handler=cmd_backup)

    status = commands.add_parser("status", help="what is queued, delivered, failed or unconfirmed",
                                 description="Queued deliveries, the last deliveries, failures, anything "
                                             "unconfirmed or missed, and when each channel's job runs next.")
    _site_option(status)
    status.set_defaults(handler=_lazy("publisher.publish.commands", "cmd_status"))

    resolve = commands.add_parser("resolve", help="settle an unconfirmed, failed or missed delivery",
                                  description="After checking the target: --delivered if it arrived, "
                                              "--retry to send it again.")
    _site_option(resolve)
    resolve.add_argument("delivery", type=int, help="the delivery number shown by status")
    outcome = resolve.add_mutually_exclusive_group(required=True)
    outcome.add_argument("--delivered", action="store_true", help="it arrived: mark it delivered")
    outcome.add_argument("--retry", action="store_true", help="it did not: deliver it again")
    resolve.set_defaults(handler=_lazy("publisher.publish.commands", "cmd_resolve"))
    return parser


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-01") from None


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return port


def cmd_backup(args: argparse.Namespace) -> int:
    from publisher.publish.ledger import backup

    config = load_site(args)
    print(f"ledger copied to {backup(args.site, config, args.destination)}")
    return EXIT_OK


def _lazy(module: str, name: str):
    """A handler imported when its command runs (keeps ``publisher --help`` fast)."""

    def handler(args: argparse.Namespace) -> int:
        import importlib

        return getattr(importlib.import_module(module), name)(args)

    return handler


def _site_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                        help="the site folder (default: the current folder)")


def load_site(args: argparse.Namespace) -> SiteConfig:
    config, _ = load_config(args.site)
    return config


def print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from publisher.build import build, format_summary

    config = load_site(args)
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
    print_diagnostics(result.warnings + result.errors)
    for line in format_summary(result):
        print(line)
    status = f"{len(result.errors)} error(s)" if result.errors else "ok"
    print(f"built into {out} in {time.perf_counter() - started:.1f}s: {status}")
    return EXIT_CONTENT if result.errors else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from publisher.check import check_site

    config = load_site(args)
    errors, warnings, count = check_site(args.site, config)
    print_diagnostics(warnings + errors)
    print(f"checked {count} stories: {len(errors)} error(s), {len(warnings)} warning(s)")
    return EXIT_CONTENT if errors else EXIT_OK


def cmd_preview(args: argparse.Namespace) -> int:
    from publisher.atomic import output_lock
    from publisher.build import build, check_output, format_summary
    from publisher.preview import generate

    config = load_site(args)
    out = args.out or args.site / config.output
    check_output(args.site, out)
    with output_lock(out.resolve()):  # the pages are made from exactly this build
        result = build(args.site, config, out, drafts=True, day=args.date, progress=sys.stderr.isatty())
        print_diagnostics(result.warnings + result.errors)
        for line in format_summary(result):
            print(line)
        index = generate(args.site, config, out, result)
    print(f"preview: {index}")
    return EXIT_CONTENT if result.errors else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from publisher.serve import serve

    config = load_site(args)
    log_to_stderr()
    return serve(args.site, config, args.out or args.site / config.output, args.port)


def log_to_stderr() -> None:
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)


def cmd_new(args: argparse.Namespace) -> int:
    from publisher.content.archetypes import scaffold

    config = load_site(args)
    path = scaffold(args.site, config, args.kind, args.title, args.slug)
    print(path)
    return EXIT_OK
