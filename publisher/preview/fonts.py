"""The preview's own Chinese font: subsets of the bundled Noto Sans CJK SC, so the pages show
every character on any machine (none is downloaded; the files sit beside the pages).

A base subset (ASCII, CJK punctuation, the 6,763 GB 2312 hanzi) is made once; characters the
pages use beyond it go into a small extra subset named by its content.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from functools import lru_cache
from pathlib import Path

from publisher.errors import PublisherError
from publisher.i18n import _
from publisher.render.fonts import font_file

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
        shutil.copyfile(_cached_base(), folder / BASE_NAME)
    extra = sorted({c for c in text if c not in base_characters() and ord(c) > 0x7F and not c.isspace()})
    if extra:
        name = f"noto-sans-sc-extra-{hashlib.sha256(''.join(extra).encode()).hexdigest()[:10]}.otf"
        if not (folder / name).is_file():
            _subset("".join(extra), folder / name)
        names.append(name)
    return names


def _cached_base() -> Path:
    """The base subset takes seconds to make: it is kept in the user's cache, per font file."""
    stat = font_file().stat()
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "publisher"
    path = cache / f"{stat.st_size}-{stat.st_mtime_ns}-{BASE_NAME}"
    if not path.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        _subset("".join(sorted(base_characters())), path)
    return path


def css(names: list[str], prefix: str) -> str:
    rules = [f'@font-face {{ font-family: "Preview SC {i}"; src: url("{prefix}{name}") format("opentype"); '
             f"font-weight: 100 900; font-display: block; }}" for i, name in enumerate(names)]
    return "\n".join(rules)


def family(names: list[str]) -> str:
    return ", ".join(f'"Preview SC {i}"' for i in range(len(names)))


def _subset(text: str, path: Path) -> None:
    # HarfBuzz's subsetter: the GB 2312 base in a fraction of a second, where fontTools took ~20 s
    # (the first preview on a machine waited for it). The weight axis, every layout feature and
    # name, and the .notdef outline are kept; hinting is dropped (as before).
    import uharfbuzz as hb

    face = hb.Face(hb.Blob.from_file_path(str(font_file())), 2)  # the SC face: mainland glyph forms
    wanted = hb.SubsetInput()
    wanted.sets(hb.SubsetInputSets.UNICODE).update(ord(ch) for ch in text)
    wanted.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG).invert()  # the empty set inverted: all of them
    wanted.sets(hb.SubsetInputSets.NAME_ID).invert()
    wanted.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE
    subset = hb.subset(face, wanted)
    if subset is None:
        raise PublisherError(_("the preview's font could not be made from {font} (HarfBuzz refused it); "
                               "reinstall publisher").format(font=font_file().name))
    temp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    temp.write_bytes(subset.blob.data)
    temp.replace(path)
