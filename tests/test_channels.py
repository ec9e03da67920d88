"""Channels as plugins: the registry, the platform presets, the shared clip, and the layers."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from publisher.cli import main
from publisher.config import load_config
from publisher.render.video import encode as encoder

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
CLIP = ('account = "测试警方在线"\npreset = "ultrafast"\ntitle_seconds = 1.5\nend_seconds = 1.5\n'
        'cue_gap = 0.5\nmin_cue = 1.5\n')
VIDEO_PRESETS = "".join(f'\n[channels.{name}]\ntype = "video"\nplatform = "{platform}"\n{CLIP}'
                        for name, platform in (("kuaishou", "kuaishou"), ("shipinhao", "channels")))


def _video_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "video-site", site)
    config = site / "config.toml"
    text = config.read_text(encoding="utf-8").replace('channels = ["douyin"]',
                                                       'channels = ["douyin", "kuaishou", "shipinhao"]')
    config.write_text(text + VIDEO_PRESETS, encoding="utf-8")
    return site


def test_three_platforms_share_one_encode(tmp_path, monkeypatch):
    """Douyin, Kuaishou and 视频号 with the same clip settings: the clip is encoded once and each
    platform's rendition holds the same file, with its own caption rules and cover."""
    site = _video_site(tmp_path)
    runs = []
    real = encoder.encode

    def counting(*args, **kwargs):
        runs.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr("publisher.render.video.encode.encode", counting)  # imported by the channel when it encodes
    assert main(["build", "--site", str(site), "--out", str(tmp_path / "out"), "--jobs", "1"]) == 0
    assert len(runs) == 1
    out = tmp_path / "out"
    clips = [out / name / "antifraud/script/video.mp4" for name in ("douyin", "kuaishou", "shipinhao")]
    assert len({clip.stat().st_ino for clip in clips}) == 1  # one file, linked into each rendition
    from PIL import Image

    with Image.open(out / "douyin/antifraud/script/cover.jpg") as douyin, \
            Image.open(out / "shipinhao/antifraud/script/cover.jpg") as channels:
        assert douyin.size == (1080, 1440) and channels.size == (1080, 1260)
    # A second build renders nothing and encodes nothing; a changed clip setting encodes again, once.
    assert main(["build", "--site", str(site), "--out", str(out), "--jobs", "1"]) == 0
    assert len(runs) == 1
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('platform = "kuaishou"',
                                                                 'platform = "kuaishou"\ncrf = 30'), encoding="utf-8")
    assert main(["build", "--site", str(site), "--out", str(out), "--jobs", "1"]) == 0
    assert len(runs) == 2
    assert (out / "kuaishou/antifraud/script/video.mp4").stat().st_ino != clips[0].stat().st_ino
    # Nothing links the old Kuaishou clip's artifact any more; the shared store keeps one per clip in use.
    assert len([p for p in (out / ".shared").glob("*.mp4")]) == 2


def test_channels_platform_title_limit(tmp_path, capsys):
    """视频号's short title is at most 16 characters: a 20-character title fails there only."""
    site = _video_site(tmp_path)
    story = site / "content/antifraud/script.md"
    text = story.read_text(encoding="utf-8")
    title = re.search(r"^title: (.*)$", text, re.M).group(1)
    story.write_text(text.replace(f"title: {title}", "title: 二十个字的标题用来测试视频号短标题上限而已"),
                     encoding="utf-8")
    assert main(["check", "--site", str(site)]) == 1
    err = capsys.readouterr().err
    assert "over WeChat Channels's limit of 16" in err
    assert "Douyin" not in err and "Kuaishou" not in err


