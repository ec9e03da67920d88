"""Who may do what in 三审: the one place the ``review`` command and the review server both ask.

A person acts in one of two ways, and the same rules apply to both:

- signed in to the review server (``publisher serve --review``) with an account made by
  ``publisher user add NAME --stages …``: the stages are the account's;
- at this machine, ``publisher review … --by NAME``, as a ``[[reviewers]]`` entry of config.toml whose
  ``os_user`` is the operating-system account running the command (the process's real account,
  not ``$USER``, which anyone can set): the stages are the entry's.

The rules: approving needs the stage the story waits for (stages go in order), held by the
person, who approved no earlier stage of this version (three stages, three people); rejecting
needs the waited-for stage or a later one; withdrawing (撤稿) needs the last stage.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from publisher.config import SiteConfig
from publisher.errors import PublisherError
from publisher.i18n import _
from publisher.safety import accounts

if TYPE_CHECKING:
    from publisher.safety.review import ReviewState


class ReviewError(PublisherError):
    """A decision that is not allowed, or not possible as asked."""


class Forbidden(ReviewError):
    """The person does not hold what the decision needs."""


@dataclass(frozen=True)
class Person:
    """Someone deciding, as authenticated by a front end."""

    name: str
    stages: tuple[str, ...]
    via: str
    """``web`` (signed in) or ``cli`` (``--by`` at this machine)."""
    os_user: str = ""
    ip: str = ""


def os_account() -> str:
    """The operating-system account this process runs as (from its user id; environment variables
    such as ``USER`` are not asked: anyone can set them)."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return ""


def cli_person(config: SiteConfig, name: str) -> Person:
    """The reviewer ``--by NAME`` names, if this machine's account may act as them."""
    name = name.strip()
    if not name:
        raise ReviewError(_("--by: say who decides (a name from [[reviewers]] in config.toml)"))
    person = next((r for r in config.reviewers if r.name == name), None)
    if person is None:
        listed = _listing(r.name for r in config.reviewers) or _("none yet")
        raise ReviewError(_("{name} is not a reviewer in config.toml (reviewers: {listed}); add a [[reviewers]] "
                            "table with name and stages").format(name=name, listed=listed))
    account = os_account()
    if not person.os_user:
        raise Forbidden(_("{name} reviews in the browser only (publisher serve --review); to decide with this "
                          "command, add os_user = \"{account}\" to their [[reviewers]] table in config.toml").format(
            name=name, account=account))
    if person.os_user != account:
        raise Forbidden(_("only the operating-system account {os_user} may act as {name} here (this is {account})")
                        .format(os_user=person.os_user, name=name, account=account or "?"))
    return Person(name, tuple(person.stages), "cli", os_user=account)


def web_person(account: accounts.Account, ip: str) -> Person:
    return Person(account.name, account.stages, "web", ip=ip)


def holders(config: SiteConfig, ledger: sqlite3.Connection | None) -> dict[str, set[str]]:
    """Everyone who holds review stages now: config.toml's reviewers and the enabled accounts. An
    approval counts only while its reviewer still holds its stage."""
    found: dict[str, set[str]] = {}
    for reviewer in config.reviewers:
        found.setdefault(reviewer.name, set()).update(reviewer.stages)
    if ledger is not None:
        for account in accounts.listing(ledger):
            if not account.disabled:
                found.setdefault(account.name, set()).update(account.stages)
    return found


def check_may_decide(person: Person, stages: list[str], current: ReviewState, decision: str,
                     stage: str | None = None) -> None:
    """Raise :class:`ReviewError` (:class:`Forbidden` when the person lacks the stage) unless
    ``person`` may make ``decision`` on the story in state ``current``."""
    name = person.name
    if decision == "approve":
        if stage not in stages:
            raise ReviewError(_("unknown stage {stage!r} (stages: {stages})").format(
                stage=stage, stages=_listing(stages)))
        if stage not in person.stages:
            raise Forbidden(_("{name} may approve {stages}, not {stage}").format(
                name=name, stages=_listing(person.stages), stage=stage))
        if current.approved:
            raise ReviewError(_("{story} is already approved at every stage").format(story=current.story))
        if stage != current.waiting_for:
            raise ReviewError(_("{story} cannot be approved at {stage} yet: it is waiting for {waiting}").format(
                story=current.story, stage=stage, waiting=current.waiting_for))
        if name in current.approvers:
            done = current.passed[current.approvers.index(name)]
            raise Forbidden(_("{name} already approved {done} of this version; each stage needs a different "
                              "reviewer (三审: three pairs of eyes)").format(name=name, done=done))
    elif decision == "reject":
        at = current.waiting_for or stages[-1]
        later = stages[stages.index(at):]
        if not set(person.stages) & set(later):
            raise Forbidden(_("{name} may decide at {stages}; the story waits for {waiting}").format(
                name=name, stages=_listing(person.stages), waiting=at))
    elif decision == "withdraw":
        if stages[-1] not in person.stages:
            raise Forbidden(_("only a {stage} reviewer may withdraw a story (撤稿)").format(stage=stages[-1]))
    else:
        raise ReviewError(_("unknown decision {decision!r}").format(decision=decision))


def may(person: Person, stages: list[str], current: ReviewState, decision: str, stage: str | None = None) -> bool:
    """Whether :func:`check_may_decide` lets ``person`` make ``decision`` (which buttons a page shows)."""
    try:
        check_may_decide(person, stages, current, decision, stage)
    except ReviewError:
        return False
    return True


def _listing(names) -> str:
    """Names or stages in a message: 初审, 复审 (in Chinese 初审、复审)."""
    return _(", ").join(names)
