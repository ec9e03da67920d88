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
import functools
import math
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar

NO_LINE_START = set("，。、；：！？）》」』”’〕】〉〗｝］,.;:!?)]}%‰℃…·～")
NO_LINE_END = set("（《「『“‘〔【〈〖｛［([{")
# Characters that, right after a number, belong to it: 2021年, 3050元, 17人, 5000余张.
UNITS = set("年月日号时点分秒元角人名位个辆部台张本次起家条场处件岁周天万千百亿米里斤克吨度户所")
TWO_CHAR_UNITS = {"人次", "万元", "公里", "千米", "小时", "分钟", "周年", "个月", "多人", "多元", "余人", "余元"}

DATE = re.compile(r"\d{2,4}年\d{1,2}月(?:\d{1,2}[日号])?|\d{1,2}月\d{1,2}[日号]|\d{1,2}[:：]\d{2}")
"""Dates and times, kept whole on a line: 2021年4月8日, 4月8日, 09:30."""
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
    """The segmenter's words: rjieba's own instance, the one name screening loads too (once per
    process, about 0.3 s; kept terms are joined by :func:`word_starts`, never added to it)."""
    global _segmenter
    if _segmenter is None:
        with _segmenter_lock:
            if _segmenter is None:
                import rjieba

                _segmenter = rjieba.cut
    return _segmenter(text, True)


def word_starts(text: str, keep: Iterable[str] | None = None) -> set[int]:
    """Offsets in ``text`` where a line may begin without cutting a word: the segmenter's word
    boundaries, minus those inside a kept term, a date or a time (2021年4月8日, 09:30)."""
    starts, at = set(), 0
    for token in _cut(text):
        starts.add(at)
        at += len(token)
    starts.add(len(text))
    protected = [(m.start(), m.end()) for m in DATE.finditer(text)]
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
    return list(_words(text, _keep.get() if keep is None else tuple(keep)))


@functools.lru_cache(maxsize=4096)
def _words(text: str, keep: tuple[str, ...]) -> tuple[str, ...]:
    """:func:`words`, once per text and kept terms: fitting a box wraps the same text at every
    font size it tries, and checks at each that no word is cut."""
    pieces = atoms(text)
    if not _CJK.search(text):
        return tuple(pieces)
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
    return tuple(units)


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


SENTENCE_END = set("。！？!?…")
_SENTENCE = re.compile(
    r".+?(?:(?:[。！？；…]|[!?;](?=[!?;。！？；…”’」』）)]*(?:\s|$|[^\x00-\x7f])))+[”’」』）)]*|$)", re.S)
"""A sentence ends at 。！？；… and at ASCII !?; only before a space, Chinese or the end of the line:
``https://a.cn/x?y=1`` and ``a;b`` go on."""
CLAUSE_END = set("，、；：,;:")
_CLOSERS = set("”’」』）》〕】〉〗｝］)]}")
LINE_COST = 10_000.0
"""Each line costs this much: the optimiser never uses more lines than a greedy fill would."""
SLACK_COST = 100.0
"""A line's badness: its empty share squared, times this (a half-empty line costs 25)."""
PENALTY_AFTER_SENTENCE, PENALTY_AFTER_CLAUSE, PENALTY_BETWEEN_WORDS = 0.0, 5.0, 20.0
PENALTY_INSIDE_WORD = 5_000.0
"""Only a word longer than the whole line is ever split."""
ORPHAN_COST, SHORT_LAST_COST = 3_000.0, 40.0
"""A last line of one character (孤字) is avoided whenever the text allows; of two, when it is cheap."""


def sentences(text: str) -> list[str]:
    """``text`` cut after each sentence's end (。！？；… with the closing quotes that follow it, and
    ASCII !?; that a space, Chinese or the line's end follows); a paragraph (line) always ends a sentence."""
    return [s for line in text.split("\n") for m in _SENTENCE.finditer(line.strip()) if (s := m.group().strip())]


