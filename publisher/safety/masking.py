"""Masking one story's text the way its front matter asks.

Patterns (phones, IDs, cards, plates, e-mails) are masked wherever they are found, as typed or
as published (full-width, spaced, dotted, with entities, comments or zero-width characters
inside), unless declared ``allow: true``. Declared values that are no pattern are hidden as
``***``; people other than officers become surname + 某, also when written with spaces, in
Traditional characters or by their given name alone. A value or name split by markup cannot be
replaced in place: it is left, and :mod:`publisher.safety.recheck` refuses the story.
"""

from __future__ import annotations

from publisher.content.story import FrontMatter, Story
from publisher.safety import pii, published
from publisher.safety.names import after_surname, distinctive_given_name
from publisher.safety.people import hidden_people, kept_names, masked_name

_PLACEHOLDER = 0xF0000  # supplementary private use: survives NFKC, never in a story


class Masker:
    def __init__(self, meta: FrontMatter, id_mode: str = "keep"):
        self.id_mode = id_mode
        self.allowed = {published.key(entry.value) for entry in meta.pii if entry.allow}
        self.hidden = sorted({entry.value for entry in meta.pii if not entry.allow}, key=len, reverse=True)
        self.names = sorted(hidden_people(meta), key=len, reverse=True)
        self.kept = kept_names(meta)

    def __call__(self, text: str, markdown: bool = False, names: bool = True) -> str:
        text = self.patterns(text, markdown)
        text = self.hidden_values(text, markdown)
        return self.people(text, markdown) if names else text

    def patterns(self, text: str, markdown: bool = False) -> str:
        for located in reversed(published.find(text, markdown)):
            if located.key in self.allowed or located.finding.text in self.allowed:
                continue
            if not published.plain_span(text[located.start:located.end]):
                continue  # split by markup: recheck refuses it
            masked = pii.mask(located.finding, self.id_mode)
            text = text[:located.start] + (masked.replace("*", "\\*") if markdown else masked) + text[located.end:]
        return text

    def hidden_values(self, text: str, markdown: bool = False) -> str:
        stars = "\\*\\*\\*" if markdown else "***"
        for value in self.hidden:
            text = text.replace(value, stars)  # declared but no pattern we detect (an address…)
            text = _replace(text, published.dense(value), stars, markdown)
        return text

    def people(self, text: str, markdown: bool = False) -> str:
        if not self.names:
            return text
        for index, name in enumerate(self.kept):  # an officer 李小明 keeps 小明 even if a victim is 王小明
            text = text.replace(name, chr(_PLACEHOLDER + index))
        for name in self.names:
            text = _replace(text, published.dense(name), masked_name(name), markdown)
        for name in self.names:
            if given := distinctive_given_name(name):
                text = _replace(text, published.dense(given), masked_name(name), markdown, skip_full_names=True)
        for index, name in enumerate(self.kept):
            text = text.replace(chr(_PLACEHOLDER + index), name)
        return text


def _replace(text: str, needle: str, replacement: str, markdown: bool, skip_full_names: bool = False) -> str:
    """Replace every occurrence of ``needle`` as published (spaces, entities, comments, full-width
    and Traditional forms included) whose source can be replaced whole. ``not_after``: skip an
    occurrence right after a surname: it belongs to a full name (the declared one split by markup is
    refused, not half-masked; someone else's, 李小明 beside a victim 王小明, is not this person)."""
    needle = published.simplified(needle)
    if not needle:
        return text
    view = published.published_form(text, markdown, "all")
    haystack = published.simplified(view.text)
    spans = []
    at = haystack.find(needle)
    while at >= 0:
        if not (skip_full_names and after_surname(haystack, at)):
            spans.append(view.source(at, at + len(needle)))
        at = haystack.find(needle, at + len(needle))
    for start, end in reversed(spans):
        if published.plain_span(text[start:end]):
            text = text[:start] + replacement + text[end:]
    return text


def masked_items(story: Story, id_mode: str = "keep") -> list[dict[str, str]]:
    """What a story's ``people:`` and ``pii:`` hide, as every channel publishes it, for reviewers (the
    review page): each hidden person (``kind`` is their role) and each declared value (``kind``
    ``pii``; ``reason`` when it is published as written on purpose). The raw names and values stay
    out, as they stay out of every template."""
    declared = FrontMatter.model_validate(story.parsed.meta)  # the story as written, before masking
    masker = Masker(declared, id_mode)
    items = [{"kind": role, "published": masked_name(name), "reason": ""}
             for name, role in hidden_people(declared).items()]
    for entry in declared.pii:
        if entry.allow:
            items.append({"kind": "pii", "published": entry.value, "reason": entry.reason})
        else:
            items.append({"kind": "pii", "published": masker(entry.value, names=False), "reason": ""})
    return items
