"""LED screens: for each screen and date, native-resolution slides and the day's loop.

Unlike the per-story channels, a rendition here is a screen-day made of many stories (a
collective unit): the build asks :meth:`LedChannel.plan` for the screen-days of a date, then
renders each one into
``led/<screen>/<date>/``: ``slide-001.png``…, ``loop.mp4`` (or ``loop-HHMM.mp4`` per part of
the day), ``playlist.json`` and ``playlist.m3u``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from publisher import atomic
from publisher.channels.led import playlist
from publisher.channels.led.settings import LedSettings, Screen
from publisher.config import SiteConfig
from publisher.content.frontmatter import comma_hint
from publisher.content.story import Story
from publisher.errors import Diagnostic
from publisher.i18n import _
from publisher.render import chinese, fonts
from publisher.render.channel import (
    Channel,
    ChannelReport,
    CollectiveUnit,
    Delivered,
    RenderContext,
    Tally,
    Unit,
    read_json,
)

if TYPE_CHECKING:  # the renderers are imported where they draw: a build that renders nothing never loads them
    from publisher.channels.led.slides import SlideText


@dataclass
class ScreenDay(CollectiveUnit):
    """One screen's programme for one date: what the build hashes and renders, and the publisher
    delivers to the screen's target."""

    kind: ClassVar[str] = "screen-day"
    screen: Screen | None = None
    parts: list[playlist.Part] = field(default_factory=list)
    excluded: list[dict] = field(default_factory=list)


class LedChannel(Channel):
    type = "led"
    label = "LED 屏"
    Settings = LedSettings
    scheduled = "units"
    adopts = ("screens",)
    units_template = "led/preview-units.html.j2"
    """The index page's section: each screen's loops, by date."""
    story_units_template = "led/preview-story.html.j2"
    """A story page's section: the slides of the story in each screen's latest loop."""

    @property
    def led(self) -> LedSettings:
        return self.settings  # type: ignore[return-value]

    def plan(self, stories: list[Story], day: dt.date, drafts: bool, refused: Sequence[Story] = ()) -> list[Unit]:
        """Every screen's programme for ``day``, with the reason each left-out story is out (those
        the publisher refused: not approved)."""
        days: list[Unit] = []
        for screen in self.led.screens:
            entries, excluded = [], []
            refused_ids = {story.id for story in refused}
            for story in [*stories, *refused]:
                reason = playlist.eligible(story, screen, day, {self.name}, drafts)
                if reason is None and story.id in refused_ids:
                    reason = playlist.NOT_APPROVED
                if reason is None:
                    entries.append(playlist.Entry(story, playlist.windows(story.meta.hours)))
                elif reason != playlist.NOT_ON_CHANNEL:
                    excluded.append({"story": story.id, "reason": reason})
            parts = playlist.day_parts(entries)
            for part in parts:
                part.entries = playlist.order(part.entries, self.led.urgent_every)
            members: dict[str, Story] = {}
            for part in parts:
                for entry in part.entries:
                    members.setdefault(entry.story.id, entry.story)
            shape = json.dumps([screen.model_dump(mode="json"), excluded,
                                [[part.start, part.end, [e.story.id for e in part.entries]] for part in parts]],
                               ensure_ascii=False)
            days.append(ScreenDay(
                key=f"{screen.name}/{day.isoformat()}",
                # the screen and the date, in no language: the ledger keeps it, and a report or status in
                # another language than the daemon's shows it (an English "loop" in a Chinese report)
                name=f"{screen.title or screen.name} {day}",
                members=list(members.values()), day=day, targets=[screen.deliver] if screen.deliver else [],
                extra=shape, screen=screen, parts=parts, excluded=excluded))
        return days

    def keeps(self, key: str) -> bool:
        """Loops of other days stay (the preview shows them; targets prune them) while their screen exists."""
        return self.led.screen(key.split("/", 1)[0]) is not None

    def render(self, ctx: RenderContext) -> list[str]:
        return render_day(ctx)

    def destination(self, key: str) -> str:
        """``<screen>/<date>``: a screen's own stick or share holds only its loops."""
        return key

    def facts(self, folder: Path, stories: Sequence[Story]) -> dict:
        """The screen and each story's airtime that day, from the loop's playlist: a part of the day
        repeats its loop from start to end, so a story plays its share of the part's window."""
        played = read_json(folder / "playlist.json")
        airtime: dict[str, float] = {}
        for part in played.get("parts", []):
            window = (_minute_of(part.get("end", "24:00")) - _minute_of(part.get("start", "00:00"))) * 60
            duration = float(part.get("duration") or 0)
            if window <= 0 or duration <= 0:
                continue
            for item in part.get("items", []):
                if item.get("story"):
                    share = window * float(item.get("seconds") or 0) / duration
                    airtime[item["story"]] = airtime.get(item["story"], 0.0) + share
        return {"screen": played.get("screen", ""), "title": played.get("title") or played.get("screen", ""),
                "airtime": {story: round(seconds, 1) for story, seconds in sorted(airtime.items())}}

    def report(self, items: Sequence[Delivered], only: set[str] | None = None) -> ChannelReport:
        """Screens, screen-days looped and hours of airtime (of ``only``'s stories, for a campaign), with
        each screen's hours per day for the chart. A day's loop made again (a story changed) counts once:
        the last one delivered."""
        latest: dict[tuple[str, dt.date | None], Delivered] = {}
        for item in sorted(items, key=lambda i: i.at):
            if only is None or only.intersection(item.stories):
                latest[(item.facts.get("screen") or item.key.split("/", 1)[0], item.day)] = item
        if not latest:
            return ChannelReport()
        daily: dict[str, dict[dt.date, float]] = {}
        total = 0.0
        for (screen, day), item in sorted(latest.items(), key=lambda pair: (pair[0][0], str(pair[0][1]))):
            seconds = sum(value for story, value in item.facts.get("airtime", {}).items()
                          if only is None or story in only)
            total += seconds
            if day is not None:
                daily.setdefault(item.facts.get("title") or screen, {})[day] = round(seconds / 3600, 2)
        screens, days, hours = len({screen for screen, _day in latest}), len(latest), _amount(total / 3600)
        related = "相关" if only is not None else ""
        return ChannelReport(
            [Tally("LED 屏", screens, "块"), Tally("LED 屏循环播放", days, "屏·天"),
             Tally("LED 屏累计播放", hours, "小时",
                   f"在{screens}块LED屏每日循环播放{related}内容，累计{days}屏·天、{hours}小时")],
            daily, "LED 屏每日播放时长｜小时")

    def front_matter_problems(self, story: Story, shown: str) -> list[Diagnostic]:
        known = {screen.name for screen in self.led.screens}
        problems = []
        for index, name in enumerate(story.meta.screens or []):
            if name not in known:
                line, col = story.position("screens", index)
                problems.append(Diagnostic(shown, line, col, _("unknown screen {name!r} (known: {known})").format(
                    name=name, known=", ".join(sorted(known)) or _("none configured")) + comma_hint(name)))
        return problems

    def preview_units(self, units: list[tuple[str, Path, str]]) -> dict:
        """Each screen's loops by date (newest first), from their playlist.json."""
        screens = []
        for screen in self.led.screens:
            days = {}
            for key, folder, link in units:
                name, _slash, date = key.partition("/")
                if name == screen.name and (found := read_json(folder / "playlist.json")):
                    days[date] = {"playlist": found, "folder": link}
            screens.append({"screen": screen, "days": dict(sorted(days.items(), reverse=True))})
        return {"screens": screens, "reason": playlist.reason_zh}

    def preview_story(self, units: dict, story_id: str) -> dict | None:
        """The story's slides in each screen's latest loop that plays it."""
        found = []
        for entry in units.get("screens", []):
            for date, day in entry["days"].items():
                slides = [(part, item, start) for part in day["playlist"]["parts"]
                          for item, start in zip(part["items"], _starts(part["items"]), strict=True)
                          if item.get("story") == story_id]
                if slides:
                    found.append({"screen": entry["screen"], "date": date, "day": day, "slides": slides})
                    break
        return {"leds": found} if found else None



