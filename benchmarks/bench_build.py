"""Build benchmark, measured as people wait: ``publisher build`` as a whole process.

A synthetic site of N stories (Weibo and WeChat; video and LED have benchmarks of their own) is
built by ``sys.executable -m publisher build`` with this checkout first on the path, so imports,
the config, the font and every cache are paid the way a user pays them:

- cold: the first build of the site (empty output, no caches);
- no-op: nothing changed (``--repeat`` times, median);
- one: one story's text changed (each time another edit);
- image: one image changed that one story uses.

When ``hugo`` is on PATH, Hugo's full build of the same N pages (title, date, body through a
minimal layout) is timed in the same run. ``--base REV`` measures that commit of the program too
(a ``git archive`` of it, on a copy of the same site), alternating with this tree run by run so
both see the same noise, and prints both and their ratio.

Targets (2 cores): no-op ≤ 0.35 s and no-op/Hugo ≤ 1.5; one story changed ≤ 1.0 s.

    python benchmarks/bench_build.py [--stories 500] [--repeat 5] [--base REV] [--jobs N]

Last line: ``build: stories=N cold=…s noop=…s one=…s image=…s hugo=…s noop/hugo=…``
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

KINDS = ["deed", "antifraud", "officer"]
SECTIONS = {"deed": "deeds", "antifraud": "antifraud", "officer": "officers"}
SENTENCES = [
    "民警接到群众求助后迅速赶到现场，耐心询问情况。",
    "经过两个小时的走访和视频研判，终于找到了走失的老人。",
    "清明假期，全警参与巡逻342人次，救助群众12人。",
    "请牢记：不听、不信、不转账，如有疑问拨打96110。",
    "户政大厅365天不打烊，节假日照常为群众办证。",
]
OWN_IMAGE = "images/story-0000.jpg"
"""An image only story 0000 uses (the 'one image changed' case)."""


def story_text(number: int) -> tuple[str, str]:
    """(path under content/, the story's front matter and body) of synthetic story ``number``."""
    kind = KINDS[number % 3]
    officer = (f"officer:\n  name: 民警{number}\n  unit: 第{number % 10}派出所\n  honors: [服务先锋]\n"
               if kind == "officer" else "")
    images = (f"images: [{OWN_IMAGE}]\n" if number == 0
              else "images: [images/hills-morning.jpg]\n" if number % 5 == 0 else "")
    body = "\n\n".join(SENTENCES[(number + i) % len(SENTENCES)] for i in range(4))
    return (f"{SECTIONS[kind]}/story-{number:04d}.md",
            f"---\ntitle: 第{number}号为民服务故事\nkind: {kind}\ndate: 2021-04-{1 + number % 28:02d}\n"
            f"summary: 这是第{number}个合成故事，用来测量构建速度。\ntopics: [我为群众办实事]\n"
            f"channels: [weibo, wechat]\nstatus: ready\n{images}{officer}"
            f"figures:\n  - {{label: 服务群众, value: {number}, unit: 人}}\n"
            f"---\n\n{body}\n\n> 群众的事再小也是大事。\n")


def make_site(root: Path, count: int) -> Path:
    site = root / "site"
    site.mkdir(parents=True)
    # The demo's config, without its leaflet editions (they name the demo's own stories).
    config = re.sub(r"\[channels\.print\.editions\]\n(?:.+\n)*", "",
                    (REPO / "config.toml").read_text(encoding="utf-8"))
    (site / "config.toml").write_text(config, encoding="utf-8")
    shutil.copytree(REPO / "assets", site / "assets")
    shutil.copyfile(site / "assets/images/hills-morning.jpg", site / "assets" / OWN_IMAGE)
    for number in range(count):
        name, text = story_text(number)
        path = site / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return site


def make_hugo_site(root: Path, count: int) -> Path:
    """The same N pages for Hugo: front matter it reads, the same Markdown bodies, one layout."""
    site = root / "hugo"
    (site / "layouts/_default").mkdir(parents=True)
    (site / "config.toml").write_text('baseURL = "http://example.org/"\ntitle = "bench"\n'
                                      'disableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n', encoding="utf-8")
    (site / "layouts/_default/single.html").write_text(
        "<!doctype html><html><head><title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>"
        "<p>{{ .Date.Format \"2006-01-02\" }}</p><p>{{ .Summary }}</p>{{ .Content }}</body></html>\n",
        encoding="utf-8")
    (site / "layouts/_default/list.html").write_text(
        "<!doctype html><html><body><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>"
        "</li>{{ end }}</ul></body></html>\n", encoding="utf-8")
    for number in range(count):
        name, text = story_text(number)
        path = site / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return site


class Program:
    """One version of publisher: its source tree, and a copy of the site it builds."""

    def __init__(self, name: str, tree: Path, site: Path, jobs: int):
        self.name, self.tree, self.site, self.jobs = name, tree, site, jobs
        self.env = {**os.environ, "PYTHONPATH": str(tree), "PUBLISHER_LANG": "en"}
        where = subprocess.run([sys.executable, "-c", "import publisher; print(publisher.__file__)"],
                               env=self.env, capture_output=True, text=True, check=True, cwd=site).stdout.strip()
        if not Path(where).is_relative_to(tree):  # an editable install would shadow the tree
            raise SystemExit(f"{name}: python imports publisher from {where}, not from {tree}")

    def build(self) -> float:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "publisher", "build", "--site", str(self.site),
                               "--out", str(self.site / "out"), "--jobs", str(self.jobs)],
                              env=self.env, capture_output=True, text=True, cwd=self.site)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{self.name}: build failed ({done.returncode}):\n{done.stderr[-2000:]}")
        rendered = sum(int(n) for n in re.findall(r"(\d+) rendered", done.stdout))
        self.rendered = rendered
        return elapsed

    def edit_story(self, round_number: int) -> None:
        path = self.site / "content" / story_text(0)[0]
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"这是(修改\d+后的)?第0个", f"这是修改{round_number}后的第0个", text), encoding="utf-8")

    def edit_image(self, round_number: int) -> None:
        from PIL import Image

        path = self.site / "assets" / OWN_IMAGE
        with Image.open(path) as image:
            changed = image.convert("RGB")
        changed.putpixel((round_number % changed.width, 0), (round_number % 256, 0, 0))
        changed.save(path, quality=90)


