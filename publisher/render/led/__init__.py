"""LED screens: for each screen and date, native-resolution slides and the day's loop.

Unlike the other channels, a rendition here is a screen-day made of many stories: the
build asks :func:`plan` for the screen-days of a date, then renders each one into
``led/<screen>/<date>/``: ``slide-001.png``…, ``loop.mp4`` (or ``loop-HHMM.mp4`` per part of
the day), ``playlist.json`` and ``playlist.m3u``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from publisher import atomic
from publisher.config import LedChannel, Screen, SiteConfig
from publisher.content.hashing import content_hash
from publisher.content.story import Story
from publisher.i18n import _
from publisher.render import chinese, fonts
from publisher.render.led import playlist, ticker
from publisher.render.led.slides import SlideText, slides_for
from publisher.render.video.encode import VideoSettings, encode, even_size

COLLECTIVE = True


@dataclass
class ScreenDay:
    """One screen's programme for one date: the unit the build hashes and renders."""

    channel: str
    screen: Screen
    date: dt.date
    parts: list[playlist.Part]
    excluded: list[dict] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.screen.name}/{self.date.isoformat()}"

    @property
    def stories(self) -> list[Story]:
        seen: dict[str, Story] = {}
        for part in self.parts:
            for entry in part.entries:
                seen.setdefault(entry.story.id, entry.story)
        return list(seen.values())


def plan(config: SiteConfig, channel: str, stories: list[Story], day: dt.date, drafts: bool = False) -> list[ScreenDay]:
    """Every screen's programme for ``day``, with the reason each left-out story is out."""
    led: LedChannel = config.channels[channel]  # type: ignore[assignment]
    days = []
    for screen in config.screens:
        entries, excluded = [], []
        for story in stories:
            reason = playlist.eligible(story, screen, day, {channel}, drafts)
            if reason is None:
                entries.append(playlist.Entry(story, playlist.windows(story.meta.hours)))
            elif reason != "not on the led channel":
                excluded.append({"story": story.id, "reason": reason})
        parts = playlist.day_parts(entries)
        for part in parts:
            part.entries = playlist.order(part.entries, led.urgent_every)
        days.append(ScreenDay(channel, screen, day, parts, excluded))
    return days


def day_hash(day: ScreenDay, config: SiteConfig) -> str:
    """What a screen-day plays: the screen, the date, each part's stories with their content
    hashes, and what was left out and why (the build adds the configs and the recorded inputs)."""
    digest = hashlib.sha256()
    digest.update(f"{day.key}\0".encode())
    digest.update(day.screen.model_dump_json().encode())
    digest.update(json.dumps(day.excluded, ensure_ascii=False).encode())
    for part in day.parts:
        digest.update(f"part {part.start} {part.end}\0".encode())
        for entry in part.entries:
            digest.update(f"{entry.story.id}\0{content_hash(entry.story)}\0".encode())
    return digest.hexdigest()


