"""Checking one value of a rule file: its keys, a text, a duration, a quantity, a citation.

The base of the rule file's checker (rules_check.py): each check adds its problems to `problems`, with where
in the file it is, and returns what it could read, so that every problem of a file is reported at once.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from pumpcare.durations import Duration, DurationSyntaxError, parse_duration
from pumpcare.errors import InputError, closest, excerpt, grouped
from pumpcare.i18n import gettext as _
from pumpcare.i18n import pgettext
from pumpcare.quantities import Quantity, parse_quantity
from pumpcare.rules import LEAFLET

# Bounds on what a rule file holds, so that every command answers within seconds on any file it accepts
# (layout and window checks grow with the content) and every text fits a calendar title or a sheet's line.
MAX_TEXT = {
    "name": 120,
    "version": 40,
    "title": 80,
    "deadline": 80,
    "publisher": 120,
    "overdue": 200,
    "url": 300,
    "text": 600,
    "source": 1000,
}
_MAX_DOCUMENT_TITLE = 200  # a drug label's full title is longer than a calendar-friendly rule title
_MAX_OTHER_TEXT = 600  # a text key not listed above
# Escape sequences (ESC[2J clears a terminal), NUL, bidirectional overrides: nothing a leaflet prints.
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x0B: "VT", 0x0C: "FF", 0x0D: "CR", 0x1B: "ESC", 0x7F: "DEL"}


def top_level() -> str:
    """Where a problem of the file's outermost mapping is: 'top level', as in 'top level.schema'."""
    # Translators: the place in a rule file of its outermost keys; problems there read "top level.schema: ...".
    return pgettext("place in a rule file", "top level")


class ValueChecks:
    """Collects every problem instead of stopping at the first: the checks of single values."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def _keys(self, data: dict[Any, Any], known: Mapping[str, bool] | tuple[str, ...], where: str) -> None:
        names = list(known)
        for key in data:
            if key not in names:
                close = closest(str(key), names)
                if close:
                    message = _("{where}: unknown key '{key}'; did you mean '{close}'?")
                else:
                    message = _("{where}: unknown key '{key}'; known keys are: {keys}")
                self.problems.append(message.format(where=where, key=excerpt(key), close=close, keys=", ".join(names)))
        if isinstance(known, Mapping):
            for key, required in known.items():
                if required and key not in data:
                    self.problems.append(_("{where}: missing '{key}'; add it").format(where=where, key=key))

    def _cites(self, body: dict[Any, Any], where: str, cited: set[str]) -> str:
        cites = body.get("cites", LEAFLET)
        if not isinstance(cites, str) or cites not in cited:
            self.problems.append(
                _("{where}.cites: {value} is not declared under documents; add it there").format(
                    where=where, value=repr(excerpt(cites))
                )
            )
            return LEAFLET
        return cites

    def _quantity(self, value: Any, kind: str, where: str) -> Quantity | None:
        try:
            return parse_quantity(str(value), kind, where)
        except InputError as err:
            self.problems.append(str(err))
            return None

    def _text(self, data: dict[Any, Any], key: str, where: str, *, allow_number: bool = False) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if allow_number and isinstance(value, float):
            # 1.10 reads as the number 1.1: the text typed is lost, so ask for quotes rather than guess it.
            self.problems.append(
                _(
                    "{where}.{key}: {value} reads as a number, which drops digits (1.10 reads as 1.1); write it in "
                    'quotes as you mean it, such as {key}: "1.10"'
                ).format(where=where, key=key, value=value)
            )
            return ""
        if allow_number and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.problems.append(_("{where}.{key}: must be non-empty text").format(where=where, key=key))
            return ""
        control = control_character(value)
        if control is not None:
            self.problems.append(
                # Translators: {control} names the character, such as ESC or U+202E RIGHT-TO-LEFT OVERRIDE.
                _("{where}.{key}: has a control character ({control}); remove it").format(
                    where=where, key=key, control=control
                )
            )
            return ""
        text = " ".join(value.split())
        limit = _MAX_DOCUMENT_TITLE if where.startswith("documents.") and key == "title" else MAX_TEXT.get(key)
        limit = limit or _MAX_OTHER_TEXT
        if len(text) > limit:
            self.problems.append(
                _("{where}.{key}: is {length} characters long; shorten it to at most {limit}").format(
                    where=where, key=key, length=grouped(len(text)), limit=grouped(limit)
                )
            )
        return text

    def _duration(self, value: Any, where: str) -> Duration | None:
        if not isinstance(value, str):
            self.problems.append(
                _("{where}: {value} needs a unit; write it like 2w, 6 weeks, 3mo or 5y").format(
                    where=where, value=excerpt(repr(value))
                )
            )
            return None
        try:
            return parse_duration(value)
        except DurationSyntaxError as err:
            self.problems.append(f"{where}: {err}")
            return None


def control_character(text: str) -> str | None:
    """The name of the first control or format character in text (a line break or tab is fine), or None."""

    for char in text:
        if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cf"):
            continue
        code = ord(char)
        if code in _CONTROL_NAMES:
            return _CONTROL_NAMES[code]
        name = unicodedata.name(char, "")
        return f"U+{code:04X} {name}" if name else f"U+{code:04X}"
    return None


def is_slug(text: str) -> bool:
    """Lowercase ASCII letters and digits in parts joined by single hyphens: no-driving, stop-named-medicines."""
    parts = text.split("-")
    return text.isascii() and all(part and (part.islower() or part.isdigit()) and part.isalnum() for part in parts)
