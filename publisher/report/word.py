"""``report.docx``: the work report as a Word document, because that is what a 机关 hands up.

The layout comes from a template, ``report/report.docx`` (the package's follows GB/T 9704: A4,
仿宋_GB2312 三号 body, 小标宋 title; made by ``tools/report_template.py``); a site replaces it with
``templates/report/report.docx``. The document's dates are the period's, and the zip entries carry
a fixed time, so the same ledger gives the same file.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from publisher.errors import PublisherError
from publisher.i18n import _
from publisher.render.templates import PACKAGE_TEMPLATES
from publisher.report.gather import Report

TEMPLATE = "report/report.docx"
TEXT_WIDTH_MM = 156
"""A4 less the 28 mm and 26 mm side margins."""


def template(site: Path) -> Path:
    """The site's template when it has one (inside the site), else the package's."""
    own = site / "templates" / TEMPLATE
    if own.is_file() and own.resolve().is_relative_to(site.resolve()):
        return own
    return PACKAGE_TEMPLATES / TEMPLATE


def write(site: Path, report: Report, summary: str, view: dict, path: Path, charts: list[Path]) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.opc.exceptions import PackageNotFoundError
    from docx.shared import Mm

    source = template(site)
    try:
        document = Document(str(source))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise PublisherError(_("{path} is not a Word (.docx) template: {error}").format(path=source, error=exc)) \
            from None
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    styles = {style.name for style in document.styles}

    def para(text: str, style: str = "Normal"):
        return document.add_paragraph(text, style if style in styles else None)

    def table(header: list[str], rows: list[list[str]]) -> None:
        grid = document.add_table(rows=1, cols=len(header))
        if "Table Grid" in styles:
            grid.style = "Table Grid"
        cell_style = "Table Text" if "Table Text" in styles else None
        for cell, text in zip(grid.rows[0].cells, header, strict=True):
            cell.paragraphs[0].style = cell_style
            cell.paragraphs[0].add_run(text).bold = True
        for row in rows:
            cells = grid.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.paragraphs[0].style = cell_style
                cell.paragraphs[0].add_run(str(text))
        para("")

    para(report.title, "Title")
    para(f"（{report.period.label}{'，' + report.campaign if report.campaign else ''}）", "Subtitle")
    para("一、总体情况", "Heading 1")
    para(summary)
    para("二、各渠道发布情况", "Heading 1")
    for number, part in enumerate(view["channels"], start=1):
        para(f"（{_chinese_number(number)}）{part['heading']}", "Heading 2")
        table(["项目", "数量", "单位"], [[t.label, t.count, t.unit] for t in part["counted"].tallies])
        if part["posts"]:
            table(["发布时间", "稿件", "链接"], [[p["time"], p["title"], p["url"]] for p in part["posts"]])
    if not view["channels"]:
        para("本期无发布。")
    para("三、发布稿件", "Heading 1")
    if view["stories"]:
        table(["序号", "首发日期", "标题", "类型", "渠道"],
              [[str(n), s["first"], s["title"], s["kind"], "、".join(s["channels"])]
               for n, s in enumerate(view["stories"], start=1)])
    else:
        para("本期无发布。")
    if view["unreviewed"]:
        para("内容已修改，待重新审核（已发出，正文不列入本报告）：" + "；".join(
            f"《{s['title']}》（{s['first']}，{'、'.join(s['channels'])}）" for s in view["unreviewed"]) + "。")
    para("四、典型人物", "Heading 1")
    for officer in view["officers"]:
        para(officer["text"])
    if not view["officers"]:
        para("本期稿件未介绍典型人物。")
    para("五、主要数据", "Heading 1")
    if view["summed"]:
        table(["项目", "数值"], [[f.label, f"{f.value}{f.unit}"] for f in view["summed"]])
    elif not view["listed"]:
        para("本期发布的稿件没有可汇总的数据。")
    if view["listed"]:
        para("仅列出、不累加：" + "；".join(f.text for f in view["listed"]) + "。")
    para("六、账号更新情况", "Heading 1")
    if view["silences"]:
        table(["账号", "确认发布", "最长未更新", "起止"],
              [[f"{s['shown']}“{s['account']}”", f"{s['posts']} 条",
                f"{s['days']} 天" + ("（超过两周）" if s["days"] >= 14 else ""), f"{s['start']} 至 {s['end']}"]
               for s in view["silences"]])
    else:
        para("本期没有在用的账号。")
    para("七、未发出事项（不计入以上统计）", "Heading 1")
    for item in view["apart"]:
        note = f"：{item['note']}" if item["note"] else ""
        para(f"{item['time']} {item['where']}：{item['title']}（{item['state']}{note}）")
    if not view["apart"]:
        para("无。")
    para("八、图表", "Heading 1")
    for chart, drawn in zip(view["charts"], charts, strict=True):
        picture = document.add_paragraph()
        # Normal is exactly 28.9 pt a line (GB/T 9704: 22 lines a page): a picture in such a line
        # shows as a 29 pt sliver. Its own paragraph: single spacing, no indent, centred.
        layout = picture.paragraph_format
        layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
        layout.first_line_indent = Mm(0)
        layout.alignment = WD_ALIGN_PARAGRAPH.CENTER
        layout.keep_with_next = True  # the caption stays under its chart
        picture.add_run().add_picture(str(drawn), width=Mm(TEXT_WIDTH_MM))
        para(chart["title"], "Caption")
    if not view["charts"]:
        para("本期无发布，无图表。")
    _signature(para, view["unit"], view["signed"])
    _page_numbers(document)

    moment = dt.datetime.combine(report.period.last, dt.time())
    properties = document.core_properties
    properties.created = properties.modified = moment
    properties.last_printed = moment
    properties.revision = 1
    properties.title = f"{report.title}（{report.period.label}）"
    properties.author = properties.last_modified_by = report.site_name
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(_fixed_times(buffer.getvalue(), moment))


def _signature(para, unit: str, signed: str) -> None:
    """落款 (GB/T 9704): the unit, then the date under it, right-aligned, four characters in from
    the right margin, after an empty line."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    para("")
    for text in (unit, signed):
        line = para(text)
        line.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        line.paragraph_format.first_line_indent = Pt(0)
        line.paragraph_format.right_indent = Pt(4 * 16)  # four 三号 characters


