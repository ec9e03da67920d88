"""The few kinds of failure publisher knows, and how they are shown.

Content problems are reported, never raised past the build: one bad story must not stop
the others. Config and usage problems stop the command (exit 2).

Messages are for people, in their language (publisher.i18n): a ``Diagnostic``'s message is translated
where it is made, ``Diagnostic(path, line, col, _("…").format(…))``. The language is chosen before any
work starts (and passed to render workers), so the moment of creation is the moment of showing. The
``path:line:col: error:`` prefix is not translated: editors and CI read it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Diagnostic:
    """One problem at a place in a file, printed as ``path:line:col: error: message``.

    ``message`` is already in the reader's language (made with ``_()``); ``severity`` is ``error`` or
    ``warning`` and stays English, like the rest of the prefix."""

    path: str
    line: int
    col: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{_one_line(self.path)}:{self.line}:{self.col}: {self.severity}: {_one_line(self.message)}"

    def to_json(self) -> dict:
        return asdict(self)


def _one_line(text: str) -> str:
    """A diagnostic is one line: a line break or control character from the input (a key written
    with U+2028, a file name with a newline) is shown escaped, never printed."""
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in str(text))


class PublisherError(Exception):
    """Base class of every error publisher reports without a traceback."""


class ContentError(PublisherError):
    """A problem in one story (or a file it uses). Carries its diagnostics."""

    def __init__(self, *diagnostics: Diagnostic):
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = list(diagnostics)

    @classmethod
    def at(cls, path: Path | str, message: str, line: int = 1, col: int = 1) -> ContentError:
        return cls(Diagnostic(str(path), line, col, message))


class ConfigError(PublisherError):
    """config.toml is missing, malformed or invalid. The command exits 2."""

    def __init__(self, *diagnostics: Diagnostic):
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = list(diagnostics)


class TemplateError(PublisherError):
    """A template failed: unknown variable, syntax error. Names the template and line."""
