"""Rendering on a Dask cluster: a LocalCluster of two worker processes makes the very files a local
build makes; a worker killed mid-render is retried elsewhere, or its rendition reported failed, and
never leaves anything half-written in the output."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES

from publisher import __version__
from publisher.errors import Diagnostic
from publisher.pipeline import cluster
from publisher.pipeline.build import Job, Outcome

distributed = pytest.importorskip("distributed", reason="the cluster extra: pip install -e '.[cluster]'")
dask = pytest.importorskip("dask")

VIDEO = """
[channels.douyin]
type = "video"
platform = "douyin"
account = "测试警方在线"
preset = "ultrafast"
title_seconds = 1.5
end_seconds = 1.5
cue_gap = 0.5
min_cue = 1.5

[channels.kuaishou]
type = "video"
platform = "kuaishou"
account = "测试警方在线"
preset = "ultrafast"
title_seconds = 1.5
end_seconds = 1.5
cue_gap = 0.5
min_cue = 1.5
"""


def make_site(root: Path) -> Path:
    """The fixture site (Weibo, WeChat) with the video fixture's script story for two video channels
    that share its clip (Douyin and Kuaishou: one encode, one file in .shared/)."""
    site = root / "site"
    shutil.copytree(FIXTURES / "site", site)
    for asset in (FIXTURES / "video-site/assets").iterdir():
        shutil.copy(asset, site / "assets" / asset.name)
    script = (FIXTURES / "video-site/content/antifraud/script.md").read_text(encoding="utf-8")
    assert "\nkind: antifraud\n" in script
    script = script.replace("\nkind: antifraud\n", "\nkind: antifraud\nchannels: [douyin, kuaishou]\n")
    (site / "content/antifraud/script.md").write_text(script, encoding="utf-8")
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + VIDEO, encoding="utf-8")
    return site


def start_cluster(**config) -> distributed.LocalCluster:
    with dask.config.set(config):
        return distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                        scheduler_port=0, silence_logs=40)


def address(local: distributed.LocalCluster) -> str:
    return local.scheduler_address.replace("tcp://", "dask://")


@pytest.fixture(scope="module")
def local_cluster():
    with start_cluster() as local:
        yield local


@pytest.fixture(scope="module")
def local_build(tmp_path_factory):
    """The site built on this machine with the local process pool (the reference)."""
    site = make_site(tmp_path_factory.mktemp("reference"))
    run = publisher("build", "--site", site, "--out", site / "out", "--jobs", "2")
    assert run.returncode == 0, run.stderr
    return site / "out"


def publisher(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "publisher", *map(str, args)], capture_output=True, text=True,
                          timeout=300, **kwargs)


def tree(out: Path) -> dict[str, bytes]:
    """Every file of an output folder, the manifest without modification times (the only thing that
    may differ between two builds of the same site) and without the lock (it holds a PID)."""
    files = {}
    for path in sorted(out.rglob("*")):
        if not path.is_file() or path.name == ".publisher.lock":
            continue
        name = path.relative_to(out).as_posix()
        data = path.read_bytes()
        if name == "manifest.json":
            manifest = json.loads(data)
            for rendition in manifest["renditions"]:
                rendition["outputs"] = {file: value[:2] for file, value in rendition["outputs"].items()}
            data = json.dumps(manifest, sort_keys=True).encode()
        files[name] = data
    return files


def linked(out: Path) -> set[frozenset[str]]:
    """Groups of files that are one file on disk (an artifact and its hard links)."""
    groups: dict[int, set[str]] = {}
    for path in out.rglob("*"):
        if path.is_file() and path.stat().st_nlink > 1:
            groups.setdefault(path.stat().st_ino, set()).add(path.relative_to(out).as_posix())
    return {frozenset(group) for group in groups.values()}


def leftovers(out: Path) -> list[Path]:
    return [path for path in out.rglob("*") if path.name.startswith(".tmp-")]


def consistent(out: Path) -> list[str]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return [f for r in manifest["renditions"] for f in r["files"] if not (out / f).is_file()]


def test_a_cluster_build_makes_the_same_files_as_a_local_build(tmp_path, local_cluster, local_build, cli):
    site = make_site(tmp_path)
    out = site / "out"
    run = cli("build", "--site", site, "--out", out, "--executor", address(local_cluster))
    assert run.code == 0, run.err
    assert "douyin: 1 rendered" in run.out and "kuaishou: 1 rendered" in run.out and "weibo: 4 rendered" in run.out
    ours, reference = tree(out), tree(local_build)
    assert sorted(ours) == sorted(reference)
    assert [name for name in ours if ours[name] != reference[name]] == []
    assert any(name.endswith("video.mp4") for name in ours)
    # The clip Douyin and Kuaishou share is one file in .shared/ with a hard link in each rendition.
    assert linked(out) == linked(local_build)
    assert any(len(group) == 3 for group in linked(out))
    assert leftovers(out) == []
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob(f"{cluster.SCRATCH_PREFIX}*"))

    # Nothing changed: nothing is rendered, and the scheduler is not even asked (an address nobody
    # listens on is fine); the same holds for [build] executor in config.toml.
    run = cli("build", "--site", site, "--out", out, "--executor", "dask://127.0.0.1:1")
    assert run.code == 0, run.err
    assert "douyin: 0 rendered, 1 unchanged" in run.out


def test_executor_from_config_toml_and_a_local_build_keep_each_others_renditions(tmp_path, local_cluster, cli):
    site = make_site(tmp_path)
    out = site / "out"
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + f'\n[build]\nexecutor = "{address(local_cluster)}"\n',
                      encoding="utf-8")
    story = site / "content/deeds/found-elderly.md"
    story.write_text(story.read_text(encoding="utf-8").replace("两小时后", "三小时后"), encoding="utf-8")
    run = cli("build", "--site", site, "--out", out, "--channel", "weibo", "--channel", "wechat")
    assert run.code == 0, run.err
    assert "三小时后" in (out / "weibo/deeds/found-elderly/post.txt").read_text(encoding="utf-8")
    # Where renditions render is not part of what they are: a local build finds them all current.
    run = cli("build", "--site", site, "--out", out, "--channel", "weibo", "--channel", "wechat",
              "--executor", "local")
    assert run.code == 0, run.err
    assert "weibo: 0 rendered, 4 unchanged" in run.out


def _kill_mid_encode(process: subprocess.Popen, scratch: Path) -> int:
    """Wait until a worker is encoding a clip (its temporary MP4 under the worker's scratch has
    data), SIGKILL that worker process and return its PID."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        for temp in scratch.glob(f"{cluster.SCRATCH_PREFIX}*/.shared/.tmp-*.mp4"):
            try:
                if temp.stat().st_size > 0:
                    pid = int(temp.name.split("-")[1])
                    os.kill(pid, signal.SIGKILL)
                    return pid
            except (OSError, ValueError):
                continue
        time.sleep(0.02)
    pytest.fail("no worker was seen encoding")


