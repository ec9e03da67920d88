"""Shared fuzzing kit: input generators and the oracle, used by tests/test_fuzz.py (driven by
hypothesis) and benchmarks/bench_fuzz.py (driven by ``random`` with a seed).

The promise checked ("Hostile and broken input"): every input yields a story or
``path:line:col: error: message`` diagnostics at a plausible position; never a traceback, never
"internal error", within a time bound.

Every generator takes a :class:`random.Random`, so hypothesis can drive it with ``st.randoms()``
and the benchmark with ``random.Random(seed)``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import math
import random
import re
import shutil
import signal
import sys
import time
import tomllib
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

FIXTURES = Path(__file__).parent / "fixtures"
STORY_ID = "deeds/fuzz"
STORY_REL = "content/deeds/fuzz.md"

REAL_KEYS = ["title", "kind", "date", "summary", "topics", "channels", "images", "status", "publish_after",
             "expire_after", "officer", "figures", "people", "pii", "extra", "voice", "music", "screens", "days",
             "hours", "urgent"]
ODD_KEYS = ["", " ", "Title", "title ", "标题", "author", "<<", "?", "-", "0", "true", "null", "a.b", "extra.x",
            "\u2028", "ｔｉｔｌｅ", "x" * 200]

ODD_STRINGS = [
    "", " ", "坏故事", "民警帮走失老人回家", "\x00", "\x07", "\x1b[31m红\x1b[0m", "\x7f", "\u0085", "\u00a0",
    "\u1680", "\u2028", "\u2029", "\u200b", "\u200f", "\u202e", "\ufeff", "\ufffd", "\ue000", "😀", "🚓",
    "𠀀", "ｔｉｔｌｅ", "#反诈#", "a b", "../../../etc/passwd", "/etc/passwd", "a" * 300 + ".png", "photo.png",
    "banner.png", "images/banner.png", "http://example.com/x.png", "data:image/png;base64,AAAA", "draft",
    "ready", "deed", "officer", "antifraud", "weibo", "wechat", "nowhere", "mon", "周一", "funday",
    "07:00-22:00", "25:00-26:00", "7:00-7:00", "2021-02-30", "2021-04-08 25:61:00", "{{ config }}",
    "{% raw %}", "{{", "<script>alert(1)</script>", "&amp;&#0;&#x110000;", "王某", "张三", "13812345678",
    "110101199003077777", "\\", "'", '"', "- a", ": b", "# c", "[", "{", "*a", "&a", "!!int", "%", "@", "`",
    "\t", "\r", "\n", "\r\n", "很长" * 500,
]
DATES = [dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2021, 4, 1), dt.date(2000, 2, 29)]
DATETIMES = [dt.datetime(2021, 4, 8, 10, 0), dt.datetime(1, 1, 1, 0, 0),
             dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=14))),
             dt.datetime(2021, 4, 8, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-12)))]
NUMBERS = [0, -1, 1, 17, 2**31, 2**63, -(2**63) - 1, 10**39, 10**45, math.inf, -math.inf, math.nan, 1e308, -0.0,
           1.5, 5e-324]
SCALARS: list[Any] = [*ODD_STRINGS, *DATES, *DATETIMES, *NUMBERS, True, False, None]

TOKENS = ["!!float ", "!!int ", "!!bool ", "!!timestamp ", "!!str ", "!!binary ", "!!python/object:os.system ",
          "!!set ", "!!omap ", "!<tag:yaml.org,2002:int> ", "&a ", "*a", "&b [1, *b]", "<<: *a\n", "\t", "：",
          "\ufeff", "\r\n", "\r", "\n", "---\n", "+++\n", "...\n", "[", "]", "{", "}", '"', "'", "\x00", "\x07",
          "\x1b", "\u2028", "\u2029", "\u0085", "\u1680", "\ud800", "#", ": ", "- ", "? ", "|\n", ">-\n", "%YAML 1.1\n",
          "9" * 50, "9" * 5000, "1e999", ".nan", ".inf", "0x", "0o9", "1_000", "2021-02-30", "2021-04-08 25:61:00",
          "10:00+99:00", "=", " = ", "[[x]]\n", "[extra]\n", '"""', "'''", "\\u0000", "\\U0010ffff", "\\x",
          "😀", "坏", "title: x\n", "status: ready\n", "images: [photo.png]\n"]

