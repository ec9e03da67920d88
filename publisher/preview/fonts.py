"""The preview's own Chinese font: subsets of the bundled Noto Sans CJK SC, so the pages show
every character on any machine (none is downloaded; the files sit beside the pages).

A base subset (ASCII, CJK punctuation, the 6,763 GB 2312 hanzi) is made once; characters the
pages use beyond it go into a small extra subset named by its content.
"""

from __future__ import annotations

import contextlib
import hashlib
from functools import lru_cache
from pathlib import Path

from publisher import atomic
from publisher.render import fonts

BASE_NAME = "noto-sans-sc-gb2312.otf"


@lru_cache(maxsize=1)
def base_characters() -> frozenset[str]:
    chars = {chr(c) for c in range(0x20, 0x7F)}
    chars |= set("，。、；：！？（）《》「」『』“”‘’…—～·【】〔〕％＋－／＃＠＊")
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes((high, low)).decode("gb2312"))
    return frozenset(chars)


def font_files(folder: Path, text: str) -> list[str]:
    """Names (inside ``folder``) of the font files that cover ``text``, made if missing."""
    folder.mkdir(parents=True, exist_ok=True)
    names = [BASE_NAME]
    if not (folder / BASE_NAME).is_file():
        atomic.write_bytes(folder / BASE_NAME, fonts.subset("".join(base_characters())))
    extra = sorted({c for c in text if c not in base_characters() and ord(c) > 0x7F and not c.isspace()})
    if extra:
        name = f"noto-sans-sc-extra-{hashlib.sha256(''.join(extra).encode()).hexdigest()[:10]}.otf"
        if not (folder / name).is_file():
            atomic.write_bytes(folder / name, fonts.subset("".join(extra)))
        names.append(name)
    return names


def css(names: list[str], prefix: str) -> str:
    rules = [f'@font-face {{ font-family: "Preview SC {i}"; src: url("{prefix}{name}") format("opentype"); '
             f"font-weight: 100 900; font-display: block; }}" for i, name in enumerate(names)]
    return "\n".join(rules)


def family(names: list[str]) -> str:
    return ", ".join(f'"Preview SC {i}"' for i in range(len(names)))
