"""Reading what people type: dates, durations and clinicians' --set orders, each refused with the fix."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any, NamedTuple

from pumpcare.durations import Duration, DurationSyntaxError, is_ordered, parse_duration
from pumpcare.errors import InputError, excerpt, is_text
from pumpcare.i18n import gettext as _
from pumpcare.input_table import PLAN_INPUTS
from pumpcare.schedule import Override


class PlanInputs(NamedTuple):
    """What a plan is made from, as the user typed it; None where not given."""

    surgery_date: str | None = None
    follow_up: str | None = None
    refill_every: str | None = None
    first_refill: str | None = None
    orders: tuple[str, ...] = ()
    rules_file: str | None = None
    patient_label: str | None = None
    next_refill: str | None = None
    drug: str | None = None
    fill_volume: str | None = None
    concentration: str | None = None
    daily_dose: str | None = None
    alarm_volume: str | None = None

    def over(self, saved: PlanInputs) -> PlanInputs:
        """These inputs, with what is missing taken from a saved plan; an order replaces the saved one for its rule."""
        given = {order.partition("=")[0].strip() for order in self.orders}
        kept = tuple(order for order in saved.orders if order.partition("=")[0].strip() not in given)
        merged = {
            field: getattr(self, field) if getattr(self, field) is not None else getattr(saved, field)
            for field in self._fields
            if field != "orders"
        }
        return PlanInputs(**{**merged, "orders": kept + self.orders})

    def given_orders(self) -> set[str]:
        """The rule ids these inputs give orders for."""
        return {order.partition("=")[0].strip() for order in self.orders}


def from_cells(cells: dict[str, str], patient_label: str) -> PlanInputs:
    """A batch row's plan inputs: each declared column, empty cells left out."""
    values: dict[str, Any] = {}
    for item in PLAN_INPUTS:
        cell = cells.get(item.column or "", "").strip() if item.column else ""
        if item.kind == "list":
            values[item.field] = tuple(part.strip() for part in cell.split(";") if part.strip())
        elif cell:
            values[item.field] = cell
    return PlanInputs(**values, patient_label=patient_label)


def parse_date(text: str, what: str) -> date:
    """Read an ISO date (YYYY-MM-DD); anything else, such as 01/02/2026, is refused as ambiguous."""
    cleaned = text.strip()
    if _is_iso_date(cleaned):
        try:
            return date.fromisoformat(cleaned)
        except ValueError:
            # Translators: {what} names the date: an option (--surgery-date), a file key, or words such as "surgery
            # date"; {value} is the date as typed.
            message = _("{what} {value} is not a real date; check the day and month")
            raise InputError(message.format(what=what, value=cleaned)) from None
    shown = excerpt(cleaned)  # a message quotes at most this much of what was typed
    year_first = _year_first(cleaned)
    if year_first is not None:
        # 2026-12-1 or 2026/12/01 can only mean one day: say how to write it, not that it is ambiguous.
        # Translators: {iso} is the same date written YYYY-MM-DD.
        message = _("{what} '{value}' is not written YYYY-MM-DD; write it as {iso}")
        raise InputError(message.format(what=what, value=shown, iso=year_first))
    if _looks_like_a_date(cleaned):
        message = _("{what} '{value}' could be read more than one way; write it as YYYY-MM-DD, such as 2026-12-01")
        raise InputError(message.format(what=what, value=shown))
    raise InputError(
        _("{what} '{value}' is not a date; write it as YYYY-MM-DD, such as 2026-12-01").format(what=what, value=shown)
    )


def parse_interval(text: str, what: str) -> Duration:
    """Read a duration for an option, naming the option when it is wrong."""
    try:
        return parse_duration(text)
    except DurationSyntaxError as err:
        # Translators: {what} names the value (an option such as --refill-every); {problem} says what is wrong with it.
        raise InputError(_("{what}: {problem}").format(what=what, problem=err)) from None


