"""The print channel: real PDFs from the demo site's anti-fraud stories, checked as a print shop would:
page and trim size, embedded subset fonts, the text (no missing glyph, no Typst injection), the QR code
scanned from a 300 dpi rendering, nothing but background in the bleed and the 5 mm safe zone."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pypdf
import pytest
import zxingcpp
from PIL import Image

from publisher.channels.print import leaflet as print_leaflet
from publisher.channels.print.settings import PrintSettings
from publisher.config import load_config
from publisher.errors import ContentError
from publisher.pipeline.reader import read_story
from publisher.render import fonts, inputs
from publisher.render.channel import RenderContext, StoryUnit

REPO = Path(__file__).parent.parent
MM = 72 / 25.4
TRIM = {"A5": (148, 210), "A4": (210, 297)}
QR_TEXT = "https://www.96110.cn/"
STORY = "antifraud/dianxin-zhapian"
HEADLINE = "接到“公检法”电话说你涉案？挂断！"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo site (config, content, assets), the lead story given a photo (1600×1200)."""
    site = tmp_path_factory.mktemp("print") / "site"
    site.mkdir()
    shutil.copy(REPO / "config.toml", site)
    shutil.copytree(REPO / "content", site / "content")
    shutil.copytree(REPO / "assets", site / "assets")
    story = site / "content" / "antifraud" / "dianxin-zhapian.md"
    story.write_text(story.read_text(encoding="utf-8").replace(
        "figures:", "images: [images/street-dusk.jpg]\nfigures:", 1), encoding="utf-8")
    return site


def context(site: Path, story_id: str, out: Path, **options) -> RenderContext:
    config, _text = load_config(site)
    settings = PrintSettings(type="print", qr=QR_TEXT, **options)
    config = config.model_copy(update={"channels": {**config.channels, "print": settings}})
    story = read_story(site, story_id, site / "content" / f"{story_id}.md", config)
    return RenderContext(site, config, StoryUnit(story), "print", out)


def render(site: Path, out: Path, story_id: str = STORY, **options) -> tuple[RenderContext, list[str]]:
    ctx = context(site, story_id, out, **options)
    return ctx, print_leaflet.leaflet(ctx)


@pytest.fixture(scope="module")
def a5(demo, tmp_path_factory) -> tuple[RenderContext, Path]:
    out = tmp_path_factory.mktemp("a5")
    ctx, _files = render(demo, out)
    return ctx, out / "leaflet.pdf"


@pytest.fixture(scope="module")
def a4_single(demo, tmp_path_factory) -> tuple[RenderContext, Path]:
    out = tmp_path_factory.mktemp("a4")
    ctx, _files = render(demo, out, paper="A4", sides=1)
    return ctx, out / "leaflet.pdf"


def rendered(pdf: Path, page: int, dpi: int) -> np.ndarray:
    prefix = pdf.parent / f"render-{page}-{dpi}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-png", str(pdf),
                    str(prefix)], check=True)
    return np.asarray(Image.open(f"{prefix}.png").convert("RGB")).astype(int)


def text_of(pdf: Path) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages))


# ---------------------------------------------------------------- paper


@pytest.mark.parametrize(("fixture", "paper", "pages"), [("a5", "A5", 2), ("a4_single", "A4", 1)])
def test_page_is_trim_plus_bleed_with_trim_and_bleed_boxes(request, fixture, paper, pages):
    _ctx, pdf = request.getfixturevalue(fixture)
    reader = pypdf.PdfReader(pdf)
    assert len(reader.pages) == pages
    width, height = TRIM[paper]
    for page in reader.pages:
        box = page.mediabox
        assert float(box.width) == pytest.approx((width + 6) * MM, abs=0.05)
        assert float(box.height) == pytest.approx((height + 6) * MM, abs=0.05)
        trim = page.trimbox
        assert float(trim.left) == pytest.approx(3 * MM, abs=0.05)
        assert float(trim.width) == pytest.approx(width * MM, abs=0.05)
        assert float(trim.height) == pytest.approx(height * MM, abs=0.05)
        assert [float(v) for v in page.bleedbox] == pytest.approx([float(v) for v in box], abs=0.05)
    assert len(list((pdf.parent / "pages").glob("page-*.png"))) == pages


