"""``publisher preview``: a static site that shows every output as it will appear.

``<out>/preview/index.html`` (dashboard, next week's calendar, each screen's loop) and one page
per story with its channels side by side. Everything is referenced relatively, so the pages
work opened from disk; ``publisher serve`` serves the same files and reloads them on change.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from publisher import atomic, labels, manifest, preview_fonts
from publisher.build import BuildResult, build, check_output
from publisher.config import SiteConfig
from publisher.content.story import Story
from publisher.errors import PublisherError
from publisher.i18n import _
from publisher.render import templates

KIND_NAMES = labels.KINDS
CHANNEL_NAMES = labels.CHANNEL_TYPES


@dataclass
class StoryView:
    story: Story
    review: str
    renditions: dict[str, dict] = field(default_factory=dict)
    """channel name → what its template needs."""
    screens: list[str] = field(default_factory=list)
    """LED screens whose latest loop plays the story."""

    @property
    def page(self) -> str:
        return "stories/" + self.story.id.replace("/", "--") + ".html"

    @property
    def wechat_page(self) -> str:
        return "wechat/" + self.story.id.replace("/", "--") + ".html"


def generate(site: Path, config: SiteConfig, out: Path, result: BuildResult | None = None,
             day: dt.date | None = None, channels: list[str] | None = None) -> Path:
    """Build (incrementally, drafts included; only ``channels`` if given) and write the preview.
    Returns index.html. Holds the output folder for the whole time (no build can change the
    renditions the pages are made from)."""
    site, out = site.resolve(), out.resolve()
    check_output(site, out)
    if not atomic.confined(out, out / "preview"):
        raise PublisherError(_("{folder} is a symbolic link; refused (remove it: the preview is written there)").format(
            folder=out / "preview"))
    with atomic.output_lock(out):
        return _generate(site, config, out, result, day, channels)


def _generate(site: Path, config: SiteConfig, out: Path, result: BuildResult | None, day: dt.date | None,
              channels: list[str] | None) -> Path:
    if result is None:
        result = build(site, config, out, drafts=True, day=day, only=channels or ())
    data, stories = result.manifest, result.stories
    by_id = {s.id: s for s in stories}
    views: dict[str, StoryView] = {}
    screens: dict[str, dict[str, dict]] = {}
    for rendition in data.renditions:
        if rendition.stories:  # an LED screen-day
            screen, date = rendition.story.split("/", 1)
            playlist = _json(out / rendition.folder / "playlist.json")
            if playlist:
                screens.setdefault(screen, {})[date] = {"playlist": playlist, "folder": "../" + rendition.folder}
            continue
        story = by_id.get(rendition.story)
        if story is None:
            continue
        view = views.setdefault(story.id, StoryView(story, rendition.review))
        view.renditions[rendition.channel] = _channel_view(out, rendition, config)
    for story in stories:
        views.setdefault(story.id, StoryView(story, "", {}))
    for screen_name, days in screens.items():
        latest = days[max(days)]["playlist"]
        for story_id in {i.get("story") for part in latest["parts"] for i in part["items"]}:
            if story_id in views:
                views[story_id].screens.append(screen_name)
    ordered = sorted(views.values(), key=lambda v: (v.story.meta.kind, -v.story.meta.date.toordinal(), v.story.id))
    preview = out / "preview"
    stamp = dt.datetime.now(ZoneInfo(config.timezone))
    common = {"site": config, "kinds": KIND_NAMES, "channel_names": CHANNEL_NAMES, "built_at": stamp,
              "version": data.to_json().__hash__() ^ hash(stamp.isoformat())}
    counts = _counts(ordered, data)
    week = _week(site, config, stories, stamp)
    articles = {view.story.id: (out / view.renditions["wechat"]["folder"].removeprefix("../../") / "article.html")
                .read_text(encoding="utf-8") for view in ordered if "wechat" in view.renditions}

    def render_pages(fonts: list[str]) -> dict[str, str]:
        style = {"font_css": preview_fonts.css(fonts, "fonts/"),
                 "font_css_nested": preview_fonts.css(fonts, "../fonts/"),
                 "font_family": preview_fonts.family(fonts)}
        pages = {"index.html": templates.render(site, "preview/index.html.j2", stories=ordered, errors=data.errors,
                                                warnings=data.warnings, counts=counts, week=week,
                                                screens=_screens(config, screens), root="", **common, **style)}
        for view in ordered:
            leds = _story_screens(config, screens, view.story.id)
            pages[view.page] = templates.render(site, "preview/story.html.j2", view=view, leds=leds, root="../",
                                                **common, **style)
            if view.story.id in articles:
                pages[view.wechat_page] = templates.render(
                    site, "preview/wechat.html.j2", view=view, r=view.renditions["wechat"],
                    article=articles[view.story.id], root="../", **common, **style)
        return pages

    # The font subsets must cover the pages' own characters: render, and if the pages need
    # characters the first subsets lack, render again with the subsets that cover them.
    fonts = preview_fonts.font_files(preview / "fonts", "".join(articles.values()))
    pages = render_pages(fonts)
    covering = preview_fonts.font_files(preview / "fonts", "".join(pages.values()))
    if covering != fonts:
        pages = render_pages(covering)
    for name, page in pages.items():
        atomic.write_text(preview / name, page)
    atomic.write_text(preview / "version.json", json.dumps({"version": common["version"]}))
    return preview / "index.html"


def _channel_view(out: Path, rendition: manifest.Rendition, config: SiteConfig) -> dict:
    folder = out / rendition.folder
    link = "../../" + rendition.folder
    kind = rendition.type
    view: dict = {"type": kind, "folder": link, "review": rendition.review}
    if kind == "weibo":
        post = _json(folder / "post.json") or {}
        view.update(post)
        view["html"] = _topics(post.get("text", ""))
        view["images"] = [f"{link}/{c['file']}" for c in post.get("cards", [])]
    elif kind == "wechat":
        view.update(_json(folder / "article.json") or {})
        view["article"] = f"{link}/article.html"
    elif kind == "douyin":
        plan = _json(folder / "plan.json") or {}
        view.update({"video": f"{link}/video.mp4", "cover": f"{link}/cover.jpg", "plan": plan,
                     "duration": plan.get("duration", 0),
                     "caption": (folder / "caption.txt").read_text(encoding="utf-8")
                     if (folder / "caption.txt").is_file() else ""})
    return view


def _topics(text: str) -> str:
    """Post text as HTML with ``#话题#`` highlighted, as Weibo shows it."""
    escaped = html.escape(text)
    return re.sub(r"#([^#\s]{1,40})#", r'<span class="topic">#\1#</span>', escaped).replace("\n", "<br>")


