"""What a clip looks like, checked on its frames and its cover: designed scenes move and carry
their heading and key figure, a photo's own text stays clear of the heading band, and the
cover is its own 3:4 (6:7 on 视频号) design with the account's name once."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, write
from PIL import Image

from publisher.channels.video import VideoSettings
from publisher.cli import main
from publisher.render.video.encode import ffmpeg
from publisher.render.video.subtitles import subtitle_box

BOX = subtitle_box(VideoSettings(type="video"))
BUSY_BOTTOM = 700
"""The test photo's text-like blocks fill its top 700 rows (of 1920)."""


def _busy_photo(path: Path) -> None:
    """A calm warm gradient with dark text-like marks, line after line, in the top third."""
    height, width = 1920, 1080
    ramp = np.linspace(0, 1, height)[:, None]
    image = np.zeros((height, width, 3), np.uint8)
    image[..., 0] = (200 - 40 * ramp).astype(np.uint8)
    image[..., 1] = (170 - 40 * ramp).astype(np.uint8)
    image[..., 2] = (110 - 30 * ramp).astype(np.uint8)
    rng = np.random.default_rng(1)
    for top in range(60, BUSY_BOTTOM - 40, 70):
        x = 60
        while x < width - 100:
            glyph = int(rng.integers(24, 44))
            image[top:top + 44, x:x + glyph] = 25
            image[top + 8:top + 36, x + 6:x + glyph - 6] = image[top + 50, x]  # hollow: strokes, not blocks
            x += glyph + int(rng.integers(6, 16))
    Image.fromarray(image).save(path)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("design") / "site"
    shutil.copytree(FIXTURES / "video-site", site)
    _busy_photo(site / "assets/notice.png")
    write(site / "content/deeds/notice.md",
          "---\ntitle: 告示牌前的提醒\nkind: deed\ndate: 2021-04-01\nstatus: ready\n---\n\n"
          "## 看清告示\n\n![](../../assets/notice.png)\n\n告示上写得清清楚楚。请大家仔细阅读。\n\n"
          "## 平静的画面\n\n![](../../assets/calm.png)\n\n这里没有文字，标题放在上方。\n")
    Image.fromarray(np.repeat(np.linspace([40, 60, 120], [10, 20, 50], 1920).astype(np.uint8)[:, None], 1080,
                              axis=1)).save(site / "assets/calm.png")
    write(site / "content/deeds/plain.md",
          "---\ntitle: 没有照片的稿件\nkind: deed\ndate: 2021-04-01\nstatus: ready\n---\n\n"
          "## 守护平安\n\n民警提醒大家注意安全。\n")
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[channels.kuaishou]\ntype = "video"\n'
                      'platform = "kuaishou"\naccount = "另一个账号名称"\npreset = "ultrafast"\ntitle_seconds = 1.5\n'
                      'end_seconds = 1.5\ncue_gap = 0.5\nmin_cue = 1.5\n\n[channels.shipinhao]\ntype = "video"\n'
                      'platform = "channels"\naccount = "测试警方在线"\npreset = "ultrafast"\ntitle_seconds = 1.5\n'
                      'end_seconds = 1.5\ncue_gap = 0.5\nmin_cue = 1.5\n', encoding="utf-8")
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('channels = ["douyin"]', 'channels = ["douyin", "kuaishou", "shipinhao"]'),
                      encoding="utf-8")
    assert main(["build", "--site", str(site), "--out", str(site / "out"), "--jobs", "2"]) == 0
    return site / "out"


