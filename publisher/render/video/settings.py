"""What a vertical clip is made of: the settings the video toolkit takes (not a channel's).

Two channels whose clip settings are equal get the same clip: the video channel keys its
shared clip by these settings and the clip's inputs (see :mod:`publisher.render.artifacts`).
"""

from __future__ import annotations

from pydantic import Field

from publisher.config import Schema, X264Preset

BUNDLED_MUSIC = "bundled"
"""``default_music`` value naming the music bed that ships with publisher."""


class ClipSettings(Schema):
    """How a vertical clip with burned-in subtitles is drawn, timed and encoded."""

    width: int = Field(1080, ge=360, le=4096)
    """Video width in pixels (vertical 9:16; Douyin wants at least 720)."""
    height: int = Field(1920, ge=640, le=4096)
    """Video height in pixels."""
    fps: int = Field(30, ge=1, le=60)
    """Frames per second (constant)."""
    crf: int = Field(20, ge=0, le=51)
    """x264 quality (lower is better; 18-23 is usual)."""
    preset: X264Preset = "medium"
    """x264 speed preset (ultrafast … veryslow)."""
    audio_bitrate: str = Field("160k", pattern=r"^[1-9]\d{1,3}k$")
    """AAC bitrate."""
    chars_per_second: float = Field(4.5, gt=0)
    """Reading speed for cue timing without a voice-over (Chinese characters a second)."""
    min_cue: float = Field(1.2, gt=0)
    """Shortest time a subtitle stays up, in seconds."""
    max_cue: float = Field(7.0, gt=0)
    """Longest time a subtitle stays up, in seconds."""
    cue_gap: float = Field(0.12, ge=0)
    """Gap between two cues, in seconds."""
    line_chars: int = Field(16, ge=4, le=30)
    """Most characters on a subtitle line (16 for Simplified Chinese)."""
    max_lines: int = Field(2, ge=1, le=3)
    """Most lines a cue shows."""
    subtitle_size: int = Field(50, ge=16, le=400)
    """Subtitle font size in pixels (at 1080 wide)."""
    subtitle_bottom: int = Field(1500, ge=100, le=4096)
    """Lowest y of subtitle ink, in pixels of a 1920-high frame (Douyin's buttons sit below)."""
    safe_left: int = Field(60, ge=0, le=2000)
    """Subtitle box left edge (pixels at 1080 wide)."""
    safe_right: int = Field(180, ge=0, le=2000)
    """Kept clear on the right for Douyin's buttons (pixels at 1080 wide)."""
    title_seconds: float = Field(2.5, ge=0.5)
    """How long the opening title card shows."""
    end_seconds: float = Field(3.0, ge=0.5)
    """How long the closing card shows."""
    end_lines: list[str] = ["全国反诈预警专线 96110", "报警求助请拨 110"]
    """Lines of the closing card, above the account name."""
    pan_pixels_per_second: float = Field(24.0, ge=0)
    """Speed of the slow pan over a scene's photo."""
    default_music: str = BUNDLED_MUSIC
    """Music under a story that names no ``music:``: ``"bundled"`` (the calm bed that comes with
    publisher, made by the project, CC0), a file of the site (``"assets/music/theme.mp3"``), or
    ``""`` for none (a story without music or voice then gets a silent track)."""
    music_volume: float = Field(0.5, ge=0, le=2)
    """Background music volume where nobody speaks (1 = as recorded)."""
    music_under_voice: float = Field(0.15, ge=0, le=2)
    """Background music volume while a voice-over speaks (the music dips under the voice)."""
    duck_release: float = Field(0.6, ge=0, le=10)
    """Seconds the music takes to come back up after the voice stops."""
    music_fade: float = Field(2.0, ge=0)
    """Fade-out of the music at the end, in seconds."""