def wrap(text: str, width: float, measure: Callable[[str], float] = len, balance: bool = False) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` by ``measure``.

    Each newline in ``text`` starts a new paragraph. Lines break between words (after a
    sentence's end first, then after a clause, then between words), never inside one unless a
    single word is wider than a whole line; a last line of one character is avoided. The fewest
    lines are used; among those, the most even: ``balance`` evens every line (titles, quotes,
    subtitles), otherwise the last line may be short (body text, filled line by line).
    """
    lines: list[str] = []
    for paragraph in drawable(text).split("\n"):
        lines.extend(_wrap_paragraph(paragraph.strip(), width, measure, balance))
    return lines


def fits(text: str, width: float, measure: Callable[[str], float] = len) -> bool:
    """True when every word of ``text`` fits on a line of ``width`` (no word would be cut)."""
    return all(measure(w.strip()) <= width for p in drawable(text).split("\n") for w in words(p.strip())
               if w != " ")


def _wrap_paragraph(paragraph: str, width: float, measure: Callable[[str], float], balance: bool) -> list[str]:
    if not paragraph:
        return []
    units: list[str] = []
    inside: set[int] = set()  # unit indices that continue a word split because it is wider than a line
    for word in words(paragraph):
        if word != " " and measure(word) > width:
            parts = _hard_split(word, width, measure)
            inside.update(range(len(units) + 1, len(units) + len(parts)))
            units.extend(parts)
        else:
            units.append(word)
    widths = [measure(u) for u in units]
    lines = _optimal(units, widths, width, balance, inside)
    if any(measure(line) > width for line in lines):  # shaping made a line wider than its parts
        lines = _greedy(units, width, measure)
    return lines


def _optimal(units: list[str], widths: list[float], width: float, balance: bool, inside: set[int]) -> list[str]:
    """Knuth-Plass total fit over break points between units: the fewest lines, then the least
    badness (empty space squared) plus the penalties of where the lines break."""
    count = len(units)
    best = [math.inf] * (count + 1)
    came_from = [0] * (count + 1)
    best[0] = 0.0
    for start in range(count):
        if best[start] == math.inf or (units[start] == " " and start):
            continue
        used = 0.0
        for end in range(start + 1, count + 1):
            used += widths[end - 1]
            shown = used - _edge_space(units, widths, start, end)
            if shown > width and end > start + 1:
                break
            if end < count and units[end] == " ":
                continue  # break at the space's far side only
            cost = best[start] + LINE_COST + _badness(shown, width, balance or end < count)
            if end < count:
                cost += PENALTY_INSIDE_WORD if end in inside else _penalty(units[end - 1])
            else:
                cost += _last_line_cost("".join(units[start:end]).strip())
            if cost < best[end]:
                best[end], came_from[end] = cost, start
    breaks, end = [], count
    while end > 0:
        breaks.append((came_from[end], end))
        end = came_from[end]
    return ["".join(units[a:b]).strip() for a, b in reversed(breaks) if "".join(units[a:b]).strip()]


def _edge_space(units: list[str], widths: list[float], start: int, end: int) -> float:
    edge = 0.0
    if units[start] == " ":
        edge += widths[start]
    if end - 1 > start and units[end - 1] == " ":
        edge += widths[end - 1]
    return edge


def _badness(shown: float, width: float, counted: bool) -> float:
    if not counted or width <= 0:
        return 0.0
    slack = max(0.0, width - shown) / width
    return SLACK_COST * slack * slack


def _penalty(unit: str) -> float:
    """The cost of breaking after ``unit``: nothing after a sentence, little after a clause."""
    tail = unit.rstrip("".join(_CLOSERS)) or unit
    if tail[-1:] in SENTENCE_END:
        return PENALTY_AFTER_SENTENCE
    if tail[-1:] in CLAUSE_END:
        return PENALTY_AFTER_CLAUSE
    return PENALTY_BETWEEN_WORDS


def _last_line_cost(line: str) -> float:
    letters = sum(1 for ch in line if ch.isalnum())
    if letters <= 1 and len(line) > 0:
        return ORPHAN_COST
    return SHORT_LAST_COST if letters == 2 else 0.0


def _greedy(units: list[str], width: float, measure: Callable[[str], float]) -> list[str]:
    """First fit, unit by unit (the fallback when shaping makes a line wider than its parts)."""
    lines: list[str] = []
    line = ""
    for unit in units:
        candidate = (line + unit) if line.strip() else unit.lstrip()
        if line.strip() and measure(candidate.rstrip()) > width:
            lines.append(line.rstrip())
            line = "" if unit == " " else unit
        else:
            line = candidate
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