def test_without_bleed_the_page_is_the_trim(demo, tmp_path):
    _ctx, files = render(demo, tmp_path, bleed=False, sides=1, paper="A4")
    page = pypdf.PdfReader(tmp_path / "leaflet.pdf").pages[0]
    assert float(page.mediabox.width) == pytest.approx(210 * MM, abs=0.05)
    assert float(page.mediabox.height) == pytest.approx(297 * MM, abs=0.05)
    assert "/TrimBox" not in page
    assert files == ["leaflet.pdf", "pages/page-1.png", "leaflet.json"]


# ---------------------------------------------------------------- fonts and text


def test_fonts_are_embedded_subsets_and_every_glyph_is_there(a5):
    _ctx, pdf = a5
    reader = pypdf.PdfReader(pdf)
    seen = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            name = str(font["/BaseFont"])
            assert re.match(r"^/[A-Z]{6}\+", name), name
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
            seen.add(name.split("+")[1])
    assert seen and all(name.startswith("NotoSansCJK") for name in seen)
    pdffonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = pdffonts.splitlines()[2:]
    assert rows and all(" yes yes yes " in row for row in rows)  # embedded, subset, ToUnicode
    text = text_of(pdf)
    assert HEADLINE in text
    assert "不听、不信、不转账" in text  # bold run in the body
    assert "全国反诈预警专线96110" in text
    assert "\ufffd" not in text


# ---------------------------------------------------------------- QR code


def test_qr_code_scans_to_the_configured_text(a5):
    _ctx, pdf = a5
    pixels = rendered(pdf, 2, 300)
    image = Image.fromarray(pixels.astype(np.uint8))
    codes = zxingcpp.read_barcodes(image)
    assert [code.text for code in codes] == [QR_TEXT]
    (code,) = codes
    xs = [p.x for p in (code.position.top_left, code.position.top_right)]
    assert (max(xs) - min(xs)) / 300 * 25.4 >= 19.5  # the symbol is at least 20 mm wide


def test_without_a_qr_setting_the_code_dials_the_first_hotline(demo, tmp_path):
    config, _text = load_config(demo)
    settings = PrintSettings(type="print", sides=1, paper="A4")
    config = config.model_copy(update={"channels": {**config.channels, "print": settings}})
    story = read_story(demo, "antifraud/shuadan-fanli", demo / "content/antifraud/shuadan-fanli.md", config)
    print_leaflet.leaflet(RenderContext(demo, config, StoryUnit(story), "print", tmp_path))
    codes = zxingcpp.read_barcodes(Image.fromarray(rendered(tmp_path / "leaflet.pdf", 1, 300).astype(np.uint8)))
    assert [code.text for code in codes] == ["tel:96110"]


# ---------------------------------------------------------------- bleed and safe zone


def assert_clear_safe_zone(pdf: Path) -> None:
    """Nothing but background in the bleed and the 5 mm safe zone, crop marks in the corners."""
    dpi = 100
    px = dpi / 25.4
    for number in range(1, len(pypdf.PdfReader(pdf).pages) + 1):
        image = rendered(pdf, number, dpi)
        height, width, _ = image.shape
        bleed = round(3 * px)
        safe = int(8 * px)  # 3 mm bleed + 5 mm safe zone
        top, bottom, left, right = bleed + 1, height - bleed - 1, bleed + 1, width - bleed - 1
        # (The outermost pixel row and column are partly outside the page: left out.)
        # Left and right strips, row by row (corners aside): the colour at the paper's edge all the way in.
        for strip in (image[top:bottom, 1:safe], image[top:bottom, width - safe:-1][:, ::-1]):
            assert np.abs(strip - strip[:, :1]).max() <= 24, f"page {number}: not background near a side edge"
        # Top and bottom strips, column by column (the crop marks' columns aside).
        columns = [x for x in range(left, right) if min(abs(x - bleed), abs(x - (width - bleed))) > 2]
        for strip in (image[1:safe, columns], image[height - safe:-1, columns][::-1]):
            assert np.abs(strip - strip[:1]).max() <= 24, f"page {number}: not background near the top/bottom"
        # Crop marks: dark hairlines in each corner of the bleed, on the trim lines, never inside the trim.
        for y0, y1 in ((0, bleed - 2), (height - bleed + 2, height)):
            for x in (bleed, width - bleed):
                column = image[y0:y1, x - 1:x + 2]
                assert (column.sum(axis=2) < 60).any(), f"page {number}: no crop mark at x={x}"


