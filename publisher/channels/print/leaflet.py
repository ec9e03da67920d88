"""Print: anti-fraud leaflets (宣传单) as print-ready PDF, typeset with Typst.

Outputs in the rendition folder: ``leaflet.pdf`` (or ``edition.pdf``), ``pages/page-1.png``… (previews
at 100 ppi) and ``leaflet.json`` (``edition.json``): paper, sides, bleed, boxes, QR text, photos and their
resolution, and where parts landed (``boxes``: an edition card's text and QR code, mm from the page's top left).

No Typst markup is ever made from a story's text: the data goes to a static template as JSON in
``sys.inputs.data``, and the template places every string as text. The templates are
``publisher/templates/print/{leaflet,edition,common}.typ``; a site overrides any of them with
``<site>/templates/print/<name>``. Typst compiles in a temporary folder inside the rendition folder
(its root: the templates and the photos are copied there), so it reads nothing else.

The font is the bundled Noto Sans CJK variable collection. Typst 0.14+ instances a variable font at
the weight asked for and embeds each weight as a subset CID TrueType font (checked: the outlines'
ink at 400 and 700 matches fontTools' instances at those weights), so no static instances are made.

Typst cannot write TrimBox/BleedBox; :func:`set_boxes` adds them in an incremental update.

Nothing is allowed to overlap or run off the page silently: parts shrink within set bounds (the summary
14 → 10 pt, the body 14 → 8 pt, key figures to 45 % of their size), long runs without a break
opportunity (URLs, numbers, Latin) wrap anywhere, a card's QR code has a row of its own; what still
does not fit makes the template panic (``publisher:overflow:WHAT[:N]``), which :func:`_typst_error`
turns into an error at the front-matter key to shorten.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import segno
import typst
from PIL import Image

from publisher import atomic
from publisher.channels.print.settings import PrintSettings
from publisher.config import SiteConfig
from publisher.content.story import KIND_LABELS, Story
from publisher.errors import ContentError, Diagnostic, PublisherError
from publisher.i18n import N_, _
from publisher.render import focus, fonts, inputs, linebreak
from publisher.render.channel import RenderContext, StoryUnit
from publisher.render.photos import fit, native_size
from publisher.sourcepos import shown_path, toml_key_line

MM = 72 / 25.4
"""Points in a millimetre."""
BLEED_MM = 3.0
MARK_GAP_MM = 1.0
"""Crop marks stop this far from the trim (they live in the 3 mm bleed: the PDF page is trim + bleed)."""
PREVIEW_PPI = 100
MAX_PHOTO_PIXELS = 3600
"""Longer photos are scaled down before Typst embeds them (450 dpi over 20 cm; the PDF stays small)."""
TEMPLATES = ("common.typ",)
PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates" / "print"
FAMILY = {"zh-Hans": ("Noto Sans CJK SC", "cn"), "zh-Hant": ("Noto Sans CJK TC", "tw")}
MORE_LABEL = "更多防骗提醒"
WORD_JOINER = "\u2060"
MAX_JOINED = 10
"""Longest word (in characters) joined whole for Typst: a longer one (a long date, a URL) may still
wrap inside, rather than run past a narrow column."""
MAX_QR_VERSION = 11
"""Largest QR code printed: version 11 is 61×61 modules, about 0.33 mm a module at 20 mm (what a
phone still reads off paper); a longer text needs a short link."""


@dataclass(frozen=True)
class Paper:
    width: float
    height: float
    margin: float
    """From the trim to the text, in mm (the safe zone is 5 mm: this is more)."""
    scale: float
    """Type sizes relative to A5."""
    photo_front: float
    """Height of the photo on a front page (two sides), mm."""
    photo_single: float
    """Height of the photo on a one-sided leaflet, mm."""
    qr_total: float
    """Smallest QR code, quiet zone included, mm."""


PAPERS = {
    "A5": Paper(148, 210, 11, 1.0, 62, 36, 24),
    "A4": Paper(210, 297, 15, 1.35, 92, 52, 30),
}

_BOXES = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


@dataclass
class Photo:
    source: Path
    key: tuple[str | int, ...]
    """Where the photo is named in the front matter (for warnings)."""
    pixels: tuple[int, int]
    """Width and height of the original (upright); once placed, of what is printed at the photo's own
    resolution (cropped to the box's shape around its subject, or whole over a blurred fill)."""
    file: str = "photo-1.jpg"
    printed: tuple[float, float] = (0.0, 0.0)
    """Printed width and height in mm (reported by the template)."""
    dpi: float = 0.0


@dataclass
class Job:
    """One PDF to make: a template, its data and the files it needs."""

    template: str
    data: dict
    photos: list[tuple[Photo, Image.Image]] = field(default_factory=list)
    warn: Callable[..., None] | None = None
    """Where a photo's low resolution is reported: ``warn(message, *key)``."""
    card_error: Callable[..., Exception] | None = None
    """An edition's: ``card_error(index, message, *key)``, the error at the key of the story on card
    ``index`` (0: the first card on the back)."""
    boxes: list[dict] = field(default_factory=list)
    """Where parts landed (``<layout-box>`` metadata: the cards' text and QR code), set by compile_pdf."""
    lines: list[dict] = field(default_factory=list)
    """Each text block's lines as Typst broke them (``{"text": "title", "lines": [...]}``), set by compile_pdf."""


# ---------------------------------------------------------------- public functions


def leaflet(ctx: RenderContext) -> list[str]:
    """One story → ``leaflet.pdf``, ``pages/page-N.png`` and ``leaflet.json`` in ``ctx.folder``."""
    settings = _settings(ctx)
    paper = PAPERS[settings.paper]
    data, photos = story_data(ctx, settings, paper, front_only=False)
    job = Job("leaflet.typ", {**page_data(ctx.config, settings, paper, ctx.language), **data,
                              "sides": settings.sides}, photos, ctx.warn)
    return _render(job, ctx.site, ctx.folder, "leaflet", settings, ctx.story.meta.date, ctx.error,
                   expected_pages=settings.sides)


def edition(stories: list[Story], name: str, settings: PrintSettings, config: SiteConfig, site: Path,
            folder: Path, warn: Callable[[Diagnostic], None], error: Callable[..., Exception] | None = None,
            channel: str = "print") -> list[str]:
    """Several anti-fraud stories on one double-sided sheet → ``edition.pdf``, page previews and
    ``edition.json``: the first story large on the front, the others (up to 6) in a grid on the back.

    ``warn(diagnostic)`` receives each warning, already placed in its story's file (path:line:col);
    ``error(story, message, *key)`` returns the exception to raise (default: a ContentError at the
    first story's key). ``channel`` is the channel's name in config.toml (its language)."""
    if not stories:
        raise PublisherError(_("print edition {name!r} lists no stories").format(name=name))
    if len(stories) > 7:
        raise PublisherError(_("print edition {name!r} has {count} stories; one sheet holds at most 7").format(
            name=name, count=len(stories)))
    if channel not in config.channels or config.channels[channel] is not settings:
        config = config.model_copy(update={"channels": {**config.channels, channel: settings}})
    contexts = [RenderContext(site, config, StoryUnit(story), channel, folder) for story in stories]
    paper = PAPERS[settings.paper]
    first, *others = contexts
    data, photos = story_data(first, settings, paper, front_only=True)
    cards = []
    for ctx in others:
        card, _photos = story_data(ctx, settings, paper, front_only=False, card=True)
        cards.append(card)
    for ctx in contexts:
        for warning in ctx.warnings:
            warn(warning)
    job = Job("edition.typ", {**page_data(config, settings, paper, first.language), **data, "sides": 2,
                              "cards": cards, "labels": {"kind": first.localize(KIND_LABELS[first.story.meta.kind]),
                                                         "more": first.localize(MORE_LABEL)}}, photos, first.warn)

    def edition_error(message: str, *key: str | int) -> Exception:
        return error(first.story, message, *key) if error else first.error(message, *key)

    def card_error(index: int, message: str, *key: str | int) -> Exception:
        ctx = others[index] if 0 <= index < len(others) else first
        return error(ctx.story, message, *key) if error else ctx.error(message, *key)

    job.card_error = card_error

    try:
        return _render(job, site, folder, "edition", settings, first.story.meta.date, edition_error,
                       expected_pages=2, extra={"name": name, "stories": [s.id for s in stories]})
    finally:
        for ctx in contexts:
            for warning in ctx.warnings:
                warn(warning)


# ---------------------------------------------------------------- data for the templates


def page_data(config: SiteConfig, settings: PrintSettings, paper: Paper, language: str) -> dict:
    theme = config.theme
    family, region = FAMILY[language]
    return {
        "page": {"width": paper.width, "height": paper.height, "margin": paper.margin,
                 "bleed": BLEED_MM if settings.bleed else 0.0, "marks": settings.bleed, "mark_gap": MARK_GAP_MM},
        "scale": paper.scale,
        "font": family,
        "region": region,
        "colors": {"brand": _hex(theme.background), "accent": _hex(theme.accent), "muted": _hex(theme.muted),
                   "ink": "#1c2230", "grey": "#5b6578", "paper": "#ffffff", "tint": "#eef2f8"},
    }


def story_data(ctx: RenderContext, settings: PrintSettings, paper: Paper, *, front_only: bool,
               card: bool = False) -> tuple[dict, list[tuple[Photo, Image.Image]]]:
    """What the templates draw of one story (localized, glyphs checked) and its photo."""
    story, meta = ctx.story, ctx.story.meta
    blocks = [] if front_only else body_blocks(story.body.html)
    if not meta.summary.strip() and not blocks and not meta.figures and not card:
        raise ctx.error(_("story {story} has nothing to print: no summary, no body text and no figures").format(
            story=story.id))
    hotlines = list(settings.hotlines)
    label, number = split_hotline(hotlines[0])
    qr_text = (meta.qr or settings.qr or f"tel:{number or hotlines[0]}").strip()
    account = ctx.account
    date = f"{meta.date.year}年{meta.date.month}月{meta.date.day}日"
    texts = {
        "title": meta.title, "summary": meta.summary.strip(), "account": account, "date": date,
        "qr_caption": settings.qr_caption,
    }
    localized = {key: ctx.localize(value) for key, value in texts.items()}
    figures = [{"label": ctx.localize(f.label), "value": f.value, "unit": ctx.localize(f.unit)}
               for f in meta.figures[:3]]
    for block in blocks:
        for runs in block.get("items", [block.get("runs", [])]):
            for run in runs:
                run["text"] = ctx.localize(run["text"])
    hotlines = [ctx.localize(line) for line in hotlines]
    drawn = [*localized.values(), *hotlines, KIND_LABELS[meta.kind], MORE_LABEL,
             *(f"{f['label']}{f['value']}{f['unit']}" for f in figures),
             *(run["text"] for block in blocks for runs in block.get("items", [block.get("runs", [])]) for run in runs)]
    for text in drawn:
        ctx.require_glyphs(text)

    photos: list[tuple[Photo, Image.Image]] = []
    photo_data = None
    if story.images and not card:
        image = inputs.open_image(story.images[0])  # recorded; upright; RGB; metadata (GPS…) dropped
        photo = Photo(story.images[0], ("images", 0), image.size)
        if max(image.size) > MAX_PHOTO_PIXELS:
            image.thumbnail((MAX_PHOTO_PIXELS, MAX_PHOTO_PIXELS), Image.Resampling.LANCZOS)
        photos.append((photo, image))
        single = settings.sides == 1 and not front_only
        photo_data = {"path": "/" + photo.file, "height": paper.photo_single if single else None}

    try:
        qr = qr_data(qr_text, localized["qr_caption"], paper)
    except QRTooLong as exc:
        raise _qr_error(ctx, exc, "story" if meta.qr else "setting" if settings.qr else "hotline") from None
    for block in blocks:
        for runs in block.get("items", [block.get("runs", [])]):
            join_words(runs)
    localized["title"], localized["summary"] = joined(localized["title"]), joined(localized["summary"])
    data = {
        "title": localized["title"], "summary": localized["summary"], "account": localized["account"],
        "date": localized["date"], "figures": figures, "body": blocks, "photo": photo_data, "qr": qr,
        "qr_text": qr_text, "hotlines": hotlines,
        "hotline": {"label": ctx.localize(label), "number": number},
        "labels": {"kind": ctx.localize(KIND_LABELS[meta.kind])},
    }
    if card:
        data = {"title": data["title"], "summary": data["summary"], "figures": figures[:1], "body": blocks,
                "qr": qr if meta.qr else None}
    return data, photos


def joined(text: str) -> str:
    """``text`` with the characters of each word joined by U+2060 WORD JOINER (the segmenter's words
    and what the rendition keeps whole: 银⁠行⁠卡, 1⁠7⁠人, 情⁠指⁠中⁠心), so Typst breaks lines only
    between words. The template sets each joiner in a run of its own: the PDF's text has none."""
    runs = [{"text": text}]
    join_words(runs)
    return runs[0]["text"]


def join_words(runs: list[dict]) -> None:
    """Join the words of a paragraph made of runs (bold, emphasis) in place: the paragraph is
    segmented whole, a word across two runs is joined across them."""
    full = "".join(run["text"] for run in runs)
    if not full.strip():
        return
    inside: set[int] = set()  # offsets of characters that continue the word before them
    at = 0
    for unit in linebreak.words(full):
        if 1 < len(unit) <= MAX_JOINED and not any(ch.isspace() for ch in unit):
            inside.update(range(at + 1, at + len(unit)))
        at += len(unit)
    at = 0
    for run in runs:
        text = run["text"]
        run["text"] = "".join(WORD_JOINER + ch if at + i in inside else ch for i, ch in enumerate(text))
        at += len(text)


def lines_of(units: list[dict]) -> list[dict]:
    """The ``<line-unit>`` markers (one after each word, in document order, with its page and
    baseline) → each text block's lines: a new line where the page or the line's position changes."""
    blocks: list[dict] = []
    last: tuple | None = None
    for unit in units:
        what, text = str(unit.get("what", "")), str(unit.get("text", ""))
        where = (unit.get("page"), float(unit.get("y", 0.0)))
        if not blocks or blocks[-1]["text"] != what or last is None:
            blocks.append({"text": what, "lines": [""]})
        elif where[0] != last[0] or abs(where[1] - last[1]) > 4.0:  # a line is 10 pt or more below the last
            blocks[-1]["lines"].append("")
        if text == "\n":
            blocks[-1]["lines"].append("")
        else:
            blocks[-1]["lines"][-1] += text
        last = where
    for block in blocks:
        block["lines"] = [line.strip() for line in block["lines"] if line.strip()]
    return [block for block in blocks if block["lines"]]


def split_hotline(line: str) -> tuple[str, str]:
    """``全国反诈预警专线 96110`` → (``全国反诈预警专线``, ``96110``); a line without a number at its
    end → (line, "")."""
    match = re.fullmatch(r"\s*(.*?)[\s:：]*(\+?\d[\d\- ]*\d|\d)\s*", line)
    if not match:
        return line.strip(), ""
    return match.group(1), match.group(2).replace(" ", "")


class QRTooLong(ValueError):
    """The QR code's text needs a code larger than :data:`MAX_QR_VERSION` (``modules`` 0: larger than
    any QR code)."""

    def __init__(self, text: str, modules: int) -> None:
        super().__init__(text)
        self.text, self.modules = text, modules


def qr_data(text: str, caption: str, paper: Paper) -> dict:
    """The QR code as SVG (black on white, 4-module quiet zone) and its printed size: the symbol at
    least 20 mm wide, the whole at least ``paper.qr_total``. :class:`QRTooLong` when the text needs
    more than version 11 (61 modules: smaller modules do not scan reliably at that size)."""
    try:
        code = segno.make(text, error="m", micro=False)
    except segno.DataOverflowError:
        raise QRTooLong(text, 0) from None
    modules = code.symbol_size(border=0)[0]
    if code.version > MAX_QR_VERSION:  # type: ignore[operator]
        raise QRTooLong(text, modules)
    size = max(paper.qr_total, 20.0 * (modules + 8) / modules)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", border=4, scale=10, dark="#000000", light="#ffffff", xmldecl=False,
              svgclass=None, lineclass=None)
    return {"svg": buffer.getvalue().decode("utf-8"), "size": round(size, 2), "caption": caption,
            "modules": modules}


