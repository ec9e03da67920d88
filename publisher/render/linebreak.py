"""Chinese line breaking, shared by every channel (cards, subtitles, LED slides).

Rules (W3C clreq, the 禁则 every Chinese typesetter follows):
- a line never begins with closing punctuation (，。、；：！？）》」』” …);
- a line never ends with opening punctuation (（《「『“ …);
- numbers, Latin words and a number's unit stay whole: 96110, 2021年, 3050元, 5000余张.

The breaker is independent of how width is measured: pass ``measure`` (characters for
subtitles, pixels for images).
"""

from __future__ import annotations

import re
from collections.abc import Callable

NO_LINE_START = set("，。、；：！？）》」』”’〕】〉〗｝］,.;:!?)]}%‰℃…·～")
NO_LINE_END = set("（《「『“‘〔【〈〖｛［([{")
# Characters that, right after a number, belong to it: 2021年, 3050元, 17人, 5000余张.
UNITS = set("年月日号时点分秒元角人名位个辆部台张本次起家条场处件岁周天万千百亿米里斤克吨度户所")
TWO_CHAR_UNITS = {"人次", "万元", "公里", "千米", "小时", "分钟", "周年", "个月", "多人", "多元", "余人", "余元"}

_WORD = re.compile(r"[0-9A-Za-z][0-9A-Za-z.,:/%'+\-_@&×]*[0-9A-Za-z%]|[0-9A-Za-z]")
_SPACE = re.compile(r"[ \t\u3000]+")


def atoms(text: str) -> list[str]:
    """Split a paragraph into the smallest pieces a line may break between."""
    pieces: list[str] = []
    i = 0
    while i < len(text):
        if m := _SPACE.match(text, i):
            pieces.append(" ")
            i = m.end()
            continue
        if m := _WORD.match(text, i):
            word, i = m.group(), m.end()
            if word[-1].isdigit():
                # A number keeps its unit: 3050元, 80余人次, 5000余张.
                if text[i:i + 1] in ("余", "多"):
                    word, i = word + text[i], i + 1
                if text[i:i + 2] in TWO_CHAR_UNITS:
                    word, i = word + text[i:i + 2], i + 2
                elif i < len(text) and text[i] in UNITS:
                    word, i = word + text[i], i + 1
            pieces.append(word)
            continue
        pieces.append(text[i])
        i += 1
    return _glue_punctuation(pieces)


def _glue_punctuation(pieces: list[str]) -> list[str]:
    glued: list[str] = []
    carry = ""  # opening punctuation waiting for the atom it belongs to
    for piece in pieces:
        if piece == " ":
            if carry:
                glued.append(carry)
                carry = ""
            glued.append(piece)
        elif piece[0] in NO_LINE_START and glued and glued[-1] != " " and not carry:
            glued[-1] += piece
        elif piece[-1] in NO_LINE_END and len(piece) == 1:
            carry += piece
        else:
            glued.append(carry + piece)
            carry = ""
    if carry:
        glued.append(carry)
    return glued


_LINE_SEPARATORS = {0x2028: "\n", 0x2029: "\n", 0x0085: "\n", 0x000B: "\n", 0x000C: "\n", 0x000D: ""}


def drawable(text: str) -> str:
    """``text`` as it can be drawn: line and paragraph separators become line breaks, every
    other kind of space (U+1680, U+3000 aside, tabs, U+200A…) a plain space, control
    characters nothing; none of them is ever drawn as a glyph (an empty box)."""
    text = text.translate(_LINE_SEPARATORS)
    return "".join(" " if ch.isspace() and ch not in "\n\u3000" else ch for ch in text
                   if ch in "\n\t" or ch.isprintable() or ch.isspace())


def wrap(text: str, width: float, measure: Callable[[str], float] = len) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` by ``measure``.

    Each newline in ``text`` starts a new paragraph. An atom wider than a whole line is
    split by character as a last resort (callers that can shrink the font check
    :func:`fits` first, so this only happens when nothing else is possible).
    """
    lines: list[str] = []
    for paragraph in drawable(text).split("\n"):
        lines.extend(_wrap_paragraph(paragraph.strip(), width, measure))
    return lines


def fits(text: str, width: float, measure: Callable[[str], float] = len) -> bool:
    """True when every atom of ``text`` fits on a line of ``width`` (no forced split)."""
    return all(measure(a) <= width for p in text.split("\n") for a in atoms(p.strip()) if a != " ")


def _wrap_paragraph(paragraph: str, width: float, measure: Callable[[str], float]) -> list[str]:
    if not paragraph:
        return []
    lines: list[str] = []
    line = ""
    for atom in atoms(paragraph):
        candidate = line + atom
        if measure(candidate.rstrip()) <= width or not line.strip():
            if not line.strip() and measure(atom) > width and atom != " ":
                # Unbreakable atom longer than a line: split it, keeping closing marks attached.
                if line.strip():
                    lines.append(line.rstrip())
                parts = _hard_split(atom, width, measure)
                lines.extend(parts[:-1])
                line = parts[-1]
                continue
            line = candidate.lstrip() if not line.strip() else candidate
            continue
        lines.append(line.rstrip())
        line = "" if atom == " " else atom
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _hard_split(atom: str, width: float, measure: Callable[[str], float]) -> list[str]:
    parts, current = [], ""
    for ch in atom:
        if current and measure(current + ch) > width and ch not in NO_LINE_START:
            parts.append(current)
            current = ch
        else:
            current += ch
    parts.append(current)
    return parts
