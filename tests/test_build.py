import base64
import io
import json
import os
import re
import subprocess
import time

from conftest import REPO, write
from PIL import Image


def build(cli, site, *extra):
    run = cli("build", "--site", site, "--out", site / "out", *extra)
    return run


def manifest(site):
    return json.loads((site / "out/manifest.json").read_text(encoding="utf-8"))


def summary(run):
    """{channel: (rendered, unchanged, failed)} from the summary lines."""
    result = {}
    for line in run.out.splitlines():
        if " rendered, " in line:
            channel, rest = line.split(": ", 1)
            numbers = [int(part.split()[0]) for part in rest.split(", ")[:3]]
            result[channel] = tuple(numbers)
    return result


def test_manifest_lists_renditions_with_files_and_hash(site, cli):
    run = build(cli, site, "--jobs", "2")
    assert run.code == 0, run.err
    data = manifest(site)
    pairs = {(r["story"], r["channel"]) for r in data["renditions"]}
    assert pairs == {("deeds/found-elderly", "weibo"), ("deeds/found-elderly", "wechat"),
                     ("deeds/toml-story", "weibo"), ("officers/wang-wu", "weibo"),
                     ("officers/wang-wu", "wechat"), ("antifraud/fake-police", "weibo")}
    for rendition in data["renditions"]:
        assert len(rendition["hash"]) == 64
        for file in rendition["files"]:
            assert (site / "out" / file).is_file()
            assert file.startswith(f"{rendition['channel']}/{rendition['story']}/")
    assert data["errors"] == []


def test_drafts_only_with_flag(site, cli):
    build(cli, site)
    assert not (site / "out/weibo/deeds/draft-story").exists()
    run = build(cli, site, "--drafts")
    assert run.code == 0
    assert (site / "out/weibo/deeds/draft-story/post.txt").is_file()


def test_second_build_renders_nothing(site, cli):
    build(cli, site)
    stamp = (site / "out/weibo/deeds/found-elderly/card-1.png").stat().st_mtime_ns
    run = build(cli, site)
    assert summary(run) == {"weibo": (0, 4, 0), "wechat": (0, 2, 0)}
    assert (site / "out/weibo/deeds/found-elderly/card-1.png").stat().st_mtime_ns == stamp


def test_editing_one_story_rerenders_only_its_renditions(site, cli):
    build(cli, site)
    path = site / "content/deeds/found-elderly.md"
    path.write_text(path.read_text(encoding="utf-8").replace("两小时后", "三小时后"), encoding="utf-8")
    run = build(cli, site)
    assert summary(run) == {"weibo": (1, 3, 0), "wechat": (1, 1, 0)}
    assert "三小时后" in (site / "out/weibo/deeds/found-elderly/post.txt").read_text(encoding="utf-8")


def test_touching_without_change_rerenders_nothing(site, cli):
    build(cli, site)
    path = site / "content/deeds/found-elderly.md"
    later = time.time() + 10
    os.utime(path, (later, later))
    run = build(cli, site)
    assert summary(run) == {"weibo": (0, 4, 0), "wechat": (0, 2, 0)}


def test_editing_an_image_rerenders_its_story(site, cli):
    build(cli, site)
    photo = site / "content/officers/wang-wu/photo.png"
    from PIL import Image
    Image.new("RGB", (300, 200), "green").save(photo)
    run = build(cli, site)
    assert summary(run) == {"weibo": (1, 3, 0), "wechat": (1, 1, 0)}


def test_editing_a_template_rerenders_what_used_it(site, cli):
    build(cli, site)
    write(site / "templates/weibo/post.txt.j2", "【{{ story.title }}】自定义模板\n")
    run = build(cli, site)
    assert summary(run) == {"weibo": (4, 0, 0), "wechat": (0, 2, 0)}
    text = (site / "out/weibo/deeds/found-elderly/post.txt").read_text(encoding="utf-8")
    assert text == "【民警帮走失老人回家】自定义模板\n"


def test_channel_config_change_rerenders_that_channel(site, cli):
    build(cli, site)
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("limit = 300", "limit = 400"), encoding="utf-8")
    run = build(cli, site)
    assert summary(run) == {"weibo": (4, 0, 0), "wechat": (0, 2, 0)}


def test_deleted_story_is_pruned(site, cli):
    build(cli, site)
    (site / "content/deeds/toml-story.md").unlink()
    build(cli, site)
    assert not (site / "out/weibo/deeds/toml-story").exists()
    assert "deeds/toml-story" not in {r["story"] for r in manifest(site)["renditions"]}