KNOWN_STORY = """---
title: 民警帮走失老人回家
kind: deed
date: 2021-04-08
summary: 情指中心协助派出所找回走失群众17人。
topics: [平安测试]
status: ready
images: [photo.png]
figures:
  - {label: 找回走失群众, value: 17, unit: 人}
people:
  - {name: 李大爷, role: victim}
pii:
  - {value: "13812345678"}
extra:
  note: 备注
---

老人出门后迷路，民警调取视频，两小时后把**老人**送回家。

> 多看一眼监控，就可能让一家人早一点团圆。

![现场](photo.png)
"""

KNOWN_TOML_STORY = """+++
title = "TOML 写的故事"
kind = "deed"
date = 2021-04-09
summary = "用 TOML 前言写的故事。"
status = "ready"
channels = ["weibo"]
images = ["photo.png"]
[extra]
note = "备注"
[[figures]]
label = "找回走失群众"
value = 17
unit = "人"
+++

正文一段。
"""


# --- values and front matter ---------------------------------------------------------------------------------


def random_scalar(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.7:
        return rng.choice(SCALARS)
    if roll < 0.85:
        return "".join(rng.choice(ODD_STRINGS[:60]) for _ in range(rng.randint(1, 4)))
    return rng.choice([rng.randint(-(10**60), 10**60), rng.uniform(-1e6, 1e6),
                       "".join(chr(rng.randint(1, 0x10FFFF)) for _ in range(rng.randint(1, 8)))])


def random_key(rng: random.Random) -> str:
    return rng.choice(REAL_KEYS) if rng.random() < 0.8 else rng.choice(ODD_KEYS)


def random_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.6:
        return random_scalar(rng)
    if roll < 0.8:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {random_key(rng): random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def random_meta(rng: random.Random) -> dict:
    """Front matter built from real keys with plausible or hostile values, plus random keys."""
    meta: dict[str, Any] = {"title": "坏故事", "kind": "deed", "date": dt.date(2021, 4, 1), "status": "ready"}
    for _ in range(rng.randint(0, 6)):
        meta[random_key(rng)] = random_value(rng)
    for key in rng.sample(list(meta), k=rng.randint(0, min(2, len(meta)))):
        if rng.random() < 0.3:
            del meta[key]
    return meta


def dump_yaml(meta: Any, flow: bool | None = None) -> str:
    """YAML text of ``meta`` (control characters escaped, the way a careful tool would write it)."""
    return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=flow, width=10**6)


def dump_yaml_raw(meta: dict) -> str:
    """``key: value`` lines written carelessly: values unquoted, as a person types them."""
    lines = []
    for key, value in meta.items():
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines += [f"  - {item}" for item in value]
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {v}" for k, v in value.items()]
        else:
            lines.append(f"{key}: {'' if value is None else value}")
    return "\n".join(lines) + "\n"


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)} = {toml_value(v)}"
                               for k, v in value.items() if v is not None) + "}"
    return '""'


def dump_toml(meta: dict) -> str:
    return "".join(f"{json.dumps(str(k), ensure_ascii=False) if not re.fullmatch(r'[A-Za-z0-9_-]+', str(k)) else k}"
                   f" = {toml_value(v)}\n" for k, v in meta.items() if v is not None)


def story_text(front: str, body: str, toml: bool = False) -> str:
    fence = "+++" if toml else "---"
    return f"{fence}\n{front.rstrip(chr(10))}\n{fence}\n\n{body}\n"


def random_story(rng: random.Random) -> str:
    """A whole story: structured front matter (YAML or TOML), raw mutations, or both."""
    roll = rng.random()
    if roll < 0.35:
        meta = random_meta(rng)
        writer = rng.choice([lambda m: dump_yaml(m), lambda m: dump_yaml(m, True), dump_yaml_raw])
        text = story_text(writer(meta), random_body(rng))
    elif roll < 0.5:
        text = story_text(dump_toml(random_meta(rng)), random_body(rng), toml=True)
    else:
        text = rng.choice([KNOWN_STORY, KNOWN_STORY, KNOWN_TOML_STORY])
    if roll >= 0.35 or rng.random() < 0.3:
        text = mutate_text(rng, text, rng.randint(1, 6))
    return text


# --- raw text mutations --------------------------------------------------------------------------------------


