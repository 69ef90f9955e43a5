"""Which language pumpcare speaks, its gettext catalog, and dates and numbers in that language.

A leaf module: nothing of pumpcare's is imported here, so every layer may ask it for words.

English is written in the code and needs no catalog. Another language's catalog is
`locale/<lang>/LC_MESSAGES/pumpcare.mo`, compiled from the `.po` beside it by `scripts/update_catalogs.py`; it
also holds the rule file's titles and texts, keyed by rule id (`msgctxt "rule:no-driving:title"`). Dates and
numbers in another language come from Babel's CLDR data, never from the machine's locale, which may not be
installed (`locale.setlocale` fails on many hospital PCs and containers). The script takes from Babel the few
CLDR names a date needs (months, weekdays, the decimal sign) into `locale/<lang>/cldr.json`, so a command
reads them in a blink instead of importing Babel and merging its whole locale (20 ms); the tests compare every
date pattern of a catalog with Babel's own formatting.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from fractions import Fraction
from functools import wraps
from pathlib import Path
from typing import Concatenate, NamedTuple, ParamSpec, Protocol, TypeVar

ENGLISH = "en"
LANGUAGES = ("en", "es")  # shipped: English in the code, the others as catalogs
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "pumpcare"
# Read in this order, as GNU gettext reads them; PUMPCARE_LANG and --lang come before all of them.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
# Who reviewed a catalog is a message of the catalog itself, so it travels with the translation and no tool
# drops it (Babel keeps only the .po headers it knows). Untranslated, as shipped: nobody has reviewed it.
REVIEW_CONTEXT = "review"
REVIEW_MESSAGE = "clinical review"


def N_(message: str) -> str:  # the name every gettext extractor knows
    """Marks a message for the catalog where it is written, to be translated where it is shown.

    For messages kept in a table at import time, before any language is chosen: `gettext(TABLE[key])` later.
    """
    return message


# Each shipped language's name, in English here; language_name() gives it in the language in use.
NAMES = {"en": N_("English"), "es": N_("Spanish")}

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class UnknownLanguage(ValueError):
    """A language was asked for by name and pumpcare has no catalog for it."""


class CatalogUnreadable(Exception):
    """A shipped language whose catalog or CLDR names are missing, unreadable or damaged; the message says so."""


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


class Names(NamedTuple):
    """The CLDR words a date or a number needs in a language, as Babel gives them."""

    months_abbreviated: tuple[str, ...]  # January first
    months_wide: tuple[str, ...]
    days_abbreviated: tuple[str, ...]  # Monday first, as date.weekday() counts
    days_wide: tuple[str, ...]
    decimal: str


class Language(NamedTuple):
    """The language in use: its code, its catalog, who reviewed the catalog (None: nobody yet), its CLDR names."""

    code: str
    catalog: Catalog
    reviewed_by: str | None
    names: Names | None = None

    @property
    def reviewed(self) -> bool:
        """English is the source; a translation counts as reviewed only once a reviewer is named in it."""
        return self.code == ENGLISH or bool(self.reviewed_by)


# English needs no catalog, so an English command never imports gettext (or Babel).
_ENGLISH = Language(ENGLISH, _SourceWords(), None)
_loaded: dict[str, Language] = {ENGLISH: _ENGLISH}
# The language of the running command, or of a `speaking()` block: a context variable, so that threads (a web
# service using the API) never hear each other's language; a new thread starts in English.
_language: ContextVar[Language] = ContextVar("pumpcare_language", default=_ENGLISH)


def choose(option: str | None, environ: Mapping[str, str]) -> str:
    """The language code to use: --lang, then PUMPCARE_LANG, then the locale variables; English otherwise.

    A language named in --lang or PUMPCARE_LANG that pumpcare lacks is an error: someone asked for it. One the
    locale names is only a hint, so a French desktop simply gets English.
    """
    for asked, where in ((option, "--lang"), (environ.get("PUMPCARE_LANG"), "PUMPCARE_LANG")):
        if asked:
            # Only a language's name ("es", "es_MX.UTF-8"): "../fr" or "../../etc" is no language, never English.
            code = _code(asked) if _LANGUAGE_NAME.fullmatch(asked.strip()) else ""
            if code not in LANGUAGES:
                message = gettext("{where} {name} is not a language pumpcare speaks; use {languages}")
                raise UnknownLanguage(message.format(where=where, name=_quoted(asked), languages=shipped_names()))
            return code
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable)
        if not value:
            continue
        # LANGUAGE may list several, in order of preference ("es_MX:es:en").
        for part in filter(None, value.split(":")):  # an empty entry names nothing, as gettext skips it
            code = _code(part)
            if code in LANGUAGES:
                return code
        if variable != "LANGUAGE":
            return ENGLISH  # as gettext does: the first variable that is set decides
    return ENGLISH


_LANGUAGE_NAME = re.compile(r"[A-Za-z]{2,8}(?:[_-][A-Za-z0-9]{1,8})*(?:\.[A-Za-z0-9_-]{1,20})?(?:@[A-Za-z0-9]{1,20})?")


def language_name(code: str) -> str:
    """A shipped language's name in the language in use: 'Spanish', 'español'."""
    return gettext(NAMES[code]) if code in NAMES else code


