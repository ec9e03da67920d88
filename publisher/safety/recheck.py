"""After masking: read the story as each channel will publish it and look again.

The body is rendered (its text, image alt texts, link texts and addresses) and every front-matter
text that reaches an output is taken as it is (title, summary, officer, figures, topics, extra).
Anything personal still there is a :class:`Leak`: a value the story never declared, or a declared
value or name written in a form masking cannot replace (split by markup, for instance).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from publisher.content import markup
from publisher.content.story import FrontMatter
from publisher.i18n import N_, _
from publisher.safety import pii, published
from publisher.safety.names import after_surname, distinctive_given_name
from publisher.safety.people import hidden_people, kept_names, masked_name

# Front-matter keys that name files, channels or schedules: never published as text.
IDENTIFIERS = {"kind", "date", "channels", "images", "status", "publish_after", "expire_after", "voice", "music",
               "screens", "days", "hours", "urgent", "people", "pii"}

_ATTRIBUTE = re.compile(r"\s(?:alt|title|href)=\"([^\"]*)\"")


@dataclass(frozen=True)
class Leak:
    where: tuple[str | int, ...]
    """``("body",)`` or the front-matter key path of the text it was found in."""
    needle: str
    """What to look for in the file to place the error (normalised, never shown)."""
    message: str
    key: str = ""
    """The finding's key (undeclared values), to report each value once."""


def published_texts(meta: FrontMatter, body: str) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(where, text) of everything a channel may show."""
    rendered = markup.render(body)
    yield ("body",), rendered.text
    for value in _ATTRIBUTE.findall(rendered.html):
        yield ("body",), html.unescape(value)
    yield from _strings(meta.model_dump(exclude=IDENTIFIERS), ())
    for index, figure in enumerate(meta.figures):  # drawn as one line: 电话138 + 12345678
        yield ("figures", index), f"{figure.label}{figure.value}{figure.unit}"


def _strings(value: Any, where: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        if value:
            yield where, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*where, index))
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(item, (*where, name))


def undeclared_values(meta: FrontMatter, body: str) -> list[Leak]:
    """Personal information the story did not declare, in its published texts before masking
    (a value typed with YAML escapes, for instance, is not in the file as such)."""
    declared = {published.key(e.value) for e in meta.pii} | {e.value for e in meta.pii}
    found = []
    for where, text in published_texts(meta, body):
        for located in published.find(text):
            if located.key not in declared and located.finding.text not in declared:
                found.append(Leak(where, published.dense(located.finding.text), undeclared(located.finding),
                                  located.key))
    return found


def leaks(meta: FrontMatter, body: str, original: FrontMatter) -> list[Leak]:
    """What is still personal in the masked story (``meta``, ``body``); ``original`` holds the
    declarations (``pii:``, ``people:``)."""
    allowed = {published.key(e.value) for e in original.pii if e.allow}
    declared = {published.key(e.value) for e in original.pii if not e.allow}
    hidden = [e.value for e in original.pii if not e.allow and not pii.find(published.dense(e.value), True)]
    names = hidden_people(original)
    kept = kept_names(original)
    found: list[Leak] = []
    for where, text in published_texts(meta, body):
        for located in published.find(text):
            finding = located.finding
            if located.key in allowed or finding.text in allowed:
                continue
            shown = pii.mask(finding)
            if located.key in declared:
                found.append(Leak(where, published.dense(finding.text), _(
                    "{what} ({masked}) is written in a form that cannot be masked (split by markup, for instance); "
                    "write it as plain text").format(what=finding.description, masked=shown), located.key))
            else:
                found.append(Leak(where, published.dense(finding.text), undeclared(finding), located.key))
        flat = published.simplified(published.dense(text))
        for name in kept:  # an officer 李小明 is no leak of a victim's given name 小明
            flat = flat.replace(published.simplified(published.dense(name)), "\n")
        for value in hidden:
            if published.simplified(published.dense(value)) in flat:
                found.append(Leak(where, published.dense(value), _(
                    "a value listed under 'pii:' (***) is written in a form that cannot be masked (split by markup, "
                    "for instance); write it as plain text")))
        for name, role in names.items():
            for form, alone in ((name, False), (distinctive_given_name(name), True)):
                if form and _occurs(flat, published.simplified(published.dense(form)), alone):
                    found.append(Leak(where, published.dense(form), _(
                        "the name of a {role} ({masked}) is written in a form that cannot be masked (split by "
                        "markup, for instance); write it as plain text").format(role=_(ROLES[role]),
                                                                                masked=masked_name(name))))
                    break
    return found


def _occurs(flat: str, needle: str, alone: bool) -> bool:
    """``needle`` occurs in ``flat``; for a given name ``alone``, not as part of someone else's
    full name (李小明 is not the victim 王小明's 小明)."""
    at = flat.find(needle)
    while at >= 0:
        if not (alone and after_surname(flat, at)):
            return True
        at = flat.find(needle, at + 1)
    return False


ROLES = {"victim": N_("victim"), "witness": N_("witness"), "minor": N_("minor"), "suspect": N_("suspect"),
         "officer": N_("officer"), "public": N_("public")}
"""``people:`` roles as a message names them (受害人, 证人…); the keys are what a story writes."""


def undeclared(finding: pii.Finding) -> str:
    return _("looks like {what} ({masked}): personal information must not be published; write it masked, or "
             "list it under 'pii:' (masked in every output, or allow: true with a reason)").format(
        what=finding.description, masked=pii.mask(finding))