def mutate_text(rng: random.Random, text: str, count: int = 1) -> str:
    for _ in range(count):
        text = rng.choice(_MUTATIONS)(rng, text)
    return text


def _pos(rng: random.Random, text: str) -> int:
    return rng.randint(0, len(text))


def _insert_char(rng, text):
    i = _pos(rng, text)
    ch = chr(rng.randint(0, 0x2FFF)) if rng.random() < 0.5 else chr(rng.randint(0, 0x10FFFF))
    return text[:i] + ch + text[i:]


def _delete(rng, text):
    i = _pos(rng, text)
    return text[:i] + text[i + rng.randint(1, 8):]


def _replace(rng, text):
    i = _pos(rng, text)
    return text[:i] + rng.choice(TOKENS) + text[i + 1:]


def _insert_token(rng, text):
    i = _pos(rng, text)
    return text[:i] + rng.choice(TOKENS) + text[i:]


def _token_after_colon(rng, text):
    spots = [m.end() for m in re.finditer(r": |= ", text)]
    if not spots:
        return _insert_token(rng, text)
    i = rng.choice(spots)
    return text[:i] + rng.choice(TOKENS[:16]) + text[i:]


def _duplicate_line(rng, text):
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    lines.insert(rng.randrange(len(lines) + 1), lines[i])
    return "\n".join(lines)


def _swap_lines(rng, text):
    lines = text.split("\n")
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def _line_ending(rng, text):
    return text.replace("\n", rng.choice(["\r\n", "\r", "\u2028", "\n\n"]))


def _bom(rng, text):
    return "\ufeff" + text


def _full_width_colon(rng, text):
    spots = [m.start() for m in re.finditer(r"[:=]", text)]
    if not spots:
        return text
    i = rng.choice(spots)
    return text[:i] + rng.choice(["：", "꞉", "∶"]) + text[i + 1:]


def _tab_indent(rng, text):
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    lines[i] = "\t" + lines[i]
    return "\n".join(lines)


def _repeat(rng, text):
    i = _pos(rng, text)
    return text[:i] + rng.choice(["[", "*", "_", "<", "&", "{", "![", "](", "`", "> ", "  ", "\\"]) * rng.choice(
        [2, 50, 500, 1500]) + text[i:]


def _anchor_alias(rng, text):
    m = list(re.finditer(r"^(\w+): (.+)$", text, re.M))
    if len(m) < 2:
        return _insert_token(rng, text)
    a, b = rng.sample(m, 2)
    text = text[:a.start(2)] + "&x " + text[a.start(2):]
    return re.sub(rf"^{re.escape(b.group(1))}: .+$", f"{b.group(1)}: *x", text, count=1, flags=re.M)


_MUTATIONS = [_insert_char, _delete, _replace, _insert_token, _insert_token, _token_after_colon, _duplicate_line,
              _swap_lines, _line_ending, _bom, _full_width_colon, _tab_indent, _repeat, _anchor_alias]


# --- bodies --------------------------------------------------------------------------------------------------

BODY_PIECES = ["正文。", "**粗体**", "*斜体*", "_x_", "[链接](http://example.com)", "[x]", "[", "]", "(", ")",
               "![图](photo.png)", "![图](/etc/passwd)", "![图](../../../config.toml)", "![图](" + "a" * 300 + ".png)",
               "![图](http://example.com/a.png)", "![](nowhere.png)", "![x](banner.png)", "![x](images/banner.png)",
               "![x](photo.png \"t\")", "![x](<a b.png>)", "![x](%2e%2e/x.png)", "![x](javascript:alert(1))",
               "<img src=photo.png>", "<img src=\"/etc/passwd\">", "<script>x</script>", "<b onclick=x>b</b>",
               "<!--", "-->", "&amp;", "&#0;", "&#x110000;", "&nbsp;", "&bogus;", "> 引用", "> > 嵌套",
               "\n\n", "\n", "# 标题", "## 二级", "- 项", "1. 项", "|a|b|\n|-|-|\n|1|2|", "```\ncode\n```", "`",
               "[12:34]", "[99:99.9]", "---", "***", "[^1]", "[^1]: 注", "*[HTML]: x", "{: .cls}", "😀", "\u2028",
               "\x00", "\x0c", "王五", "13812345678", "110101199003077777", "\t", "\\", "  \n"]


