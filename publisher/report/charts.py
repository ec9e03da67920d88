"""The report's charts as PNG (matplotlib, Agg, the bundled Noto Sans CJK): deliveries per week per
channel, each daily series a channel gives (LED airtime per screen per day), stories per kind.

matplotlib is imported here only, when a report is written (``publisher build`` never pays for
it). Every text a chart draws is checked against the font first, like every other output: a
character the font lacks is an error, never a tofu box.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from pathlib import Path

from publisher.errors import PublisherError
from publisher.i18n import _
from publisher.render import fonts
from publisher.report.gather import Report
from publisher.timing import iso_week

FAMILY = {"zh-Hans": "Noto Sans CJK SC", "zh-Hant": "Noto Sans CJK TC"}
COLOURS = ["#0d2c5e", "#d4a631", "#3f7cc4", "#b23a48", "#4a9a6b", "#7a5ea8", "#8c8c8c"]


@dataclass
class Chart:
    name: str
    """File name inside the report's charts/ folder."""
    title: str
    texts: list[str]
    """Every text drawn on it (checked against the font)."""


class ChartError(PublisherError):
    """A chart cannot be drawn without a missing glyph."""


def draw(report: Report, folder: Path, language: str = "zh-Hans") -> list[Chart]:
    """Write the charts into ``folder`` (created; the report's staging folder, swapped into place
    whole); return what was drawn, in report order."""
    import logging

    import matplotlib

    matplotlib.use("Agg", force=True)
    # The bundled font is variable: matplotlib finds no "normal" weight and says so on every text.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    font = str(fonts.font_file())
    if not any(entry.fname == font for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(font)
    folder.mkdir(parents=True, exist_ok=True)
    charts = []
    style = {"font.family": FAMILY.get(language, FAMILY["zh-Hans"]), "axes.unicode_minus": False,
             "font.size": 11, "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "publisher"}
    with matplotlib.rc_context(style), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for chart, figure in _figures(report, plt):
            missing = [ch for text in chart.texts for ch in fonts.missing_glyphs(text, language)]
            if missing:
                plt.close(figure)
                raise ChartError(_("chart {name}: the font has no glyph for {char!r} (U+{code:04X})").format(
                    name=chart.name, char=missing[0], code=ord(missing[0])))
            figure.tight_layout()
            figure.savefig(folder / chart.name, format="png", dpi=150, metadata={"Software": None})
            plt.close(figure)
            charts.append(chart)
        glyphs = [str(w.message) for w in caught if "missing from" in str(w.message)]
        if glyphs:
            raise ChartError(_("a chart lacks a glyph: {problem}").format(problem=glyphs[0]))
    return charts


def _figures(report: Report, plt):
    weeks = sorted({iso_week(day) for day in report.period.days()})
    series = {shown: counts for shown, counts in report.weekly.items() if sum(counts.values())}
    figure, axes = plt.subplots(figsize=(8, 3.6))
    width = 0.8 / max(1, len(series))
    for index, (shown, counts) in enumerate(series.items()):
        axes.bar([n + index * width - 0.4 + width / 2 for n in range(len(weeks))], [counts.get(w, 0) for w in weeks],
                 width, label=shown, color=COLOURS[index % len(COLOURS)])
    labels = [_week_label(week) for week in weeks]
    axes.set_xticks(range(len(weeks)), labels)
    axes.set_ylabel("条 / 次")
    axes.yaxis.get_major_locator().set_params(integer=True)
    title = "每周发布与投递（按渠道）"
    axes.set_title(title)
    if series:  # under the weeks' names, never over a bar
        axes.legend(frameon=False, fontsize=9, ncols=min(4, len(series)), loc="upper center",
                    bbox_to_anchor=(0.5, -0.14))
    yield Chart("deliveries-per-week.png", title, [title, "条 / 次", *labels, *series]), figure

    for part in report.channels:
        daily = part.counted.daily
        if not daily:
            continue
        title, _sep, unit = part.counted.daily_title.partition("｜")
        days = report.period.days()
        figure, axes = plt.subplots(figsize=(8, 3.6))
        for index, (name, values) in enumerate(daily.items()):
            axes.plot(days, [values.get(day, 0) for day in days], marker="o", markersize=3, label=name,
                      color=COLOURS[index % len(COLOURS)])
        ticks = days[::max(1, len(days) // 8)]
        tick_labels = [f"{day.month}月{day.day}日" for day in ticks]
        axes.set_xticks(ticks, tick_labels)
        axes.set_ylabel(unit)
        axes.set_ylim(bottom=0)
        axes.set_title(title)
        axes.legend(frameon=False, fontsize=9, ncols=min(4, len(daily)), loc="upper center",
                    bbox_to_anchor=(0.5, -0.14))
        yield Chart(f"daily-{part.name}.png", title, [title, unit, *tick_labels, *daily]), figure

    figure, axes = plt.subplots(figsize=(5, 3.2))
    kinds = sorted(report.kinds.items(), key=lambda pair: (-pair[1], pair[0]))
    axes.barh([k for k, _n in kinds][::-1], [n for _k, n in kinds][::-1], color=COLOURS[0])
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel("篇")
    title = "稿件类型"
    axes.set_title(title)
    yield Chart("stories-per-kind.png", title, [title, "篇", *(k for k, _n in kinds)]), figure


def _week_label(week: str) -> str:
    """2021-W15 as 4月12日周 (the Monday people know the week by)."""
    year, number = week.split("-W")
    monday = dt.date.fromisocalendar(int(year), int(number), 1)
    return f"{monday.month}月{monday.day}日起"
