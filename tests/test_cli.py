import subprocess
import sys

from publisher.config import load_config
from publisher.pipeline.reader import read_story


def test_help_explains_every_command():
    out = subprocess.run([sys.executable, "-m", "publisher", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for command in ("build", "check", "new", "review", "preview", "serve", "run", "publish", "batch", "status",
                    "resolve"):
        assert command in out.stdout
        sub = subprocess.run([sys.executable, "-m", "publisher", command, "--help"], capture_output=True,
                             text=True)
        assert sub.returncode == 0 and "--site" in sub.stdout


def test_no_command_is_usage_error(cli):
    assert cli().code == 2


def test_new_scaffolds_every_field_commented(site, cli):
    run = cli("new", "--site", site, "deed", "暖心民警送迷路老人回家", "--slug", "warm-hearted")
    assert run.code == 0, run.err
    path = site / "content/deeds/warm-hearted.md"
    text = path.read_text(encoding="utf-8")
    for key in ("title", "kind", "date", "summary", "topics", "channels", "images", "status",
                "publish_after", "expire_after", "figures", "extra"):
        assert f"\n{key}:" in text, key
        index = text.index(f"\n{key}:")
        assert text[:index].rstrip().splitlines()[-1].startswith("#"), f"{key} has no comment"
    config, _ = load_config(site)
    story = read_story(site, "deeds/warm-hearted", path, config)
    assert story.meta.title == "暖心民警送迷路老人回家"
    assert story.meta.status == "draft"
    assert story.channels == ["weibo", "wechat"]


def test_new_officer_has_officer_fields(site, cli):
    run = cli("new", "--site", site, "officer", "社区民警的一天")
    assert run.code == 0
    text = (site / "content/officers").joinpath(run.out.strip().rsplit("/", 1)[1]).read_text(encoding="utf-8")
    assert "officer:" in text and "honors:" in text


def test_new_refuses_to_overwrite(site, cli):
    assert cli("new", "--site", site, "deed", "x", "--slug", "found-elderly").code == 2


def test_unwritable_output_is_a_clear_error(site, cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    run = cli("build", "--site", site, "--out", blocker / "out")
    assert run.code == 2 and run.err.startswith("error: ") and "Traceback" not in run.err
