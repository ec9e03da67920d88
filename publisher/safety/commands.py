"""``publisher review`` (三审): approve, reject, list, log (parsed in :mod:`publisher.cli`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from publisher.cli import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, load_site, print_diagnostics
from publisher.config import SiteConfig


def cmd_review(args: argparse.Namespace) -> int:
    from publisher.content.reader import read_site
    from publisher.publish import ledger as ledgers
    from publisher.safety import review

    config = load_site(args)
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
        print_diagnostics(errors)
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
                print_diagnostics(exc.diagnostics)
                print(f"error: fix {story_id} before it is reviewed", file=sys.stderr)
                return None
    print(f"error: no story {args.target!r} (ids look like deeds/huzheng-365)", file=sys.stderr)
    return None