def random_body(rng: random.Random) -> str:
    parts = [rng.choice(BODY_PIECES) for _ in range(rng.randint(0, 30))]
    text = "".join(parts)
    if rng.random() < 0.1:
        text = _repeat(rng, text)
    return text


# --- config.toml ---------------------------------------------------------------------------------------------

CONFIG_KEYS: list[tuple[str, ...]] = [
    ("name",), ("language",), ("timezone",), ("output",), ("theme", "background"), ("theme", "text"),
    ("theme", "accent"), ("theme", "muted"), ("kinds", "deed", "channels"), ("kinds", "deed", "section"),
    ("channels", "weibo", "limit"), ("channels", "weibo", "max_cards"), ("channels", "weibo", "card_width"),
    ("channels", "weibo", "card_height"), ("channels", "weibo", "topics"), ("channels", "weibo", "account"),
    ("channels", "weibo", "template"), ("channels", "weibo", "type"), ("channels", "weibo", "language"),
    ("channels", "weibo", "opencc"), ("channels", "weibo", "schedule"), ("channels", "weibo", "slots"),
    ("channels", "wechat", "html_limit"), ("channels", "wechat", "title_limit"),
    ("channels", "wechat", "digest_limit"), ("channels", "wechat", "cover_width"),
    ("channels", "wechat", "slots"), ("channels", "wechat", "author"), ("channels", "led", "type"),
    ("channels", "led", "idle_text"), ("channels", "led", "ticker_speed"), ("channels", "led", "fps"),
    ("channels", "led", "ticker_separator"), ("safety", "id_mask"), ("safety", "stages"), ("safety", "wording"),
    ("safety", "ledger"), ("publish", "grace_minutes"), ("publish", "tick_seconds"), ("publish", "output"),
    ("screens", 0, "name"), ("screens", 0, "width"), ("screens", 0, "height"), ("screens", 0, "slide_seconds"),
    ("screens", 0, "min_text"), ("screens", 0, "max_text"), ("screens", 0, "theme", "headline"),
    ("targets", "usb", "type"), ("targets", "usb", "path"), ("targets", "usb", "keep_days"), ("reviewers",),
]
CONFIG_VALUES: list[Any] = [0, -1, -(2**63), 2**63 - 1, 10**30, math.inf, -math.inf, math.nan, 1e308, 0.5, "",
                            " ", "notacolor", "#12345", "#ggg", "red", "#ffffff80", "rgb(1,2,3)", "hsl(999,0%,0%)",
                            "/etc", "/", "..", "../..", "/tmp/elsewhere", "a" * 300, "😀", "\u2028", "\x00",
                            "Mars/Olympus", "zh-Hant", "klingon", "s2t", "nonsense", "daily 25:00", "monday 09:00",
                            "mon 09:00", True, [], [""], ["weibo", "weibo"], ["mon 09:00", "mon 10:00"], {},
                            {"x": 1}, dt.date(2021, 1, 1), "weibo", "led", "dir", "ftp"]
BASE_LED = {"type": "led"}
BASE_SCREEN = {"name": "gate", "width": 192, "height": 96}


def random_config(rng: random.Random, base_text: str) -> bytes:
    """config.toml: the fixture's with random values at known keys, or raw mutations, or bad bytes."""
    roll = rng.random()
    if roll < 0.08:
        raw = base_text.encode("utf-8")
        i = rng.randint(0, len(raw))
        return raw[:i] + rng.choice([b"\xff", b"\xc3", b"\xe5\xad", b"\x80\x80", "名".encode("gbk")]) + raw[i:]
    if roll < 0.3:
        return mutate_text(rng, base_text, rng.randint(1, 4)).encode("utf-8", "surrogatepass")
    data = tomllib.loads(base_text)
    if rng.random() < 0.5:
        data.setdefault("channels", {})["led"] = dict(BASE_LED)
        data["screens"] = [dict(BASE_SCREEN)]
    for _ in range(rng.randint(1, 4)):
        path = rng.choice(CONFIG_KEYS)
        value = rng.choice(CONFIG_VALUES) if rng.random() < 0.85 else random_value(rng, 2)
        _set_path(data, path, value)
    return dump_toml_document(data).encode("utf-8", "surrogatepass")