def _qr_error(ctx: RenderContext, exc: QRTooLong, source: str) -> Exception:
    """The error for a QR text too long: at the story's ``qr`` key (``source`` "story"), or at the
    channel's ``qr`` (``"setting"``) or ``hotlines`` in config.toml."""
    limit = 17 + 4 * MAX_QR_VERSION
    size = (_("it would need a {modules}×{modules}-module code, too fine to scan at its printed size "
              "(at most {limit}×{limit})").format(modules=exc.modules, limit=limit) if exc.modules
            else _("no QR code can hold it"))
    what = {"story": _("the story's qr"), "setting": _("the channel's qr setting"),
            "hotline": _("the QR code made from the first hotline")}[source]
    message = _("{what} is too long for a printed QR code ({length} characters): {size}; shorten it "
                "(a short link; at most about 250 Latin characters or 80 Chinese characters)").format(
                    what=what, length=len(exc.text), size=size)
    if source == "story":
        return ctx.error(message, "qr")
    path = ctx.site / "config.toml"
    keys = ("channels", ctx.channel, "qr" if source == "setting" else "hotlines")
    try:
        line, col = toml_key_line(path.read_text(encoding="utf-8"), keys)
    except OSError:
        line, col = 1, 1
    return ContentError(Diagnostic(shown_path(path), line, col, message))


