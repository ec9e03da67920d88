"""Short video (抖音, 快手, 视频号): a story's Markdown becomes a finished, subtitled vertical clip.

Outputs: ``video.mp4`` (H.264 yuv420p, 1080x1920, 30 fps, AAC, +faststart, BT.709; encoded
once), ``video.srt`` (the same cues), ``cover.jpg`` (1080x1440), ``caption.txt`` and
``plan.json`` (scenes and cue times, for the preview and the tests).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, model_validator

from publisher import __version__, atomic
from publisher.config import ChannelSettings
from publisher.content.hashing import content_hash, file_hash
from publisher.errors import ContentError, Diagnostic
from publisher.i18n import N_, _
from publisher.render import artifacts, fonts, inputs
from publisher.render.channel import (
    Channel,
    ChannelReport,
    Delivered,
    Message,
    RenderContext,
    Tally,
    posted_stories,
    read_json,
    template_context,
)
from publisher.render.video import script, timing
from publisher.render.video.settings import BUNDLED_MUSIC, ClipSettings
from publisher.sourcepos import toml_key_line

if TYPE_CHECKING:  # the renderers are imported where they draw: a build that renders nothing never loads them
    from publisher.render.video.frames import FrameComposer

TEMPLATE = "video/caption.txt.j2"


PLATFORMS: dict[str, dict] = {
    "douyin": {"label": "抖音", "title_min": 1, "title_limit": 30, "caption_limit": 1000,
               "cover_width": 1080, "cover_height": 1440},
    "kuaishou": {"label": "快手", "title_min": 1, "title_limit": 30, "caption_limit": 500,
                 "cover_width": 1080, "cover_height": 1440},
    "channels": {"label": "视频号", "title_min": 6, "title_limit": 16, "caption_limit": 1000,
                 "cover_width": 1080, "cover_height": 1260},
}
"""Each platform's caption rules (its defaults; a channel may set any of them). All three take the
same 9:16 clip and write topics ``#话题`` (no closing #). 视频号's short title is 6-16 characters
and its feed crops the cover to 6:7; Kuaishou's caption limit is unverified."""


class VideoSettings(ChannelSettings, ClipSettings):
    """``[channels.NAME] type = "video"``: a subtitled vertical clip for a short-video platform.
    Older sites write ``type = "douyin"``, read as ``type = "video"``, ``platform = "douyin"``."""

    type: Literal["video"]
    platform: Literal["douyin", "kuaishou", "channels"] = "douyin"
    """douyin (抖音), kuaishou (快手) or channels (视频号): sets the caption rules below."""
    title_limit: int = Field(30, ge=1)
    """Most characters in the caption's title (抖音 30, 快手 30, 视频号 16: the platform's by default)."""
    title_min: int = Field(1, ge=1)
    """Fewest characters in the caption's title (视频号's short title: 6; the platform's by default)."""
    caption_limit: int = Field(1000, ge=1)
    """Most characters in the whole caption, topics included (the platform's by default)."""
    cover_width: int = Field(1080, ge=100, le=8192)
    """Cover width in pixels."""
    cover_height: int = Field(1440, ge=100, le=8192)
    """Cover height in pixels (抖音 and 快手 3:4, 1080x1440; 视频号 6:7, 1080x1260)."""
    min_seconds: float = Field(5.0, ge=0)
    """Shortest allowed clip."""
    max_seconds: float = Field(900.0, gt=0)
    """Longest allowed clip (Douyin: 15 minutes for one upload)."""
    max_megabytes: float = Field(128.0, gt=0)
    """Largest allowed file (Douyin: 128 MB for one upload)."""

    @model_validator(mode="before")
    @classmethod
    def _platform_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if data.get("type") in ALIASES:
            implied = ALIASES[data["type"]]
            if data.setdefault("platform", implied) != implied:
                raise ValueError(_("type {type!r} means platform {implied!r}; write type = \"video\" for "
                                   "platform {platform!r}").format(type=data["type"], implied=implied,
                                                                  platform=data["platform"]))
            data["type"] = "video"
        preset = PLATFORMS.get(data.get("platform", "douyin"), {})
        for key, value in preset.items():
            if key != "label":
                data.setdefault(key, value)
        return data

    @property
    def platform_label(self) -> str:
        return _(PLATFORM_NAMES[self.platform])

    def problems(self, name: str, path: Path, text: str) -> list[Diagnostic]:
        """``default_music`` must name an audio file inside the site (or ``"bundled"``, or ``""``)."""
        if self.default_music in ("", BUNDLED_MUSIC):
            return []
        site = path.parent
        music = site / self.default_music
        if atomic.confined(site, music) and music.is_file():
            return []
        line, col = toml_key_line(text, ("channels", name, "default_music"))
        return [Diagnostic(str(path), line, col, _(
            "channels.{name}.default_music: {file!r} is not a file of the site; give a path such as "
            "\"assets/music/theme.mp3\", \"bundled\" for the music that comes with publisher, or \"\" for "
            "none").format(name=name, file=self.default_music))]

    def drawn_texts(self, name: str) -> list[tuple[tuple[str | int, ...], str]]:
        return [*super().drawn_texts(name), *((("channels", name, "end_lines"), line) for line in self.end_lines)]


