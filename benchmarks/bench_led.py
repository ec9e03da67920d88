"""LED benchmark: three screens (the demo's 192x96, 384x192 and 1920x320 strip), 30 items each,
one date. Prints slides per second and seconds per screen-day, ending with
``led: screens=3 items=30 total=…s per_screen=…s``. Target: a screen-day of 30 items in under 15 s.

    python benchmarks/bench_led.py [--items 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from publisher.config import load_config  # noqa: E402
from publisher.pipeline.reader import read_site  # noqa: E402
from publisher.render.channel import RenderContext, channels  # noqa: E402

SUMMARIES = ["民警接到求助后迅速赶到现场，帮助走失老人平安回家。", "户政大厅节假日照常办证，群众少跑腿。",
             "所有刷单都是诈骗，不要垫付任何资金。", "清明假期全警参与巡逻342人次，救助群众12人。"]


def make_site(root: Path, items: int) -> Path:
    site = root / "site"
    site.mkdir()
    shutil.copy(REPO / "config.toml", site / "config.toml")
    for number in range(items):
        folder = site / "content/deeds"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"item-{number:03d}.md").write_text(
            f"---\ntitle: 第{number}条为民服务事迹\nkind: deed\ndate: 2021-04-{1 + number % 28:02d}\n"
            f"summary: {SUMMARIES[number % len(SUMMARIES)]}\nstatus: ready\nchannels: [led]\n"
            f"{'urgent: true' if number == 0 else ''}\n---\n\n正文。\n", encoding="utf-8")
    return site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        site = make_site(Path(temp), args.items)
        config, _ = load_config(site)
        stories, errors = read_site(site, config)
        assert not errors, errors
        channel = channels(config)["led"]
        days = channel.plan(stories, dt.date(2021, 4, 20), drafts=False)
        total = 0.0
        for day in days:
            folder = Path(temp) / "out" / day.key
            folder.mkdir(parents=True)
            started = time.perf_counter()
            files = channel.render(RenderContext(site, config, day, "led", folder, out=folder.parent))
            elapsed = time.perf_counter() - started
            total += elapsed
            slides = len([f for f in files if f.startswith("slide-")])
            print(f"{day.screen.name:14s} {day.screen.width}x{day.screen.height}: {elapsed:6.2f}s  "
                  f"{slides} slides ({slides / elapsed:6.1f} slides/s)  {len(day.parts[0].entries)} items")
    print(f"led: screens={len(days)} items={args.items} total={total:.2f}s per_screen={total / len(days):.2f}s")


if __name__ == "__main__":
    main()