def check_photo(photo: Photo, settings: PrintSettings, warn: Callable[..., None]) -> None:
    """The photo's effective resolution at its printed size; below ``min_dpi`` is a warning."""
    width_mm, height_mm = photo.printed
    if width_mm <= 0 or height_mm <= 0:
        return
    # Cover: the photo is scaled until it fills the box; the tighter side sets the resolution.
    dpi = min(photo.pixels[0] / (width_mm / 25.4), photo.pixels[1] / (height_mm / 25.4))
    photo.dpi = round(dpi, 1)
    if dpi < settings.min_dpi:
        warn(_("the lead photo prints at {dpi} dpi on {paper} ({width}×{height} mm from {pixels} pixels), below "
               "the {min_dpi} dpi a print shop expects; use a larger original").format(
                   dpi=round(dpi), paper=settings.paper, width=round(width_mm), height=round(height_mm),
                   pixels=f"{photo.pixels[0]}×{photo.pixels[1]}", min_dpi=settings.min_dpi), *photo.key)


class _Blocks(HTMLParser):
    """Sanitized body HTML → blocks the template draws: headings, paragraphs and lists of text runs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[dict] = []
        self._runs: list[dict] | None = None
        self._kind = "p"
        self._strong = 0
        self._em = 0
        self._skip = 0
        self._list: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("table", "pre", "figure"):
            self._skip += 1
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6", "p", "blockquote"):
            self._open("h" if tag.startswith("h") else "p")
        elif tag in ("ul", "ol"):
            self._close()
            self._list = {"kind": "list", "ordered": tag == "ol", "items": []}
            self.blocks.append(self._list)
        elif tag == "li":
            self._open("li")
        elif tag in ("strong", "b"):
            self._strong += 1
        elif tag in ("em", "i"):
            self._em += 1
        elif tag == "br" and self._runs is not None:
            self._runs.append({"text": "\n", "strong": False, "em": False})

    def handle_endtag(self, tag: str) -> None:
        if tag in ("table", "pre", "figure"):
            self._skip = max(0, self._skip - 1)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6", "p", "blockquote", "li"):
            self._close()
        elif tag in ("ul", "ol"):
            self._close()
            self._list = None
        elif tag in ("strong", "b"):
            self._strong = max(0, self._strong - 1)
        elif tag in ("em", "i"):
            self._em = max(0, self._em - 1)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        text = re.sub(r"\s+", " ", data)
        if not text.strip() and self._runs is None:
            return
        if self._runs is None:
            self._open("p")
        self._runs.append({"text": text, "strong": self._strong > 0, "em": self._em > 0})

    def _open(self, kind: str) -> None:
        if self._runs is not None and kind == "p" and self._kind == "li":
            return  # <li><p>…: the item's paragraph
        self._close()
        self._kind, self._runs = kind, []

    def _close(self) -> None:
        runs, self._runs = self._runs, None
        if runs is None:
            return
        runs = _trimmed(runs)
        if not runs:
            return
        if self._kind == "li" and self._list is not None:
            self._list["items"].append(runs)
        else:
            self.blocks.append({"kind": "h" if self._kind == "h" else "p", "runs": runs})


def _trimmed(runs: list[dict]) -> list[dict]:
    runs = [dict(run) for run in runs if run["text"]]
    if runs:
        runs[0]["text"] = runs[0]["text"].lstrip()
        runs[-1]["text"] = runs[-1]["text"].rstrip()
    return [run for run in runs if run["text"]]


def body_blocks(html: str) -> list[dict]:
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    parser._close()
    return [block for block in parser.blocks if block.get("runs") or block.get("items")]


# ---------------------------------------------------------------- Typst


def template_file(site: Path, name: str) -> Path:
    """``<site>/templates/print/<name>`` when the site has it (inside the site, no link out), else the
    packaged one; records what was read (and the override looked for)."""
    override = site / "templates" / "print" / name
    inputs.record(override)
    if override.is_file():
        if not atomic.confined(site.resolve(), override.resolve()) or not atomic.confined(site, override):
            raise PublisherError(_("template {name!r} is a link that leads outside {root}; refused").format(
                name=f"print/{name}", root=site))
        return override
    inputs.record_package(f"templates/print/{name}")
    return PACKAGE_TEMPLATES / name


@dataclass
class Compiled:
    pdf: bytes
    pages: list[bytes]


def compile_pdf(job: Job, site: Path, workdir: Path, date: dt.date, error: Callable[..., Exception]) -> Compiled:
    """Typeset ``job`` in ``workdir`` (a fresh folder: Typst's root, deleted by the caller)."""
    for name in (job.template, *TEMPLATES):
        shutil.copyfile(template_file(site, name), workdir / name)
    for photo, image in job.photos:
        image.save(workdir / photo.file, format="JPEG", quality=92, subsampling=0, optimize=True)
    inputs.record_package(fonts.font_file().name, fonts.FONT_DISTRIBUTION)
    data = json.dumps(job.data, ensure_ascii=False)
    stamp = int(dt.datetime.combine(date, dt.time(), tzinfo=dt.UTC).timestamp())
    try:
        compiler = typst.Compiler(str(workdir / job.template), root=str(workdir), font_paths=_fonts(),
                                  sys_inputs={"data": data})
        boxes = _photo_boxes(compiler) if job.photos else []
        if boxes:  # Typst crops to the middle: hand it each photo already framed to its box's shape
            _frame_photos(job.photos, boxes, workdir)
            compiler = typst.Compiler(str(workdir / job.template), root=str(workdir), font_paths=_fonts(),
                                      sys_inputs={"data": data})
        pdf = compiler.compile(format="pdf", timestamp=stamp)
        pages = compiler.compile(format="png", ppi=PREVIEW_PPI)
        boxes = _photo_boxes(compiler) if job.photos else []
        job.boxes = [{key: round(v, 2) if isinstance(v, float) else v for key, v in box.items()}
                     for box in json.loads(compiler.query("<layout-box>", field="value", format="json"))]
        placed = json.loads(compiler.query("<line-units>", field="value", format="json"))
        job.lines = lines_of(placed[0] if placed else [])
    except typst.TypstError as exc:
        raise _typst_error(exc, workdir, error, job.card_error) from None
    if isinstance(pages, bytes):
        pages = [pages]
    assert isinstance(pdf, bytes)
    for (photo, _image), box in zip(job.photos, boxes, strict=False):
        photo.printed = (round(float(box["width"]), 1), round(float(box["height"]), 1))
    return Compiled(pdf, list(pages or []))


def _photo_boxes(compiler: typst.Compiler) -> list[dict]:
    """Where the template places its photos; none when it does not compile (the compile that
    follows reports why, as a TypstError: a query raises a bare RuntimeError)."""
    try:
        return json.loads(compiler.query("<photo-box>", field="value", format="json"))
    except (RuntimeError, ValueError):
        return []


def _frame_photos(photos: list[tuple[Photo, Image.Image]], boxes: list[dict], workdir: Path) -> None:
    """Each photo cropped to its box's shape around its subject (or whole over a blurred fill), at
    its own resolution, written where the template reads it; its printed pixels updated."""
    for (photo, image), box in zip(photos, boxes, strict=False):
        shape = (float(box["width"]), float(box["height"]))
        framed = fit(image, focus.subject(photo.source), native_size(image.size, shape)).image
        photo.pixels = native_size(photo.pixels, shape)
        if max(framed.size) > MAX_PHOTO_PIXELS:
            framed.thumbnail((MAX_PHOTO_PIXELS, MAX_PHOTO_PIXELS), Image.Resampling.LANCZOS)
        framed.save(workdir / photo.file, format="JPEG", quality=92, subsampling=0, optimize=True)


_FONTS: typst.Fonts | None = None


def _fonts() -> typst.Fonts:
    """Only the bundled font (no system fonts, none of Typst's own): what is printed is what was checked."""
    global _FONTS
    if _FONTS is None:
        _FONTS = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False,
                             font_paths=[str(fonts.font_file().parent)])
    return _FONTS