def _counts(views: list[StoryView], data: manifest.Manifest) -> dict:
    by_kind: dict[str, dict[str, int]] = {}
    for view in views:
        state = "草稿" if view.story.meta.status == "draft" else ("已审核" if view.review == "approved" else "待审核")
        by_kind.setdefault(view.story.meta.kind, {}).setdefault(state, 0)
        by_kind[view.story.meta.kind][state] += 1
    per_channel: dict[str, int] = {}
    for rendition in data.renditions:
        per_channel[rendition.channel] = per_channel.get(rendition.channel, 0) + 1
    return {"by_kind": by_kind, "per_channel": per_channel}


def _week(site: Path, config: SiteConfig, stories: list[Story], now: dt.datetime) -> dict:
    """Next week's slots per channel and the story each would get (approved or not: shown with state)."""
    from publisher.publish import batch, queue
    from publisher.publish import ledger as ledgers
    from publisher.publish.timing import iso_week, slot_times
    from publisher.safety import review

    week = iso_week(now.date() + dt.timedelta(days=7))
    connection = ledgers.connect(site, config, create=False)
    channels = {}
    try:
        for name, channel in config.channels.items():
            if not channel.slots:
                continue
            posted = queue.posted(connection, name) if connection is not None else set()
            ready = [s for s in stories if s.meta.status == "ready"]
            posts, _empty = batch.fill(ready, name, channel.slots, week, ZoneInfo(config.timezone), posted)
            filled = {p.slot: p.story for p in posts}
            channels[name] = [{"slot": slot, "story": filled.get(slot),
                               "review": review.state(connection, filled[slot], config.safety.stages,
                                                      config.reviewers).label_source if slot in filled else ""}
                              for slot in slot_times(channel.slots, week, ZoneInfo(config.timezone))]
    finally:
        if connection is not None:
            connection.close()
    return {"name": week, "channels": channels}


def _screens(config: SiteConfig, screens: dict[str, dict[str, dict]]) -> list[dict]:
    out = []
    for screen in config.screens:
        days = screens.get(screen.name, {})
        out.append({"screen": screen, "days": dict(sorted(days.items(), reverse=True))})
    return out


def _story_screens(config: SiteConfig, screens: dict[str, dict[str, dict]], story_id: str) -> list[dict]:
    """Each screen's latest loop that plays this story, with the story's slides."""
    found = []
    for screen in config.screens:
        for date, day in sorted(screens.get(screen.name, {}).items(), reverse=True):
            slides = [(part, item) for part in day["playlist"]["parts"] for item in part["items"]
                      if item.get("story") == story_id]
            if slides:
                found.append({"screen": screen, "date": date, "day": day, "slides": slides})
                break
    return found


def _json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