@pytest.mark.parametrize("fixture", ["a5", "a4_single"])
def test_bleed_and_safe_zone_hold_only_background_and_crop_marks(request, fixture):
    _ctx, pdf = request.getfixturevalue(fixture)
    assert_clear_safe_zone(pdf)


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words (poppler's pdftotext -bbox): x0, y0, x1, y1 in points from the top left, text."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [[(float(a), float(b), float(c), float(d), text) for a, b, c, d, text in _WORD.findall(page)]
            for page in out.split("<page ")[1:]]


CJK_PUNCTUATION = "“”‘’，。、；：？！（）《》【】「」『』"


def assert_laid_out(pdf: Path) -> None:
    """Every word inside the trim less the 5 mm safe zone, no two words drawn over each other, and
    nothing but background in the bleed and safe zone."""
    reader = pypdf.PdfReader(pdf)
    for number, (page, found) in enumerate(zip(reader.pages, words(pdf), strict=True), start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        inset = 8 * MM - 0.5  # bleed + safe zone (half a point for rounding)
        for x0, y0, x1, y1, text in found:
            assert inset <= x0 and x1 <= width - inset and inset <= y0 and y1 <= height - inset, \
                f"page {number}: {text!r} at {x0:.0f},{y0:.0f}-{x1:.0f},{y1:.0f} pt: in the safe zone or off the page"
        for i, first in enumerate(found):
            for second in found[i + 1:]:
                a, b = sorted((first, second))
                dx = min(a[2], b[2]) - max(a[0], b[0])
                dy = min(a[3], b[3]) - max(a[1], b[1])
                # Adjacent CJK punctuation is set half width (”“): poppler's boxes are full width. And its
                # boxes are as high as the type is large: a line under large type may touch them.
                squeezed = (a[4][-1] in CJK_PUNCTUATION) + (b[4][0] in CJK_PUNCTUATION) if abs(a[3] - b[3]) < 0.5 else 0
                allowed = (a[3] - a[1]) / 2 * squeezed + 1
                touch = 1 + 0.1 * min(a[3] - a[1], b[3] - b[1])
                assert dx <= allowed or dy <= touch, f"page {number}: {a[4]!r} and {b[4]!r} are drawn over each other"
    assert_clear_safe_zone(pdf)


# ---------------------------------------------------------------- photos


def test_low_resolution_photo_warns_at_the_images_key(demo, tmp_path):
    ctx, _files = render(demo, tmp_path, paper="A4", sides=2)
    path = ctx.story.path
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if text.startswith("images:"))
    col = lines[line - 1].index("images/street-dusk.jpg") + 1
    messages = [str(w) for w in ctx.warnings]
    assert len(messages) == 1
    assert messages[0].startswith(f"{ctx.shown_path}:{line}:{col}: warning:")
    assert "dpi" in messages[0] and "300" in messages[0]
    assert (tmp_path / "leaflet.pdf").is_file()  # still rendered


def test_the_description_reports_the_photo_and_the_qr_code(a5):
    ctx, pdf = a5
    import json

    described = json.loads((pdf.parent / "leaflet.json").read_text(encoding="utf-8"))
    assert described["paper"] == "A5" and described["sides"] == 2 and described["pages"] == 2
    assert described["qr"] == QR_TEXT and described["trim_box"] is True
    (photo,) = described["images"]
    assert photo["file"] == "assets/images/street-dusk.jpg"
    assert photo["ok"] == (not any("dpi" in str(w) for w in ctx.warnings))


# ---------------------------------------------------------------- hostile and broken stories


