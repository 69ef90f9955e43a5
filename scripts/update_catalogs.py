"""Bring the translation catalogs up to date with the code and the rule file, then compile them.

    python scripts/update_catalogs.py           # update every locale/<lang>/LC_MESSAGES/pumpcare.po, compile .mo
    python scripts/update_catalogs.py --check   # exit 1 if a catalog or its .mo is out of date (the tests run it)

The messages are every gettext call in src/pumpcare (`_`, `gettext`, `ngettext`, `pgettext`) and every patient
text of data/aftercare.yaml, each under a context naming its rule (`rule:no-driving:title`). A message whose
English changed loses its translation rather than being guessed at: fuzzy matching is off, because a near
translation of a medical sentence is a wrong one. The compiled `.mo` files are committed, so an install needs
neither Babel's tools nor a build step; `--check` keeps them equal to their `.po`.

Beside each catalog, `cldr.json` holds the CLDR names a date needs (months, weekdays, the decimal sign), taken
from Babel, so that a command need not import Babel. `--check` also formats every date pattern of the catalog
for a span of days, with pumpcare and with Babel, and reports any difference.
"""

from __future__ import annotations

import argparse
import gettext
import io
import json
import re
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from pumpcare.i18n import (  # noqa: E402
    DOMAIN,
    LANGUAGES,
    LOCALE_DIR,
    NAMES_FILE,
    REVIEW_CONTEXT,
    REVIEW_MESSAGE,
    format_pattern,
    read_names,
)
from pumpcare.rule_file import load_rules  # noqa: E402
from pumpcare.rule_words import texts  # noqa: E402

RULE_FILE = ROOT / "data" / "aftercare.yaml"
REVIEW_NOTE = (
    "Leave this empty until a qualified medical translator has reviewed the whole catalog. Then write their "
    "name, qualification and the date. While it is empty, every output in this language says that the "
    "translation has not been reviewed by a clinician."
)


def template() -> Catalog:
    """Every message pumpcare may show, in English."""
    catalog = Catalog(project="pumpcare", msgid_bugs_address="", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT / "src" / "pumpcare", comment_tags=("Translators:",), strip_comment_tags=True
    ):
        catalog.add(message, locations=[(f"src/pumpcare/{filename}", lineno)], auto_comments=comments, context=context)
    for context, english in texts(load_rules(RULE_FILE)):
        catalog.add(english, locations=[("data/aftercare.yaml", 0)], context=context)
    catalog.add(REVIEW_MESSAGE, context=REVIEW_CONTEXT, auto_comments=[REVIEW_NOTE])
    return catalog


def updated(language: str, source: Catalog) -> tuple[bytes, bytes]:
    """The language's .po brought up to date with the template, and its compiled .mo."""
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as stream:
        catalog = read_po(stream, locale=language)
    catalog.update(source, no_fuzzy_matching=True, update_header_comment=False, update_creation_date=False)
    catalog.obsolete.clear()  # a message no longer used is dropped, not kept where a translator may fix it
    po = io.BytesIO()
    write_po(po, catalog, width=120, omit_header=False, sort_output=False, include_lineno=False)
    mo = io.BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    return po.getvalue(), mo.getvalue()


def names(language: str) -> bytes:
    """The CLDR words pumpcare's dates and numbers need in a language, from Babel, as JSON."""
    from babel.dates import get_day_names, get_month_names
    from babel.numbers import get_decimal_symbol

    data = {
        "months_abbreviated": [get_month_names("abbreviated", "format", language)[m] for m in range(1, 13)],
        "months_wide": [get_month_names("wide", "format", language)[m] for m in range(1, 13)],
        "days_abbreviated": [get_day_names("abbreviated", "format", language)[d] for d in range(7)],
        "days_wide": [get_day_names("wide", "format", language)[d] for d in range(7)],
        "decimal": get_decimal_symbol(language),
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def date_problems(language: str, po: Catalog) -> list[str]:
    """Each date pattern of the catalog, formatted by pumpcare and by Babel for two years of days: any difference."""
    from babel.dates import format_date

    found = []
    cldr = read_names(LOCALE_DIR / language / NAMES_FILE)
    first = date(2026, 1, 1)
    for message in po:
        in_i18n = message.locations and all(path.endswith("i18n.py") for path, _ in message.locations)
        # i18n.py's messages that are patterns: only the letters of date fields and spaces ("EEE d MMM y").
        if in_i18n and re.fullmatch(r"[EdMy ]+", str(message.id)) and message.string:
            for offset in range(0, 731, 3):
                day = first + timedelta(days=offset)
                try:
                    ours = format_pattern(day, message.string, cldr)
                except ValueError as err:
                    found.append(f"date pattern '{message.string}': {err}")
                    break
                if ours != format_date(day, message.string, locale=language):
                    found.append(f"date pattern '{message.string}' gives '{ours}' on {day}, Babel another")
                    break
    return found


def problems(language: str, source: Catalog) -> list[str]:
    """What is out of date in a language's committed catalog, compared by meaning, not bytes (Babel's version
    is written into the files)."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    with (folder / f"{DOMAIN}.po").open("rb") as stream:
        po = read_po(stream, locale=language)
    wanted = {(message.context, _key(message.id)) for message in source if message.id}
    have = {(message.context, _key(message.id)) for message in po if message.id}
    found = []
    if wanted - have:
        found.append(f"{len(wanted - have)} messages missing from the .po")
    if have - wanted:
        found.append(f"{len(have - wanted)} messages in the .po that pumpcare no longer uses")
    fresh = io.BytesIO()
    write_mo(fresh, po, use_fuzzy=False)
    if _messages((folder / f"{DOMAIN}.mo").read_bytes()) != _messages(fresh.getvalue()):
        found.append("the .mo is not compiled from the .po")
    if (folder.parent / NAMES_FILE).read_bytes() != names(language):
        found.append(f"{NAMES_FILE} is not what Babel gives")
    return found + date_problems(language, po)


def _messages(mo: bytes) -> dict[object, str]:
    """A compiled catalog's messages, without the header (it names the Babel version that wrote it)."""
    catalog = dict(gettext.GNUTranslations(io.BytesIO(mo))._catalog)  # type: ignore[attr-defined]
    catalog.pop("", None)
    return catalog


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check that every catalog is up to date")
    options = parser.parse_args(argv)
    source = template()
    if options.check:
        found = [f"{language}: {problem}" for language in LANGUAGES[1:] for problem in problems(language, source)]
        for problem in found:
            print(f"{problem}; run python scripts/update_catalogs.py", file=sys.stderr)
        return 1 if found else 0
    for language in LANGUAGES[1:]:
        folder = LOCALE_DIR / language / "LC_MESSAGES"
        po, mo = updated(language, source)
        written = (
            (folder / f"{DOMAIN}.po", po),
            (folder / f"{DOMAIN}.mo", mo),
            (folder.parent / NAMES_FILE, names(language)),
        )
        for path, data in written:
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
                print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
