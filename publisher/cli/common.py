"""What every command shares: exit codes, loading the site, printing diagnostics, the log."""

from __future__ import annotations

import argparse
import logging
import sys

from publisher.config import SiteConfig, load_config
from publisher.errors import Diagnostic
from publisher.i18n import _

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def load_site(args: argparse.Namespace) -> SiteConfig:
    config, _source = load_config(args.site)
    return config


def print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        print(diagnostic, file=sys.stderr)


def log_to_stderr() -> None:
    """The daemon's log, one line an event: time, level and message, in the team's language."""

    levels = {"DEBUG": _("DEBUG"), "INFO": _("INFO"), "WARNING": _("WARNING"), "ERROR": _("ERROR"),
              "CRITICAL": _("CRITICAL")}

    class Localized(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            record.level = levels.get(record.levelname, record.levelname)
            return super().format(record)

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(Localized("%(asctime)s %(level)s %(message)s", datefmt="%Y-%m-%d %H:%M:%S"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])


def known_channels(names: list[str], config: SiteConfig) -> bool:
    """Every ``--channel`` is configured; otherwise say which is not, and which are."""
    unknown = [name for name in names if name not in config.channels]
    if unknown:
        print(_("error: unknown channel {name!r} (known: {known})").format(name=unknown[0], known=", ".join(
            config.channels)), file=sys.stderr)
    return not unknown