def _frame(video: Path, t: float) -> np.ndarray:
    raw = subprocess.run([ffmpeg(), "-loglevel", "error", "-ss", f"{t:.3f}", "-i", str(video), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(1920, 1080, 3)


def _white(region: np.ndarray) -> np.ndarray:
    return (region > 225).all(axis=2)


def _gold(region: np.ndarray) -> np.ndarray:
    r, g, b = (region[..., i].astype(int) for i in range(3))
    return (r > 170) & (g > 130) & (b < 110) & (r - b > 90)


def _scene(out: Path, story: str, index: int) -> dict:
    return json.loads((out / f"douyin/{story}/plan.json").read_text(encoding="utf-8"))["scenes"][index]


def test_a_designed_scene_moves_and_shows_its_heading_and_key_figure(site):
    video = site / "douyin/antifraud/script/video.mp4"
    scene = _scene(site, "antifraud/script", 1)
    assert scene["image"] is None and scene["heading"] == "怎么办"
    start, end = scene["start"], scene["end"]
    entering = [_frame(video, start + dt) for dt in (0.05, 0.25)]
    settled = [_frame(video, t) for t in (start + 1.0, end - 0.3)]
    heading = (slice(300, 680), slice(90, 900))
    assert _white(entering[0][heading]).sum() < _white(entering[1][heading]).sum()  # it fades in
    assert _white(settled[0][heading]).sum() > 2000, "no heading ink"
    # The backdrop drifts: outside the heading, figure and subtitles, consecutive moments differ.
    calm = slice(BOX.bottom + 20, 1900)
    assert np.abs(settled[0][calm].astype(int) - settled[1][calm].astype(int)).mean() > 1.0
    # Its text names 96110: the key figure is drawn large in the accent colour, with its label.
    figure = settled[0][720:1330, 90:990]
    assert _gold(figure[:340]).sum() > 15000, "no key figure"
    assert _white(figure[380:]).sum() > 800, "no label under the figure"


def test_the_heading_band_avoids_the_photos_own_text(site):
    video = site / "douyin/deeds/notice/video.mp4"
    scene = _scene(site, "deeds/notice", 0)
    for t in (scene["start"] + 0.5, scene["end"] - 0.5):
        frame = _frame(video, t)
        rows = np.nonzero(_white(frame[:BOX.y, :900]).sum(axis=1) > 20)[0]
        assert rows.size, "no heading drawn"
        assert rows.min() > BUSY_BOTTOM, f"heading ink at rows {rows.min()}-{rows.max()}, over the photo's text"
        # The photo's marks are still there to read (not covered by a band).
        dark = (frame[:BUSY_BOTTOM - 150] < 60).all(axis=2).sum()
        assert dark > 40000


def test_a_calm_photo_keeps_the_heading_at_the_top(site):
    frame = _frame(site / "douyin/deeds/notice/video.mp4", _scene(site, "deeds/notice", 1)["start"] + 0.5)
    rows = np.nonzero(_white(frame[:BOX.y, :900]).sum(axis=1) > 20)[0]
    assert rows.size and rows.min() < 450


def _cover(site: Path, channel: str, story: str = "antifraud/script") -> np.ndarray:
    return np.asarray(Image.open(site / f"{channel}/{story}/cover.jpg").convert("RGB")).astype(int)


def test_the_cover_is_designed_for_each_feed_with_the_account_once(site):
    douyin, kuaishou, shipinhao = (_cover(site, name) for name in ("douyin", "kuaishou", "shipinhao"))
    assert douyin.shape == kuaishou.shape == (1440, 1080, 3)
    assert shipinhao.shape == (1260, 1080, 3)  # 6:7, drawn for it, not cropped
    # Two channels with other account names: the covers differ only at the foot, where the name is.
    rows = np.nonzero(np.abs(douyin - kuaishou).max(axis=(1, 2)) > 60)[0]
    assert rows.size and rows.min() > 1440 - 260, rows.min()
    # The title is large in the middle; nothing is drawn where a 6:7 crop of the 3:4 cover cuts.
    middle = douyin[560:1000, 80:1000]
    assert (middle > 225).all(axis=2).sum() > 30000
    assert ((douyin[:90] > 225).all(axis=2).sum() + (douyin[-90:] > 225).all(axis=2).sum()) < 200
    # The photo fills the cover (full-bleed, edge to edge): its red marks show above the title.
    red = (douyin[:500, :, 0] > 150) & (douyin[:500, :, 1] < 110)
    assert red.sum() > 5000 and red[:, :60].any() and red[:, -60:].any()


def test_a_cover_without_a_photo_gets_an_icon(site):
    cover = _cover(site, "douyin", "deeds/plain")
    assert _gold(cover[150:720].astype(np.uint8)).sum() > 5000  # the icon, drawn in the accent colour
    assert (cover[560:1000, 80:1000] > 225).all(axis=2).sum() > 20000  # and the title
