"""``publisher check --typesetting``: every line the last build drew, judged as a Chinese editor would.

The build records each text's lines exactly as drawn: a Weibo card's text boxes (``post.json``), the
WeChat cover (``article.json`` ``cover_lines``), a short video's subtitle cues (``video.srt``) and cover
(``plan.json`` ``cover``), each LED slide (``playlist.json`` ``lines``) and ticker (``text``), and each
leaflet text block as Typst broke it (``leaflet.json``/``edition.json`` ``lines``). This module reads
them back through ``manifest.json`` and counts, for every text of more than one line:

- ``cut_words``: a line boundary inside a word (the segmenter's words, the site's terms and the names the
  story declares), unless that one word is longer than a line;
- ``orphans``: a last line of a single character (孤字);
- ``punct``: a line that starts with closing punctuation (，。、…);
- ``numbers``: a boundary inside a number with its unit (17人, 2021年4月8日) or inside a kept term or name;
- ``unbalanced``: a two-line title (card title, cover title, leaflet headline, LED headline) or subtitle
  cue whose shorter line is under 40 % of the longer;
- ``slide_breaks``: an LED slide that ends mid-clause while the story's next slide continues the clause,
  unless the clause is longer than a slide.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from publisher.content.story import Story
from publisher.i18n import N_, _
from publisher.pipeline import manifest
from publisher.render import linebreak, terms
from publisher.render.channel import read_json

KINDS = ("cut_words", "orphans", "punct", "unbalanced", "numbers", "slide_breaks")
LABELS = {
    "cut_words": N_("word cut across lines"),
    "orphans": N_("last line of one character"),
    "punct": N_("line starts with closing punctuation"),
    "unbalanced": N_("unbalanced two-line title"),
    "numbers": N_("number or name cut across lines"),
    "slide_breaks": N_("slide ends mid-clause"),
}
BALANCE = 0.4
"""A two-line title whose shorter line is under this share of the longer is unbalanced."""
CLAUSE_END = set("。！？；，、：…!?;,:")
CLOSING = set("”’」』）》〕】〉〗｝］)]}")
_NUMBER = re.compile(r"\d")


@dataclass
class Finding:
    path: str
    rendition: str
    kind: str
    shown: str
    """The lines around the problem, ``line1 / line2``."""

    def __str__(self) -> str:
        return _("{path}: {rendition}: {kind}: \"{lines}\"").format(
            path=self.path, rendition=self.rendition, kind=_(LABELS[self.kind]), lines=self.shown)


@dataclass
class Report:
    lines: int = 0
    findings: list[Finding] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for f in self.findings if f.kind == kind)

    @property
    def clean(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        # The same in every language: a line for scripts to read.
        return _("typeset: lines={lines} cut_words={cut_words} orphans={orphans} punct={punct} "
                 "unbalanced={unbalanced} numbers={numbers} slide_breaks={slide_breaks}").format(
            lines=self.lines, **{kind: self.count(kind) for kind in KINDS})


@dataclass
class Text:
    """One drawn text: its lines, where it was drawn, and what to keep whole in it."""

    lines: list[str]
    path: str
    rendition: str
    keep: list[str]
    title: bool = False
    paragraphs: list[str] = field(default_factory=list)
    """The source paragraphs, when known: a boundary between two of them is not judged."""
    breaks: list[int] = field(default_factory=list)
    """LED: the lines at which a new slide starts (the slide before should end a clause)."""


def width(text: str) -> float:
    """A line's length in Chinese characters (Latin letters and digits count half)."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _joined(lines: list[str]) -> tuple[str, list[int]]:
    """The lines as one paragraph, and the offsets where the second line onward begin. A space goes
    back between two Latin words the break separated (digits run on: 30 / 50元 is one number cut)."""
    text, starts = "", []
    for index, line in enumerate(lines):
        line = line.strip()
        if index:
            if text and line and text[-1].isascii() and text[-1].isalpha() and line[0].isascii() \
                    and line[0].isalpha():
                text += " "
            starts.append(len(text))
        text += line
    return text, starts


