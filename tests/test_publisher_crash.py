"""Kill the daemon with SIGKILL at random points during deliveries, 20 times, then check that no
file was delivered twice, nothing due was lost, and the ledger agrees with what arrived."""

from __future__ import annotations

import datetime as dt
import random
import signal
import sqlite3
import time
from collections import Counter

from conftest import write
from servers import Ftp, Webhook
from test_publisher import MONDAY, _daemon, approve_all, publishing_site

KILLS = 20
SLOTS = [f"mon {6 + i // 2:02d}:{30 * (i % 2):02d}" for i in range(12)]  # 06:00 … 11:30
SPEED = 3600.0  # an hour a second


def test_sigkill_during_deliveries_loses_nothing_and_sends_nothing_twice(tmp_path):
    robot = Webhook(delay=0.3)
    ftp = Ftp(tmp_path / "ftp-root")
    try:
        _run(tmp_path, robot, ftp)
    finally:
        robot.close()
        ftp.close()


def _run(tmp_path, robot: Webhook, ftp: Ftp) -> None:
    site = publishing_site(tmp_path, ftp.port, approve=False)
    config = site / "config.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('slots = ["mon 10:00", "wed 12:00", "fri 18:00"]', f"slots = {SLOTS!r}".replace("'", '"'))
    text = text.replace('notify = "robot"\n', "").replace('kind = "wecom"', 'kind = "json"')
    text = text.replace("grace_minutes = 60", "grace_minutes = 6000\ntick_seconds = 0.1")
    config.write_text(text, encoding="utf-8")
    extra = []
    for number in range(10):
        write(site / f"content/deeds/extra-{number}.md",
              f"---\ntitle: 第{number}件好事\nkind: deed\ndate: 2021-04-{number + 1:02d}\nstatus: ready\n"
              f"channels: [weibo]\n---\n\n民警为群众办实事。\n")
        extra.append(f"deeds/extra-{number}")
    approve_all(site, ["deeds/found-elderly", "deeds/toml-story", *extra])
    env = {"TEST_ROBOT_URL": robot.url + "/hook", "TEST_FTP_PASSWORD": "secret"}

    simulated = 0.0  # seconds of publisher time already lived through, so each restart goes on from there
    # First start: renders, and the first deliveries begin; kill once a delivery is under way.
    rng = random.Random(20211)
    for attempt in range(KILLS):
        process = _daemon(site, MONDAY + dt.timedelta(seconds=simulated), SPEED, env)
        started = time.monotonic()
        if attempt == 0:
            _wait(lambda: robot.requests, 60)
        time.sleep(rng.uniform(0.2, 1.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        simulated += (time.monotonic() - started) * SPEED * 0.5  # restarts re-live a little time: fine
    process = _daemon(site, MONDAY + dt.timedelta(seconds=simulated), SPEED, env)
    ledger = site / ".publisher/ledger.sqlite"
    final_start = time.monotonic()
    _wait(lambda: _settled(ledger) and time.monotonic() - final_start > 4, 120)  # and its handlers are set
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output[-2000:]

    rows = _rows(ledger)
    print("states:", Counter(r["state"] for r in rows), "attempts:", Counter(r["attempts"] for r in rows),
          "robot requests:", len(robot.requests))
    posts = [r for r in rows if r["kind"] == "post"]
    loops = [r for r in rows if r["kind"] == "loop"]
    # Nothing due was lost: every slot's post to both targets and both screens' loops, all settled.
    assert len(posts) == 2 * len(SLOTS) and len(loops) == 2
    assert {r["state"] for r in rows} <= {"delivered", "unconfirmed"}
    # Folder and FTP targets are idempotent: whatever was interrupted was redone, so all arrived.
    for row in rows:
        if row["target"] in ("team", "usb", "ftp"):
            assert row["state"] == "delivered", dict(row)
    # No file was delivered twice: each file was put in place on the FTP server once.
    files = {path: count for path, count in ftp.placed.items() if not path.endswith(".publisher-delivered.json")}
    assert files and max(files.values()) == 1, ftp.placed.most_common(3)
    # The robot got each post at most once, and the ledger agrees with what arrived.
    received = Counter(r["body"]["delivery"] for r in robot.requests if r["body"].get("delivery"))
    assert max(received.values()) == 1, received.most_common(3)
    robot_rows = {r["id"]: r["state"] for r in rows if r["target"] == "robot"}
    for delivery_id, state in robot_rows.items():
        if state == "delivered":
            assert received[delivery_id] == 1
    assert set(received) <= set(robot_rows)
    for delivery_id in received:
        assert robot_rows[delivery_id] in ("delivered", "unconfirmed")
    team = sorted(p for p in (site / "team/weibo/2021-W16").iterdir())
    assert len(team) == len(SLOTS)
    assert not [p for p in (site / "team").rglob(".tmp-*")]


def _wait(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def _rows(path) -> list[sqlite3.Row]:
    connection = sqlite3.connect(path, timeout=30)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute("SELECT * FROM deliveries ORDER BY id").fetchall()
    finally:
        connection.close()


def _settled(path) -> bool:
    if not path.exists():
        return False
    try:
        rows = _rows(path)
    except sqlite3.Error:
        return False
    posts = [r for r in rows if r["kind"] == "post"]
    return len(posts) == 2 * len(SLOTS) and all(r["state"] in ("delivered", "unconfirmed") for r in rows)
