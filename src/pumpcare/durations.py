"""Durations written the way people say them ("2w", "6 weeks", "5y"), and calendar arithmetic with them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from dateutil.relativedelta import relativedelta

from pumpcare.errors import excerpt
from pumpcare.i18n import gettext as _
from pumpcare.i18n import ngettext

_UNITS = {
    "d": "days",
    "day": "days",
    "days": "days",
    "w": "weeks",
    "wk": "weeks",
    "wks": "weeks",
    "week": "weeks",
    "weeks": "weeks",
    "mo": "months",
    "month": "months",
    "months": "months",
    "y": "years",
    "yr": "years",
    "yrs": "years",
    "year": "years",
    "years": "years",
}
_SHORT = {"days": "d", "weeks": "w", "months": "mo", "years": "y"}
# Not clinical: a bound that keeps every date pumpcare computes inside the calendar (a typo such as 9999y
# would otherwise crash the date arithmetic). A century covers any aftercare instruction.
_LONGEST = {"days": 36_600, "weeks": 5_220, "months": 1_200, "years": 100}
# Not clinical: with durations capped at a century, dates in these years keep every computed date inside the
# calendar, and anything outside them is a typo.
FIRST_YEAR, LAST_YEAR = 1900, 2199


# Months and years vary in length, so an order between durations of different units is checked from every
# day of a common and a leap year. Only mixed units ("13mo" against "394d") get here.
_REFERENCE_START = date(2027, 1, 1)
_REFERENCE_DAYS = 365 + 366
# How many days one month or year can be, with a margin for the clamp to a month's end (31 Jan + 1 month is
# 28 Feb): bounds, not exact lengths, so that only durations whose lengths overlap need the walk.
_SPAN = {"days": (1, 1, 0), "weeks": (7, 7, 0), "months": (28, 31, 3), "years": (365, 366, 1)}


class DurationSyntaxError(ValueError):
    """Text that is not a duration; the message says what a duration looks like."""


class Duration(NamedTuple):
    """A signed amount of one calendar unit: days, weeks, months or years."""

    amount: int
    unit: str

    def __str__(self) -> str:
        return f"{self.amount}{_SHORT[self.unit]}"

    def after(self, start: date, times: int = 1) -> date:
        """The date `times` of this duration after `start` (months and years clamp to the month's end)."""
        amount = self.amount * times
        if self.unit == "days":
            return start + timedelta(days=amount)
        if self.unit == "weeks":
            return start + timedelta(weeks=amount)
        # One relativedelta of n*amount, not n steps, so 31 Jan + 2 months is 31 Mar, not 28 Mar.
        return start + relativedelta(**{self.unit: amount})  # type: ignore[arg-type]

    @property
    def is_positive(self) -> bool:
        """True when the duration moves a date forward."""
        return self.amount > 0

    def describe(self) -> str:
        """Plain words, in the language in use: "2 weeks", "1 year", "3 days before"."""
        count = abs(self.amount)
        if self.amount < 0:
            words = {
                "days": ngettext("{count} day before", "{count} days before", count),
                "weeks": ngettext("{count} week before", "{count} weeks before", count),
                "months": ngettext("{count} month before", "{count} months before", count),
                "years": ngettext("{count} year before", "{count} years before", count),
            }[self.unit]
        else:
            words = {
                "days": ngettext("{count} day", "{count} days", count),
                "weeks": ngettext("{count} week", "{count} weeks", count),
                "months": ngettext("{count} month", "{count} months", count),
                "years": ngettext("{count} year", "{count} years", count),
            }[self.unit]
        return words.format(count=count)


def describe_span(first: int, last: int, unit: str) -> str:
    """A range of one unit in words, in the language in use: "2–4 weeks", "7–1 days" (amounts without sign)."""
    # A range takes the plural whatever its numbers, even 0–1: the count asked for is never 1.
    count = max(first, last, 2)
    words = {
        "days": ngettext("{low}–{high} day", "{low}–{high} days", count),
        "weeks": ngettext("{low}–{high} week", "{low}–{high} weeks", count),
        "months": ngettext("{low}–{high} month", "{low}–{high} months", count),
        "years": ngettext("{low}–{high} year", "{low}–{high} years", count),
    }[unit]
    return words.format(low=first, high=last)


def parse_duration(text: str) -> Duration:
    """Read "2w", "6 weeks", "-1d" or "5y"; raise DurationSyntaxError with the fix otherwise."""
    # Read by hand, not with a regular expression: compiling one costs more start-up than the whole parse.
    rest = text.strip().lower()
    sign = rest[0] if rest[:1] in ("+", "-") else ""
    rest = rest[len(sign) :].lstrip()
    number = rest[: len(rest) - len(rest.lstrip("0123456789"))]
    unit_word = rest[len(number) :].strip()
    if not number or not unit_word.isascii() or not unit_word.isalpha():
        raise DurationSyntaxError(
            _("'{text}' is not a duration; write a whole number and a unit, such as 2w, 6 weeks, 3mo or 5y").format(
                text=excerpt(text)
            )
        )
    if unit_word == "m":
        raise DurationSyntaxError(
            _("'{text}' is ambiguous; write 'mo' or 'months' for months").format(text=excerpt(text))
        )
    unit = _UNITS.get(unit_word)
    if unit is None:
        raise DurationSyntaxError(
            _("'{text}' has an unknown unit '{unit}'; use d (days), w (weeks), mo (months) or y (years)").format(
                text=excerpt(text), unit=excerpt(unit_word, 12)
            )
        )
    # A long run of digits is refused by its length before it is read as a number: int() of a million digits
    # costs seconds. Any duration over a century is refused the same way, whatever its unit.
    amount = int(number) if len(number.lstrip("0")) <= 9 else _LONGEST[unit] + 1
    if amount > _LONGEST[unit]:
        raise DurationSyntaxError(_("'{text}' is longer than 100 years; check the number").format(text=excerpt(text)))
    return Duration(-amount if sign == "-" else amount, unit)


def is_ordered(earliest: Duration, latest: Duration) -> bool:
    """True when earliest never lands after latest, whatever the start date."""
    if earliest.unit == latest.unit:
        return earliest.amount <= latest.amount
    fixed = {"days": 1, "weeks": 7}
    if earliest.unit in fixed and latest.unit in fixed:
        return earliest.amount * fixed[earliest.unit] <= latest.amount * fixed[latest.unit]
    (first_short, first_long), (last_short, last_long) = _day_range(earliest), _day_range(latest)
    if first_long <= last_short:
        return True
    if first_short > last_long:
        return False
    # From a day up to the 28th a month or a year later keeps the day of the month, so every such day of a
    # month gives the same lengths as its 1st: only the 1st and the 29th to 31st need trying.
    days = (_REFERENCE_START + timedelta(days=offset) for offset in range(_REFERENCE_DAYS))
    return all(earliest.after(day) <= latest.after(day) for day in days if day.day == 1 or day.day > 28)


def _day_range(duration: Duration) -> tuple[int, int]:
    """Fewest and most days the duration can span, whatever the start date (a little wider, never narrower)."""
    short, long, margin = _SPAN[duration.unit]
    count = abs(duration.amount)
    low, high = max(count * short - margin, 0), count * long + margin
    return (low, high) if duration.amount >= 0 else (-high, -low)
