"""Find where a key sits in a TOML or YAML source, for ``path:line:col`` messages.

Parsers give us values, not positions; these helpers map a key path back to the line that
set it, so a bad value is reported where the user wrote it.
"""

from __future__ import annotations

import re
from pathlib import Path

from publisher.i18n import N_, _

_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r'^\s*("[^"]+"|[A-Za-z0-9_.\-]+)\s*=')


def toml_key_line(text: str, path: tuple[str | int, ...], first_line: int = 1) -> tuple[int, int]:
    """Return (line, col) of the TOML key at ``path`` (best effort: the nearest enclosing
    table or key that exists; line 1 if nothing matches)."""
    keys = [str(p) for p in path if not isinstance(p, int)]
    best = (first_line, 1)
    best_depth = 0
    table: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=first_line):
        if m := _TABLE.match(raw):
            table = [k.strip().strip('"') for k in m.group(1).split(".")]
            depth = _common_prefix(table, keys)
            if depth > best_depth and depth == len(table):
                best, best_depth = (number, raw.index("[") + 1), depth
            continue
        if m := _KEY.match(raw):
            full = table + [k.strip().strip('"') for k in m.group(1).split(".")]
            depth = _common_prefix(full, keys)
            if depth > best_depth and depth == len(full):
                best, best_depth = (number, m.start(1) + 1), depth
    return best


def _common_prefix(a: list[str], b: list[str]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of character ``index`` in ``text``."""
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def shown_path(path: Path) -> str:
    """The path as the user can open it from where they ran the command, with any line break or
    control character in it escaped (a file name must not be able to forge a diagnostic line)."""
    try:
        shown = str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        shown = str(path)
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in shown)


_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def toml_limits(source: str, exc: Exception, first_line: int = 2) -> tuple[str, int, int]:
    """(message, line, col) for TOML that parses but cannot be held: a number too long, nesting
    too deep (tomllib raises ValueError or RecursionError without a position)."""
    number = re.search(r"\d{100,}", source)
    if number:
        line, col = line_col(source, number.start())
        return (_("a number of {digits} digits; quote it if it is text").format(digits=len(number.group())),
                line + first_line - 1, col)
    deep = re.search(r"[\[{]{20,}", source)
    index = deep.start() if deep else 0
    line, col = line_col(source, index)
    return (_("the value cannot be read ({error}): nested too deep").format(error=exc.__class__.__name__),
            line + first_line - 1, col)


def toml_error(exc: Exception) -> tuple[str, int, int]:
    """(message, line, col) of a tomllib error; Python 3.11 only puts them in the text."""
    text = str(exc.args[0]) if exc.args else str(exc)
    if m := _TOML_AT.search(text):
        return _toml_problem(text[:m.start()]), int(m.group(1)), int(m.group(2))
    return _toml_problem(text), 1, 1


TOML_PROBLEMS = (
    N_("Invalid value"),
    N_("Invalid statement"),
    N_("Expected '=' after a key in a key/value pair"),
    N_("Expected newline or end of document after a statement"),
    N_("Cannot overwrite a value"),
    N_("Unclosed array"),
    N_("Unclosed inline table"),
    N_("Unterminated string"),
    N_("Invalid initial character for a key part"),
    N_("Invalid date or datetime"),
    N_("Expected ']' at the end of a table declaration"),
    N_("Expected ']]' at the end of an array declaration"),
    N_("Unescaped '\\' in a string"),
    N_("Invalid hex value"),
)
"""tomllib's fixed messages (English), translated for the reader; the others are shown as tomllib says them."""


def _toml_problem(text: str) -> str:
    if text in TOML_PROBLEMS:
        return _(text)
    if m := re.fullmatch(r"Cannot declare (.+) twice", text):
        return _("the table {table} is declared twice; keep one").format(table=m.group(1))
    if m := re.fullmatch(r"Illegal character (.+)", text):
        return _("a character TOML does not allow here: {char}").format(char=m.group(1))
    return text
