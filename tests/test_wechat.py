import json
import re

from conftest import write
from PIL import Image


def test_article_css_is_all_inline(built):
    html = (built / "wechat/deeds/found-elderly/article.html").read_text(encoding="utf-8")
    assert "<style" not in html and "class=" not in html and "<script" not in html
    assert 'style="' in html
    assert "<html" not in html and "<head" not in html


def test_raw_html_in_markdown_is_sanitized(built):
    html = (built / "wechat/officers/wang-wu/article.html").read_text(encoding="utf-8")
    assert "alert" not in html and "onclick" not in html
    assert "<b>加粗</b>" in html


def test_images_are_referenced_locally_and_small(built):
    folder = built / "wechat/officers/wang-wu"
    html = (folder / "article.html").read_text(encoding="utf-8")
    sources = re.findall(r'<img[^>]+src="([^"]+)"', html)
    assert sources == ["images/lead.jpg"]
    for src in sources:
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
    html = (folder / "article.html").read_text(encoding="utf-8")
    assert 'src="images/body-1.jpg"' in html and (folder / "images/body-1.jpg").is_file()


def test_the_lead_photo_used_again_in_the_body_is_shown_once(site, cli):
    """A script's scene photo that is also the lead image appeared twice in the article."""
    write(site / "content/deeds/same-photo.md",
          "---\ntitle: 同一张图\nkind: deed\ndate: 2021-04-01\nstatus: ready\nchannels: [wechat]\n"
          "images: [../../assets/images/banner.png]\n---\n\n## 第一幕\n\n![现场](../../assets/images/banner.png)\n\n"
          "民警赶到现场。\n\n![另一张](../officers/wang-wu/photo.png)\n")
    run = cli("build", "--site", site, "--out", site / "out", "--jobs", "1")
    assert run.code == 0, run.err
    folder = site / "out/wechat/deeds/same-photo"
    sources = re.findall(r'<img[^>]+src="([^"]+)"', (folder / "article.html").read_text(encoding="utf-8"))
    assert sources == ["images/lead.jpg", "images/body-1.jpg"]
    assert all((folder / src).is_file() for src in sources)


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
    html = (built / "wechat/deeds/found-elderly/article.html").read_text(encoding="utf-8")
    assert data["title"] == "民警帮走失老人回家"
    assert data["html_chars"] == len(html) < 20000


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