def parse_override(text: str, what: str = "--set") -> Override:
    """Read RULE_ID=DURATION or RULE_ID=EARLIEST..LATEST, as a clinician writes an order."""
    rule_id, sep, value = text.partition("=")
    rule_id = rule_id.strip()
    if not sep or not rule_id or not value.strip():
        # Translators: {what} is the option (--set) or the file key (set); keep RULE_ID, DURATION, EARLIEST, LATEST.
        message = _(
            "{what} '{value}' needs the form RULE_ID=DURATION or RULE_ID=EARLIEST..LATEST, such as no-driving=6w"
        )
        raise InputError(message.format(what=what, value=excerpt(text)), rule=rule_id)
    earliest_text, dots, latest_text = value.partition("..")
    try:
        earliest = parse_duration(earliest_text)
        latest = parse_duration(latest_text) if dots else earliest
    except DurationSyntaxError as err:
        # Translators: {what} is the option (--set); {rule} the rule's id; {problem} says what is wrong.
        raise InputError(
            _("{what} {rule}: {problem}").format(what=what, rule=rule_id, problem=err), rule=rule_id
        ) from None
    if not is_ordered(earliest, latest):
        # Translators: {earliest} and {latest} are durations as typed, such as 6w.
        message = _("{what} {rule}: earliest {earliest} is after latest {latest}; swap them")
        raise InputError(message.format(what=what, rule=rule_id, earliest=earliest, latest=latest), rule=rule_id)
    return Override(rule_id, earliest, latest)


MAX_LABEL = 60  # not clinical: a calendar name or a sheet's header line has room for about this much


def check_label(text: str, what: str = "--patient-label") -> str:
    """A patient label as given, refused when it would break a calendar name or fill a sheet's header."""
    label = text.strip()
    if not label:
        # Translators: {what} is the option (--patient-label) or a file's column or key (label, patient_label).
        raise InputError(_("{what} is empty; give initials or a bed number").format(what=what), field=what)
    if not is_text(label):
        message = _("{what} has bytes that are not text (UTF-8); type it again")
        raise InputError(message.format(what=what), field=what)
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in label):
        message = _("{what} has a line break or a control character; give it on one line")
        raise InputError(message.format(what=what), field=what)
    if len(label) > MAX_LABEL:
        message = _("{what} is longer than {most} characters; initials or a bed number will do")
        raise InputError(message.format(what=what, most=MAX_LABEL), field=what)
    return label


def check_patient_ref(text: str, what: str = "--patient-ref") -> str:
    """A FHIR reference to a Patient ("Patient/123"), as the CarePlan's subject; anything else is refused."""
    ref = text.strip()
    kind, _slash, ident = ref.partition("/")
    # R4's id: 1 to 64 of letters, digits, '-' and '.'.
    if kind != "Patient" or not 1 <= len(ident) <= 64 or not all(char in _FHIR_ID for char in ident):
        # Translators: keep Patient/<id> and Patient/123 as they are: FHIR reads them.
        message = _("{what} '{value}' is not a reference to a patient; write it as Patient/<id>, such as Patient/123")
        raise InputError(message.format(what=what, value=ref), field=what)
    return ref


_FHIR_ID = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.")


def _is_iso_date(text: str) -> bool:
    digits = text[:4] + text[5:7] + text[8:]
    return len(text) == 10 and text[4] == text[7] == "-" and digits.isascii() and digits.isdigit()


def _year_first(text: str) -> str | None:
    """The ISO form of a year-first date written another way (2026/12/1), when it is a real day."""
    parts = text.replace("/", "-").replace(".", "-").split("-")
    if len(parts) != 3 or len(parts[0]) != 4 or not all(p.isascii() and p.isdigit() and p for p in parts):
        return None
    if len(parts[1]) > 2 or len(parts[2]) > 2:
        return None
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2])).isoformat()
    except ValueError:
        return None


def _looks_like_a_date(text: str) -> bool:
    """1/2/2026, 01.02.2026, 2026/12/01: day, month and year in some order the user did not say."""
    import re

    return re.fullmatch(r"[0-9]{1,4}[/.-][0-9]{1,2}[/.-][0-9]{1,4}", text) is not None


def parse_day(text: str, what: str) -> date:
    """A day to look at or to log: an ISO date inside the years every plan's dates stay within."""
    from pumpcare.durations import FIRST_YEAR, LAST_YEAR

    day = parse_date(text, what)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        message = _("{what} {value} is out of range; give a date between {first} and {last}")
        raise InputError(message.format(what=what, value=day, first=FIRST_YEAR, last=LAST_YEAR))
    return day