ALIASES = {"douyin": "douyin"}
"""Older channel types read as the video channel on a platform (``type = "douyin"``)."""
PLATFORM_NAMES = {"douyin": N_("Douyin"), "kuaishou": N_("Kuaishou"), "channels": N_("WeChat Channels")}
"""Platform names in messages (the team reads 抖音, 快手, 视频号)."""


def check(ctx: RenderContext) -> None:
    """Everything knowable before encoding: title length, media files, the plan and its duration."""
    prepare(ctx)


class Prepared:
    def __init__(self, plan: timing.Plan, images: dict[int, Path], voices: dict[str, Path], music: Path | None,
                 caption_title: str):
        self.plan, self.images, self.voices, self.music = plan, images, voices, music
        self.caption_title = caption_title


def prepare(ctx: RenderContext) -> Prepared:
    channel: VideoSettings = ctx.channel_config  # type: ignore[assignment]
    story, meta = ctx.story, ctx.story.meta
    title = ctx.localize(meta.title)
    if len(title) > channel.title_limit:
        raise ctx.error(_("title is {length} characters, over {platform}'s limit of {limit} by {over}").format(
            platform=channel.platform_label, length=len(title), limit=channel.title_limit,
            over=len(title) - channel.title_limit), "title")
    if len(title) < channel.title_min:
        raise ctx.error(_("title is {length} characters; {platform} wants at least {least}").format(
            length=len(title), platform=channel.platform_label, least=channel.title_min), "title")
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
    music = _music(ctx, channel)
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
        raise ctx.error(_("the clip would last {seconds:.1f} s; {platform} clips must last between {shortest:g} s "
                          "and {longest:g} s").format(
                              seconds=plan.duration, platform=channel.platform_label, shortest=channel.min_seconds,
                                                      longest=channel.max_seconds))
    texts = [title, ctx.localize(ctx.account), *_end_lines(ctx, channel)]
    texts += [scene.heading for scene in scenes] + [cue.text for cue in plan.cues]
    texts += [ctx.localize(f"{figure.label}{figure.value}{figure.unit}") for figure in meta.figures]
    for text in texts:
        ctx.require_glyphs(text)
    return Prepared(plan, images, {name: path for name, (path, _seconds) in voices.items()}, music, title)


def render(ctx: RenderContext) -> list[str]:
    from publisher.render import templates
    from publisher.render.video import subtitles

    channel: VideoSettings = ctx.channel_config  # type: ignore[assignment]
    prepared = prepare(ctx)
    plan = prepared.plan
    folder = ctx.folder
    atomic.write_text(folder / "video.srt", subtitles.srt(plan.cues))
    cover = _cover(ctx, prepared, folder / "cover.jpg")
    # The cover's text boxes with their lines as drawn, beside the cues (the typesetting audit reads both).
    atomic.write_text(folder / "plan.json", json.dumps({**plan.to_json(), "cover": cover}, ensure_ascii=False,
                                                       indent=2))
    topics = list(dict.fromkeys(ctx.story.meta.topics))
    # A platform may have its own caption template (templates/kuaishou/caption.txt.j2), else the video one.
    caption = templates.render(ctx.site, channel.template or [f"{channel.platform}/caption.txt.j2", TEMPLATE],
                               **template_context(ctx, topics=topics, caption_title=prepared.caption_title))
    caption = ctx.localize(caption.strip())
    if len(caption) > channel.caption_limit:
        raise ctx.error(_("the caption is {length} characters, over {platform}'s limit of {limit} by {over}").format(
            length=len(caption), platform=channel.platform_label, limit=channel.caption_limit,
            over=len(caption) - channel.caption_limit))
    atomic.write_text(folder / "caption.txt", caption + "\n")

    clip, _made = artifacts.shared(ctx.out, clip_key(ctx), ".mp4", lambda path: _encode(ctx, prepared, path))
    artifacts.link(clip, folder / "video.mp4")
    megabytes = clip.stat().st_size / 1e6
    if megabytes > channel.max_megabytes:
        raise ctx.error(_("video.mp4 is {size:.1f} MB, over {platform}'s {limit:g} MB; shorten the clip or raise "
                          "crf").format(size=megabytes, platform=channel.platform_label, limit=channel.max_megabytes))
    return ["video.mp4", "video.srt", "cover.jpg", "caption.txt", "plan.json"]