def _groups(lines: list[str], paragraphs: list[str]) -> list[tuple[int, int]]:
    """(first, end) line indexes of each paragraph, when the lines spell the paragraphs in order;
    otherwise one group of every line."""
    wanted = [_norm(p) for p in paragraphs if _norm(p)]
    if not wanted:
        return [(0, len(lines))]
    groups, first, acc = [], 0, ""
    for index, line in enumerate(lines):
        acc += _norm(line)
        if wanted and acc == wanted[0]:
            groups.append((first, index + 1))
            first, acc = index + 1, ""
            wanted.pop(0)
        elif not (wanted and wanted[0].startswith(acc)):
            return [(0, len(lines))]
    if first < len(lines):
        groups.append((first, len(lines)))
    return groups


def _around(lines: list[str], index: int) -> str:
    """Line ``index - 1`` and line ``index``, as the finding shows them."""
    return " / ".join(line.strip() for line in lines[max(0, index - 1):index + 1])


def _protected(text: str, keep: Iterable[str]) -> list[tuple[int, int]]:
    """Spans never to break inside: numbers with their units, dates and times, kept terms and names."""
    spans, at = [], 0
    for atom in linebreak.atoms(text):
        if len(atom.strip()) > 1 and _NUMBER.match(atom.lstrip("（《「『“‘〔【〈〖｛［([{")):
            core = atom.rstrip("".join(linebreak.NO_LINE_START))
            spans.append((at, at + len(core)))
        at += len(atom)
    spans += [(m.start(), m.end()) for m in linebreak.DATE.finditer(text)]
    for term in keep:
        if len(term) < 2:
            continue
        start = text.find(term)
        while start != -1:
            spans.append((start, start + len(term)))
            start = text.find(term, start + 1)
    return spans


def judge(text: Text) -> Iterator[Finding]:
    """Every problem of one drawn text."""
    lines = [line for line in text.lines if line.strip()]
    if len(lines) < 2:
        return
    found = lambda kind, index: Finding(text.path, text.rendition, kind, _around(lines, index))  # noqa: E731
    longest = max(width(line) for line in lines)
    for first, end in _groups(lines, text.paragraphs):
        group = lines[first:end]
        if len(group) < 2:
            continue
        joined, starts = _joined(group)
        words = sorted(linebreak.word_starts(joined, text.keep))
        spans = _protected(joined, text.keep)
        for offset, boundary in enumerate(starts, start=first + 1):
            inside = [(a, b) for a, b in spans if a < boundary < b]
            if inside:
                a, b = max(inside, key=lambda span: span[1] - span[0])
                if width(joined[a:b]) <= longest:
                    yield found("numbers", offset)
                continue
            if boundary not in words:
                before = max((s for s in words if s < boundary), default=0)
                after = min((s for s in words if s > boundary), default=len(joined))
                if width(joined[before:after]) <= longest:
                    yield found("cut_words", offset)
        for offset, line in enumerate(group[1:], start=first + 1):
            if line.strip()[:1] in linebreak.NO_LINE_START:
                yield found("punct", offset)
    if len(lines[-1].strip()) == 1:
        yield found("orphans", len(lines) - 1)
    if text.title and len(lines) == 2:
        short, long_ = sorted(width(line) for line in lines)
        if short < BALANCE * long_:
            yield found("unbalanced", 1)


# ---------------------------------------------------------------- reading the build's records


def parse_srt(text: str) -> list[list[str]]:
    """The cues of an SRT file, each as its lines."""
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        rows = block.split("\n")
        at = next((i for i, row in enumerate(rows) if "-->" in row), None)
        if at is not None:
            cues.append([row for row in rows[at + 1:] if row.strip()])
    return cues


