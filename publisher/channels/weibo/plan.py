"""Which image cards a Weibo post carries, in what order, within Weibo's nine.

A post carries, in this order: the title card (with the lead photo, if any); for an officer
profile, the officer card; one card per ``##`` section (its number, heading and key sentence);
one card per block quote; the key figures, up to three to a card (a figure that is one of the
hotlines, such as 96110, is left to the closing card); and the closing card (the channel's
hotlines and the account). When that is more than ``max_cards``, in this order until it
fits:

1. adjacent sections share a card, two to a card, the pair with the least text first (nothing
   is lost: every heading still shows);
2. quote cards are left out, the last first; then figure cards, the last first;
3. the last sections are left out.

The title, closing and officer cards stay unless ``max_cards`` leaves no room even for them
(then they go in that order of importance, the title last). Whatever is left out is named in a
warning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from publisher.content.markup import Section
from publisher.content.story import Story
from publisher.i18n import _
from publisher.render import linebreak

FIGURES_PER_CARD = 3
SECTIONS_PER_CARD = 2


@dataclass
class PlannedCard:
    kind: str
    """The painter's card: ``title``, ``officer``, ``section``, ``quote``, ``figures``, ``closing``."""
    args: tuple
    """What the painter draws, already in the channel's language."""
    key: tuple[str | int, ...] = ()
    """Where in the front matter a problem with this card is reported."""
    needle: str = ""
    """Or: text of the story file where it is reported (a section's heading)."""
    name: str = ""
    """Its text as a warning names it when it is left out."""

    @property
    def texts(self) -> list[str]:
        """Every text the card draws (checked for glyphs the font lacks)."""
        return list(_strings(self.args))


@dataclass
class CardPlan:
    cards: list[PlannedCard]
    left_out: list[str]
    """What did not fit, as the team would name it (for the warning), in the story's order."""
    planned: int
    """How many cards there would have been without the limit."""


def key_sentence(section: Section, quoted: set[str]) -> str:
    """The sentence a section card shows: the first sentence with a bold phrase (``**…**``) in it,
    else the first sentence. A sentence of a block quote (it has its own card) is passed over when
    the section has another."""
    found = linebreak.sentences(section.text)
    own = [s for s in found if not any(s in quote for quote in quoted)] or found
    for phrase in section.strong:
        for sentence in own:
            if phrase in sentence:
                return sentence
    return own[0] if own else ""


def plan(story: Story, max_cards: int, hotlines: list[str], account: str,
         localize: Callable[[str], str]) -> CardPlan:
    """The cards of ``story`` (see the module's docstring for the rule at the limit)."""
    meta, body = story.meta, story.body
    title = PlannedCard("title", (localize(meta.title), localize(meta.summary), story.images[0] if story.images
                                  else None), ("title",))
    officer = None
    if meta.officer:
        position = "　".join(p for p in (meta.officer.unit, meta.officer.title) if p)
        officer = PlannedCard("officer", (localize(meta.officer.name), localize(position),
                                          [localize(h) for h in meta.officer.honors]), ("officer",))
    closing = None
    if hotlines:
        closing = PlannedCard("closing", ([localize(h) for h in hotlines], localize(account)))

    quoted = set(body.quotes)
    sections = [(number, s.heading, key_sentence(s, quoted))
                for number, s in enumerate((s for s in body.sections if s.heading), start=1)]
    groups = [[section] for section in sections]
    attribution = meta.officer.name if meta.officer else ""
    quotes = [PlannedCard("quote", (localize(q), localize(attribution)), needle=q[:12], name=q) for q in body.quotes]
    # A figure that is one of the closing card's numbers (96110) is shown there, not twice.
    from publisher.render.cards import split_hotline  # Pillow: only when a post is planned

    numbers = {split_hotline(line)[1] for line in hotlines} - {""}
    shown = [(index, f) for index, f in enumerate(meta.figures) if f"{f.value}{f.unit}".strip() not in numbers]
    figures = [PlannedCard("figures", ([(localize(f.label), localize(f"{f.value}{f.unit}")) for _i, f in chunk],
                                       localize(meta.title)), ("figures", chunk[0][0]), name=chunk[0][1].label)
               for start in range(0, len(shown), FIGURES_PER_CARD)
               for chunk in [shown[start:start + FIGURES_PER_CARD]]]
    fixed = [c for c in (title, officer, closing) if c is not None]
    planned = len(fixed) + len(groups) + len(quotes) + len(figures)
    left_out: list[str] = []

    def count() -> int:
        return len(fixed) + len(groups) + len(quotes) + len(figures)

    while count() > max_cards and (pair := _lightest_pair(groups)) is not None:
        groups[pair:pair + 2] = [groups[pair] + groups[pair + 1]]
    dropped: list[PlannedCard] = []
    while count() > max_cards and quotes:
        dropped.insert(0, quotes.pop())
    left_out += [_("the quote “{text}”").format(text=_short(card.name)) for card in dropped]
    dropped = []
    while count() > max_cards and figures:
        dropped.insert(0, figures.pop())
    left_out += [_("the figures card “{text}”").format(text=_short(card.name)) for card in dropped]
    headings: list[str] = []
    while count() > max_cards and groups:
        headings = [heading for _number, heading, _key in groups.pop()] + headings
    left_out += [_("the section “{heading}”").format(heading=_short(heading)) for heading in headings]
    for card, name in ((officer, _("the officer card")), (closing, _("the closing card"))):
        if count() > max_cards and card is not None:
            fixed.remove(card)
            left_out.append(name)

    section_cards = [PlannedCard("section", ([(n, localize(h), localize(k)) for n, h, k in group],),
                                 needle=group[0][1])
                     for group in groups]
    cards = [c for c in (title, officer) if c in fixed] + section_cards + quotes + figures
    cards += [closing] if closing in fixed else []
    return CardPlan(cards, left_out, planned)


def _lightest_pair(groups: list[list[tuple[int, str, str]]]) -> int | None:
    """The first of two adjacent single-section cards with the least text between them."""
    candidates = [i for i in range(len(groups) - 1) if len(groups[i]) + len(groups[i + 1]) <= SECTIONS_PER_CARD]
    if not candidates:
        return None
    return min(candidates, key=lambda i: sum(len(h) + len(k) for _n, h, k in groups[i] + groups[i + 1]))


def _short(text: str, most: int = 12) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[:most] + "…"


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
