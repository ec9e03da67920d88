"""Nothing goes out that is not approved, masked and current: the gate at delivery, 撤稿, who may
review, what was approved is kept, and what templates can reach."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from pathlib import Path

from conftest import write
from PIL import Image
from test_publisher import TZ, Clock, _publisher, approve_all, publishing_site

from publisher.cli import main
from publisher.publish import queue


def _review(site: Path, story: str, *args: str) -> int:
    return main(["review", "--site", str(site), story, *args])


def _batch_then_slot(tmp_path, servers):
    robot, ftp = servers
    site = publishing_site(tmp_path, ftp.port)
    clock = Clock(dt.datetime(2021, 4, 12, 9, 5, tzinfo=TZ))
    publisher = _publisher(site, clock)
    publisher.weekly_job("weibo", "2021-W16")
    data = json.loads((site / "batches/weibo/2021-W16/batch.json").read_text(encoding="utf-8"))
    return site, clock, publisher, data["posts"][0], robot


# -- 1. the gate at the moment of delivery ------------------------------------------------------

def test_a_story_rejected_after_its_batch_is_held_at_its_slot(tmp_path, servers, capsys):
    site, clock, publisher, first, robot = _batch_then_slot(tmp_path, servers)
    assert _review(site, first["story"], "reject", "--by", "王局长", "--note", "数字有误") == 0
    clock.now = dt.datetime(2021, 4, 19, 10, 1, tzinfo=TZ)
    assert publisher.deliver_due() == 0
    assert not (site / "team/weibo").exists()
    held = queue.rows(publisher.ledger, "state = 'held'")
    assert {h.target for h in held} == {"team", "robot"}
    assert all("not approved (三审)" in h.last_error and "数字有误" in h.last_error for h in held)
    assert not any(first["title"] in r["body"]["markdown"]["content"] and "Slot: " in r["body"]["markdown"]["content"]
                   for r in robot.requests)
    assert any("held back" in r["body"]["markdown"]["content"] for r in robot.requests)
    capsys.readouterr()
    assert main(["status", "--site", str(site)]) == 0
    out = capsys.readouterr().out
    assert "Held (not sent; see the reason): 2" in out and "not approved (三审)" in out


def test_a_story_edited_after_its_batch_is_held(tmp_path, servers):
    site, clock, publisher, first, _ = _batch_then_slot(tmp_path, servers)
    story = next(site.glob(f"content/{first['story']}*"))
    path = story / "index.md" if story.is_dir() else story
    path.write_text(path.read_text(encoding="utf-8") + "\n补充一句。\n", encoding="utf-8")
    clock.now = dt.datetime(2021, 4, 19, 10, 1, tzinfo=TZ)
    assert publisher.deliver_due() == 0
    assert {h.last_error for h in queue.rows(publisher.ledger, "state = 'held'")} == {
        f"{first['story']}: the story was edited after it was queued; it must be reviewed (三审) again"}


def test_a_batch_file_changed_after_writing_is_held(tmp_path, servers):
    site, clock, publisher, first, _ = _batch_then_slot(tmp_path, servers)
    post = site / "batches/weibo/2021-W16" / first["folder"] / "post.txt"
    post.write_text("被人改过的内容\n", encoding="utf-8")
    clock.now = dt.datetime(2021, 4, 19, 10, 1, tzinfo=TZ)
    assert publisher.deliver_due() == 0
    assert all("post.txt" in h.last_error for h in queue.rows(publisher.ledger, "state = 'held'"))


def test_a_story_past_its_expiry_is_held_even_within_the_grace_period(tmp_path, servers):
    _, ftp = servers
    site = publishing_site(tmp_path, ftp.port, approve=False)
    for path in (site / "content").rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        if text.startswith("+++"):
            text = text.replace("+++\n", "+++\nexpire_after = 2021-04-19T10:30:00\n", 1)
        else:
            text = text.replace("---\n", "---\nexpire_after: 2021-04-19T10:30:00\n", 1)
        path.write_text(text, encoding="utf-8")
    approve_all(site)
    clock = Clock(dt.datetime(2021, 4, 12, 9, 5, tzinfo=TZ))
    publisher = _publisher(site, clock)
    posts = publisher.weekly_job("weibo", "2021-W16")
    assert len(posts) == 1  # only the Monday 10:00 slot is inside the stories' window
    clock.now = dt.datetime(2021, 4, 19, 10, 45, tzinfo=TZ)  # the slot was missed by 45 min: still in grace
    assert publisher.deliver_due() == 0
    reasons = {h.last_error for h in queue.rows(publisher.ledger, "state = 'held'")}
    assert reasons == {f"{posts[0].story.id}: outside the story's publishing window (expired, or not yet due)"}


# -- 撤稿 ------------------------------------------------------------------------------------

def test_withdrawal_remakes_todays_loops_without_the_story_and_lists_what_to_take_down(
        tmp_path, servers, monkeypatch, capsys):
    _, ftp = servers
    site = publishing_site(tmp_path, ftp.port)
    clock = Clock(dt.datetime(2021, 4, 12, 9, 5, tzinfo=TZ))
    publisher = _publisher(site, clock)
    publisher.weekly_job("weibo", "2021-W16")
    clock.now = dt.datetime(2021, 4, 19, 10, 1, tzinfo=TZ)
    publisher.run_due_jobs({"led"})
    assert publisher.deliver_due() >= 3  # two loops and the Monday post
    door = site / "usb-stick/door/2021-04-19/playlist.json"
    before = {i["story"] for p in json.loads(door.read_text(encoding="utf-8"))["parts"] for i in p["items"]}
    assert "deeds/found-elderly" in before
    posted = queue.rows(publisher.ledger, "kind = 'post' AND state = 'delivered'")[0].key

    monkeypatch.setenv("PUBLISHER_CLOCK_START", "2021-04-19T11:00:00+08:00")
    assert _review(site, "deeds/found-elderly", "withdraw", "--by", "张科长", "--note", "x") == 2  # 终审 only
    capsys.readouterr()
    assert _review(site, "deeds/found-elderly", "withdraw", "--by", "王局长", "--note", "当事人要求撤下") == 0
    after = {i["story"] for p in json.loads(door.read_text(encoding="utf-8"))["parts"] for i in p["items"]}
    assert "deeds/found-elderly" not in after and after  # delivered again at once, without it
    square = ftp.root / "screens/square/2021-04-19/playlist.json"
    assert _plays(square.read_text(encoding="utf-8"), "deeds/found-elderly") is False
    out = capsys.readouterr().out
    if posted == "deeds/found-elderly":
        assert "take down by hand" in out
    # Queued posts of the story are held, and it is never delivered again until approved afresh.
    later = queue.rows(publisher.ledger, "key = 'deeds/found-elderly' AND state = 'scheduled'")
    assert later == []
    clock.now = dt.datetime(2021, 4, 23, 18, 1, tzinfo=TZ)
    publisher.deliver_due()
    assert not list((site / "team").rglob("*found-elderly*/post.txt")) or posted == "deeds/found-elderly"
    capsys.readouterr()
    main(["status", "--site", str(site)])
    status = capsys.readouterr().out
    if posted == "deeds/found-elderly":
        assert "To take down by hand" in status and "当事人要求撤下" in status


# -- who may review -------------------------------------------------------------------------

def test_one_person_cannot_pass_all_three_stages(site, capsys):
    story = "deeds/found-elderly"
    assert _review(site, story, "approve", "--stage", "初审", "--by", "李编辑") == 0
    assert _review(site, story, "approve", "--stage", "复审", "--by", "李编辑") == 2
    assert "may approve 初审, not 复审" in capsys.readouterr().err


def test_the_same_person_cannot_approve_two_stages_even_when_listed_for_both(site, capsys):
    config = site / "config.toml"
    text = config.read_text(encoding="utf-8").replace('{name = "李编辑", stages = ["初审"]',
                                                       '{name = "李编辑", stages = ["初审", "复审"]')
    config.write_text(text, encoding="utf-8")
    story = "deeds/found-elderly"
    assert _review(site, story, "approve", "--stage", "初审", "--by", "李编辑") == 0
    capsys.readouterr()
    assert _review(site, story, "approve", "--stage", "复审", "--by", "李编辑") == 2
    assert "different reviewer" in capsys.readouterr().err


def test_an_unlisted_name_cannot_approve(site, capsys):
    assert _review(site, "deeds/found-elderly", "approve", "--stage", "初审", "--by", "路人") == 2
    assert "not a reviewer in config.toml" in capsys.readouterr().err


def test_the_audit_log_records_the_operating_system_account(site, capsys):
    _review(site, "deeds/found-elderly", "approve", "--stage", "初审", "--by", "李编辑")
    capsys.readouterr()
    main(["review", "--site", str(site), "log", "--csv"])
    assert ",李编辑,tester," in capsys.readouterr().out  # the account conftest runs the tests as


def test_empty_stages_is_a_config_error(site, capsys):
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[safety]\nstages = []\n", encoding="utf-8")
    assert main(["check", "--site", str(site)]) == 2
    err = capsys.readouterr().err
    assert re.search(r"config\.toml:\d+:\d+: error: safety\.stages", err)


def test_what_was_approved_is_kept(site):
    story = "officers/wang-wu"
    approve_all(site, [story])
    kept = list((site / ".publisher/approved").glob("*.json"))
    assert len(kept) == 1
    record = json.loads(kept[0].read_text(encoding="utf-8"))
    assert set(record["files"]) == {"content/officers/wang-wu/index.md", "content/officers/wang-wu/photo.png"}
    for name, sha in record["files"].items():
        copy = site / ".publisher/approved/objects" / sha[:2] / sha
        assert copy.read_bytes() == (site / name).read_bytes()


def test_an_old_ledger_is_migrated_and_keeps_its_rows(site):
    old = site / ".publisher/ledger.sqlite"
    old.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(old)
    connection.executescript("""
        CREATE TABLE reviews (id INTEGER PRIMARY KEY, story TEXT NOT NULL, stage TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject')), reviewer TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '', content_hash TEXT NOT NULL, at TEXT NOT NULL);
        CREATE INDEX reviews_story ON reviews (story, id);
        CREATE TABLE deliveries (id INTEGER PRIMARY KEY, channel TEXT NOT NULL, target TEXT NOT NULL,
            key TEXT NOT NULL, hash TEXT NOT NULL, kind TEXT NOT NULL, due_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'claimed', 'delivered',
            'failed', 'unconfirmed', 'missed')), attempts INTEGER NOT NULL DEFAULT 0, next_try_at TEXT,
            claimed_at TEXT, delivered_at TEXT, last_error TEXT NOT NULL DEFAULT '', payload TEXT NOT NULL,
            UNIQUE (channel, target, key, hash));
        CREATE TABLE jobs (name TEXT PRIMARY KEY, last_run TEXT NOT NULL);
        INSERT INTO reviews (story, stage, decision, reviewer, content_hash, at)
            VALUES ('deeds/found-elderly', '初审', 'approve', '李编辑', 'abc', '2021-04-01T09:00:00+08:00');
        INSERT INTO deliveries (channel, target, key, hash, kind, due_at, payload)
            VALUES ('weibo', 'team', 'deeds/x', 'h', 'post', '2021-04-19T02:00:00+00:00', '{}');
    """)
    connection.commit()
    connection.close()
    assert _review(site, "deeds/found-elderly", "withdraw", "--by", "王局长", "--note", "测试") == 0
    connection = sqlite3.connect(old)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 2
    assert connection.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 0  # version 2's table, made too
    assert [r[0] for r in connection.execute("SELECT decision FROM reviews ORDER BY id")] == ["approve", "withdraw"]
    connection.execute("UPDATE deliveries SET state = 'held'")  # the new state is accepted
    assert connection.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0] == 1


# -- 3. templates get only masked values ---------------------------------------------------------

WALKER = """{%- macro walk(value, depth) -%}
{%- if depth < 8 -%}
{%- if value is mapping -%}{% for k, v in value.items() %}{{ k }}={{ walk(v, depth + 1) }};{% endfor %}
{%- elif value is string or value is number or value is none or value is boolean -%}{{ value }}
{%- elif value is iterable -%}{% for v in value %}{{ walk(v, depth + 1) }},{% endfor %}
{%- elif value.__dict__ is defined -%}{{ walk(value.__dict__, depth + 1) }}
{%- else -%}{{ value }}{%- endif -%}
{%- endif -%}
{%- endmacro -%}
{{ walk(story, 0) }}
{{ walk(site, 0) }}
{{ walk(channel, 0) }}
{{ walk(quotes, 0) }} {{ walk(topics, 0) }} {{ account }} {{ story_id }} {{ channel_name }}
{{ body_html }} {{ body_text }}
"""


def test_a_hostile_template_cannot_print_raw_names_or_numbers(site, tmp_path):
    write(site / "templates/weibo/post.txt.j2", WALKER)
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("limit = 300", "limit = 20000"), encoding="utf-8")
    write(site / "content/deeds/planted.md", """---