def _set_path(data: Any, path: tuple, value: Any) -> None:
    node = data
    for key in path[:-1]:
        if isinstance(key, int):
            if not isinstance(node, list):
                return
            while len(node) <= key:
                node.append(dict(BASE_SCREEN))
            node = node[key]
        else:
            if not isinstance(node, dict):
                return
            if not isinstance(node.get(key), dict | list):
                node[key] = {}
            node = node[key]
    if isinstance(node, dict):
        node[path[-1]] = value


def dump_toml_document(data: dict) -> str:
    """A TOML document: scalars first, then ``[table]`` and ``[[array]]`` sections (one level deep
    of sub-tables; deeper ones inline)."""
    out: list[str] = []

    def key(k: Any) -> str:
        k = str(k)
        return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)

    def is_tables(v: Any) -> bool:
        return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)

    def section(prefix: str, table: dict, inline_only: bool = False) -> None:
        subs = []
        for k, v in table.items():
            if not inline_only and ((isinstance(v, dict) and v and not prefix) or (is_tables(v) and not prefix)
                                    or (isinstance(v, dict) and v and prefix.count(".") < 1)):
                subs.append((k, v))
            elif v is not None:
                out.append(f"{key(k)} = {toml_value(v)}")
        for k, v in subs:
            name = f"{prefix}.{key(k)}" if prefix else key(k)
            if isinstance(v, list):
                for item in v:
                    out.append(f"\n[[{name}]]")
                    section(name, item, inline_only=True)
            else:
                out.append(f"\n[{name}]")
                section(name, v)

    section("", data)
    return "\n".join(out) + "\n"


# --- images --------------------------------------------------------------------------------------------------

IMAGE_KINDS = ["rgb", "i16", "i", "la", "p-transparent", "cmyk-jpeg", "1x1", "huge-1bit", "huge-header",
               "truncated-png", "truncated-jpeg", "garbage", "empty", "gif", "webp", "bmp", "f", "exif-rotated"]


