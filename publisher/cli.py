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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="publisher",
        description="Turn Markdown stories into Weibo posts, WeChat articles and the bureau's other "
                    "channels. Run in a site folder (content/, templates/, assets/, config.toml) or pass --site.")
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


def cmd_new(args: argparse.Namespace) -> int:
    from publisher.content.archetypes import scaffold

    config = _load(args)
    path = scaffold(args.site, config, args.kind, args.title, args.slug)
    print(path)
    return EXIT_OK
