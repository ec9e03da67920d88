"""The site's commands: build, check, preview, serve, new, backup."""

from __future__ import annotations

import argparse
import os
import sys
import time

from publisher.atomic import output_lock
from publisher.cli.common import (
    EXIT_CONTENT,
    EXIT_OK,
    EXIT_USAGE,
    known_channels,
    load_site,
    log_to_stderr,
    print_diagnostics,
)
from publisher.config import SiteConfig, parse_executor
from publisher.i18n import _
from publisher.pipeline.build import build, check_output, format_summary
from publisher.pipeline.check import check_site

# The other commands' machinery (the preview, the server, the typesetting audit, the archetypes) is
# imported in the command that uses it: `build` and `check` never load it.


def cmd_build(args: argparse.Namespace) -> int:
    config = load_site(args)
    if not known_channels(args.channel, config):
        return EXIT_USAGE
    most = 4 * (os.cpu_count() or 1)
    if not 1 <= args.jobs <= most:
        print(_("error: --jobs must be between 1 and {most} (four per core)").format(most=most), file=sys.stderr)
        return EXIT_USAGE
    if args.executor is not None:
        try:
            args.executor = parse_executor(args.executor)
        except ValueError as exc:
            print(_("error: --executor: {problem}").format(problem=exc), file=sys.stderr)
            return EXIT_USAGE
    out = args.out or args.site / config.output
    started = time.perf_counter()
    result = build(args.site, config, out, only=args.channel, drafts=args.drafts, jobs=args.jobs,
                   progress=sys.stderr.isatty(), day=args.date, cluster=args.executor)
    print_diagnostics(result.warnings + result.errors)
    for line in format_summary(result):
        print(line)
    status = _("{count} error(s)").format(count=len(result.errors)) if result.errors else _("ok")
    print(_("built into {out} in {seconds:.1f}s: {status}").format(out=out, seconds=time.perf_counter() - started,
                                                                   status=status))
    return EXIT_CONTENT if result.errors else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    config = load_site(args)
    if args.typesetting:
        return _check_typesetting(args, config)
    check_output(args.site, args.site / config.output)  # the build would refuse it: so does check
    errors, warnings, count = check_site(args.site, config)
    print_diagnostics(warnings + errors)
    print(_("checked {count} stories: {errors} error(s), {warnings} warning(s)").format(
        count=count, errors=len(errors), warnings=len(warnings)))
    return EXIT_CONTENT if errors else EXIT_OK


def _check_typesetting(args: argparse.Namespace, config: SiteConfig) -> int:
    """``check --typesetting``: each finding on a line of its own, then the counts."""
    from publisher.pipeline import manifest, typesetting
    from publisher.pipeline.reader import read_site
    from publisher.render import terms

    out = args.out or args.site / config.output
    if not (out / manifest.NAME).is_file():
        print(_("error: no build in {out} (no {name}); run publisher build first").format(out=out,
                                                                                        name=manifest.NAME),
              file=sys.stderr)
        return EXIT_USAGE
    stories, _problems = read_site(args.site, config)
    report = typesetting.audit(out, {story.id: story for story in stories}, terms.site_terms(args.site))
    for finding in report.findings:
        print(finding)
    print(report.summary())
    return EXIT_OK if report.clean else EXIT_CONTENT


def cmd_preview(args: argparse.Namespace) -> int:
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
    print(_("preview: {path}").format(path=index))
    return EXIT_CONTENT if result.errors else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from publisher.preview.serve import serve
    from publisher.web.server import serve_review

    config = load_site(args)
    log_to_stderr()
    out = args.out or args.site / config.output
    if args.review:
        check_output(args.site, out)
        return serve_review(args.site, config, out, args.host, args.port, args.secure_cookies)
    if args.host != "127.0.0.1" or args.secure_cookies:
        print(_("error: --host and --secure-cookies go with --review (the preview is served to this machine "
                "only)"), file=sys.stderr)
        return EXIT_USAGE
    return serve(args.site, config, out, args.port)


def cmd_new(args: argparse.Namespace) -> int:
    from publisher.content.archetypes import scaffold
    from publisher.safety.file_names import title_for_slug

    config = load_site(args)
    path = scaffold(args.site, config, args.kind, args.title, args.slug,
                    spelled_from=title_for_slug(args.title))
    print(path)
    return EXIT_OK



def cmd_backup(args: argparse.Namespace) -> int:
    from publisher.ledger import backup

    config = load_site(args)
    print(_("ledger copied to {path}").format(path=backup(args.site, config, args.destination)))
    return EXIT_OK
