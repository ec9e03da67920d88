"""The soundtrack, mixed with moviepy: voice-over where given, music looped or cut to the
clip's length, lowered under the voice and faded out at the end."""

from __future__ import annotations

from pathlib import Path

from publisher.render.video.settings import ClipSettings
from publisher.render.video.timing import Plan


def mix(plan: Plan, voices: dict[str, Path], music: Path | None, channel: ClipSettings, output: Path) -> bool:
    """Write the soundtrack as 16-bit WAV to ``output``. Returns False when there is no sound at all."""
    from moviepy import AudioFileClip, CompositeAudioClip, afx

    duration = plan.duration
    clips = []
    if plan.voice:
        clips.append(AudioFileClip(str(voices[plan.voice])).with_start(plan.voice_start))
    for scene in plan.scenes:
        if scene.voice:
            clips.append(AudioFileClip(str(voices[scene.voice])).with_start(scene.start))
    if music is not None:
        track = AudioFileClip(str(music))
        if track.duration < duration:
            track = track.with_effects([afx.AudioLoop(duration=duration)])
        else:
            track = track.subclipped(0, duration)
        volume = channel.music_under_voice if clips else channel.music_volume
        effects = [afx.MultiplyVolume(volume)]
        if channel.music_fade > 0:
            effects.append(afx.AudioFadeOut(min(channel.music_fade, duration)))
        clips.insert(0, track.with_effects(effects))
    if not clips:
        return False
    soundtrack = CompositeAudioClip(clips).with_duration(duration)
    try:
        soundtrack.write_audiofile(str(output), fps=44100, nbytes=2, codec="pcm_s16le", logger=None)
    finally:
        for clip in clips:
            clip.close()
    return True
