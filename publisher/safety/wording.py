"""Wording rules: forbidden expressions and wrong ones with their correct form.

Rules live in the site's ``wording.toml`` (config ``safety.wording``), or the packaged starter
list when the site has none::

    [[rule]]
    find = "协警"
    suggest = "辅警"
    level = "warning"          # or "error": the story is not rendered
    note = "2016年起统一称“警务辅助人员”（辅警）"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from publisher.config import SiteConfig
from publisher.errors import ConfigError, Diagnostic
from publisher.i18n import _
from publisher.sourcepos import line_col, toml_error

PACKAGED = Path(__file__).with_name("wording.toml")


@dataclass(frozen=True)
class Rule:
    find: str
    suggest: str = ""
    level: str = "warning"
    note: str = ""
    unless: tuple[str, ...] = ()
    """Longer expressions containing ``find`` that are correct (e.g. 犯罪嫌疑人 for 犯罪)."""


def rules_for(site: Path, config: SiteConfig) -> tuple[Rule, ...]:
    path = site / config.safety.wording
    if not path.is_file():
        path = PACKAGED
    stat = path.stat()
    return _load(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int, size: int) -> tuple[Rule, ...]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        message, line, col = toml_error(exc)
        text = _("invalid TOML: {message}").format(message=message)
        raise ConfigError(Diagnostic(str(path), line, col, text)) from None
    rules = []
    for index, entry in enumerate(data.get("rule", [])):
        unknown = set(entry) - {"find", "suggest", "level", "note", "unless"}
        if unknown or not entry.get("find") or entry.get("level", "warning") not in ("warning", "error"):
            raise ConfigError(Diagnostic(str(path), 1, 1, _(
                "rule {number}: needs 'find', an optional 'suggest', 'level' warning|error, 'note' and 'unless'")
                .format(number=index + 1)))
        rules.append(Rule(entry["find"], entry.get("suggest", ""), entry.get("level", "warning"),
                          entry.get("note", ""), tuple(entry.get("unless", []))))
    return tuple(rules)


def check(text: str, site: Path, config: SiteConfig, shown: str) -> list[Diagnostic]:
    """Every rule hit in a story file's text, at its line and column."""
    found = []
    for rule in rules_for(site, config):
        start = 0
        while (index := text.find(rule.find, start)) >= 0:
            start = index + len(rule.find)
            if any(_covers(text, index, rule.find, longer) for longer in rule.unless):
                continue
            line, col = line_col(text, index)
            if rule.suggest:
                message = _("「{word}」 should be 「{suggestion}」").format(word=rule.find, suggestion=rule.suggest)
            else:
                message = _("「{word}」 must not be used").format(word=rule.find)
            if rule.note:
                message = _("{message} ({note})").format(message=message, note=rule.note)
            found.append(Diagnostic(shown, line, col, message, rule.level))
    return found


def _covers(text: str, index: int, word: str, longer: str) -> bool:
    """True when the hit at ``index`` is part of an occurrence of ``longer``."""
    offset = longer.find(word)
    return offset >= 0 and text[index - offset:index - offset + len(longer)] == longer
