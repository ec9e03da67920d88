"""The CJK font that comes with the install (Noto Sans CJK), and glyph coverage checks.

The font is a variable TrueType collection: one face per region (SC for zh-Hans, TC for
zh-Hant) so Simplified text gets mainland glyph forms, with a weight axis 100-900.
"""

from __future__ import annotations

import bisect
import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.render import inputs, linebreak

if TYPE_CHECKING:
    from PIL import ImageFont

_FACE_INDEX = {"zh-Hans": 2, "zh-Hant": 3}
LANGUAGE_TAG = {"zh-Hans": "zh-Hans", "zh-Hant": "zh-Hant"}


@lru_cache(maxsize=1)
def font_file() -> Path:
    import manimgx_fonts_cjk

    return Path(manimgx_fonts_cjk.__file__).with_name("NotoSansCJK-VF.otf.ttc")


FONT_DISTRIBUTION = "manimgx-fonts-cjk"


def font(size: int, weight: int = 400, language: str = "zh-Hans") -> ImageFont.FreeTypeFont:
    """A Pillow font at ``size`` px and ``weight`` (100-900), shaped for ``language``."""
    inputs.record_package(font_file().name, FONT_DISTRIBUTION)
    return _font(size, weight, language)


@lru_cache(maxsize=256)
def _font(size: int, weight: int, language: str) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont, features

    engine = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    face = ImageFont.truetype(str(font_file()), size, index=_FACE_INDEX[language], layout_engine=engine)
    face.set_variation_by_axes([weight])
    return face


def shaping_language(language: str) -> str | None:
    """The language tag to pass to Pillow when it shapes with raqm (None without raqm)."""
    from PIL import features

    return LANGUAGE_TAG[language] if features.check("raqm") else None


COVERAGE_TABLE = Path(__file__).with_name("font-coverage.json")
"""The characters each face draws, as ranges (``tools/font_coverage.py`` writes it from the font)."""


@lru_cache(maxsize=4)
def _covered(language: str) -> tuple[list[int], list[int]]:
    """(starts, ends) of the ranges of code points the face for ``language`` draws: from the
    shipped table while it describes the installed font (same file size), else from its cmap."""
    try:
        table = json.loads(COVERAGE_TABLE.read_text(encoding="utf-8"))
        trusted = table["size"] == font_file().stat().st_size and table["font"] == font_file().name
        ranges = table["faces"][language] if trusted else None
    except (OSError, ValueError, KeyError, TypeError):
        ranges = None
    if ranges is None:
        ranges = _ranges(_cmap(language))
    starts, ends = [], []
    for item in ranges.split():
        first, _sep, last = item.partition("-")
        starts.append(int(first, 16))
        ends.append(int(last or first, 16))
    return starts, ends


def _cmap(language: str) -> list[int]:
    from fontTools.ttLib import TTFont

    face = TTFont(str(font_file()), fontNumber=_FACE_INDEX[language], lazy=True)
    try:
        return sorted(face.getBestCmap())
    finally:
        face.close()


def _ranges(codes: list[int]) -> str:
    """``"20-7e a0 ..."``: sorted code points as hexadecimal ranges."""
    runs: list[list[int]] = []
    for code in codes:
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return " ".join(f"{a:x}" if a == b else f"{a:x}-{b:x}" for a, b in runs)


def coverage_table_from_font() -> dict:
    """The coverage table as ``tools/font_coverage.py`` writes it, read from the installed font."""
    return {"font": font_file().name, "distribution": FONT_DISTRIBUTION, "size": font_file().stat().st_size,
            "faces": {language: _ranges(_cmap(language)) for language in _FACE_INDEX}}


def covers(code: int, language: str = "zh-Hans") -> bool:
    """Whether the face for ``language`` has a glyph for code point ``code``."""
    starts, ends = _covered(language)
    at = bisect.bisect_right(starts, code) - 1
    return at >= 0 and code <= ends[at]


@lru_cache(maxsize=4)
def coverage(language: str = "zh-Hans") -> frozenset[int]:
    """Every code point the face for ``language`` draws."""
    starts, ends = _covered(language)
    return frozenset(code for first, last in zip(starts, ends, strict=True) for code in range(first, last + 1))


def missing_glyphs(text: str, language: str = "zh-Hans") -> list[str]:
    """Characters of ``text`` the font cannot draw, in order of first appearance (of the text as it
    is drawn: spaces and line separators are never drawn as glyphs, see :func:`linebreak.drawable`)."""
    missing: list[str] = []
    for ch in linebreak.drawable(text):
        if not ch.isspace() and ch not in missing and not covers(ord(ch), language):
            missing.append(ch)
    return missing