title: 民警帮助群众找回钱包
kind: deed
date: 2021-04-08
summary: 失主王小明的钱包找回了。
status: ready
people:
  - {name: 王小明, role: victim}
pii:
  - {value: "13912345678"}
---

失主王小明留下电话13912345678，民警当天联系他领回钱包。
""")
    assert main(["build", "--site", str(site), "--out", str(tmp_path / "out"), "--channel", "weibo",
                 "--jobs", "1"]) == 0
    text = (tmp_path / "out/weibo/deeds/planted/post.txt").read_text(encoding="utf-8")
    assert "王某" in text and "139****5678" in text
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file() and path.suffix in (".txt", ".json", ".html"):
            content = path.read_text(encoding="utf-8")
            assert "王小明" not in content and "13912345678" not in content, path


# -- 5. voice-over marks stay in the video channel ----------------------------------------------

def test_voice_over_marks_never_reach_text_channels(site, tmp_path):
    write(site / "content/antifraud/marks.md", """---
title: 接到陌生来电要警惕
kind: antifraud
date: 2021-04-08
status: ready
channels: [weibo, wechat]
---

## 一通陌生来电

[00:01.5]“你好，这里是某某公安局。”[00:04]电话那头的人语气严厉。
""")
    assert main(["build", "--site", str(site), "--out", str(tmp_path / "out"), "--jobs", "1"]) == 0
    for name in ("weibo/antifraud/marks/post.txt", "wechat/antifraud/marks/article.html"):
        text = (tmp_path / "out" / name).read_text(encoding="utf-8")
        assert "这里是某某公安局" in text and "00:01" not in text and "[00:04]" not in text, name


# -- photos carry no hidden data ----------------------------------------------------------------

def test_no_output_image_carries_exif_or_gps(site, tmp_path):
    photo = Image.new("RGB", (1600, 1200), (90, 120, 160))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (32.0, 37.0, 12.0), "E", (116.0, 51.0, 3.0)
    photo.save(site / "content/officers/wang-wu/photo.png", exif=exif.tobytes())
    jpeg = site / "assets/images/gps.jpg"
    photo.save(jpeg, "JPEG", exif=exif.tobytes())
    assert Image.open(jpeg).getexif().get_ifd(0x8825)  # the planted GPS is really there
    write(site / "content/deeds/with-photo.md", """---
