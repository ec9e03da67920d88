"""The soundtrack: voice-over where given, music looped or cut to the clip's length, ducked under
the voice (sidechain-style: it dips while someone speaks and comes back in the pauses), faded
in and out. Files are decoded by ffmpeg to float PCM; the mixing is numpy.
"""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np

from publisher.i18n import _
from publisher.render.video.encode import ffmpeg
from publisher.render.video.settings import ClipSettings
from publisher.render.video.timing import Plan

BUNDLED_BED = Path(__file__).resolve().parents[2] / "assets/music/calm-bed.m4a"
"""The music bed that ships with publisher (``default_music = "bundled"``): made by the project
with ``tools/make_music.py``, CC0 (see the LICENSE beside it)."""
RATE = 44100
HOP = 0.02
"""Seconds per step of the voice's loudness envelope."""
DUCK_ATTACK = 0.12
"""Seconds the music takes to dip when a voice starts (quick: the first word must be clear)."""
VOICE_HOLD = 0.3
"""A voice counts as speaking this long after its last loud step (the gaps between words)."""
VOICE_FLOOR_DB = -45.0
"""Below this level (dBFS) a voice-over is room noise, not speech."""
FADE_IN = 0.4


def mix(plan: Plan, voices: dict[str, Path], music: Path | None, channel: ClipSettings, output: Path) -> bool:
    """Write the soundtrack as 16-bit stereo WAV to ``output``. Returns False when there is no
    sound at all. Raises ValueError when a file cannot be decoded."""
    total = round(plan.duration * RATE)
    voice = np.zeros((total, 2), np.float32)
    placed = False
    if plan.voice:
        placed |= _place(voice, decode(voices[plan.voice]), plan.voice_start)
    for scene in plan.scenes:
        if scene.voice:
            placed |= _place(voice, decode(voices[scene.voice]), scene.start)
    if music is None and not placed:
        return False
    soundtrack = voice
    if music is not None:
        bed = _fit_length(decode(music), total)
        gain = music_gain(voice if placed else None, channel, total)
        soundtrack = voice + bed * gain[:, None]
    peak = float(np.abs(soundtrack).max(initial=0.0))
    if peak > 0.99:
        soundtrack *= 0.99 / peak
    _write_wav(output, soundtrack)
    return True


def decode(path: Path) -> np.ndarray:
    """Any audio file ffmpeg reads, as float32 stereo samples at 44.1 kHz."""
    result = subprocess.run([ffmpeg(), "-hide_banner", "-loglevel", "error", "-i", str(path), "-vn", "-f", "f32le",
                             "-ac", "2", "-ar", str(RATE), "-"], capture_output=True)
    if result.returncode != 0:
        raise ValueError(_("ffmpeg could not decode {file}: {problem}").format(
            file=path.name, problem=result.stderr.decode("utf-8", "replace").strip()[-300:]))
    samples = np.frombuffer(result.stdout, np.float32)
    return samples[:len(samples) // 2 * 2].reshape(-1, 2)


def music_gain(voice: np.ndarray | None, channel: ClipSettings, total: int) -> np.ndarray:
    """The music's gain for every sample: ``music_volume`` in the clear, ``music_under_voice``
    while the voice speaks (dipping in ``DUCK_ATTACK``, coming back in ``duck_release``), with a
    short fade-in and the ``music_fade`` fade-out at the end."""
    hop = round(HOP * RATE)
    steps = -(-total // hop)
    target = np.full(steps, channel.music_volume, np.float32)
    if voice is not None:
        target[speaking(voice, hop, steps)] = channel.music_under_voice
    smooth = np.empty(steps, np.float32)
    down = 1 - np.exp(-HOP / DUCK_ATTACK)
    up = 1 - np.exp(-HOP / max(channel.duck_release, HOP))
    level = target[0]
    for index, wanted in enumerate(target):
        level += (wanted - level) * (down if wanted < level else up)
        smooth[index] = level
    gain = np.interp(np.arange(total), np.arange(steps) * hop + hop / 2, smooth).astype(np.float32)
    gain *= _ramp(total, FADE_IN, rising=True)
    if channel.music_fade > 0:
        gain *= _ramp(total, channel.music_fade, rising=False)
    return gain


def speaking(voice: np.ndarray, hop: int, steps: int) -> np.ndarray:
    """For each step, whether the voice-over is speaking (above the floor, held over short pauses)."""
    mono = voice.mean(axis=1)
    padded = np.zeros(steps * hop, np.float32)
    padded[:len(mono)] = mono[:steps * hop]
    rms = np.sqrt(np.mean(padded.reshape(steps, hop) ** 2, axis=1))
    loud = rms > 10 ** (VOICE_FLOOR_DB / 20)
    hold = round(VOICE_HOLD / HOP)
    held = loud.copy()
    for shift in range(1, hold + 1):
        held[shift:] |= loud[:-shift]
    return held


def _ramp(total: int, seconds: float, rising: bool) -> np.ndarray:
    """1 everywhere except a raised-cosine ramp of ``seconds`` at the start (rising) or end."""
    ramp = np.ones(total, np.float32)
    count = min(total, round(seconds * RATE))
    if count:
        shape = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, count, dtype=np.float32))
        if rising:
            ramp[:count] = shape
        else:
            ramp[total - count:] = shape[::-1]
    return ramp


def _place(track: np.ndarray, sound: np.ndarray, start: float) -> bool:
    first = round(start * RATE)
    piece = sound[:max(0, len(track) - first)]
    track[first:first + len(piece)] += piece
    return len(piece) > 0


def _fit_length(sound: np.ndarray, total: int) -> np.ndarray:
    """Music looped (end to start) or cut to ``total`` samples."""
    if len(sound) == 0:
        raise ValueError(_("the music file has no samples"))
    repeats = -(-total // len(sound))
    return np.tile(sound, (repeats, 1))[:total]


def _write_wav(path: Path, samples: np.ndarray) -> None:
    data = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(data.tobytes())
