"""Keep the message catalogs in step with the code (needs Babel: ``pip install -e '.[test]'``).

    python tools/catalogs.py update [DOMAIN ...]   # extract wrapped messages into each domain's .po, compile
    python tools/catalogs.py compile [DOMAIN ...]  # after translating: .po -> .mo
    python tools/catalogs.py missing [DOMAIN ...]  # what still needs a translation (tests/test_i18n.py fails on it)

DOMAIN is one of publisher.i18n.DOMAINS (default: all). ``update`` adds new messages with an empty
translation, marks changed ones fuzzy (check and clear the ``#, fuzzy`` line) and drops removed ones;
it writes stable files (sorted, no line numbers, no wrapping) so parallel work on different domains
never touches the same file. The same thing with pybabel, for one domain (``content``)::

    pybabel extract -F babel.cfg --sort-output --add-location=file --no-wrap -o /tmp/content.pot publisher/content
    pybabel update -D content -i /tmp/content.pot -d publisher/locale -l zh_Hans --no-wrap --ignore-obsolete
    pybabel compile -D content -d publisher/locale -l zh_Hans
"""

from __future__ import annotations

import contextlib
import io
import re
import string
import sys
from pathlib import Path

from babel.messages import frontend
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from publisher.i18n import ARGPARSE_DOMAIN, CHINESE, DOMAINS, LOCALE_DIR  # noqa: E402

PACKAGE = REPO / "publisher"
PROJECT = "publisher"


def domain_of(relative: str) -> str:
    """The domain of a file, by its path inside ``publisher/``: its sub-package if that has a domain."""
    top = relative.replace("\\", "/").split("/")[0]
    return top if top in DOMAINS and top != "publisher" else "publisher"


def extract() -> dict[str, Catalog]:
    """Every wrapped message in ``publisher/``, by domain (a template catalog each), via babel.cfg."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as file:
        parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
        method_map, options_map = parse(file)
    templates = {domain: Catalog(project=PROJECT, charset="utf-8") for domain in DOMAINS}
    for filename, lineno, message, comments, context in extract_from_dir(str(PACKAGE), method_map, options_map):
        templates[domain_of(filename)].add(message, None, [(f"publisher/{filename}", lineno)],
                                           auto_comments=comments, context=context)
    return templates


def po_path(domain: str, language: str = CHINESE) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def read(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=CHINESE, domain=path.stem)


def write(catalog: Catalog, path: Path) -> None:
    out = io.BytesIO()
    write_po(out, catalog, width=0, sort_output=True, ignore_obsolete=True, include_lineno=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_bytes() != out.getvalue():
        path.write_bytes(out.getvalue())


def compiled(po: Path) -> bytes:
    """The .mo for ``po``, as ``pybabel compile`` writes it (fuzzy and empty translations left out)."""
    out = io.BytesIO()
    write_mo(out, read(po), use_fuzzy=False)
    return out.getvalue()


def update(domain: str, template: Catalog) -> None:
    path = po_path(domain)
    if path.is_file():
        catalog = read(path)
        catalog.update(template, update_creation_date=False)
    else:
        catalog = Catalog(locale=CHINESE, domain=domain, project=PROJECT, version="0.1", charset="utf-8",
                          header_comment=f"# Simplified Chinese messages of publisher: the {domain} domain.\n"
                                         f"# Edit msgstr lines; then run: python tools/catalogs.py compile {domain}",
                          last_translator="publisher team", language_team="publisher team", fuzzy=False)
        catalog.update(template)
        catalog.revision_date = catalog.creation_date
    write(catalog, path)


def compile_domain(domain: str) -> None:
    po = po_path(domain)
    if po.is_file():
        mo = po.with_suffix(".mo")
        data = compiled(po)
        if not mo.is_file() or mo.read_bytes() != data:
            mo.write_bytes(data)


_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0+-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def placeholders(text: str) -> set[str]:
    """``{name}`` fields and ``%(name)s``/``%s`` conversions a translation must keep."""
    fields = set(_PERCENT.findall(text)) - {"%%"}
    with contextlib.suppress(ValueError):  # not a format string (a lone brace)
        fields |= {"{" + name + "}" for _text, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    return fields


def problems(domain: str, template: Catalog) -> list[str]:
    """Each wrapped message of ``domain`` without a usable Chinese translation, as ``file: msgid (why)``."""
    path = po_path(domain)
    catalog = read(path) if path.is_file() else Catalog(locale=CHINESE)
    found = []
    for message in template:
        if not message.id:
            continue
        where = message.locations[0][0] if message.locations else "?"
        translated = catalog.get(message.id, message.context)
        strings = translated.string if translated else None
        values = [s for s in (strings if isinstance(strings, tuple) else [strings])]
        if translated is None:
            why = f"not in {path.relative_to(REPO)} (run: python tools/catalogs.py update {domain})"
        elif translated.fuzzy:
            why = "fuzzy: check the translation and remove the '#, fuzzy' line"
        elif not all(values):
            why = "no translation yet"
        else:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            wanted = set().union(*(placeholders(i) for i in ids))
            bad = [v for v in values if placeholders(v) != wanted]
            why = f"placeholders differ: {sorted(wanted)} vs {sorted(placeholders(bad[0]))}" if bad else ""
        if why:
            found.append(f"{where}: {message.id!r} ({why})")
    return found


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("update", "compile", "missing"):
        print(__doc__)
        return 2
    command, domains = argv[0], argv[1:] or list(DOMAINS)
    unknown = [d for d in domains if d not in DOMAINS and d != ARGPARSE_DOMAIN]
    if unknown:
        print(f"unknown domain {unknown[0]!r} (known: {', '.join(DOMAINS)}, {ARGPARSE_DOMAIN})")
        return 2
    templates = extract() if command != "compile" else {}
    status = 0
    for domain in domains:
        if command == "update" and domain != ARGPARSE_DOMAIN:  # argparse's catalog is kept by hand
            update(domain, templates[domain])
        if command in ("update", "compile"):
            compile_domain(domain)
        if command == "missing" and domain != ARGPARSE_DOMAIN:
            for problem in problems(domain, templates[domain]):
                print(problem)
                status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