def write_story(site: Path, slug: str, title: str, summary: str, body: str = "正文。") -> str:
    (site / "content" / "antifraud" / f"{slug}.md").write_text(
        f"---\ntitle: '{title}'\nkind: antifraud\ndate: 2021-05-01\nsummary: '{summary}'\n---\n\n{body}\n",
        encoding="utf-8")
    return f"antifraud/{slug}"


def test_markup_in_a_story_is_printed_literally(demo, tmp_path):
    title = "#set page(width: 1mm)"
    summary = '"); #panic("x'
    body = '#set text(size: 1pt)\n\n]) #import "/etc/passwd" $x$ <label> @ref `raw` *强调* \\'
    story_id = write_story(demo, "hostile", title, summary, body)
    _ctx, _files = render(demo, tmp_path, story_id=story_id)
    pdf = tmp_path / "leaflet.pdf"
    page = pypdf.PdfReader(pdf).pages[0]
    assert float(page.mediabox.width) == pytest.approx(154 * MM, abs=0.05)
    text = text_of(pdf)
    # (``#set text`` at a line's start is a Markdown heading, and ``<label>`` an HTML tag the sanitizer drops)
    for literal in (title, summary, ']) #import "/etc/passwd" $x$', "@ref", "settext(size:1pt)"):
        assert re.sub(r"\s+", "", literal) in text


def test_nothing_to_print_is_an_error(demo, tmp_path):
    (demo / "content" / "antifraud" / "empty.md").write_text(
        "---\ntitle: 空\nkind: antifraud\ndate: 2021-05-01\n---\n", encoding="utf-8")
    with pytest.raises(ContentError, match="nothing to print"):
        render(demo, tmp_path, story_id="antifraud/empty")


def test_a_character_the_font_lacks_is_an_error(demo, tmp_path):
    have = fonts.coverage("zh-Hans")
    missing = next(chr(c) for c in range(0x2FA00, 0x2FFFF) if c not in have)
    story_id = write_story(demo, "glyph", f"反诈{missing}提醒", "摘要。")
    with pytest.raises(ContentError, match="no glyph"):
        render(demo, tmp_path, story_id=story_id)


def test_text_too_long_for_the_sheet_is_an_error_not_a_third_page(demo, tmp_path):
    body = "\n\n".join(["这是一段很长的正文，用来检查版面放不下时的处理。" * 12] * 12)
    story_id = write_story(demo, "long", "很长的故事", "摘要。", body)
    with pytest.raises(ContentError, match="does not fit"):
        render(demo, tmp_path, story_id=story_id)