def render_day(day: ScreenDay, config: SiteConfig, folder: Path, progress: bool = False) -> list[str]:
    """Write one screen-day into ``folder``; returns the file names."""
    led: LedChannel = config.channels[day.channel]  # type: ignore[assignment]
    screen = day.screen
    language = config.language_of(day.channel)

    def localize(text: str) -> str:
        return chinese.localize(text, language, led.opencc)

    strip = screen.width / screen.height >= led.strip_ratio
    files: list[str] = []
    slide_files: dict[str, list[tuple[str, list[str]]]] = {}

    def slides_of(story: Story | None) -> list[tuple[str, list[str]]]:
        key = story.id if story else ""
        if key not in slide_files:
            item = _slide_text(story, localize, led, config)
            for text in (item.headline, item.body):
                missing = fonts.missing_glyphs(text, language)
                if missing:
                    where = item.story or _("the idle text")
                    raise ValueError(_("the font has no glyph for {char!r} in {story}").format(char=missing[0],
                                                                                             story=where))
            made = []
            for slide in slides_for(item, screen, language):
                name = f"slide-{sum(len(v) for v in slide_files.values()) + len(made) + 1:03d}.png"
                atomic.write_bytes(folder / name, _png(slide.image))
                files.append(name)
                made.append((name, slide.lines))
            slide_files[key] = made
        return slide_files[key]

    width, height = even_size(screen.width, screen.height)
    settings = VideoSettings(screen.width, screen.height, led.fps, led.crf, led.preset)
    described_parts = []
    multi = len(day.parts) > 1
    for part in day.parts:
        loop_name = f"loop-{part.name}.mp4" if multi else "loop.mp4"
        stories: list[Story | None] = [e.story for e in part.entries] or [None]
        items = []
        if strip:
            texts = [(s.id if s else "", _ticker_text(s, localize, led), bool(s and s.meta.urgent)) for s in stories]
            for story in stories:
                slides_of(story)
            run = ticker.build(texts, screen, led, language)
            for segment, story in zip(run.segments, stories, strict=True):
                items.append({"story": segment.story or None, "title": localize(story.meta.title) if story else "",
                              "slides": [n for n, _text in slides_of(story)], "seconds": round(run.seconds(segment), 3),
                              "urgent": segment.urgent, "hash": story.source_hash if story else "",
                              "text": segment.text})
            duration = run.duration
            encode(run.frame_bytes(screen.width), settings, folder / loop_name, duration, sound=False,
                   yuv_input=True)
        else:
            frames_per_slide = max(1, round(screen.slide_seconds * led.fps))
            sequence: list[bytes] = []
            for story in stories:
                for name, lines in slides_of(story):
                    items.append({"story": story.id if story else None, "title": localize(story.meta.title)
                                  if story else "", "slide": name, "seconds": frames_per_slide / led.fps,
                                  "urgent": bool(story and story.meta.urgent), "hash": story.source_hash if story
                                  else "", "lines": lines})
                    sequence.append(name)
            duration = len(sequence) * frames_per_slide / led.fps
            encode(_static_frames(folder, sequence), settings, folder / loop_name, duration, sound=False,
                   input_rate=f"{led.fps}/{frames_per_slide}")
        files.append(loop_name)
        described_parts.append({"name": loop_name, "start": part.label.split("-")[0], "end": part.label.split("-")[1],
                                "duration": round(duration, 3), "items": items})

    manifest = {
        "screen": screen.name, "title": screen.title, "date": day.date.isoformat(),
        "width": screen.width, "height": screen.height, "fps": led.fps, "strip": strip,
        "encoded": {"width": width, "height": height,
                    "padding": {"right": width - screen.width, "bottom": height - screen.height},
                    "note": "H.264 needs even sizes: the video is padded with black on the right/bottom; "
                            "crop to width x height, or let the controller show the native area"
                            if (width, height) != (screen.width, screen.height) else ""},
        "parts": described_parts,
        "excluded": day.excluded,
    }
    atomic.write_text(folder / "playlist.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    atomic.write_text(folder / "playlist.m3u", _m3u(manifest))
    files += ["playlist.json", "playlist.m3u"]
    return files


def _slide_text(story: Story | None, localize, led: LedChannel, config: SiteConfig) -> SlideText:
    if story is None:
        return SlideText("", localize(config.name), localize(led.idle_text))
    meta = story.meta
    body = [meta.summary] if meta.summary else []
    body += [f"{f.label} {f.value}{f.unit}" for f in meta.figures]
    photo = story.images[0] if meta.kind == "officer" and story.images else None
    return SlideText(story.id, localize(meta.title), localize("\n".join(body)), photo, meta.urgent)


def _ticker_text(story: Story | None, localize, led: LedChannel) -> str:
    """A ticker carries headlines (urgent alerts carry their summary too): a strip is read in
    passing, and a long loop would take minutes to come round."""
    if story is None:
        return localize(led.idle_text)
    meta = story.meta
    return localize(f"{meta.title}：{meta.summary}" if meta.urgent and meta.summary else meta.title)


def _static_frames(folder: Path, sequence: list[str]):
    """Each slide once, in playlist order (ffmpeg holds it for its duration)."""
    from PIL import Image

    for name in sequence:
        with Image.open(folder / name) as image:
            yield image.convert("RGB").tobytes()


def _png(image) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


def _m3u(manifest: dict) -> str:
    lines = ["#EXTM3U", f"#PLAYLIST:{manifest['screen']} {manifest['date']}"]
    for part in manifest["parts"]:
        lines.append(f"#EXTINF:{part['duration']:.3f},{manifest['screen']} {part['start']}-{part['end']}")
        lines.append(part["name"])
    return "\n".join(lines) + "\n"
