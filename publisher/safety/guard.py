"""The one place personal information is caught and masked, before any channel renders.

:func:`screen` runs while a story is read: raw personal information the story did not
declare is an error at its ``path:line:col``; declared values are masked (or allowed with a
reason); people other than officers become surname + 某. Renderers receive only the masked
story, so no channel can forget to mask.

Detection looks at the story as typed and as published (see :mod:`publisher.safety.published`),
and after masking the published texts are read once more (:mod:`publisher.safety.recheck`):
what is still there was written in a form masking cannot replace, and the story is refused.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from publisher import __version__, atomic, i18n
from publisher.content import frontmatter
from publisher.content.story import FrontMatter
from publisher.errors import Diagnostic
from publisher.safety import published, recheck
from publisher.safety.masking import Masker
from publisher.sourcepos import line_col


def screen(raw_text: str, meta: FrontMatter, body: str, shown: str,
           id_mode: str = "keep") -> tuple[FrontMatter, str, list[Diagnostic]]:
    """(masked front matter, masked body, problems) for one story file."""
    declared = {entry.value for entry in meta.pii} | {published.key(entry.value) for entry in meta.pii}
    problems: list[Diagnostic] = []
    reported: set[str] = set()
    for located in published.find(raw_text, markdown=True):
        if located.finding.text in declared or located.key in declared:
            continue
        reported.add(located.key)
        line, col = line_col(raw_text, located.start)
        problems.append(Diagnostic(shown, line, col, recheck.undeclared(located.finding)))
    mask = Masker(meta, id_mode)
    masked_meta = FrontMatter.model_validate(_mask_fields(meta.model_dump(), mask))
    masked_body = mask(body, markdown=True)
    places = _Places(raw_text)
    seen = {(p.line, p.col, p.message) for p in problems}
    for leak in recheck.undeclared_values(meta, body) + recheck.leaks(masked_meta, masked_body, meta):
        if leak.key and leak.key in reported:
            continue
        reported.add(leak.key)
        line, col = places.find(leak)
        if (line, col, leak.message) not in seen:
            seen.add((line, col, leak.message))
            problems.append(Diagnostic(shown, line, col, leak.message))
    return masked_meta, masked_body, problems


def screen_cached(cache: Path | None, raw_text: str, meta: FrontMatter, body: str, shown: str,
                  id_mode: str = "keep") -> tuple[FrontMatter, str, list[Diagnostic]]:
    """:func:`screen`, remembered in ``cache`` (a folder of the site's ``.publisher``) by the
    story's exact text, the masking mode, the language of the messages and the code that
    screens: the build reads every story every time, and screening is most of that cost."""
    if cache is None:
        return screen(raw_text, meta, body, shown, id_mode)
    key = hashlib.sha256("\0".join((raw_text, id_mode, i18n.language(), _code_version())).encode()).hexdigest()
    path = cache / key[:2] / f"{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        problems = [Diagnostic(shown, p["line"], p["col"], p["message"], p["severity"]) for p in data["problems"]]
        return FrontMatter.model_validate(data["meta"]), data["body"], problems
    except (OSError, ValueError, KeyError, TypeError):
        pass
    masked_meta, masked_body, problems = screen(raw_text, meta, body, shown, id_mode)
    record = {"meta": masked_meta.model_dump(mode="json"), "body": masked_body,
              "problems": [{"line": p.line, "col": p.col, "message": p.message, "severity": p.severity}
                           for p in problems]}
    with contextlib.suppress(OSError):  # a read-only site still builds, only slower
        atomic.write_text(path, json.dumps(record, ensure_ascii=False))
    return masked_meta, masked_body, problems


@functools.cache
def _code_version() -> str:
    """The screening code itself, so that a changed detector never trusts an old verdict."""
    digest = hashlib.sha256(__version__.encode())
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()




class _Places:
    """Where a leak found in published text was typed: the first place its normalised form
    appears in the body (or from its front-matter key on), else the key's line."""

    def __init__(self, raw_text: str):
        self.raw = raw_text
        try:
            self.parsed: frontmatter.Parsed | None = frontmatter.parse(raw_text)
        except frontmatter.FrontMatterError:
            self.parsed = None
        self.view = published.published_form(raw_text, markdown=True, squeeze="all")
        self.haystack = published.simplified(self.view.text)

    def find(self, leak: recheck.Leak) -> tuple[int, int]:
        in_body = leak.where == ("body",)
        if self.parsed is None:
            fallback = (1, 1)
        elif in_body:
            fallback = (self.parsed.body_line, 1)
        else:
            fallback = self.parsed.position(*leak.where)
        start = self._offset(fallback[0])
        needle = published.simplified(leak.needle)
        for probe in (needle, needle[:3]):
            if probe and (at := self._search(probe, start)) is not None:
                return line_col(self.raw, at)
        return fallback

    def _offset(self, line: int) -> int:
        at = 0
        for _ in range(line - 1):
            at = self.raw.find("\n", at) + 1
            if at == 0:
                return len(self.raw)
        return at

    def _search(self, needle: str, start: int) -> int | None:
        """The first occurrence masking could not replace (else the first one) from ``start`` on."""
        at = next((i for i, span in enumerate(self.view.spans) if span[0] >= start), len(self.view.spans))
        first = None
        while (at := self.haystack.find(needle, at)) >= 0:
            begin, end = self.view.source(at, at + len(needle))
            if not published.plain_span(self.raw[begin:end]):
                return begin
            first = begin if first is None else first
            at += len(needle)
        return first


def _mask_fields(data: dict[str, Any], mask: Masker) -> dict[str, Any]:
    out = {}
    for key, value in data.items():
        if key in recheck.IDENTIFIERS or value is None:
            out[key] = value
        elif key == "officer" and isinstance(value, dict):  # the officer is published by name
            out[key] = {k: (mask(v, names=False) if k == "name" else _walk(v, mask)) for k, v in value.items()}
        else:
            out[key] = _walk(value, mask)
    return out


def _walk(value: Any, mask: Masker) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list):
        return [_walk(v, mask) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, mask) for k, v in value.items()}
    return value
