"""Scale-out benchmark: the same Douyin clips built by the local process pool and on a Dask cluster.

A site of ``--clips`` stories (12 by default), each a clip of about ``--seconds`` seconds over two
panning photos, is built twice from an empty output folder, each time as a whole ``publisher build``
process: once with the local pool (``--jobs N``) and once with ``--executor dask://…`` on a cluster
of N single-threaded worker processes: a ``LocalCluster`` started here (not timed: a cluster is
started once and serves many builds), or a real one given by ``--scheduler``. Both outputs must be
byte-identical. The last line:
``scale: clips=12 local=…s dask=…s overhead=…%`` (target: overhead under 10 %).

    python benchmarks/bench_scale.py [--clips 12] [--workers 2] [--scheduler HOST:8786]

With ``--scheduler`` the workers must see the benchmark's site at the same path (``--root`` on a
shared folder), as any cluster build needs (README, "Rendering on a cluster").
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SENTENCES = ["民警接到群众求助电话。", "对方自称客服要求转账。", "情指中心立即发出预警。", "民警上门劝阻受骗群众。",
             "接到96110来电请接听。", "陌生链接不点击不下载。", "遇到困难请拨打110。", "谢家集警方始终在身边。"]
PHOTOS = ["images/hills-morning.jpg", "images/street-dusk.jpg"]


def make_site(root: Path, clips: int, seconds: float) -> Path:
    """``clips`` different stories (so no clip is shared), each about ``seconds`` long."""
    site = root / "site"
    site.mkdir(parents=True)
    shutil.copytree(REPO / "assets", site / "assets")
    (site / "config.toml").write_text(
        'name = "谢家集公安"\n[kinds.antifraud]\nchannels = ["douyin"]\n'
        '[channels.douyin]\ntype = "video"\nplatform = "douyin"\naccount = "谢家集警方在线"\n'
        'title_seconds = 1.5\nend_seconds = 1.5\nchars_per_second = 4.0\nmin_cue = 2.7\nmax_cue = 2.7\n'
        'cue_gap = 0.0\npreset = "veryfast"\n', encoding="utf-8")
    cues = max(2, round((seconds - 3) / 2.7))
    for number in range(clips):
        scenes = []
        for index, photo in enumerate(PHOTOS):
            lines = [SENTENCES[(number + index * cues + i) % len(SENTENCES)] for i in range(-(-cues // 2))]
            scenes.append(f"## 第{index + 1}幕\n\n![]({photo})\n\n" + "".join(lines))
        story = site / f"content/antifraud/clip-{number:02d}.md"
        story.parent.mkdir(parents=True, exist_ok=True)
        story.write_text(f"---\ntitle: 反诈短视频第{number + 1}集\nkind: antifraud\ndate: 2021-04-16\nstatus: ready\n"
                         "---\n\n" + "\n\n".join(scenes) + "\n", encoding="utf-8")
    return site


def timed_build(site: Path, out: Path, *options: str) -> float:
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "publisher", "--lang", "en", "build", "--site", str(site),
                          "--out", str(out), *options], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if run.returncode != 0:
        sys.exit(f"build failed ({' '.join(options)}):\n{run.stdout}{run.stderr}")
    print(f"  {' '.join(options)}: {elapsed:.1f}s  ({run.stdout.strip().splitlines()[-1]})", flush=True)
    return elapsed


def same_files(a: Path, b: Path) -> list[str]:
    """Files that differ between two outputs (the manifest holds modification times, the lock a PID)."""
    names = {p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file()}
    names |= {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    names -= {"manifest.json", ".publisher.lock"}
    return sorted(n for n in names if not ((a / n).is_file() and (b / n).is_file()
                                           and filecmp.cmp(a / n, b / n, shallow=False)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each clip")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (and the local pool's --jobs)")
    parser.add_argument("--scheduler", help="HOST:PORT of a running Dask scheduler (default: a LocalCluster)")
    parser.add_argument("--root", type=Path, help="where the site is made (shared with the workers)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-scale-", dir=args.root))
    try:
        site = make_site(root, args.clips, args.seconds)
        print(f"{args.clips} clips of about {args.seconds:.0f}s, {args.workers} worker processes", flush=True)
        local = timed_build(site, root / "out-local", "--jobs", str(args.workers))
        if args.scheduler:
            address = args.scheduler.removeprefix("tcp://").removeprefix("dask://")
            dask = timed_build(site, root / "out-dask", "--executor", f"dask://{address}")
        else:
            from distributed import LocalCluster

            with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                              dashboard_address=":0", silence_logs=40) as cluster:
                address = cluster.scheduler_address.removeprefix("tcp://")
                dask = timed_build(site, root / "out-dask", "--executor", f"dask://{address}")
        differ = same_files(root / "out-local", root / "out-dask")
        if differ:
            sys.exit(f"outputs differ: {differ[:5]}")
        print(f"scale: clips={args.clips} local={local:.1f}s dask={dask:.1f}s overhead={(dask / local - 1) * 100:.1f}%")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