title: 民警街头巡逻
kind: deed
date: 2021-04-08
status: ready
images: [images/gps.jpg]
---

民警在街头巡逻。

![巡逻现场](images/gps.jpg)
""")
    assert main(["build", "--site", str(site), "--out", str(tmp_path / "out"), "--jobs", "1"]) == 0
    images = [p for p in (tmp_path / "out").rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png")]
    assert len(images) >= 4
    for path in images:
        with Image.open(path) as image:
            assert not image.getexif(), path
            assert not {"exif", "xmp", "XML:com.adobe.xmp"} & set(image.info), path
            assert b"PhoneMaker" not in path.read_bytes(), path



# -- 9. people named but not declared -------------------------------------------------------------

def test_a_story_naming_undeclared_people_warns_at_their_place(site, capsys):
    write(site / "content/deeds/draft-names.md", """---
title: 社区民警帮老人找到儿子
kind: deed
date: 2021-04-08
---

八十岁的刘桂兰老人在菜市场走失，民警李军带着她找到了儿子张建国。
""")
    assert main(["check", "--site", str(site)]) == 0  # a warning, not an error
    err = capsys.readouterr().err
    assert re.search(r"draft-names\.md:7:5: warning: \"刘桂兰\" may be a person's name: declare under people:", err)
    assert re.search(r"draft-names\.md:7:29: warning: \"张建国\"", err)
    assert "李军" not in err


def _plays(playlist: str, story: str) -> bool:
    """Whether a loop's playlist.json plays ``story`` (it may still list it as left out, with why)."""
    data = json.loads(playlist)
    return any(item.get("story") == story for part in data["parts"] for item in part["items"])
