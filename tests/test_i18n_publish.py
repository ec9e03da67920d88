"""The publisher and the renderers in the team's language: status, batch, publish and resolve, the
notices and the reasons a delivery is held, and a render error (its path:line:col prefix in English)."""

from __future__ import annotations

import datetime as dt
import json

from conftest import write
from test_publisher import TZ, Clock, _publisher, publishing_site

from publisher.cli import main
from publisher.publish import queue


def _out(capsys, *args) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _robot_texts(robot) -> list[str]:
    return [r["body"]["markdown"]["content"] for r in robot.requests]


def test_status_in_chinese_shows_held_and_queued(tmp_path, servers, monkeypatch, capsys, chinese):
    robot, ftp = servers
    site = publishing_site(tmp_path, ftp.port)
    clock = Clock(dt.datetime(2021, 4, 12, 9, 5, tzinfo=TZ))
    publisher = _publisher(site, clock)
    publisher.weekly_job("weibo", "2021-W16")
    first = json.loads((site / "batches/weibo/2021-W16/batch.json").read_text(encoding="utf-8"))["posts"][0]
    assert main(["review", "--site", str(site), first["story"], "reject", "--by", "王局长", "--note", "数字有误"]) == 0
    clock.now = dt.datetime(2021, 4, 19, 10, 1, tzinfo=TZ)
    assert publisher.deliver_due() == 0

    held = queue.rows(publisher.ledger, "state = 'held'")
    assert {h.last_error for h in held} == {f"{first['story']}：未通过三审：被王局长退回（数字有误），待初审"}
    assert any("待发稿件已暂停投递" in text and "未通过三审" in text for text in _robot_texts(robot))

    monkeypatch.setenv("PUBLISHER_CLOCK_START", "2021-04-19T11:00:00+08:00")
    code, out, _err = _out(capsys, "status", "--site", site)
    assert code == 0
    assert "排队等待投递：4" in out
    assert "已暂停投递（未发出，原因见后）：2" in out and "未通过三审" in out and "数字有误" in out
    assert "投递结果待确认（需要人工核实）：0" in out and "错过的发布时段（不会补发）：0" in out
    assert "已尝试 0 次" in out  # the queued ones
    assert "下一次任务：" in out
    assert "提醒：weibo 还没有发布过内容；两周不更新的账号在政务新媒体检查中会被判为不合格" in out
    assert "Queued" not in out and "Held" not in out and "warning" not in out


def test_batch_in_chinese(tmp_path, servers, monkeypatch, capsys, chinese):
    robot, ftp = servers
    site = publishing_site(tmp_path, ftp.port)
    monkeypatch.setenv("PUBLISHER_CLOCK_START", "2021-04-12T09:05:00+08:00")
    code, out, _err = _out(capsys, "batch", "--site", site, "--week", "2021-W16")
    assert code == 0
    assert out.strip() == "weibo 2021-W16：3 条稿件"
    assert any("下周待发 3 条（2021-W16）" in text for text in _robot_texts(robot))
    ics = (site / "batches/weibo/2021-W16/batch.ics").read_text(encoding="utf-8").replace("\r\n ", "")
    assert "SUMMARY:发布（weibo）：" in ics and "文件夹：" in ics

    code, _out_text, err = _out(capsys, "batch", "--site", site, "--week", "2021-16")
    assert code == 2 and err.strip() == "错误：'2021-16' 不是 ISO 周，请写成 2026-W49 这样"
    code, _out_text, err = _out(capsys, "batch", "--site", site, "--channel", "wechat")
    assert code == 2 and err.strip() == "错误：渠道 'wechat' 在 config.toml 中没有设置发布时段（slots）"


def test_publish_in_chinese(tmp_path, servers, monkeypatch, capsys, chinese):
    robot, ftp = servers
    site = publishing_site(tmp_path, ftp.port)
    publisher = _publisher(site, Clock(dt.datetime(2021, 4, 12, 9, 5, tzinfo=TZ)))
    publisher.weekly_job("weibo", "2021-W16")
    monkeypatch.setenv("PUBLISHER_CLOCK_START", "2021-04-19T10:01:00+08:00")

    code, out, _err = _out(capsys, "publish", "--site", site, "--channel", "weibo", "--dry-run")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[-1] == "试运行：没有做任何改动"
    assert len([line for line in lines if line.startswith("将投递 weibo ")]) == 2  # to the team folder and the robot
    assert "（2021-04-19 10:00 到期）" in out  # the slot in the site's timezone, not as stored (UTC)

    code, out, _err = _out(capsys, "publish", "--site", site, "--channel", "weibo")
    assert code == 0 and out.strip() == "已投递 2 项"
    assert any("发布时间：2021-04-19 10:00　渠道：weibo" in text for text in _robot_texts(robot))


def test_resolve_in_chinese(tmp_path, servers, monkeypatch, capsys, chinese):
    robot, ftp = servers
    site = publishing_site(tmp_path, ftp.port)
    clock = Clock(dt.datetime(2021, 4, 12, 9, 5, tzinfo=TZ))
    publisher = _publisher(site, clock)
    publisher.weekly_job("weibo", "2021-W16")
    clock.now = dt.datetime(2021, 4, 19, 12, 0, tzinfo=TZ)  # two hours after the 10:00 slot
    publisher.deliver_due()
    missed = queue.rows(publisher.ledger, "state = 'missed'")
    assert len(missed) == 2
    assert all(m.last_error.startswith("发布时段 2021-04-19 10:00 ") and "超过宽限时间" in m.last_error for m in missed)
    assert any("错过发布时间" in text and f"publisher resolve {missed[0].id} --retry" in text
               for text in _robot_texts(robot))

    code, _out_text, err = _out(capsys, "resolve", "--site", site, 999, "--retry")
    assert code == 2 and err.strip() == "错误：投递 #999 不是待确认、失败或错过的投递，无需处理"
    code, out, _err = _out(capsys, "resolve", "--site", site, missed[0].id, "--retry")
    assert code == 0 and out.strip() == f"#{missed[0].id}：已重新排队投递"


def test_a_render_error_in_chinese_keeps_the_english_prefix(site, cli, chinese):
    write(site / "content/deeds/bad.md",
          "---\ntitle: 坏故事\nkind: deed\ndate: 2021-04-01\nstatus: ready\n---\n\n" + "很长的正文。" * 60 + "\n")
    run = cli("build", "--site", "site", "--out", "out", "--jobs", "1", cwd=site.parent)
    assert run.code == 1
    lines = [line for line in run.err.splitlines() if line.startswith("site/content/deeds/bad.md:1:1: error: ")]
    assert lines, run.err
    message = lines[0].removeprefix("site/content/deeds/bad.md:1:1: error: ")
    assert message.startswith("微博正文 3") and "超过渠道 'weibo' 的上限 300 字，多了" in message
    assert message.endswith("字，请删减")
