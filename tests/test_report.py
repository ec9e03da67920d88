"""The work report (#16): a month of the daemon on a compressed clock over the demo content, then
``publisher report --month``, checked against the ledger with SQL; ``posted``, ``history``,
``status`` and the keep-alive; the channels' counting; figures; periods; reproducibility."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import write
from PIL import Image
from reportkit import demo_site
from test_publisher import Clock, _publisher, publishing_site

from publisher.cli import main
from publisher.config import load_config
from publisher.content.frontmatter import Parsed
from publisher.content.story import FrontMatter, Story
from publisher.publish import posts, queue
from publisher.render.channel import Delivered, channels
from publisher.report import figures, period

TZ = ZoneInfo("Asia/Shanghai")
APRIL = (dt.datetime(2021, 4, 1, tzinfo=TZ), dt.datetime(2021, 5, 1, tzinfo=TZ))
SPEED = 21600  # six simulated hours a second: April in two minutes


def _approve(site: Path) -> list[str]:
    from publisher.pipeline.reader import story_files

    config = site / "config.toml"  # the demo's reviewers decide in the browser; here, as the tests' account
    config.write_text(re.sub(r'(\[\[reviewers\]\]\nname = "[^"]+"\nstages = \[[^\]]*\]\n)', r'\1os_user = "tester"\n',
                             config.read_text(encoding="utf-8")), encoding="utf-8")
    ids = [story_id for story_id, _path in story_files(site)]
    for story in ids:
        for stage, who in (("初审", "李编辑"), ("复审", "张科长"), ("终审", "王局长")):
            assert main(["review", "--site", str(site), story, "approve", "--stage", stage, "--by", who]) == 0
    return ids


def _utc(moment: dt.datetime) -> str:
    return queue.stamp(moment)


def _sections(markdown: str) -> dict[str, str]:
    parts = re.split(r"^## ", markdown, flags=re.MULTILINE)
    return {part.split("\n", 1)[0]: part.split("\n", 1)[1] for part in parts[1:]}


def test_a_month_of_the_daemon_makes_the_report(tmp_path, servers, monkeypatch, capsys):
    robot, _ftp = servers
    site = demo_site(tmp_path)
    # A second story with the same figure as 情指中心's 17 people: the report adds them up.
    write(site / "content/deeds/zhaohui-erci.md", "---\ntitle: 情指中心又助力找回走失群众5人\nkind: deed\n"
          "date: 2021-04-20\nstatus: ready\ncampaign: 我为群众办实事\nfigures:\n"
          "  - {label: 协助找回走失群众, value: 5, unit: 人}\n---\n\n情指中心协助派出所又找回走失群众5人。\n")
    (site / "broken").write_text("a file where a folder should be", encoding="utf-8")
    config = site / "config.toml"
    wechat = 'slots = ["thu 20:00"]\ndeliver = ["team-folder"'  # WeChat also goes to a target that fails
    config.write_text(config.read_text(encoding="utf-8").replace(wechat, wechat + ', "broken"')
                      + '\n[targets.broken]\ntype = "dir"\npath = "broken"\n', encoding="utf-8")
    monkeypatch.setenv("PUBLISHER_CLOCK_START", "2021-03-30T09:00:00+08:00")  # approved before the month
    _approve(site)
    monkeypatch.delenv("PUBLISHER_CLOCK_START")
    # The build the publisher will make, made first: the clock runs while it renders.
    assert main(["build", "--site", str(site), "--out", str(site / ".publisher/out"), "--date", "2021-04-01",
                 "--jobs", "1"]) == 0
    # The last Weibo post before the month, confirmed: the account is silent from then on until people
    # confirm again, so the keep-alive must speak once, six days later (10 - 4).
    monkeypatch.setenv("PUBLISHER_CLOCK_START", "2021-03-31T21:00:00+08:00")
    assert main(["posted", "--site", str(site), "deeds/huzheng-365", "--channel", "weibo", "--url",
                 "https://weibo.com/3229125510/K9xOq", "--at", "2021-03-31 20:00"]) == 0
    monkeypatch.delenv("PUBLISHER_CLOCK_START")

    env = {**os.environ, "TEST_ROBOT_URL": robot.url + "/send?key=K", "PUBLISHER_CLOCK_START":
           "2021-04-01T05:00:00+08:00", "PUBLISHER_CLOCK_SPEED": str(SPEED)}
    began = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "publisher", "run", "--site", str(site)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ledger = sqlite3.connect(site / ".publisher/ledger.sqlite", timeout=30)
    edited = None
    try:
        # Once the first week's batch is queued, edit the story of its last Weibo slot: its approval is void,
        # so at its slot it is held, not posted.
        while edited is None and time.monotonic() - began < 60:
            row = ledger.execute("SELECT key FROM deliveries WHERE channel = 'weibo' AND state = 'scheduled' "
                                 "AND kind = 'post' ORDER BY due_at DESC LIMIT 1").fetchone()
            if row and row[0].startswith("deeds/"):
                edited = row[0]
                path = site / "content" / f"{edited}.md"
                path = path if path.is_file() else site / "content" / edited / "index.md"
                path.write_text(path.read_text(encoding="utf-8") + "\n补充一句。\n", encoding="utf-8")
            time.sleep(0.1)
        assert edited, "no batch within a minute"
        month = (dt.datetime(2021, 5, 1, 6, 0, tzinfo=TZ) - dt.datetime(2021, 4, 1, 5, 0, tzinfo=TZ))
        while time.monotonic() - began < month.total_seconds() / SPEED + 1:
            time.sleep(1)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=120)
    assert process.returncode == 0, output[-3000:]
    assert "Traceback" not in output, output[-3000:]

    # People confirm the Weibo and WeChat posts that went to the team folder, all but one.
    delivered = ledger.execute("SELECT DISTINCT channel, key, due_at FROM deliveries WHERE kind = 'post' AND "
                               "state = 'delivered' AND channel IN ('weibo', 'wechat') AND target = 'team-folder' "
                               "AND due_at >= ? AND due_at < ? ORDER BY due_at", tuple(map(_utc, APRIL))).fetchall()
    assert len(delivered) >= 4, delivered
    skipped = delivered[-1]
    monkeypatch.setenv("PUBLISHER_CLOCK_START", "2021-05-02T09:00:00+08:00")
    for channel, story, slot in delivered[:-1]:
        at = queue.parse(slot).astimezone(TZ) + dt.timedelta(minutes=7)
        assert main(["posted", "--site", str(site), story, "--channel", channel, "--url",
                     f"https://example.gov.cn/{channel}/{story}", "--at", f"{at:%Y-%m-%d %H:%M}"]) == 0
    capsys.readouterr()
    assert main(["status", "--site", str(site)]) == 0
    status = capsys.readouterr().out
    assert f"{skipped[0]} {skipped[1]}" in status.split("Slot passed, post not confirmed")[1].split("\n\n")[0]

    assert main(["report", "--site", str(site), "--month", "2021-04"]) == 0
    folder = site / "reports/2021-04"
    first = {name: (folder / name).read_bytes() for name in ("report.md", "report.csv", "report.docx")}

    # -- counts equal the ledger's rows (SQL here, not the report's code) ------------------------
    rows = list(csv.reader(io.StringIO(first["report.csv"].decode("utf-8-sig"))))
    counted = {(row[1], row[2]): row[3] for row in rows if row[0] == "渠道统计"}
    weibo_posts = ledger.execute("SELECT COUNT(DISTINCT story) FROM posts WHERE channel = 'weibo' AND posted_at >= ? "
                                 "AND posted_at < ?", tuple(map(_utc, APRIL))).fetchone()[0]
    wechat_posts = ledger.execute("SELECT COUNT(DISTINCT story) FROM posts WHERE channel = 'wechat' "
                                  "AND posted_at >= ? AND posted_at < ?", tuple(map(_utc, APRIL))).fetchone()[0]
    screen_days = ledger.execute("SELECT COUNT(DISTINCT key) FROM deliveries WHERE channel = 'led' AND state = "
                                 "'delivered' AND key >= 'door/2021-04-01' AND key < 'door/2021-05-01'").fetchone()[0]
    editions = ledger.execute("SELECT COUNT(DISTINCT key || hash) FROM deliveries WHERE channel = 'print' AND state "
                              "= 'delivered' AND delivered_at >= ? AND delivered_at < ?",
                              tuple(map(_utc, APRIL))).fetchone()[0]
    # A loaded machine renders fewer days' loops (a tick may span a day); the counts must match whatever ran.
    assert weibo_posts >= 2 and screen_days >= 7 and editions >= 1, (weibo_posts, screen_days, editions)
    assert counted[("微博", "官方微博“淮南谢家集公安在线”发布信息")] == str(weibo_posts)
    assert counted.get(("微信公众号", "微信公众号“谢家集公安”推送文章"), "0") == str(wechat_posts)
    assert counted[("LED 屏", "LED 屏循环播放")] == str(screen_days)
    assert counted[("LED 屏", "LED 屏")] == "1"
    assert counted[("宣传单", "宣传单印发")] == str(editions)
    assert counted[("宣传单", "宣传单印数")] == str(5000 * editions)
    # Airtime: no story sets hours, so each delivered loop plays its stories all day long.
    assert float(counted[("LED 屏", "LED 屏累计播放")]) == pytest.approx(24 * screen_days, abs=0.2)

    markdown = first["report.md"].decode("utf-8")
    sections = _sections(markdown)
    summary = sections["一、总体情况"].strip()
    assert summary.startswith("4月以来，分局在“淮南谢家集公安在线”官方微博发布信息")
    assert f"发布信息{weibo_posts}条" in summary and "印发宣传单" in summary and "5000张" in summary

    # -- held, failed and missed are listed apart, never counted ------------------------------------
    apart = ledger.execute("SELECT COUNT(*) FROM deliveries WHERE state IN ('held', 'failed', 'missed', "
                           "'unconfirmed') AND ((kind = 'post' AND COALESCE(delivered_at, due_at) >= ? AND "
                           "COALESCE(delivered_at, due_at) < ?) OR (kind != 'post' AND json_extract(payload, '$.day') "
                           ">= '2021-04-01' AND json_extract(payload, '$.day') < '2021-05-01'))",
                           tuple(map(_utc, APRIL))).fetchone()[0]
    held = ledger.execute("SELECT json_extract(payload, '$.title') FROM deliveries WHERE state = 'held' AND "
                          "channel = 'weibo'").fetchall()
    # The broken target: retried, then failed (or, on a machine so loaded that the retries outlast the grace
    # period, missed); either way listed, never counted.
    failed = ledger.execute("SELECT COUNT(*) FROM deliveries WHERE state = 'failed' AND target = 'broken'")\
        .fetchone()[0]
    broken = ledger.execute("SELECT COUNT(*) FROM deliveries WHERE state IN ('failed', 'missed') AND "
                            "target = 'broken'").fetchone()[0]
    assert held and broken, (held, broken)
    listed = [line for line in sections["七、未发出事项（不计入以上统计）"].splitlines() if line.startswith("- ")]
    # …and the batch post nobody confirmed (待确认发布), as status lists it.
    skipped_title = json.loads(ledger.execute("SELECT payload FROM deliveries WHERE channel = ? AND key = ? AND "
                                              "kind = 'post'", skipped[:2]).fetchone()[0])["title"]
    assert len(listed) == apart + 1
    assert any(skipped_title in line and "待确认发布" in line for line in listed), listed
    # In Chinese for people: channels by their names, reasons in words, no stored error text or paths.
    for line in listed:
        assert re.match(r"- 2021-04-\d\d \d\d:\d\d (微博|微信公众号|LED 屏|宣传单)( → (team-folder|broken|usb))?：",
                        line), line
        assert not re.search(r"[A-Za-z]{4,}", line.replace("team-folder", "").replace("broken", "")), line
    assert any(held[0][0] in line and "已暂停" in line for line in listed)
    assert sum("投递失败" in line for line in listed) == failed
    posted_rows = [line for line in sections["二、各渠道发布情况"].splitlines() if "example.gov.cn" in line]
    assert len(posted_rows) == weibo_posts + wechat_posts
    assert not any(f"/{edited}" in line for line in posted_rows)

    # -- figures: the same label and unit summed; a hotline listed ----------------------------------
    data = sections["五、主要数据"]
    assert "| 协助找回走失群众 | 22人 |" in data  # 17 + 5
    assert "协助找回走失群众17人" not in data
    assert re.search(r"仅列出、不累加：.*全国反诈预警专线96110", data)
    assert "协助找回走失群众22人" in summary

    # -- the .docx opens and holds the tables, laid out as an official document ---------------------
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document(str(folder / "report.docx"))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert document.styles["Title"].element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    title = document.paragraphs[0]
    assert title.text == "谢家集公安新媒体宣传工作情况" and title.style.name == "Title"
    assert any(p.text == summary for p in document.paragraphs)
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    led = next(t for t in tables if t[0] == ["项目", "数量", "单位"] and t[1][0] == "LED 屏")
    assert ["LED 屏循环播放", str(screen_days), "屏·天"] in led
    story_table = next(t for t in tables if t[0][:3] == ["序号", "首发日期", "标题"])
    assert len(story_table) - 1 == len([line for line in sections["三、发布稿件"].splitlines()
                                        if re.match(r"\| \d+ \|", line)])
    assert ["协助找回走失群众", "22人"] in next(t for t in tables if t[0] == ["项目", "数值"])
    assert len(document.inline_shapes) == 3 and all(abs(s.width - Mm(156)) < Mm(1) for s in document.inline_shapes)
    assert document.core_properties.created == dt.datetime(2021, 4, 30, tzinfo=dt.UTC)  # the period, not now

    # -- charts: real pictures, every label drawn with the bundled font -----------------------------
    for name in ("deliveries-per-week.png", "daily-led.png", "stories-per-kind.png"):
        with Image.open(folder / "charts" / name) as image:
            assert image.width >= 600 and len(image.convert("L").getcolors(1 << 16) or []) > 8
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 3 and "data:font/otf;base64," in html and "src=\"http" not in html

    # -- keep-alive: one notice for Weibo, six days after its last confirmed post ------------------
    notices = [r["body"]["markdown"]["content"] for r in robot.requests
               if "days without an update" in r["body"]["markdown"]["content"]]
    weibo_notices = [text for text in notices if "淮南谢家集公安在线" in text]
    assert len(weibo_notices) == 1, notices
    told = queue.parse(ledger.execute("SELECT last_run FROM jobs WHERE name = 'keep-alive:weibo'").fetchone()[0])
    threshold = dt.datetime(2021, 4, 6, 20, 0, tzinfo=TZ)  # 2021-03-31 20:00 + (10 - 4) days
    # Never early; on the daemon's next tick (the exact minute is pinned on the injected clock below).
    assert threshold <= told < threshold + dt.timedelta(days=2), told.astimezone(TZ)
    assert "2021-03-31 20:00" in weibo_notices[0] and "2021-04-10" in weibo_notices[0]

    # -- reproducible: the same ledger and content give the same bytes ----------------------------
    assert main(["report", "--site", str(site), "--month", "2021-04"]) == 0
    for name, data in first.items():
        assert (folder / name).read_bytes() == data, name


# -- posted --------------------------------------------------------------------------------------

def test_posted_records_only_approved_stories_on_channels_posted_by_hand(tmp_path, servers, cli, chinese,
                                                                        monkeypatch):
    _robot, ftp = servers
    site = publishing_site(tmp_path, ftp.port, approve=False)
    monkeypatch.setenv("PUBLISHER_CLOCK_START", "2021-04-20T09:00:00+08:00")
    url = "https://weibo.com/3229125510/K9xOq"
    run = cli("posted", "--site", site, "deeds/found-elderly", "--channel", "weibo", "--url", url)
    assert run.code == 2 and "不能登记为已发布" in run.err and "待初审" in run.err, run.err
    from test_publisher import approve_all

    monkeypatch.setenv("PUBLISHER_CLOCK_START", "2021-04-19T09:00:00+08:00")  # approved the morning before
    approve_all(site, ["deeds/found-elderly"])
    monkeypatch.setenv("PUBLISHER_CLOCK_START", "2021-04-20T09:00:00+08:00")
    for args, words in (((), "led"), (("--url", "weibo.com/x"), "不是帖子的链接"),
                        (("--at", "2021-04-21 09:00"), "晚于现在"), (("--at", "昨天"), "2021-04-19 10:05"),
                        (("--story", "deeds/nope"), "找不到稿件")):
        options = dict(zip(args[::2], args[1::2], strict=True))
        channel = "led" if words == "led" else "weibo"
        run = cli("posted", "--site", site, options.get("--story", "deeds/found-elderly"), "--channel", channel,
                  "--url", options.get("--url", url), *(("--at", options["--at"]) if "--at" in options else ()))
        assert run.code == 2 and run.err.startswith("错误：") and "Traceback" not in run.err, (args, run.err)
        assert words in run.err, (words, run.err)
    run = cli("posted", "--site", site, "content/deeds/found-elderly.md", "--channel", "weibo", "--url", url,
              "--at", "2021-04-19 10:05")
    assert run.code == 0 and "2021-04-19 10:05" in run.out, run.err
    again = cli("posted", "--site", site, "deeds/found-elderly", "--channel", "weibo", "--url", url)
    assert again.code == 0 and "已登记过" in again.out
    config, _ = load_config(site)
    from publisher import ledger as ledgers

    found = posts.confirmed(ledgers.connect(site, config))
    assert [(p.channel, p.story, p.url, p.posted_at) for p in found] == [
        ("weibo", "deeds/found-elderly", url, dt.datetime(2021, 4, 19, 2, 5, tzinfo=dt.UTC))]


# -- keep-alive on the injected clock ------------------------------------------------------------

def test_keep_alive_speaks_once_per_silence_on_the_right_day(tmp_path, servers):
    robot, ftp = servers
    site = publishing_site(tmp_path, ftp.port)
    clock = Clock(dt.datetime(2021, 4, 5, 10, 0, tzinfo=TZ))
    publisher = _publisher(site, clock)
    posts.record(publisher.ledger, "weibo", "deeds/found-elderly", "x", "https://weibo.com/1/a", clock.now, "h",
                 "", clock.now)

    def told() -> list[str]:
        return [r["body"]["markdown"]["content"] for r in robot.requests
                if "without an update" in r["body"]["markdown"]["content"]]

    clock.advance(days=5, hours=23, minutes=59)
    assert publisher.keep_alive() == [] and told() == []
    clock.advance(minutes=1)  # 2021-04-11 10:00: six days (quiet_days 10 - keep_alive_days 4)
    assert publisher.keep_alive() == ["weibo"]
    assert len(told()) == 1 and "6 days without an update" in told()[0] and "2021-04-15" in told()[0]
    for _ in range(3):
        clock.advance(days=1)
        assert publisher.keep_alive() == []  # once per silence, not every tick
    posts.record(publisher.ledger, "weibo", "deeds/toml-story", "y", "https://weibo.com/1/b", clock.now, "h", "",
                 clock.now)
    clock.advance(days=5)
    assert publisher.keep_alive() == []
    clock.advance(days=1)
    assert publisher.keep_alive() == ["weibo"] and len(told()) == 2


def test_keep_alive_days_must_leave_a_day(tmp_path, cli):
    site = publishing_site(tmp_path, 2121)
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("grace_minutes = 60",
                                                                 "grace_minutes = 60\nkeep_alive_days = 10"),
                      encoding="utf-8")
    run = cli("check", "--site", site)
    assert run.code == 2 and "keep_alive_days must be smaller than quiet_days" in run.err


# -- history -------------------------------------------------------------------------------------

def test_history_lists_every_delivery_and_post_with_filters(tmp_path, servers, cli, monkeypatch):
    _robot, ftp = servers
    site = publishing_site(tmp_path, ftp.port)
    clock = Clock(dt.datetime(2021, 4, 12, 9, 5, tzinfo=TZ))
    publisher = _publisher(site, clock)
    week = publisher.weekly_job("weibo", "2021-W16")
    clock.now = dt.datetime(2021, 4, 19, 10, 1, tzinfo=TZ)
    publisher.run_due_jobs({"led"})
    publisher.deliver_due()
    first = week[0].story.id
    posts.record(publisher.ledger, "weibo", first, week[0].story.meta.title, "https://weibo.com/1/z", clock.now,
                 "h", "", clock.now)
    run = cli("history", "--site", site, "--json")
    lines = json.loads(run.out)
    sql = publisher.ledger.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0]
    assert len(lines) == sql + 1
    assert {line["state"] for line in lines} >= {"delivered", "scheduled", "posted"}
    run = cli("history", "--site", site, "--channel", "weibo", "--from", "2021-04-19", "--to", "2021-04-19", "--csv")
    table = list(csv.DictReader(io.StringIO(run.out)))
    assert {row["time"][:10] for row in table} == {"2021-04-19"} and {row["channel"] for row in table} == {"weibo"}
    assert {row["state"] for row in table} == {"delivered", "posted"}
    assert [row["url"] for row in table if row["state"] == "posted"] == ["https://weibo.com/1/z"]
    run = cli("history", "--site", site, "--story", first)
    assert run.code == 0 and all(first in line for line in run.out.splitlines()[:-1])
    officers = json.loads(cli("history", "--site", site, "--kind", "民警风采", "--json").out)
    assert officers and all("officers/wang-wu" in line["story"] for line in officers)
    assert cli("history", "--site", site, "--kind", "nonsense").code == 2
    assert cli("history", "--site", site, "--channel", "nope").code == 2


# -- the channels' counting (through the interface; the report names no channel) -----------------

def test_each_channel_names_what_it_counts(tmp_path):
    site = publishing_site(tmp_path, 2121, approve=False)
    config_file = site / "config.toml"
    config_file.write_text(config_file.read_text(encoding="utf-8") + '\n[channels.sph]\ntype = "video"\n'
                           'platform = "channels"\naccount = "谢家集警方"\n[channels.dy]\ntype = "video"\n'
                           'platform = "douyin"\naccount = "谢家集警方在线"\n', encoding="utf-8")
    config, _ = load_config(site)
    known = channels(config)
    at = dt.datetime(2021, 4, 5, tzinfo=TZ)
    items = [Delivered("a", ["a"], at), Delivered("b", ["b"], at), Delivered("a", ["a"], at)]
    assert known["dy"].report(items).tallies[0].phrase == "在抖音号“谢家集警方在线”发布短视频2条"
    assert known["sph"].report(items, {"a"}).tallies[0].phrase == "在视频号“谢家集警方”发布相关短视频1条"
    assert known["weibo"].report([]).tallies == []
    loops = [Delivered("door/2021-04-05", ["a", "b"], at, dt.date(2021, 4, 5),
                       {"screen": "door", "title": "门头屏", "airtime": {"a": 7200.0, "b": 3600.0}}),
             Delivered("door/2021-04-06", ["a"], at, dt.date(2021, 4, 6),
                       {"screen": "door", "title": "门头屏", "airtime": {"a": 86400.0}})]
    counted = known["led"].report(loops, {"b"})
    assert [(t.label, t.count) for t in counted.tallies] == [("LED 屏", 1), ("LED 屏循环播放", 1),
                                                              ("LED 屏累计播放", 1)]
    assert counted.daily == {"门头屏": {dt.date(2021, 4, 5): 1.0}}


# -- figures and periods ---------------------------------------------------------------------------

def _story(name: str, *found: dict) -> Story:
    meta = FrontMatter(title=name, kind="deed", date=dt.date(2021, 4, 1), status="ready", figures=list(found))
    return Story(id=name, path=Path("x.md"), site=Path("."), meta=meta, parsed=Parsed({}, "", 1), channels=[])


def test_figures_with_the_same_label_and_unit_are_added_up():
    hotline = {"label": "全国反诈预警专线", "value": 96110, "sum": False}
    lines = figures.aggregate([
        _story("a", {"label": "协助找回走失群众", "value": 17, "unit": "人"}, hotline),
        _story("b", {"label": "协助找回走失群众 ", "value": "5", "unit": "人"},
               {"label": "追回现金", "value": "1,050.5", "unit": "元"}),
        _story("c", {"label": "协助找回走失群众", "value": 3, "unit": "名"},
               {"label": "发放宣传单", "value": "5000余", "unit": "张"}, hotline),
    ])
    assert [(f.text, f.summed) for f in lines] == [
        ("协助找回走失群众22人", True), ("追回现金1050.5元", True), ("协助找回走失群众3名", True),
        ("全国反诈预警专线96110", False), ("发放宣传单5000余张", False)]


def test_periods_as_people_write_them():
    april = period.month("2021-04")
    assert (april.start, april.end, april.name, april.label, april.since) == (
        dt.date(2021, 4, 1), dt.date(2021, 5, 1), "2021-04", "2021年4月", "4月以来")
    assert period.month("2021年12月").end == dt.date(2022, 1, 1)
    second = period.quarter("2021Q2")
    assert (second.start, second.end, second.name, second.label) == (
        dt.date(2021, 4, 1), dt.date(2021, 7, 1), "2021Q2", "2021年第二季度")
    assert period.quarter("2021q4").end == dt.date(2022, 1, 1)
    assert period.year("2021").label == "2021年"
    assert period.span(dt.date(2021, 4, 1), dt.date(2021, 4, 15)).label == "2021年4月1日至15日"
    for bad in ("2021-13", "April", "2021Q5"):
        with pytest.raises(ValueError):
            (period.quarter if "Q" in bad else period.month)(bad)
    with pytest.raises(ValueError):
        period.span(dt.date(2021, 4, 2), dt.date(2021, 4, 1))


def test_report_needs_a_period_and_a_known_campaign(tmp_path, servers, cli, chinese):
    _robot, ftp = servers
    site = publishing_site(tmp_path, ftp.port)
    assert main(["batch", "--site", str(site), "--channel", "weibo", "--week", "2021-W16"]) == 0
    run = cli("report", "--site", site)
    assert run.code == 2 and run.err.startswith("错误：") and "--month" in run.err
    run = cli("report", "--site", site, "--month", "2021-04", "--year", "2021")
    assert run.code == 2
    run = cli("report", "--site", site, "--month", "2021-13")
    assert run.code == 2 and "2021-13" in run.err and "Traceback" not in run.err
    run = cli("report", "--site", site, "--campaign", "没有这个活动")
    assert run.code == 2 and "没有这个活动" in run.err


def test_a_chart_label_the_font_lacks_is_an_error_not_tofu(tmp_path):
    from publisher.render.channel import ChannelReport, Tally
    from publisher.report.charts import ChartError, draw
    from publisher.report.gather import ChannelPart, Report

    report = Report(period.month("2021-04"), "t", "分局", "", "s")
    report.channels.append(ChannelPart("led", "LED 屏", "", False, ChannelReport(
        [Tally("x", 1, "块")], {"门头屏\U0001F6A8": {dt.date(2021, 4, 2): 3.0}}, "播放｜小时"), []))
    with pytest.raises(ChartError, match="U\\+1F6A8"):
        draw(report, tmp_path / "charts")


def test_a_version_1_ledger_gains_the_posts_table(site):
    from publisher import ledger as ledgers

    path = site / ".publisher/ledger.sqlite"
    path.parent.mkdir(parents=True)
    connection = sqlite3.connect(path)
    connection.executescript(ledgers.SCHEMA.split("CREATE TABLE IF NOT EXISTS posts")[0] + "PRAGMA user_version = 1;")
    connection.execute("INSERT INTO jobs VALUES ('x', '2021-04-01T00:00:00+00:00')")
    connection.commit()
    connection.close()
    config, _ = load_config(site)
    opened = ledgers.connect(site, config)
    assert opened.execute("PRAGMA user_version").fetchone()[0] == 2
    assert opened.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 0
    assert [tuple(row) for row in opened.execute("SELECT name FROM jobs")] == [("x",)]


# -- what the review of #16 found -----------------------------------------------------------------

def _posted(cli, site: Path, url: str, at: str = "2021-04-19 10:05", story: str = "deeds/found-elderly"):
    return cli("posted", "--site", site, story, "--channel", "weibo", "--url", url, "--at", at)


def _approved_site(tmp_path: Path, port: int, monkeypatch) -> Path:
    """The publishing site, its stories approved on 2021-04-10 09:00 (the rehearsal's clock); the
    commands that follow run on 2021-05-02."""
    monkeypatch.setenv("PUBLISHER_CLOCK_START", "2021-04-10T09:00:00+08:00")
    site = publishing_site(tmp_path, port)
    monkeypatch.setenv("PUBLISHER_CLOCK_START", "2021-05-02T09:00:00+08:00")
    return site


def test_a_link_holding_personal_information_is_refused(tmp_path, servers, cli, chinese, monkeypatch):
    _robot, ftp = servers
    site = _approved_site(tmp_path, ftp.port, monkeypatch)
    for url, what in (("https://x.cn/p?tel=13812345678&id=340404199001011235", "手机号"),
                      ("https://x.cn/p?t=%31%33%38%31%32%33%34%35%36%37%38", "手机号"),  # percent-encoded digits
                      ("https://x.cn/p?who=%E7%8E%8B%E5%BB%BA%E5%9B%BD", "王建国"),
                      ("https://x.cn/p?mail=zhang.san%40163.com", "电子邮箱")):
        run = _posted(cli, site, url)
        assert run.code == 2 and run.err.startswith("错误：") and what in run.err, (url, run.err)
        assert "13812345678" not in run.err + run.out
    for url in ("https://www.douyin.com/video/7012345678901234562", "https://m.weibo.cn/status/4628837712345676"):
        assert _posted(cli, site, url).code == 0, url  # post ids that pass the Luhn check
    config, _ = load_config(site)
    from publisher import ledger as ledgers

    assert not any(pii in post.url for post in posts.confirmed(ledgers.connect(site, config))
                   for pii in ("138", "3404", "%E7", "%40"))


def _edit_after_posting(site: Path) -> None:
    story = site / "content/deeds/found-elderly.md"
    story.write_text(story.read_text(encoding="utf-8").replace("value: 17", "value: 1700")
                     .replace("title: 民警帮走失老人回家", "title: 未经审核的新标题"), encoding="utf-8")


def test_the_report_shows_what_was_approved_not_the_story_as_edited_since(tmp_path, servers, cli, monkeypatch):
    _robot, ftp = servers
    site = _approved_site(tmp_path, ftp.port, monkeypatch)
    assert _posted(cli, site, "https://weibo.com/1/a").code == 0
    _edit_after_posting(site)
    assert cli("report", "--site", site, "--month", "2021-04").code == 0
    folder = site / "reports/2021-04"
    text = (folder / "report.md").read_text(encoding="utf-8")
    sections = _sections(text)
    assert "民警帮走失老人回家" in sections["三、发布稿件"] and "找回走失群众 | 17人" in sections["五、主要数据"], text
    from docx import Document

    shown = [text, (folder / "report.csv").read_text(encoding="utf-8-sig"),
             (folder / "report.html").read_text(encoding="utf-8"),
             "\n".join(p.text for p in Document(str(folder / "report.docx")).paragraphs)
             + "".join(c.text for t in Document(str(folder / "report.docx")).tables for r in t.rows for c in r.cells)]
    for output in shown:
        assert "未经审核的新标题" not in output and "1700" not in output
    # Without the copy of what was approved the story is counted and named as the ledger kept it,
    # its text (figures, kind) shown nowhere.
    shutil.rmtree(site / ".publisher/approved")
    assert cli("report", "--site", site, "--month", "2021-04").code == 0
    sections = _sections((folder / "report.md").read_text(encoding="utf-8"))
    assert "内容已修改，待重新审核" in sections["三、发布稿件"] and "民警帮走失老人回家" in sections["三、发布稿件"]
    assert "| 1 | 2021年4月19日" not in sections["三、发布稿件"] and "17人" not in sections["五、主要数据"]
    assert "1700" not in sections["五、主要数据"] and "未经审核的新标题" not in "".join(sections.values())
    assert "发布信息 | 1 | 条" in sections["二、各渠道发布情况"], sections["二、各渠道发布情况"]


def test_docx_charts_stand_in_paragraphs_of_their_own_height(tmp_path, servers, cli, monkeypatch):
    """Normal is exactly 28.9 pt a line; a chart inheriting it shows as a 29 pt sliver."""
    from docx import Document
    from docx.oxml.ns import qn

    _robot, ftp = servers
    site = _approved_site(tmp_path, ftp.port, monkeypatch)
    assert _posted(cli, site, "https://weibo.com/1/a").code == 0
    assert cli("report", "--site", site, "--month", "2021-04").code == 0
    document = Document(str(site / "reports/2021-04/report.docx"))
    normal = document.styles["Normal"].element.pPr.find(qn("w:spacing"))
    assert normal is not None and normal.get(qn("w:lineRule")) == "exact"  # what the pictures must not inherit
    pictures = [p for p in document.paragraphs if p._p.xpath(".//w:drawing")]
    assert len(pictures) == len(list((site / "reports/2021-04/charts").glob("*.png"))) >= 2
    for paragraph in pictures:
        spacing = paragraph._p.pPr.find(qn("w:spacing"))
        assert spacing is not None and spacing.get(qn("w:lineRule")) == "auto", paragraph._p.xml[:400]
        assert paragraph._p.pPr.find(qn("w:jc")).get(qn("w:val")) == "center"
        indent = paragraph._p.pPr.find(qn("w:ind"))
        assert indent is not None and indent.get(qn("w:firstLine")) == "0"


def _reminders(robot) -> list[str]:
    return [str(r.get("body")) for r in robot.requests
            if any(words in str(r.get("body")) for words in ("without an update", "天未更新"))]


def test_a_keep_alive_notice_the_robot_did_not_take_is_sent_again(tmp_path, servers):
    robot, ftp = servers
    site = publishing_site(tmp_path, ftp.port)
    clock = Clock(dt.datetime(2021, 4, 5, 10, 0, tzinfo=TZ))
    publisher = _publisher(site, clock)
    posts.record(publisher.ledger, "weibo", "deeds/found-elderly", "x", "https://weibo.com/1/a", clock.now, "h", "",
                 clock.now)
    robot.status = 500  # down when the silence reaches six days
    clock.advance(days=6)
    assert publisher.keep_alive() == [] and len(_reminders(robot)) == 1
    robot.status = 200
    clock.advance(minutes=1)
    assert publisher.keep_alive() == ["weibo"] and len(_reminders(robot)) == 2
    clock.advance(minutes=1)
    assert publisher.keep_alive() == [] and len(_reminders(robot)) == 2  # told: once per silence


def test_an_account_whose_reminder_reaches_nobody_is_warned_about(tmp_path, servers, cli, chinese, monkeypatch):
    robot, ftp = servers
    site = publishing_site(tmp_path, ftp.port)
    config = site / "config.toml"
    with_notify = config.read_text(encoding="utf-8")
    config.write_text(with_notify.replace('notify = "robot"\n', ""), encoding="utf-8")
    clock = Clock(dt.datetime(2021, 4, 5, 10, 0, tzinfo=TZ))
    publisher = _publisher(site, clock)
    posts.record(publisher.ledger, "weibo", "deeds/found-elderly", "x", "https://weibo.com/1/a", clock.now, "h", "",
                 clock.now)
    clock.advance(days=6)
    assert publisher.keep_alive() == []
    for command in ("check", "status"):
        run = cli(command, "--site", site)
        assert "config.toml:" in run.err and "warning:" in run.err and "提醒" in run.err and "weibo" in run.err, \
            (command, run.err)
    config.write_text(with_notify, encoding="utf-8")  # set right: the silence not yet told is told now
    clock.advance(minutes=1)
    assert _publisher(site, clock).keep_alive() == ["weibo"] and len(_reminders(robot)) == 1
    run = cli("check", "--site", site)
    assert "weibo" not in run.err or "提醒" not in run.err, run.err


def test_years_no_report_can_name_are_errors_in_words(tmp_path, servers, cli, chinese, monkeypatch):
    _robot, ftp = servers
    site = _approved_site(tmp_path, ftp.port, monkeypatch)
    assert _posted(cli, site, "https://weibo.com/1/a").code == 0
    for args in (("report", "--from", "2021-04-01", "--to", "9999-12-31"), ("history", "--to", "9999-12-31"),
                 ("history", "--from", "0001-01-01"), ("report", "--month", "9999-12"), ("report", "--year", "0000"),
                 ("report", "--quarter", "9999Q4"), ("report", "--month", "1999-12"),
                 ("posted", "deeds/found-elderly", "--channel", "weibo", "--url", "https://weibo.com/1/b",
                  "--at", "0001-01-01")):
        run = cli(*args, "--site", site)
        assert run.code == 2 and "2000" in run.err and "2100" in run.err, (args, run.err)
        assert "out of range" not in run.err and "year " not in run.err and "Traceback" not in run.err, run.err
    assert cli("report", "--site", site, "--month", "2100-12").code == 0  # the last month that may be named


def test_a_post_is_not_recorded_before_its_final_approval(tmp_path, servers, cli, chinese, monkeypatch):
    _robot, ftp = servers
    site = _approved_site(tmp_path, ftp.port, monkeypatch)  # 终审 on 2021-04-10 09:00
    for at in ("2021-04-09 23:00", "2021-04-10 08:59", "2020-12-31"):
        run = _posted(cli, site, "https://weibo.com/1/a", at=at)
        assert run.code == 2 and "2021-04-10 09:00" in run.err and "终审" in run.err, (at, run.err)
    assert _posted(cli, site, "https://weibo.com/1/a", at="2021-04-10 09:30").code == 0
    # Edited and approved again: the new content's approval is the bound.
    monkeypatch.setenv("PUBLISHER_CLOCK_START", "2021-04-20T15:00:00+08:00")
    _edit_after_posting(site)
    from test_publisher import approve_all

    approve_all(site, ["deeds/found-elderly"])
    monkeypatch.setenv("PUBLISHER_CLOCK_START", "2021-05-02T09:00:00+08:00")
    assert _posted(cli, site, "https://weibo.com/1/b", at="2021-04-19 10:00").code == 2
    assert _posted(cli, site, "https://weibo.com/1/b", at="2021-04-20 16:00").code == 0


def test_one_damaged_ledger_row_is_left_out_with_a_warning(tmp_path, servers, cli, chinese, monkeypatch):
    _robot, ftp = servers
    site = _approved_site(tmp_path, ftp.port, monkeypatch)
    assert _posted(cli, site, "https://weibo.com/1/a", at="2021-04-19 10:05").code == 0
    assert _posted(cli, site, "https://weibo.com/1/b", at="2021-04-21 10:05", story="deeds/toml-story").code == 0
    config, _ = load_config(site)
    from publisher import ledger as ledgers

    with ledgers.connect(site, config) as ledger:
        ledger.execute("UPDATE posts SET posted_at = '2021-04-3x' WHERE url = 'https://weibo.com/1/b'")
    for args in (("history",), ("report", "--month", "2021-04"), ("status",)):  # each its own process, as people run it
        run = subprocess.run([sys.executable, "-m", "publisher", *args, "--site", str(site)], capture_output=True,
                             text=True, env={**os.environ, "PUBLISHER_LANG": "zh_Hans"}, timeout=120)
        assert run.returncode == 0 and "Traceback" not in run.stderr, (args, run.stderr[-500:])
        assert "P2" in run.stderr and "2021-04-3x" in run.stderr and "台账" in run.stderr, (args, run.stderr)
    assert "https://weibo.com/1/a" in (site / "reports/2021-04/report.md").read_text(encoding="utf-8")
    clock = Clock(dt.datetime(2021, 4, 25, 10, 6, tzinfo=TZ))  # six days after the last good post
    assert _publisher(site, clock).keep_alive() == ["weibo"]


def test_what_did_not_go_out_is_listed_in_words_with_posts_awaiting_confirmation(tmp_path, servers, cli,
                                                                                  monkeypatch):
    _robot, ftp = servers
    site = _approved_site(tmp_path, ftp.port, monkeypatch)
    clock = Clock(dt.datetime(2021, 4, 12, 9, 5, tzinfo=TZ))
    publisher = _publisher(site, clock)
    week = publisher.weekly_job("weibo", "2021-W16")
    edited = week[1].story  # edited after it was queued: held at its slot, with the gate's English reason
    edited.path.write_text(edited.path.read_text(encoding="utf-8") + "\n补充一句。\n", encoding="utf-8")
    for moment in (dt.datetime(2021, 4, 19, 10, 1, tzinfo=TZ), dt.datetime(2021, 4, 21, 12, 1, tzinfo=TZ)):
        clock.now = moment
        publisher.deliver_due()
    held = publisher.ledger.execute("SELECT last_error FROM deliveries WHERE state = 'held'").fetchall()
    assert held and re.search(r"[A-Za-z]{4,}", held[0][0])
    assert cli("report", "--site", site, "--month", "2021-04").code == 0
    folder = site / "reports/2021-04"
    part = _sections((folder / "report.md").read_text(encoding="utf-8"))["七、未发出事项（不计入以上统计）"]
    listed = [line for line in part.splitlines() if line.startswith("- ")]
    assert f"- 2021-04-19 10:00 微博：{week[0].story.meta.title}（待确认发布：" in part, part
    held_line = f"- 2021-04-21 12:00 微博 → team：{edited.meta.title}（已暂停："
    assert any(line.startswith(held_line) for line in listed), part
    for line in listed:
        assert "weibo" not in line and str(tmp_path) not in line, line
        words = line.replace("team", "").replace("robot", "").replace(edited.meta.title, "")
        assert not re.search(r"[A-Za-z]{4,}", words), line
    rows = list(csv.reader(io.StringIO((folder / "report.csv").read_text(encoding="utf-8-sig"))))
    assert [row[1] for row in rows if row[0] == "未发出"] == ["微博"] * len(listed)
    confirmed = _posted(cli, site, "https://weibo.com/1/a", at="2021-04-19 10:07", story=week[0].story.id)
    assert confirmed.code == 0, confirmed.err
    assert cli("report", "--site", site, "--month", "2021-04").code == 0
    assert "待确认发布" not in (folder / "report.md").read_text(encoding="utf-8")


def test_only_numbers_written_as_numbers_are_added_up():
    def figure(value: str) -> dict:
        return {"label": "挽回损失", "value": value, "unit": "元"}

    for odd in ("1e5000", "-3", "1,7", "1,0500", "0x10", "١٧", "NaN", "Infinity", "3.", ".5", "1 000", "+5"):
        lines = figures.aggregate([_story("a", figure("100")), _story("b", figure(odd))])
        assert [(f.text, f.summed) for f in lines] == [("挽回损失100元", True), (f"挽回损失{odd}元", False)], odd
    lines = figures.aggregate([_story("a", figure("1,050")), _story("b", figure("2,000,000.5")),
                               _story("c", figure("１７"))])  # full-width digits, typed with a Chinese IME
    assert [(f.text, f.summed) for f in lines] == [("挽回损失2001067.5元", True)]


def test_two_reports_of_one_period_take_turns(tmp_path, servers, cli, chinese, monkeypatch):
    from publisher import atomic

    _robot, ftp = servers
    site = _approved_site(tmp_path, ftp.port, monkeypatch)
    assert _posted(cli, site, "https://weibo.com/1/a").code == 0
    folder = site / "reports/2021-04"
    command = [sys.executable, "-m", "publisher", "report", "--site", str(site), "--month", "2021-04"]
    with atomic.replacement_lock(folder):  # a first run, writing
        second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        said = ""
        while "正在写入" not in said and second.poll() is None:
            said = second.stderr.readline()
        assert "正在写入" in said and str(os.getpid()) in said and not folder.exists(), said
        assert second.poll() is None, "the second run did not wait"
    _out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    assert [run.wait(timeout=180) for run in runs] == [0, 0, 0], [run.stderr.read() for run in runs]
    assert sorted(p.name for p in folder.parent.iterdir()) == [".2021-04.lock", "2021-04"]
    assert {p.name for p in folder.iterdir()} >= {"report.md", "report.csv", "report.html", "report.docx", "charts"}


def test_the_weekly_chart_legend_stands_clear_of_the_bars(tmp_path):
    import matplotlib

    matplotlib.use("Agg", force=True)
    from collections import Counter

    import matplotlib.pyplot as plt

    from publisher.report import charts
    from publisher.report.gather import Report

    report = Report(period.month("2021-04"), "标题", "分局", "", "谢家集公安",
                    weekly={"微博": Counter({"2021-W14": 3, "2021-W15": 3, "2021-W16": 2, "2021-W17": 3}),
                            "微信公众号": Counter({"2021-W14": 1, "2021-W15": 1, "2021-W16": 1, "2021-W17": 1})},
                    kinds=Counter({"为民服务": 3}))
    from matplotlib import font_manager

    from publisher.render import fonts

    font_manager.fontManager.addfont(str(fonts.font_file()))
    with matplotlib.rc_context({"font.family": charts.FAMILY["zh-Hans"]}):
        chart, figure = next(charts._figures(report, plt))
    figure.tight_layout()
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    axes = figure.axes[0]
    legend = axes.get_legend().get_window_extent(renderer)
    for bar in axes.patches:
        assert not legend.overlaps(bar.get_window_extent(renderer)), chart.name
    assert legend.y1 <= axes.get_window_extent(renderer).y0  # under the plot
    assert legend.y0 >= 0 and legend.x0 >= 0 and legend.x1 <= figure.bbox.x1  # and inside the picture
    plt.close(figure)


def test_silences_empty_periods_page_numbers_and_the_signature(tmp_path, servers, cli, monkeypatch):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    _robot, ftp = servers
    site = _approved_site(tmp_path, ftp.port, monkeypatch)
    clock = Clock(dt.datetime(2021, 4, 12, 9, 5, tzinfo=TZ))
    week = _publisher(site, clock).weekly_job("weibo", "2021-W16")  # the account's first slot: 04-19 10:00
    assert _posted(cli, site, "https://weibo.com/1/a", at="2021-04-19 10:05", story=week[0].story.id).code == 0

    def report(month: str) -> dict[str, str]:
        assert cli("report", "--site", site, "--month", month).code == 0
        return _sections((site / "reports" / month / "report.md").read_text(encoding="utf-8"))

    # Before the account was used: nothing published, said in words; no empty tables, no charts of zeros.
    january = report("2021-01")
    assert "本期无发布" in january["二、各渠道发布情况"] and "本期无发布" in january["三、发布稿件"]
    assert "本期没有在用的账号" in january["六、账号更新情况"] and "本期无发布，无图表" in january["八、图表"]
    assert "|" not in "".join(january.values())
    assert not list((site / "reports/2021-01").glob("charts/*.png"))
    assert Document(str(site / "reports/2021-01/report.docx")).tables == []
    # The silence starts when the account was first used (04-19 10:00), not on April 1st, and a run to
    # the end of the period ends on its last day.
    april = report("2021-04")["六、账号更新情况"]
    assert "| 11 天 | 2021年4月19日 至 2021年4月30日 |" in april, april
    monkeypatch.setenv("PUBLISHER_CLOCK_START", "2021-06-02T09:00:00+08:00")
    may = report("2021-05")["六、账号更新情况"]
    assert "| 0 条 | 42 天（超过两周） | 2021年4月19日 至 2021年5月31日 |" in may, may

    document = Document(str(site / "reports/2021-04/report.docx"))
    *_, unit, signed = [p for p in document.paragraphs if p.text.strip()]
    assert (unit.text, signed.text) == ("测试分局", "2021年5月1日"), (unit.text, signed.text)
    assert unit.paragraph_format.alignment == signed.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer,
                                                                       WD_ALIGN_PARAGRAPH.LEFT)):
        paragraph = footer.paragraphs[0]
        assert paragraph.text == "—  —" and paragraph.paragraph_format.alignment == align, paragraph.text
        assert [node.text.strip() for node in paragraph._p.iter(qn("w:instrText"))] == ["PAGE"]
