"""Video benchmark: one fixed 30 s script (10 cues, 3 photos with motion, music), three ways.

(a) ours: publisher's Douyin renderer (only changing layers computed per frame, one encode);
(b) naive: moviepy's CompositeVideoClip of TextClip subtitles over moving ImageClips, defaults;
(c) floor: ffmpeg encoding the very frames of (a), produced beforehand, with the same settings.

Then peak RSS of our renderer and of the ffmpeg it runs, for a 30 s and a 120 s clip (separate
processes; the two run at once, so their sum is what the machine needs). The last line:
``video: ours=…s naive=…s floor=…s ours/floor=… naive/ours=…``. Targets: ours/floor ≤ 1.3,
naive/ours ≥ 8, RSS(120 s) ≤ 1.2 × RSS(30 s).

    python benchmarks/bench_video.py [--skip-naive]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from publisher.channels import video as douyin  # noqa: E402
from publisher.channels.video import VideoSettings as DouyinChannel  # noqa: E402
from publisher.config import load_config  # noqa: E402
from publisher.pipeline.reader import read_story  # noqa: E402
from publisher.render import fonts  # noqa: E402
from publisher.render.channel import RenderContext, StoryUnit  # noqa: E402
from publisher.render.video import encode as encoder  # noqa: E402
from publisher.render.video.frames import KIND_LABELS, Cards, FrameComposer  # noqa: E402

PHOTOS = ["images/hills-morning.jpg", "images/street-dusk.jpg", "../content/deeds/luoshan-qingming/luoshan.jpg"]
SENTENCES = ["民警接到群众求助电话。", "老人出门买菜后迷了路。", "情指中心立即调取视频。", "民警沿着轨迹一路寻找。",
             "两小时后在公园找到老人。", "老人的家人连声道谢。", "请给老人带上联系卡片。", "遇到困难请拨打110。",
             "接到96110来电请接听。", "谢家集警方始终在身边。"]


def make_site(root: Path, cues: int, preset: str) -> Path:
    """A site whose one story has ``cues`` cues over three photo scenes, about 3 s a cue."""
    site = root / "site"
    site.mkdir()
    shutil.copytree(REPO / "assets", site / "assets")
    shutil.copy(REPO / "content/deeds/luoshan-qingming/luoshan.jpg", site / "assets/luoshan.jpg")
    make_music(site / "assets/music.wav", seconds=20)
    (site / "config.toml").write_text(
        'name = "谢家集公安"\n[kinds.antifraud]\nchannels = ["douyin"]\n'
        '[channels.douyin]\ntype = "douyin"\naccount = "谢家集警方在线"\ntitle_seconds = 1.5\nend_seconds = 1.5\n'
        f"chars_per_second = 4.0\nmin_cue = 2.7\nmax_cue = 2.7\ncue_gap = 0.0\npreset = \"{preset}\"\n",
        encoding="utf-8")
    photos = ["images/hills-morning.jpg", "images/street-dusk.jpg", "luoshan.jpg"]
    scenes = []
    per_scene = -(-cues // 3)
    for index in range(3):
        lines = [SENTENCES[(index * per_scene + i) % len(SENTENCES)] for i in range(per_scene)
                 if index * per_scene + i < cues]
        scenes.append(f"## 第{index + 1}幕\n\n![]({photos[index]})\n\n" + "".join(lines))
    story = site / "content/antifraud/bench.md"
    story.parent.mkdir(parents=True)
    story.write_text("---\ntitle: 基准测试短视频\nkind: antifraud\ndate: 2021-04-16\nstatus: ready\n"
                     "music: music.wav\n---\n\n" + "\n\n".join(scenes) + "\n", encoding="utf-8")
    return site


def make_music(path: Path, seconds: int) -> None:
    subprocess.run([encoder.ffmpeg(), "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=frequency=330:duration={seconds}", "-ac", "2", str(path)], check=True)


def context(site: Path, folder: Path) -> RenderContext:
    config, _ = load_config(site)
    story = read_story(site, "antifraud/bench", site / "content/antifraud/bench.md", config)
    folder.mkdir(parents=True, exist_ok=True)
    return RenderContext(site, config, StoryUnit(story), "douyin", folder, out=folder.parent)


def ours(site: Path, out: Path) -> tuple[float, dict]:
    ctx = context(site, out)
    started = time.perf_counter()
    douyin.render(ctx)
    elapsed = time.perf_counter() - started
    return elapsed, json.loads((out / "plan.json").read_text(encoding="utf-8"))


def floor(site: Path, work: Path) -> float:
    """Encode our exact frames, produced beforehand into a raw file, with our exact settings."""
    ctx = context(site, work / "floor-prep")
    prepared = douyin.prepare(ctx)
    channel = ctx.channel_config
    cards = Cards(prepared.caption_title, ctx.account, KIND_LABELS["antifraud"], list(channel.end_lines))
    composer = FrameComposer(prepared.plan, channel, ctx.config.theme, ctx.language, cards, prepared.images)
    raw = work / "frames.rgb"
    count = round(prepared.plan.duration * channel.fps)
    with raw.open("wb") as handle:
        for index in range(count):
            handle.write(composer.frame(index / channel.fps).tobytes())
    soundtrack = work / "music.wav"
    from publisher.render.video import audio

    audio.mix(prepared.plan, prepared.voices, prepared.music, channel, soundtrack)
    settings = encoder.EncoderSettings(channel.width, channel.height, channel.fps, channel.crf, channel.preset)
    command = [encoder.ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
               *encoder.raw_input_arguments(settings, str(raw), yuv_input=True), "-i", str(soundtrack),
               "-map", "0:v:0", "-map", "1:a:0", *encoder.video_arguments(settings, yuv_input=True),
               "-c:a", "aac", "-b:a", settings.audio_bitrate, "-t", f"{prepared.plan.duration:.3f}",
               str(work / "floor.mp4")]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    elapsed = time.perf_counter() - started
    raw.unlink()
    return elapsed


def naive(site: Path, plan: dict, work: Path, preset: str) -> float:
    """What most generators do: every layer composed by moviepy for every frame."""
    from moviepy import AudioFileClip, CompositeVideoClip, ImageClip, TextClip, afx

    started = time.perf_counter()
    layers = []
    photos = [site / "assets/images/hills-morning.jpg", site / "assets/images/street-dusk.jpg",
              site / "assets/luoshan.jpg"]
    for scene, photo in zip(plan["scenes"], photos, strict=True):
        duration = scene["end"] - scene["start"]
        clip = ImageClip(str(photo)).resized(height=1920 + 80)
        x = -(clip.w - 1080) / 2
        layers.append(clip.with_start(scene["start"]).with_duration(duration)
                      .with_position(lambda t, x=x, d=duration: (x, -80 * t / d)))
    font = str(fonts.font_file())
    for cue in plan["cues"]:
        text = TextClip(font=font, text="\n".join(cue["lines"]), font_size=50, color="white",
                        stroke_color="black", stroke_width=4, method="label")
        layers.append(text.with_start(cue["start"]).with_duration(cue["end"] - cue["start"])
                      .with_position(("center", 1340)))
    video = CompositeVideoClip(layers, size=(1080, 1920)).with_duration(plan["duration"])
    music = AudioFileClip(str(site / "assets/music.wav")).with_effects([afx.AudioLoop(duration=plan["duration"])])
    video = video.with_audio(music)
    # The same codec settings as ours: the comparison is about composing, not encoding.
    video.write_videofile(str(work / "naive.mp4"), fps=30, codec="libx264", audio_codec="aac", preset=preset,
                          ffmpeg_params=["-crf", "20"], logger=None)
    return time.perf_counter() - started


def rss_of_render(cues: int, preset: str) -> tuple[float, float, float]:
    """Run our renderer in a fresh process; return (clip seconds, its peak RSS, the largest peak RSS
    of the processes it ran, ffmpeg above all) in MB. They run at once: their sum is what the
    machine must have."""
    out = subprocess.run([sys.executable, __file__, "--rss-child", str(cues), "--preset", preset],
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


def rss_child(cues: int, preset: str) -> None:
    with tempfile.TemporaryDirectory() as temp:
        site = make_site(Path(temp), cues, preset)
        watcher = ChildrenPeak()
        watcher.start()
        try:
            _, plan = ours(site, Path(temp) / "out")
        finally:
            watcher.stop()
        print(plan["duration"], peak_rss_mb(), watcher.peak_mb)


class ChildrenPeak(threading.Thread):
    """The largest peak RSS (VmHWM) of this process's children (ffmpeg), read from /proc ten times a
    second while they run (ru_maxrss of children would report this process's size at the fork)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_mb = 0.0
        self._done = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self._done.wait(0.1):
            for proc in Path("/proc").iterdir():
                if not proc.name.isdigit():
                    continue
                try:
                    stat = (proc / "stat").read_text()
                    if int(stat.rsplit(")", 1)[1].split()[1]) != me:
                        continue
                    for line in (proc / "status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            self.peak_mb = max(self.peak_mb, int(line.split()[1]) / 1024)
                except (OSError, ValueError, IndexError):
                    continue

    def stop(self) -> None:
        self._done.set()
        self.join()


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process's own memory image;
    ru_maxrss would also count the parent's size at fork time, which inflated earlier figures."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-naive", action="store_true", help="skip (b), which takes minutes")
    parser.add_argument("--preset", default=DouyinChannel.model_fields["preset"].default,
                        help="x264 preset for all three (default: the Douyin channel's)")
    parser.add_argument("--rss-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(args.rss_child, args.preset)
        return
    print(f"x264 preset {args.preset}, crf 20, 1080x1920 at 30 fps")
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        site = make_site(work, 10, args.preset)
        ours_s, plan = ours(site, work / "ours")
        print(f"(a) ours:  {ours_s:6.1f}s  for a {plan['duration']:.1f}s clip, {len(plan['cues'])} cues")
        floor_s = floor(site, work)
        print(f"(c) floor: {floor_s:6.1f}s  ffmpeg alone on the same frames and settings")
        naive_s = float("nan") if args.skip_naive else naive(site, plan, work, args.preset)
        print(f"(b) naive: {naive_s:6.1f}s  moviepy CompositeVideoClip + TextClip")
    short_seconds, short_own, short_ffmpeg = rss_of_render(10, args.preset)
    long_seconds, long_own, long_ffmpeg = rss_of_render(44, args.preset)
    short_rss, long_rss = short_own + short_ffmpeg, long_own + long_ffmpeg
    print(f"memory (publisher + its ffmpeg): {short_seconds:.0f}s clip {short_own:.0f} + {short_ffmpeg:.0f} = "
          f"{short_rss:.0f} MB, {long_seconds:.0f}s clip {long_own:.0f} + {long_ffmpeg:.0f} = {long_rss:.0f} MB, "
          f"ratio {long_rss / short_rss:.2f} (target <= 1.2)")
    print(f"video: ours={ours_s:.1f}s naive={naive_s:.1f}s floor={floor_s:.1f}s "
          f"ours/floor={ours_s / floor_s:.2f} naive/ours={naive_s / ours_s:.1f}")


if __name__ == "__main__":
    main()
