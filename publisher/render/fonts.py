"""The CJK font that comes with the install (Noto Sans CJK), glyph coverage checks, and subsets
of it for pages that must show their text on machines without a Chinese font.

The font is a variable TrueType collection: one face per region (SC for zh-Hans, TC for
zh-Hant) so Simplified text gets mainland glyph forms, with a weight axis 100-900.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import io
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from publisher import atomic
from publisher.errors import PublisherError
from publisher.i18n import _
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


@lru_cache(maxsize=1)
def base_characters() -> frozenset[str]:
    """ASCII, CJK punctuation and the 6,763 GB 2312 hanzi: nearly every character a story uses."""
    chars = {chr(c) for c in range(0x20, 0x7F)}
    chars |= set("，。、；：！？（）《》「」『』“”‘’…—～·【】〔〕％＋－／＃＠＊")
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((high, low)).decode("gb2312"))
    return frozenset(chars)


def subset(text: str, language: str = "zh-Hans", flavor: str | None = None, layout: bool = True) -> bytes:
    """The face for ``language`` cut down to the glyphs of ``text``, weight axis kept (bold stays
    real bold). ``flavor="woff"`` compresses it for embedding in a page (zlib: every browser reads
    it, no extra library); ``layout=False`` drops the OpenType layout tables, a third of the size,
    which running Chinese text does not need. Kept in the user's cache."""
    inputs.record_package(font_file().name, FONT_DISTRIBUTION)
    chars = "".join(sorted(set(text)))
    key = hashlib.sha256(f"{_font_stamp()}-{language}-{flavor}-{layout}-{chars}".encode()).hexdigest()[:24]
    path = cache_folder() / f"subset-{key}.{flavor or 'otf'}"
    if path.is_file():
        return path.read_bytes()
    base = _base_path(language)
    if base.is_file() and set(chars) <= base_characters():
        # Cut from the base subset (7,000 glyphs; the preview makes it once, in about a minute): a
        # few tenths of a second instead of seconds from the 65,000 glyphs of the font.
        data = _subset(chars, base, 0, flavor, layout)
    else:
        data = _subset(chars, font_file(), _FACE_INDEX[language], flavor, layout)
    atomic.write_bytes(path, data)  # another process making the same subset writes the same bytes
    return data


def cache_folder() -> Path:
    """Where font subsets are kept between runs (``$XDG_CACHE_HOME/publisher``)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "publisher"


def _font_stamp() -> str:
    stat = font_file().stat()
    return f"{stat.st_size}-{stat.st_mtime_ns}"


def base_subset(language: str = "zh-Hans") -> Path:
    """The face cut down to :func:`base_characters` (OpenType, layout kept), made once and cached."""
    path = _base_path(language)
    if not path.is_file():
        atomic.write_bytes(path, _subset("".join(sorted(base_characters())), font_file(), _FACE_INDEX[language],
                                         None, True))
    return path


def _base_path(language: str) -> Path:
    return cache_folder() / f"base-{_font_stamp()}-{language}.otf"


def _subset(chars: str, source: Path, number: int, flavor: str | None, layout: bool) -> bytes:
    """HarfBuzz's subsetter cuts the glyphs (a fraction of a second where fontTools took ~20 s
    for the preview's base); fontTools then only drops layout tables and wraps it as WOFF, on a
    font already small. The weight axis, every name and the .notdef outline are kept."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(str(source)), number)
    wanted = hb.SubsetInput()
    wanted.sets(hb.SubsetInputSets.UNICODE).update(ord(ch) for ch in chars)
    if layout:
        wanted.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG).invert()  # the empty set inverted: all of them
    wanted.sets(hb.SubsetInputSets.NAME_ID).invert()
    wanted.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE
    cut = hb.subset(face, wanted)
    if cut is None:
        raise PublisherError(_("a subset of the font {font} could not be made (HarfBuzz refused it); "
                               "reinstall publisher").format(font=source.name))
    data = bytes(cut.blob.data)
    if layout and not flavor:
        return data
    from fontTools.ttLib import TTFont

    small = TTFont(io.BytesIO(data))
    if not layout:
        for tag in ("GSUB", "GPOS", "GDEF", "BASE"):
            if tag in small:
                del small[tag]
    small.flavor = flavor
    buffer = io.BytesIO()
    small.save(buffer)
    return buffer.getvalue()
