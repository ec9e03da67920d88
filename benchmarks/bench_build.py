"""Build benchmark: N synthetic stories in a temporary site, on the Weibo and WeChat channels
(video and LED have benchmarks of their own).

Prints cold build time, no-op rebuild time, one-story-changed rebuild time, renditions per
second and peak RSS, ending with ``build: stories=N cold=…s noop=…s one=…s``.
Targets (2 cores): no-op rebuild of 500 stories under 1 s, one-changed rebuild under 2 s.

    python benchmarks/bench_build.py [--stories 500] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from publisher.config import load_config  # noqa: E402
from publisher.pipeline.build import build  # noqa: E402

KINDS = ["deed", "antifraud", "officer"]
SENTENCES = [
    "民警接到群众求助后迅速赶到现场，耐心询问情况。",
    "经过两个小时的走访和视频研判，终于找到了走失的老人。",
    "清明假期，全警参与巡逻342人次，救助群众12人。",
    "请牢记：不听、不信、不转账，如有疑问拨打96110。",
    "户政大厅365天不打烊，节假日照常为群众办证。",
]


def make_site(root: Path, count: int) -> Path:
    site = root / "site"
    site.mkdir()
    # The demo's config, without its leaflet editions (they name the demo's own stories).
    config = re.sub(r"\[channels\.print\.editions\]\n(?:.+\n)*", "",
                    (REPO / "config.toml").read_text(encoding="utf-8"))
    (site / "config.toml").write_text(config, encoding="utf-8")
    shutil.copytree(REPO / "assets", site / "assets")
    for number in range(count):
        kind = KINDS[number % 3]
        section = {"deed": "deeds", "antifraud": "antifraud", "officer": "officers"}[kind]
        folder = site / "content" / section
        folder.mkdir(parents=True, exist_ok=True)
        officer = (f"officer:\n  name: 民警{number}\n  unit: 第{number % 10}派出所\n  honors: [服务先锋]\n"
                   if kind == "officer" else "")
        images = "images: [images/hills-morning.jpg]\n" if number % 5 == 0 else ""
        body = "\n\n".join(SENTENCES[(number + i) % len(SENTENCES)] for i in range(4))
        (folder / f"story-{number:04d}.md").write_text(
            f"---\ntitle: 第{number}号为民服务故事\nkind: {kind}\ndate: 2021-04-{1 + number % 28:02d}\n"
            f"summary: 这是第{number}个合成故事，用来测量构建速度。\ntopics: [我为群众办实事]\n"
            f"channels: [weibo, wechat]\nstatus: ready\n{images}{officer}"
            f"figures:\n  - {{label: 服务群众, value: {number}, unit: 人}}\n"
            f"---\n\n{body}\n\n> 群众的事再小也是大事。\n", encoding="utf-8")
    return site


def timed(site: Path, out: Path, jobs: int) -> tuple[float, int]:
    config, _ = load_config(site)
    started = time.perf_counter()
    result = build(site, config, out, jobs=jobs)
    elapsed = time.perf_counter() - started
    assert result.ok, result.errors[:3]
    return elapsed, sum(s.rendered for s in result.summary.values())


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        site = make_site(root, args.stories)
        out = root / "out"
        cold, rendered = timed(site, out, args.jobs)
        print(f"cold build:   {cold:7.2f}s  {rendered} renditions  {rendered / cold:6.1f} renditions/s")
        noop, again = timed(site, out, args.jobs)
        print(f"no-op build:  {noop:7.2f}s  {again} rendered (target < 1 s)")
        story = site / "content/deeds/story-0000.md"
        story.write_text(story.read_text(encoding="utf-8").replace("这是第0个", "这是修改后的第0个"), encoding="utf-8")
        one, changed = timed(site, out, args.jobs)
        print(f"one changed:  {one:7.2f}s  {changed} rendered (target < 2 s)")
        print(f"peak RSS:     {peak_rss_mb():7.1f} MB (largest of this process and one worker)")
        print(f"build: stories={args.stories} cold={cold:.2f}s noop={noop:.2f}s one={one:.2f}s")


if __name__ == "__main__":
    main()