def shipped_names() -> str:
    """'en (English) and es (Spanish)': the languages pumpcare ships, for a message that lists them."""
    named = [f"{code} ({language_name(code)})" for code in LANGUAGES]
    return gettext("{first} and {second}").format(first=", ".join(named[:-1]), second=named[-1])


def _quoted(name: str) -> str:
    # A short excerpt, with control characters shown escaped: the name may be anything a terminal was given.
    shown = name if len(name) <= 20 else name[:19] + "…"
    return repr(shown) if not shown.isprintable() else f"'{shown}'"


def _code(name: str) -> str:
    # "es_MX.UTF-8@euro" → "es"; "C" and "POSIX" mean no language at all.
    base = name.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return ENGLISH if base in ("", "c", "posix") else base


def load(code: str) -> Language:
    """The language with its catalog, read once per process."""
    if code not in _loaded:
        if code not in LANGUAGES:
            message = gettext("'{code}' is not a language pumpcare speaks; use {languages}")
            raise UnknownLanguage(message.format(code=code, languages=shipped_names()))
        from gettext import GNUTranslations

        path = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
        try:
            with path.open("rb") as stream:
                catalog = GNUTranslations(stream)
            reviewer = catalog.pgettext(REVIEW_CONTEXT, REVIEW_MESSAGE).strip()
            path = LOCALE_DIR / code / NAMES_FILE
            names = read_names(path)
        except Exception as err:  # a damaged file raises whatever its parser meets first: all mean the same
            # Said in the language in use, which is not the one that failed to load.
            reason = err.strerror.lower() if isinstance(err, OSError) and err.strerror else gettext("it is damaged")
            message = gettext(
                "the {language} translation cannot be read ({path}: {reason}); pumpcare speaks English instead; "
                "reinstall pumpcare to bring it back"
            )
            raise CatalogUnreadable(message.format(language=language_name(code), path=path, reason=reason)) from None
        reviewed_by = reviewer if reviewer and reviewer != REVIEW_MESSAGE else None
        _loaded[code] = Language(code, catalog, reviewed_by, names)
    return _loaded[code]


def activate(code: str) -> Language:
    """Speak this language from now on, in this thread (a command runs in one)."""
    language = load(code)
    _language.set(language)
    return language


def current() -> Language:
    """The language in use."""
    return _language.get()


@contextmanager
def speaking(code: str) -> Iterator[Language]:
    """Speak a language for a block, then go back to the one before (the Python API's writers use it)."""
    token = _language.set(load(code))
    try:
        yield _language.get()
    finally:
        _language.reset(token)


class Spoken(Protocol):
    """Something written in one language: a plan, a sheet, a rule set."""

    @property
    def lang(self) -> str: ...


_S = TypeVar("_S", bound=Spoken)
_P = ParamSpec("_P")
_R = TypeVar("_R")


