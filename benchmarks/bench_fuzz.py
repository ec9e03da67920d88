"""Fuzz the reading side as fast as possible: stories, bodies, config.toml and images from the
generators of tests/fuzzkit.py, driven by ``random`` with a seed (no shrinking).

    python benchmarks/bench_fuzz.py [--cases 100000] [--seed 1] [--no-cli] [--show 3]

Each case writes its input into one reduced copy of tests/fixtures/site, reads it in-process
(``load_config``, ``read_story``) and runs ``publisher check`` in-process. Counted: tracebacks
(unexpected exceptions), internal errors (diagnostics saying "internal error"), slow cases (over
2 s; a case is interrupted after --hard seconds). Distinct failures are summarised with an
example input each; the last line is exactly ``fuzz: cases=N tracebacks=T internal=I slow=S``.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import fuzzkit


def one_case(rng: random.Random, site: fuzzkit.FuzzSite) -> tuple[str, object]:
    """Set up one case; returns (kind, the input that matters) for the report."""
    site.reset()
    roll = rng.random()
    if roll < 0.55:
        text = fuzzkit.random_story(rng)
        site.write_story(text)
        return "story", text
    if roll < 0.7:
        text = fuzzkit.story_text(fuzzkit.dump_yaml(fuzzkit.random_meta(rng)), fuzzkit.random_body(rng))
        site.write_story(text)
        return "body", text
    if roll < 0.88:
        data = fuzzkit.random_config(rng, site.config_text)
        site.write_config(data)
        return "config", data
    kind = rng.choice(fuzzkit.IMAGE_KINDS)
    suffix, data = fuzzkit.make_image(kind, rng)
    name = "odd" + suffix
    site.add_file(f"content/deeds/{name}", data)
    where = rng.choice(["images", "body"])
    text = fuzzkit.KNOWN_STORY.replace("images: [photo.png]", f"images: [{name}]" if where == "images" else
                                       "images: [photo.png]")
    if where == "body":
        text = text.replace("![现场](photo.png)", f"![现场]({name})")
    site.write_story(text)
    return "image", f"{kind} {suffix} as {where}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--slow", type=float, default=2.0, help="a case slower than this is counted slow")
    parser.add_argument("--hard", type=float, default=20.0, help="interrupt a case after this many seconds")
    parser.add_argument("--no-cli", action="store_true", help="in-process reading only, no `publisher check`")
    parser.add_argument("--show", type=int, default=2, help="example inputs printed per distinct failure")
    args = parser.parse_args()

    # Big images are part of the corpus; a decompression-bomb warning is not a failure.
    import warnings

    warnings.simplefilter("ignore")
    tracebacks = internal = slow = other = 0
    groups: dict[str, list[str]] = {}
    counts: Counter[str] = Counter()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        site = fuzzkit.FuzzSite(Path(tmp) / "site")
        fuzzkit.examine(site, cli=not args.no_cli, hard=0)  # warm up (imports, font coverage): not a case
        rng = random.Random(args.seed)
        for number in range(args.cases):
            case_rng = random.Random(rng.getrandbits(64))
            kind, value = one_case(case_rng, site)
            outcome = fuzzkit.examine(site, cli=not args.no_cli, limit=args.slow, hard=args.hard)
            categories = {c for c, _ in outcome.problems}
            tracebacks += "traceback" in categories
            internal += "internal" in categories
            slow += "slow" in categories
            other += bool(categories - {"traceback", "internal", "slow"})
            for category, detail in outcome.problems:
                key = fuzzkit.signature(category, detail)
                counts[key] += 1
                examples = groups.setdefault(key, [])
                if len(examples) < args.show:
                    examples.append(f"case {number} ({kind}): {fuzzkit.describe(value)}\n      -> {detail[:300]}")
            if (number + 1) % 1000 == 0:
                rate = (number + 1) / (time.perf_counter() - started)
                print(f"... {number + 1} cases, {rate:.0f}/s, tracebacks={tracebacks} internal={internal} "
                      f"slow={slow} other={other}", file=sys.stderr)
    for key, count in counts.most_common():
        print(f"{count:7d}  {key}")
        for example in groups[key]:
            print(f"         {example}")
    print(f"other (format/position/exit) cases: {other}; {time.perf_counter() - started:.0f}s")
    print(f"fuzz: cases={args.cases} tracebacks={tracebacks} internal={internal} slow={slow}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
