"""The one encode: raw RGB frames piped into the ffmpeg that imageio-ffmpeg ships.

H.264 yuv420p at constant frame rate, BT.709 matrix and tags, ``+faststart``, AAC audio.
The benchmark's floor uses :func:`video_arguments` too, so both encode identically.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from publisher.i18n import _


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@dataclass(frozen=True)
class EncoderSettings:
    width: int
    height: int
    fps: int
    crf: int = 20
    preset: str = "medium"
    audio_bitrate: str = "160k"


def even_size(width: int, height: int) -> tuple[int, int]:
    """H.264 in yuv420p needs even dimensions: odd LED sizes are padded by one pixel."""
    return width + width % 2, height + height % 2


def video_arguments(settings: EncoderSettings, yuv_input: bool = False) -> list[str]:
    """Codec arguments shared by every H.264 we write (Douyin clips, LED loops, the benchmark floor).
    RGB input is converted with the BT.709 matrix; odd sizes are padded with black on the right
    and bottom (see :func:`even_size`). ``yuv_input`` frames are already BT.709 yuv420p."""
    pad = ""
    if (settings.width, settings.height) != even_size(settings.width, settings.height):
        pad = "pad=ceil(iw/2)*2:ceil(ih/2)*2:0:0:color=black,"
    convert = "" if yuv_input else f"{pad}scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,"
    return [
        "-vf", f"{convert}setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv",
        "-c:v", "libx264", "-preset", settings.preset, "-crf", str(settings.crf),
        "-pix_fmt", "yuv420p", "-r", str(settings.fps), "-fps_mode", "cfr",
        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
        "-movflags", "+faststart",
    ]


def raw_input_arguments(settings: EncoderSettings, source: str = "-", rate: str | None = None,
                        yuv_input: bool = False) -> list[str]:
    width, height = even_size(settings.width, settings.height) if yuv_input else (settings.width, settings.height)
    return ["-f", "rawvideo", "-pix_fmt", "yuv420p" if yuv_input else "rgb24", "-s", f"{width}x{height}",
            "-r", rate or str(settings.fps), "-i", source]


def rgb_to_yuv420(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Y, Cb, Cr planes of an even-sized RGB image, converted by ffmpeg with exactly the
    BT.709 limited-range conversion the RGB encoding path uses."""
    height, width = rgb.shape[:2]
    result = subprocess.run(
        [ffmpeg(), "-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
         "-s", f"{width}x{height}", "-i", "-", "-vf", "scale=out_color_matrix=bt709:out_range=tv",
         "-pix_fmt", "yuv420p", "-f", "rawvideo", "-"],
        input=np.ascontiguousarray(rgb).tobytes(), capture_output=True, check=True)
    data = np.frombuffer(result.stdout, np.uint8)
    luma = width * height
    y = data[:luma].reshape(height, width)
    u = data[luma:luma + luma // 4].reshape(height // 2, width // 2)
    v = data[luma + luma // 4:].reshape(height // 2, width // 2)
    return y, u, v


class EncodeError(RuntimeError):
    pass


def encode(frames: Iterable[np.ndarray | bytes], settings: EncoderSettings, output: Path, duration: float,
           audio: Path | None = None, sound: bool = True, input_rate: str | None = None,
           yuv_input: bool = False) -> None:
    """Pipe ``frames`` (HxWx3 uint8, or their bytes) into ffmpeg and write ``output``. With
    ``sound`` and no audio file, a silent AAC track is added (platforms expect one); LED loops
    pass ``sound=False`` and get no audio stream.

    ``input_rate`` (e.g. ``"1/8"``) sends each distinct still once and lets ffmpeg repeat it
    up to the output's constant frame rate after colour conversion, which makes slide loops
    cheap to encode. ``yuv_input`` frames are yuv420p bytes at the even size (no conversion)."""
    command = [ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
               *raw_input_arguments(settings, rate=input_rate, yuv_input=yuv_input)]
    if audio is not None:
        command += ["-i", str(audio)]
    elif sound:
        command += ["-f", "lavfi", "-i", "anullsrc=channel_layout=stereo:sample_rate=44100"]
    command += ["-map", "0:v:0", *video_arguments(settings, yuv_input)]
    if audio is not None or sound:
        command += ["-map", "1:a:0", "-c:a", "aac", "-b:a", settings.audio_bitrate, "-ar", "44100"]
    command += ["-t", f"{duration:.3f}", "-f", "mp4", str(output)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdin is not None
    try:
        for frame in frames:
            data = frame if isinstance(frame, bytes) else memoryview(np.ascontiguousarray(frame)).cast("B")
            process.stdin.write(data)
        process.stdin.close()
    except BrokenPipeError:
        pass
    except BaseException:
        process.kill()
        process.wait()
        raise
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if process.wait() != 0:
        raise EncodeError(_("ffmpeg failed: {output}").format(output=stderr.strip()[-500:]))