def _boxes(card: dict) -> Iterator[tuple[str, list[str]]]:
    for box in card.get("boxes", []):
        if isinstance(box, dict) and isinstance(box.get("lines"), list):
            yield str(box.get("role", "")), [str(line) for line in box["lines"]]


class Auditor:
    """Reads the records of one output folder; ``stories`` (by id) and ``site_terms`` give what is kept whole."""

    def __init__(self, out: Path, stories: dict[str, Story] | None = None, site_terms: Iterable[str] = ()):
        self.out = out
        self.stories = stories or {}
        self.site_terms = list(site_terms)
        self.paths: dict[str, str] = {}

    def keep(self, story_id: str | None) -> list[str]:
        story = self.stories.get(story_id or "")
        return [*self.site_terms, *(terms.story_terms(story) if story else [])]

    def path(self, story_id: str | None, fallback: str) -> str:
        return self.paths.get(story_id or "", story_id or fallback)

    def texts(self) -> Iterator[Text]:
        found = manifest.load(self.out)
        renditions = sorted(found.renditions, key=lambda r: (r.channel, r.key))
        self.paths = {r.story: r.path for r in renditions if r.story and r.path}
        for rendition in renditions:
            folder = self.out / rendition.folder
            if not rendition.folder or ".." in Path(rendition.folder).parts:
                continue
            yield from self._rendition(rendition, folder)

    def _rendition(self, rendition: manifest.Rendition, folder: Path) -> Iterator[Text]:
        name = rendition.folder
        story = rendition.story or None
        path = self.path(story, name)
        keep = self.keep(story)
        prefix = name + "/"  # the manifest's files are relative to the output folder
        files = {f[len(prefix):] if f.startswith(prefix) else f for f in rendition.files}
        if "post.json" in files:
            for number, card in enumerate(read_json(folder / "post.json").get("cards", []), start=1):
                for role, lines in _boxes(card):
                    yield Text(lines, path, f"{name} card-{number} {role}", keep, title=role == "title")
        if "article.json" in files:
            lines = read_json(folder / "article.json").get("cover_lines")
            if isinstance(lines, list):
                yield Text([str(x) for x in lines], path, f"{name} cover", keep, title=True)
        if "video.srt" in files:
            try:
                cues = parse_srt((folder / "video.srt").read_text(encoding="utf-8"))
            except OSError:
                cues = []
            for number, cue in enumerate(cues, start=1):
                yield Text(cue, path, f"{name} cue {number}", keep, title=True)
        if "plan.json" in files:
            cover = read_json(folder / "plan.json").get("cover")
            if isinstance(cover, dict):
                for role, lines in _boxes(cover):
                    yield Text(lines, path, f"{name} cover {role}", keep, title=role == "title")
        for record in ("leaflet.json", "edition.json"):
            if record in files:
                yield from self._print(rendition, folder / record, name)
        if "playlist.json" in files:
            yield from self._led(read_json(folder / "playlist.json"), name)

    def _print(self, rendition: manifest.Rendition, record: Path, name: str) -> Iterator[Text]:
        members = rendition.stories or [rendition.story]
        for block in read_json(record).get("lines", []):
            if not isinstance(block, dict) or not isinstance(block.get("lines"), list):
                continue
            what = str(block.get("text", ""))
            story = members[0] if members else None
            if match := re.match(r"card-(\d+)-", what):
                index = int(match.group(1))
                story = members[index] if index < len(members) else None
            yield Text([str(x) for x in block["lines"]], self.path(story, name), f"{name} {what}", self.keep(story),
                       title=what == "title" or what.endswith("-title"))

    def _led(self, playlist: dict, name: str) -> Iterator[Text]:
        for part in playlist.get("parts", []):
            items = [item for item in part.get("items", []) if isinstance(item, dict)]
            if any("text" in item and "lines" not in item for item in items):
                for item in items:
                    text = str(item.get("text", "")).rstrip("　◆ ")
                    story = item.get("story")
                    yield Text([text], self.path(story, name), f"{name} {part.get('name', '')} ticker",
                               self.keep(story))
                continue
            run: list[dict] = []
            for item in [*items, {}]:
                if run and item.get("story") == run[0].get("story") and item:
                    run.append(item)
                    continue
                if run:
                    yield from self._story_slides(run, f"{name} {part.get('name', '')}")
                run = [item] if item else []

    def _story_slides(self, slides: list[dict], where: str) -> Iterator[Text]:
        """One story's consecutive slides: each headline as a title, the body as one text whose
        lines run across the slides (a slide boundary is a line boundary too)."""
        story_id = slides[0].get("story")
        story = self.stories.get(story_id or "")
        keep, path = self.keep(story_id), self.path(story_id, where)
        title = str(slides[0].get("title", ""))
        body: list[str] = []
        ends: list[int] = []  # index in ``body`` where each slide's body ends
        for slide in slides:
            lines = [str(x) for x in slide.get("lines", [])]
            head, rest = split_slide(lines, title)
            if head:
                yield Text(head, path, f"{where} {slide.get('slide', '')} headline", keep, title=True)
            body += rest
            ends.append(len(body))
        paragraphs = []
        if story is not None:
            paragraphs = [story.meta.summary] if story.meta.summary else []
            paragraphs += [f"{f.label} {f.value}{f.unit}" for f in story.meta.figures]
        text = Text(body, path, f"{where} {slides[0].get('slide', '')} body", keep, paragraphs=paragraphs)
        text.breaks = [e for e in ends[:-1] if 0 < e < len(body)]
        yield text


