"""Write a report folder, ``reports/<period>/``, all at once (staged, then swapped into place):
``report.docx``, ``report.html`` (self-contained), ``report.md``, ``report.csv`` and ``charts/*.png``.

``report.md`` and ``report.csv`` are a function of the ledger and the content only (no time of
writing), so the same ledger gives the same bytes; the .docx carries the period's dates, not now.
"""

from __future__ import annotations

import base64
import csv
import io
from pathlib import Path

from publisher import atomic
from publisher.config import SiteConfig
from publisher.render import templates
from publisher.report import charts as charting
from publisher.report import word
from publisher.report.gather import Report

STATES = {"delivered": "已投递", "held": "已暂停", "failed": "投递失败", "missed": "错过发布时段",
          "unconfirmed": "结果待确认", "posted": "已发布", "scheduled": "排队中", "claimed": "投递中",
          "awaiting": "待确认发布"}
"""Ledger states as the report (a Chinese document, whatever the command's language) writes them."""
REASONS = {"held": "稿件未通过审核、已撤稿或审核后有改动，未投递",
           "failed": "投递目标无法接收，重试后仍未送达",
           "missed": "超过发布时段的补发时限，未再发布",
           "unconfirmed": "不能确定是否送达，须人工核实",
           "awaiting": "发布包已送达，发布时间已过，尚未登记为已发布"}
"""Why an item is listed apart, as the report says it: never the ledger's stored error text (English,
with the machine's paths)."""


def folder_name(report: Report) -> str:
    name = report.period.name
    if report.campaign:
        name = f"{name}-{report.campaign}"
    return "".join("_" if ch in '/\\:*?"<>|' or not ch.isprintable() else ch for ch in name)


def write(site: Path, config: SiteConfig, report: Report) -> Path:
    """Write the report; returns its folder."""
    final = site / config.report.folder / folder_name(report)
    final.parent.mkdir(parents=True, exist_ok=True)
    with atomic.replacement_lock(final), atomic.staged_folder(final) as stage:  # two runs: one waits
        # Nothing went out: no charts of zeros (the report says 本期无发布 instead).
        drawn = charting.draw(report, stage / "charts", config.language) if report.channels else []
        summary = templates.render(site, "report/summary.txt.j2", **_summary_context(report)).strip()
        view = _view(report, summary, drawn)
        (stage / "report.md").write_text(templates.render(site, "report/report.md.j2", **_escaped(view)),
                                         encoding="utf-8")
        view_html = {**view, "font": "", "charts": [
            {"title": c.title, "data": base64.b64encode((stage / "charts" / c.name).read_bytes()).decode()}
            for c in drawn]}
        page = templates.render(site, "report/report.html.j2", **view_html)
        view_html["font"] = _font(page)  # the characters the page shows, once it is written
        (stage / "report.html").write_text(templates.render(site, "report/report.html.j2", **view_html),
                                           encoding="utf-8")
        (stage / "report.csv").write_text(_csv(report), encoding="utf-8-sig")  # BOM: Excel reads UTF-8
        word.write(site, report, summary, view, stage / "report.docx", [stage / "charts" / c.name for c in drawn])
    return final


def _summary_context(report: Report) -> dict:
    phrases = [t.phrase for part in report.channels for t in part.counted.tallies if t.phrase]
    return {"period": report.period, "subject": report.subject, "campaign": report.campaign, "phrases": phrases,
            "figures": report.summed}


