"""Readable file names from Chinese titles, in pinyin: 暖心民警送迷路老人回家 →
``nuanxin-minjing-song-milu-laoren-huijia``.

Words come from the segmenter (jieba, through rjieba), readings from pypinyin, which reads the
whole title so that a character with several readings gets the one its phrase needs (银行 yinhang,
行走 xingzou). Only ASCII letters, digits and hyphens: a slug is a file name and part of a story's id.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 60
_ASCII_WORD = re.compile(r"[a-z0-9]+")


def from_title(title: str, limit: int = MAX_LENGTH) -> str:
    """The title's words in pinyin, lower-case, joined by hyphens, cut at a word to at most
    ``limit`` characters ("" when nothing in the title can be spelled in ASCII)."""
    import rjieba
    from pypinyin import lazy_pinyin

    title = unicodedata.normalize("NFKC", title)  # full-width ｅｍａｉｌ and ２０２１ as ASCII
    # One reading per character (pypinyin passes anything it cannot read through, a character at a time).
    readings = lazy_pinyin(title, errors=lambda chars: list(chars))
    words: list[str] = []
    start = 0
    for token in rjieba.cut(title):
        spelled = "".join(_spelling(char, reading) for char, reading in
                          zip(token, readings[start:start + len(token)], strict=True))
        start += len(token)
        words += _ASCII_WORD.findall(spelled)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug or (words[0][:limit] if words else "")


def _spelling(char: str, reading: str) -> str:
    """A character's pinyin; an ASCII letter or digit as it is; anything else a word break."""
    if char.isascii():
        return char.lower() if char.isalnum() else " "
    return reading.lower() if reading != char and reading.isascii() else " "
