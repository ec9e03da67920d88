"""The no-op build: what reading produced is kept between runs, and never served stale."""

import json
import os
import pickle
import subprocess
import sys

from conftest import REPO, write
from PIL import Image
from test_build import build, summary

from publisher.render import fonts

CACHE = ".publisher/cache/stories.pickle"
DIGESTS = ".publisher/cache/digests.pickle"
NOTHING = {"weibo": (0, 4, 0), "wechat": (0, 2, 0)}


def test_an_edit_that_keeps_size_and_time_is_still_seen(site, cli):
    assert build(cli, site).code == 0
    path = site / "content/deeds/found-elderly.md"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = text.replace("两小时后", "三小时后")
    assert len(edited.encode()) == len(text.encode())
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    run = build(cli, site)
    assert summary(run) == {"weibo": (1, 3, 0), "wechat": (1, 1, 0)}, run.out
    assert "三小时后" in (site / "out/weibo/deeds/found-elderly/post.txt").read_text(encoding="utf-8")


def test_a_touch_reads_nothing_again(site, cli):
    assert build(cli, site).code == 0
    kept = (site / CACHE).stat().st_mtime_ns
    path = site / "content/deeds/found-elderly.md"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**10))
    run = build(cli, site)
    assert summary(run) == NOTHING
    assert (site / CACHE).stat().st_mtime_ns == kept  # every story came from the cache


def test_a_photo_put_beside_the_story_wins_over_the_one_under_assets(site, cli):
    story = write(site / "content/deeds/banner.md", "---\ntitle: 横幅\nkind: deed\ndate: 2021-04-08\nstatus: ready\n"
                  "images: [images/banner.png]\n---\n\n正文。\n")
    assert build(cli, site).code == 0
    first = Image.open(site / "out/weibo/deeds/banner/card-1.png").convert("RGB").getpixel((540, 400))
    (story.parent / "images").mkdir()
    Image.new("RGB", (800, 600), (255, 0, 0)).save(story.parent / "images/banner.png")
    run = build(cli, site)
    assert summary(run)["weibo"] == (1, 4, 0), run.out
    inputs = next(r["inputs"] for r in json.loads((site / "out/manifest.json").read_text(encoding="utf-8"))
                  ["renditions"] if r["story"] == "deeds/banner" and r["channel"] == "weibo")
    assert "content/deeds/images/banner.png" in inputs
    second = Image.open(site / "out/weibo/deeds/banner/card-1.png").convert("RGB").getpixel((540, 400))
    assert second != first


def test_a_config_change_reads_every_story_again(site, cli):
    assert build(cli, site).code == 0
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('name = "', 'name = "新'), encoding="utf-8")
    run = build(cli, site)
    assert run.code == 0, run.err
    assert summary(run)["weibo"] == (4, 0, 0)


def test_a_story_that_breaks_is_reported_every_time(site, cli):
    assert build(cli, site).code == 0
    path = site / "content/deeds/found-elderly.md"
    path.write_text(path.read_text(encoding="utf-8").replace("kind: deed", "kind: nonsense"), encoding="utf-8")
    for _attempt in range(2):
        run = build(cli, site)
        assert run.code == 1
        assert "found-elderly.md:3:" in run.err


def test_a_damaged_cache_is_ignored_and_written_afresh(site, cli):
    assert build(cli, site).code == 0
    for name in (CACHE, DIGESTS):
        data = (site / name).read_bytes()
        (site / name).write_bytes(data[: len(data) // 2])
    run = build(cli, site)
    assert run.code == 0, run.err
    assert summary(run) == NOTHING
    assert "Traceback" not in run.err
    pickle.loads((site / CACHE).read_bytes())  # whole again


def test_a_planted_cache_runs_no_code(site, cli, tmp_path):
    from publisher import atomic

    assert build(cli, site).code == 0
    marker, written = tmp_path / "pwned", tmp_path / "written"

    class Shell:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    class OwnFunction:  # one of the program's own functions, that writes a file
        def __reduce__(self):
            return (atomic.write_text, (written, "x"))

    for planted in (Shell(), OwnFunction()):
        (site / CACHE).write_bytes(pickle.dumps(("key", {"deeds/found-elderly": planted})))
        run = build(cli, site)
        assert run.code == 0, run.err
        assert summary(run) == NOTHING
    assert not marker.exists() and not written.exists()


def test_the_caches_stay_in_the_sites_own_folder(site, cli, tmp_path):
    before = {p for p in site.rglob("*")}
    out = tmp_path / "elsewhere"
    assert cli("build", "--site", site, "--out", out).code == 0
    assert cli("check", "--site", site).code == 0
    new = {p for p in site.rglob("*")} - before
    assert new and all(p.relative_to(site).parts[0] == ".publisher" for p in new), sorted(new)


def test_check_uses_what_the_build_read(site, cli):
    assert build(cli, site).code == 0
    kept = (site / CACHE).stat().st_mtime_ns
    run = cli("check", "--site", site)
    assert run.code == 0, run.err
    assert (site / CACHE).stat().st_mtime_ns == kept


def test_a_noop_build_loads_no_renderer(site):
    script = ("import sys\nfrom publisher.cli import main\n"
              f"code = main(['build', '--site', {str(site)!r}, '--out', {str(site / 'out')!r}])\n"
              "heavy = ['PIL.Image', 'numpy', 'moviepy', 'fontTools', 'jinja2', 'typst', 'markdown', 'rjieba',\n"
              "         'css_inline', 'publisher.preview', 'publisher.publish']\n"
              "print(code, [m for m in heavy if m in sys.modules])\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=site)
    assert first.stdout.strip().splitlines()[-1].startswith("0 ['PIL.Image'"), first.stdout + first.stderr
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=site)
    assert again.stdout.strip().splitlines()[-1] == "0 []", again.stdout + again.stderr


def test_the_shipped_coverage_table_is_the_fonts():
    shipped = json.loads(fonts.COVERAGE_TABLE.read_text(encoding="utf-8"))
    assert shipped == fonts.coverage_table_from_font()
    starts, _ends = fonts._covered("zh-Hans")
    assert fonts.covers(ord("警")) and fonts.covers(ord("A")) and not fonts.covers(0x10FFFD)
    assert len(starts) == len(shipped["faces"]["zh-Hans"].split())


def test_every_part_of_a_story_comes_back_from_the_cache(site, cli):
    import io

    from publisher.pipeline import readcache

    write(site / "content/deeds/rich.md", "---\ntitle: 协警帮助王小明找回电动车\nkind: deed\ndate: 2021-04-08\n"
          "publish_after: 2021-04-08 08:00\nstatus: ready\nsummary: 找回。\n"
          "people:\n  - {name: 王小明, role: victim}\npii:\n  - {value: \"13812345678\"}\n"
          "figures:\n  - {label: 找回, value: 1, unit: 辆}\nextra: {note: 备注}\n---\n\n"
          "王小明（电话13812345678）的电动车被找回。\n\n> 谢谢民警。\n")
    first = build(cli, site)
    assert first.code == 0, first.err
    assert "协警" in first.err  # a wording warning, kept with the story
    _key, entries = readcache._Loader(io.BytesIO((site / CACHE).read_bytes())).load()
    assert "deeds/rich" in entries
    kept = (site / CACHE).stat().st_mtime_ns
    again = build(cli, site)
    assert summary(again)["weibo"] == (0, 5, 0)
    assert "协警" in again.err
    assert (site / CACHE).stat().st_mtime_ns == kept
