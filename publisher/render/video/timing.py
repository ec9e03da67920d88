"""The cue plan: when each card, scene and subtitle shows.

Without a voice-over, cues last as long as they take to read (characters / reading speed,
clamped to a minimum and maximum). With one, cues follow the recording: ``[mm:ss.s]`` marks
pin sentences, and unmarked cues share the time between marks in proportion to their length.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field

from publisher.i18n import _
from publisher.render.video.script import Scene, cue_texts
from publisher.render.video.settings import ClipSettings


@dataclass
class Cue:
    start: float
    end: float
    lines: list[str]
    scene: int

    @property
    def text(self) -> str:
        return "".join(self.lines)


@dataclass
class PlannedScene:
    index: int
    heading: str
    image: str | None
    start: float
    end: float
    voice: str | None = None
    """Per-scene voice-over file, played from ``start``."""


@dataclass
class Plan:
    title: tuple[float, float]
    scenes: list[PlannedScene]
    cues: list[Cue]
    end_card: tuple[float, float]
    voice: str | None = None
    """Whole-clip voice-over file, played from ``voice_start``."""
    voice_start: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return self.end_card[1]

    def to_json(self) -> dict:
        return {"duration": round(self.duration, 3), "title": self.title, "end_card": self.end_card,
                "voice": self.voice, "voice_start": self.voice_start,
                "scenes": [asdict(s) for s in self.scenes],
                "cues": [{"start": round(c.start, 3), "end": round(c.end, 3), "lines": c.lines, "scene": c.scene}
                         for c in self.cues]}


class TimingError(ValueError):
    pass


def _raw_cues(scene: Scene, channel: ClipSettings) -> list[tuple[list[str], float | None]]:
    cues = []
    for sentence in scene.sentences:
        for number, lines in enumerate(cue_texts(sentence.text, channel.line_chars, channel.max_lines)):
            cues.append((lines, sentence.mark if number == 0 else None))
    return cues


def reading_plan(scenes: list[Scene], channel: ClipSettings) -> Plan:
    t = channel.title_seconds
    planned, cues = [], []
    for index, scene in enumerate(scenes):
        start = t
        for lines, _mark in _raw_cues(scene, channel):
            length = sum(len(line) for line in lines)
            duration = min(max(length / channel.chars_per_second, channel.min_cue), channel.max_cue)
            cues.append(Cue(t, t + duration, lines, index))
            t += duration + channel.cue_gap
        if t == start:  # a scene with only an image still shows for a moment
            t += 2.0
        planned.append(PlannedScene(index, scene.heading, scene.image, start, t))
    return Plan((0.0, channel.title_seconds), planned, cues, (t, t + channel.end_seconds))


def voice_plan(scenes: list[Scene], channel: ClipSettings, voice: str, voice_seconds: float) -> Plan:
    """One recording for the whole clip: it starts after the title card."""
    start = channel.title_seconds
    items = [(index, lines, mark) for index, scene in enumerate(scenes) for lines, mark in _raw_cues(scene, channel)]
    for _index, _lines, mark in items:
        if mark is not None and not 0 <= mark < voice_seconds:
            raise TimingError(_("mark [{mark}] is outside the voice-over ({length} long)").format(
                mark=_clock(mark), length=_clock(voice_seconds)))
    times = _spread([(lines, mark) for _index, lines, mark in items], 0.0, voice_seconds)
    cues = [Cue(start + a, start + b, lines, index) for (index, lines, _mark), (a, b) in zip(items, times, strict=True)]
    for earlier, later in itertools.pairwise(cues):
        earlier.end = max(earlier.start + 0.2, min(earlier.end, later.start - channel.cue_gap))
    planned = []
    for index, scene in enumerate(scenes):
        own = [c for c in cues if c.scene == index]
        begin = own[0].start if own else (planned[-1].end if planned else start)
        planned.append(PlannedScene(index, scene.heading, scene.image, begin, begin))
    planned[0].start = start
    for current, following in itertools.pairwise(planned):
        current.end = following.start
    end = start + voice_seconds + 0.3
    planned[-1].end = end
    return Plan((0.0, start), planned, cues, (end, end + channel.end_seconds), voice=voice, voice_start=start)


def per_scene_voice_plan(scenes: list[Scene], channel: ClipSettings, voices: list[tuple[str, float]]) -> Plan:
    """One recording per scene: each scene lasts as long as its recording."""
    t = channel.title_seconds
    planned, cues = [], []
    for index, (scene, (voice, seconds)) in enumerate(zip(scenes, voices, strict=True)):
        raw = _raw_cues(scene, channel)
        for mark in (m for _lines, m in raw if m is not None):
            if not 0 <= mark < seconds:
                raise TimingError(_("mark [{mark}] in scene {scene} is outside its voice-over ({length} "
                                    "long)").format(mark=_clock(mark), scene=index + 1, length=_clock(seconds)))
        for (lines, _mark), (a, b) in zip(raw, _spread(raw, 0.0, seconds), strict=True):
            cues.append(Cue(t + a, t + b, lines, index))
        planned.append(PlannedScene(index, scene.heading, scene.image, t, t + seconds + 0.3, voice))
        t += seconds + 0.3
    for earlier, later in itertools.pairwise(cues):
        earlier.end = max(earlier.start + 0.2, min(earlier.end, later.start - channel.cue_gap))
    return Plan((0.0, channel.title_seconds), planned, cues, (t, t + channel.end_seconds))


def _spread(items: list[tuple[list[str], float | None]], begin: float, end: float) -> list[tuple[float, float]]:
    """Times for cues between ``begin`` and ``end``: marked cues start at their mark, the others
    share the spans between marks in proportion to their length."""
    anchors = [(i, mark) for i, (_lines, mark) in enumerate(items) if mark is not None]
    bounds = [(0, begin)] + [a for a in anchors if a[0] != 0] + [(len(items), end)]
    if anchors and anchors[0][0] == 0:
        bounds[0] = (0, anchors[0][1])
    for (_first, t1), (_last, t2) in itertools.pairwise(bounds):
        if t2 < t1:
            raise TimingError(_("voice-over marks must increase through the script"))
    times: list[tuple[float, float]] = []
    for (first, t1), (last, t2) in itertools.pairwise(bounds):
        group = items[first:last]
        weights = [max(1, sum(len(line) for line in lines)) for lines, _mark in group]
        total = sum(weights) or 1
        t = t1
        for weight in weights:
            span = (t2 - t1) * weight / total
            times.append((t, t + span))
            t += span
    return times


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60):02d}:{seconds % 60:04.1f}"
