"""Douyin: a story's Markdown becomes a finished, subtitled vertical clip.

Outputs: ``video.mp4`` (H.264 yuv420p, 1080x1920, 30 fps, AAC, +faststart, BT.709; encoded
once), ``video.srt`` (the same cues), ``cover.jpg`` (1080x1440), ``caption.txt`` and
``plan.json`` (scenes and cue times, for the preview and the tests).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from publisher import atomic
from publisher.config import DouyinChannel
from publisher.errors import ContentError, Diagnostic
from publisher.i18n import _
from publisher.render import inputs, templates
from publisher.render.base import RenderContext, template_context
from publisher.render.cards import CardPainter, CardTextTooLong
from publisher.render.video import audio, script, subtitles, timing
from publisher.render.video.encode import VideoSettings, encode
from publisher.render.video.frames import KIND_LABELS, Cards, FrameComposer
from publisher.render.video.probe import ProbeError, probe

TEMPLATE = "douyin/caption.txt.j2"


def check(ctx: RenderContext) -> None:
    """Everything knowable before encoding: title length, media files, the plan and its duration."""
    prepare(ctx)


class Prepared:
    def __init__(self, plan: timing.Plan, images: dict[int, Path], voices: dict[str, Path], music: Path | None,
                 caption_title: str):
        self.plan, self.images, self.voices, self.music = plan, images, voices, music
        self.caption_title = caption_title


def prepare(ctx: RenderContext) -> Prepared:
    channel: DouyinChannel = ctx.channel_config  # type: ignore[assignment]
    story, meta = ctx.story, ctx.story.meta
    title = ctx.localize(meta.title)
    if len(title) > channel.title_limit:
        raise ctx.error(_("title is {length} characters, over Douyin's limit of {limit} by {over}").format(
            length=len(title), limit=channel.title_limit, over=len(title) - channel.title_limit), "title")
    scenes = script.parse(ctx.localize(story.parsed.body), story.parsed.body_line)
    if not any(scene.sentences for scene in scenes):
        raise ctx.error(_("the story has no text to make subtitles from (write the script in the body)"))
    images: dict[int, Path] = {}
    for index, scene in enumerate(scenes):
        if scene.image:
            path = story.body_images.get(scene.image)
            if path is None:
                raise ContentError(Diagnostic(ctx.shown_path, scene.image_line, 1,
                                              _("image {src!r} not found beside the story or under assets/").format(
                                                  src=scene.image)))
            images[index] = path
    voices = _voices(ctx)
    music = _audio_file(ctx, "music", story.media.get("music", [None])[0]) if meta.music else None
    try:
        if isinstance(meta.voice, list):
            if len(meta.voice) != len(scenes):
                raise ctx.error(_("voice: {files} files for {scenes} scenes; give one per scene or a single file "
                                  "for the whole clip").format(files=len(meta.voice), scenes=len(scenes)), "voice")
            plan = timing.per_scene_voice_plan(scenes, channel, [(name, voices[name][1]) for name in meta.voice])
        elif meta.voice:
            plan = timing.voice_plan(scenes, channel, meta.voice, voices[meta.voice][1])
        else:
            plan = timing.reading_plan(scenes, channel)
    except timing.TimingError as exc:
        raise ctx.error(_("voice-over timing: {problem}").format(problem=exc), "voice") from None
    if not channel.min_seconds <= plan.duration <= channel.max_seconds:
        raise ctx.error(_("the clip would last {seconds:.1f} s; Douyin clips must last between {shortest:g} s "
                          "and {longest:g} s").format(seconds=plan.duration, shortest=channel.min_seconds,
                                                      longest=channel.max_seconds))
    texts = [title, ctx.localize(ctx.account), *_end_lines(ctx, channel)]
    texts += [scene.heading for scene in scenes] + [cue.text for cue in plan.cues]
    for text in texts:
        ctx.require_glyphs(text)
    return Prepared(plan, images, {name: path for name, (path, _seconds) in voices.items()}, music, title)


def render(ctx: RenderContext) -> list[str]:
    channel: DouyinChannel = ctx.channel_config  # type: ignore[assignment]
    prepared = prepare(ctx)
    plan = prepared.plan
    folder = ctx.folder
    atomic.write_text(folder / "video.srt", subtitles.srt(plan.cues))
    atomic.write_text(folder / "plan.json", json.dumps(plan.to_json(), ensure_ascii=False, indent=2))
    _cover(ctx, prepared, folder / "cover.jpg")
    topics = list(dict.fromkeys(ctx.story.meta.topics))
    caption = templates.render(ctx.site, channel.template or TEMPLATE,
                               **template_context(ctx, topics=topics, caption_title=prepared.caption_title))
    atomic.write_text(folder / "caption.txt", ctx.localize(caption.strip()) + "\n")

    soundtrack = folder / ".tmp-soundtrack.wav"
    try:
        has_sound = audio.mix(plan, prepared.voices, prepared.music, channel, soundtrack)
    except (OSError, ValueError) as exc:
        raise ctx.error(_("could not mix the soundtrack: {problem}").format(problem=exc),
                        "music" if prepared.music else "voice") from None
    cards = Cards(prepared.caption_title, ctx.localize(ctx.account),
                  ctx.localize(KIND_LABELS.get(ctx.story.meta.kind, "")), _end_lines(ctx, channel))
    composer = FrameComposer(plan, channel, ctx.config.theme, ctx.language, cards, prepared.images)
    settings = VideoSettings(channel.width, channel.height, channel.fps, channel.crf, channel.preset,
                             channel.audio_bitrate)
    video = folder / "video.mp4"
    encode(_frames(composer, plan.duration, channel.fps, ctx.story.id, ctx.progress), settings, video,
           plan.duration, soundtrack if has_sound else None, yuv_input=True)
    soundtrack.unlink(missing_ok=True)
    megabytes = video.stat().st_size / 1e6
    if megabytes > channel.max_megabytes:
        raise ctx.error(_("video.mp4 is {size:.1f} MB, over Douyin's {limit:g} MB; shorten the clip or raise "
                          "crf").format(size=megabytes, limit=channel.max_megabytes))
    return ["video.mp4", "video.srt", "cover.jpg", "caption.txt", "plan.json"]


def _frames(composer: FrameComposer, duration: float, fps: int, label: str, progress: bool):
    """Every frame of the clip, in order; only changing layers are computed (see frames.py)."""
    count = round(duration * fps)
    indices = range(count)
    if progress:
        from tqdm import tqdm

        indices = tqdm(indices, total=count, desc=_("douyin {story}").format(story=label), unit=_("frame"), leave=False,
                       file=sys.stderr)
    for index in indices:
        yield composer.frame(index / fps)


def _end_lines(ctx: RenderContext, channel: DouyinChannel) -> list[str]:
    return [ctx.localize(line) for line in channel.end_lines]


def _voices(ctx: RenderContext) -> dict[str, tuple[Path, float]]:
    meta = ctx.story.meta
    names = [meta.voice] if isinstance(meta.voice, str) else list(meta.voice or [])
    found = {}
    for index, (name, path) in enumerate(zip(names, ctx.story.media.get("voice", []), strict=False)):
        key = ("voice", index) if isinstance(meta.voice, list) else ("voice",)
        found[name] = (path, _duration(ctx, path, name, key))
    return found


def _audio_file(ctx: RenderContext, key: str, path: Path | None) -> Path | None:
    if path is not None:
        _duration(ctx, path, path.name, (key,))
    return path


def _duration(ctx: RenderContext, path: Path, name: str, key: tuple) -> float:
    try:
        info = probe(inputs.use(path))
    except ProbeError as exc:
        raise ctx.error(_("{field} {name!r} is unreadable or not audio ({problem})").format(
            field=key[0], name=name, problem=exc), *key) from None
    if not info.audio or info.duration <= 0:
        raise ctx.error(_("{field} {name!r} has no audio").format(field=key[0], name=name), *key)
    return info.duration


def _cover(ctx: RenderContext, prepared: Prepared, path: Path) -> None:
    """3:4 cover, 1080x1440: the title card design over the first photo of the script."""
    meta = ctx.story.meta
    footer = ctx.localize(f"{ctx.config.name}　{meta.date.year}年{meta.date.month}月{meta.date.day}日")
    painter = CardPainter(1080, 1440, ctx.config.theme, ctx.language, ctx.localize(ctx.account), footer)
    photo = next(iter(prepared.images.values()), ctx.story.images[0] if ctx.story.images else None)
    try:
        card = painter.title_card(prepared.caption_title, ctx.localize(meta.summary), photo)
    except CardTextTooLong as exc:
        raise ctx.error(_("cover: the {role} text does not fit; shorten it").format(role=exc.role), "title") from None
    card.image.save(path, "JPEG", quality=90)