def test_a_typst_error_in_a_site_template_is_reported_without_traceback(demo, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(demo, site)
    (site / "templates" / "print").mkdir(parents=True)
    (site / "templates" / "print" / "leaflet.typ").write_text("#let x = (\n", encoding="utf-8")
    with pytest.raises(ContentError, match="Typst could not typeset"):
        render(site, tmp_path / "out")
    assert not [p for p in (tmp_path / "out").iterdir() if p.is_dir() and p.name != "pages"]  # temp root gone


def test_templates_and_inputs_are_recorded(demo, tmp_path):
    with inputs.recording(demo) as recorder:
        render(demo, tmp_path)
    assert recorder.files["templates/print/leaflet.typ"] == inputs.ABSENT  # the override looked for
    assert "package:publisher:templates/print/leaflet.typ" in recorder.files
    assert "package:publisher:templates/print/common.typ" in recorder.files
    assert f"package:{fonts.FONT_DISTRIBUTION}:{fonts.font_file().name}" in recorder.files
    assert "assets/images/street-dusk.jpg" in recorder.files


# ---------------------------------------------------------------- editions


def test_edition_puts_several_stories_on_one_sheet(demo, tmp_path):
    config, _text = load_config(demo)
    ids = ["antifraud/dianxin-zhapian", "antifraud/shuadan-fanli", "antifraud/taolu-dai"]
    settings = PrintSettings(type="print", qr=QR_TEXT, editions={"spring": ids})
    stories = [read_story(demo, i, demo / "content" / f"{i}.md", config) for i in ids]
    warnings = []
    files = print_leaflet.edition(stories, "spring", settings, config, demo, tmp_path, warnings.append)
    assert files == ["edition.pdf", "pages/page-1.png", "pages/page-2.png", "edition.json"]
    reader = pypdf.PdfReader(tmp_path / "edition.pdf")
    assert len(reader.pages) == 2
    back = re.sub(r"\s+", "", reader.pages[1].extract_text())
    for story in stories[1:]:
        assert re.sub(r"\s+", "", story.meta.title) in back
    assert HEADLINE in re.sub(r"\s+", "", reader.pages[0].extract_text())
    codes = zxingcpp.read_barcodes(Image.fromarray(rendered(tmp_path / "edition.pdf", 2, 300).astype(np.uint8)))
    assert [code.text for code in codes] == [QR_TEXT]


def test_edition_names_are_folder_names():
    with pytest.raises(ValueError, match="pattern"):
        PrintSettings(type="print", editions={"../up": ["antifraud/x"]})


# ---------------------------------------------------------------- what does not fit: shrunk, wrapped or refused


SHORT_BODY = "## 牢记一句话\n\n所有刷单都是诈骗！不要垫付任何资金。"


def write_front_matter(site: Path, slug: str, extra: str, title: str = "刷单返利？先返小利，再骗大钱",
                       summary: str = "所有刷单都是诈骗。", body: str = SHORT_BODY) -> str:
    (site / "content" / "antifraud" / f"{slug}.md").write_text(
        f"---\ntitle: '{title}'\nkind: antifraud\ndate: 2021-05-01\nsummary: '{summary}'\n{extra}---\n\n{body}\n",
        encoding="utf-8")
    return f"antifraud/{slug}"


def edition_of(site: Path, ids: list[str], out: Path) -> Path:
    config, _text = load_config(site)
    settings = PrintSettings(type="print", qr=QR_TEXT, editions={"test": ids})
    stories = [read_story(site, i, site / "content" / f"{i}.md", config) for i in ids]
    print_leaflet.edition(stories, "test", settings, config, site, out, lambda _w: None)
    return out / "edition.pdf"


def key_line(site: Path, story_id: str, key: str) -> int:
    lines = (site / "content" / f"{story_id}.md").read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, start=1) if text.startswith(f"{key}:"))


CARD_QR = "https://www.hnxjj.gov.cn/fanzha"
LONG_SUMMARY = ("骗子冒充公检法机关工作人员，以涉嫌洗钱为由要求受害人将资金转入所谓安全账户，"
                "并以保密为名阻止其与家人联系。") * 40


def test_a_cards_qr_code_has_its_own_place_not_over_the_text(demo, tmp_path):
    body = (REPO / "content/antifraud/shuadan-fanli.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    card = write_front_matter(demo, "card-qr", f'qr: "{CARD_QR}"\n', body=body,
                              summary="“动动手指日赚几百”的兼职刷单，是电信网络诈骗中最常见的骗局之一。所有刷单都是诈骗。")
    pdf = edition_of(demo, [STORY, card, "antifraud/taolu-dai"], tmp_path)
    assert_laid_out(pdf)
    # The code scans, and no word of the page is drawn over it.
    dpi = 300
    codes = {c.text: c for c in zxingcpp.read_barcodes(Image.fromarray(rendered(pdf, 2, dpi).astype(np.uint8)))}
    assert set(codes) == {CARD_QR, QR_TEXT}
    position = codes[CARD_QR].position
    corners = (position.top_left, position.top_right, position.bottom_left, position.bottom_right)
    xs, ys = [p.x * 25.4 / dpi for p in corners], [p.y * 25.4 / dpi for p in corners]
    for x0, y0, x1, y1, word in words(pdf)[1]:
        assert x1 <= min(xs) * MM or x0 >= max(xs) * MM or y1 <= min(ys) * MM or y0 >= max(ys) * MM, \
            f"{word!r} is drawn over the card's QR code"
    import json

    boxes = json.loads((tmp_path / "edition.json").read_text(encoding="utf-8"))["boxes"]
    (qr,) = [b for b in boxes if b["what"] == "card-qr"]
    (text,) = [b for b in boxes if b["what"] == "card-text" and b["card"] == qr["card"] == 0]
    assert qr["page"] == text["page"] == 2
    assert text["y"] + text["height"] <= qr["y"], "the card's text runs into its QR code"
    # It is printed where the description says, under the card's text.
    assert qr["x"] - 0.5 <= min(xs) and max(xs) <= qr["x"] + qr["width"] + 0.5
    assert qr["y"] - 0.5 <= min(ys) and max(ys) <= qr["y"] + qr["height"] + 0.5


