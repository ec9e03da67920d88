"""Markdown to sanitized HTML and to plain text, the two forms templates get."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "s", "del", "blockquote",
    "ul", "ol", "li", "a", "img", "figure", "figcaption", "table", "thead", "tbody", "tr", "th", "td",
    "code", "pre", "span", "sup", "sub",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "td": {"align"}, "th": {"align"}}

VOICE_MARK = re.compile(r"(?:\\?\[|&#91;|&lsqb;)(\d{1,2}):(\d{1,2}(?:\.\d+)?)\\?\]")
"""``[mm:ss.s]``: a voice-over time mark in a video script. Only the video channel reads it; it
is removed from the text every other channel shows."""

_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "tr", "pre", "figcaption", "div"}


@dataclass
class Section:
    """A ``##`` heading and the plain text under it, up to the next ``##``."""

    heading: str
    """The heading as plain text; empty for the text before the first heading."""
    text: str
    """One paragraph per line, no markup (lower headings, lists and quotes included)."""
    strong: list[str] = field(default_factory=list)
    """Bold phrases (``**…**``) in the text, as plain text, in order."""


@dataclass
class Rendered:
    html: str
    """Sanitized HTML of the body."""
    text: str
    """Plain text: one paragraph per line, no markup."""
    quotes: list[str] = field(default_factory=list)
    """Block quotes, as plain text (they become quote cards)."""
    images: list[str] = field(default_factory=list)
    """Image sources referenced in the body, in order."""
    sections: list[Section] = field(default_factory=list)
    """The body cut at its ``##`` headings; text before the first one is a section without a heading."""


MAX_BRACKETS = 200
"""Python-Markdown's link parsing takes quadratic time in the ``[`` of one paragraph; a paragraph
with more than this many is not links but noise (or an attack), and its brackets are taken as text."""


def _linear(body: str) -> str:
    blocks = re.split(r"(\n[ \t]*\n)", body)
    return "".join(block.replace("[", _BRACKET) if block.count("[") > MAX_BRACKETS else block for block in blocks)


_BRACKET = "\ue000"
"""Stands for ``[`` while Markdown runs (a private-use character: Markdown gives it no meaning and
spends no time on it; escaping with a backslash or an entity is as slow as the brackets were)."""


def render(body: str, voice_marks: bool = False) -> Rendered:
    """The body as HTML and text; ``voice_marks`` keeps ``[mm:ss.s]`` (only the video script wants them)."""
    import markdown as md  # here, not above: a build whose stories are all read already never loads it
    import nh3

    converter = md.Markdown(extensions=["extra", "sane_lists"], output_format="html")
    raw_html = converter.convert(_linear(body if voice_marks else VOICE_MARK.sub("", body)))
    html = nh3.clean(raw_html.replace(_BRACKET, "["), tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel=None)
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return Rendered(html=html, text=extractor.text(), quotes=extractor.quotes, images=extractor.images,
                    sections=extractor.sections())


def plain(fragment: str) -> str:
    """Inline Markdown (a title, a line) to plain text."""
    return render(fragment).text.replace("\n", " ").strip()


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._quote_depth = 0
        self._quote: list[str] = []
        self.quotes: list[str] = []
        self.images: list[str] = []
        self._in_heading = False
        self._strong_depth = 0
        self._strong: list[str] = []
        # Per section: heading parts, text parts, bold phrases.
        self._sections: list[tuple[list[str], list[str], list[str]]] = [([], [], [])]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._emit("\n")
        elif tag == "img":
            src = dict(attrs).get("src")
            if src:
                self.images.append(src)
        elif tag == "blockquote":
            self._quote_depth += 1
        elif tag in ("strong", "b"):
            self._strong_depth += 1
        if tag == "h2":
            self._sections.append(([], [], []))
            self._in_heading = True
        if tag in _BLOCKS:
            self._emit("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self._emit("\n")
        if tag == "h2":
            self._in_heading = False
        if tag in ("strong", "b") and self._strong_depth:
            self._strong_depth -= 1
            if not self._strong_depth:
                phrase = _squeeze("".join(self._strong)).replace("\n", "")
                if phrase:
                    self._sections[-1][2].append(phrase)
                self._strong = []
        if tag == "blockquote" and self._quote_depth:
            self._quote_depth -= 1
            if not self._quote_depth:
                quote = _squeeze("".join(self._quote))
                if quote:
                    self.quotes.append(quote)
                self._quote = []

    def handle_data(self, data: str) -> None:
        self._emit(data)

    def _emit(self, data: str) -> None:
        self._parts.append(data)
        if self._quote_depth:
            self._quote.append(data)
        if self._strong_depth:
            self._strong.append(data)
        heading, text, _strong = self._sections[-1]
        (heading if self._in_heading else text).append(data)

    def text(self) -> str:
        return _squeeze("".join(self._parts))

    def sections(self) -> list[Section]:
        found = [Section(_squeeze("".join(heading)).replace("\n", " "), _squeeze("".join(text)), strong)
                 for heading, text, strong in self._sections]
        return [s for s in found if s.heading or s.text]


def _squeeze(text: str) -> str:
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
