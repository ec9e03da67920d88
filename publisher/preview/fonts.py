"""The preview's own Chinese font: subsets of the bundled Noto Sans CJK SC, so the pages show
every character on any machine (none is downloaded; the files sit beside the pages).

A base subset (ASCII, CJK punctuation, the 6,763 GB 2312 hanzi) is made once; characters the
pages use beyond it go into a small extra subset named by its content.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from publisher import atomic
from publisher.render import fonts

BASE_NAME = "noto-sans-sc-gb2312.otf"


def font_files(folder: Path, text: str) -> list[str]:
    """Names (inside ``folder``) of the font files that cover ``text``, made if missing."""
    folder.mkdir(parents=True, exist_ok=True)
    names = [BASE_NAME]
    if not (folder / BASE_NAME).is_file():
        atomic.write_bytes(folder / BASE_NAME, fonts.base_subset().read_bytes())
    extra = sorted({c for c in text if c not in fonts.base_characters() and ord(c) > 0x7F and not c.isspace()})
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
