"""The clip's sound, heard from the outside: the MP4's audio decoded to PCM and measured."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, write

from publisher.cli import main
from publisher.render.video.encode import ffmpeg

RATE = 44100
TONE = 5000
"""The test voice is a 5 kHz tone: far above the music bed, so a low-pass leaves only the music."""


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "video-site", site)
    return site


def _build(site: Path) -> int:
    return main(["build", "--site", str(site), "--out", str(site / "out"), "--jobs", "2"])


def _voice_with_a_pause(path: Path) -> None:
    """Speech stand-in: 0-2 s tone, 2-5.5 s silence, 5.5-7.5 s tone, 7.5-8 s silence."""
    t = np.arange(8 * RATE) / RATE
    speaking = (t < 2.0) | ((t >= 5.5) & (t < 7.5))
    samples = 0.25 * np.sin(2 * np.pi * TONE * t) * speaking
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((samples * 32767).astype("<i2").tobytes())


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> Path:
    site = _site(tmp_path_factory.mktemp("music"))
    _voice_with_a_pause(site / "assets/pause.wav")
    write(site / "content/deeds/quiet.md",
          "---\ntitle: 没有配乐\nkind: deed\ndate: 2021-04-01\nstatus: ready\n---\n\n"
          "## 一\n\n这篇稿件没有写配乐，也没有配音。它应当用软件自带的背景音乐。\n")
    write(site / "content/deeds/ducked.md",
          "---\ntitle: 配音压低音乐\nkind: deed\ndate: 2021-04-01\nstatus: ready\nvoice: pause.wav\n---\n\n"
          "## 一\n\n[00:00.0]第一段话。[00:05.5]第二段话。\n")
    assert _build(site) == 0
    return site


def _pcm(video: Path, start: float, length: float, filters: str = "") -> np.ndarray:
    """The clip's audio from ``start`` for ``length`` seconds, mono float, through ``filters``."""
    command = [ffmpeg(), "-hide_banner", "-loglevel", "error", "-ss", f"{start:.3f}", "-t", f"{length:.3f}",
               "-i", str(video), "-vn", *(["-af", filters] if filters else []), "-ac", "1", "-ar", str(RATE),
               "-f", "f32le", "-"]
    return np.frombuffer(subprocess.run(command, capture_output=True, check=True).stdout, np.float32)


def _db(samples: np.ndarray) -> float:
    return 20 * np.log10(max(1e-9, float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))))


def _audio_kbps(video: Path) -> int:
    text = subprocess.run([ffmpeg(), "-hide_banner", "-i", str(video)], capture_output=True, text=True).stderr
    match = re.search(r"Audio: aac.*?(\d+) kb/s", text)
    assert match, text
    return int(match.group(1))


MUSIC_ONLY = "lowpass=f=900,lowpass=f=900"
VOICE_ONLY = "highpass=f=3500,highpass=f=3500"


def test_a_story_without_music_gets_the_bundled_bed(clips):
    video = clips / "out/douyin/deeds/quiet/video.mp4"
    assert _audio_kbps(video) >= 96  # a real track, not the ~2 kb/s of silence
    plan = json.loads((clips / "out/douyin/deeds/quiet/plan.json").read_text(encoding="utf-8"))
    for start in np.arange(0.5, plan["duration"] - 2.5, 1.0):
        assert _db(_pcm(video, start, 0.5)) > -40, f"no music at {start:.1f}s"
    assert _db(_pcm(video, plan["duration"] - 0.2, 0.15)) < _db(_pcm(video, 1.0, 1.0)) - 10  # faded out


def test_the_bed_is_recorded_as_an_input_of_the_rendition(clips):
    manifest = json.loads((clips / "out/manifest.json").read_text(encoding="utf-8"))
    inputs = next(r["inputs"] for r in manifest["renditions"] if r["story"] == "deeds/quiet")
    assert "package:publisher:assets/music/calm-bed.m4a" in inputs
    # The story with its own music: only that music.
    named = next(r["inputs"] for r in manifest["renditions"] if r["story"] == "antifraud/script")
    assert "assets/music.wav" in named and not any("calm-bed" in key for key in named)


def test_music_dips_under_the_voice_and_comes_back_in_its_pause(clips):
    video = clips / "out/douyin/deeds/ducked/video.mp4"
    start = json.loads((clips / "out/douyin/deeds/ducked/plan.json").read_text(encoding="utf-8"))["voice_start"]
    before = _db(_pcm(video, 0.3, start - 0.5, MUSIC_ONLY))
    under_first = _db(_pcm(video, start + 0.5, 1.3, MUSIC_ONLY))
    pause = _db(_pcm(video, start + 3.3, 2.0, MUSIC_ONLY))
    under_second = _db(_pcm(video, start + 6.0, 1.3, MUSIC_ONLY))
    assert before > -40 and pause > -40  # music plays where nobody speaks
    assert pause - under_first > 6 and pause - under_second > 6, (before, under_first, pause, under_second)
    # The voice itself is there, and only where it speaks.
    assert _db(_pcm(video, start + 0.5, 1.3, VOICE_ONLY)) > _db(_pcm(video, start + 3.3, 2.0, VOICE_ONLY)) + 20


def test_a_site_can_turn_the_default_music_off(tmp_path):
    site = _site(tmp_path)
    (site / "content/antifraud/script.md").unlink()
    write(site / "content/deeds/quiet.md",
          "---\ntitle: 没有配乐\nkind: deed\ndate: 2021-04-01\nstatus: ready\n---\n\n"
          "## 一\n\n这篇稿件没有配乐。站点关掉了默认音乐。\n")
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + 'default_music = ""\n', encoding="utf-8")
    assert _build(site) == 0
    assert _db(_pcm(site / "out/douyin/deeds/quiet/video.mp4", 0.5, 2.0)) < -80


def test_a_site_default_music_that_is_not_there_is_a_config_error(tmp_path, capsys):
    site = _site(tmp_path)
    config = site / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + 'default_music = "music/nowhere.mp3"\n', encoding="utf-8")
    assert main(["check", "--site", str(site)]) != 0
    err = capsys.readouterr().err
    line = config.read_text(encoding="utf-8").splitlines().index('default_music = "music/nowhere.mp3"') + 1
    assert f"config.toml:{line}:1: error: channels.douyin.default_music: 'music/nowhere.mp3'" in err, err
    assert "Traceback" not in err
