"""The print channel: anti-fraud leaflets (宣传单) as print-ready PDF, typeset with Typst.

A story on the channel gets its own leaflet (``leaflet.pdf``); an edition (``editions`` in the
channel's settings) puts several stories on one double-sided sheet, a collective unit like an
LED screen-day, rendered into ``<channel>/@edition/<name>/`` and delivered to the channel's targets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from publisher.channels.print.settings import PrintSettings
from publisher.content.files import story_files
from publisher.content.story import Story
from publisher.errors import Diagnostic
from publisher.i18n import _
from publisher.render.channel import (
    Channel,
    ChannelReport,
    CollectiveUnit,
    Delivered,
    Message,
    RenderContext,
    StoryUnit,
    Tally,
    Unit,
    read_json,
)
from publisher.sourcepos import toml_key_line

EDITIONS = "@edition"
"""Folder of the editions inside the channel's folder (``@`` keeps it apart from story ids)."""


@dataclass
class Edition(CollectiveUnit):
    """Several stories printed together on one double-sided sheet."""

    kind: ClassVar[str] = "edition"
    edition: str = ""
    wanted: list[str] = field(default_factory=list)
    """The story ids the edition lists (those not ready, approved or valid are left out)."""


class PrintChannel(Channel):
    type = "print"
    label = "宣传单"
    Settings = PrintSettings
    preview_template = "print/preview.html.j2"
    scheduled = "units"
    units_template = "print/preview-units.html.j2"

    @property
    def print(self) -> PrintSettings:
        return self.settings  # type: ignore[return-value]

    def plan(self, stories: list[Story], day: dt.date, drafts: bool, refused: Sequence[Story] = ()) -> list[Unit]:
        units = super().plan(stories, day, drafts)
        by_id = {s.id: s for s in stories if drafts or s.meta.status == "ready"}
        for name, wanted in self.print.editions.items():
            members = [by_id[i] for i in wanted if i in by_id]
            if len(members) < 2:  # drafts, waiting for review, withdrawn: one story is a leaflet, not an edition
                continue
            units.append(Edition(key=f"{EDITIONS}/{name}", name=_("leaflet edition {name}").format(name=name),
                                 members=members, targets=list(self.print.deliver), extra=",".join(wanted),
                                 edition=name, wanted=list(wanted)))
        return units

    def render(self, ctx: RenderContext) -> list[str]:
        if isinstance(ctx.unit, StoryUnit):
            return _layout().leaflet(ctx)
        unit: Edition = ctx.unit  # type: ignore[assignment]
        return _layout().edition(unit.members, unit.edition, self.print, ctx.config, ctx.site, ctx.folder,
                       ctx.warnings.append, channel=ctx.channel)

    def check(self, ctx: RenderContext) -> None:
        """What is known before typesetting: something to print, every glyph (the layout itself is
        checked by the build: Typst takes a tenth of a second a page)."""
        if isinstance(ctx.unit, StoryUnit):
            _layout().story_data(ctx, self.print, _layout().PAPERS[self.print.paper], front_only=False)

    def site_problems(self, stories: list[Story], site: Path) -> list[Diagnostic]:
        """An edition naming a story the site does not have (a typo) is an error at its key."""
        if not self.print.editions:
            return []
        path = site / "config.toml"
        text = path.read_text(encoding="utf-8")
        existing = {story_id for story_id, _path in story_files(site)}
        problems = []
        for name, wanted in self.print.editions.items():
            missing = [story_id for story_id in wanted if story_id not in existing]
            if missing:
                line, col = toml_key_line(text, ("channels", self.name, "editions", name))
                problems.append(Diagnostic(str(path), line, col, _(
                    "edition {name!r}: no story {story!r} (story ids are content/<section>/<name> without .md)").format(
                    name=name, story=missing[0])))
        return problems

    def preview(self, folder: Path, link: str) -> dict:
        return _pages(folder, link, "leaflet")

    def preview_units(self, units: list[tuple[str, Path, str]]) -> dict:
        return {"editions": [{"key": key, **_pages(folder, link, "edition")} for key, folder, link in units]}

    def facts(self, folder: Path, stories: Sequence[Story]) -> dict:
        """The copies printed of an edition: the most any of its stories asks for (``copies:``), else
        the channel's ``copies``."""
        asked = [story.meta.copies for story in stories if story.meta.copies is not None]
        return {"copies": max(asked) if asked else self.print.copies}

    def report(self, items: Sequence[Delivered], only: set[str] | None = None) -> ChannelReport:
        """Editions sent to the print shop (each version once) and the copies printed."""
        sent = [item for item in items if only is None or only.intersection(item.stories)]
        if not sent:
            return ChannelReport()
        copies = sum(int(item.facts.get("copies") or 0) for item in sent)
        related = "相关" if only is not None else ""
        tallies = [Tally("宣传单印发", len(sent), "期")]
        if copies:
            tallies.append(Tally("宣传单印数", copies, "张", f"印发{related}宣传单{len(sent)}期{copies}张"))
        else:
            tallies[0] = Tally("宣传单印发", len(sent), "期", f"印发{related}宣传单{len(sent)}期")
        return ChannelReport(tallies)

    def message(self, folder: Path) -> Message:
        name = "edition.pdf" if (folder / "edition.pdf").is_file() else "leaflet.pdf"
        return Message("", [name])


def _pages(folder: Path, link: str, stem: str) -> dict:
    described = read_json(folder / f"{stem}.json")
    pages = sorted(p.name for p in (folder / "pages").glob("page-*.png")) if (folder / "pages").is_dir() else []
    return {**described, "pdf": f"{link}/{stem}.pdf", "pages": [f"{link}/pages/{name}" for name in pages]}


def _layout():
    """The Typst typesetting module, imported when a leaflet is made (a build that renders nothing
    never loads Typst, segno or Pillow)."""
    from publisher.channels.print import leaflet

    return leaflet