def test_channel_filter_keeps_other_channels(site, cli):
    build(cli, site)
    run = build(cli, site, "--channel", "wechat")
    assert summary(run) == {"wechat": (0, 2, 0)}
    assert len(manifest(site)["renditions"]) == 6


def test_unknown_channel_flag_is_usage_error(site, cli):
    assert build(cli, site, "--channel", "tiktok").code == 2


def test_no_temporary_files_are_left(site, cli):
    build(cli, site, "--jobs", "2")
    leftovers = [p for p in (site / "out").rglob("*") if p.name.startswith(".tmp-")]
    assert leftovers == []


def test_interrupted_staging_is_cleaned_and_never_visible(site, cli):
    build(cli, site)
    dead = _dead_pid()
    stale = site / f"out/weibo/deeds/.tmp-{dead}-deadbeef-found-elderly"
    stale.mkdir()
    (stale / "post.txt").write_text("half", encoding="utf-8")
    live = site / f"out/weibo/deeds/.tmp-{os.getpid()}-cafebabe-found-elderly"  # another build's, under way
    live.mkdir()
    users = [site / "out/weibo/deeds/.tmp-notes.txt", site / "out/.tmp-keep"]
    for path in users:
        path.write_text("the user's own file", encoding="utf-8")
    build(cli, site)
    assert not stale.exists() and live.exists()
    assert all(path.read_text(encoding="utf-8") == "the user's own file" for path in users)


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_a_failing_rendition_removes_stale_output(site, cli):
    build(cli, site)
    path = site / "content/deeds/found-elderly.md"
    path.write_text(path.read_text(encoding="utf-8") + "很长。" * 300, encoding="utf-8")
    run = build(cli, site)
    assert run.code == 1
    assert not (site / "out/weibo/deeds/found-elderly").exists()
    errors = manifest(site)["errors"]
    assert errors and errors[0]["path"].endswith("found-elderly.md") and errors[0]["line"] == 1


def test_parallel_and_serial_builds_agree(site, cli, tmp_path):
    one = cli("build", "--site", site, "--out", tmp_path / "a", "--jobs", "1")
    two = cli("build", "--site", site, "--out", tmp_path / "b", "--jobs", "2")
    assert one.code == two.code == 0
    for file in sorted((tmp_path / "a").rglob("*")):
        if file.is_file() and file.name != "manifest.json":
            twin = tmp_path / "b" / file.relative_to(tmp_path / "a")
            assert twin.read_bytes() == file.read_bytes(), file

    def renditions(folder):  # the files' modification times differ, of course
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return [{k: v for k, v in r.items() if k != "outputs"} for r in data["renditions"]]

    assert renditions(tmp_path / "a") == renditions(tmp_path / "b")


def test_the_repository_demo_site_builds_cleanly(cli, tmp_path):
    run = cli("build", "--site", REPO, "--out", tmp_path / "demo")
    assert run.code == 0, run.err
    data = json.loads((tmp_path / "demo/manifest.json").read_text(encoding="utf-8"))
    stories = {r["story"] for r in data["renditions"]}
    assert len([s for s in stories if s.startswith("officers/")]) == 4
    assert len([s for s in stories if s.startswith("deeds/")]) >= 6
    assert len([s for s in stories if s.startswith("antifraud/")]) >= 3
    assert data["errors"] == [] and data["warnings"] == []
    # Every image of every WeChat article is in its rendition (#15 item 1): embedded in the page
    # (a data: URI that decodes to a picture) or a file beside it.
    shown = 0
    for article in (tmp_path / "demo/wechat").rglob("article.html"):
        for src in re.findall(r'<img[^>]+src="([^"]+)"', article.read_text(encoding="utf-8")):
            if src.startswith("data:image/"):
                Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).verify()
            else:
                assert (article.parent / src).is_file(), (article, src)
            shown += 1
    assert shown  # the demo shows body images (street-dusk.jpg in the telecom-fraud warning)
    # Typeset as an editor would: no word, number or name cut, no 孤字, no closing mark opening a line.
    audit = cli("check", "--typesetting", "--site", REPO, "--out", tmp_path / "demo", "--lang", "en")
    counts = dict(re.findall(r"(\w+)=(\d+)", audit.out.strip().splitlines()[-1]))
    assert {key: counts[key] for key in ("cut_words", "orphans", "punct", "numbers", "slide_breaks")} == {
        "cut_words": "0", "orphans": "0", "punct": "0", "numbers": "0", "slide_breaks": "0"}, audit.out