def clip_key(ctx: RenderContext) -> str:
    """The clip's identity: what it is drawn from (the story with every file it uses, the clip
    settings, the theme, the language, the account on its end card, the font), never which
    channel asks for it."""
    channel: VideoSettings = ctx.channel_config  # type: ignore[assignment]
    clip = ClipSettings.model_validate(channel.model_dump(include=set(ClipSettings.model_fields)))
    digest = hashlib.sha256(f"publisher {__version__}\0{ctx.story.id}\0{content_hash(ctx.story)}\0"
                            f"{ctx.language}\0{channel.opencc}\0{ctx.account}\0"
                            f"{inputs.installed_version(fonts.FONT_DISTRIBUTION)}\0".encode())
    digest.update(clip.model_dump_json().encode())
    digest.update(ctx.config.theme.model_dump_json().encode())
    music = None if ctx.story.meta.music else default_music(ctx.site, clip)
    if music is not None and music.is_file():  # not part of the story's own files: its content counts here
        digest.update(f"\0music\0{file_hash(music)}".encode())
    return digest.hexdigest()


def _encode(ctx: RenderContext, prepared: Prepared, video: Path) -> None:
    """Mix the soundtrack, draw every frame and encode the clip into ``video`` (the one slow step)."""
    from publisher.render.video import audio
    from publisher.render.video.design import KeyFigure
    from publisher.render.video.encode import EncoderSettings, encode
    from publisher.render.video.frames import KIND_LABELS, Cards, FrameComposer

    channel: VideoSettings = ctx.channel_config  # type: ignore[assignment]
    plan = prepared.plan
    soundtrack = ctx.folder / ".tmp-soundtrack.wav"
    try:
        has_sound = audio.mix(plan, prepared.voices, prepared.music, channel, soundtrack)
    except (OSError, ValueError) as exc:
        raise ctx.error(_("could not mix the soundtrack: {problem}").format(problem=exc),
                        "music" if prepared.music else "voice") from None
    figures = [KeyFigure(ctx.localize(f.label), f.value, ctx.localize(f.unit)) for f in ctx.story.meta.figures]
    cards = Cards(prepared.caption_title, ctx.localize(ctx.account),
                  ctx.localize(KIND_LABELS.get(ctx.story.meta.kind, "")), _end_lines(ctx, channel), figures)
    composer = FrameComposer(plan, channel, ctx.config.theme, ctx.language, cards, prepared.images)
    settings = EncoderSettings(channel.width, channel.height, channel.fps, channel.crf, channel.preset,
                        channel.audio_bitrate)
    try:
        encode(_frames(composer, plan.duration, channel.fps, ctx.story.id, ctx.progress), settings, video,
               plan.duration, soundtrack if has_sound else None, yuv_input=True)
    finally:
        soundtrack.unlink(missing_ok=True)


def _frames(composer: FrameComposer, duration: float, fps: int, label: str, progress: bool):
    """Every frame of the clip, in order; only changing layers are computed (see frames.py)."""
    count = round(duration * fps)
    indices = range(count)
    if progress:
        from tqdm import tqdm

        indices = tqdm(indices, total=count, desc=_("video {story}").format(story=label), unit=_("frame"), leave=False,
                       file=sys.stderr)
    for index in indices:
        yield composer.frame(index / fps)


def _end_lines(ctx: RenderContext, channel: VideoSettings) -> list[str]:
    return [ctx.localize(line) for line in channel.end_lines]


def _voices(ctx: RenderContext) -> dict[str, tuple[Path, float]]:
    meta = ctx.story.meta
    names = [meta.voice] if isinstance(meta.voice, str) else list(meta.voice or [])
    found = {}
    for index, (name, path) in enumerate(zip(names, ctx.story.media.get("voice", []), strict=False)):
        key = ("voice", index) if isinstance(meta.voice, list) else ("voice",)
        found[name] = (path, _duration(ctx, path, name, key))
    return found


