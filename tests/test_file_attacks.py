"""Regressions from attacking the file promises: links planted in the output, names that are
paths, damaged state files, and `check` saying OK where the build then failed."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from conftest import write
from PIL import Image

from publisher.cli import main

STORY = "---\ntitle: 民警帮助群众\nkind: deed\ndate: 2021-04-08\nstatus: ready\n{extra}---\n\n民警帮助群众。\n{body}\n"


def _build(site: Path, out: Path, *extra: str) -> int:
    return main(["build", "--site", str(site), "--out", str(out), "--jobs", "1", "--channel", "weibo",
                 "--channel", "wechat", *extra])


def test_a_channel_name_that_is_a_path_is_a_config_error(site, capsys):
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[channels."../content"]\ntype = "weibo"\n',
                      encoding="utf-8")
    assert main(["check", "--site", str(site)]) == 2
    assert "channels" in capsys.readouterr().err
    assert (site / "content/officers/wang-wu/index.md").is_file()


def test_links_planted_in_the_output_are_never_followed(site, tmp_path, capsys):
    out = tmp_path / "out"
    assert _build(site, out) == 0
    victim = write(tmp_path / "victim/found-elderly/important.txt", "keep")
    lock_victim = write(tmp_path / "lock-victim.txt", "keep")
    (out / "weibo/deeds").rename(tmp_path / "old-deeds")
    os.symlink(tmp_path / "victim", out / "weibo/deeds")
    (out / ".publisher.lock").unlink(missing_ok=True)
    os.symlink(lock_victim, out / ".publisher.lock")
    (site / "content/deeds/found-elderly.md").write_text(
        (site / "content/deeds/found-elderly.md").read_text(encoding="utf-8") + "\n新的一句。\n", encoding="utf-8")
    capsys.readouterr()
    main(["build", "--site", str(site), "--out", str(out), "--jobs", "1", "--channel", "weibo"])
    assert victim.read_text(encoding="utf-8") == "keep"
    assert lock_victim.read_text(encoding="utf-8") == "keep"
    assert sorted(p.name for p in (tmp_path / "victim").iterdir()) == ["found-elderly"]


def test_a_preview_folder_that_is_a_link_is_refused(site, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    write(tmp_path / "pvictim/index.html", "keep")
    os.symlink(tmp_path / "pvictim", out / "preview")
    assert main(["preview", "--site", str(site), "--out", str(out)]) == 2
    assert (tmp_path / "pvictim/index.html").read_text(encoding="utf-8") == "keep"


def test_archetypes_cannot_run_code(site, tmp_path):
    marker = tmp_path / "pwned"
    write(site / "templates/archetypes/deed.md",
          "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}\n")
    assert main(["new", "deed", "测试", "--slug", "ssti", "--site", str(site)]) == 2
    assert not marker.exists()


def test_check_finds_what_the_wechat_build_would_refuse(site, capsys):
    write(site / "content/deeds/external.md", STORY.format(extra="", body="![图](https://example.com/x.jpg)"))
    Image.new("RGB", (20, 20), "red").save(site / "content/deeds/a&b.png")
    write(site / "content/deeds/amp.md", STORY.format(extra="", body="![图](a&b.png)"))
    capsys.readouterr()
    assert main(["check", "--site", str(site)]) == 1
    err = capsys.readouterr().err
    assert "external.md" in err and "WeChat removes external images" in err
    assert "amp.md" not in err
    (site / "content/deeds/external.md").unlink()
    assert main(["build", "--site", str(site), "--out", str(site / "out"), "--jobs", "1"]) == 0


def test_a_very_wide_image_builds_for_wechat(site, tmp_path):
    Image.new("RGB", (20000, 1), "red").save(site / "assets/images/wide.png")
    write(site / "content/deeds/wide.md", STORY.format(extra="images: [images/wide.png]\n", body=""))
    assert _build(site, tmp_path / "out") == 0


def test_a_damaged_manifest_is_started_afresh(site, tmp_path):
    out = tmp_path / "out"
    assert _build(site, out) == 0
    for content in ('[1, 2]', '{"renditions": [{"story": ["x"], "channel": "weibo", "type": "weibo", "files": [], '
                    '"hash": "x"}]}', '{"renditions": [{"story": "a\\u0000b", "channel": "weibo", "type": "weibo", '
                    '"files": [], "hash": "x"}]}'):
        (out / "manifest.json").write_text(content, encoding="utf-8")
        assert _build(site, out) == 0


def test_a_ledger_damaged_inside_or_without_tables_is_a_diagnostic(site, capsys):
    assert main(["review", "--site", str(site), "deeds/found-elderly", "approve", "--stage", "初审",
                 "--by", "李编辑"]) == 0
    ledger = site / ".publisher/ledger.sqlite"
    empty = sqlite3.connect(ledger)
    empty.executescript("DROP TABLE reviews; DROP TABLE deliveries; DROP TABLE jobs;")
    empty.close()
    capsys.readouterr()
    assert main(["review", "--site", str(site), "list"]) == 0  # the tables are made again
    checkpoint = sqlite3.connect(ledger)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    data = bytearray(ledger.read_bytes())
    assert len(data) > 8192
    for offset in range(4096, len(data)):
        data[offset] ^= 0x5A
    ledger.write_bytes(bytes(data))
    capsys.readouterr()
    assert main(["review", "--site", str(site), "list"]) == 2
    err = capsys.readouterr().err
    assert "ledger" in err and "Traceback" not in err


def test_backup_never_overwrites(site, capsys):
    story = site / "content/deeds/found-elderly.md"
    before = story.read_bytes()
    main(["review", "--site", str(site), "deeds/found-elderly", "approve", "--stage", "初审", "--by", "李编辑"])
    assert main(["backup", "--site", str(site), str(story)]) == 2
    assert story.read_bytes() == before
    assert main(["backup", "--site", str(site), str(site / "nowhere/x.sqlite")]) == 2


def test_two_stories_with_one_id_are_both_reported(site, capsys):
    write(site / "content/deeds/found-elderly/index.md", STORY.format(extra="unknown_key: 1\n", body=""))
    capsys.readouterr()
    assert main(["check", "--site", str(site)]) == 1
    err = capsys.readouterr().err
    assert err.count("two stories have the id deeds/found-elderly") == 2


def test_a_huge_story_file_is_refused_quickly(site, capsys):
    write(site / "content/deeds/huge.md", STORY.format(extra="", body="民警帮助群众。" * 400_000))
    capsys.readouterr()
    assert main(["check", "--site", str(site)]) == 1
    assert "huge.md:1:1: error: the story file is" in capsys.readouterr().err


def test_outputs_are_readable_by_others(site, tmp_path):
    old = os.umask(0o022)
    try:
        assert _build(site, tmp_path / "out") == 0
    finally:
        os.umask(old)
    for name in ("weibo/deeds/found-elderly/post.txt", "manifest.json", "wechat/deeds/found-elderly/article.html"):
        assert stat.S_IMODE((tmp_path / "out" / name).stat().st_mode) == 0o644, name


def test_a_file_name_cannot_forge_a_diagnostic_line(site, capsys):
    write(site / "content/deeds/x\ny.md", STORY.format(extra="", body=""))
    capsys.readouterr()
    main(["check", "--site", str(site)])
    lines = [line for line in capsys.readouterr().err.splitlines() if line]
    assert all(": error: " in line or ": warning: " in line for line in lines)
    assert any("x\\u000ay.md" in line for line in lines)


def test_jobs_has_a_ceiling(site, capsys):
    assert main(["build", "--site", str(site), "--out", str(site / "out"), "--jobs", "300"]) == 2


def test_check_refuses_an_output_folder_the_build_would_refuse(site, capsys):
    config = site / "config.toml"
    config.write_text('output = "content/out"\n' + config.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["check", "--site", str(site)]) == 2



def test_a_diagnostic_is_always_one_line():
    from publisher.errors import Diagnostic

    shown = str(Diagnostic("a\nb.md", 2, 3, "unknown key '\u2028x'\nsecond"))
    assert "\n" not in shown and "\u2028" not in shown and shown.startswith("a\\u000ab.md:2:3: error: ")


def test_absurd_drawing_sizes_and_unusable_output_paths_are_config_errors(site, capsys):
    config = site / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('limit = 300', 'limit = 300\ncard_width = 99999999999999999999'), encoding="utf-8")
    assert main(["check", "--site", str(site)]) == 2
    config.write_text('output = "\\u0000"\n' + text, encoding="utf-8")
    capsys.readouterr()
    assert main(["check", "--site", str(site)]) == 2
    assert "Traceback" not in capsys.readouterr().err
