"""Regressions from attacking the trust promises: each test reproduces a way an unapproved,
edited or unmasked story got out (or a false alarm stopped a good one)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
from conftest import write
from test_publisher import TZ, Clock, _publisher, approve_all, publishing_site

from publisher.cli import main
from publisher.publish import queue
from publisher.safety import names, published


def test_approval_does_not_depend_on_how_site_was_written(tmp_path, servers, monkeypatch):
    _, ftp = servers
    site = publishing_site(tmp_path, ftp.port, approve=False)
    monkeypatch.chdir(site)
    for stage, who in (("初审", "李编辑"), ("复审", "张科长"), ("终审", "王局长")):
        assert main(["review", "officers/wang-wu", "approve", "--stage", stage, "--by", who]) == 0  # --site .
    publisher = _publisher(site, Clock(dt.datetime(2021, 4, 12, 9, 5, tzinfo=TZ)))  # an absolute site
    posts = publisher.weekly_job("weibo", "2021-W16")
    assert [p.story.id for p in posts] == ["officers/wang-wu"]  # it has a photo


def test_a_rendition_edited_after_rendering_is_rendered_again(site, tmp_path):
    out = tmp_path / "out"
    assert main(["build", "--site", str(site), "--out", str(out), "--channel", "weibo", "--jobs", "1"]) == 0
    post = out / "weibo/deeds/found-elderly/post.txt"
    original = post.read_text(encoding="utf-8")
    post.write_text(original + "【未经审核的内容】\n", encoding="utf-8")
    assert main(["build", "--site", str(site), "--out", str(out), "--channel", "weibo", "--jobs", "1"]) == 0
    assert post.read_text(encoding="utf-8") == original


def test_a_same_size_same_time_edit_of_a_batch_file_is_held(tmp_path, servers):
    _robot, ftp = servers
    site = publishing_site(tmp_path, ftp.port)
    clock = Clock(dt.datetime(2021, 4, 12, 9, 5, tzinfo=TZ))
    publisher = _publisher(site, clock)
    publisher.weekly_job("weibo", "2021-W16")
    data = json.loads((site / "batches/weibo/2021-W16/batch.json").read_text(encoding="utf-8"))
    post = site / "batches/weibo/2021-W16" / data["posts"][0]["folder"] / "post.txt"
    stat = post.stat()
    text = post.read_text(encoding="utf-8")
    swapped = text.replace("民", "另", 1)
    assert swapped != text and len(swapped.encode()) == len(text.encode())
    post.write_text(swapped, encoding="utf-8")
    os.utime(post, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    clock.now = dt.datetime(2021, 4, 19, 10, 1, tzinfo=TZ)
    assert publisher.deliver_due() == 0
    assert all("post.txt" in h.last_error for h in queue.rows(publisher.ledger, "state = 'held'"))


def test_writing_a_week_again_keeps_its_posts_and_their_local_times(tmp_path, servers):
    _, ftp = servers
    site = publishing_site(tmp_path, ftp.port)
    clock = Clock(dt.datetime(2021, 4, 12, 9, 5, tzinfo=TZ))
    publisher = _publisher(site, clock)
    first = publisher.weekly_job("weibo", "2021-W16")
    again = publisher.weekly_job("weibo", "2021-W16")
    assert [(p.slot, p.folder) for p in again] == [(p.slot, p.folder) for p in first]
    assert all(p.slot.utcoffset() == dt.timedelta(hours=8) for p in again)
    csv = (site / "batches/weibo/2021-W16/batch.csv").read_text(encoding="utf-8-sig")
    assert "+00:00" not in csv and "+08:00" in csv
    clock.now = dt.datetime(2021, 4, 19, 10, 1, tzinfo=TZ)
    assert publisher.deliver_due() == 2  # the Monday post, to the folder and the robot: nothing held
    assert queue.rows(publisher.ledger, "state = 'held'") == []


def test_escaped_voice_marks_never_reach_text_channels(site, tmp_path):
    write(site / "content/antifraud/escaped.md", """---
title: 接到陌生来电要警惕
kind: antifraud
date: 2021-04-08
status: ready
channels: [weibo]
---

\\[00:01.5\\]“你好，这里是某某公安局。”&#91;00:04]电话那头的人语气严厉。
""")
    assert main(["build", "--site", str(site), "--out", str(tmp_path / "out"), "--channel", "weibo",
                 "--jobs", "1"]) == 0
    text = (tmp_path / "out/weibo/antifraud/escaped/post.txt").read_text(encoding="utf-8")
    assert "00:01" not in text and "00:04" not in text and "这里是某某公安局" in text


def test_given_names_that_are_ordinary_words_or_other_peoples_names_stay(site, tmp_path):
    write(site / "content/deeds/holiday.md", """---
title: 国庆假期民警护平安
kind: deed
date: 2021-10-08
status: ready
people:
  - {name: 王国庆, role: victim}
  - {name: 刘平安, role: witness}
  - {name: 王小明, role: victim}
