import base64
import io
import json
import os
import re
import string
from pathlib import Path

import pytest
from conftest import REPO, write
from fontTools.ttLib import TTFont
from PIL import Image

from publisher.channels import wechat

ARTIFACTS = REPO / "test-artifacts"


def _body(folder: Path) -> str:
    """The body the 公众号 editor gets, out of article.html."""
    return wechat.article_fragment((folder / "article.html").read_text(encoding="utf-8"))


def test_article_css_is_all_inline(built):
    html = _body(built / "wechat/deeds/found-elderly")
    assert "<style" not in html and "class=" not in html and "<script" not in html
    assert 'style="' in html
    assert "<html" not in html and "<head" not in html


def test_raw_html_in_markdown_is_sanitized(built):
    html = _body(built / "wechat/officers/wang-wu")
    assert "alert" not in html and "onclick" not in html
    assert "<b>加粗</b>" in html


def test_images_are_local_and_small(built):
    folder = built / "wechat/officers/wang-wu"
    images = json.loads((folder / "article.json").read_text(encoding="utf-8"))["images"]
    assert images == ["images/lead.jpg"]
    for src in images:
        path = folder / src
        assert path.is_file() and path.stat().st_size < 1024 * 1024
        assert Image.open(path).format == "JPEG"


def test_body_images_are_copied(site, cli):
    write(site / "content/deeds/with-photo.md",
          "---\ntitle: 有图\nkind: deed\ndate: 2021-04-01\nstatus: ready\nchannels: [wechat]\n---\n\n"
          "![现场](../officers/wang-wu/photo.png)\n")
    run = cli("build", "--site", site, "--out", site / "out", "--jobs", "1")
    assert run.code == 0, run.err
    folder = site / "out/wechat/deeds/with-photo"
    sources = re.findall(r'<img[^>]+src="data:image/jpeg;base64,([^"]+)"', _body(folder))
    assert [base64.b64decode(s) for s in sources] == [(folder / "images/body-1.jpg").read_bytes()]


def test_the_lead_photo_used_again_in_the_body_is_shown_once(site, cli):
    """A script's scene photo that is also the lead image appeared twice in the article."""
    write(site / "content/deeds/same-photo.md",
          "---\ntitle: 同一张图\nkind: deed\ndate: 2021-04-01\nstatus: ready\nchannels: [wechat]\n"
          "images: [../../assets/images/banner.png]\n---\n\n## 第一幕\n\n![现场](../../assets/images/banner.png)\n\n"
          "民警赶到现场。\n\n![另一张](../officers/wang-wu/photo.png)\n")
    run = cli("build", "--site", site, "--out", site / "out", "--jobs", "1")
    assert run.code == 0, run.err
    folder = site / "out/wechat/deeds/same-photo"
    sources = re.findall(r'<img[^>]+src="data:image/jpeg;base64,([^"]+)"', _body(folder))
    assert [base64.b64decode(s) for s in sources] == [(folder / name).read_bytes()
                                                      for name in ("images/lead.jpg", "images/body-1.jpg")]


def test_a_greater_than_sign_in_the_title_or_an_alt_keeps_the_images_embedded(site, cli):
    """css_inline writes ">" inside attributes as it is: the images must still be embedded."""
    from html.parser import HTMLParser

    write(site / "content/deeds/greater.md",
          "---\ntitle: 收入>支出？当心刷单陷阱\nkind: deed\ndate: 2021-04-01\nstatus: ready\nchannels: [wechat]\n"
          "images: [../../assets/images/banner.png]\n---\n\n正文第一句。\n\n"
          "![转账>1万元要核实](../officers/wang-wu/photo.png)\n")
    run = cli("build", "--site", site, "--out", site / "out", "--jobs", "1")
    assert run.code == 0, run.err
    folder = site / "out/wechat/deeds/greater"

    class Images(HTMLParser):
        def __init__(self):
            super().__init__()
            self.sources: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag == "img":
                self.sources.append(dict(attrs)["src"])

    page = Images()
    page.feed((folder / "article.html").read_text(encoding="utf-8"))
    assert len(page.sources) == 2, page.sources
    assert [base64.b64decode(s.split(",", 1)[1]) for s in page.sources if s.startswith("data:image/jpeg;base64,")] \
        == [(folder / name).read_bytes() for name in ("images/lead.jpg", "images/body-1.jpg")]


def test_external_image_is_an_error(site, cli):
    write(site / "content/deeds/external.md",
          "---\ntitle: 外链\nkind: deed\ndate: 2021-04-01\nstatus: ready\nchannels: [wechat]\n---\n\n"
          "![x](https://example.com/a.jpg)\n")
    run = cli("build", "--site", "site", "--out", "out", "--jobs", "1", cwd=site.parent)
    assert run.code == 1
    assert "site/content/deeds/external.md:9:" in run.err and "external images" in run.err


def test_cover_is_2_35_to_1(built):
    cover = Image.open(built / "wechat/deeds/found-elderly/cover.jpg")
    assert cover.size == (900, 383)