def in_its_language(write: Callable[Concatenate[_S, _P], _R]) -> Callable[Concatenate[_S, _P], _R]:
    """A writer that speaks the language of what it writes, whatever the caller speaks.

    So a Spanish plan gives a Spanish calendar even from code that never chose a language: the API cannot mix two.
    """

    @wraps(write)
    def in_language_of(spoken: _S, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with speaking(spoken.lang):
            return write(spoken, *args, **kwargs)

    return in_language_of


def gettext(message: str) -> str:
    """A sentence in the language in use; English where the catalog lacks it."""
    return _language.get().catalog.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form for a count, by the language's own plural rule (from the catalog's Plural-Forms)."""
    return _language.get().catalog.ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """A message told apart by a context, such as the rule it belongs to."""
    return _language.get().catalog.pgettext(context, message)


def translated(context: str, message: str) -> bool:
    """Whether the catalog in use has this message (English always has)."""
    if _language.get().code == ENGLISH:
        return True
    marker = object()
    catalog = _language.get().catalog
    # GNUTranslations keeps "context\x04message" keys; a miss returns the message itself, so look the key up.
    return catalog._catalog.get(f"{context}\x04{message}", marker) is not marker  # type: ignore[attr-defined]


def format_date(day: date, *, weekday: bool = True, compact: bool = False) -> str:
    """'Tue 1 Dec 2026' in English (hand-spelled: no locale to misread); '1 de diciembre de 2026' elsewhere.

    Compact dates are for columns and ranges, where a language's long form would not fit ('1 dic 2026').
    """
    if _language.get().code == ENGLISH:
        text = f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
        return f"{_WEEKDAYS[day.weekday()]} {text}" if weekday else text
    return format_pattern(day, _pattern("weekday" if weekday else "date", compact), _names())


def format_day_month(day: date, *, compact: bool = False) -> str:
    """A date without its year, for ranges within one year: '12 Jan', '12 de enero'."""
    if _language.get().code == ENGLISH:
        return f"{day.day} {_MONTHS[day.month - 1]}"
    return format_pattern(day, _pattern("day-month", compact), _names())


def format_weekday_day_month(day: date) -> str:
    """A date with its weekday but no year: 'Tue 12 Jan', 'mar 12 de enero'."""
    if _language.get().code == ENGLISH:
        return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
    return format_pattern(day, _pattern("weekday-day-month", False), _names())


def format_number(amount: Fraction) -> str:
    """A number as people write it: 20, 0.25, 0.333 (three decimals at most); '0,25' in Spanish."""
    if amount.denominator == 1:
        return str(amount.numerator)
    text = f"{float(round(amount, 3)):.3f}".rstrip("0").rstrip(".")
    if _language.get().code == ENGLISH:
        return text
    return text.replace(".", _names().decimal)


# CLDR patterns per language, in the catalog's language: the translator picks the order and the words.
# English is spelled by hand (above); these are the patterns a translation is asked to give.
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


def _names() -> Names:
    names = _language.get().names
    assert names is not None, "every language but English ships its cldr.json"
    return names


NAMES_FILE = "cldr.json"


def read_names(path: Path) -> Names:
    """A language's CLDR names, written by scripts/update_catalogs.py."""
    import json

    data = json.loads(path.read_text(encoding="utf-8"))
    names = Names(
        tuple(data["months_abbreviated"]),
        tuple(data["months_wide"]),
        tuple(data["days_abbreviated"]),
        tuple(data["days_wide"]),
        data["decimal"],
    )
    counts = (12, 12, 7, 7)
    if [len(part) for part in names[:4]] != list(counts) or not all(
        isinstance(name, str) and name for part in names for name in (part if isinstance(part, tuple) else (part,))
    ):
        raise ValueError(f"{path} does not hold 12 months, 7 weekdays and a decimal sign")
    return names


def format_pattern(day: date, pattern: str, names: Names) -> str:
    """A date in an LDML pattern ("EEE d 'de' MMMM 'de' y"), for the fields a catalog's patterns may use.

    Weekday (E), day (d), month (M) and year (y), and quoted text; any other field is an error, which the
    catalog's check reports before a release.
    """
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "'":
            end = pattern.find("'", index + 1)
            end = len(pattern) if end == -1 else end
            out.append(pattern[index + 1 : end] or "'")  # '' is a quote
            index = end + 1
            continue
        if not char.isalpha():
            out.append(char)
            index += 1
            continue
        rest = pattern[index:]
        width = len(rest) - len(rest.lstrip(char))
        out.append(_field(day, char, width, names))
        index += width
    return "".join(out)


def _field(day: date, letter: str, width: int, names: Names) -> str:
    if letter == "E":
        return (names.days_wide if width == 4 else names.days_abbreviated)[day.weekday()]
    if letter == "d":
        return f"{day.day:0{width}d}"
    if letter == "M" and width >= 3:
        return (names.months_wide if width == 4 else names.months_abbreviated)[day.month - 1]
    if letter == "M":
        return f"{day.month:0{width}d}"
    if letter == "y":
        return f"{day.year % 100:02d}" if width == 2 else f"{day.year:0{width}d}"
    raise ValueError(f"the date pattern field {letter * width!r} is not one pumpcare writes; use E, d, M or y")
