"""``publisher review`` (三审): approve, reject, list, log (parsed in :mod:`publisher.cli`)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import unicodedata
from pathlib import Path

from publisher import ledger as ledgers
from publisher.cli.common import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, load_site, print_diagnostics
from publisher.config import SiteConfig
from publisher.content.hashing import content_hash
from publisher.errors import ContentError
from publisher.i18n import N_, _
from publisher.pipeline.reader import read_site, read_story, story_files
from publisher.publish.daemon import clock_from_environment
from publisher.publish.runner import Publisher
from publisher.safety import access, audit, review

DECISIONS = {"approve": N_("approve"), "reject": N_("reject"), "withdraw": N_("withdraw"),
             "sign-in": N_("sign-in"), "sign-in-failed": N_("failed sign-in"), "locked": N_("account locked"),
             "sign-out": N_("sign-out"), "user-add": N_("account added"), "user-passwd": N_("password changed"),
             "user-disable": N_("account disabled"), "user-enable": N_("account enabled")}
"""An audit event as ``review log`` shows it (the ledger and ``--csv`` keep the English word)."""
STATUSES = {"draft": N_("draft"), "ready": N_("ready")}
"""A story's ``status:`` as ``review list`` shows it."""


def cmd_review(args: argparse.Namespace) -> int:
    config = load_site(args)
    stages = config.safety.stages
    if args.target in ("list", "log"):
        connection = ledgers.connect(args.site, config, create=False)
        if args.target == "log":
            rows = review.log(connection)
            if args.csv:
                import csv

                writer = csv.writer(sys.stdout)
                writer.writerow(audit.COLUMNS)
                for row in rows:
                    writer.writerow([_cell(row[k]) for k in audit.COLUMNS])
            else:
                titles = _titles(args.site, config) if rows else {}
                for row in rows:
                    print(_log_line(row, titles.get(row["story"], "")))
            return EXIT_OK
        stories, errors = read_site(args.site, config)
        print_diagnostics(errors)
        holders = access.holders(config, connection)
        for story in stories:
            current = review.state(connection, story, stages, holders)
            status = _word(STATUSES, story.meta.status)
            print(f"{story.id:32s} {_pad(status, 6)} {current.label}  《{story.meta.title}》")
        return EXIT_CONTENT if errors else EXIT_OK
    if args.action is None:
        _error(_("say approve, reject or withdraw (publisher review STORY approve --stage 初审 --by NAME)"))
        return EXIT_USAGE
    if args.action == "withdraw":
        return _withdraw(args, config)
    story = _find_story(args, config)
    if story is None:
        return EXIT_CONTENT
    connection = ledgers.connect(args.site, config)
    try:
        if args.action == "approve":
            if not args.stage:
                _error(_("--stage is required to approve"))
                return EXIT_USAGE
            result = review.approve(connection, story, config, args.stage, args.by, args.note, at=_clock_time(config))
        else:
            result = review.reject(connection, story, config, args.by, args.note, at=_clock_time(config))
    except review.ReviewError as exc:
        _error(str(exc))
        return EXIT_USAGE
    print(_("{story}: {state}").format(story=story.id, state=result.label))
    return EXIT_OK


def _clock_time(config: SiteConfig) -> dt.datetime | None:
    """The decision's time on a rehearsal's compressed clock (``PUBLISHER_CLOCK_START``), like the
    daemon's and ``posted``'s; None (now) otherwise."""
    from zoneinfo import ZoneInfo

    clock = clock_from_environment(ZoneInfo(config.timezone))
    return clock() if clock else None


def _withdraw(args: argparse.Namespace, config: SiteConfig) -> int:
    """撤稿: recorded at once (even for a story that no longer reads cleanly), then today's LED
    loops are made again without it, and what went out by hand is listed for taking down."""
    from zoneinfo import ZoneInfo


    connection = ledgers.connect(args.site, config)
    found = _story_file(args)
    if found is not None:
        story_id, path = found
        try:
            digest = content_hash(read_story(args.site, story_id, path, config))
        except ContentError:
            digest = ""  # a broken story can still be pulled
    else:  # deleted or renamed since it went out: the ledger still knows it, and so must the take-down list
        story_id, digest = args.target.removesuffix(".md").removesuffix("/index"), ""
        known = connection.execute("SELECT 1 FROM deliveries WHERE key = ? UNION SELECT 1 FROM reviews WHERE story = ?",
                                   (story_id, story_id)).fetchone()
        if known is None:
            connection.close()
            _error(_("no story {target!r} (ids look like deeds/huzheng-365)").format(target=args.target))
            return EXIT_USAGE
    try:
        review.withdraw(connection, story_id, digest, config, args.by, args.note, at=_clock_time(config))
    except review.ReviewError as exc:
        _error(str(exc))
        return EXIT_USAGE
    finally:
        connection.close()
    print(_("{story}: withdrawn; it will not be delivered again until approved afresh").format(story=story_id))
    publisher = Publisher(args.site, config, clock_from_environment(ZoneInfo(config.timezone)))
    reason = _("withdrawn by {reviewer} ({note})").format(reviewer=args.by.strip(), note=args.note.strip())
    for line in publisher.withdraw(story_id, reason):
        print(line)
    return EXIT_OK


def _titles(site: Path, config: SiteConfig) -> dict[str, str]:
    """Each story's title by id, for people reading the log (a story deleted since, or that no
    longer reads cleanly, shows its id alone: the log is history, not a check)."""
    stories, _errors = read_site(site, config)
    return {story.id: story.meta.title for story in stories}


def _cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: a name typed at a failed sign-in such as
    ``=HYPERLINK(…)`` must not become a formula when the bureau opens the export in Excel or WPS."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _log_line(row: dict, title: str = "") -> str:
    """One audit row for people: time, story (with its title) and stage (for decisions), event, who,
    from where, note."""
    where = [row["os_user"]] if row["os_user"] else []
    if row["ip"]:
        where.append(row["ip"])
    story = f"{row['story']} 《{title}》" if row["story"] and title else row["story"]
    parts = [row["at"], *(p for p in (story, row["stage"]) if p), _word(DECISIONS, row["event"]),
             row["user"] + (f" ({', '.join(where)})" if where else "")]
    if row["note"]:
        parts.append(row["note"])
    return "  ".join(parts)


def _error(message: str) -> None:
    print(_("error: {message}").format(message=message), file=sys.stderr)


def _word(words: dict[str, str], key: str) -> str:
    """``key`` (a decision, a status) in the reader's language; as it is when ``words`` has no entry."""
    return _(words[key]) if key in words else key


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` columns on screen (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)


def _story_file(args: argparse.Namespace) -> tuple[str, Path] | None:
    wanted = args.target.removesuffix(".md").removesuffix("/index")
    for story_id, path in story_files(args.site):
        if wanted == story_id or str(Path(args.target).resolve()) == str(path.resolve()):
            return story_id, path
    return None


def _find_story(args: argparse.Namespace, config: SiteConfig):
    """The story named by id or by file, read and validated (errors printed)."""

    found = _story_file(args)
    if found is None:
        _error(_("no story {target!r} (ids look like deeds/huzheng-365)").format(target=args.target))
        return None
    story_id, path = found
    try:
        return read_story(args.site, story_id, path, config)
    except ContentError as exc:
        print_diagnostics(exc.diagnostics)
        _error(_("fix {story} before it is reviewed").format(story=story_id))
        return None