def _view(report: Report, summary: str, drawn: list[charting.Chart]) -> dict:
    """What the templates (and the .docx) show: plain values, dates as people write them."""
    tz_free = "%Y-%m-%d %H:%M"
    channels = []
    for part in report.channels:
        posts = [{"time": f"{item.at.astimezone(_zone(report)):{tz_free}}", "title": _title(report, item.stories),
                  "url": item.url} for item in sorted(part.items, key=lambda i: i.at)] if part.by_hand else []
        channels.append({"heading": f"{part.shown}“{part.account}”" if part.by_hand else part.shown,
                         "counted": part.counted, "posts": posts})
    officers = []
    for officer in report.officers:
        about = "，".join(x for x in (officer.unit, officer.title, "、".join(officer.honors)) if x)
        officers.append({"text": f"{officer.name}（{about}）：《{officer.story}》" if about else
                         f"{officer.name}：《{officer.story}》"})
    return {
        "title": report.title, "period": report.period, "campaign": report.campaign, "summary": summary,
        "channels": channels,
        "stories": [{"first": _date(s.first), "title": s.title, "kind": s.kind, "channels": s.channels, "id": s.id}
                    for s in report.stories],
        "unreviewed": [{"first": _date(s.first), "title": s.title, "channels": s.channels, "id": s.id}
                       for s in report.unreviewed],
        "officers": officers, "summed": report.summed, "listed": [f for f in report.figures if not f.summed],
        "silences": [{"shown": s.shown, "account": s.account, "days": s.days, "posts": s.posts,
                      "start": _date(s.start), "end": _date(s.end)} for s in report.silences],
        "apart": [{"time": f"{item.at.astimezone(_zone(report)):{tz_free}}", "channel": item.shown,
                   "target": item.target, "where": f"{item.shown} → {item.target}" if item.target else item.shown,
                   "title": item.title, "state": STATES.get(item.state, item.state),
                   "note": REASONS.get(item.state, "")} for item in report.apart],
        "charts": [{"title": c.title, "name": c.name} for c in drawn],
        "unit": report.unit, "signed": _date(report.signed) if report.signed else "",
    }


def _zone(report: Report):
    from zoneinfo import ZoneInfo

    return ZoneInfo(report.timezone)


def _title(report: Report, stories: list[str]) -> str:
    titles = {s.id: s.title for s in [*report.stories, *report.unreviewed]}
    return "、".join(titles.get(s, s) for s in stories)


def _date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _escaped(value):
    """Text safe inside a Markdown table cell: no pipes, no line breaks."""
    if isinstance(value, str):
        return value.replace("|", "｜").replace("\r", " ").replace("\n", " ")
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def _font(page: str) -> str:
    """The bundled font, cut down to the characters the page uses, as base64 (the page shows on a
    machine with no Chinese font)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from publisher.render.fonts import font_file

    text = "".join(ch for ch in page if ord(ch) > 0x7F) + "".join(chr(c) for c in range(0x20, 0x7F))
    font = TTFont(str(font_file()), fontNumber=2)
    options = subset.Options()
    options.layout_features = ["*"]
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text))))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return base64.b64encode(buffer.getvalue()).decode()


def _csv(report: Report) -> str:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(["部分", "渠道或账号", "项目", "数量", "单位", "说明"])
    for part in report.channels:
        for tally in part.counted.tallies:
            out.writerow(["渠道统计", part.shown, tally.label, tally.count, tally.unit, part.account])
    for story in report.stories:
        out.writerow(["发布稿件", "、".join(story.channels), story.title, 1, "篇",
                      f"{story.first} {story.id} {story.kind}"])
    for story in report.unreviewed:
        out.writerow(["内容已修改，待重新审核", "、".join(story.channels), story.title, 1, "篇",
                      f"{story.first} {story.id}"])
    for figure in report.figures:
        out.writerow(["主要数据", "", figure.label, figure.value, figure.unit,
                      "累加" if figure.summed else "仅列出"])
    for silence in report.silences:
        out.writerow(["最长未更新", f"{silence.shown}“{silence.account}”", "最长未更新", silence.days, "天",
                      f"{silence.start} 至 {silence.end}"])
    for item in report.apart:
        out.writerow(["未发出", item.shown, item.title, 1, "项",
                      "；".join(x for x in (STATES.get(item.state, item.state), item.target,
                                            REASONS.get(item.state, "")) if x)])
    return buffer.getvalue()
