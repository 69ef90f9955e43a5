"""The words every renderer shares: dates, days after surgery, and milestone headlines for patients."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from pumpcare.durations import Duration
from pumpcare.rules import Moment
from pumpcare.schedule import Milestone, Plan, Window

DISCLAIMER = "pumpcare reminds you of your care team's instructions; it does not replace your care team."
ASK = "ask your care team"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_ANCHOR_EVENTS = {"follow-up": "your follow-up visit", "refill": "your refill visit", "surgery": "surgery"}


def format_date(day: date, *, weekday: bool = True) -> str:
    """'Tue 1 Dec 2026': no locale, no day/month order to misread."""
    # Spelled out by hand, not strftime, so the words never change with the machine's locale.
    text = f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return f"{_WEEKDAYS[day.weekday()]} {text}" if weekday else text


def format_window(window: Window) -> str:
    """One date, or 'between Tue 12 Jan and Tue 26 Jan 2027'."""
    if not window.is_range:
        return format_date(window.earliest)
    start = format_date(window.earliest)
    if window.earliest.year == window.latest.year:
        start = start.rsplit(" ", 1)[0]
    return f"between {start} and {format_date(window.latest)}"


def format_span(window: Window) -> str:
    """A compact date or range for tables: '15–29 Dec 2026', '28 Dec 2026 – 11 Jan 2027'."""
    first, last = window.earliest, window.latest
    if not window.is_range:
        return format_date(first, weekday=False)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{format_date(last, weekday=False)}"
    if first.year == last.year:
        return f"{first.day} {_MONTHS[first.month - 1]} – {format_date(last, weekday=False)}"
    return f"{format_date(first, weekday=False)} – {format_date(last, weekday=False)}"


def day_label(plan: Plan, day: date) -> str:
    """Where a date sits in recovery: '3 days before', 'surgery day', 'day 42 · week 6', '5 years'."""
    n = plan.day_number(day)
    if n < 0:
        return "day before" if n == -1 else f"{-n} days before"
    if n == 0:
        return "surgery day"
    if n < 7:
        return f"day {n}"
    span = relativedelta(day, plan.surgery)
    if span.years >= 1:
        years = f"{span.years} year" + ("s" if span.years > 1 else "")
        return f"{years} {span.months} mo" if span.months else years
    return f"day {n} · week {n // 7}"


def headline(milestone: Milestone) -> str:
    """What happens, in a few words: 'No driving may end', 'Follow-up visit'."""
    if milestone.kind == "due":
        return milestone.title
    if milestone.kind == "starts":
        return f"{milestone.title}: starts"
    return f"{milestone.title}: may end" if milestone.when.is_range else f"{milestone.title}: ends"


def members_phrase(milestone: Milestone) -> str | None:
    """The rules a grouped milestone stands for ("No bending, No twisting, ..."), unless its title names them."""
    if len(milestone.rules) < 2:
        return None
    title = milestone.title.lower()
    if all(rule.title.lower().removeprefix("no ") in title for rule in milestone.rules):
        return None
    return ", ".join(rule.title for rule in milestone.rules)


def until_phrase(milestone: Milestone) -> str:
    """How long a period that starts lasts: 'until between …, ask your care team', 'until your follow-up visit'."""
    if milestone.until is not None:
        if milestone.until.is_range:
            return f"until {format_window(milestone.until)} ({ASK})"
        return f"until {format_date(milestone.until.earliest)}"
    if milestone.until_pending is not None:
        return f"until {pending_phrase(milestone.until_pending)}"
    return "from now on"


def pending_phrase(moment: Moment) -> str:
    """A moment that waits for a date: 'your follow-up visit', '2 weeks after your follow-up visit (ask …)'."""
    event = _ANCHOR_EVENTS[moment.anchor]
    if moment.earliest.amount == moment.latest.amount == 0:
        return event
    first, last = moment.earliest, moment.latest
    side = "before" if last.amount < 0 else "after"
    if not moment.is_window:
        return f"{abs(first.amount)} {_unit(first)} {side} {event}"
    span = (
        f"{abs(first.amount)}–{abs(last.amount)} {last.unit}"
        if first.unit == last.unit
        else (f"{abs(first.amount)} {_unit(first)} to {abs(last.amount)} {_unit(last)}")
    )
    return f"{span} {side} {event} ({ASK})"


def _unit(duration: Duration) -> str:
    return duration.unit if abs(duration.amount) != 1 else duration.unit[:-1]


def undated_phrase(kind: str, moment: Moment) -> str:
    """Why a milestone has no date yet, and who to ask."""
    if moment.anchor == "refill":
        return "your care team sets how often the pump is refilled; ask them for the dates."
    at_the_event = moment.earliest.amount == moment.latest.amount == 0
    if kind == "due":
        return f"{ASK} for the date." if at_the_event else f"{pending_phrase(moment)}; {ASK} for the date."
    return f"ends {'at ' if at_the_event else ''}{pending_phrase(moment)}."
