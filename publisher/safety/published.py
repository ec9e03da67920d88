"""Text as a reader will see it, with a way back to where it was typed.

Personal information hides from a pattern in many ways that vanish once the story is
published: ``138**1234**5678`` (emphasis), ``&#49;38…`` (an entity), ``138<!-- -->…`` (a
comment), ``１３８…`` (full-width), zero-width spaces, ``138.1234.5678``, ``王 小明``.
:func:`published_form` undoes them all and keeps, for every character it returns, the span of
the source it came from, so a finding can be reported at ``path:line:col`` and masked in place.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from publisher.safety import pii

ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064")
# After NFKC: a full-width space is " ", "－" is "-", "．" is ".", "‑" is "‐".
SEPARATORS = frozenset(" \t\r\n\f\v.,-·・‐‒–—―−~_/、|")
CHINESE_DIGITS = {**{c: str(i) for i, c in enumerate("〇一二三四五六七八九")}, "零": "0", "幺": "1",
                  **{c: str(i) for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}}
CHINESE_NUMBER_RUN = 7
"""A run of this many Chinese digits (一三八一二三四…) is read as a number: no date, amount or count
is written that way, a phone number spelled out to dodge a filter is."""

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ESCAPABLE = frozenset("\\`*_{}[]()#+-.!<>|~\"'&:;@$%^=/?,")


@dataclass(frozen=True)
class View:
    """Normalised text; ``spans[i]`` is the (start, end) in the source of character ``i``."""

    text: str
    spans: tuple[tuple[int, int], ...]

    def source(self, start: int, end: int) -> tuple[int, int]:
        """The source span of ``text[start:end]``."""
        return self.spans[start][0], self.spans[end - 1][1]


def published_form(text: str, markdown: bool = False, squeeze: str = "digits") -> View:
    """``text`` as published: entities and (``markdown``) escapes resolved, comments, tags and
    emphasis marks dropped, NFKC applied, zero-width characters dropped. ``squeeze``:
    ``"none"`` keeps every separator; ``"digits"`` drops spaces, dots and dashes between two
    digits (138.1234.5678 → 13812345678); ``"all"`` also drops every other space (王 小明)."""
    chars: list[str] = []
    spans: list[tuple[int, int]] = []

    def emit(piece: str, start: int, end: int) -> None:
        for char in unicodedata.normalize("NFKC", piece):
            if char not in ZERO_WIDTH:
                if char.isdecimal() and not char.isascii():  # Arabic-Indic, Devanagari, Thai… digits
                    char = str(unicodedata.decimal(char))
                chars.append(char)
                spans.append((start, end))

    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == "&" and (m := _ENTITY.match(text, index)):
            emit(html.unescape(m.group()), index, m.end())
            index = m.end()
            continue
        if markdown:
            if char == "<" and (m := _COMMENT.match(text, index) or _TAG.match(text, index)):
                index = m.end()
                continue
            if char == "\\" and index + 1 < length and text[index + 1] in _ESCAPABLE:
                emit(text[index + 1], index, index + 2)
                index += 2
                continue
            if char == "*":
                index += 1
                continue
        emit(char, index, index + 1)
        index += 1
    _spelled_out_numbers(chars)
    _full_stops_in_addresses(chars)
    if squeeze != "none":
        chars, spans = _squeeze(chars, spans, squeeze == "all")
    return View("".join(chars), tuple(spans))


def _spelled_out_numbers(chars: list[str]) -> None:
    """一三八一二三四五六七八 → 13812345678, in place (one character for one)."""
    start = 0
    while start < len(chars):
        if chars[start] not in CHINESE_DIGITS:
            start += 1
            continue
        end = start
        while end < len(chars) and (chars[end] in CHINESE_DIGITS or (chars[end] in SEPARATORS and chars[end] != "\n")):
            end += 1
        if sum(1 for c in chars[start:end] if c in CHINESE_DIGITS) >= CHINESE_NUMBER_RUN:
            for index in range(start, end):
                chars[index] = CHINESE_DIGITS.get(chars[index], chars[index])
        start = end


def _full_stops_in_addresses(chars: list[str]) -> None:
    """zhangsan@163。com: a Chinese full stop between Latin letters or digits is a dot."""
    for index in range(1, len(chars) - 1):
        if chars[index] == "。" and chars[index - 1].isascii() and chars[index - 1].isalnum() \
                and chars[index + 1].isascii() and chars[index + 1].isalnum():
            chars[index] = "."


def _squeeze(chars: list[str], spans: list[tuple[int, int]], every_space: bool):
    keep_chars, keep_spans = [], []
    for index, char in enumerate(chars):
        if every_space and char.isspace():
            continue
        if char in SEPARATORS and _between_digits(chars, index):
            continue
        keep_chars.append(char)
        keep_spans.append(spans[index])
    return keep_chars, keep_spans


def _between_digits(chars: list[str], index: int) -> bool:
    left = index - 1
    while left >= 0 and chars[left] in SEPARATORS:
        left -= 1
    right = index + 1
    while right < len(chars) and chars[right] in SEPARATORS:
        right += 1
    return left >= 0 and right < len(chars) and chars[left].isdigit() and chars[right].isdigit()


@dataclass(frozen=True)
class Located:
    """A finding in normalised text, with the source span it came from."""

    finding: pii.Finding
    start: int
    end: int

    @property
    def key(self) -> str:
        return key(self.finding.text)


def find(text: str, markdown: bool = False) -> list[Located]:
    """Personal information in ``text`` as typed and as published, each with its source span
    (as typed first, so a plainly written value keeps its exact place), without overlaps."""
    found = [Located(f, f.start, f.end) for f in pii.find(text)]
    for squeeze in ("none", "digits"):
        view = published_form(text, markdown, squeeze)
        for finding in pii.find(view.text, lenient=True):
            start, end = view.source(finding.start, finding.end)
            if finding.kind == "card" and not _grouped_like_a_card(text[start:end]):
                continue  # 2021.04.02-2021.05.01 is a date range, not a card number
            found.append(Located(finding, start, end))
    kept: list[Located] = []
    for located in found:
        if any(located.start < other.end and other.start < located.end for other in kept):
            continue
        if located.finding.text.strip() in pii.HOTLINES:
            continue
        kept.append(located)
    return sorted(kept, key=lambda item: item.start)


def _grouped_like_a_card(source: str) -> bool:
    """Card numbers are written whole or in groups of four (the last group may be shorter)."""
    groups = [len(g) for g in re.findall(r"\d+", unicodedata.normalize("NFKC", source))]
    return len(groups) == 1 or (all(g == 4 for g in groups[:-1]) and 1 <= groups[-1] <= 4)


def key(value: str) -> str:
    """A value reduced to what identifies it, to compare declared and found forms:
    ``+86 139-1234-5678``, ``１３９１２３４５６７８`` and ``13912345678`` share one key."""
    text = published_form(value, squeeze="all").text.lower()
    text = re.sub(r"[\s·.\-‐‒–—―−()（）]", "", text) if "@" not in text else re.sub(r"\s", "", text)
    if re.fullmatch(r"\+?86(1[3-9]\d{9}|0\d{9,11})", text):
        text = re.sub(r"^\+?86", "", text)
    return text


def dense(value: str) -> str:
    """``value`` as :func:`published_form` with ``squeeze="all"`` shows it."""
    return published_form(value, squeeze="all").text


@cache
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def simplified(text: str) -> str:
    """``text`` in Simplified Chinese, character for character (unchanged when OpenCC would
    change its length, so indexes stay valid)."""
    converted = _converter("t2s").convert(text)
    return converted if len(converted) == len(text) else text


def traditional(text: str) -> str:
    return _converter("s2t").convert(text)


def plain_span(source: str) -> bool:
    """True when ``source`` can be replaced as a whole without breaking Markdown: it holds no
    emphasis, tag, link or code markup (entities, escapes, comments and spaces are fine) and
    does not cross a paragraph."""
    rest = _COMMENT.sub("", source)
    return not re.search(r"[<>*`\[\]|]", rest) and not re.search(r"\n[ \t]*\n", rest)