def hugo_build(site: Path) -> float:
    shutil.rmtree(site / "public", ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(["hugo", "--quiet", "-s", str(site), "-d", str(site / "public")], check=True,
                   capture_output=True)
    return time.perf_counter() - started


def children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each warm case (medians are printed)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--base", metavar="REV", help="also measure this commit, run for run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        template = make_site(root / "template", args.stories)
        programs = []
        if args.base:
            tree = root / "base-tree"
            tree.mkdir()
            archive = subprocess.run(["git", "-C", str(REPO), "archive", args.base], check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
            shutil.copytree(template, root / "base-site")
            programs.append(Program(f"base {args.base}", tree, root / "base-site", args.jobs))
        shutil.copytree(template, root / "this-site")
        programs.append(Program("this tree", REPO, root / "this-site", args.jobs))

        times: dict[str, dict[str, list[float]]] = {p.name: {} for p in programs}

        def measure(case: str, before=None, rounds: int = args.repeat) -> None:
            for number in range(rounds):
                for program in programs:  # alternating, so both see the same noise
                    if before:
                        before(program, number)
                    times[program.name].setdefault(case, []).append(program.build())
                print(f"  {case} {number + 1}/{rounds}: " + "  ".join(
                    f"{p.name}={times[p.name][case][-1]:.2f}s ({p.rendered} rendered)" for p in programs),
                    flush=True)

        measure("cold", rounds=1)
        measure("noop")
        measure("one", lambda program, number: program.edit_story(number))
        measure("image", lambda program, number: program.edit_image(number))
        hugo = None
        if shutil.which("hugo"):
            hugo_site = make_hugo_site(root, args.stories)
            hugo_times = [hugo_build(hugo_site) for _ in range(args.repeat)]
            hugo = statistics.median(hugo_times)
            pages = len(list((hugo_site / "public").rglob("index.html")))
            print(f"  hugo: {' '.join(f'{t:.2f}s' for t in hugo_times)} ({pages} pages)", flush=True)

    medians = {name: {case: statistics.median(values) for case, values in cases.items()}
               for name, cases in times.items()}
    cases = ("cold", "noop", "one", "image")
    print(f"\n{'':20}" + "".join(f"{case:>9}" for case in cases))
    for name, values in medians.items():
        print(f"{name:20}" + "".join(f"{values[case]:>8.2f}s" for case in cases))
    if len(programs) == 2:
        base, ours = (medians[p.name] for p in programs)
        print(f"{'this / base':20}" + "".join(f"{ours[case] / base[case]:>8.2f}×" for case in cases))
    if hugo is not None:
        print(f"{'hugo (full build)':20}{hugo:>8.2f}s")
    print(f"peak RSS of a build process: {children_peak_mb():.0f} MB")
    ours = medians[programs[-1].name]
    print("targets: no-op ≤ 0.35 s, no-op/hugo ≤ 1.5, one story changed ≤ 1.0 s")
    hugo_part = f" hugo={hugo:.2f}s noop/hugo={ours['noop'] / hugo:.2f}" if hugo else " hugo=- noop/hugo=-"
    print(f"build: stories={args.stories} cold={ours['cold']:.2f}s noop={ours['noop']:.2f}s one={ours['one']:.2f}s "
          f"image={ours['image']:.2f}s{hugo_part}")


if __name__ == "__main__":
    main()
