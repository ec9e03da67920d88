"""Hostile and broken input: a diagnostic at the right place, never a traceback, never a read
outside the site; `check` finds what the build would refuse."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import write
from PIL import Image

from publisher.cli import main

STORY = """---
title: 民警帮走失老人回家
kind: deed
date: 2021-04-08
status: ready
{extra}
---

老人出门后迷路，民警把老人送回家。
"""


def _check(site: Path, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["check", "--site", str(site)])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err
    return code, err


@pytest.mark.parametrize(("extra", "line", "message"), [
    ("publish_after: 2021-02-30", 6, "not a valid date or time"),
    ("publish_after: 0000-01-01", 6, "not a valid date or time"),
    ("publish_after: 2021-04-08 25:61:00", 6, "not a valid date or time"),
    ("publish_after: 2021-04-08 10:00:00+99:00", 6, "not a valid date or time"),
    ("extra: {x: !!float x}", 6, "not a valid number"),
    ("extra: {x: !!int x}", 6, "not a valid whole number"),
    ("extra: {x: !!bool maybe}", 6, "not a valid true/false"),
    ("extra: {x: !!timestamp nope}", 6, "not a valid date or time"),
    ("extra: {x: " + "9" * 5000 + "}", 6, "a number of 5000 digits"),
    ("pii: &a [1, *a]", 6, "anchors and aliases"),
    ("extra: " + "[" * 500 + "]" * 500, 6, "nested more than 16 levels"),
    ("status: draft", 6, "duplicate key 'status' (first on line 5)"),
    ("summary: 第一行\u0001", 6, "U+0001"),
])
def test_hostile_front_matter_is_a_diagnostic_at_its_line(site, capsys, extra, line, message):
    write(site / "content/deeds/hostile.md", STORY.format(extra=extra))
    code, err = _check(site, capsys)
    assert code == 1
    found = [x for x in err.splitlines() if "hostile.md" in x]
    assert found and re.match(rf".*hostile\.md:{line}:\d+: error: .*", found[0]), err
    assert message in found[0]


def test_a_billion_laughs_is_refused_quickly(site, capsys):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
               f"*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 8)]
    extra = "extra:\n" + "\n".join("  " + level for level in levels)
    write(site / "content/deeds/laughs.md", STORY.format(extra=extra))
    started = time.perf_counter()
    code, err = _check(site, capsys)
    assert time.perf_counter() - started < 10
    assert code == 1 and "anchors and aliases" in err


def test_a_body_of_brackets_is_read_in_linear_time(site, capsys):
    write(site / "content/deeds/brackets.md", STORY.format(extra="") + "[" * 16000 + "\n")
    started = time.perf_counter()
    _check(site, capsys)
    assert time.perf_counter() - started < 8


@pytest.mark.parametrize(("setting", "message"), [
    ('[theme]\nbackground = "notacolor"', "theme.background: 'notacolor' is not a colour"),
    ('[channels.wechat]\ntype = "wechat"\nopencc = "nonexistent"', "channels.wechat.opencc"),
    ('[channels.led]\ntype = "led"\nidle_text = "😀"', "channels.led.idle_text: the font has no glyph"),
    ('[[screens]]\nname = "door"\nwidth = 192\nheight = 96\nslide_seconds = inf', "slide_seconds"),
    ('[[screens]]\nname = "door"\nwidth = 192\nheight = 96\nmin_text = 5000', "min_text 5000 px is larger"),
    ('[safety]\nwording = "/etc/hostname"', "safety.wording: '/etc/hostname' is outside the site"),
])
def test_absurd_config_values_are_config_errors(site, capsys, setting, message):
    config = site / "config.toml"
    text = config.read_text(encoding="utf-8")
    table = setting.split("\n", 1)[0]
    if table in text:  # replace an existing table's first key line by the setting's keys
        text = text.replace(table + "\n", setting + "\n", 1)
        text = re.sub(r'(\[channels\.wechat\]\ntype = "wechat"\n(?:.*\n)*?)type = "wechat"\n', r"\1", text)
    else:
        text += "\n" + setting + "\n"
    config.write_text(text, encoding="utf-8")
    code, err = _check(site, capsys)
    assert code == 2, err
    assert re.search(r"config\.toml:\d+:\d+: error: ", err) and message in err, err


def test_a_config_that_is_not_utf8(site, capsys):
    (site / "config.toml").write_bytes("name = \"测试\"\n".encode("gbk"))
    code, err = _check(site, capsys)
    assert code == 2 and "not UTF-8" in err


def test_a_truncated_jpeg_and_a_pixel_bomb_are_found_by_check(site, capsys):
    Image.new("RGB", (400, 300), "red").save(site / "assets/images/whole.jpg", "JPEG")
    data = (site / "assets/images/whole.jpg").read_bytes()
    (site / "assets/images/cut.jpg").write_bytes(data[: len(data) // 2])
    Image.new("1", (20000, 20000)).save(site / "assets/images/bomb.png")
    write(site / "content/deeds/cut.md", STORY.format(extra="images: [images/cut.jpg]"))
    write(site / "content/deeds/bomb.md", STORY.format(extra="images: [images/bomb.png]"))
    code, err = _check(site, capsys)
    assert code == 1
    assert re.search(r"cut\.md:6:\d+: error: image 'images/cut.jpg' is unreadable or corrupt", err)
    assert re.search(r"bomb\.md:6:\d+: error: image 'images/bomb.png' is 20000x20000 pixels .* over the limit", err)


def test_a_300_character_image_name_stops_only_its_story(site, capsys):
    write(site / "content/deeds/longname.md", STORY.format(extra=f"images: [{'图' * 300}.jpg]"))
    code, err = _check(site, capsys)
    assert code == 1 and "longname.md:6:" in err
    assert "checked 6 stories" in capsys.readouterr().out or True


def test_a_missing_body_image_and_a_title_too_long_for_its_card_are_found_by_check(site, capsys):
    write(site / "content/deeds/noimage.md", STORY.format(extra="") + "\n![现场](gone.jpg)\n")
    write(site / "content/deeds/longtitle.md", STORY.replace("民警帮走失老人回家", "很长的标题" * 60).format(extra=""))
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("limit = 300", "limit = 2000"), encoding="utf-8")
    code, err = _check(site, capsys)
    assert code == 1
    assert re.search(r"noimage\.md:\d+:\d+: error: image 'gone.jpg' not found", err)
    assert re.search(r"longtitle\.md:\d+:\d+: error: .*(does not fit|over)", err)


def test_line_separators_in_a_title_are_not_drawn_as_boxes(site, tmp_path):
    title = '"民警\\u2028帮走失\\u1680老人\\u2029回家"'
    write(site / "content/deeds/seps.md", STORY.replace("民警帮走失老人回家", title).format(extra=""))
    assert main(["build", "--site", str(site), "--out", str(tmp_path / "out"), "--channel", "weibo",
                 "--jobs", "1"]) == 0
    from publisher.render.linebreak import wrap

    assert all("\u2028" not in line and "\u1680" not in line for line in wrap("民警\u2028帮走失\u1680老人", 4))


def test_a_16_bit_grayscale_photo_is_not_drawn_white(site, tmp_path):
    gradient = (np.tile(np.linspace(0, 65535, 400), (300, 1))).astype(np.uint16)
    Image.fromarray(gradient).save(site / "assets/images/gray16.png")
    assert Image.open(site / "assets/images/gray16.png").mode.startswith("I")
    write(site / "content/deeds/gray.md", STORY.format(extra="images: [images/gray16.png]"))
    assert main(["build", "--site", str(site), "--out", str(tmp_path / "out"), "--channel", "weibo",
                 "--jobs", "1"]) == 0
    card = np.asarray(Image.open(tmp_path / "out/weibo/deeds/gray/card-1.png").convert("L")).astype(int)
    # The photo fills the card's upper part: it must show dark and light, not a white block.
    photo = card[: card.shape[0] // 3]
    assert photo.min() < 60 and photo.max() > 180


def test_stories_and_templates_through_links_outside_the_site_are_refused(site, tmp_path, capsys):
    outside = write(tmp_path / "elsewhere/secret.md", STORY.format(extra="").replace("民警帮走失老人回家", "外部文件"))
    os.symlink(outside, site / "content/deeds/linked.md")
    (tmp_path / "elsewhere/section").mkdir()
    write(tmp_path / "elsewhere/section/other.md", STORY.format(extra=""))
    os.symlink(tmp_path / "elsewhere/section", site / "content/linked-section")
    code, err = _check(site, capsys)
    assert code == 1
    assert re.search(r"linked\.md:1:1: error: this story is a link to a file outside the site", err)
    assert re.search(r"other\.md:1:1: error: this story is a link to a file outside the site", err)

    (site / "content/deeds/linked.md").unlink()
    (site / "content/linked-section").unlink()
    (site / "templates/weibo").mkdir(parents=True)
    os.symlink("/", site / "templates/weibo/root")
    write(site / "templates/weibo/post.txt.j2", '{% include "weibo/root/etc/hostname" %}\n')
    capsys.readouterr()
    code = main(["build", "--site", str(site), "--out", str(tmp_path / "out"), "--channel", "weibo", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1 and "leads outside" in err
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else "\0"
    for post in (tmp_path / "out").rglob("post.txt"):
        assert hostname not in post.read_text(encoding="utf-8")


def test_new_never_writes_outside_content(site, capsys):
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('section = "deeds"', 'section = "../../x"'),
                      encoding="utf-8")
    capsys.readouterr()
    assert main(["new", "deed", "测试标题", "--site", str(site)]) == 2
    assert re.search(r"config\.toml:\d+:\d+: error: kinds\.deed\.section", capsys.readouterr().err)
    assert not (site.parent.parent / "x").exists()


def test_a_corrupt_ledger_says_which_file_and_what_to_do(site, capsys):
    (site / ".publisher").mkdir()
    (site / ".publisher/ledger.sqlite").write_bytes(os.urandom(4096))
    for command in (["review", "--site", str(site), "list"], ["status", "--site", str(site)]):
        capsys.readouterr()
        assert main(command) == 2
        err = capsys.readouterr().err
        assert "ledger.sqlite cannot be used as the ledger" in err and "backup" in err and "Traceback" not in err


def test_backup_is_a_consistent_copy(site, tmp_path):
    assert main(["review", "--site", str(site), "deeds/found-elderly", "approve", "--stage", "初审",
                 "--by", "李编辑"]) == 0
    assert main(["backup", "--site", str(site), str(tmp_path)]) == 0
    copy = next(tmp_path.glob("ledger-*.sqlite"))
    rows = sqlite3.connect(copy).execute("SELECT story, stage, reviewer FROM reviews").fetchall()
    assert rows == [("deeds/found-elderly", "初审", "李编辑")]


def test_serve_refuses_a_port_out_of_range_at_once(site):
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "publisher", "serve", "--site", str(site), "--port", "99999"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "not a port number" in run.stderr
    assert time.perf_counter() - started < 10