def split_slide(lines: list[str], title: str) -> tuple[list[str], list[str]]:
    """A slide's lines → (headline lines, body lines): the headline is the first lines that spell the
    title; a slide of part of the headline alone (a long one flows over slides) is all headline."""
    wanted, acc = _norm(title), ""
    if not wanted:
        return [], lines
    for index, line in enumerate(lines):
        acc += _norm(line)
        if acc == wanted:
            return lines[:index + 1], lines[index + 1:]
        if not wanted.startswith(acc):
            break
    if lines and _norm("".join(lines)) in wanted:
        return lines, []
    return [], lines


def slide_breaks(text: Text, ends: list[int]) -> Iterator[Finding]:
    """Slide boundaries (``ends``: the body line each next slide starts at) that fall mid-clause
    inside a paragraph, when the clause would fit on a slide."""
    lines = text.lines
    if not ends:
        return
    groups = _groups(lines, text.paragraphs)
    bounds = [0, *ends, len(lines)]
    capacity = max(sum(width(line) for line in lines[a:b]) for a, b in itertools.pairwise(bounds))
    for end in ends:
        group = next(((a, b) for a, b in groups if a < end < b), None)
        if group is None:  # the slide ends where a paragraph ends
            continue
        last = lines[end - 1].rstrip()
        while last and last[-1] in CLOSING:
            last = last[:-1]
        if last and last[-1] in CLAUSE_END:
            continue
        joined, starts = _joined(lines[group[0]:group[1]])
        boundary = starts[end - group[0] - 1]
        clause_start = max((i + 1 for i, ch in enumerate(joined[:boundary]) if ch in CLAUSE_END), default=0)
        clause_end = min((i + 1 for i, ch in enumerate(joined) if i >= boundary and ch in CLAUSE_END),
                         default=len(joined))
        if width(joined[clause_start:clause_end]) <= capacity:
            yield Finding(text.path, text.rendition, "slide_breaks", _around(lines, end))


def audit(out: Path, stories: dict[str, Story] | None = None, site_terms: Iterable[str] = ()) -> Report:
    """Judge every line recorded in ``out`` (see the module's doc)."""
    report = Report()
    for text in Auditor(out, stories, site_terms).texts():
        lines = [line for line in text.lines if line.strip()]
        report.lines += len(lines)
        report.findings.extend(judge(text))
        report.findings.extend(slide_breaks(text, text.breaks))
    return report
