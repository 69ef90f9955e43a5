"""Which language pumpcare speaks, its gettext catalog, and dates and numbers in that language.

A leaf module: nothing of pumpcare's is imported here, so every layer may ask it for words.

English is written in the code and needs no catalog. Another language's catalog is
`locale/<lang>/LC_MESSAGES/pumpcare.mo`, compiled from the `.po` beside it by `scripts/update_catalogs.py`; it
also holds the rule file's titles and texts, keyed by rule id (`msgctxt "rule:no-driving:title"`). Dates and
numbers in another language come from Babel's CLDR data, never from the machine's locale, which may not be
installed (`locale.setlocale` fails on many hospital PCs and containers).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    from babel.core import Locale

ENGLISH = "en"
LANGUAGES = ("en", "es")  # shipped: English in the code, the others as catalogs
NAMES = {"en": "English", "es": "Spanish"}
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "pumpcare"
# Read in this order, as GNU gettext reads them; PUMPCARE_LANG and --lang come before all of them.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
# Who reviewed a catalog is a message of the catalog itself, so it travels with the translation and no tool
# drops it (Babel keeps only the .po headers it knows). Untranslated, as shipped: nobody has reviewed it.
REVIEW_CONTEXT = "review"
REVIEW_MESSAGE = "clinical review"

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class UnknownLanguage(ValueError):
    """A language was asked for by name and pumpcare has no catalog for it."""


class Catalog(Protocol):
    """What pumpcare asks of a catalog: gettext's GNUTranslations, or English's own words."""

    def gettext(self, message: str) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int) -> str: ...
    def pgettext(self, context: str, message: str) -> str: ...


class _SourceWords:
    """English, the language the messages are written in: each message is its own translation."""

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural

    def pgettext(self, context: str, message: str) -> str:
        return message


class Language(NamedTuple):
    """The language in use: its code, its catalog, and who reviewed the catalog (None: nobody yet)."""

    code: str
    catalog: Catalog
    reviewed_by: str | None

    @property
    def reviewed(self) -> bool:
        """English is the source; a translation counts as reviewed only once a reviewer is named in it."""
        return self.code == ENGLISH or bool(self.reviewed_by)


# English needs no catalog, so an English command never imports gettext (or Babel).
_ENGLISH = Language(ENGLISH, _SourceWords(), None)
_loaded: dict[str, Language] = {ENGLISH: _ENGLISH}
_current: Language = _ENGLISH


def choose(option: str | None, environ: Mapping[str, str]) -> str:
    """The language code to use: --lang, then PUMPCARE_LANG, then the locale variables; English otherwise.

    A language named in --lang or PUMPCARE_LANG that pumpcare lacks is an error: someone asked for it. One the
    locale names is only a hint, so a French desktop simply gets English.
    """
    for asked, where in ((option, "--lang"), (environ.get("PUMPCARE_LANG"), "PUMPCARE_LANG")):
        if asked:
            code = _code(asked)
            if code not in LANGUAGES:
                shipped = " and ".join(f"{c} ({NAMES[c]})" for c in LANGUAGES)
                raise UnknownLanguage(f"{where} '{asked[:20]}' is not a language pumpcare speaks; use {shipped}")
            return code
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable)
        if not value:
            continue
        # LANGUAGE may list several, in order of preference ("es_MX:es:en").
        for part in value.split(":"):
            code = _code(part)
            if code in LANGUAGES:
                return code
        if variable != "LANGUAGE":
            return ENGLISH  # as gettext does: the first variable that is set decides
    return ENGLISH


def _code(name: str) -> str:
    # "es_MX.UTF-8@euro" → "es"; "C" and "POSIX" mean no language at all.
    base = name.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return ENGLISH if base in ("", "c", "posix") else base


def load(code: str) -> Language:
    """The language with its catalog, read once per process."""
    if code not in _loaded:
        if code not in LANGUAGES:
            raise UnknownLanguage(f"'{code}' is not a language pumpcare speaks")
        from gettext import GNUTranslations

        path = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
        with path.open("rb") as stream:
            catalog = GNUTranslations(stream)
        reviewer = catalog.pgettext(REVIEW_CONTEXT, REVIEW_MESSAGE).strip()
        reviewed_by = reviewer if reviewer and reviewer != REVIEW_MESSAGE else None
        _loaded[code] = Language(code, catalog, reviewed_by)
    return _loaded[code]


def activate(code: str) -> Language:
    """Speak this language from now on, in this process."""
    global _current
    _current = load(code)
    return _current


def current() -> Language:
    """The language in use."""
    return _current


@contextmanager
def speaking(code: str) -> Iterator[Language]:
    """Speak a language for a block, then go back to the one before (the Python API's writers use it)."""
    before = _current
    try:
        yield activate(code)
    finally:
        activate(before.code)


def gettext(message: str) -> str:
    """A sentence in the language in use; English where the catalog lacks it."""
    return _current.catalog.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form for a count, by the language's own plural rule (from the catalog's Plural-Forms)."""
    return _current.catalog.ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """A message told apart by a context, such as the rule it belongs to."""
    return _current.catalog.pgettext(context, message)


def translated(context: str, message: str) -> bool:
    """Whether the catalog in use has this message (English always has)."""
    if _current.code == ENGLISH:
        return True
    marker = object()
    catalog = _current.catalog
    # GNUTranslations keeps "context\x04message" keys; a miss returns the message itself, so look the key up.
    return catalog._catalog.get(f"{context}\x04{message}", marker) is not marker  # type: ignore[attr-defined]


def format_date(day: date, *, weekday: bool = True, compact: bool = False) -> str:
    """'Tue 1 Dec 2026' in English (hand-spelled: no locale to misread); '1 de diciembre de 2026' elsewhere.

    Compact dates are for columns and ranges, where a language's long form would not fit ('1 dic 2026').
    """
    if _current.code == ENGLISH:
        text = f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
        return f"{_WEEKDAYS[day.weekday()]} {text}" if weekday else text
    return _babel_date(day, _pattern("weekday" if weekday else "date", compact))


def format_day_month(day: date, *, compact: bool = False) -> str:
    """A date without its year, for ranges within one year: '12 Jan', '12 de enero'."""
    if _current.code == ENGLISH:
        return f"{day.day} {_MONTHS[day.month - 1]}"
    return _babel_date(day, _pattern("day-month", compact))


def format_weekday_day_month(day: date) -> str:
    """A date with its weekday but no year: 'Tue 12 Jan', 'mar 12 de enero'."""
    if _current.code == ENGLISH:
        return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
    return _babel_date(day, _pattern("weekday-day-month", False))


def format_number(amount: Fraction) -> str:
    """A number as people write it: 20, 0.25, 0.333 (three decimals at most); '0,25' in Spanish."""
    if amount.denominator == 1:
        return str(amount.numerator)
    text = f"{float(round(amount, 3)):.3f}".rstrip("0").rstrip(".")
    if _current.code == ENGLISH:
        return text
    from babel.numbers import get_decimal_symbol

    return text.replace(".", get_decimal_symbol(_current.code))


# CLDR patterns per language, in the catalog's language: the translator picks the order and the words.
# English never reaches Babel (above); these are the patterns a translation is asked to give.
def _pattern(kind: str, compact: bool) -> str:
    if compact:
        return {
            "weekday": pgettext("compact date", "EEE d MMM y"),
            "date": pgettext("compact date", "d MMM y"),
            "day-month": pgettext("compact date", "d MMM"),
        }[kind]
    return {
        "weekday": gettext("EEE d MMM y"),
        "date": gettext("d MMM y"),
        "day-month": gettext("d MMM"),
        "weekday-day-month": gettext("EEE d MMM"),
    }[kind]


def _babel_date(day: date, pattern: str) -> str:
    # Imported here: Babel and its CLDR data cost about 20 ms, which an English command never pays.
    from babel.dates import format_date as babel_format_date

    return str(babel_format_date(day, pattern, locale=_locale(_current.code)))


_locales: dict[str, Locale] = {}


def _locale(code: str) -> Locale:
    # Parsed once: Babel would parse the name again for every date.
    if code not in _locales:
        from babel.core import Locale

        _locales[code] = Locale.parse(code)
    return _locales[code]
