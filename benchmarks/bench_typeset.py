"""Typesetting cost: the 500-story build benchmark, before and after word-aware line breaking.

Runs ``benchmarks/bench_build.py`` as whole processes, alternately on this tree and on a git
worktree of ``--base`` (by default the last commit before the segmenter and the optimiser),
so both see the same noise on a shared machine, and prints each round and the medians side by
side with their ratio. The issue's target: the build no more than 10 % slower.

    python benchmarks/bench_typeset.py [--base REV] [--rounds 3] [--stories 500]

Last line: ``typeset-cost: base_cold=…s ours_cold=…s ratio=… base_one=…s ours_one=…s ratio=…``
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASE = "6e597b7"
"""The last commit before word-aware line breaking (rjieba words, Knuth-Plass, balanced titles)."""


def run(tree: Path, stories: int) -> dict[str, float]:
    # The package may be installed editable from this checkout: its import hook would load this
    # tree's code for the base too, so it is taken out and the tree put first on the path.
    boot = ("import runpy, sys; sys.meta_path[:] = [f for f in sys.meta_path if '__editable__' not in "
            "getattr(f, '__module__', '')]; sys.path.insert(0, sys.argv[1]); sys.argv[:] = sys.argv[2:]; "
            "runpy.run_path(sys.argv[0], run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", boot, str(tree), str(tree / "benchmarks/bench_build.py"),
                           "--stories", str(stories)], capture_output=True, text=True, cwd=tree, check=True)
    last = done.stdout.strip().splitlines()[-1]
    return {key: float(value) for key, value in re.findall(r"(\w+)=([\d.]+)s", last)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stories", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch) / "base"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(base), args.base],
                       check=True, capture_output=True)
        shutil.copy(REPO / "benchmarks/bench_build.py", base / "benchmarks/bench_build.py")  # the same measurement
        try:
            results: dict[str, list[dict[str, float]]] = {"base": [], "ours": []}
            for number in range(1, args.rounds + 1):
                for name, tree in (("base", base), ("ours", REPO)):
                    found = run(tree, args.stories)
                    results[name].append(found)
                    print(f"round {number} {name}: " + " ".join(f"{k}={v:.2f}s" for k, v in found.items()),
                          flush=True)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(base)], capture_output=True)
    medians = {name: {key: statistics.median(r[key] for r in rounds) for key in ("cold", "noop", "one")}
               for name, rounds in results.items()}
    print(f"{'':6}{'cold':>9}{'noop':>9}{'one':>9}")
    for name in ("base", "ours"):
        print(f"{name:6}" + "".join(f"{medians[name][key]:>8.2f}s" for key in ("cold", "noop", "one")))
    ratios = {key: medians["ours"][key] / medians["base"][key] for key in ("cold", "noop", "one")}
    print(f"{'ratio':6}" + "".join(f"{ratios[key]:>9.2f}" for key in ("cold", "noop", "one")))
    print(f"typeset-cost: base_cold={medians['base']['cold']:.2f}s ours_cold={medians['ours']['cold']:.2f}s "
          f"ratio={ratios['cold']:.2f} base_one={medians['base']['one']:.2f}s ours_one={medians['ours']['one']:.2f}s "
          f"ratio={ratios['one']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