FIGURES = 'figures: [{label: 涉案金额, value: "12,345,678", unit: 元}, {label: 案件, value: "1,234", unit: 起}, ' \
          '{label: 挽损, value: "8,765,432", unit: 元}]\n'


@pytest.mark.parametrize("options", [{}, {"sides": 1}, {"paper": "A4", "sides": 1}])
def test_wide_figures_shrink_to_their_columns(demo, tmp_path, options):
    story_id = write_front_matter(demo, "figures", FIGURES)
    _ctx, _files = render(demo, tmp_path, story_id=story_id, **options)
    pdf = tmp_path / "leaflet.pdf"
    assert_laid_out(pdf)
    found = {w[4]: w for w in words(pdf)[0]}
    values = [found[v] for v in ("12,345,678", "1,234", "8,765,432")]
    assert values[0][2] < values[1][0] and values[1][2] < values[2][0]  # side by side, in order, apart


def test_a_figure_too_wide_even_at_half_size_is_an_error_at_its_value(demo, tmp_path):
    wide = 'figures: [{label: 甲, value: "1"}, {label: 乙, value: "12345678901234567890"}, {label: 丙, value: "2"}]\n'
    story_id = write_front_matter(demo, "wide-figure", wide)
    with pytest.raises(ContentError, match="figure's value is too wide") as raised:
        render(demo, tmp_path, story_id=story_id)
    line = key_line(demo, story_id, "figures")
    assert str(raised.value).startswith(f"{raised.value.diagnostics[0].path}:{line}:")
    assert raised.value.diagnostics[0].col > 1  # at the second figure's value, not at the key


@pytest.mark.parametrize("length", [300, 500, 600])
@pytest.mark.parametrize("options", [{}, {"sides": 1}])
def test_a_long_summary_shrinks_and_leaves_room_for_the_rest(demo, tmp_path, length, options):
    story_id = write_front_matter(demo, f"summary-{length}", "", summary=LONG_SUMMARY[:length])
    _ctx, _files = render(demo, tmp_path, story_id=story_id, **options)
    pdf = tmp_path / "leaflet.pdf"
    assert_laid_out(pdf)  # not over the hotline panel, the figures or the footer
    text = text_of(pdf)
    assert LONG_SUMMARY[:length] in text and "96110" in text


@pytest.mark.parametrize("options", [{}, {"sides": 1}])
def test_a_summary_too_long_for_the_front_is_an_error_at_summary(demo, tmp_path, options):
    story_id = write_front_matter(demo, "summary-1000", "", summary=LONG_SUMMARY[:1000])
    with pytest.raises(ContentError, match=r"summary is too long .* shorten it to about \d+ characters") as raised:
        render(demo, tmp_path, story_id=story_id, **options)
    assert raised.value.diagnostics[0].line == key_line(demo, story_id, "summary")
    fits = int(re.search(r"about (\d+)", str(raised.value)).group(1))
    assert 300 < fits < 1000
    # What the error says fits, fits.
    story_id = write_front_matter(demo, "summary-fits", "", summary=LONG_SUMMARY[:fits])
    render(demo, tmp_path / "fits", story_id=story_id, **options)
    assert_laid_out(tmp_path / "fits" / "leaflet.pdf")


