"""A site of the demo content for the work report's tests: Weibo and WeChat posted by hand from
weekly batches, one small LED screen looped daily, leaflet editions for the print shop, a robot
that hears notices. (No short video: encoding clips for a month of days would take minutes; the
video channel's counting is tested on its own.)"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import REPO

CONFIG = """
name = "谢家集公安"
language = "zh-Hans"
timezone = "Asia/Shanghai"

[kinds.officer]
channels = ["weibo", "wechat", "led"]
section = "officers"

[kinds.deed]
channels = ["weibo", "wechat", "led"]
section = "deeds"

[kinds.antifraud]
channels = ["weibo", "led", "print"]
section = "antifraud"

[channels.weibo]
type = "weibo"
account = "淮南谢家集公安在线"
topics = ["我为群众办实事"]
schedule = "monday 09:00"
slots = ["mon 10:00", "wed 12:00", "fri 18:00"]
deliver = ["team-folder"]
notify = "robot"

[channels.wechat]
type = "wechat"
account = "谢家集公安"
schedule = "monday 09:00"
slots = ["thu 20:00"]
deliver = ["team-folder"]

[channels.print]
type = "print"
paper = "A5"
copies = 5000
schedule = "monday 09:00"
deliver = ["team-folder"]

[channels.print.editions]
autumn = ["antifraud/dianxin-zhapian", "antifraud/shuadan-fanli", "antifraud/taolu-dai"]

[channels.led]
type = "led"
schedule = "daily 05:30"

[[channels.led.screens]]
name = "door"
title = "望峰岗派出所门头屏"
width = 192
height = 96
slide_seconds = 1
deliver = "usb"

[targets.usb]
type = "dir"
path = "deliveries/usb"

[targets.team-folder]
type = "dir"
path = "deliveries/team"

[targets.robot]
type = "webhook"
kind = "wecom"
url_env = "TEST_ROBOT_URL"
timeout = 2.0

[publish]
grace_minutes = 4320
tick_seconds = {tick}

[[reviewers]]
name = "李编辑"
stages = ["初审"]

[[reviewers]]
name = "张科长"
stages = ["复审"]

[[reviewers]]
name = "王局长"
stages = ["终审"]
"""


def demo_site(root: Path, tick: float = 0.2) -> Path:
    site = root / "site"
    site.mkdir(parents=True)
    for name in ("content", "assets", "templates"):
        shutil.copytree(REPO / name, site / name)
    for name in ("terms.txt", "wording.toml"):
        shutil.copyfile(REPO / name, site / name)
    (site / "config.toml").write_text(CONFIG.replace("{tick}", str(tick)), encoding="utf-8")
    return site