def _build_while_killing(site: Path, scratch: Path, local: distributed.LocalCluster) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "publisher", "build", "--site", str(site), "--out",
                                str(site / "out"), "--executor", address(local)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    _kill_mid_encode(process, scratch)
    stdout, stderr = process.communicate(timeout=300)
    return process, stdout + stderr


def test_a_worker_killed_mid_render_is_retried_on_another(tmp_path, monkeypatch, local_build):
    scratch = tmp_path / "workers-tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))  # the workers' scratch, where the test watches them
    site = make_site(tmp_path)
    with start_cluster() as local:
        process, output = _build_while_killing(site, scratch, local)
    assert process.returncode == 0, output
    out = site / "out"
    assert leftovers(out) == []
    assert consistent(out) == []
    ours, reference = tree(out), tree(local_build)
    assert [name for name in ours if ours.get(name) != reference.get(name)] == []
    assert sorted(ours) == sorted(reference)


def test_a_worker_killed_with_no_retry_left_is_reported_and_leaves_nothing(tmp_path, monkeypatch):
    scratch = tmp_path / "workers-tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    site = make_site(tmp_path)
    out = site / "out"
    with start_cluster(**{"distributed.scheduler.allowed-failures": 0}) as local:
        process, output = _build_while_killing(site, scratch, local)
        assert process.returncode == 1, output
        assert "Traceback" not in output
        assert "died 1 time(s)" in output and "nothing of it was written" in output
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        failed = [(e["path"], e["message"]) for e in manifest["errors"]]
        assert failed and all("died" in message for _path, message in failed)
        listed = {(r["channel"], r["story"]) for r in manifest["renditions"]}
        missing = {(c, "antifraud/script") for c in ("douyin", "kuaishou") if (c, "antifraud/script") not in listed}
        assert len(missing) == len(failed)
        assert {message.split(":")[0] for _path, message in failed} == {c for c, _story in missing}  # by channel
        for channel, story in missing:  # a failed rendition has no folder at all, not a partial one
            assert not (out / channel / story).exists()
        assert ("weibo", "deeds/found-elderly") in listed
        assert leftovers(out) == []
        assert consistent(out) == []

        # The next build renders what failed.
        run = publisher("build", "--site", site, "--out", out, "--executor", address(local))
        assert run.returncode == 0, run.stderr
        assert consistent(out) == []
        assert (out / "douyin/antifraud/script/video.mp4").stat().st_size > 0


# -- the build's side of a parcel: what a worker sends is checked before anything is written ----------


def _job(site: Path, out: Path) -> Job:
    from publisher.config import load_config
    from publisher.pipeline.reader import read_site
    from publisher.render.channel import StoryUnit

    config, _text = load_config(site)
    stories, _problems = read_site(site, config)
    story = next(s for s in stories if s.id == "deeds/found-elderly")
    return Job(site, out, config, StoryUnit(story), "weibo", "plan")


def _parcel(job: Job, **files: bytes) -> cluster.Parcel:
    recorded = {"content/deeds/found-elderly.md": "0" * 64}
    return cluster.Parcel(Outcome(job.key, job.channel, files=list(files), inputs=recorded), dict(files),
                          host="worker-7")


