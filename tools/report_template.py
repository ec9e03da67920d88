"""Make the packaged Word template of the work report, publisher/templates/report/report.docx.

Laid out as official documents are (GB/T 9704-2012; see DOMAIN.md): A4, margins 37/35/28/26 mm,
body 仿宋_GB2312 三号 (16 pt) at 22 lines a page, title 小标宋 二号 (22 pt), first-level headings
黑体, second-level 楷体. The fonts are named, not embedded; each carries the name Word falls back
to (``w:altName``: 仿宋, 宋体, 黑体, 楷体 come with every Chinese Windows). A site replaces the
template with its own ``templates/report/report.docx`` (these style names: Title, Subtitle,
Heading 1, Heading 2, Normal, Table Text, Caption; the table style Table Grid).

Run: python tools/report_template.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

OUT = Path(__file__).resolve().parent.parent / "publisher/templates/report/report.docx"
FONTS = {"仿宋_GB2312": "仿宋", "方正小标宋简体": "宋体", "黑体": "SimHei", "楷体_GB2312": "楷体"}
LINE = Pt(28.9)  # 22 lines in the 225 mm type area


def east_asian(style, name: str, latin: str = "Times New Roman") -> None:
    style.font.name = latin
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:hint"), "eastAsia")


def main() -> None:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    styles = document.styles

    normal = styles["Normal"]
    east_asian(normal, "仿宋_GB2312")
    normal.font.size = Pt(16)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = LINE
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.first_line_indent = Pt(32)  # two characters

    for name, font, size, align in (("Title", "方正小标宋简体", 22, WD_ALIGN_PARAGRAPH.CENTER),
                                    ("Subtitle", "楷体_GB2312", 16, WD_ALIGN_PARAGRAPH.CENTER),
                                    ("Heading 1", "黑体", 16, None), ("Heading 2", "楷体_GB2312", 16, None)):
        style = styles[name]
        east_asian(style, font)
        style.font.size = Pt(size)
        style.font.bold = False
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        fmt = style.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(36) if name == "Title" else LINE
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(14) if name in ("Title", "Subtitle") else Pt(0)
        fmt.first_line_indent = None if align is not None else Pt(32)
        fmt.keep_with_next = True
        if align is not None:
            fmt.alignment = align
        border = style.element.find(qn("w:pPr"))
        if border is not None and border.find(qn("w:pBdr")) is not None:  # Title's rule under it
            border.remove(border.find(qn("w:pBdr")))

    table_text = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    table_text.font.size = Pt(12)
    table_text.paragraph_format.first_line_indent = Pt(0)
    table_text.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    caption = styles["Caption"]
    east_asian(caption, "仿宋_GB2312")
    caption.font.size, caption.font.bold, caption.font.italic = Pt(12), False, False
    caption.font.color.rgb = RGBColor(0, 0, 0)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.first_line_indent = Pt(0)

    _add_fonts(document)
    document.core_properties.created = document.core_properties.modified = dt.datetime(2021, 1, 1)
    document.core_properties.author = document.core_properties.last_modified_by = "publisher"
    document.core_properties.title = "工作情况报告模板"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(OUT))
    print(OUT)


def _add_fonts(document) -> None:
    """Name the official fonts in the font table with the font Word uses where they are missing."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from lxml import etree

    part = document.part.part_related_by(RT.FONT_TABLE)
    table = parse_xml(part.blob)
    for name, alt in FONTS.items():
        table.append(parse_xml(f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/>'
                               f'<w:charset w:val="86"/><w:family w:val="modern"/></w:font>'))
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


if __name__ == "__main__":
    main()
