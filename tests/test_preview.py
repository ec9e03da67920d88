"""The preview in a real browser: Playwright driving Debian's Chromium (never a downloaded one).

Without /usr/bin/chromium the browser tests skip, except under CI, where they must run.
Screenshots of the main views are saved in test-artifacts/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, write

from publisher.cli import main

CHROMIUM = Path(os.environ.get("PUBLISHER_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = REPO / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

EXTRA_CONFIG = """
[channels.douyin]
type = "douyin"
account = "测试警方在线"
preset = "ultrafast"
title_seconds = 1
end_seconds = 1

[channels.led]
type = "led"

[[screens]]
name = "square"
title = "广场屏"
width = 384
height = 192
slide_seconds = 3

[[screens]]
name = "strip"
width = 640
height = 64
"""


def preview_site(root: Path) -> Path:
    site = root / "site"
    shutil.copytree(FIXTURES / "site", site)
    config = site / "config.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('[kinds.antifraud]\nchannels = ["weibo"]', '[kinds.antifraud]\nchannels = ["weibo", "douyin"]')
    text = text.replace('[kinds.deed]\nchannels = ["weibo", "wechat"]',
                        '[kinds.deed]\nchannels = ["weibo", "wechat", "led"]')
    config.write_text(text + EXTRA_CONFIG, encoding="utf-8")
    write(site / "content/deeds/broken.md",
          "---\ntitle: 坏稿件\nkind: deed\ndate: 2021-04-01\nauthor: 某人\n---\n\n正文\n")
    return site


@pytest.fixture(scope="module")
def previewed(tmp_path_factory) -> Path:
    site = preview_site(tmp_path_factory.mktemp("preview"))
    code = main(["preview", "--site", str(site), "--out", str(site / "out"), "--date", "2021-04-20"])
    assert code == 1  # the broken story is an error; everything else is previewed
    return site


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "poster") and value and not value.startswith(("#", "http", "data:")):
                self.links.append(value)


def test_every_local_link_of_the_preview_resolves(previewed):
    preview = previewed / "out/preview"
    pages = list(preview.rglob("*.html"))
    assert (preview / "index.html") in pages and len(pages) > 5
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        base = page.parent
        text = page.read_text(encoding="utf-8")
        if (match := re.search(r'<base href="([^"]+)"', text)):
            base = (page.parent / match.group(1)).resolve()
        for link in parser.links:
            if link == match.group(1) if match else False:
                continue
            assert (base / link.split("#")[0]).exists(), f"{page.name}: {link}"
    fonts = list((preview / "fonts").glob("*.otf"))
    assert fonts, "the preview carries its own font"


def test_dashboard_lists_the_error_with_its_place(previewed):
    html = (previewed / "out/preview/index.html").read_text(encoding="utf-8")
    assert "content/deeds/broken.md:5" in html and "unknown key &#39;author&#39;" in html


# -- in the browser ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


def _open(browser, url: str, width: int = 1280, height: int = 900):
    page = browser.new_page(viewport={"width": width, "height": height})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # Browsers cancel media downloads they no longer need (ERR_ABORTED): that is not a failure.
    page.on("requestfailed", lambda r: None if ("ERR_ABORTED" in (r.failure or "") and r.url.endswith(".mp4"))
            else problems.append(f"failed request: {r.url} {r.failure}"))
    page.goto(url)
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready")
    return page, problems


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_index_loads_cleanly_with_its_own_font(previewed, browser):
    page, problems = _open(browser, (previewed / "out/preview/index.html").as_uri())
    page.wait_for_timeout(500)
    assert problems == []
    fonts = page.evaluate("Array.from(document.fonts).map(f => f.status)")
    assert fonts and set(fonts) == {"loaded"}
    assert page.locator("#dashboard").is_visible() and page.locator("#week").is_visible()
    assert "下周发布安排" in page.inner_text("#week")
    _shot(page, "preview-index")
    phone, problems = _open(browser, (previewed / "out/preview/index.html").as_uri(), 390, 844)
    assert problems == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # fits a phone, no sideways scroll
    _shot(phone, "preview-index-phone")


def test_story_page_shows_each_channel(previewed, browser):
    page, problems = _open(browser, (previewed / "out/preview/stories/deeds--found-elderly.html").as_uri())
    page.wait_for_timeout(500)
    assert problems == []
    for selector in ("#channel-weibo", "#channel-wechat", "#led-square", "#led-strip"):
        assert page.locator(selector).count() == 1, selector
    weibo = page.inner_text("#channel-weibo")
    assert "#平安测试#" in weibo and "字数" in weibo and "/ 300" in weibo
    assert page.locator("#channel-weibo .topic").count() >= 2
    cards = sorted(p.name for p in (previewed / "out/weibo/deeds/found-elderly").glob("card-*.png"))
    assert len(cards) == 4  # the closing card with the hotlines is one of them
    shown = page.locator("#channel-weibo .cards img")
    assert sorted(shown.nth(i).get_attribute("src").rsplit("/", 1)[-1] for i in range(shown.count())) == cards
    frame = page.frame_locator("#channel-wechat iframe")
    assert "老人出门后迷路" in frame.locator("body").inner_text()
    _shot(page, "preview-story-deed")


def test_douyin_video_reports_the_planned_duration(previewed, browser):
    page, problems = _open(browser, (previewed / "out/preview/stories/antifraud--fake-police.html").as_uri())
    plan = json.loads((previewed / "out/douyin/antifraud/fake-police/plan.json").read_text(encoding="utf-8"))
    duration = page.evaluate("""() => new Promise(resolve => {
        const v = document.querySelector('#channel-douyin video');
        if (v.readyState >= 1) resolve(v.duration);
        v.addEventListener('loadedmetadata', () => resolve(v.duration));
    })""")
    assert abs(duration - plan["duration"]) < 0.15
    box = page.locator("#channel-douyin .douyin").bounding_box()
    assert abs(box["width"] / box["height"] - 9 / 16) < 0.02
    assert problems == []
    _shot(page, "preview-story-douyin")


def test_led_preview_keeps_the_screen_aspect_ratio(previewed, browser):
    page, problems = _open(browser, (previewed / "out/preview/index.html").as_uri())
    for name, (width, height) in {"square": (384, 192), "strip": (640, 64)}.items():
        screen = page.locator(f'.led-day[data-screen="{name}"]:not([hidden]) .led-screen').first
        box = screen.bounding_box()
        assert abs(box["width"] / box["height"] - width / height) < 0.05 * (width / height), (name, box)
        playing = screen.locator("video").evaluate("v => new Promise(r => { if (v.readyState >= 1) r(v.duration); "
                                                   "v.addEventListener('loadedmetadata', () => r(v.duration)); })")
        assert playing > 0
    assert problems == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_reloads_the_page_after_an_edit(tmp_path, browser):
    site = preview_site(tmp_path)
    (site / "content/deeds/broken.md").unlink()
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "publisher", "serve", "--site", str(site), "--out",
                               str(site / "out"), "--port", str(port)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}/preview/stories/deeds--found-elderly.html"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.3)
        page, problems = _open(browser, url)
        assert "民警帮走失老人回家" in page.inner_text("header")
        story = site / "content/deeds/found-elderly.md"
        delays, slowdowns = [], []
        for title in ("民警连夜帮走失老人回家", "民警冒雨帮走失老人回家", "民警再次帮走失老人回家"):
            time.sleep(0.5)  # the server idle again, as after a person's save
            before = _contention()
            text = story.read_text(encoding="utf-8")
            story.write_text(re.sub(r"title: .*", f"title: {title}", text, count=1), encoding="utf-8")
            saved = time.monotonic()
            page.wait_for_function(f"document.querySelector('header').innerText.includes('{title}')",
                                   timeout=15000)
            delays.append(time.monotonic() - saved)
            slowdowns.append(max(before, _contention()))
        delay, slowdown = sorted(delays)[1], sorted(slowdowns)[1]
        print(f"page changed {', '.join(f'{d:.2f}s' for d in delays)} after the saves (median {delay:.2f}s; "
              f"the machine ran {slowdown:.1f}x slower than idle)")
        # The aim: half a second from the save to the page showing it, on an idle machine. A shared
        # machine is slower by the measured factor (a busy loop's wall time over its CPU time).
        assert delay <= 1.0 * max(1.0, slowdown), (delays, slowdowns)  # 0.5 s on an idle machine (README)
        assert problems == []
        _shot(page, "preview-serve-after-edit")
    finally:
        server.terminate()
        server.wait(timeout=10)


def _contention() -> float:
    """How much slower than its CPU time a short busy loop runs now (1.0 on an idle machine)."""
    wall, cpu = time.perf_counter(), time.process_time()
    total = 0
    while time.process_time() - cpu < 0.05:
        total += 1
    return (time.perf_counter() - wall) / max(time.process_time() - cpu, 1e-6)


def test_states_are_shown_in_chinese():
    from publisher.channels.led import playlist
    from publisher.preview import labels

    assert labels.review("approved") == "已通过审核"
    assert labels.review("changed after approval; waiting for 初审") == "审核后已修改；待初审"
    assert labels.review("rejected by 张科长 (数字核实); waiting for 初审") == "张科长退回（数字核实）；待初审"
    assert playlist.reason_zh("days: only sat, sun") == "只在周六、周日播放"
    assert playlist.reason_zh("screens: only tiny") == "只在 tiny 屏播放"


def test_copy_body_puts_the_article_on_the_clipboard_as_rich_html(previewed, browser):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto((previewed / "out/preview/stories/officers--wang-wu.html").as_uri())
    page.wait_for_load_state("load")
    copy = page.locator("#channel-wechat .wechat-copy")
    copy.get_by_role("button", name="复制正文").click()
    page.wait_for_function("document.querySelector('#channel-wechat [role=status]').textContent.includes('已复制')")
    copied = page.evaluate("""async () => {
        const [item] = await navigator.clipboard.read();
        return {types: item.types, html: await (await item.getType('text/html')).text(),
                text: await (await item.getType('text/plain')).text()};
    }""")
    assert set(copied["types"]) >= {"text/html", "text/plain"}
    html = copied["html"]
    assert re.search(r'<img[^>]+src="data:image/jpeg;base64,', html)  # images travel with the body
    assert "王五每天走访社区。" in html and 'style="' in html and "<p" in html
    assert "<script" not in html and "class=" not in html
    assert "社区民警王五扎根基层。" in copied["text"] and "<" not in copied["text"]
    copy.get_by_role("button", name="复制标题").click()
    page.wait_for_function("document.querySelector('#channel-wechat [role=status]').textContent.includes('标题')")
    assert page.evaluate("navigator.clipboard.readText()") == "王五：社区里的贴心人"
    # the buttons speak the page's font (a button does not inherit it by itself: tofu on a bare machine)
    assert page.evaluate("getComputedStyle(document.querySelector('.wechat-copy button')).fontFamily") == \
        page.evaluate("getComputedStyle(document.body).fontFamily")
    assert problems == []
    _shot(page, "preview-story-wechat-copy")
    context.close()