def _page_numbers(document) -> None:
    """Page numbers as GB/T 9704 writes them, “— 1 —” in 4号 宋体, odd pages on the right and even pages
    on the left, each one character in; unless the template's footer already has a PAGE field."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    section = document.sections[0]
    if any("PAGE" in (node.text or "") for footer in (section.footer, section.even_page_footer)
           for node in footer._element.iter(qn("w:instrText"))):
        return
    document.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer,
                                                                       WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.text = ""
        layout = paragraph.paragraph_format
        layout.alignment = align
        layout.first_line_indent = Pt(0)
        layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
        layout.left_indent = layout.right_indent = Pt(14)

        def run(text: str = "", field: str = "", paragraph=paragraph):
            piece = paragraph.add_run(text)
            piece.font.size = Pt(14)
            piece.font.name = "SimSun"
            piece.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
            if field:
                for kind, value in (("begin", None), ("instr", field), ("end", None)):
                    if kind == "instr":
                        node = OxmlElement("w:instrText")
                        node.set(qn("xml:space"), "preserve")
                        node.text = value
                    else:
                        node = OxmlElement("w:fldChar")
                        node.set(qn("w:fldCharType"), kind)
                    piece.element.append(node)

        run("— ")
        run(field=" PAGE ")
        run(" —")


def _fixed_times(data: bytes, moment: dt.datetime) -> bytes:
    """The same zip with every entry dated ``moment`` (python-docx stamps them with the time of saving)."""
    out = io.BytesIO()
    stamp = (max(moment.year, 1980), moment.month, moment.day, 0, 0, 0)
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(item.filename))
    return out.getvalue()


def _chinese_number(number: int) -> str:
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    if number < 20:
        return "十" + (digits[number % 10] if number % 10 else "")
    return digits[number // 10] + "十" + (digits[number % 10] if number % 10 else "")
