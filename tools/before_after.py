"""Before/after pictures of each output type, side by side, for README.

    python tools/before_after.py BEFORE_OUTPUT AFTER_OUTPUT [docs/before-after]

BEFORE_OUTPUT and AFTER_OUTPUT are two builds' output folders of the demo site (e.g. a worktree of
an older commit built with ``publisher build`` and this checkout's ``output/``). For each output
type the same story is shown as it came out of each build: the Weibo cards as a contact sheet, the
WeChat article as Chromium renders it, the Douyin cover and three frames of the clip, an LED slide,
the leaflet's pages. Needs chromium on PATH for the article (skipped without it).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import imageio_ffmpeg
from PIL import Image, ImageChops, ImageDraw, ImageOps

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from publisher.render.fonts import font  # noqa: E402

WEIBO = "weibo/antifraud/dianxin-zhapian"
WECHAT = "wechat/deeds/huzheng-365"
VIDEO = "douyin/antifraud/dianxin-zhapian"
LEAFLET = "print/antifraud/dianxin-zhapian/pages"
HEIGHT = 900
BACKGROUND = (236, 238, 242)


def sheet(images: list[Image.Image], height: int = HEIGHT, gap: int = 12) -> Image.Image:
    """Images scaled to one height, in a row (wrapped to a second row when wider than 3 × height)."""
    scaled = [ImageOps.contain(im.convert("RGB"), (10_000, height // 2 if len(images) > 4 else height))
              for im in images]
    row_width = max(3 * height, max((s.width for s in scaled), default=0))
    rows: list[list[Image.Image]] = [[]]
    for image in scaled:
        if rows[-1] and sum(i.width + gap for i in rows[-1]) + image.width > row_width:
            rows.append([])
        rows[-1].append(image)
    width = max(sum(i.width + gap for i in row) - gap for row in rows)
    total = sum(max(i.height for i in row) for row in rows) + gap * (len(rows) - 1)
    canvas = Image.new("RGB", (width, total), BACKGROUND)
    y = 0
    for row in rows:
        x = 0
        for image in row:
            canvas.paste(image, (x, y))
            x += image.width + gap
        y += max(i.height for i in row) + gap
    return canvas


def weibo(out: Path) -> list[Image.Image]:
    return [Image.open(p) for p in sorted((out / WEIBO).glob("card-*.png"), key=lambda p: int(p.stem[5:]))]


def wechat(out: Path) -> list[Image.Image]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    article = out / WECHAT / "article.html"
    if not browser or not article.is_file():
        return []
    with tempfile.TemporaryDirectory() as tmp:
        shot = Path(tmp) / "shot.png"
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--screenshot={shot}", "--window-size=480,3000", article.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
        return [_trim(Image.open(shot).convert("RGB"))]


def _trim(page: Image.Image) -> Image.Image:
    """The page down to its last row that is not plain background."""
    background = page.getpixel((page.width - 1, page.height - 1))
    ink = ImageChops.difference(page, Image.new("RGB", page.size, background)).getbbox()
    return page.crop((0, 0, page.width, min(page.height, (ink[3] if ink else page.height) + 40)))


def video(out: Path) -> list[Image.Image]:
    folder = out / VIDEO
    clip = folder / "video.mp4"
    if not clip.is_file():
        return []
    pictures = [Image.open(p) for p in sorted(folder.glob("cover*.jpg"))[:1]]
    seconds = _duration(clip)
    with tempfile.TemporaryDirectory() as tmp:
        for share in (0.2, 0.5, 0.8):
            frame = Path(tmp) / f"{share}.png"
            subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-ss", f"{seconds * share:.2f}",
                            "-i", str(clip), "-frames:v", "1", str(frame)], check=True)
            pictures.append(Image.open(frame).copy())
    return pictures


def _duration(clip: Path) -> float:
    probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-i", str(clip)], capture_output=True, text=True)
    for line in probe.stderr.splitlines():
        if "Duration:" in line:
            h, m, s = line.split("Duration:")[1].split(",")[0].strip().split(":")
            return int(h) * 3600 + int(m) * 60 + float(s)
    return 1.0


def led(out: Path) -> list[Image.Image]:
    slides = sorted((out / "led").glob("*/*/slide-002.png"))
    screens: dict[str, Path] = {}
    for slide in slides:
        screens.setdefault(slide.parent.parent.name, slide)
    return [Image.open(p) for p in screens.values()]


def leaflet(out: Path) -> list[Image.Image]:
    return [Image.open(p) for p in sorted((out / LEAFLET).glob("*.png"))[:2]]


TYPES = {"weibo": ("微博图卡", weibo), "wechat": ("公众号文章", wechat), "video": ("抖音封面与画面", video),
         "led": ("LED 屏幻灯片", led), "leaflet": ("宣传单", leaflet)}


def compare(title: str, before: list[Image.Image], after: list[Image.Image]) -> Image.Image:
    label_font, title_font = font(34, 500), font(44, 700)
    panels = []
    for label, images in (("之前", before), ("之后", after)):
        body = sheet(images) if images else Image.new("RGB", (HEIGHT, HEIGHT // 3), BACKGROUND)
        panel = Image.new("RGB", (body.width, body.height + 70), BACKGROUND)
        ImageDraw.Draw(panel).text((0, 10), label, font=label_font, fill=(60, 64, 72))
        panel.paste(body, (0, 70))
        panels.append(panel)
    across = all(p.height > p.width for p in panels)  # tall pages read better side by side
    if across:
        width, height = sum(p.width for p in panels) + 40 * 3, 100 + max(p.height for p in panels) + 40
    else:
        width, height = max(p.width for p in panels) + 80, 100 + sum(p.height for p in panels) + 60
    canvas = Image.new("RGB", (width, height), BACKGROUND)
    ImageDraw.Draw(canvas).text((40, 30), title, font=title_font, fill=(20, 24, 32))
    x, y = 40, 100
    for panel in panels:
        canvas.paste(panel, (x, y))
        if across:
            x += panel.width + 40
        else:
            y += panel.height + 30
    return canvas


def main(argv: list[str]) -> int:
    before, after = Path(argv[0]), Path(argv[1])
    target = Path(argv[2]) if len(argv) > 2 else REPO / "docs" / "before-after"
    target.mkdir(parents=True, exist_ok=True)
    for name, (title, pictures) in TYPES.items():
        picture = compare(title, pictures(before), pictures(after))
        picture.thumbnail((1800, 4000))
        picture.save(target / f"{name}.png", optimize=True)
        print(target / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
