"""Douyin clips, checked from the outside: ffmpeg's view of the MP4, frames, the SRT."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, write
from PIL import Image

from publisher.channels.video import VideoSettings
from publisher.cli import main
from publisher.render.linebreak import NO_LINE_END, NO_LINE_START
from publisher.render.video.encode import ffmpeg
from publisher.render.video.probe import moov_before_mdat, probe
from publisher.render.video.subtitles import subtitle_box

CHANNEL = VideoSettings(type="video", cue_gap=0.5)
BOX = subtitle_box(CHANNEL)


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "video-site", site)
    return site


def _build(site: Path) -> int:
    return main(["build", "--site", str(site), "--out", str(site / "out"), "--jobs", "2"])


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> Path:
    """The video fixture site, with a voice-over story and a per-scene voice story, built once."""
    site = _site(tmp_path_factory.mktemp("video"))
    write(site / "content/deeds/voiced.md",
          "---\ntitle: 配音测试\nkind: deed\ndate: 2021-04-01\nstatus: ready\nvoice: voice.m4a\n---\n\n"
          "## 第一幕\n\n[00:01.0]民警接到求助。马上出发。\n\n## 第二幕\n\n[00:04.0]老人平安回家。\n")
    write(site / "content/deeds/per-scene.md",
          "---\ntitle: 分场配音\nkind: deed\ndate: 2021-04-01\nstatus: ready\n"
          "voice: [scene1.mp3, scene2.wav]\n---\n\n## 一\n\n第一句话。第二句话比较长一些。\n\n## 二\n\n第三句。\n")
    assert _build(site) == 0
    return site / "out/douyin"


def _plan(folder: Path) -> dict:
    return json.loads((folder / "plan.json").read_text(encoding="utf-8"))


def _frame(video: Path, t: float) -> np.ndarray:
    raw = subprocess.run([ffmpeg(), "-loglevel", "error", "-ss", f"{t:.3f}", "-i", str(video), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(1920, 1080, 3)


def _white(region: np.ndarray) -> np.ndarray:
    return (region > 225).all(axis=2)


def _srt(path: Path) -> list[dict]:
    cues = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        number, times, *lines = block.split("\n")
        start, end = (_seconds(t) for t in times.split(" --> "))
        cues.append({"number": int(number), "start": start, "end": end, "lines": lines})
    return cues


def _seconds(stamp: str) -> float:
    match = re.fullmatch(r"(\d\d):(\d\d):(\d\d),(\d\d\d)", stamp)
    assert match, stamp
    h, m, s, ms = (int(g) for g in match.groups())
    return h * 3600 + m * 60 + s + ms / 1000


def test_video_is_h264_1080x1920_30fps_with_aac_and_faststart(clips):
    folder = clips / "antifraud/script"
    info = probe(folder / "video.mp4")
    assert info.video["codec"] == "h264" and info.video["pix_fmt"] == "yuv420p"
    assert (info.video["width"], info.video["height"]) == (1080, 1920)
    assert info.video["fps"] == 30.0
    assert "bt709" in info.video["color"]
    assert info.audio["codec"] == "aac"
    assert moov_before_mdat(folder / "video.mp4")
    assert abs(info.duration - _plan(folder)["duration"]) <= 0.1


def test_outputs_beside_the_video(clips):
    folder = clips / "antifraud/script"
    assert Image.open(folder / "cover.jpg").size == (1080, 1440)
    caption = (folder / "caption.txt").read_text(encoding="utf-8").splitlines()
    assert caption[0] == "冒充公检法诈骗" and len(caption[0]) <= 30
    assert "#反诈宣传" in caption[-1]


def test_srt_matches_the_plan_and_reading_speed(clips):
    folder = clips / "antifraud/script"
    plan, cues = _plan(folder), _srt(folder / "video.srt")
    assert [c["number"] for c in cues] == list(range(1, len(cues) + 1))
    assert len(cues) == len(plan["cues"]) == 3
    for cue, planned in zip(cues, plan["cues"], strict=True):
        assert cue["lines"] == planned["lines"]
        assert abs(cue["start"] - planned["start"]) < 0.002 and abs(cue["end"] - planned["end"]) < 0.002
        assert cue["end"] > cue["start"]
        chars = sum(len(line) for line in cue["lines"])
        assert cue["end"] - cue["start"] == pytest.approx(min(max(chars / 4.5, 1.5), 7.0), abs=0.002)
    starts = [c["start"] for c in cues]
    assert starts == sorted(starts) and starts[0] == pytest.approx(1.5)


def test_markdown_never_leaks_into_subtitles(clips):
    text = (clips / "antifraud/script/video.srt").read_text(encoding="utf-8")
    for leak in ("**", "#", "](", "http", "- ", "!["):
        assert leak not in text
    assert "对方自称公安，说你涉嫌洗钱。" in text.replace("\n", "")
    assert "不听、不信、不转账。" in text


def test_cues_follow_the_line_rules(clips):
    for srt in clips.rglob("video.srt"):
        for cue in _srt(srt):
            assert 1 <= len(cue["lines"]) <= 2
            for line in cue["lines"]:
                assert len(line) <= 16, line
                assert line[0] not in NO_LINE_START and line[-1] not in NO_LINE_END, line


def test_subtitle_ink_is_inside_the_box_at_every_cue_and_absent_between(clips):
    folder = clips / "antifraud/script"
    video, plan = folder / "video.mp4", _plan(folder)
    below = slice(BOX.bottom + 4, 1920)
    for cue in plan["cues"]:
        frame = _frame(video, (cue["start"] + cue["end"]) / 2)
        inside = _white(frame[BOX.y:BOX.bottom, BOX.x:BOX.right])
        assert inside.sum() > 500, f"no subtitle ink for {cue['lines']}"
        assert not _white(frame[below]).any(), "subtitle ink below the safe line"
        assert not _white(frame[BOX.y:BOX.bottom, BOX.right + 4:]).any(), "ink under Douyin's buttons"
    gaps = [(a["end"] + b["start"]) / 2 for a, b in zip(plan["cues"], plan["cues"][1:], strict=False)]
    for t in [*gaps, plan["title"][1] / 2, plan["end_card"][0] + 0.5]:
        frame = _frame(video, t)
        assert _white(frame[BOX.y:BOX.bottom, BOX.x:BOX.right]).sum() < 20, f"subtitle ink at {t:.2f}s"


def test_photo_scene_moves_and_fills_the_frame(clips):
    folder = clips / "antifraud/script"
    scene = _plan(folder)["scenes"][0]
    assert scene["image"]
    early = _frame(folder / "video.mp4", scene["start"] + 0.1)
    late = _frame(folder / "video.mp4", scene["end"] - 0.1)
    band = slice(500, 1200)  # between heading and subtitles
    assert np.abs(early[band].astype(int) - late[band].astype(int)).mean() > 10  # it panned
    red = (early[band, :, 0] > 150) & (early[band, :, 1] < 110)
    assert red[:, :40].any() and red[:, -40:].any()  # the photo reaches both edges (cover-crop)


def test_voice_over_marks_set_cue_times(clips):
    folder = clips / "deeds/voiced"
    plan, cues = _plan(folder), _srt(folder / "video.srt")
    voice_start = plan["voice_start"]
    assert [c["lines"] for c in cues] == [["民警接到求助。"], ["马上出发。"], ["老人平安回家。"]]
    assert cues[0]["start"] == pytest.approx(voice_start + 1.0, abs=0.002)
    assert cues[2]["start"] == pytest.approx(voice_start + 4.0, abs=0.002)
    # Unmarked cues share the span in proportion to their length (7 and 5 characters).
    span = 3.0
    assert cues[1]["start"] == pytest.approx(voice_start + 1.0 + span * 7 / 12, abs=0.002)
    assert plan["duration"] == pytest.approx(voice_start + 6.0 + 0.3 + 1.5, abs=0.05)
    assert abs(probe(folder / "video.mp4").duration - plan["duration"]) <= 0.1


def test_one_voice_file_per_scene(clips):
    folder = clips / "deeds/per-scene"
    plan = _plan(folder)
    first, second = plan["scenes"]
    assert first["voice"] == "scene1.mp3" and second["voice"] == "scene2.wav"
    assert second["start"] - first["start"] == pytest.approx(probe(FIXTURES / "video-site/assets/scene1.mp3").duration
                                                           + 0.3, abs=0.05)
    cues = _srt(folder / "video.srt")
    assert cues[-1]["start"] == pytest.approx(second["start"], abs=0.002)


def test_music_is_audible_and_fades_out(clips):
    video = clips / "antifraud/script/video.mp4"
    plan = _plan(clips / "antifraud/script")

    def loudness(start: float, length: float) -> float:
        out = subprocess.run([ffmpeg(), "-hide_banner", "-ss", str(start), "-t", str(length), "-i", str(video),
                              "-af", "volumedetect", "-f", "null", "-"], capture_output=True, text=True).stderr
        return float(re.search(r"mean_volume: (-?[\d.]+) dB", out).group(1))

    assert loudness(1.0, 1.0) > -40  # music under the whole clip (looped: the file lasts 3 s)
    assert loudness(plan["duration"] - 0.3, 0.25) < loudness(1.0, 1.0) - 6  # faded out


LONG_ENOUGH = "## 场景\n\n一句足够长的字幕，用来凑够时间。第二句也在这里。"


def _bad(tmp_path: Path, name: str, front: str, body: str = LONG_ENOUGH) -> Path:
    site = _site(tmp_path)
    write(site / f"content/deeds/{name}.md", f"---\ntitle: 坏视频\nkind: deed\ndate: 2021-04-01\nstatus: ready\n"
          f"{front}---\n\n{body}\n")
    return site


@pytest.mark.parametrize(("front", "body", "expected"), [
    ("music: nowhere.mp3\n", None, ":6:1: error: audio 'nowhere.mp3' not found"),
    ("voice: fake.m4a\n", None, ":6:1: error: voice 'fake.m4a' is unreadable or not audio"),
    ("", "## 场景\n\n![x](missing.jpg)\n\n一句字幕。第二句字幕在这里。", ":10:6: error: image 'missing.jpg' not found"),
    ("voice: [voice.m4a, scene2.wav]\n", None, ":6:1: error: voice: 2 files for 1 scenes"),
])
def test_bad_inputs_are_content_errors_and_others_still_render(tmp_path, capsys, front, body, expected):
    site = _bad(tmp_path, "bad", front, body or LONG_ENOUGH)
    (site / "assets/fake.m4a").write_text("not audio", encoding="utf-8")
    code = _build(site)
    err = capsys.readouterr().err
    assert code == 1
    assert "content/deeds/bad.md" in err and expected in err, err
    assert "Traceback" not in err
    assert (site / "out/douyin/antifraud/script/video.mp4").is_file()


def test_duration_outside_the_limits(tmp_path, capsys):
    site = _bad(tmp_path, "bad", "", "## 短\n\n短。")
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + "min_seconds = 8\n", encoding="utf-8")
    assert _build(site) == 1
    assert "bad.md:1:1: error: the clip would last 5.0 s; Douyin clips must last between 8 s and 900 s" in \
        capsys.readouterr().err


def test_title_over_30_characters(tmp_path, capsys):
    site = _bad(tmp_path, "bad", "")
    path = site / "content/deeds/bad.md"
    path.write_text(path.read_text(encoding="utf-8").replace("坏视频", "很" * 31), encoding="utf-8")
    assert main(["check", "--site", str(site)]) == 1
    assert "bad.md:2:1: error: title is 31 characters, over Douyin's limit of 30 by 1" in capsys.readouterr().err


def test_file_over_the_size_limit(tmp_path, capsys):
    site = _site(tmp_path)
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + "max_megabytes = 0.001\n", encoding="utf-8")
    assert _build(site) == 1
    assert "over Douyin's 0.001 MB" in capsys.readouterr().err
    assert not (site / "out/douyin/antifraud/script").exists()