def test_old_config_forms_still_work(tmp_path):
    """``type = "douyin"`` and top-level ``[[screens]]`` (config.toml before channels were plugins)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "config.toml").write_text('[channels.douyin]\ntype = "douyin"\n\n[channels.led]\ntype = "led"\n\n'
                                      '[[screens]]\nname = "door"\nwidth = 192\nheight = 96\n', encoding="utf-8")
    config, _text = load_config(site)
    assert config.channels["douyin"].type == "video" and config.channels["douyin"].platform == "douyin"
    assert [s.name for s in config.channels["led"].screens] == ["door"]


def test_a_bad_screen_in_the_old_form_is_reported_where_it_is_written(tmp_path, capsys):
    site = tmp_path / "site"
    site.mkdir()
    (site / "config.toml").write_text('[channels.led]\ntype = "led"\n\n[[screens]]\nname = "door"\nwidth = 192\n'
                                      'height = 96\n\n[[screens]]\nname = "x"\nwidth = 2\nheight = 96\n',
                                      encoding="utf-8")
    assert main(["check", "--site", str(site)]) == 2
    err = capsys.readouterr().err
    assert "config.toml:11:1: error: screens.1.width" in err


def test_unknown_channel_type_lists_the_installed_plugins(tmp_path, capsys):
    site = tmp_path / "site"
    site.mkdir()
    (site / "config.toml").write_text('[channels.tv]\ntype = "television"\n', encoding="utf-8")
    assert main(["check", "--site", str(site)]) == 2
    err = capsys.readouterr().err
    assert "unknown channel type 'television' (known: led, print, video, wechat, weibo)" in err


def test_a_channel_from_another_package_registers_through_its_entry_point(tmp_path):
    """A bureau's own package adds a channel without touching publisher: an entry point in the group
    ``publisher.channels``. Here a tiny distribution on the path registers a ``sms`` channel."""
    package = tmp_path / "plugins"
    (package / "bureau_sms").mkdir(parents=True)
    (package / "bureau_sms/__init__.py").write_text('''
from typing import Literal
from publisher.config import ChannelSettings
from publisher.render.channel import Channel


class SmsSettings(ChannelSettings):
    type: Literal["sms"]
    limit: int = 70


class SmsChannel(Channel):
    type = "sms"
    label = "短信"
    Settings = SmsSettings

    def render(self, ctx):
        text = ctx.story.meta.title[: self.settings.limit]
        (ctx.folder / "sms.txt").write_text(text, encoding="utf-8")
        return ["sms.txt"]
''', encoding="utf-8")
    info = package / "bureau_sms-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: bureau-sms\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[publisher.channels]\nsms = bureau_sms:SmsChannel\n", encoding="utf-8")
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "video-site", site)
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('channels = ["douyin"]', 'channels = ["sms"]')
                      + '\n[channels.sms]\ntype = "sms"\nlimit = 4\n', encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "publisher", "build", "--site", str(site), "--out",
                          str(tmp_path / "out"), "--lang", "en"], capture_output=True, text=True,
                         env={"PYTHONPATH": f"{package}:{REPO}", "PATH": "/usr/bin:/bin"}, timeout=300)
    assert run.returncode == 0, run.stderr
    manifest = json.loads((tmp_path / "out/manifest.json").read_text(encoding="utf-8"))
    sms = [r for r in manifest["renditions"] if r["channel"] == "sms"]
    assert sms and sms[0]["type"] == "sms"
    text = (tmp_path / "out" / sms[0]["files"][0]).read_text(encoding="utf-8")
    assert len(text) == 4


def test_no_channel_is_named_outside_its_own_module():
    found = subprocess.run(["grep", "-rnE", '"(weibo|wechat|douyin|led|print)"', "publisher", "--include=*.py"],
                           capture_output=True, text=True, cwd=REPO).stdout.splitlines()
    assert [line for line in found if not line.startswith("publisher/channels/")] == []


def test_layers_contract_holds():
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint)], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def test_preview_shows_leaflet_pages_and_editions(tmp_path, capsys):
    """The print channel's own partials: a story page shows its leaflet's pages, the index its editions."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "video-site", site)
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        '[kinds.antifraud]\nchannels = ["douyin"]', '[kinds.antifraud]\nchannels = ["douyin", "print"]')
        + '\n[channels.print]\ntype = "print"\nqr = "tel:110"\n\n'
        + '[channels.print.editions]\nweek = ["antifraud/script", "antifraud/second"]\n',
        encoding="utf-8")
    (site / "content/antifraud/second.md").write_text(
        "---\ntitle: 刷单返利是诈骗\nkind: antifraud\ndate: 2021-04-02\nstatus: ready\nchannels: [print]\n"
        "summary: 先给小利，再骗大钱。\n---\n\n所有刷单都是诈骗。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["preview", "--site", str(site), "--out", str(out)]) == 0
    page = (out / "preview/stories/antifraud--script.html").read_text(encoding="utf-8")
    pages = re.findall(r'<img src="([^"]+/pages/page-\d+\.png)"', page)
    assert len(pages) == 2 and all((out / "preview/stories" / src).resolve().is_file() for src in pages)
    index = (out / "preview/index.html").read_text(encoding="utf-8")
    assert 'id="units-print"' in index and "@edition/week/edition.pdf" in index
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    edition = next(r for r in manifest["renditions"] if r["unit"] == "@edition/week")
    assert edition["story"] == "" and edition["unit_kind"] == "edition"
    assert edition["stories"] == ["antifraud/script", "antifraud/second"]
    # A typo in an edition is an error at its key; the other renditions still build.
    config.write_text(config.read_text(encoding="utf-8").replace('"antifraud/second"]', '"antifraud/secnod"]'),
                      encoding="utf-8")
    assert main(["build", "--site", str(site), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    line = config.read_text(encoding="utf-8").splitlines().index(
        'week = ["antifraud/script", "antifraud/secnod"]') + 1
    assert f"config.toml:{line}:1: error: edition 'week': no story 'antifraud/secnod'" in err


def test_a_wechat_channel_named_otherwise_gets_its_article_page(tmp_path):
    """#13: the preview keyed the article page on the channel's name: a WeChat channel named `wx`
    got an iframe to a page that was never written."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "site", site)
    config = site / "config.toml"
    text = config.read_text(encoding="utf-8").replace("[channels.wechat]", "[channels.wx]")
    config.write_text(re.sub(r'"wechat"(?=[,\]])', '"wx"', text), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["preview", "--site", str(site), "--out", str(out)]) == 0
    page = out / "preview/stories/deeds--found-elderly.html"
    frames = re.findall(r'<iframe[^>]+src="([^"]+)"', page.read_text(encoding="utf-8"))
    assert frames and all((page.parent / src).is_file() for src in frames), frames
