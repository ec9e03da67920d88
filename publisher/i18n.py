"""Messages in the reader's language: gettext, with catalogs shipped compiled in ``publisher/locale``.

English is the source language; Simplified Chinese (``zh_Hans``) is the one translation. Wrap every
message shown to a person::

    from publisher.i18n import _, N_, ngettext

    raise ContentError.at(path, _("unknown kind {kind!r}").format(kind=kind), line, col)
    print(ngettext("{n} story", "{n} stories", n).format(n=n))
    HINTS = {"date": N_("write dates like 2026-12-01")}  # module level: marked here…
    print(_(HINTS["date"]))                              # …translated where it is shown

Rules: the message is a literal (never an f-string: extraction cannot see inside one); values go in
with named ``{placeholders}`` and ``.format()``, which the translation keeps; the
``path:line:col: error:`` prefix is not part of any message (``Diagnostic`` prints it, in English).

The language is process-wide. The command chooses it before anything else (``choose_language``, then
``set_language``); ``set_language`` also writes ``PUBLISHER_LANG`` to the environment, so render worker
processes (and any child process) speak the same language: they read it at their first message.

``Diagnostic.message`` is translated when the diagnostic is created (``_()`` at creation): the language
is chosen before any work starts, so creation time is display time. A message stored on disk (ledger,
manifest) stays in the language it was written in.

Catalogs are split by area, one gettext domain each (``DOMAINS``): ``publisher`` for the modules at the
top of the package (cli, errors, config, build, check, preview, serve…), and ``content``, ``safety``,
``publish``, ``render`` for those sub-packages. ``_()`` looks a message up in all of them, so a module
never names its domain; the split only keeps people who translate different areas out of each other's
files. argparse's own words (usage:, options, error:…) come from a separate ``argparse`` catalog.
"""

from __future__ import annotations

import argparse
import gettext
import os
from collections.abc import Mapping
from pathlib import Path

SOURCE = "en"
CHINESE = "zh_Hans"
LANGUAGES = (CHINESE, SOURCE)
DOMAINS = ("publisher", "content", "safety", "publish", "render")
"""Catalog per area; a sub-package named here has its own, every other module is in ``publisher``."""
ARGPARSE_DOMAIN = "argparse"
LOCALE_DIR = Path(__file__).parent / "locale"
ENV = "PUBLISHER_LANG"
"""Pins the language (above LANGUAGE/LANG and the site); set by ``set_language`` for child processes."""

_language: str | None = None
_translations: gettext.NullTranslations = gettext.NullTranslations()
_argparse: gettext.NullTranslations = gettext.NullTranslations()
_loaded: dict[str, tuple[gettext.NullTranslations, gettext.NullTranslations]] = {}


def normalize(code: str | None) -> str | None:
    """``zh-Hans``, ``zh_CN.UTF-8``, ``zh``, ``zh-TW`` → ``zh_Hans``; ``en``, ``en_US`` → ``en``;
    None when the code names no language we have (``C``, ``POSIX``, empty, ``fr_FR``).

    Traditional Chinese (``zh-Hant``, ``zh_TW``) gets the Simplified catalog: closer to the reader
    than English."""
    if not code:
        return None
    base = code.strip().split(".")[0].split("@")[0].replace("-", "_").lower()
    language = base.split("_")[0]
    if language == "zh":
        return CHINESE
    if language == "en":
        return SOURCE
    return None


def choose_language(cli_lang: str | None, environ: Mapping[str, str], site_language: str | None) -> str:
    """The language to speak: ``zh_Hans`` or ``en``.

    First that names a language we have: ``--lang``; ``PUBLISHER_LANG``; each entry of ``LANGUAGE``
    (``zh_CN:en``); the locale (the first set of ``LC_ALL``, ``LC_MESSAGES``, ``LANG``; ``C`` and
    ``POSIX`` name no language and fall through); the site's ``language``; else English."""
    candidates = [cli_lang, environ.get(ENV), *environ.get("LANGUAGE", "").split(":")]
    candidates.append(next((environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(name)), None))
    candidates.append(site_language)
    for code in candidates:
        language = normalize(code)
        if language:
            return language
    return SOURCE


def set_language(code: str | None) -> str:
    """Speak ``code`` (any spelling ``normalize`` knows; English otherwise) in this process and its
    children. Returns the language chosen (``zh_Hans`` or ``en``)."""
    language = normalize(code) or SOURCE
    _activate(language)
    os.environ[ENV] = language
    return language


def language() -> str:
    """The language being spoken (``zh_Hans`` or ``en``)."""
    if _language is None:
        _activate(choose_language(None, os.environ, None))
    return _language  # type: ignore[return-value]


def _(message: str) -> str:
    """``message`` in the current language (itself when it has no translation)."""
    if not message:
        return message
    if _language is None:
        language()
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the number ``n`` (Chinese has one form; English two)."""
    if _language is None:
        language()
    return _translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for the catalog without translating it yet (module-level constants, made before
    the language is chosen); translate it with ``_()`` where it is shown."""
    return message


def _activate(language: str) -> None:
    global _language, _translations, _argparse
    if language not in _loaded:
        _loaded[language] = (_load(language, DOMAINS), _load(language, (ARGPARSE_DOMAIN,)))
    _translations, _argparse = _loaded[language]
    _language = language
    # argparse translates with module-level `_`/`ngettext` imported from gettext; point them at our
    # catalog so "usage:", "options", "error:", "the following arguments are required" are translated.
    argparse._ = _argparse.gettext  # type: ignore[attr-defined]
    argparse.ngettext = _argparse.ngettext  # type: ignore[attr-defined]


def _load(language: str, domains: tuple[str, ...]) -> gettext.NullTranslations:
    """The catalogs of ``domains`` chained (first hit wins); a domain without a compiled catalog is skipped."""
    chain: gettext.NullTranslations = gettext.NullTranslations()
    if language == SOURCE:
        return chain
    found = None
    for domain in domains:
        path = LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.mo"
        try:
            with path.open("rb") as file:
                catalog = gettext.GNUTranslations(file)
        except OSError:
            continue
        if found is None:
            found = catalog
        else:
            found.add_fallback(catalog)
    return found or chain
