"""Pydantic's validation errors in the reader's language.

Pydantic writes its messages in English (``Input should be a valid integer``); for config.toml and
front matter each common error ``type`` gets our own message here, with the key, the limit or the
allowed values, and what to write instead. Anything else falls back to pydantic's text.
"""

from __future__ import annotations

import re
from typing import Any

from publisher.i18n import CHINESE, N_, _, language

DATE_FORMS = N_("2021-04-08, 2021/4/8 or 2021年4月8日")
"""The ways a date may be written (front matter reads all three); translate with ``_()`` where shown."""

_TYPE_TAGS = re.compile(r"^(str|int|float|bool|date|datetime|list\[.*\]|dict\[.*\]|function-\w+\[.*\]|none)$")


def shown(value: Any, limit: int = 60) -> str:
    """A value as the user wrote it, quoted, shortened when long."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def clean(loc: tuple) -> tuple:
    """The key path without pydantic's union-member tags (``voice.str`` → ``voice``)."""
    return tuple(part for index, part in enumerate(loc)
                 if not (index and isinstance(part, str) and _TYPE_TAGS.match(part)))


def first_per_place(errors: list[dict]) -> list[dict]:
    """One error per key: a value that fits no member of a union fails once per member (a date that is
    neither a date nor a time); the first says enough."""
    seen: set[tuple] = set()
    found = []
    for err in errors:
        place = clean(tuple(err["loc"]))
        if place not in seen:
            seen.add(place)
            found.append({**err, "loc": place})
    return found


def allowed(expected: str, aliases: dict[str, str] | None = None) -> str:
    """``'draft' or 'ready'`` (pydantic's ``expected``) as ``draft | ready``; with the Chinese names
    (``aliases``: English value → Chinese) in Chinese: ``draft（草稿） | ready（待发）``."""
    values = re.findall(r"'((?:[^'\\]|\\.)*)'", expected) or re.split(r",\s*|\s+or\s+", expected)
    chinese = language() == CHINESE
    return " | ".join(f"{v}（{aliases[v]}）" if chinese and aliases and v in aliases else v for v in values)


def describe(err: dict, key: str, aliases: dict[str, str] | None = None) -> str:
    """Our message for one pydantic error at ``key`` (value errors raised by our own validators keep
    their own message, without pydantic's ``Value error,``)."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = shown(err.get("input"))
    if kind == "missing":
        return _("missing required key {key!r}").format(key=key)
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("{key}: should be a whole number (an integer), got {value}").format(key=key, value=value)
    if kind in ("float_type", "float_parsing"):
        return _("{key}: should be a number, got {value}").format(key=key, value=value)
    if kind == "finite_number":
        return _("{key}: should be a finite number (not inf or nan)").format(key=key)
    if kind in ("bool_type", "bool_parsing"):
        return _("{key}: should be true or false, got {value}").format(key=key, value=value)
    if kind == "string_type":
        return _("{key}: should be text, got {value}").format(key=key, value=value)
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return _("{key}: must not be empty").format(key=key)
        return _("{key}: should have at least {min} characters").format(key=key, min=ctx.get("min_length"))
    if kind == "string_too_long":
        return _("{key}: should have at most {max} characters").format(key=key, max=ctx.get("max_length"))
    if kind == "string_pattern_mismatch":
        return _("{key}: {value} has characters that are not allowed; use letters, digits, '-' and '_', "
                 "starting with a letter or digit").format(key=key, value=value)
    if kind.startswith("datetime_"):
        return _("{key}: {value} is not a date or time; write it like {forms} or 2021-04-08 08:00").format(
            key=key, value=value, forms=_(DATE_FORMS))
    if kind.startswith("date_"):
        return _("{key}: {value} is not a date; write it like {forms}").format(key=key, value=value,
                                                                               forms=_(DATE_FORMS))
    if kind == "greater_than":
        return _("{key}: should be greater than {limit}, got {value}").format(key=key, limit=ctx.get("gt"),
                                                                              value=value)
    if kind == "greater_than_equal":
        return _("{key}: should be at least {limit}, got {value}").format(key=key, limit=ctx.get("ge"),
                                                                          value=value)
    if kind == "less_than":
        return _("{key}: should be less than {limit}, got {value}").format(key=key, limit=ctx.get("lt"),
                                                                           value=value)
    if kind == "less_than_equal":
        return _("{key}: should be at most {limit}, got {value}").format(key=key, limit=ctx.get("le"),
                                                                         value=value)
    if kind == "literal_error":
        return _("{key}: Input should be one of {allowed}, got {value}").format(
            key=key, allowed=allowed(str(ctx.get("expected", "")), aliases), value=value)
    if kind == "too_short":
        return _("{key}: needs at least {min} item(s)").format(key=key, min=ctx.get("min_length"))
    if kind == "too_long":
        return _("{key}: at most {max} item(s), got {actual}").format(key=key, max=ctx.get("max_length"),
                                                                      actual=ctx.get("actual_length"))
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("{key}: should be a list, like [a, b] (or one '- ' line per item), got {value}").format(
            key=key, value=value)
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("{key}: should be a group of 'key: value' lines indented under it, got {value}").format(
            key=key, value=value)
    if kind in ("value_error", "assertion_error"):
        message = str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
        return _("{key}: {message}").format(key=key, message=message)
    return _("{key}: {message}").format(key=key, message=err["msg"])
