"""Chinese line breaking, shared by every channel (cards, subtitles, LED slides).

Rules (W3C clreq, the 禁则 every Chinese typesetter follows):
- a line never begins with closing punctuation (，。、；：！？）》」』” …);
- a line never ends with opening punctuation (（《「『“ …);
- numbers, Latin words and a number's unit stay whole: 96110, 2021年, 3050元, 5000余张.

And words stay whole: a real segmenter (jieba, through rjieba) finds the words of every
run of Chinese, so 银行卡 or 找回 is never cut across two lines; the site's own terms
(``terms.txt``) and the names a story declares are kept whole too (:func:`keeping`).

The breaker is independent of how width is measured: pass ``measure`` (characters for
subtitles, pixels for images).
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar

NO_LINE_START = set("，。、；：！？）》」』”’〕】〉〗｝］,.;:!?)]}%‰℃…·～")
NO_LINE_END = set("（《「『“‘〔【〈〖｛［([{")
# Characters that, right after a number, belong to it: 2021年, 3050元, 17人, 5000余张.
UNITS = set("年月日号时点分秒元角人名位个辆部台张本次起家条场处件岁周天万千百亿米里斤克吨度户所")
TWO_CHAR_UNITS = {"人次", "万元", "公里", "千米", "小时", "分钟", "周年", "个月", "多人", "多元", "余人", "余元"}

_DATE = re.compile(r"\d{2,4}年\d{1,2}月(?:\d{1,2}[日号])?|\d{1,2}月\d{1,2}[日号]|\d{1,2}[:：]\d{2}")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_keep: ContextVar[tuple[str, ...]] = ContextVar("publisher_keep_whole", default=())
_segmenter_lock = threading.Lock()
_segmenter = None

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


@contextlib.contextmanager
def keeping(terms: Iterable[str]) -> Iterator[None]:
    """Inside the ``with`` block, never break inside any of ``terms`` (the site's terms, the
    names a story declares: 五进五民, 情指中心, 王某)."""
    token = _keep.set(tuple(sorted({t for t in terms if len(t) > 1}, key=len, reverse=True)))
    try:
        yield
    finally:
        _keep.reset(token)


def _cut(text: str) -> list[str]:
    """The segmenter's words (loaded once per process: about 0.1 s)."""
    global _segmenter
    if _segmenter is None:
        with _segmenter_lock:
            if _segmenter is None:
                import rjieba

                _segmenter = rjieba.Jieba()
    return _segmenter.cut(text, True)


def word_starts(text: str, keep: Iterable[str] | None = None) -> set[int]:
    """Offsets in ``text`` where a line may begin without cutting a word: the segmenter's word
    boundaries, minus those inside a kept term, a date or a time (2021年4月8日, 09:30)."""
    starts, at = set(), 0
    for token in _cut(text):
        starts.add(at)
        at += len(token)
    starts.add(len(text))
    protected = [(m.start(), m.end()) for m in _DATE.finditer(text)]
    for term in (_keep.get() if keep is None else tuple(keep)):
        start = text.find(term)
        while start != -1:
            protected.append((start, start + len(term)))
            start = text.find(term, start + 1)
    for start, end in protected:
        starts.difference_update(range(start + 1, end))
    return starts


def words(text: str, keep: Iterable[str] | None = None) -> list[str]:
    """The unbreakable units of a paragraph: :func:`atoms` (numbers with units, Latin words,
    punctuation glued to its neighbour) joined into whole words. Between two units a line may
    break; inside one, only when a single word is wider than the line."""
    pieces = atoms(text)
    if not _CJK.search(text):
        return pieces
    starts = word_starts(text, keep)
    units: list[str] = []
    at = 0
    for piece in pieces:
        # Opening punctuation glued to a word: the word starts at its first character.
        first = next((i for i, ch in enumerate(piece) if ch not in NO_LINE_END), 0)
        if piece != " " and units and units[-1] != " " and (at + first) not in starts:
            units[-1] += piece
        else:
            units.append(piece)
        at += len(piece)
    return units


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