def test_an_edition_summary_too_long_for_its_card_is_an_error_at_that_story(demo, tmp_path):
    card = write_front_matter(demo, "card-long", "", summary=LONG_SUMMARY[:1200])
    with pytest.raises(ContentError, match="back of the edition") as raised:
        edition_of(demo, [STORY, "antifraud/taolu-dai", card], tmp_path)
    assert raised.value.diagnostics[0].path.endswith("card-long.md")
    assert raised.value.diagnostics[0].line == key_line(demo, card, "summary")


UNBREAKABLE = {
    "title": {"title": "A" * 80},
    "url": {"summary": "请访问 https://www.example.gov.cn/" + "fanzha/" * 20 + "index.html?id=1234567890abcdef 了解。"},
    "url-without-slashes": {"summary": "请访问 https://example.cn/?q=" + "x" * 200 + " 了解详情。"},
    "body": {"body": "B" * 400},
    "figure": {"extra": 'figures: [{label: 金额, value: "12345678901234567890", unit: 元}]\n'},
}


@pytest.mark.parametrize("case", sorted(UNBREAKABLE))
@pytest.mark.parametrize("options", [{}, {"sides": 1}])
def test_unbreakable_latin_runs_wrap_or_shrink_inside_the_page(demo, tmp_path, case, options):
    fields = {"extra": "", **UNBREAKABLE[case]}
    story_id = write_front_matter(demo, f"latin-{case}", fields.pop("extra"), **fields)
    _ctx, _files = render(demo, tmp_path, story_id=story_id, **options)
    pdf = tmp_path / "leaflet.pdf"
    assert_laid_out(pdf)
    run = next(iter(UNBREAKABLE[case].values()))
    longest = max(re.findall(r"[A-Za-z0-9:/.?=_]{16,}", run), key=len)
    assert longest in text_of(pdf).replace("\u200b", "")  # all of it printed (wrapped), none lost


def test_unbreakable_runs_on_edition_cards_stay_in_their_cards(demo, tmp_path):
    ids = [STORY]
    for case in ("url-without-slashes", "body", "figure"):
        fields = {"extra": "", **UNBREAKABLE[case]}
        ids.append(write_front_matter(demo, f"card-{case}", fields.pop("extra"), **fields))
    pdf = edition_of(demo, ids, tmp_path)
    assert_laid_out(pdf)


# ---------------------------------------------------------------- QR codes too large to scan


@pytest.mark.parametrize(("text", "expected"), [
    ("https://www.hnxjj.gov.cn/" + "a" * 400, "61×61"),
    ("x" * 3000, "no QR code can hold it"),
    ("反诈" * 500, "too long"),
])
def test_a_qr_text_too_long_to_scan_is_an_error_at_the_qr_key(demo, tmp_path, text, expected):
    story_id = write_front_matter(demo, "long-qr", f"qr: '{text}'\n")
    with pytest.raises(ContentError, match="story's qr is too long") as raised:
        render(demo, tmp_path, story_id=story_id)
    assert expected in str(raised.value)
    assert raised.value.diagnostics[0].line == key_line(demo, story_id, "qr")


def test_a_qr_setting_too_long_is_an_error_in_config(demo, tmp_path):
    config, _text = load_config(demo)
    settings = PrintSettings(type="print", qr="https://www.hnxjj.gov.cn/" + "a" * 400)
    config = config.model_copy(update={"channels": {**config.channels, "print": settings}})
    story = read_story(demo, "antifraud/taolu-dai", demo / "content/antifraud/taolu-dai.md", config)
    with pytest.raises(ContentError, match="channel's qr setting is too long") as raised:
        print_leaflet.leaflet(RenderContext(demo, config, StoryUnit(story), "print", tmp_path))
    assert raised.value.diagnostics[0].path.endswith("config.toml")


def test_the_largest_qr_code_that_scans_is_printed(demo, tmp_path):
    text = "https://www.hnxjj.gov.cn/" + "a" * 200  # version 11 or less
    story_id = write_front_matter(demo, "qr-v11", f"qr: '{text}'\n")
    render(demo, tmp_path, story_id=story_id)
    codes = zxingcpp.read_barcodes(Image.fromarray(rendered(tmp_path / "leaflet.pdf", 2, 300).astype(np.uint8)))
    assert [code.text for code in codes] == [text]
