"""One test per bad input: the message, its path:line:col, exit 1, and the other stories still built."""

import pytest
from conftest import write
from PIL import Image

GOOD = "content/deeds/found-elderly.md"


def build(cli, site):
    return cli("build", "--site", "site", "--out", "out", "--jobs", "1", cwd=site.parent)


def assert_reported(run, site, where, message):
    assert run.code == 1, run.err
    assert "Traceback" not in run.err
    matching = [line for line in run.err.splitlines() if line.startswith(where) and message in line]
    assert matching, run.err
    # The other stories still rendered.
    assert (site.parent / "out/weibo/deeds/found-elderly/post.txt").is_file()
    assert (site.parent / "out/wechat/officers/wang-wu/article.html").is_file()


def story(site, name, front, body="正文。"):
    return write(site / "content/deeds" / name, f"---\n{front}\n---\n\n{body}\n")


BASE = "title: 坏故事\nkind: deed\ndate: 2021-04-01\nstatus: ready"


def test_malformed_yaml(site, cli):
    story(site, "bad.md", "title: [unclosed\nkind: deed")
    assert_reported(build(cli, site), site, "site/content/deeds/bad.md:", "malformed YAML front matter")


def test_unclosed_front_matter(site, cli):
    write(site / "content/deeds/bad.md", "---\ntitle: x\n\n正文")
    assert_reported(build(cli, site), site, "site/content/deeds/bad.md:1:1", "never closed")


def test_unknown_kind(site, cli):
    story(site, "bad.md", BASE.replace("kind: deed", "kind: news"))
    assert_reported(build(cli, site), site, "site/content/deeds/bad.md:3:1", "kind: Input should be")


def test_unknown_key(site, cli):
    story(site, "bad.md", BASE + "\nauthor: 张三")
    assert_reported(build(cli, site), site, "site/content/deeds/bad.md:6:1", "unknown key 'author'")


def test_missing_required_key(site, cli):
    story(site, "bad.md", "kind: deed\ndate: 2021-04-01\nstatus: ready")
    assert_reported(build(cli, site), site, "site/content/deeds/bad.md:", "missing required key 'title'")


def test_topic_with_hash(site, cli):
    story(site, "bad.md", BASE + "\ntopics: ['#反诈#']")
    assert_reported(build(cli, site), site, "site/content/deeds/bad.md:6:1", "without '#'")


def test_missing_image(site, cli):
    story(site, "bad.md", BASE + "\nimages:\n  - nowhere.jpg")
    assert_reported(build(cli, site), site, "site/content/deeds/bad.md:7:5", "image 'nowhere.jpg' not found")


def test_a_missing_image_found_elsewhere_is_suggested(site, cli):
    """#15: the file exists under another folder of the site: the error says where."""
    story(site, "bad.md", BASE + "\nimages:\n  - banner.png")
    assert_reported(build(cli, site), site, "site/content/deeds/bad.md:7:5",
                    "image 'banner.png' not found beside the story or under assets/ (did you mean images/banner.png?)")
    story(site, "bad.md", BASE + "\nimages:\n  - photo.png")
    assert_reported(build(cli, site), site, "site/content/deeds/bad.md:7:5",
                    "(did you mean ../officers/wang-wu/photo.png?)")


def test_corrupt_image(site, cli):
    write(site / "content/deeds/broken.jpg", "this is not a jpeg")
    story(site, "bad.md", BASE + "\nimages: [broken.jpg]")
    assert_reported(build(cli, site), site, "site/content/deeds/bad.md:6:10", "unreadable or corrupt")


def test_truncated_image(site, cli):
    source = site / "content/officers/wang-wu/photo.png"
    data = source.read_bytes()
    (site / "content/deeds/cut.png").write_bytes(data[: len(data) // 3])
    story(site, "bad.md", BASE + "\nimages: [cut.png]")
    assert_reported(build(cli, site), site, "site/content/deeds/bad.md:6:", "unreadable or corrupt")


def test_image_outside_the_site_is_refused(site, cli):
    Image.new("RGB", (10, 10)).save(site.parent / "secret.png")
    story(site, "bad.md", BASE + "\nimages: [../../../secret.png]")
    assert_reported(build(cli, site), site, "site/content/deeds/bad.md:6:", "outside the site; refused")


def test_image_from_assets(site, cli):
    story(site, "assets-image.md", BASE + "\nimages: [images/banner.png]")
    run = build(cli, site)
    assert run.code == 0, run.err
    assert (site.parent / "out/weibo/deeds/assets-image/card-1.png").is_file()


def test_text_over_the_channel_limit(site, cli):
    story(site, "bad.md", BASE, body="很长的正文。" * 60)
    run = build(cli, site)
    assert_reported(run, site, "site/content/deeds/bad.md:1:1",
                    "weibo post is 3")
    assert "over the channel 'weibo' limit of 300 by" in run.err


def test_missing_glyph_names_story_and_character(site, cli):
    story(site, "bad.md", BASE.replace("title: 坏故事", "title: 坏故事🚓来了"))
    run = build(cli, site)
    assert_reported(run, site, "site/content/deeds/bad.md:2:11", "no glyph for '🚓' (U+1F693)")
    assert "deeds/bad" in run.err


def test_unknown_channel_in_story(site, cli):
    story(site, "bad.md", BASE + "\nchannels: [weibo, tiktok]")
    assert_reported(build(cli, site), site, "site/content/deeds/bad.md:6:19", "unknown channel 'tiktok'")


def test_officer_without_officer_mapping(site, cli):
    story(site, "bad.md", BASE.replace("kind: deed", "kind: officer"))
    assert_reported(build(cli, site), site, "site/content/deeds/bad.md:", "needs an 'officer:' mapping")


def test_not_utf8(site, cli):
    (site / "content/deeds/bad.md").write_bytes("---\ntitle: 坏\n---\n".encode("gbk"))
    assert_reported(build(cli, site), site, "site/content/deeds/bad.md:1:1", "not UTF-8")


def test_malformed_toml_front_matter(site, cli):
    write(site / "content/deeds/bad.md", '+++\ntitle = "x"\nkind = = 3\ndate = 1\n+++\n')
    assert_reported(build(cli, site), site, "site/content/deeds/bad.md:3:", "malformed TOML front matter")


def test_wechat_title_over_limit(site, cli):
    story(site, "bad.md", BASE.replace("title: 坏故事", "title: " + "标题" * 40))
    run = build(cli, site)
    assert_reported(run, site, "site/content/deeds/bad.md:2:1", "over WeChat's limit of 64 by 16")


@pytest.mark.parametrize("command", ["check", "build"])
def test_every_error_is_reported_and_exit_is_1(site, cli, command):
    story(site, "bad1.md", BASE + "\nauthor: x")
    story(site, "bad2.md", BASE + "\nimages: [none.png]")
    run = cli(command, "--site", "site", *(["--out", "out"] if command == "build" else []), cwd=site.parent)
    assert run.code == 1
    assert "bad1.md:6:1: error:" in run.err and "bad2.md:6:10: error:" in run.err


def test_check_finds_errors_without_writing(site, cli):
    story(site, "bad.md", BASE, body="很长的正文。" * 60)
    run = cli("check", "--site", site, cwd=site.parent)
    assert run.code == 1 and "over the channel 'weibo' limit" in run.err
    assert not (site / "output").exists()
