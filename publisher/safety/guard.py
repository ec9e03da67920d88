"""The one place personal information is caught and masked, before any channel renders.

:func:`screen` runs while a story is read: raw personal information the story did not
declare is an error at its ``path:line:col``; declared values are masked (or allowed with a
reason); people other than officers become surname + 某. Renderers receive only the masked
story, so no channel can forget to mask.
"""

from __future__ import annotations

from typing import Any

from publisher.content.story import FrontMatter
from publisher.errors import Diagnostic
from publisher.safety import pii
from publisher.safety.people import mask_names
from publisher.sourcepos import line_col

# Front-matter keys that name files, channels or schedules: never rewritten.
_IDENTIFIERS = {"kind", "date", "channels", "images", "status", "publish_after", "expire_after", "voice", "music",
                "screens", "days", "hours", "urgent", "people", "pii"}


def screen(raw_text: str, meta: FrontMatter, body: str, shown: str,
           id_mode: str = "keep") -> tuple[FrontMatter, str, list[Diagnostic]]:
    """(masked front matter, masked body, problems) for one story file."""
    declared = {entry.value: entry for entry in meta.pii}
    problems = []
    for finding in pii.find(raw_text):
        if finding.text in declared:
            continue
        line, col = line_col(raw_text, finding.start)
        problems.append(Diagnostic(
            shown, line, col,
            f"looks like {finding.description} ({pii.mask(finding, 'keep')}): personal information must not be "
            f"published; write it masked, or list it under 'pii:' (masked in every output, or allow: true "
            f"with a reason)"))
    masked_meta = FrontMatter.model_validate(_mask_fields(meta.model_dump(), masker(meta, id_mode)))
    return masked_meta, masker(meta, id_mode, markdown=True)(body), problems


def masker(meta: FrontMatter, id_mode: str = "keep", markdown: bool = False):
    """A function that masks one string the way this story asks (``markdown``: the body)."""
    allowed = {entry.value for entry in meta.pii if entry.allow}
    hidden = [entry.value for entry in meta.pii if not entry.allow]
    names = [p.name for p in meta.people if p.role != "officer" and not p.publish]

    def mask(text: str) -> str:
        text = pii.mask_text(text, allowed, id_mode, markdown)
        for value in sorted(hidden, key=len, reverse=True):
            if value in text:  # declared but not a pattern we detect (an address, a workplace…)
                text = text.replace(value, "\\*\\*\\*" if markdown else "***")
        return mask_names(text, names)

    return mask


def _mask_fields(data: dict[str, Any], mask) -> dict[str, Any]:
    out = {}
    for key, value in data.items():
        if key in _IDENTIFIERS or value is None:
            out[key] = value
        elif key == "officer" and isinstance(value, dict):
            out[key] = {k: (v if k == "name" else _walk(v, mask)) for k, v in value.items()}
        else:
            out[key] = _walk(value, mask)
    return out


def _walk(value: Any, mask) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list):
        return [_walk(v, mask) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, mask) for k, v in value.items()}
    return value

