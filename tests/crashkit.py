"""SIGKILL the publisher during deliveries and count what went wrong: shared by
tests/test_publisher_crash.py (a short run in CI) and benchmarks/bench_crash.py (hundreds of kills).

One scenario: a site whose weekly batch has ``slots`` Weibo posts (each to a folder, an FTP server and
a webhook robot) and two LED loops (one to a folder, one to FTP). The daemon runs on a compressed
clock; it is killed ``kills`` times, mostly while a delivery is under way (the test waits for a claim
in the ledger, then kills a random moment later), sometimes at a random moment after it starts.
Every target is slow on purpose (a robot that answers in 0.2 s, an FTP server that waits before each
command, a folder target that waits around each file it places), so a kill lands inside a delivery.
Right after each kill, before any restart recovers, the ledger says whether a delivery was under
way (a ``claimed`` row): that is a mid-delivery kill. A last run delivers what is left, then:

* duplicates: a file put in place twice (FTP renames, folder placements), a robot message received
  twice for one delivery, a post folder that should not be there;
* lost: a delivery missing from the ledger or not settled, a folder or FTP delivery whose files are
  not all there with the rendered content, a robot delivery marked delivered that never arrived.

Run as a script, this module is the daemon with the folder target slowed and its placements logged.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MARKER = ".publisher-delivered.json"
SPEED = 600.0  # ten minutes a second: the slots (from 06:00, five minutes apart) come due over the kills, and
# a scenario of a few minutes stays on Monday (Tuesday 05:30 would add that day's loops: also checked)
ROBOT_DELAY = 0.2  # seconds the robot takes to answer
FTP_DELAY = 0.01  # seconds the FTP server waits before each command
FOLDER_DELAY = 0.05  # seconds the folder target waits before and after placing each file
POST_TARGETS = ("team", "ftp", "robot")


@dataclass
class Result:
    kills: int = 0
    mid_delivery: int = 0
    duplicates: int = 0
    lost: int = 0
    problems: list[str] = field(default_factory=list)
    states: Counter = field(default_factory=Counter)
    deliveries: Counter = field(default_factory=Counter)  # delivered rows per target
    killed_in: Counter = field(default_factory=Counter)  # mid-delivery kills per target
    exit_code: int | None = None
    output: str = ""

    def add(self, other: Result) -> None:
        self.kills += other.kills
        self.mid_delivery += other.mid_delivery
        self.duplicates += other.duplicates
        self.lost += other.lost
        self.problems += other.problems
        self.states.update(other.states)
        self.deliveries.update(other.deliveries)
        self.killed_in.update(other.killed_in)

    def line(self) -> str:
        return (f"crash: kills={self.kills} mid_delivery={self.mid_delivery} duplicates={self.duplicates} "
                f"lost={self.lost}")


def scenario(root: Path, kills: int, seed: int, slots: int = 16) -> Result:
    """One site, ``kills`` SIGKILLs, a last run, then the count. ``root`` is an empty folder."""
    from servers import Ftp, Webhook

    robot = Webhook(delay=ROBOT_DELAY)
    ftp = Ftp(root / "ftp-root", delay=FTP_DELAY)
    try:
        return _scenario(root, kills, seed, slots, robot, ftp)
    finally:
        robot.close()
        ftp.close()


def _scenario(root: Path, kills: int, seed: int, slots: int, robot, ftp) -> Result:
    site, env = _site(root, slots, robot, ftp)
    ledger = site / ".publisher/ledger.sqlite"
    result = Result()
    rng = random.Random(seed)
    simulated = 0.0  # seconds of publisher time lived through, so each restart goes on from there
    for _ in range(kills):
        process = _daemon(site, simulated, env)
        started = time.monotonic()
        since = _stamp(simulated)  # claims of this process are later (a killed one's are not)
        if rng.random() < 0.8:  # mostly: once a delivery is under way, a random moment into it
            _wait(lambda p=process, s=since: _claimed(ledger, s) or _settled(ledger, slots) or p.poll() is not None,
                  60)
            if not _claimed(ledger, since) and _settled(ledger, slots):
                process.send_signal(signal.SIGTERM)
                process.communicate(timeout=60)
                break  # nothing left to deliver: no more kills in this scenario
            time.sleep(rng.uniform(0.0, 0.6))
        else:  # sometimes: anywhere (starting, rendering, recovering, between deliveries)
            time.sleep(rng.uniform(0.2, 2.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        result.kills += 1
        claimed = _claimed(ledger, since)  # read before a restart recovers it
        result.mid_delivery += bool(claimed)
        result.killed_in.update(claimed)
        simulated += (time.monotonic() - started) * SPEED  # a restart goes on where the last one stopped
    process = _daemon(site, simulated, env)
    final_start = time.monotonic()
    settled = _wait(lambda: _settled(ledger, slots) and time.monotonic() - final_start > 3, 240)
    process.send_signal(signal.SIGTERM)  # after 3 s its handlers are set
    result.output, _ = process.communicate(timeout=60)
    result.exit_code = process.returncode
    if not settled:
        result.problems.append("the last run did not settle every delivery within 240 s")
    _count(result, site, ledger, slots, robot, ftp, Path(env["CRASHKIT_PLACED_LOG"]))
    return result


def _site(root: Path, slots: int, robot, ftp) -> tuple[Path, dict]:
    from conftest import write
    from test_publisher import approve_all, publishing_site

    site = publishing_site(root, ftp.port, approve=False)
    config = site / "config.toml"
    times = [f"mon {6 + i * 5 // 60:02d}:{i * 5 % 60:02d}" for i in range(slots)]  # every 5 minutes from 06:00
    text = config.read_text(encoding="utf-8")
    text = text.replace('slots = ["mon 10:00", "wed 12:00", "fri 18:00"]', "slots = " + json.dumps(times))
    text = text.replace('deliver = ["team", "robot"]', "deliver = " + json.dumps(list(POST_TARGETS)))
    text = text.replace('notify = "robot"\n', "").replace('kind = "wecom"', 'kind = "json"')
    text = text.replace("grace_minutes = 60", "grace_minutes = 6000\ntick_seconds = 0.1")
    config.write_text(text, encoding="utf-8")
    extra = []
    for number in range(slots - 2):  # the fixture has two deeds for Weibo: one story per slot
        write(site / f"content/deeds/extra-{number}.md",
              f"---\ntitle: 第{number}件好事\nkind: deed\ndate: 2021-04-{number % 28 + 1:02d}\nstatus: ready\n"
              f"channels: [weibo]\n---\n\n民警为群众办实事。\n")
        extra.append(f"deeds/extra-{number}")
    approve_all(site, ["deeds/found-elderly", "deeds/toml-story", *extra])
    env = {"TEST_ROBOT_URL": robot.url + "/hook", "TEST_FTP_PASSWORD": "secret",
           "CRASHKIT_PLACED_LOG": str(root / "placed.log"), "CRASHKIT_FOLDER_DELAY": str(FOLDER_DELAY)}
    return site, env


def _daemon(site: Path, simulated: float, env: dict) -> subprocess.Popen:
    from test_publisher import MONDAY

    start = MONDAY + dt.timedelta(seconds=simulated)
    environment = {**os.environ, **env, "PUBLISHER_CLOCK_START": start.isoformat(),
                   "PUBLISHER_CLOCK_SPEED": str(SPEED),
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "run", "--site", str(site)],
                            env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


# -- the count ------------------------------------------------------------------------------------

def _count(result: Result, site: Path, ledger: Path, slots: int, robot, ftp, placed_log: Path) -> None:
    rows = _rows(ledger)
    result.states = Counter(r["state"] for r in rows)
    result.deliveries = Counter(r["target"] for r in rows if r["state"] == "delivered")

    def lost(why: str, count: int = 1) -> None:
        result.lost += count
        result.problems.append(f"lost: {why}")

    def twice(why: str, count: int = 1) -> None:
        result.duplicates += count
        result.problems.append(f"duplicate: {why}")

    # Nothing due was lost: every slot's post to each target and both screens' loops, all settled.
    posts = [r for r in rows if r["kind"] == "post"]
    loops = [r for r in rows if r["kind"] == "loop"]
    if len(posts) < len(POST_TARGETS) * slots:
        lost(f"{len(POST_TARGETS) * slots - len(posts)} posts never queued", len(POST_TARGETS) * slots - len(posts))
    if len({(r["target"], r["key"]) for r in loops}) < 2:  # Monday's two; a run past Tuesday 05:30 adds more
        lost("an LED loop was never queued")
    roots = {"team": site / "team", "usb": site / "usb-stick", "ftp": ftp.root / "screens"}
    for row in rows:
        payload = json.loads(row["payload"])
        label = f"{row['target']} {row['key']} ({row['state']})"
        if row["target"] in roots:  # idempotent targets: whatever was interrupted was redone
            if row["state"] != "delivered":
                lost(label)
                continue
            folder = roots[row["target"]] / payload["destination"]
            wrong = [name for name in payload["files"]
                     if not _same(Path(payload["folder"]) / name, folder / name)]
            if wrong:
                lost(f"{label}: {', '.join(wrong)} missing or not what was rendered")
        elif row["state"] not in ("delivered", "unconfirmed"):
            lost(label)
    # No file was put in place twice: FTP renames (counted by the server), folder placements (logged
    # by the daemon); the marker is the folder's journal, rewritten as files arrive: not counted.
    for path, count in ftp.placed.items():
        if count > 1 and not path.endswith(MARKER):
            twice(f"ftp {path} placed {count} times", count - 1)
    placements = Counter(placed_log.read_text(encoding="utf-8").splitlines()) if placed_log.exists() else Counter()
    for path, count in placements.items():
        if count > 1 and not path.endswith(MARKER):
            twice(f"{path} placed {count} times", count - 1)
    # Each post folder once: nothing but the delivered destinations in the team folder.
    expected = {json.loads(r["payload"])["destination"] for r in posts if r["target"] == "team"}
    week = site / "team/weibo/2021-W16"
    found = {f"weibo/2021-W16/{p.name}" for p in week.iterdir()} if week.is_dir() else set()
    for extra in sorted(found - expected):
        twice(f"team has {extra}, which was not queued")
    temps = [str(p) for root in roots.values() for p in root.rglob(".tmp-*")]
    if temps:
        result.problems.append(f"temporary files left: {temps[:3]}")
    # The robot got each post at most once, and the ledger agrees with what arrived.
    received = Counter(r["body"].get("delivery") for r in robot.requests if r["body"].get("delivery"))
    robot_rows = {r["id"]: r["state"] for r in rows if r["target"] == "robot"}
    for delivery_id, count in received.items():
        if count > 1:
            twice(f"robot got delivery {delivery_id} {count} times", count - 1)
        if delivery_id not in robot_rows:
            result.problems.append(f"robot got delivery {delivery_id}, which is not a robot delivery")
    for delivery_id, state in robot_rows.items():
        if state == "delivered" and not received[delivery_id]:
            lost(f"robot delivery {delivery_id} is marked delivered but never arrived")


def _same(source: Path, copy: Path) -> bool:
    try:
        return copy.read_bytes() == source.read_bytes()
    except OSError:
        return False


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def _rows(path: Path) -> list[sqlite3.Row]:
    connection = sqlite3.connect(path, timeout=30)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute("SELECT * FROM deliveries ORDER BY id").fetchall()
    finally:
        connection.close()


def _stamp(simulated: float) -> str:
    from test_publisher import MONDAY

    return (MONDAY + dt.timedelta(seconds=simulated)).astimezone(dt.UTC).isoformat(timespec="seconds")


def _claimed(path: Path, since: str) -> list[str]:
    """The targets of the deliveries under way (claimed in the ledger) claimed after ``since`` (a
    publisher time, as the ledger stamps it): a claim left by a killed process does not count."""
    if not path.exists():
        return []
    connection = sqlite3.connect(path, timeout=30)
    try:
        return [row[0] for row in connection.execute(
            "SELECT target FROM deliveries WHERE state = 'claimed' AND claimed_at > ?", (since,))]
    except sqlite3.Error:
        return []
    finally:
        connection.close()


def _settled(path: Path, slots: int) -> bool:
    if not path.exists():
        return False
    try:
        rows = _rows(path)
    except sqlite3.Error:
        return False
    posts = [r for r in rows if r["kind"] == "post"]
    return len(posts) == len(POST_TARGETS) * slots and all(r["state"] in ("delivered", "unconfirmed") for r in rows)


# -- the daemon, slowed ---------------------------------------------------------------------------

def _slow_daemon(argv: list[str]) -> int:
    """``publisher ARGV`` with the folder target waiting around each file it places, and logging
    each placement (after it happened) to ``CRASHKIT_PLACED_LOG``."""
    sys.path.insert(0, str(REPO))
    from publisher.cli import main
    from publisher.publish.targets import folder

    delay = float(os.environ.get("CRASHKIT_FOLDER_DELAY", "0"))
    log = os.environ.get("CRASHKIT_PLACED_LOG")
    place = folder._place

    def slow_place(source: Path, final: Path) -> None:
        time.sleep(delay)
        place(source, final)
        if log:
            descriptor = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(descriptor, f"{final}\n".encode())
            finally:
                os.close(descriptor)
        time.sleep(delay)

    folder._place = slow_place
    return main(argv)


if __name__ == "__main__":
    raise SystemExit(_slow_daemon(sys.argv[1:]))