OVERFLOW = {
    "title": N_("the headline is too long for a leaflet (more than three lines at the smallest size); shorten it"),
    "body": N_("the story's text does not fit on the leaflet even at 8 pt; shorten it, print it on A4 or on two "
              "sides"),
    "photo": N_("the headline and summary leave no room for the photo on the front; shorten them"),
    "summary": N_("the summary is too long for the front of the leaflet (even at 10 pt it leaves no room for the "
                  "rest); shorten it to about {count} characters"),
    "figure": N_("the figure's value is too wide for its column even at less than half size; shorten it (e.g. "
                 "“1234万” for 12,345,678) or give fewer figures"),
    "hotline": N_("the first hotline's number is too long to print large on the front; shorten it"),
    "card": N_("the story's summary does not fit its place on the back of the edition even at 8 pt; shorten it"),
    "cardtitle": N_("the headline is too long for its card on the back of the edition (more than three lines at "
                    "10 pt); shorten it"),
    "cardfigure": N_("the story's first figure is too wide for its card on the back of the edition; shorten its "
                     "value or its label"),
    "front": N_("the front page overflows; shorten the headline or the summary"),
}
CARDS = ("card", "cardtitle", "cardfigure")
KEYS: dict[str, tuple[str | int, ...]] = {
    "title": ("title",), "photo": ("images", 0), "summary": ("summary",), "card": ("summary",),
    "cardtitle": ("title",), "cardfigure": ("figures", 0, "value"),
}