def test_article_json(built):
    data = json.loads((built / "wechat/deeds/found-elderly/article.json").read_text(encoding="utf-8"))
    html = _body(built / "wechat/deeds/found-elderly")
    assert data["title"] == "民警帮走失老人回家"
    assert data["html_chars"] == len(html) < 20000  # the body the editor gets (this story has no image)


def test_html_over_the_limit_says_by_how_much(site, cli):
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + "html_limit = 1500\n", encoding="utf-8")
    write(site / "content/deeds/long.md",
          "---\ntitle: 长文\nkind: deed\ndate: 2021-04-01\nstatus: ready\nchannels: [wechat]\n---\n\n"
          + "\n\n".join(["这是一段很长的正文。" * 5] * 40))
    run = cli("build", "--site", site, "--out", site / "out", "--jobs", "1")
    assert run.code == 1
    match = re.search(r"WeChat article HTML is (\d+) characters, over the limit of 1500 by (\d+)", run.err)
    assert match and int(match.group(1)) - 1500 == int(match.group(2))


def test_traditional_channel_is_converted(site, cli):
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + 'language = "zh-Hant"\n', encoding="utf-8")
    run = cli("build", "--site", site, "--out", site / "out", "--jobs", "1")
    assert run.code == 0, run.err
    folder = site / "out/wechat/deeds/found-elderly"
    html = (folder / "article.html").read_text(encoding="utf-8")
    assert "測試公安" in html and "测试" not in html
    assert json.loads((folder / "article.json").read_text(encoding="utf-8"))["title"] == "民警幫走失老人回家"
    post = (site / "out/weibo/deeds/found-elderly/post.txt").read_text(encoding="utf-8")
    assert "帮" in post  # the weibo channel stays Simplified


# -- article.html opened from disk, on a machine without a Chinese font ----------------------------

CHROMIUM = Path(os.environ.get("PUBLISHER_CHROMIUM", "/usr/bin/chromium"))
LATIN_ONLY_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts/truetype/dejavu</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


@pytest.fixture
def latin_only_browser(tmp_path):
    """Chromium seeing only DejaVu (no CJK font at all), whatever the machine has installed."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    config = tmp_path / "fonts.conf"
    config.write_text(LATIN_ONLY_FONTCONFIG.format(cache=tmp_path / "fc-cache"), encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"],
                                             env={**os.environ, "FONTCONFIG_FILE": str(config)})
        yield browser
        browser.close()


GLYPH_BITMAP = """([family, ch]) => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 48;
    const g = canvas.getContext('2d');
    g.font = `32px ${family}`;
    g.fillText(ch, 4, 36);
    return Array.from(g.getImageData(0, 0, 48, 48).data).join(',');
}"""


def test_article_page_shows_its_own_font_and_images_without_a_chinese_font(built, latin_only_browser):
    folder = built / "wechat/officers/wang-wu"
    page = latin_only_browser.new_page()
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url[:80]))
    page.goto((folder / "article.html").as_uri())
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready")
    assert failed == []
    assert page.evaluate("Array.from(document.fonts).map(f => [f.family, f.status])") == [["Article CJK", "loaded"]]
    text = page.inner_text("body")
    assert "王五" in text and page.evaluate(f"document.fonts.check('16px \"Article CJK\"', {text!r})")
    # Without the embedded font every hanzi is the same empty box; with it, 民 and 警 differ.
    fallback = [page.evaluate(GLYPH_BITMAP, ["sans-serif", ch]) for ch in "民警"]
    own = [page.evaluate(GLYPH_BITMAP, ['"Article CJK"', ch]) for ch in "民警"]
    assert fallback[0] == fallback[1], "the browser found a Chinese font: the test proves nothing"
    assert own[0] != own[1] and own[0] != fallback[0]
    sizes = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
    assert sizes and all(done and width > 0 for done, width in sizes)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "wechat-article-latin-only.png"), full_page=True)


def test_article_page_carries_its_images_and_a_subset_of_the_font(built):
    folder = built / "wechat/officers/wang-wu"
    page = (folder / "article.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in page and "<script" not in page
    sources = re.findall(r'<img[^>]+src="([^"]+)"', page)
    assert len(sources) == 1 and sources[0].startswith("data:image/jpeg;base64,")
    assert base64.b64decode(sources[0].split(",", 1)[1]) == (folder / "images/lead.jpg").read_bytes()
    font = re.search(r'url\("data:font/woff;base64,([^"]+)"\)', page)
    face = TTFont(io.BytesIO(base64.b64decode(font.group(1))))
    covered = {chr(c) for c in face.getBestCmap()}
    shown = set(re.sub(r"<[^>]*>", "", wechat.article_fragment(page))) - set(string.whitespace)
    assert shown <= covered
    assert len(covered) < 400  # only what the page shows, not the 65,000 glyphs of the font
    assert "wght" in [axis.axisTag for axis in face["fvar"].axes]  # bold stays real bold
