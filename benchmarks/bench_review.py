"""Review server benchmark: 50 reviewers at once against ``publisher serve --review`` on loopback.

A site of ``--stories`` deeds (Weibo cards and the post) is built; 50 accounts hold 初审, 复审 or
终审 (a third each). Each reviewer signs in once (Argon2 is deliberately slow: sessions are reused),
then for ``--seconds`` loads 待我审核, opens one of the stories waiting for them (or any story when
none waits) and approves it with the content hash its page showed. Reviewers of one stage race
for the same stories: a decision refused because another was first (400/403/409) is counted as
``refused``, not as an error; an error is anything else (5xx, a dropped connection, a page
without its form). Ends with ``review: requests=N errors=0 p95=…ms`` (target p95 < 200 ms on 2 cores).

    python benchmarks/bench_review.py [--seconds 60] [--reviewers 50] [--stories 60]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from publisher import ledger as ledgers  # noqa: E402
from publisher.config import load_config  # noqa: E402
from publisher.safety import accounts  # noqa: E402

PASSWORD = "benchmark pass 1"
CONFIG = """name = "压测分局"
language = "zh-Hans"
timezone = "Asia/Shanghai"

[kinds.deed]
channels = ["weibo"]
section = "deeds"

[channels.weibo]
type = "weibo"
account = "压测公安在线"
"""
TEXTS = ["民警接到求助后迅速赶到现场，帮助走失老人平安回家。", "户政大厅节假日照常办证，群众少跑腿。",
         "所有刷单都是诈骗，不要垫付任何资金。", "清明假期全警参与巡逻342人次，救助群众12人。"]


def make_site(root: Path, stories: int, reviewers: int) -> Path:
    site = root / "site"
    (site / "content/deeds").mkdir(parents=True)
    (site / "config.toml").write_text(CONFIG, encoding="utf-8")
    for number in range(stories):
        text = TEXTS[number % len(TEXTS)]
        (site / f"content/deeds/d{number:03d}.md").write_text(
            f"---\ntitle: 第{number}条为民服务事迹\nkind: deed\ndate: 2021-04-{1 + number % 28:02d}\n"
            f"summary: {text}\nstatus: ready\n---\n\n{text}\n\n> 群众满意是我们的追求。\n", encoding="utf-8")
    config, _ = load_config(site)
    connection = ledgers.connect(site, config)
    for index in range(reviewers):
        stage = config.safety.stages[index % 3]
        accounts.add(connection, config, f"审核员{index:02d}", [stage], PASSWORD)
    connection.close()
    return site


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Reviewer(threading.Thread):
    def __init__(self, name: str, port: int, until: list[float], start: threading.Barrier):
        super().__init__(daemon=True)
        self.name_, self.port, self.until, self.start_at = name, port, until, start
        self.times: list[float] = []
        self.errors: list[str] = []
        self.refused = self.approved = 0
        self.cookie = ""
        self.random = random.Random(name)

    def request(self, connection: http.client.HTTPConnection, method: str, path: str,
                form: dict[str, str] | None = None, timed: bool = True) -> tuple[int, list[str], str]:
        """Status, the cookies set, and the page."""
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection.request(method, urllib.parse.quote(path), body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        if timed:
            self.times.append(time.perf_counter() - started)
        return response.status, response.msg.get_all("Set-Cookie") or [], text

    def sign_in(self, connection: http.client.HTTPConnection) -> None:
        status, cookies, page = self.request(connection, "GET", "/", timed=False)
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        self.cookie = cookies[0].split(";")[0]
        status, cookies, _ = self.request(connection, "POST", "/login", {"csrf": token, "name": self.name_,
                                                                         "password": PASSWORD}, timed=False)
        session = [c.split(";")[0] for c in cookies if c.startswith("publisher_session=")]
        if status != 303 or not session:
            raise RuntimeError(f"{self.name_} could not sign in ({status})")
        self.cookie = session[0]

    def run(self) -> None:
        # 50 sign-ins at once queue for Argon2 (one check per core at a time): allow them time.
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        try:
            self.sign_in(connection)
        except Exception as exc:
            self.errors.append(f"sign-in: {exc}")
            self.start_at.wait()
            return
        finally:
            connection.close()
        self.start_at.wait()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)  # fresh: the idle one may be closed
        while time.monotonic() < self.until[0]:
            try:
                self.round(connection)
            except (OSError, http.client.HTTPException, AttributeError) as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def round(self, connection: http.client.HTTPConnection) -> None:
        status, _, page = self.request(connection, "GET", "/")
        if status != 200 or "待我审核" not in page:
            self.errors.append(f"queue: {status}")
            return
        mine = re.search(r'id="mine">(.*?)</ul>', page, re.S)
        links = re.findall(r'href="/story/([^"]+)"', mine.group(1) if mine else page)
        story = self.random.choice(links or re.findall(r'href="/story/([^"]+)"', page))
        status, _, page = self.request(connection, "GET", f"/story/{story}")
        if status != 200:
            self.errors.append(f"story: {status}")
            return
        stage = re.search(r'name="stage" value="([^"]+)"', page)
        if not links or stage is None:
            return  # nothing waits for me: page loads only
        form = {"csrf": re.search(r'name="csrf" value="([^"]+)"', page).group(1),
                "hash": re.search(r'name="hash" value="([^"]+)"', page).group(1),
                "decision": "approve", "stage": stage.group(1), "note": ""}
        status, _, _ = self.request(connection, "POST", f"/decide/{story}", form)
        if status == 303:
            self.approved += 1
        elif status in (400, 403, 409):
            self.refused += 1  # another reviewer of my stage was first
        else:
            self.errors.append(f"decide: {status}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--reviewers", type=int, default=50)
    parser.add_argument("--stories", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-review-") as temp:
        site = make_site(Path(temp), args.stories, args.reviewers)
        port = free_port()
        env = {**os.environ, "PUBLISHER_LANG": "zh_Hans"}
        started = time.perf_counter()
        server = subprocess.Popen([sys.executable, "-m", "publisher", "serve", "--review", "--site", str(site),
                                   "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            while True:  # the port is bound before the build: wait for the first page
                try:
                    probe = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                    probe.request("GET", "/")
                    probe.getresponse().read()
                    probe.close()
                    break
                except OSError:
                    if server.poll() is not None:
                        print(server.stdout.read().decode(), file=sys.stderr)
                        return 1
                    time.sleep(0.3)
            print(f"site of {args.stories} stories built and served in {time.perf_counter() - started:.1f}s")
            until = [float("inf")]
            barrier = threading.Barrier(args.reviewers + 1)
            reviewers = [Reviewer(f"审核员{i:02d}", port, until, barrier) for i in range(args.reviewers)]
            for reviewer in reviewers:
                reviewer.start()
            barrier.wait()
            until[0] = time.monotonic() + args.seconds
            for reviewer in reviewers:
                reviewer.join()
        finally:
            server.terminate()
            server.wait(timeout=15)
            shutil.rmtree(site / "output", ignore_errors=True)
    times = sorted(t for r in reviewers for t in r.times)
    errors = [e for r in reviewers for e in r.errors]
    approved, refused = sum(r.approved for r in reviewers), sum(r.refused for r in reviewers)
    p50 = statistics.median(times) * 1000 if times else 0
    p95 = times[int(len(times) * 0.95)] * 1000 if times else 0
    print(f"{len(times) / args.seconds:.0f} requests/s; approvals {approved}, refused (another was first) {refused}; "
          f"p50 {p50:.0f} ms; max {times[-1] * 1000 if times else 0:.0f} ms")
    for error in sorted(set(errors))[:10]:
        print(f"  error: {error}")
    print(f"review: requests={len(times)} errors={len(errors)} p95={p95:.0f}ms")
    return 0 if not errors and p95 < 200 else 1


if __name__ == "__main__":
    sys.exit(main())