def _typst_error(exc: typst.TypstError, workdir: Path, error: Callable[..., Exception],
                 card_error: Callable[..., Exception] | None = None) -> Exception:
    message = str(getattr(exc, "message", "") or exc)
    match = re.search(r"publisher:overflow:(\w+)(?::(\d+))?", message)
    if match:
        what = match.group(1) if match.group(1) in OVERFLOW else "front"
        number = int(match.group(2)) if match.group(2) else 0
        text = _(OVERFLOW[what]).format(count=number)
        key = ("figures", number, "value") if what == "figure" else KEYS.get(what, ())
        if what == "hotline":
            return PublisherError(text)
        if what in CARDS and card_error is not None:
            return card_error(number, text, *key)
        return error(text, *key)
    message = message.replace(str(workdir) + "/", "").replace("\n", " ")
    hints = [h for h in (getattr(exc, "hints", None) or []) if h]
    return error(_("Typst could not typeset the leaflet: {message}").format(
        message=message + (" (" + "; ".join(hints) + ")" if hints else "")))


def set_boxes(pdf: bytes, bleed_pt: float) -> bytes | None:
    """``pdf`` with TrimBox (the MediaBox less ``bleed_pt`` on every side) and BleedBox (the MediaBox)
    on every page, added as an incremental update (Typst's bytes stay as they are). None when the file
    is not laid out as Typst writes it (a classic cross-reference table, page objects uncompressed)."""
    start = pdf.rfind(b"startxref")
    trailer_at = pdf.rfind(b"trailer", 0, start)
    if start < 0 or trailer_at < 0:
        return None
    try:
        xref_at = int(pdf[start + 9:].split()[0])
    except (ValueError, IndexError):
        return None
    if pdf[xref_at:xref_at + 4] != b"xref":
        return None
    offsets = _xref(pdf, xref_at)
    if offsets is None:
        return None
    update = bytearray(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    written: dict[int, tuple[int, int]] = {}
    for number, (offset, generation) in sorted(offsets.items()):
        end = pdf.find(b"endobj", offset)
        head = re.match(rb"\s*(\d+)\s+(\d+)\s+obj\s*", pdf[offset:end])
        if end < 0 or not head or int(head.group(1)) != number:
            return None
        body = pdf[offset + head.end():end].rstrip()
        if not (body.startswith(b"<<") and body.endswith(b">>")) or not _PAGE.search(body) or b"stream" in body:
            continue
        box = _BOXES.search(body)
        if not box or b"/TrimBox" in body:
            return None
        x0, y0, x1, y1 = (float(v) for v in box.groups())
        trim = f"/TrimBox[{x0 + bleed_pt:.4f} {y0 + bleed_pt:.4f} {x1 - bleed_pt:.4f} {y1 - bleed_pt:.4f}]"
        bleed = f"/BleedBox[{x0:.4f} {y0:.4f} {x1:.4f} {y1:.4f}]"
        written[number] = (len(update), generation)
        update += f"{number} {generation} obj\n".encode() + body[:-2] + (trim + bleed).encode() + b">>\nendobj\n"
    if not written:
        return None
    table_at = len(update)
    update += b"xref\n"
    for number, (offset, generation) in sorted(written.items()):
        update += f"{number} 1\n{offset:010d} {generation:05d} n \n".encode()
    trailer = pdf[trailer_at + 7:start].strip()
    if not trailer.endswith(b">>"):
        return None
    trailer = re.sub(rb"/Prev\s+\d+", b"", trailer)
    update += b"trailer\n" + trailer[:-2] + f"/Prev {xref_at}>>\nstartxref\n{table_at}\n%%EOF\n".encode()
    return bytes(update)


def _xref(pdf: bytes, at: int) -> dict[int, tuple[int, int]] | None:
    """Object number → (offset, generation) of the in-use entries of a classic xref table."""
    lines = pdf[at:].split(b"trailer", 1)[0].split(b"\n")[1:]
    entries: dict[int, tuple[int, int]] = {}
    number = 0
    for raw in lines:
        parts = raw.split()
        if len(parts) == 2:
            number = int(parts[0])
        elif len(parts) == 3:
            if parts[2] == b"n":
                entries[number] = (int(parts[0]), int(parts[1]))
            number += 1
        elif parts:
            return None
    return entries


# ---------------------------------------------------------------- writing


def _render(job: Job, site: Path, folder: Path, stem: str, settings: PrintSettings, date: dt.date,
            error: Callable[..., Exception], expected_pages: int, extra: dict | None = None) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=atomic.temp_name("typst-"), dir=folder))
    try:
        compiled = compile_pdf(job, site, workdir, date, error)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for photo, _image in job.photos:
        check_photo(photo, settings, job.warn or (lambda *_args: None))
    if len(compiled.pages) != expected_pages:
        raise error(_("the leaflet came out as {count} pages instead of {expected}; shorten the story").format(
            count=len(compiled.pages), expected=expected_pages))
    pdf = compiled.pdf
    boxes = False
    if settings.bleed:
        boxed = set_boxes(pdf, BLEED_MM * MM)
        if boxed is not None:
            pdf, boxes = boxed, True
    files = [f"{stem}.pdf"]
    atomic.write_bytes(folder / f"{stem}.pdf", pdf)
    for number, png in enumerate(compiled.pages, start=1):
        name = f"pages/page-{number}.png"
        atomic.write_bytes(folder / name, png)
        files.append(name)
    paper = PAPERS[settings.paper]
    bleed = BLEED_MM if settings.bleed else 0.0
    description = {
        **(extra or {}),
        "paper": settings.paper,
        "trim_mm": [paper.width, paper.height],
        "page_mm": [paper.width + 2 * bleed, paper.height + 2 * bleed],
        "sides": settings.sides if stem == "leaflet" else 2,
        "bleed_mm": bleed,
        "crop_marks": settings.bleed,
        "trim_box": boxes,
        "pages": len(compiled.pages),
        "qr": job.data["qr_text"],
        "qr_mm": job.data["qr"]["size"],
        "boxes": job.boxes,
        "lines": job.lines,
        "images": [{"file": _shown(photo.source, site), "dpi": photo.dpi,
                    "pixels": list(photo.pixels), "printed_mm": list(photo.printed),
                    "ok": photo.dpi >= settings.min_dpi} for photo, _image in job.photos],
    }
    atomic.write_text(folder / f"{stem}.json", json.dumps(description, ensure_ascii=False, indent=2))
    files.append(f"{stem}.json")
    return files


def _shown(path: Path, site: Path) -> str:
    try:
        return path.resolve().relative_to(site.resolve()).as_posix()
    except ValueError:
        return path.name


def _settings(ctx: RenderContext) -> PrintSettings:
    settings = ctx.channel_config
    if not isinstance(settings, PrintSettings):
        raise PublisherError(_("channel {channel!r} is not a print channel").format(channel=ctx.channel))
    return settings


def _hex(colour: str) -> str:
    from PIL import ImageColor

    r, g, b = ImageColor.getrgb(colour)[:3]
    return f"#{r:02x}{g:02x}{b:02x}"