---

国庆假期，民警李小明帮助王国庆找回钱包，群众平安回家。小明说谢谢。
""")
    assert main(["build", "--site", str(site), "--out", str(tmp_path / "out"), "--channel", "weibo",
                 "--jobs", "1"]) == 0
    text = (tmp_path / "out/weibo/deeds/holiday/post.txt").read_text(encoding="utf-8")
    assert "国庆假期" in text and "平安回家" in text and "民警李小明" in text
    assert "王国庆" not in text and "王某说谢谢" in text


@pytest.mark.parametrize("written", [
    "١٣٨١٢٣٤٥٦٧٨", "一三八一二三四五六七八", "壹叁捌壹贰叁肆伍陆柒捌", "138，1234，5678", "138、1234、5678",
    "138|1234|5678", "008613812345678", "+86(138)12345678",
])
def test_phone_numbers_in_other_scripts_and_separators_are_found(written):
    assert [f.finding.kind for f in published.find(f"联系电话{written}。")] == ["mobile"]


@pytest.mark.parametrize(("written", "kind"), [
    ("皖D-12345", "plate"), ("皖·D12345", "plate"), ("皖D1234学", "plate"), ("zhangsan@163。com", "email"),
])
def test_plates_and_addresses_in_looser_forms_are_found(written, kind):
    assert [f.finding.kind for f in published.find(f"当事人{written}。")] == [kind]


@pytest.mark.parametrize("text", [
    "活动时间：2021.04.02-2021.05.01", "2021.04.05-2021.05.04期间", "2019，2020，2021，2022年连续获奖",
    "共救助一二三人", "第一二三四五六七期", "警号123456", "金额1,234,567.89元",
])
def test_date_ranges_and_lists_are_not_personal_information(text):
    assert published.find(text) == []


@pytest.mark.parametrize("text", ["提升群众安全感和满意度。", "征集群众金点子二十条。", "老人常说要感谢民警。",
                                  "群众高喊抓小偷。"])
def test_ordinary_words_after_person_words_are_not_names(text):
    assert names.find_undeclared(text, []) == []


def test_templates_are_sandboxed(site, tmp_path, capsys):
    write(site / "templates/weibo/post.txt.j2",
          "{{ lipsum.__globals__.keys() | list }} {{ story.__class__.__mro__ }}\n")
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("limit = 300", "limit = 20000"), encoding="utf-8")
    code = main(["build", "--site", str(site), "--out", str(tmp_path / "out"), "--channel", "weibo", "--jobs", "1"])
    assert code == 1
    for post in (tmp_path / "out").rglob("post.txt"):
        assert "__builtins__" not in post.read_text(encoding="utf-8")


def test_a_templates_folder_that_links_out_of_the_site_is_refused(site, tmp_path, capsys):
    shared = write(tmp_path / "shared/weibo/post.txt.j2", "外部模板 {{ story.title }}\n").parent.parent
    os.symlink(shared, site / "templates")
    code = main(["build", "--site", str(site), "--out", str(tmp_path / "out"), "--channel", "weibo", "--jobs", "1"])
    assert code == 1 and "leads outside" in capsys.readouterr().err
    assert not [p for p in (tmp_path / "out").rglob("post.txt") if "外部模板" in p.read_text(encoding="utf-8")]


def test_one_person_under_two_spellings_is_one_reviewer(site, capsys):
    config = site / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('{name = "甲", stages = ["初审"]', '{name = "李編輯", stages = ["复审"]'),
                      encoding="utf-8")
    assert main(["check", "--site", str(site)]) == 2
    assert re.search(r"config\.toml:\d+:\d+: error: reviewers: .*same name", capsys.readouterr().err)


def test_an_approval_counts_only_while_its_reviewer_holds_the_stage(site, capsys):
    approve_all(site, ["deeds/found-elderly"])
    config = site / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('{name = "王局长", stages = ["终审"]', '{name = "王局长", stages = ["复审"]'),
                      encoding="utf-8")
    capsys.readouterr()
    main(["review", "--site", str(site), "list"])
    assert re.search(r"deeds/found-elderly\s+ready\s+waiting for 终审", capsys.readouterr().out)


def test_a_story_deleted_after_it_went_out_can_be_withdrawn(tmp_path, servers, capsys):
    _, ftp = servers
    site = publishing_site(tmp_path, ftp.port)
    clock = Clock(dt.datetime(2021, 4, 12, 9, 5, tzinfo=TZ))
    publisher = _publisher(site, clock)
    posts = publisher.weekly_job("weibo", "2021-W16")
    clock.now = dt.datetime(2021, 4, 19, 10, 1, tzinfo=TZ)
    publisher.deliver_due()
    gone = posts[0].story
    Path(gone.path).unlink()
    capsys.readouterr()
    assert main(["review", "--site", str(site), gone.id, "withdraw", "--by", "王局长", "--note", "当事人要求"]) == 0
    assert "take down by hand" in capsys.readouterr().out
