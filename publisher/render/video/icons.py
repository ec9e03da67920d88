"""Line icons for designed scenes and covers, drawn with Pillow (no icon files, nothing downloaded).

Each icon is drawn at four times its size on a transparent canvas and scaled down, which gives
smooth edges. :func:`icon_for` picks one from the words of a scene.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PIL import Image, ImageDraw

Painter = Callable[[ImageDraw.ImageDraw, int, tuple[int, int, int, int], int], None]
SUPERSAMPLE = 4


def _shield(draw: ImageDraw.ImageDraw, s: int, ink: tuple, line: int) -> None:
    top, bottom, right, mid = 0.1 * s, 0.92 * s, 0.82 * s, 0.5 * s
    outline = [(mid, top), (right, top + 0.1 * s), (right, 0.5 * s)]
    outline += [(mid + (right - mid) * math.cos(a), 0.5 * s + (bottom - 0.5 * s) * math.sin(a))
                for a in (i * math.pi / 24 for i in range(1, 12))]
    outline += [(mid, bottom)]
    outline += [(2 * mid - x, y) for x, y in reversed(outline[1:-1])]
    draw.line([*outline, outline[0], outline[1]], fill=ink, width=line, joint="curve")
    draw.line([(0.36 * s, 0.5 * s), (0.47 * s, 0.62 * s), (0.66 * s, 0.38 * s)], fill=ink, width=line,
              joint="curve")


def _phone(draw: ImageDraw.ImageDraw, s: int, ink: tuple, line: int) -> None:
    draw.rounded_rectangle((0.28 * s, 0.08 * s, 0.72 * s, 0.92 * s), radius=0.08 * s, outline=ink, width=line)
    draw.line([(0.43 * s, 0.16 * s), (0.57 * s, 0.16 * s)], fill=ink, width=line)
    r = 0.035 * s
    draw.ellipse((0.5 * s - r, 0.83 * s - r, 0.5 * s + r, 0.83 * s + r), fill=ink)
    for k, radius in enumerate((0.1, 0.18)):  # ringing waves
        box = (0.76 * s - radius * s, 0.26 * s - radius * s, 0.76 * s + radius * s, 0.26 * s + radius * s)
        draw.arc(box, -60, 20, fill=ink, width=max(1, line - k * line // 4))


def _warning(draw: ImageDraw.ImageDraw, s: int, ink: tuple, line: int) -> None:
    corners = [(0.5 * s, 0.1 * s), (0.92 * s, 0.86 * s), (0.08 * s, 0.86 * s)]
    draw.line([*corners, corners[0], corners[1]], fill=ink, width=line, joint="curve")
    draw.line([(0.5 * s, 0.38 * s), (0.5 * s, 0.62 * s)], fill=ink, width=round(line * 1.2))
    r = 0.045 * s
    draw.ellipse((0.5 * s - r, 0.74 * s - r, 0.5 * s + r, 0.74 * s + r), fill=ink)


def _money(draw: ImageDraw.ImageDraw, s: int, ink: tuple, line: int) -> None:
    draw.ellipse((0.12 * s, 0.12 * s, 0.88 * s, 0.88 * s), outline=ink, width=line)
    draw.line([(0.36 * s, 0.3 * s), (0.5 * s, 0.48 * s), (0.64 * s, 0.3 * s)], fill=ink, width=line, joint="curve")
    draw.line([(0.5 * s, 0.48 * s), (0.5 * s, 0.72 * s)], fill=ink, width=line)
    for y in (0.52, 0.62):
        draw.line([(0.37 * s, y * s), (0.63 * s, y * s)], fill=ink, width=line)


def _chat(draw: ImageDraw.ImageDraw, s: int, ink: tuple, line: int) -> None:
    draw.rounded_rectangle((0.1 * s, 0.16 * s, 0.9 * s, 0.7 * s), radius=0.12 * s, outline=ink, width=line)
    draw.line([(0.3 * s, 0.69 * s), (0.24 * s, 0.88 * s), (0.46 * s, 0.69 * s)], fill=ink, width=line,
              joint="curve")
    r = 0.045 * s
    for x in (0.32, 0.5, 0.68):
        draw.ellipse((x * s - r, 0.43 * s - r, x * s + r, 0.43 * s + r), fill=ink)


def _document(draw: ImageDraw.ImageDraw, s: int, ink: tuple, line: int) -> None:
    fold = 0.2 * s
    outline = [(0.2 * s, 0.08 * s), (0.8 * s - fold, 0.08 * s), (0.8 * s, 0.08 * s + fold), (0.8 * s, 0.92 * s),
               (0.2 * s, 0.92 * s)]
    draw.line([*outline, outline[0], outline[1]], fill=ink, width=line, joint="curve")
    draw.line([(0.8 * s - fold, 0.08 * s), (0.8 * s - fold, 0.08 * s + fold), (0.8 * s, 0.08 * s + fold)],
              fill=ink, width=line)
    for y, end in ((0.42, 0.66), (0.56, 0.66), (0.7, 0.5)):
        draw.line([(0.32 * s, y * s), (end * s, y * s)], fill=ink, width=line)


ICONS: dict[str, Painter] = {"shield": _shield, "phone": _phone, "warning": _warning, "money": _money,
                             "chat": _chat, "document": _document}

KEYWORDS: list[tuple[str, tuple[str, ...]]] = [
    ("document", ("合同", "借条", "通缉令", "签字", "协议", "证件")),
    ("phone", ("电话", "来电", "拨打", "通话", "手机", "接听")),
    ("chat", ("广告", "软件", "社交", "聊天", "短信", "链接", "兼职", "网友", "群里")),
    ("money", ("转账", "钱", "借款", "贷", "债", "返利", "佣金", "垫付", "充值", "账户", "汇款", "投资")),
    ("warning", ("骗", "陷", "套路", "警惕", "诱饵", "深渊", "危险", "小心", "当心")),
    ("shield", ("记住", "牢记", "守", "安全", "保护", "警方", "民警", "防范")),
]
"""Words that call for an icon, most specific first; the heading is read before the text."""


def icon_for(heading: str, text: str, avoid: str | None = None) -> str:
    """The icon for a scene: the first whose words appear in the heading, else in the text;
    ``avoid`` (the previous scene's icon) is passed over when another one matches."""
    found = [name for words in (heading, text) for name, keys in KEYWORDS if any(k in words for k in keys)]
    found = list(dict.fromkeys(found))
    for name in found:
        if name != avoid:
            return name
    return found[0] if found else "shield"


def draw_icon(name: str, size: int, ink: tuple[int, int, int, int]) -> Image.Image:
    """The icon ``name`` as a ``size`` x ``size`` RGBA image in ``ink``, lines about 1/14 of its size."""
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (*ink[:3], 0))
    ICONS[name](ImageDraw.Draw(image), big, ink, max(SUPERSAMPLE, round(big / 14)))
    return image.resize((size, size), Image.Resampling.LANCZOS)
