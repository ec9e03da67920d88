"""LED screens: exact native slides, text flows instead of being cut, loops as long as their playlists,
and the table of what plays where and when."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import write
from PIL import Image

from publisher.channels.led import playlist
from publisher.channels.led.settings import Screen
from publisher.channels.led.slides import margin
from publisher.cli import main
from publisher.content.frontmatter import Parsed
from publisher.content.story import FrontMatter, Story
from publisher.render.video.probe import probe

SCREENS = [("tiny", 192, 96), ("square", 384, 192), ("strip", 1920, 320), ("wall", 1280, 720), ("odd", 193, 97)]
LONG = ("分局情指中心发挥专业优势，协助派出所找回走失老人、小孩和精神障碍患者17人，追回被盗电瓶车6辆、"
        "人力三轮车1辆、手机2部、现金3050元，获群众致谢锦旗1面。清明假期全警参与巡逻342人次，救助群众12人。")


def led_site(root: Path) -> Path:
    site = root / "site"
    screens = "".join(f'\n[[screens]]\nname = "{n}"\nwidth = {w}\nheight = {h}\nslide_seconds = 4\n'
                      + ("antialias = false\n" if n == "tiny" else "") for n, w, h in SCREENS)
    write(site / "config.toml", 'name = "测试分局"\n[channels.led]\ntype = "led"\nurgent_every = 2\n'
          '[kinds.deed]\nchannels = ["led"]\n[kinds.antifraud]\nchannels = ["led"]\n' + screens)
    stories = {
        "deeds/short": "title: 户政大厅365天不打烊\nkind: deed\ndate: 2021-04-07\nsummary: 节假日照常办证。",
        "deeds/long": f"title: 情指中心为民办实事\nkind: deed\ndate: 2021-04-08\nsummary: {LONG}",
        "deeds/evening": "title: 夜间巡逻\nkind: deed\ndate: 2021-04-06\nsummary: 民警夜巡。\nhours: \"18:00-22:00\"",
        "antifraud/alert": "title: 紧急提醒：刷单都是诈骗\nkind: antifraud\ndate: 2021-04-01\nurgent: true\n"
                           "summary: 不要垫付任何资金。",
        "deeds/weekend": "title: 周末便民服务\nkind: deed\ndate: 2021-04-05\ndays: [sat, sun]",
        "deeds/only-tiny": "title: 门头屏专属\nkind: deed\ndate: 2021-04-04\nscreens: [tiny]",
    }
    for story_id, front in stories.items():
        write(site / f"content/{story_id}.md", f"---\n{front}\nstatus: ready\n---\n\n正文。\n")
    return site


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    site = led_site(tmp_path_factory.mktemp("led"))
    assert main(["build", "--site", str(site), "--out", str(site / "out"), "--date", "2021-04-20"]) == 0  # a Tuesday
    return site / "out/led"


def _playlist(built: Path, screen: str, date: str = "2021-04-20") -> dict:
    return json.loads((built / screen / date / "playlist.json").read_text(encoding="utf-8"))


def _ink_bbox(path: Path) -> tuple[int, int, int, int] | None:
    pixels = np.asarray(Image.open(path).convert("RGB")).astype(int)
    ink = pixels.sum(axis=2) > 60
    if not ink.any():
        return None
    rows, cols = np.nonzero(ink)
    return cols.min(), rows.min(), cols.max(), rows.max()


@pytest.mark.parametrize(("name", "width", "height"), SCREENS)
def test_every_slide_has_the_native_size_and_ink_stays_off_the_margin(built, name, width, height):
    slides = sorted((built / name / "2021-04-20").glob("slide-*.png"))
    assert slides
    m = margin(Screen(name=name, width=width, height=height))
    for slide in slides:
        image = Image.open(slide)
        assert image.size == (width, height)
        box = _ink_bbox(slide)
        assert box is not None, f"{slide.name} is blank"
        left, top, right, bottom = box
        assert left >= m and top >= m and right < width - m and bottom < height - m, (slide.name, box, m)


@pytest.mark.parametrize(("name", "width", "height"), [s for s in SCREENS if s[1] / s[2] < 4])
def test_long_text_flows_onto_more_slides_and_nothing_is_cut(built, name, width, height):
    items = [i for i in _playlist(built, name)["parts"][0]["items"] if i["story"] == "deeds/long"]
    shown = "".join(line for item in items for line in item["lines"])
    assert shown.count("情指中心为民办实事") == len(items)  # the headline repeats on each slide
    assert shown.replace("情指中心为民办实事", "") == LONG  # every character, in order, nothing lost
    if height <= 192:
        assert len(items) > 1


def test_crisp_text_on_low_screens(built):
    pixels = np.asarray(Image.open(built / "tiny/2021-04-20/slide-001.png").convert("RGB"))
    colours = {tuple(c) for c in pixels.reshape(-1, 3)}
    assert len(colours) <= 3  # background, headline, body: no anti-aliasing greys
    smooth = np.asarray(Image.open(built / "wall/2021-04-20/slide-001.png").convert("RGB"))
    assert len({tuple(c) for c in smooth.reshape(-1, 3)}) > 10


@pytest.mark.parametrize(("name", "width", "height"), SCREENS)
def test_loop_lasts_exactly_the_playlist(built, name, width, height):
    data = _playlist(built, name)
    for part in data["parts"]:
        info = probe(built / name / "2021-04-20" / part["name"])
        total = sum(item["seconds"] for item in part["items"])
        assert abs(info.duration - total) < 0.05, (part["name"], info.duration, total)
        assert abs(part["duration"] - total) < 0.01
        assert info.video["codec"] == "h264" and info.video["pix_fmt"] == "yuv420p"
        assert info.video["fps"] == 25.0
        assert (info.video["width"], info.video["height"]) == (width + width % 2, height + height % 2)
        assert not info.audio


def test_odd_sizes_are_padded_and_say_so(built):
    data = _playlist(built, "odd")
    assert data["encoded"] == {"width": 194, "height": 98, "padding": {"right": 1, "bottom": 1},
                               "note": data["encoded"]["note"]}
    assert "padded" in data["encoded"]["note"]
    assert _playlist(built, "tiny")["encoded"]["padding"] == {"right": 0, "bottom": 0}


def test_strip_gets_a_ticker(built):
    data = _playlist(built, "strip")
    assert data["strip"] is True
    part = data["parts"][0]
    assert all("text" in item for item in part["items"])
    # Ticker items take time in proportion to their width; a headline-only item is short.
    assert all(item["seconds"] > 0 for item in part["items"])


def test_hours_cut_the_day_into_named_loops(built):
    data = _playlist(built, "square")
    assert [(p["name"], p["start"], p["end"]) for p in data["parts"]] == [
        ("loop-0000.mp4", "00:00", "18:00"), ("loop-1800.mp4", "18:00", "22:00"), ("loop-2200.mp4", "22:00", "24:00")]
    evening = [i["story"] for i in data["parts"][1]["items"]]
    assert "deeds/evening" in evening
    assert "deeds/evening" not in [i["story"] for i in data["parts"][0]["items"]]
    for part in data["parts"]:
        assert (built / "square/2021-04-20" / part["name"]).is_file()
    assert "loop-1800.mp4" in (built / "square/2021-04-20/playlist.m3u").read_text(encoding="utf-8")


def test_urgent_first_and_again_after_every_n(built):
    stories = [i["story"] for i in _playlist(built, "square")["parts"][0]["items"]]
    order = list(dict.fromkeys(stories))
    assert order[0] == "antifraud/alert"
    runs = [s for i, s in enumerate(stories) if i == 0 or stories[i - 1] != s]
    # Two ordinary items and urgent_every = 2: the alert opens the loop, which then wraps round to it.
    assert runs == ["antifraud/alert", "deeds/long", "deeds/short"]


def test_playlist_explains_what_is_out(built):
    excluded = {e["story"]: e["reason"] for e in _playlist(built, "square")["excluded"]}
    assert excluded["deeds/weekend"] == "days: only sat, sun"
    assert excluded["deeds/only-tiny"] == "screens: only tiny"
    assert "deeds/only-tiny" not in {e["story"] for e in _playlist(built, "tiny")["excluded"]}


def test_order_is_stable_from_day_to_day(tmp_path):
    site = led_site(tmp_path)
    for date in ("2021-04-20", "2021-04-21"):
        assert main(["build", "--site", str(site), "--out", str(site / "out"), "--date", date,
                     "--channel", "led"]) == 0
    one, two = (_playlist(site / "out/led", "tiny", d) for d in ("2021-04-20", "2021-04-21"))
    assert [i["story"] for i in one["parts"][0]["items"]] == [i["story"] for i in two["parts"][0]["items"]]


# -- the table: pure scheduling logic -----------------------------------------------------------

def story(**front) -> Story:
    meta = FrontMatter(title="标题", kind="deed", date=dt.date(2021, 4, 1), status="ready", **front)
    return Story(id=f"deeds/{abs(hash(tuple(sorted(map(str, front.items())))))}", path=Path("x.md"), site=Path("."),
                 meta=meta, parsed=Parsed({}, "", 1), channels=["led"])


SCREEN = Screen(name="square", width=384, height=192)
TUESDAY = dt.date(2021, 4, 20)


@pytest.mark.parametrize(("front", "day", "reason"), [
    ({}, TUESDAY, None),
    ({"days": ["tue"]}, TUESDAY, None),
    ({"days": ["周二", "周三"]}, TUESDAY, None),
    ({"days": ["sat", "sun"]}, TUESDAY, "days: only sat, sun"),
    ({"publish_after": dt.date(2021, 4, 20)}, TUESDAY, None),
    ({"publish_after": dt.date(2021, 4, 21)}, TUESDAY, "publish_after 2021-04-21"),
    ({"expire_after": dt.date(2021, 4, 20)}, TUESDAY, None),
    ({"expire_after": dt.date(2021, 4, 19)}, TUESDAY, "expired after 2021-04-19"),
    ({"publish_after": dt.datetime(2021, 4, 20, 18, 0)}, TUESDAY, None),
    ({"screens": ["square"]}, TUESDAY, None),
    ({"screens": ["tiny"]}, TUESDAY, "screens: only tiny"),
    ({"status": "draft"}, TUESDAY, "draft"),
])
def test_eligibility(front, day, reason):
    status = front.pop("status", "ready")
    item = story(**front)
    if status == "draft":
        item.meta = item.meta.model_copy(update={"status": "draft"})
    assert playlist.eligible(item, SCREEN, day, {"led"}) == reason


@pytest.mark.parametrize(("hours", "expected"), [
    (None, [(0, 1440)]),
    ("07:00-22:00", [(420, 1320)]),
    ("22:00-06:00", [(0, 360), (1320, 1440)]),
    ("00:00-24:00", [(0, 1440)]),
    ("18:30-00:00", [(1110, 1440)]),
])
def test_hours_windows(hours, expected):
    assert playlist.windows(hours) == expected


def test_day_parts_cut_at_window_edges_and_merge_equal_neighbours():
    always = playlist.Entry(story(), playlist.windows(None))
    night = playlist.Entry(story(hours="22:00-06:00"), playlist.windows("22:00-06:00"))
    parts = playlist.day_parts([always, night])
    assert [(p.start, p.end, len(p.entries)) for p in parts] == [(0, 360, 2), (360, 1320, 1), (1320, 1440, 2)]
    assert [p.name for p in parts] == ["0000", "0600", "2200"]
    assert [(p.start, p.end) for p in playlist.day_parts([always])] == [(0, 1440)]


@pytest.mark.parametrize(("urgent", "normal", "every", "expected"), [
    (0, 3, 2, "abc"),
    (1, 4, 2, "UabUcd"),
    (1, 5, 2, "UabUcdUe"),
    (2, 2, 1, "UVaUVb"),
])
def test_urgent_order(urgent, normal, every, expected):
    entries = []
    for index in range(urgent):
        entries.append(playlist.Entry(_named(f"u{index}", urgent=True), [(0, 1440)]))
    for index in range(normal):
        entries.append(playlist.Entry(_named(f"n{index}", days_ago=index), [(0, 1440)]))
    names = {"u0": "U", "u1": "V", "n0": "a", "n1": "b", "n2": "c", "n3": "d", "n4": "e"}
    assert "".join(names[e.story.id] for e in playlist.order(entries, every)) == expected


def _named(name: str, urgent: bool = False, days_ago: int = 0) -> Story:
    meta = FrontMatter(title="t", kind="deed", date=dt.date(2021, 4, 20) - dt.timedelta(days=days_ago),
                       status="ready", urgent=urgent)
    return Story(id=name, path=Path("x.md"), site=Path("."), meta=meta, parsed=Parsed({}, "", 1), channels=["led"])


def test_bad_hours_and_days_are_content_errors(tmp_path, capsys):
    site = led_site(tmp_path)
    write(site / "content/deeds/bad.md", "---\ntitle: 坏\nkind: deed\ndate: 2021-04-01\nstatus: ready\n"
          "hours: \"7点到9点\"\ndays: [someday]\n---\n")
    assert main(["check", "--site", str(site)]) == 1
    err = capsys.readouterr().err
    assert "bad.md:6:1: error: hours: Value error, hours '7点到9点'" in err.replace("Value error, ", "Value error, ") \
        or "bad.md:6:1: error: hours: hours '7点到9点'" in err
    assert "bad.md:7:1: error: days: unknown day 'someday'" in err


@pytest.mark.parametrize(("height", "antialias", "crisp"), [
    (32, None, True), (48, None, True), (63, None, True), (64, None, False), (96, None, False),
    (96, False, True), (32, True, False)])
def test_crisp_below_the_configured_height(height, antialias, crisp):
    assert Screen(name="s", width=height * 2, height=height, antialias=antialias).crisp is crisp


def test_officer_photo_where_the_screen_is_big_enough(tmp_path):
    site = led_site(tmp_path)
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + '[kinds.officer]\nchannels = ["led"]\n', encoding="utf-8")
    Image.new("RGB", (300, 400), (0, 200, 0)).save(site / "content/photo.png")
    write(site / "content/officers/hero.md", "---\ntitle: 民警风采\nkind: officer\ndate: 2021-04-19\nstatus: ready\n"
          "images: [../photo.png]\nofficer: {name: 李军}\nsummary: 扎根基层。\n---\n")
    assert main(["build", "--site", str(site), "--out", str(site / "out"), "--date", "2021-04-20",
                 "--channel", "led"]) == 0

    def officer_slide(screen: str) -> np.ndarray:
        item = next(i for i in _playlist(site / "out/led", screen)["parts"][0]["items"]
                    if i["story"] == "officers/hero")
        return np.asarray(Image.open(site / "out/led" / screen / "2021-04-20" / item["slide"]).convert("RGB"))

    green = lambda pixels: ((pixels[..., 1] > 150) & (pixels[..., 0] < 80)).sum()  # noqa: E731
    assert green(officer_slide("wall")) > 1000  # 1280x720: the photo is there
    assert green(officer_slide("square")) > 500  # 384x192 is big enough too
    assert green(officer_slide("tiny")) == 0  # 192x96: text only


def test_unknown_screen_in_a_story_is_an_error(tmp_path, capsys):
    site = led_site(tmp_path)
    write(site / "content/deeds/typo.md", "---\ntitle: 错屏\nkind: deed\ndate: 2021-04-01\nstatus: ready\n"
          "screens: [squre]\n---\n")
    assert main(["check", "--site", str(site)]) == 1
    assert "typo.md:6:11: error: unknown screen 'squre'" in capsys.readouterr().err


def test_ticker_wraps_seamlessly():
    from publisher.channels.led import ticker
    from publisher.channels.led.settings import LedSettings as LedChannel

    screen = Screen(name="strip", width=320, height=40, min_text=12)
    channel = LedChannel(type="led", ticker_speed=100, fps=25)
    run = ticker.build([("a", "反诈提醒：所有刷单都是诈骗", False), ("b", "户政大厅节假日照常办证", True)], screen,
                       channel, "zh-Hans")
    width, height = 320, 40
    frames = [np.frombuffer(f, np.uint8)[:width * height].reshape(height, width).astype(int)
              for f in run.frame_bytes(width)]
    assert len(frames) == run.frames and abs(run.duration - run.period / 100) < 2 / 25
    step = 100 / 25
    for before, after in zip(frames, frames[1:] + frames[:1], strict=True):  # the last frame leads to the first
        shifts = [d for d in range(0, int(step) + 4) if np.abs(before[:, d:] - after[:, :width - d]).max() <= 2]
        assert shifts and abs(shifts[0] - step) <= 2, shifts


def test_a_story_page_shows_its_own_stretch_of_the_strip_ticker(tmp_path):
    """#15 item 4: on one story's preview page the strip screen's thumbnail showed the loop from
    its start, another story's ticker. It must start where this story's text does."""
    site = led_site(tmp_path)
    out = tmp_path / "out"
    assert main(["preview", "--site", str(site), "--out", str(out), "--date", "2021-04-20"]) == 0
    playlist = json.loads(next((out / "led/strip").glob("*/playlist.json")).read_text(encoding="utf-8"))
    part = playlist["parts"][0]
    starts, at = {}, 0.0
    for item in part["items"]:
        starts.setdefault(item["story"], round(at, 3))
        at += item["seconds"]
    assert len({start for start in starts.values()}) > 1
    for story, start in starts.items():
        page = (out / "preview/stories" / (story.replace("/", "--") + ".html")).read_text(encoding="utf-8")
        found = re.findall(rf'src="[^"]*/strip/[^"]*/{part["name"]}#t=([\d.]+),', page)
        assert found and float(found[0]) == start, (story, found, start)
