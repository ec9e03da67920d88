"""Synthesise the bundled music bed: ``publisher/assets/music/calm-bed.m4a`` (CC0, made here).

    python tools/make_music.py

A calm, loopable 48-second piece in C major at 80 bpm: sixteen bars of I-V-vi-IV, each chord a
soft detuned pad over a round bass, with a quiet plucked arpeggio from bar 5 and a light echo.
The echo tail is folded back onto the start, so the file loops without a click. Everything is
additive synthesis with numpy (seeded, so the output is the same on every machine); ffmpeg
(from imageio-ffmpeg) encodes it as 64 kb/s AAC, about 400 KB.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "publisher/assets/music/calm-bed.m4a"
RATE = 44100
BPM = 80
BEAT = 60 / BPM
BAR = 4 * BEAT
BARS = 16
LENGTH = BARS * BAR  # 48 s
CHORDS = [(48, [60, 64, 67, 72]), (43, [59, 62, 67, 71]), (45, [60, 64, 69, 72]), (41, [60, 65, 69, 72])]
"""(bass note, pad notes) as MIDI numbers: C, G/B-ish voicing, Am, F (voice-led, no leaps)."""
TARGET_RMS = 10 ** (-18 / 20)


def hz(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def envelope(count: int, attack: float, release: float) -> np.ndarray:
    """Linear attack, hold, and a raised-cosine release, in samples of ``count``."""
    t = np.arange(count) / RATE
    rise = np.clip(t / attack, 0, 1)
    fall_start = count / RATE - release
    fall = np.where(t < fall_start, 1.0, 0.5 + 0.5 * np.cos(np.pi * np.clip((t - fall_start) / release, 0, 1)))
    return rise * fall


def pad_note(note: int, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """A warm pad: three slightly detuned voices of a soft saw (eight harmonics, steep roll-off)."""
    count = int(seconds * RATE)
    t = np.arange(count) / RATE
    out = np.zeros((count, 2))
    for detune, pan in ((-0.07, 0.25), (0.0, 0.5), (0.07, 0.75)):
        f = hz(note + detune)
        phase = rng.uniform(0, 2 * np.pi)
        voice = sum(np.sin(2 * np.pi * f * n * t + phase * n) / n ** 1.8 for n in range(1, 9))
        voice *= 1 + 0.08 * np.sin(2 * np.pi * 0.2 * t + phase)  # slow breathing
        out[:, 0] += voice * (1 - pan)
        out[:, 1] += voice * pan
    return out * envelope(count, 1.2, 1.5)[:, None]


def bass_note(note: int, seconds: float) -> np.ndarray:
    count = int(seconds * RATE)
    t = np.arange(count) / RATE
    f = hz(note)
    voice = np.sin(2 * np.pi * f * t) + 0.25 * np.sin(4 * np.pi * f * t)
    return np.repeat((voice * envelope(count, 0.08, 1.2))[:, None], 2, axis=1)


def pluck(note: int, pan: float) -> np.ndarray:
    """A soft plucked note: a few harmonics that decay faster the higher they are."""
    count = int(1.6 * RATE)
    t = np.arange(count) / RATE
    f = hz(note)
    voice = sum(np.sin(2 * np.pi * f * n * t) * np.exp(-t * (2.5 + 3 * n)) / n for n in range(1, 6))
    voice *= np.clip(t / 0.004, 0, 1)
    return np.stack([voice * (1 - pan), voice * pan], axis=1)


def place(track: np.ndarray, sound: np.ndarray, start: float, gain: float) -> None:
    """Add ``sound`` into ``track`` at ``start`` seconds, wrapping past the end (the loop)."""
    first = int(start * RATE) % len(track)
    for offset in range(0, len(sound), len(track)):
        piece = sound[offset:offset + len(track)]
        end = first + len(piece)
        head = min(end, len(track)) - first
        track[first:first + head] += gain * piece[:head]
        if head < len(piece):
            track[:len(piece) - head] += gain * piece[head:]


def echo(track: np.ndarray, delay: float, feedback: float, mix: float) -> np.ndarray:
    """A ping-pong echo, computed circularly so its tail wraps into the loop's start."""
    shift = int(delay * RATE)
    wet = np.zeros_like(track)
    tap = track.copy()
    for _ in range(8):
        tap = np.roll(tap, shift, axis=0)[:, ::-1] * feedback
        wet += tap
    return track + mix * wet


def compose(seed: int = 15) -> np.ndarray:
    rng = np.random.default_rng(seed)
    track = np.zeros((int(LENGTH * RATE), 2))
    for bar in range(BARS):
        bass, notes = CHORDS[bar % len(CHORDS)]
        start = bar * BAR
        for note in notes:
            place(track, pad_note(note, BAR + 1.5, rng), start, 0.10)
        place(track, bass_note(bass, BAR + 0.6), start, 0.20)
        if bar >= 4:  # the arpeggio joins after the pad has set the mood
            pattern = [notes[0] + 12, notes[2] + 12, notes[1] + 12, notes[3] + 12,
                       notes[2] + 12, notes[1] + 12, notes[3], notes[2] + 12]
            for step, note in enumerate(pattern):
                accent = 0.11 if step % 4 == 0 else 0.07
                place(track, pluck(note, 0.3 + 0.4 * (step % 2)), start + step * BEAT / 2, accent)
    track = echo(track, BEAT * 0.75, 0.35, 0.45)
    rms = np.sqrt(np.mean(track ** 2))
    track *= TARGET_RMS / rms
    peak = np.abs(track).max()
    if peak > 0.89:  # keep 1 dB of headroom
        track *= 0.89 / peak
    return track


def write_wav(path: Path, track: np.ndarray) -> None:
    data = (np.clip(track, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(data.tobytes())


def main() -> int:
    import imageio_ffmpeg

    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "bed.wav"
        write_wav(wav, compose())
        subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(wav),
                        "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", "-map_metadata", "-1",
                        "-fflags", "+bitexact", "-flags:a", "+bitexact", str(OUTPUT)], check=True)
    print(f"{OUTPUT.relative_to(REPO)}: {OUTPUT.stat().st_size / 1000:.0f} KB, {LENGTH:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