def _starts(items: list[dict]) -> list[float]:
    """When each item of a part begins in its loop (a ticker's story is shown from there)."""
    starts, at = [], 0.0
    for item in items:
        starts.append(round(at, 3))
        at += float(item.get("seconds") or 0)
    return starts


def render_day(ctx: RenderContext) -> list[str]:
    from publisher.channels.led import ticker
    from publisher.channels.led.slides import slides_for
    from publisher.render.video.encode import EncoderSettings, encode, even_size

    """Write one screen-day into the rendition folder; returns the file names."""
    led: LedSettings = ctx.channel_config  # type: ignore[assignment]
    day: ScreenDay = ctx.unit  # type: ignore[assignment]
    config, folder, screen, language = ctx.config, ctx.folder, day.screen, ctx.language

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
    settings = EncoderSettings(screen.width, screen.height, led.fps, led.crf, led.preset)
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
        "screen": screen.name, "title": screen.title, "date": day.day.isoformat(),
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


def _minute_of(clock: str) -> int:
    hours, _sep, minutes = str(clock).partition(":")
    try:
        return int(hours) * 60 + int(minutes or 0)
    except ValueError:
        return 0


def _amount(value: float) -> int | float:
    """Hours as the report writes them: whole when whole, else one decimal."""
    rounded = round(value, 1)
    return int(rounded) if rounded == int(rounded) else rounded


def _slide_text(story: Story | None, localize, led: LedSettings, config: SiteConfig) -> SlideText:
    from publisher.channels.led.slides import SlideText

    if story is None:
        return SlideText("", localize(config.name), localize(led.idle_text))
    meta = story.meta
    body = [meta.summary] if meta.summary else []
    body += [f"{f.label} {f.value}{f.unit}" for f in meta.figures]
    photo = story.images[0] if meta.kind == "officer" and story.images else None
    return SlideText(story.id, localize(meta.title), localize("\n".join(body)), photo, meta.urgent)


def _ticker_text(story: Story | None, localize, led: LedSettings) -> str:
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
