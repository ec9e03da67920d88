"""What is inside a media file, read with ffmpeg (``ffmpeg -i``; no ffprobe needed)."""

from __future__ import annotations

import re
import struct
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from publisher.i18n import _
from publisher.render.video.encode import ffmpeg


@dataclass
class MediaInfo:
    duration: float
    video: dict = field(default_factory=dict)
    """codec, pix_fmt, width, height, fps, color (e.g. ``bt709``) when there is a video stream."""
    audio: dict = field(default_factory=dict)
    """codec, sample_rate when there is an audio stream."""


class ProbeError(ValueError):
    pass


def probe(path: Path) -> MediaInfo:
    """Read duration and streams. Raises ProbeError when ffmpeg cannot read the file."""
    result = subprocess.run([ffmpeg(), "-hide_banner", "-i", str(path)], capture_output=True, text=True,
                            errors="replace")
    text = result.stderr
    duration = re.search(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)", text)
    if not duration or "Invalid data" in text or "could not find codec" in text.lower():
        reason = text.strip().splitlines()[-1] if text.strip() else _("unknown format")
        raise ProbeError(reason)
    info = MediaInfo(int(duration.group(1)) * 3600 + int(duration.group(2)) * 60 + float(duration.group(3)))
    if video := re.search(r"Stream #\S+.*?Video: (\w+)[^,]*, (\w+)(\(([^)]*)\))?.*?, (\d+)x(\d+)", text):
        info.video = {"codec": video.group(1), "pix_fmt": video.group(2), "color": video.group(4) or "",
                      "width": int(video.group(5)), "height": int(video.group(6))}
        if fps := re.search(r"Video:.*?, ([\d.]+) fps", text):
            info.video["fps"] = float(fps.group(1))
    if audio := re.search(r"Stream #\S+.*?Audio: (\w+).*?, (\d+) Hz", text):
        info.audio = {"codec": audio.group(1), "sample_rate": int(audio.group(2))}
    return info


def moov_before_mdat(path: Path) -> bool:
    """True when the MP4's index comes first (``+faststart``: playback starts before download ends)."""
    with path.open("rb") as handle:
        while header := handle.read(8):
            if len(header) < 8:
                break
            size, kind = struct.unpack(">I4s", header)
            if kind == b"moov":
                return True
            if kind == b"mdat":
                return False
            if size == 1:
                size = struct.unpack(">Q", handle.read(8))[0] - 8
            handle.seek(size - 8, 1)
    return False
