"""Kill the build at random moments and check what it leaves behind.

A copy of the demo site is built with one story edited or reverted each round; the build is
killed with SIGKILL at a random moment (the whole process group, or only the main process, to
check that workers die with it), then built again to the end. The output must then be exactly
what an uninterrupted build of the same sources gives (text files compared byte for byte with a
reference build), every file the manifest lists must exist, no temporary file may remain and no
worker may outlive a killed build.

    python benchmarks/bench_kill.py [--rounds 200] [--channels weibo,wechat,led]

Ends with ``kill: kills=N inconsistent=I orphans=O``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STORY = "content/deeds/huzheng-365.md"
TEXT_SUFFIXES = {".txt", ".html", ".srt", ".m3u"}


def publisher(site: Path, out: Path, channels: list[str], *, wait: bool = True) -> subprocess.Popen:
    args = [sys.executable, "-m", "publisher", "build", "--site", str(site), "--out", str(out), "--jobs", "2",
            "--date", "2026-12-01"]
    for channel in channels:
        args += ["--channel", channel]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    if wait:
        process.wait()
    return process


def texts(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and p.suffix in TEXT_SUFFIXES and "preview" not in p.parts}


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--channels", default="weibo,wechat,led", help="channels to build (douyin is slow)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    channels = [c for c in args.channels.split(",") if c]
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="bench-kill-"))
    site = work / "site"
    shutil.copytree(REPO, site, ignore=shutil.ignore_patterns(".git", ".venv", "output", ".publisher", "batches",
                                                              "deliveries", "__pycache__", "*.egg-info"))
    story = site / STORY
    original = story.read_text(encoding="utf-8")
    edited = original + "\n基准测试追加的一句话。\n"

    references = {}
    for name, text in (("original", original), ("edited", edited)):
        story.write_text(text, encoding="utf-8")
        out = work / f"reference-{name}"
        publisher(site, out, channels)
        references[name] = texts(out)
    out = work / "out"
    shutil.copytree(work / "reference-original", out)
    story.write_text(original, encoding="utf-8")

    kills = inconsistent = orphans = 0
    started = time.perf_counter()
    for round_ in range(args.rounds):
        state = rng.choice(["original", "edited"])
        story.write_text(edited if state == "edited" else original, encoding="utf-8")
        process = publisher(site, out, channels, wait=False)
        time.sleep(rng.uniform(0.2, 4.0))
        workers = children(process.pid)
        group = rng.random() < 0.5
        if process.poll() is None:
            kills += 1
            if group:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                os.kill(process.pid, signal.SIGKILL)
        process.wait()
        if not group:
            time.sleep(1.0)
            orphans += sum(1 for pid in workers if alive(pid))
            for pid in workers:  # leave no stray process behind, whatever happened
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        # Revert half the time: the next build must notice the change, whatever the kill left.
        if rng.random() < 0.5:
            state = "original" if state == "edited" else "edited"
            story.write_text(edited if state == "edited" else original, encoding="utf-8")
        publisher(site, out, channels)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        missing = [f for r in manifest["renditions"] for f in r["files"] if not (out / f).is_file()]
        leftovers = [p for p in out.rglob(".tmp-*")]
        if texts(out) != references[state] or missing or leftovers:
            inconsistent += 1
            print(f"round {round_}: inconsistent ({len(missing)} missing, {len(leftovers)} leftovers)", file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    print(f"# {args.rounds} rounds in {time.perf_counter() - started:.0f} s, channels {','.join(channels)}")
    print(f"kill: kills={kills} inconsistent={inconsistent} orphans={orphans}")


if __name__ == "__main__":
    main()
