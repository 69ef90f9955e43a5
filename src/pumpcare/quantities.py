"""The care team's pump numbers (volume, concentration, daily dose) and the days a fill lasts. Pure arithmetic.

These are the numbers on the pump programmer's printout. pumpcare never suggests one: it only does the sum the
programmer does, so a patient can see when the low-reservoir alarm is due, and it always says to ask the clinic.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

from pumpcare.errors import InputError, excerpt, grouped
from pumpcare.i18n import N_, format_number
from pumpcare.i18n import gettext as _

# Each kind of number and the units it may be written in, with the factor to one base unit (mL, or micrograms).
_UNITS: dict[str, dict[str, tuple[str, int]]] = {
    "volume": {"ml": ("mL", 1)},
    "concentration": {"mg/ml": ("mg/mL", 1000), "mcg/ml": ("mcg/mL", 1), "µg/ml": ("mcg/mL", 1)},
    "dose": {"mg/day": ("mg/day", 1000), "mcg/day": ("mcg/day", 1), "µg/day": ("mcg/day", 1)},
}
# Marked for the catalog here, translated where a message shows them: the language is chosen after import.
_EXAMPLES = {"volume": "20mL", "concentration": N_("2mg/mL or 500mcg/mL"), "dose": N_("0.5mg/day or 100mcg/day")}
# Whole sentences, one per kind, so a language can fit its own article and gender to each noun.
_NOT_A = {
    "volume": N_("{what} '{shown}' is not a volume; write it like {example}"),
    "concentration": N_("{what} '{shown}' is not a concentration; write it like {example}"),
    "dose": N_("{what} '{shown}' is not a daily dose; write it like {example}"),
}
# Not clinical: a typo such as 2000000mL must not reach the arithmetic; no pump number has more digits.
_LONGEST_FILL_DAYS = 36_600  # and a fill that would last over a century is a unit mistake, not a plan
_MAX_DIGITS, _MAX_DECIMALS = 6, 4


class Quantity(NamedTuple):
    """A positive amount in one of pumpcare's units: mL, mg/mL, mcg/mL, mg/day or mcg/day."""

    amount: Fraction
    unit: str

    def __str__(self) -> str:
        # Exact, never rounded: this is what the saved record keeps, and it was typed with at most 4 decimals.
        return f"{exact_text(self.amount)}{self.unit}"

    @property
    def base(self) -> Fraction:
        """The amount in mL, micrograms per mL or micrograms per day, so units can be mixed."""
        return self.amount * next(factor for unit, factor in _all_units() if unit == self.unit)


def _all_units() -> list[tuple[str, int]]:
    return [pair for units in _UNITS.values() for pair in units.values()]


def parse_quantity(text: str, kind: str, what: str) -> Quantity:
    """Read '20mL', '2 mg/mL' or '0.5mg/day' for an option; refuse the wrong unit, zero or a negative number."""
    cleaned = text.strip()
    number = cleaned[: len(cleaned) - len(cleaned.lstrip("+-0123456789."))]
    unit_text = cleaned[len(number) :].strip()
    example = _(_EXAMPLES[kind])
    digits = number.lstrip("+-")
    whole, _dot, decimals = digits.partition(".")
    signs = len(number) - len(digits)
    shown = excerpt(cleaned)  # a message quotes at most this much of what was typed
    if not digits or signs > 1 or digits.count(".") > 1 or not (whole + decimals).isdigit() or not unit_text:
        raise InputError(
            # Translators: {what} is the option or the place in a file, such as --fill-volume; {shown} what was typed.
            _("{what} '{shown}' is not a number with a unit; write it like {example}").format(
                what=what, shown=shown, example=example
            ),
            field=what,
        )
    # Length first: a number of thousands of digits is out of range, and too long for Python to read.
    if len(whole.lstrip("0")) > _MAX_DIGITS or len(decimals) > _MAX_DECIMALS:
        raise InputError(
            _("{what} {shown} is out of range; check the number on the care team's printout").format(
                what=what, shown=shown
            )
        )
    if number.startswith("-") or Fraction(digits) == 0:
        raise InputError(
            _("{what} {shown} is not more than zero; give the number on the care team's printout").format(
                what=what, shown=shown
            )
        )
    found = _UNITS[kind].get(unit_text.lower().replace(" ", ""))
    if found is None:
        raise InputError(_(_NOT_A[kind]).format(what=what, shown=shown, example=example), field=what)
    return Quantity(Fraction(digits), found[0])


class Fill(NamedTuple):
    """What the care team put in the pump: the volume, the drug's concentration and the daily dose."""

    volume: Quantity
    concentration: Quantity
    dose: Quantity


class AlarmDays(NamedTuple):
    """How long a fill lasts until the low-reservoir alarm: the care team's numbers and the result."""

    fill: Fill
    alarm_volume: Quantity
    daily_volume: Fraction  # mL a day
    days: int  # whole days until the reservoir reaches the alarm volume, rounded down


def days_to_alarm(fill: Fill, alarm_volume: Quantity) -> AlarmDays:
    """Days until a fill reaches the alarm volume: (fill - alarm) / (dose / concentration), rounded down."""
    daily = fill.dose.base / fill.concentration.base
    volume = fill.volume.base
    if volume <= alarm_volume.base:
        raise InputError(
            _("the fill volume {volume} is not above the {alarm} alarm volume; check the numbers").format(
                volume=fill.volume, alarm=alarm_volume
            ),
            field="fill_volume",
        )
    days = int((volume - alarm_volume.base) // daily)
    if days > _LONGEST_FILL_DAYS:
        raise InputError(
            _(
                "{dose} at {concentration} would make {volume} last {days} days, more than a century; "
                "check the dose, the concentration and their units"
            ).format(dose=fill.dose, concentration=fill.concentration, volume=fill.volume, days=grouped(days)),
            field="daily_dose",
        )
    if volume / daily < 1 or days < 1:
        raise InputError(
            _(
                "{dose} at {concentration} would use {daily} mL a day and reach the alarm in under a day; "
                "check the dose, the concentration and their units"
            ).format(dose=fill.dose, concentration=fill.concentration, daily=format_number(daily)),
            field="daily_dose",
        )
    return AlarmDays(fill, alarm_volume, daily, days)


def exact_text(amount: Fraction) -> str:
    """A number that was typed as a decimal, written back exactly: 0.0001, 20, 2.5."""
    from decimal import Decimal

    text = format(Decimal(amount.numerator) / Decimal(amount.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
