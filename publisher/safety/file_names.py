"""Personal information kept out of story file names.

A story's file name is its id, and the id is everywhere: output folders, LED playlists, preview
addresses, batch sheets and calendars. Masking the text does not reach it, so a name or a phone
number in a file name is published however well ``people:`` and ``pii:`` are declared.
:func:`title_for_slug` keeps them out of the names ``publisher new`` makes; :func:`identifying_parts`
finds them in the names a writer made by hand (``publisher check`` and the build refuse the story).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from publisher.content import slugs
from publisher.content.story import Person
from publisher.safety import names, pii


def title_for_slug(title: str) -> str:
    """``title`` with every personal detail (phone, ID, card, plate, e-mail) and every name of a
    person replaced by a space: what a file name may be spelled from."""
    spans = [(f.start, f.end) for f in pii.find(title)]
    spans += [(f.start, f.end) for f in names.find_undeclared(title, [])]
    kept = list(title)
    for start, end in spans:
        kept[start:end] = [" "] * (end - start)
    return "".join(kept)


@dataclass(frozen=True)
class Identifying:
    """Something in a story id that identifies a person."""

    text: str
    """What the id holds (``13812345678``, ``zhangwei``)."""
    person: int | None = None
    """The index under ``people:`` of the person whose name it spells (None: a number)."""


def identifying_parts(story_id: str, people: Iterable[Person]) -> list[Identifying]:
    """Phone, ID and card numbers in ``story_id``, and the pinyin of every person under ``people:``
    whose name is not published (officers and ``publish: true`` are published by name)."""
    words = [w for w in re.split(r"[^a-z0-9]+", story_id.lower()) if w]
    found = [Identifying(f.text) for f in pii.find(" ".join(words))]
    for index, person in enumerate(people):
        if person.role == "officer" or person.publish:
            continue
        spelled = slugs.from_title(person.name).replace("-", "")
        if len(spelled) >= 2 and _spells(words, spelled):
            found.append(Identifying(spelled, index))
    return found


def _spells(words: list[str], wanted: str) -> bool:
    """Whether consecutive whole words of the id make ``wanted`` (``zhang-wei`` and ``zhangwei``
    both spell 张伟; ``zhangweiguo`` does not)."""
    for start in range(len(words)):
        joined = ""
        for word in words[start:]:
            joined += word
            if joined == wanted:
                return True
            if not wanted.startswith(joined):
                break
    return False
