"""``publisher preview``: a static site that shows every output as it will appear.

``<out>/preview/index.html`` (dashboard, next week's calendar, each screen's loop) and one page
per story with its channels side by side. Everything is referenced relatively, so the pages
work opened from disk; ``publisher serve`` serves the same files and reloads them on change.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from publisher import atomic
from publisher import ledger as ledgers
from publisher.config import SiteConfig
from publisher.content.story import Story
from publisher.errors import PublisherError
from publisher.i18n import _
from publisher.pipeline import manifest
from publisher.pipeline.build import BuildResult, build, check_output
from publisher.preview import fonts as preview_fonts
from publisher.preview import labels
from publisher.publish import batch, queue
from publisher.render import templates
from publisher.render.channel import channels as configured_channels
from publisher.safety import access, review
from publisher.timing import iso_week, slot_times

KIND_NAMES = labels.KINDS


@dataclass
class StoryView:
    story: Story
    review: str
    renditions: dict[str, dict] = field(default_factory=dict)
    """channel name → what its partial needs (the channel's :meth:`Channel.preview`)."""
    units: list[dict] = field(default_factory=list)
    """The collective units that carry the story (each screen's latest loop): template and data."""

    @property
    def page(self) -> str:
        return "stories/" + self.slug + ".html"

    @property
    def slug(self) -> str:
        return self.story.id.replace("/", "--")


def generate(site: Path, config: SiteConfig, out: Path, result: BuildResult | None = None,
             day: dt.date | None = None, channels: list[str] | None = None, jobs: int | None = None) -> Path:
    """Build (incrementally, drafts included; only ``channels`` if given; ``jobs`` as for
    :func:`build`) and write the preview. Returns index.html. Holds the output folder for the
    whole time (no build can change the renditions the pages are made from)."""
    site, out = site.resolve(), out.resolve()
    check_output(site, out)
    if not atomic.confined(out, out / "preview"):
        raise PublisherError(_("{folder} is a symbolic link; refused (remove it: the preview is written there)").format(
            folder=out / "preview"))
    with atomic.output_lock(out):
        return _generate(site, config, out, result, day, channels, jobs)


def _generate(site: Path, config: SiteConfig, out: Path, result: BuildResult | None, day: dt.date | None,
              channels: list[str] | None, jobs: int | None = None) -> Path:
    if result is None:
        result = build(site, config, out, drafts=True, day=day, only=channels or (), jobs=jobs)
    data, stories = result.manifest, result.stories
    views, sections = story_views(config, out, data, stories)
    ordered = sorted(views.values(), key=lambda v: (v.story.meta.kind, -v.story.meta.date.toordinal(), v.story.id))
    preview = out / "preview"
    stamp = dt.datetime.now(ZoneInfo(config.timezone))
    shown = {name: channel.shown for name, channel in configured_channels(config).items()}
    common = {"site": config, "kinds": KIND_NAMES, "shown": shown,
              "built_at": stamp, "review_zh": labels.review,
              "version": data.to_json().__hash__() ^ hash(stamp.isoformat())}
    counts = _counts(ordered, data)
    week = _week(site, config, stories, stamp)
    own_pages = {f"stories/{r['page_link']}": (view, r) for view in ordered for r in view.renditions.values()
                 if "page" in r}

    def render_pages(fonts: list[str]) -> dict[str, str]:
        style = {"font_css": preview_fonts.css(fonts, "fonts/"),
                 "font_css_nested": preview_fonts.css(fonts, "../fonts/"),
                 "font_family": preview_fonts.family(fonts)}
        pages = {"index.html": templates.render(site, "preview/index.html.j2", stories=ordered, errors=data.errors,
                                                warnings=data.warnings, counts=counts, week=week,
                                                unit_sections=sections, root="", **common, **style)}
        for view in ordered:
            pages[view.page] = templates.render(site, "preview/story.html.j2", view=view, root="../",
                                                **common, **style)
        for name, (view, r) in own_pages.items():
            pages[name] = templates.render(site, r["page"]["template"], view=view, r=r, article=r["page"]["html"],
                                           root="../", **common, **style)
        return pages

    # The font subsets must cover the pages' own characters: render, and if the pages need
    # characters the first subsets lack, render again with the subsets that cover them.
    fonts = preview_fonts.font_files(preview / "fonts", "".join(r["page"]["html"] for _v, r in own_pages.values()))
    pages = render_pages(fonts)
    covering = preview_fonts.font_files(preview / "fonts", "".join(pages.values()))
    if covering != fonts:
        pages = render_pages(covering)
    for name, page in pages.items():
        atomic.write_text(preview / name, page)
    atomic.write_text(preview / "version.json", json.dumps({"version": common["version"]}))
    return preview / "index.html"


def story_views(config: SiteConfig, out: Path, data: manifest.Manifest,
                stories: list[Story]) -> tuple[dict[str, StoryView], list[dict]]:
    """Each story's renditions as the channels' preview partials show them, and the index's sections
    of collective units (each screen's loop, leaflet editions). Links are relative to a story page
    in ``<out>/preview/stories/`` (the review server serves the output folder likewise)."""
    by_id = {s.id: s for s in stories}
    views: dict[str, StoryView] = {}
    registry = configured_channels(config)
    units: dict[str, list[tuple[str, Path, str]]] = {}
    for rendition in data.renditions:
        channel = registry.get(rendition.channel)
        if channel is None:
            continue
        if rendition.unit:
            units.setdefault(rendition.channel, []).append((rendition.unit, out / rendition.folder,
                                                            "../" + rendition.folder))
            continue
        story = by_id.get(rendition.story)
        if story is None:
            continue
        view = views.setdefault(story.id, StoryView(story, rendition.review))
        link = "../../" + rendition.folder
        shown = {"type": channel.type, "label": channel.shown, "folder": link, "review": rendition.review,
                 "partial": channel.preview_template or "preview/_none.html.j2", "plan": rendition.plan,
                 **channel.preview(out / rendition.folder, link)}
        if "page" in shown:  # a page of its own (the WeChat article as the phone shows it)
            shown["page_link"] = f"{view.slug}@{rendition.channel}.html"
        view.renditions[rendition.channel] = shown
    for story in stories:
        views.setdefault(story.id, StoryView(story, "", {}))
    sections = []
    for name, found in sorted(units.items()):
        channel = registry[name]
        if not channel.units_template:
            continue
        unit_data = channel.preview_units(found)
        sections.append({"channel": name, "type": channel.type, "label": channel.shown,
                         "template": channel.units_template, "data": unit_data})
        for view in views.values():
            story_data = channel.preview_story(unit_data, view.story.id) if channel.story_units_template else None
            if story_data is not None:
                view.units.append({"channel": name, "template": channel.story_units_template, "data": story_data,
                                   "label": channel.shown})
    return views, sections


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
            holders = access.holders(config, connection)
            channels[name] = [{"slot": slot, "story": filled.get(slot),
                               "review": review.state(connection, filled[slot], config.safety.stages,
                                                      holders).label_source if slot in filled else ""}
                              for slot in slot_times(channel.slots, week, ZoneInfo(config.timezone))]
    finally:
        if connection is not None:
            connection.close()
    return {"name": week, "channels": channels}