def make_image(kind: str, rng: random.Random | None = None) -> tuple[str, bytes]:
    """(suffix, bytes) of an image with an odd mode, size or corruption."""
    from PIL import Image

    rng = rng or random.Random(0)
    buf = io.BytesIO()

    def save(image, fmt, **kw):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # Pillow: saving "I" as PNG
            image.save(buf, fmt, **kw)
        return buf.getvalue()

    if kind == "rgb":
        return ".png", save(Image.new("RGB", (64, 48), (200, 30, 30)), "PNG")
    if kind == "i16":
        image = Image.new("I;16", (64, 48))
        image.putdata([rng.randint(0, 65535) for _ in range(64 * 48)])
        return ".png", save(image, "PNG")
    if kind == "i":
        return ".png", save(Image.new("I", (40, 30), 30000), "PNG")
    if kind == "f":
        return ".tif" if rng.random() < 0.5 else ".png", save(Image.new("F", (20, 20), 0.5), "TIFF")
    if kind == "la":
        return ".png", save(Image.new("LA", (40, 30), (128, 0)), "PNG")
    if kind == "p-transparent":
        image = Image.new("P", (40, 30), 3)
        return ".png", save(image, "PNG", transparency=3)
    if kind == "cmyk-jpeg":
        return ".jpg", save(Image.new("CMYK", (40, 30), (0, 255, 255, 0)), "JPEG")
    if kind == "1x1":
        return ".png", save(Image.new("RGB", (1, 1)), "PNG")
    if kind == "huge-1bit":
        return ".png", save(Image.new("1", (20000, 20000)), "PNG")
    if kind == "huge-header":
        # a valid PNG signature and IHDR claiming 20000x20000, then nothing
        import struct
        import zlib

        ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
        chunk = b"IHDR" + ihdr
        return ".png", (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
                        + struct.pack(">I", zlib.crc32(chunk)))
    if kind == "truncated-png":
        data = save(Image.frombytes("RGB", (64, 64), rng.randbytes(64 * 64 * 3)), "PNG")
        return ".png", data[: rng.randint(20, len(data) - 1)]
    if kind == "truncated-jpeg":
        data = save(Image.frombytes("RGB", (64, 64), rng.randbytes(64 * 64 * 3)), "JPEG")
        return ".jpg", data[: rng.randint(len(data) // 4, len(data) - 3)]
    if kind == "garbage":
        return rng.choice([".png", ".jpg"]), bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
    if kind == "empty":
        return ".png", b""
    if kind == "gif":
        return ".gif", save(Image.new("P", (10, 10)), "GIF")
    if kind == "webp":
        return ".webp", save(Image.new("RGBA", (10, 10), (1, 2, 3, 0)), "WEBP")
    if kind == "bmp":
        return ".bmp", save(Image.new("RGB", (10, 10)), "BMP")
    if kind == "exif-rotated":
        image = Image.new("RGB", (30, 20), (0, 0, 255))
        exif = image.getexif()
        exif[0x0112] = rng.choice([0, 1, 3, 6, 8, 9, 65535])
        return ".jpg", save(image, "JPEG", exif=exif)
    raise ValueError(kind)


# --- the site and the oracle ---------------------------------------------------------------------------------

DIAGNOSTIC = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): (?P<msg>.+)$")


class FuzzSite:
    """A copy of tests/fixtures/site reduced to one story, ``content/deeds/fuzz.md`` (the fixture's
    other stories are removed so each case is cheap); its images are kept beside it."""

    def __init__(self, root: Path):
        self.root = root
        if root.exists():
            shutil.rmtree(root)
        shutil.copytree(FIXTURES / "site", root)
        photo = root / "content/officers/wang-wu/photo.png"
        shutil.copy(photo, root / "content/deeds/photo.png")
        shutil.rmtree(root / "content/officers")
        shutil.rmtree(root / "content/antifraud")
        for story in (root / "content/deeds").glob("*.md"):
            story.unlink()
        self.config_text = (root / "config.toml").read_text(encoding="utf-8")
        self.story_path = root / STORY_REL
        self.extra: list[Path] = []
        self.write_story(KNOWN_STORY)

    def write_story(self, text: str | bytes) -> Path:
        data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
        self.story_path.write_bytes(data)
        return self.story_path

    def write_config(self, data: bytes | str) -> None:
        (self.root / "config.toml").write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))

    def add_file(self, rel: str, data: bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.extra.append(path)
        return path

    def reset(self) -> None:
        """Back to the base: the fixture's config, the known story, no extra files."""
        for path in self.extra:
            with contextlib.suppress(OSError):
                path.unlink()
        self.extra = []
        self.write_config(self.config_text)
        self.write_story(KNOWN_STORY)
        ledger = self.root / ".publisher"
        if ledger.exists():
            shutil.rmtree(ledger)


@dataclass
class Outcome:
    problems: list[tuple[str, str]] = field(default_factory=list)
    """(category, detail): traceback, internal, format, position, exit, slow."""
    seconds: float = 0.0
    diagnostics: list[str] = field(default_factory=list)

    def add(self, category: str, detail: str) -> None:
        self.problems.append((category, detail))

    def has(self, category: str) -> bool:
        return any(c == category for c, _ in self.problems)

    def __str__(self) -> str:
        return "\n".join(f"[{c}] {d}" for c, d in self.problems) or "ok"


class CaseTimeout(BaseException):
    """Raised by the alarm when one case runs past the hard limit (BaseException: not swallowed)."""


@contextlib.contextmanager
def hard_limit(seconds: float):
    """Interrupt a case that runs longer than ``seconds`` (main thread only; no-op elsewhere)."""
    if not hasattr(signal, "setitimer") or seconds <= 0:
        yield
        return

    def on_alarm(signum, frame):
        raise CaseTimeout(f"still running after {seconds:.0f}s")

    try:
        previous = signal.signal(signal.SIGALRM, on_alarm)
    except ValueError:  # not the main thread
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _short_traceback(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/publisher/" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno} in {ours[-1].name}" if ours else "?"
    return f"{type(exc).__name__}: {str(exc)[:200]} (at {where})"


def _file_lines(path: Path) -> int | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    text = data.decode("utf-8", "replace")
    # the most generous count: editors and YAML also break lines at CR, U+0085, U+2028, U+2029
    return max(text.count("\n"), len(re.findall(r"\r\n|[\n\r\x85\u2028\u2029\v\f\x1c-\x1e]", text))) + 1


def check_diagnostic_lines(lines: list[str], outcome: Outcome, cwd: Path) -> None:
    for line in lines:
        if not line.strip():
            continue
        outcome.diagnostics.append(line)
        if "internal error" in line:
            outcome.add("internal", line[:300])
        if "Traceback" in line:
            outcome.add("traceback", line[:300])
        m = DIAGNOSTIC.match(line)
        if not m:
            outcome.add("format", f"not path:line:col: {line[:300]!r}")
            continue
        path = Path(m["path"])
        path = path if path.is_absolute() else cwd / path
        count = _file_lines(path)
        number, col = int(m["line"]), int(m["col"])
        if number < 1 or col < 1 or (count is not None and number > count + 1):
            outcome.add("position", f"line {number} of a {count}-line file: {line[:300]}")


def run_cli(args: list[str]) -> tuple[int | str, str, str]:
    """``publisher ARGS`` in-process: (exit code or the exception, stdout, stderr)."""
    from publisher.cli import main

    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code: int | str = main(args)
    except CaseTimeout:
        raise
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException as exc:
        code = "traceback: " + _short_traceback(exc)
    return code, out.getvalue(), err.getvalue()


def examine(site: FuzzSite, *, cli: bool = True, render_images: bool = True, limit: float = 5.0,
            hard: float = 20.0) -> Outcome:
    """Read the site in-process (config, the fuzz story) and run ``publisher check``; every way the
    promise is broken becomes a problem in the outcome."""
    from publisher.config import load_config
    from publisher.errors import ConfigError, ContentError
    from publisher.pipeline.reader import read_story

    outcome = Outcome()
    cwd = Path.cwd()
    started = time.perf_counter()
    try:
        with hard_limit(hard):
            config = None
            try:
                config, _ = load_config(site.root)
            except ConfigError as exc:
                check_diagnostic_lines([str(d) for d in exc.diagnostics], outcome, cwd)
            except Exception as exc:
                outcome.add("traceback", "load_config: " + _short_traceback(exc))
            story = None
            if config is not None and site.story_path.is_file():
                try:
                    story = read_story(site.root, STORY_ID, site.story_path, config)
                except ContentError as exc:
                    check_diagnostic_lines([str(d) for d in exc.diagnostics], outcome, cwd)
                except Exception as exc:
                    outcome.add("traceback", "read_story: " + _short_traceback(exc))
            if story is not None and render_images:
                _render_accepted_images(story, outcome)
            if cli:
                code, _, err = run_cli(["check", "--site", str(site.root)])
                if isinstance(code, str):
                    outcome.add("traceback", "publisher check: " + code)
                elif code not in (0, 1, 2):
                    outcome.add("exit", f"publisher check exited {code}")
                check_diagnostic_lines(err.splitlines(), outcome, cwd)
    except CaseTimeout as exc:
        outcome.add("slow", str(exc))
    outcome.seconds = time.perf_counter() - started
    if outcome.seconds > limit and not outcome.has("slow"):
        outcome.add("slow", f"took {outcome.seconds:.1f}s (limit {limit:.0f}s)")
    return outcome


def _render_accepted_images(story, outcome: Outcome) -> None:
    """An image that ``check`` accepted must open for rendering (cover crop) at build time."""
    from publisher.render import photos

    for path in [*story.images, *story.body_images.values()]:
        try:
            image = photos.cover(path, (120, 90))
            image.load()
        except Exception as exc:
            outcome.add("traceback", f"accepted image {path.name} fails at build: " + _short_traceback(exc))


def signature(category: str, detail: str) -> str:
    """A short key to group the same failure found by many cases."""
    detail = re.sub(r"\d+", "N", detail)
    detail = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", detail)
    if category == "traceback":
        m = re.search(r"^(.*?:)?\s*(\w+(Error|Exception|Interrupt|Exit|Timeout)\w*).*\(at ([^)]*)\)", detail)
        if m:
            return f"traceback {m[2]} at {m[4]}"
    if category == "format":
        return "format " + detail[:60]
    if category == "position":
        m = DIAGNOSTIC.match(detail.split(": ", 1)[-1])
        return "position " + (m["msg"][:50] if m else detail[:60])
    return f"{category} {detail[:80]}"


def describe(value: Any, width: int = 160) -> str:
    text = value if isinstance(value, str) else value.decode("utf-8", "replace") if isinstance(value, bytes) \
        else repr(value)
    text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= width else text[: width - 20] + f"…(+{len(text) - width + 20} chars)"


def print_err(*parts: Any) -> None:
    print(*parts, file=sys.stderr)
