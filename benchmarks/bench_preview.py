"""The first ``publisher preview`` on a fresh machine: what it adds to the build.

The preview's pages carry subsets of the CJK font; the first preview on a machine makes the
GB 2312 base subset (then kept in the user's cache). On a copy of the test fixture site, built
once, this times as whole processes (``sys.executable -m publisher``): a no-op ``build --drafts``
(the preview shows drafts) and ``preview`` with an empty cache folder (``XDG_CACHE_HOME``), as a
new machine has. ``--base REV`` measures that commit too, alternating run by run. Target: the
first preview adds ≤ 2 s.

    python benchmarks/bench_preview.py [--repeat 3] [--base REV]

Last line: ``preview: first=…s build=…s added=…s``
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(tree: Path, site: Path, command: str, cache: Path, *extra: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree), "PUBLISHER_LANG": "en", "XDG_CACHE_HOME": str(cache)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "publisher", command, "--site", str(site), "--out",
                           str(site / "out"), *extra], env=env, capture_output=True, text=True, cwd=site)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{command} failed in {tree}:\n{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--base", metavar="REV", help="also measure this commit, run for run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        trees = {}
        if args.base:
            trees[f"base {args.base}"] = root / "base-tree"
            trees[f"base {args.base}"].mkdir()
            archive = subprocess.run(["git", "-C", str(REPO), "archive", args.base], check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(trees[f"base {args.base}"])], input=archive, check=True)
        trees["this tree"] = REPO
        results: dict[str, dict[str, list[float]]] = {name: {"first": [], "build": []} for name in trees}
        for number in range(args.repeat):
            for name, tree in trees.items():
                site = root / f"site-{len(results[name]['first'])}-{name.replace(' ', '-')}"
                shutil.copytree(REPO / "tests/fixtures/site", site)
                cache = root / f"cache-{site.name}"
                # The renditions (drafts too, as the preview shows them); a no-op build; the preview.
                run(tree, site, "build", cache, "--drafts")
                results[name]["build"].append(run(tree, site, "build", cache, "--drafts"))
                results[name]["first"].append(run(tree, site, "preview", cache))
            print(f"  round {number + 1}: " + "  ".join(
                f"{name}: build {r['build'][-1]:.2f}s, first preview {r['first'][-1]:.2f}s"
                for name, r in results.items()), flush=True)
    medians = {name: {key: statistics.median(values) for key, values in r.items()} for name, r in results.items()}
    for name, m in medians.items():
        print(f"{name:20} no-op build {m['build']:.2f}s  first preview {m['first']:.2f}s  "
              f"added {m['first'] - m['build']:.2f}s")
    ours = medians["this tree"]
    print("target: the first preview adds ≤ 2 s to the build")
    print(f"preview: first={ours['first']:.2f}s build={ours['build']:.2f}s added={ours['first'] - ours['build']:.2f}s")


if __name__ == "__main__":
    main()
