"""Crash benchmark: SIGKILL the publisher 200 times during deliveries (the machinery of
tests/test_publisher_crash.py, in tests/crashkit.py: scenarios of 20 kills, each on a fresh site
with a folder, an FTP server and a webhook robot), then count. Ends with exactly one line
``crash: kills=N mid_delivery=M duplicates=D lost=L``. Target: duplicates=0 lost=0, and most kills
mid-delivery. Takes several minutes.

    python benchmarks/bench_crash.py [--kills 200] [--per-scenario 20] [--seed 1]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import crashkit  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--per-scenario", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    quiet = logging.getLogger("pyftpdlib")  # the test FTP server would log every command
    quiet.addHandler(logging.NullHandler())
    quiet.setLevel(logging.WARNING)
    total = crashkit.Result()
    began = time.monotonic()
    number = 0
    while total.kills < args.kills:
        number += 1
        # Setting a scenario up approves stories through the CLI, which prints: stdout keeps only the result.
        with tempfile.TemporaryDirectory(prefix="bench-crash-") as folder, contextlib.redirect_stdout(sys.stderr):
            result = crashkit.scenario(Path(folder), min(args.per_scenario, args.kills - total.kills),
                                       seed=args.seed * 1000 + number)
        if result.exit_code != 0:
            result.problems.append(f"the last run exited with {result.exit_code}")
        total.add(result)
        print(f"scenario {number}: {result.line()[len('crash: '):]} killed in {dict(result.killed_in)} "
              f"({time.monotonic() - began:.0f} s)", file=sys.stderr, flush=True)
        for problem in result.problems:
            print(f"  {problem}", file=sys.stderr, flush=True)
        if result.kills == 0:
            break  # a scenario with nothing to kill: more would not help
    print(f"states {dict(total.states)}, delivered per target {dict(total.deliveries)}, "
          f"mid-delivery kills per target {dict(total.killed_in)}", file=sys.stderr)
    print(total.line())
    return 0 if total.duplicates == 0 and total.lost == 0 and not total.problems else 1


if __name__ == "__main__":
    raise SystemExit(main())
