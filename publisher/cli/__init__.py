"""The ``publisher`` command. Exit codes: 0 ok, 1 content errors, 2 usage or config errors."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import re
import sqlite3
import sys
import tomllib
import unicodedata
from collections.abc import Callable
from pathlib import Path

from publisher import __version__
from publisher.cli.common import EXIT_OK, EXIT_USAGE
from publisher.config import KINDS
from publisher.errors import ConfigError, PublisherError
from publisher.i18n import _, choose_language, normalize, set_language


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    set_language(_language_for(argv))  # before the parser: its help and its errors are in this language
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
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        return 130
    except sqlite3.DatabaseError as exc:  # damage found only while reading (a page in the middle)
        print(_("error: the ledger (.publisher/ledger.sqlite) is damaged ({problem}). Restore the last backup "
                "(publisher backup; see README, 'The ledger') or move the file aside to start a new ledger").format(
            problem=exc), file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `publisher review list | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # a folder that cannot be written, a port in use…
        where = f": {exc.filename}" if exc.filename else ""
        print(_("error: {message}").format(message=f"{exc.strerror or exc}{where}"), file=sys.stderr)
        return EXIT_USAGE


def _language_for(argv: list[str]) -> str:
    """The language of this command: --lang, the environment, the site's ``language``, English.

    Read before argparse runs, from the raw arguments (``--lang X``/``--lang=X``, ``--site DIR``/``--site=DIR``
    anywhere), and from a quick read of ``config.toml``: any problem there is reported later, by the command."""
    options: dict[str, str] = {}
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        for name in ("--lang", "--site"):
            if arg == name and index + 1 < len(argv):
                options[name] = argv[index + 1]
            elif arg.startswith(name + "="):
                options[name] = arg[len(name) + 1:]
    return choose_language(options.get("--lang"), os.environ, _site_language(Path(options.get("--site", "."))))


def _site_language(site: Path) -> str | None:
    """The site's ``language`` (``zh-Hans`` when config.toml leaves it out); None without a readable config."""
    try:
        data = tomllib.loads((site / "config.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    language = data.get("language", "zh-Hans")
    return language if isinstance(language, str) else None


def _lang(text: str) -> str:
    language = normalize(text)
    if language is None:
        raise argparse.ArgumentTypeError(_("{value!r} is not a language publisher speaks (zh-Hans or en)").format(
            value=text))
    return language


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` terminal columns; Chinese takes two columns and breaks between any two
    characters (never before closing punctuation), other words break at spaces."""
    lines, line, used = [], "", 0
    for word in re.findall(r"[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f][，。：；）」、！？]*|[^\s\u2e80-\u9fff"
                           r"\uff00-\uffef\u3000-\u303f]+|\s+", " ".join(text.split())):
        size = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in word)
        if word.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        if line and used + size > width:
            lines.append(line.rstrip())
            line, used = "", 0
        line, used = line + word, used + size
    if line.strip():
        lines.append(line.rstrip())
    return lines


class _Formatter(argparse.HelpFormatter):
    """argparse's layout, with Chinese text wrapped by its width on screen."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return _wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in _wrap(text, width - len(indent)))


class _RawFormatter(argparse.RawDescriptionHelpFormatter, _Formatter):
    """Descriptions as written (line by line), option help wrapped like ``_Formatter``."""


class _Parser(argparse.ArgumentParser):
    """argparse, with a Chinese colon after Chinese section titles (argparse writes ``title:`` itself)."""

    def __init__(self, *args, formatter_class: type[argparse.HelpFormatter] = _Formatter, **kwargs):
        super().__init__(*args, formatter_class=formatter_class, **kwargs)

    def format_help(self) -> str:
        return re.sub(r"^([^\s].*[\u4e00-\u9fff]):$", r"\1：", super().format_help(), flags=re.MULTILINE)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="publisher",
        description=_("Turn Markdown stories into every channel's output (Weibo posts, WeChat articles, short "
                    "videos, LED-screen loops, leaflets), review them (三审) and publish them on schedule. Run in a "
                    "site folder (content/, templates/, assets/, config.toml) or pass --site."))
    parser.add_argument("--version", action="version", version=f"publisher {__version__}",
                        help=_("show program's version number and exit"))
    _lang_option(parser, default=None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = commands.add_parser("build", help=_("render ready stories for every channel"),
                                description=_("Render every ready story for each of its channels into "
                                            "<out>/<channel>/<story-id>/ and write <out>/manifest.json. "
                                            "Unchanged renditions are not rendered again."))
    _site_option(build)
    build.add_argument("--out", type=Path, help=_("output folder (default: the site's output/)"))
    build.add_argument("--channel", action="append", default=[], metavar="NAME",
                       help=_("only this channel (repeatable)"))
    build.add_argument("--drafts", action="store_true", help=_("also render stories with status: draft"))
    build.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                       help=_("renditions rendered in parallel (default: the number of cores)"))
    build.add_argument("--date", type=_date, metavar="YYYY-MM-DD",
                       help=_("the day LED loops are rendered for (default: today in the site's time zone)"))
    build.add_argument("--executor", metavar="URL",
                       help=_("where renditions are rendered: local (this machine, --jobs processes) or "
                              "dask://HOST:PORT, a Dask cluster's scheduler (default: [build] executor in "
                              "config.toml, else local)"))
    build.set_defaults(handler=_command("site", "cmd_build"))

    check = commands.add_parser("check", help=_("validate config and stories without rendering"),
                                description=_("Validate config.toml and every story (front matter, images, "
                                            "glyphs, channel limits) without rendering anything."))
    _site_option(check)
    check.add_argument("--typesetting", action="store_true",
                       help=_("instead: audit every line the last build drew (cut words, one-character last "
                              "lines, closing punctuation at a line start, numbers and names cut, unbalanced "
                              "titles, LED slides ending mid-clause); exit 1 when anything is found"))
    check.add_argument("--out", type=Path, help=_("with --typesetting: the build's output folder (default: the "
                                                  "site's output/)"))
    check.set_defaults(handler=_command("site", "cmd_check"))

    new = commands.add_parser("new", help=_("scaffold a new story from an archetype"),
                              description=_("Create content/<section>/<slug>.md with every front-matter field "
                                          "present and commented."))
    _site_option(new)
    new.add_argument("kind", choices=KINDS, help=_("officer, deed or antifraud"))
    new.add_argument("title", help=_("the headline, in quotes"))
    new.add_argument("--slug", help=_("file name without .md (default: the title in pinyin)"))
    new.set_defaults(handler=_command("site", "cmd_new"))

    review = commands.add_parser(
        "review", help=_("三审: approve, reject or withdraw a story, list what waits, export the audit trail"),
        description=_("publisher review STORY approve --stage 初审 --by NAME [--note TEXT]\n"
                    "publisher review STORY reject --by NAME --note TEXT\n"
                    "publisher review STORY withdraw --by NAME --note TEXT   (撤稿, by a 终审 reviewer)\n"
                    "publisher review list\n"
                    "publisher review log [--csv]\n\n"
                    "STORY is its id (deeds/huzheng-365) or its file. Stages come from config.toml "
                    "([safety] stages) and are approved in order, each by a different reviewer listed for it "
                    "in [[reviewers]]; editing a story voids its approvals."),
        formatter_class=_RawFormatter)
    _site_option(review)
    review.add_argument("target", metavar="STORY|list|log")
    review.add_argument("action", nargs="?", choices=["approve", "reject", "withdraw"])
    review.add_argument("--stage", help=_("the stage being approved (e.g. 初审)"))
    review.add_argument("--by", default="", help=_("who decides: a name from [[reviewers]] in config.toml"))
    review.add_argument("--note", default="", help=_("a note (required for reject and withdraw)"))
    review.add_argument("--csv", action="store_true", help=_("log: write CSV instead of a table"))
    review.set_defaults(handler=_command("review", "cmd_review"))

    user = commands.add_parser(
        "user", help=_("reviewers' accounts for reviewing in the browser"),
        description=_("publisher user add NAME --stages 初审,复审\n"
                      "publisher user passwd NAME\n"
                      "publisher user disable NAME   (signs them out; their approvals stop counting)\n"
                      "publisher user enable NAME\n"
                      "publisher user list\n\n"
                      "The password is asked twice on a terminal, else read from the first line of standard "
                      "input; it is kept only as an Argon2 hash in the ledger. Five failed sign-ins lock an account "
                      "for 15 minutes (a new password unlocks it)."),
        formatter_class=_RawFormatter)
    _site_option(user)
    user.add_argument("action", choices=["add", "passwd", "disable", "enable", "list"])
    user.add_argument("name", nargs="?", default="", metavar="NAME")
    user.add_argument("--stages", default="", help=_("add: the stages the reviewer holds, e.g. 初审,复审"))
    user.set_defaults(handler=_command("users", "cmd_user"))

    preview = commands.add_parser("preview", help=_("write the preview site (open it from disk)"),
                                  description=_("Build (drafts included) and write <out>/preview/index.html: a "
                                              "dashboard, next week's calendar, each screen's loop, and every "
                                              "story as it will look on each channel."))
    _site_option(preview)
    preview.add_argument("--out", type=Path, help=_("output folder (default: the site's output/)"))
    preview.add_argument("--date", type=_date, metavar="YYYY-MM-DD",
                         help=_("the day of the LED loops (default: today)"))
    preview.set_defaults(handler=_command("site", "cmd_preview"))

    serve = commands.add_parser("serve", help=_("serve the preview and rebuild it on every save"),
                                description=_("Serve the preview on 127.0.0.1, watch content/, templates/, assets/ "
                                            "and config.toml, rebuild what changed and reload open pages. With "
                                            "--review: the review server, where reviewers sign in and approve "
                                            "(三审) what they see."))
    _site_option(serve)
    serve.add_argument("--out", type=Path, help=_("output folder (default: the site's output/)"))
    serve.add_argument("--port", type=_port, default=8000, help=_("port, 1-65535 (default 8000)"))
    serve.add_argument("--review", action="store_true",
                       help=_("serve the review (三审) in the browser: sign-in, what waits for me, approve, reject"))
    serve.add_argument("--host", default="127.0.0.1",
                       help=_("with --review: the address to listen on (default 127.0.0.1, this machine only; a "
                              "LAN address lets the bureau's network in: see README for TLS)"))
    serve.add_argument("--secure-cookies", action="store_true",
                       help=_("with --review: send the session cookie over HTTPS only (behind a TLS reverse proxy)"))
    serve.set_defaults(handler=_command("site", "cmd_serve"))

    run = commands.add_parser("run", help=_("the publisher daemon: scheduled jobs and deliveries"),
                              description=_("Run until stopped (SIGTERM/SIGINT): each channel's schedule "
                                          "(daily LED loops, weekly batches) and every delivery when it is due. "
                                          "Missed jobs are caught up at start."))
    _site_option(run)
    run.set_defaults(handler=_command("publish", "cmd_run"))

    publish = commands.add_parser("publish", help=_("one publishing pass by hand"),
                                  description=_("Render and queue today's collective units (LED loops, leaflet "
                                              "editions), then deliver everything due."))
    _site_option(publish)
    publish.add_argument("--channel", action="append", default=[], metavar="NAME", help=_("only this channel"))
    publish.add_argument("--dry-run", action="store_true", help=_("say what would be delivered; change nothing"))
    publish.set_defaults(handler=_command("publish", "cmd_publish"))

    batch = commands.add_parser("batch", help=_("write a week's batch of social posts by hand"),
                                description=_("Fill a week's posting slots with approved stories and write "
                                            "batches/<channel>/<ISO-week>/ (posts, batch.csv, batch.json, "
                                            "batch.ics); each post is queued for its slot."))
    _site_option(batch)
    batch.add_argument("--channel", action="append", default=[], metavar="NAME", help=_("only this channel"))
    batch.add_argument("--week", metavar="YYYY-Www", help=_("the ISO week (default: next week)"))
    batch.set_defaults(handler=_command("publish", "cmd_batch"))

    backup = commands.add_parser("backup", help=_("a consistent copy of the ledger, even while the daemon runs"),
                                 description=_("Copy .publisher/ledger.sqlite (review decisions, deliveries) with "
                                             "SQLite's online backup to DEST (a file, or a folder that gets "
                                             "ledger-<time>.sqlite). Restore: stop the daemon, copy the backup "
                                             "over the ledger file."))
    _site_option(backup)
    backup.add_argument("destination", type=Path, metavar="DEST")
    backup.set_defaults(handler=_command("site", "cmd_backup"))

    status = commands.add_parser("status", help=_("what is queued, delivered, failed or unconfirmed"),
                                 description=_("Queued deliveries, the last deliveries, failures, anything "
                                             "unconfirmed or missed, and when each channel's job runs next."))
    _site_option(status)
    status.set_defaults(handler=_command("publish", "cmd_status"))

    resolve = commands.add_parser("resolve", help=_("settle an unconfirmed, failed or missed delivery"),
                                  description=_("After checking the target: --delivered if it arrived, "
                                              "--retry to send it again."))
    _site_option(resolve)
    resolve.add_argument("delivery", type=int, help=_("the delivery number shown by status"))
    outcome = resolve.add_mutually_exclusive_group(required=True)
    outcome.add_argument("--delivered", action="store_true", help=_("it arrived: mark it delivered"))
    outcome.add_argument("--retry", action="store_true", help=_("it did not: deliver it again"))
    resolve.set_defaults(handler=_command("publish", "cmd_resolve"))
    _report_commands(commands)
    return parser


def _report_commands(commands) -> None:
    history = commands.add_parser("history", help=_("what was delivered, held, failed, missed or posted"),
                                  description=_("One line per delivery and per confirmed post: number, time, "
                                              "channel, target, state, story and title."))
    _site_option(history)
    history.add_argument("--from", dest="start", type=_date, metavar="YYYY-MM-DD", help=_("from this day"))
    history.add_argument("--to", dest="end", type=_date, metavar="YYYY-MM-DD",
                        help=_("up to this day (included)"))
    history.add_argument("--channel", action="append", default=[], metavar="NAME", help=_("only this channel"))
    history.add_argument("--story", metavar="STORY", help=_("only what carried this story (its id)"))
    history.add_argument("--kind", metavar="KIND", help=_("only stories of this kind (officer, deed, antifraud)"))
    output = history.add_mutually_exclusive_group()
    output.add_argument("--csv", action="store_true", help=_("write CSV instead of a table"))
    output.add_argument("--json", action="store_true", help=_("write JSON instead of a table"))
    history.set_defaults(handler=_command("report", "cmd_history"))

    posted = commands.add_parser("posted", help=_("record that a person posted a story on a channel"),
                                 description=_("Social accounts are posted by hand from the weekly batch: record "
                                             "each post with its link, so the report, history, status and the "
                                             "keep-alive count it. The story must be approved (三审)."))
    _site_option(posted)
    posted.add_argument("story", metavar="STORY", help=_("the story's id (deeds/huzheng-365) or file"))
    posted.add_argument("--channel", required=True, metavar="NAME", help=_("the channel it was posted on"))
    posted.add_argument("--url", required=True, help=_("the link to the post"))
    posted.add_argument("--at", metavar="TIME", help=_("when it was posted, in the site's time zone "
                                                      "(2021-04-19 10:05; default: now)"))
    posted.set_defaults(handler=_command("report", "cmd_posted"))

    report = commands.add_parser("report", help=_("the work report of a period, from the ledger"),
                                 description=_("Write reports/<period>/: report.docx, report.html, report.md, "
                                             "report.csv and charts, counted from what was published."))
    _site_option(report)
    report.add_argument("--month", metavar="YYYY-MM", help=_("a month, e.g. 2021-04"))
    report.add_argument("--quarter", metavar="YYYYQn", help=_("a quarter, e.g. 2021Q2"))
    report.add_argument("--year", metavar="YYYY", help=_("a year, e.g. 2021"))
    report.add_argument("--from", dest="start", type=_date, metavar="YYYY-MM-DD", help=_("from this day"))
    report.add_argument("--to", dest="end", type=_date, metavar="YYYY-MM-DD",
                        help=_("up to this day (included)"))
    report.add_argument("--campaign", metavar="NAME", help=_("only stories of this campaign (campaign: in front "
                                                            "matter), e.g. 我为群众办实事"))
    report.set_defaults(handler=_command("report", "cmd_report"))


def _command(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """The handler ``name`` of ``publisher.cli.<module>``, imported when the command runs (a build
    never loads the daemon, the preview or the review commands)."""

    def run(args: argparse.Namespace) -> int:
        return getattr(importlib.import_module(f"publisher.cli.{module}"), name)(args)

    return run


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("{value!r} is not a date like 2026-12-01").format(value=text)) from None


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(_("{value!r} is not a port number (1-65535)").format(value=text))
    return port




def _site_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                        help=_("the site folder (default: the current folder)"))
    _lang_option(parser, default=argparse.SUPPRESS)  # `publisher check --lang en` works too


def _lang_option(parser: argparse.ArgumentParser, default) -> None:
    """--lang (chosen before parsing, by ``_language_for``; declared here for --help and for errors)."""
    parser.add_argument("--lang", type=_lang, default=default, metavar="{zh-Hans,en}",
                        help=_("language of messages (default: LANGUAGE/LANG, else the site's language)"))








