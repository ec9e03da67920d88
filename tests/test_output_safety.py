"""The build deletes only what it created, inside its output; it survives kills and company:
after any interruption, and with two builds and a preview at once, the output matches its
manifest and the sources."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import write

from publisher.cli import main


def _config(site: Path, **values: str) -> None:
    path = site / "config.toml"
    text = path.read_text(encoding="utf-8")
    for key, value in values.items():
        text = f'{key} = "{value}"\n' + text
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("output", ["", ".", "..", "content", "assets/out"])
def test_an_output_folder_over_the_site_is_refused_and_nothing_is_deleted(tmp_path, site, output, capsys):
    notes = write(site / "content/deeds/.tmp-notes.txt", "my notes")
    sibling = write(tmp_path / "sibling/.tmp-keep", "keep me")
    _config(site, output=output)
    assert main(["build", "--site", str(site), "--jobs", "1"]) == 2
    assert "output folder" in capsys.readouterr().err
    assert notes.read_text(encoding="utf-8") == "my notes"
    assert sibling.read_text(encoding="utf-8") == "keep me"


def test_out_pointing_at_a_shared_folder_sweeps_nothing_of_others(tmp_path, site):
    shared = tmp_path / "shared"
    others = [write(shared / ".tmp-other-program", "x"), write(shared / "a/b/.tmp-123-abcdefgh-x", "y")]
    assert main(["build", "--site", str(site), "--out", str(shared), "--jobs", "1"]) == 0
    assert all(path.exists() for path in others)


def test_a_crafted_manifest_cannot_make_the_build_delete_outside_the_output(tmp_path, site):
    victim = write(tmp_path / "victim/important.txt", "do not delete")
    out = site / "out"
    assert main(["build", "--site", str(site), "--out", str(out), "--jobs", "1"]) == 0
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    depth = len(out.relative_to(tmp_path).parts) + 1
    data["renditions"].append({"story": "/".join([".."] * depth) + "/victim", "channel": "weibo", "type": "weibo",
                               "files": [], "hash": "x"})
    data["renditions"].append({"story": "x", "channel": "../../..", "type": "weibo", "files": [], "hash": "x"})
    (out / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    assert main(["build", "--site", str(site), "--out", str(out), "--jobs", "1"]) == 0
    assert victim.read_text(encoding="utf-8") == "do not delete"


def _publisher(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "publisher", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True, **kwargs)


def _consistent(site: Path, out: Path) -> list[str]:
    """Problems: manifest entries whose files are missing, and text renditions that do not hold
    what the story says now."""
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    problems = [f for r in data["renditions"] for f in r["files"] if not (out / f).is_file()]
    for rendition in data["renditions"]:
        if rendition["channel"] == "weibo" and rendition["story"] == "deeds/found-elderly":
            post = (out / "weibo/deeds/found-elderly/post.txt").read_text(encoding="utf-8")
            source = (site / "content/deeds/found-elderly.md").read_text(encoding="utf-8")
            if ("追加的一句话" in post) != ("追加的一句话" in source):
                problems.append("post.txt does not match the story")
    return problems


def test_killed_builds_leave_output_that_matches_manifest_and_sources(site):
    """Append text, build, kill -9 at a random moment, revert, build again: never stale."""
    out = site / "out"
    story = site / "content/deeds/found-elderly.md"
    original = story.read_text(encoding="utf-8")
    assert main(["build", "--site", str(site), "--out", str(out), "--jobs", "2"]) == 0
    rng = random.Random(7)
    for round_ in range(20):
        story.write_text(original + ("\n追加的一句话。\n" if round_ % 2 == 0 else ""), encoding="utf-8")
        for path in (site / "content").rglob("*.md"):  # every rendition renders again
            os.utime(path)
        (site / "templates/weibo").mkdir(parents=True, exist_ok=True)
        write(site / "templates/weibo/post.txt.j2", f"{{{{ story.title }}}}\n{{{{ body_text }}}}\n{round_}\n")
        process = _publisher("build", "--site", str(site), "--out", str(out), "--jobs", "2")
        time.sleep(rng.uniform(0.3, 2.5))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        if round_ % 2 == 0:
            story.write_text(original, encoding="utf-8")
        assert main(["build", "--site", str(site), "--out", str(out), "--jobs", "2"]) == 0
        assert _consistent(site, out) == [], f"round {round_}"
        assert not [p for p in out.rglob(".tmp-*")]


def test_workers_die_with_a_killed_build(site):
    out = site / "out"
    process = _publisher("build", "--site", str(site), "--out", str(out), "--jobs", "2")
    deadline = time.monotonic() + 20
    children: list[int] = []
    while time.monotonic() < deadline and not children:
        children = _children(process.pid)
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)  # the main process only: workers must follow
    process.wait()
    # A worker still starting (a spawned interpreter importing) dies as soon as it is up.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and [pid for pid in children if _alive(pid)]:
        time.sleep(0.1)
    alive = [pid for pid in children if _alive(pid)]
    assert alive == []


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


def test_two_builds_and_a_preview_at_once(site):
    out = site / "out"
    runs = [_publisher("build", "--site", str(site), "--out", str(out), "--jobs", "2"),
            _publisher("build", "--site", str(site), "--out", str(out), "--jobs", "1"),
            _publisher("preview", "--site", str(site), "--out", str(out))]
    codes = [run.wait(timeout=300) for run in runs]
    errors = [run.stderr.read().decode() for run in runs]
    assert codes == [0, 0, 0], errors
    assert _consistent(site, out) == []
    assert (out / "preview/index.html").is_file()
    assert not [p for p in out.rglob(".tmp-*")]


def test_ctrl_c_stops_at_once_and_leaves_the_previous_output(site):
    out = site / "out"
    assert main(["build", "--site", str(site), "--out", str(out), "--jobs", "2"]) == 0
    for path in (site / "content").rglob("*.md"):  # everything must render again: slow enough to interrupt
        path.write_text(path.read_text(encoding="utf-8") + "\n新增的一段话。\n", encoding="utf-8")
    for n in range(150):
        write(site / f"content/deeds/extra-{n}.md", f"---\ntitle: 新增稿件{n}\nkind: deed\ndate: 2021-04-08\n"
                                                   f"status: ready\n---\n\n民警帮助群众。\n")
    process = subprocess.Popen([sys.executable, "-m", "publisher", "build", "--site", str(site), "--out", str(out),
                                "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not (out / ".manifest-journal.jsonl").exists() and time.monotonic() < deadline:
        time.sleep(0.02)  # interrupt once renditions are being swapped in
    time.sleep(0.3)
    assert process.poll() is None, "the build finished before it could be interrupted"
    interrupted = time.monotonic()
    process.send_signal(signal.SIGINT)
    code = process.wait(timeout=30)
    assert time.monotonic() - interrupted < 5
    assert code == 130, process.stderr.read().decode()
    assert _consistent(site, out) == []
    assert not [p for p in out.rglob(".tmp-*")]
    assert main(["build", "--site", str(site), "--out", str(out), "--jobs", "2"]) == 0  # and it finishes later
    assert "新增的一段话" in (out / "weibo/deeds/found-elderly/post.txt").read_text(encoding="utf-8")