@pytest.fixture
def job(site):
    return _job(site.resolve(), (site / "out").resolve())


def test_a_worker_that_read_another_version_of_a_story_fails_the_rendition(job):
    outcome = cluster.receive(job, _parcel(job, **{"post.txt": b"stale"}))
    assert [d.message for d in outcome.errors] == [
        f"the Dask worker on worker-7 read content/deeds/found-elderly.md other than it is here; workers must "
        f"read the site at {job.site} as the build sees it (a shared folder, up to date), and run the same packages"]
    assert not (job.out / "weibo").exists()


def test_a_worker_running_another_version_fails_the_rendition(job):
    parcel = _parcel(job, **{"post.txt": b"x"})
    parcel.version = "0.0.1"
    outcome = cluster.receive(job, parcel)
    assert f"runs publisher 0.0.1, this machine {__version__}" in outcome.errors[0].message


@pytest.mark.parametrize("name", ["../../escape.txt", ".tmp-1-abcdefgh-x", "a/../../b", "/etc/x"])
def test_a_file_name_that_would_leave_the_rendition_is_refused(job, name):
    from publisher.content.hashing import file_hash

    parcel = _parcel(job, **{name: b"x"})
    parcel.outcome.inputs = {"content/deeds/found-elderly.md": file_hash(job.unit.story.path)}
    outcome = cluster.receive(job, parcel)
    assert outcome.errors and "refused" in outcome.errors[0].message
    assert not (job.out.parent / "escape.txt").exists()
    assert not job.out.exists() or leftovers(job.out) == []


def test_a_worker_failure_reaches_the_build_as_a_diagnostic(job):
    outcome = cluster._lost(job, ConnectionResetError("scheduler gone"))
    assert outcome.errors == [Diagnostic("content/deeds/found-elderly.md", 1, 1, outcome.errors[0].message)]
    assert "ConnectionResetError: scheduler gone" in outcome.errors[0].message


def test_an_unreachable_scheduler_is_a_clear_error_and_nothing_is_written(site, cli):
    run = cli("build", "--site", site, "--out", site / "out", "--executor", "dask://127.0.0.1:1")
    assert run.code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in run.err
    assert "Traceback" not in run.err
    assert not (site / "out/weibo").exists()
    assert leftovers(site / "out") == []


@pytest.mark.parametrize("value, expected", [
    ("tcp://10.0.0.5:8786", "'tcp://10.0.0.5:8786' is not an executor"),
    ("dask://10.0.0.5:99999", "is not an address (a port is a number from 1 to 65535)"),
    ("dask://:8786", "the scheduler's host is missing"),
    ("dask://h:8786/path", "give only the scheduler's host and port"),
    ("dask://h:0", "port 0 is not a port"),
])
def test_a_wrong_executor_in_config_toml_is_located(site, cli, value, expected):
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + f'\n[build]\nexecutor = "{value}"\n', encoding="utf-8")
    line = config.read_text(encoding="utf-8").splitlines().index(f'executor = "{value}"') + 1
    run = cli("build", "--site", site, "--out", site / "out")
    assert run.code == 2
    assert f"config.toml:{line}:1: error: build.executor: " in run.err
    assert expected in run.err


def test_a_wrong_executor_option_is_a_usage_error_in_chinese(site, cli, chinese):
    run = cli("build", "--site", site, "--out", site / "out", "--executor", "dask:/h")
    assert run.code == 2
    assert run.err.startswith("错误：--executor：")
    assert "缺少调度器的主机名" in run.err and "dask://10.0.0.5:8786" in run.err
    assert not (site / "out").exists()


def test_a_worker_that_does_not_see_the_site_says_so(job, tmp_path):
    elsewhere = tmp_path / "not-mounted"
    parcel = cluster.render_remote(Job(elsewhere, job.out, job.config, job.unit, "weibo", "plan"), "en", "t")
    assert parcel.files == {}
    assert f"does not see the site at {elsewhere}; workers read the site's files at the same path" in \
        parcel.outcome.errors[0].message
    assert not (job.out / "weibo").exists()


def test_render_remote_renders_into_its_scratch_and_sends_every_file(job, tmp_path, monkeypatch):
    monkeypatch.setattr(cluster.tempfile, "gettempdir", lambda: str(tmp_path))
    parcel = cluster.render_remote(job, "en", "token")
    assert parcel.outcome.errors == []
    assert sorted(parcel.files) == sorted(parcel.outcome.files)
    assert "【民警帮走失老人回家】" in parcel.files["post.txt"].decode()
    assert not (job.out / "weibo").exists()  # the worker never writes the output
    outcome = cluster.receive(job, parcel)
    assert outcome.errors == []
    assert Path(outcome.stage).parent == job.out / "weibo/deeds"
    assert (Path(outcome.stage) / "post.txt").read_bytes() == parcel.files["post.txt"]
    cluster.forget("token")
    assert not list(tmp_path.glob(f"{cluster.SCRATCH_PREFIX}*"))
