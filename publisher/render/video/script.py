"""A story's Markdown read as a video script.

Each ``##`` heading starts a scene; an image in a scene is its background; each sentence of
the scene's text becomes one or more subtitle cues. ``[mm:ss.s]`` marks pin a sentence to a
time in the voice-over. No Markdown markup survives into the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from publisher.content import markup
from publisher.render import linebreak

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_MARK = markup.VOICE_MARK
_CLAUSE = re.compile(r".+?(?:[，、：,:]+[”’」』）)]*|$)", re.S)


@dataclass
class Sentence:
    text: str
    mark: float | None = None
    """Start time in the voice-over, when the script pins it with ``[mm:ss.s]``."""


@dataclass
class Scene:
    heading: str
    line: int
    """Line of the heading (or of the first text) in the story file."""
    image: str | None = None
    image_line: int = 0
    sentences: list[Sentence] = field(default_factory=list)


def parse(body: str, body_line: int) -> list[Scene]:
    """Split the Markdown body into scenes. Text before the first ``##`` is a scene without a heading."""
    scenes: list[Scene] = []
    current = Scene("", body_line)
    buffer: list[str] = []
    in_fence = False

    def flush() -> None:
        text = "\n".join(buffer)
        buffer.clear()
        current.sentences += sentences(text)

    for offset, line in enumerate(body.split("\n")):
        number = body_line + offset
        if line.strip().startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        heading = _HEADING.match(line)
        if heading and len(heading.group(1)) == 2:
            flush()
            if current.heading or current.sentences or current.image:
                scenes.append(current)
            current = Scene(markup.plain(heading.group(2)), number)
            continue
        for image in _IMAGE.finditer(line):
            if current.image is None:
                current.image, current.image_line = image.group(1), number
        line = _IMAGE.sub("", line)
        if heading:  # other heading levels are read as text
            line = heading.group(2)
        buffer.append(line)
    flush()
    if current.heading or current.sentences or current.image:
        scenes.append(current)
    return scenes


def sentences(markdown_text: str) -> list[Sentence]:
    """Plain sentences of a Markdown fragment, with their voice-over marks."""
    plain = markup.render(markdown_text, voice_marks=True).text
    found: list[Sentence] = []
    for paragraph in plain.split("\n"):
        pending_mark: float | None = None
        parts = _MARK.split(paragraph)
        # parts: text, minutes, seconds, text, minutes, seconds, text...
        chunks: list[tuple[float | None, str]] = [(None, parts[0])]
        for index in range(1, len(parts), 3):
            chunks.append((int(parts[index]) * 60 + float(parts[index + 1]), parts[index + 2]))
        for mark, chunk in chunks:
            pending_mark = mark if mark is not None else pending_mark
            for text in linebreak.sentences(chunk):
                found.append(Sentence(text, pending_mark))
                pending_mark = None
    return found


def cue_texts(sentence: str, line_chars: int = 16, max_lines: int = 2) -> list[list[str]]:
    """Split one sentence into cues of at most ``max_lines`` lines of ``line_chars`` characters,
    breaking at clauses first and following the shared line-breaking rules."""
    capacity = line_chars * max_lines
    chunks: list[str] = []
    current = ""
    for clause in (m.group() for m in _CLAUSE.finditer(sentence)):
        if not clause:
            continue
        if current and len(current) + len(clause) > capacity:
            chunks.append(current)
            current = ""
        current += clause
    if current:
        chunks.append(current)
    cues: list[list[str]] = []
    for chunk in chunks:
        cues += _cues_of(chunk, line_chars, max_lines)
    return cues


def _cues_of(chunk: str, line_chars: int, max_lines: int) -> list[list[str]]:
    """One cue of even lines when the chunk fits one; otherwise cues split between words (a clause
    longer than a cue), each as even as the others and its own lines balanced."""
    lines = linebreak.wrap(chunk, line_chars, balance=True)
    if len(lines) <= max_lines:
        return [lines]
    for size in range(line_chars * max_lines, line_chars - 1, -1):
        cues = [linebreak.wrap(piece, line_chars, balance=True)
                for piece in linebreak.wrap(chunk, size, balance=True)]
        if all(len(cue) <= max_lines for cue in cues):
            return cues
    return [lines[start:start + max_lines] for start in range(0, len(lines), max_lines)]