def _music(ctx: RenderContext, channel: VideoSettings) -> Path | None:
    """The story's ``music:``, else the channel's ``default_music`` (checked the same way)."""
    if ctx.story.meta.music:
        path = ctx.story.media.get("music", [None])[0]
        if path is not None:
            _duration(ctx, path, path.name, ("music",))
        return path
    path = default_music(ctx.site, channel)
    if path is not None:
        _duration(ctx, path, channel.default_music, ("music",))
    return path


def default_music(site: Path, channel: ClipSettings) -> Path | None:
    """The file ``default_music`` names: the bundled bed, a file of the site, or None (off)."""
    if not channel.default_music:
        return None
    if channel.default_music == BUNDLED_MUSIC:
        from publisher.render.video import audio

        return audio.BUNDLED_BED
    return site / channel.default_music


def _duration(ctx: RenderContext, path: Path, name: str, key: tuple) -> float:
    from publisher.render.video.probe import ProbeError, probe

    try:
        info = probe(inputs.use(path))
    except ProbeError as exc:
        raise ctx.error(_("{field} {name!r} is unreadable or not audio ({problem})").format(
            field=key[0], name=name, problem=exc), *key) from None
    if not info.audio or info.duration <= 0:
        raise ctx.error(_("{field} {name!r} has no audio").format(field=key[0], name=name), *key)
    return info.duration


def _cover(ctx: RenderContext, prepared: Prepared, path: Path) -> dict:
    """The feed cover at the platform's size (3:4; 视频号 6:7), designed for it: the first photo of
    the script, the title and the channel's account (see :mod:`publisher.render.video.cover`).
    Returns its description (its boxes, each text box with its lines as drawn)."""
    from publisher.render.cards import CardTextTooLong, text_name
    from publisher.render.video.cover import CoverPainter
    from publisher.render.video.frames import KIND_LABELS

    meta = ctx.story.meta
    channel: VideoSettings = ctx.channel_config  # type: ignore[assignment]
    painter = CoverPainter(channel.cover_width, channel.cover_height, ctx.config.theme, ctx.language)
    photo = next(iter(prepared.images.values()), ctx.story.images[0] if ctx.story.images else None)
    try:
        card = painter.cover(prepared.caption_title, ctx.localize(KIND_LABELS.get(meta.kind, "")),
                             ctx.localize(ctx.account), photo, ctx.localize(meta.summary))
    except CardTextTooLong as exc:
        message = _("cover: the {role} does not fit; shorten it").format(role=text_name(exc.role))
        raise ctx.error(message, "title") from None
    card.image.save(path, "JPEG", quality=90)
    return card.to_json(path.name)


class VideoChannel(Channel):
    type = "video"
    label = "短视频"
    aliases = tuple(ALIASES)
    Settings = VideoSettings
    preview_template = "video/preview.html.j2"

    @property
    def shown(self) -> str:
        label = PLATFORMS[self.settings.platform]["label"]  # type: ignore[attr-defined]
        same = self.name in (self.type, self.settings.platform)  # type: ignore[attr-defined]
        return label if same else f"{label}（{self.name}）"

    def check(self, ctx: RenderContext) -> None:
        check(ctx)

    def render(self, ctx: RenderContext) -> list[str]:
        return render(ctx)

    def preview(self, folder: Path, link: str) -> dict:
        plan = read_json(folder / "plan.json")
        return {"video": f"{link}/video.mp4", "cover": f"{link}/cover.jpg", "plan": plan,
                "duration": plan.get("duration", 0), "caption": _read(folder / "caption.txt"),
                "platform_label": PLATFORMS[self.settings.platform]["label"]}  # type: ignore[attr-defined]

    def message(self, folder: Path) -> Message:
        return Message(_read(folder / "caption.txt").strip(), ["video.mp4", "cover.jpg", "caption.txt"])

    def report(self, items: Sequence[Delivered], only: set[str] | None = None) -> ChannelReport:
        """Clips posted, per platform: 在抖音号“谢家集警方在线”发布短视频 6 条 (视频号 is already a 号)."""
        count = posted_stories(items, only)
        if not count:
            return ChannelReport()
        platform = PLATFORMS[self.settings.platform]["label"]  # type: ignore[attr-defined]
        account = platform if platform.endswith("号") else f"{platform}号"
        related = "相关" if only is not None else ""
        return ChannelReport([Tally(f"{account}“{self.account}”发布短视频", count, "条",
                                    f"在{account}“{self.account}”发布{related}短视频{count}条")])


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""
