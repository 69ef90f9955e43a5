"""The words every renderer shares: dates, days after surgery, and milestone headlines for patients."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from pumpcare.durations import Duration
from pumpcare.pumplife import Logged, RefillDue
from pumpcare.quantities import decimal_text
from pumpcare.rules import Moment
from pumpcare.schedule import Milestone, Plan, Window

DISCLAIMER = "pumpcare reminds you of your care team's instructions; it does not replace your care team."
ASK = "ask your care team"
ASK_CLINIC = "ask your pump clinic"
OVERDUE = "OVERDUE"  # a word, not only a colour: it must reach a screen reader and a monochrome terminal
CARE_TEAM_ORDER = "your care team's order"
AT_THE_VISIT = "ends once you have had your follow-up visit; ask at the visit"
NO_REFILL_DATES = (
    "Refill dates: your care team sets them. To see them here, save what they give you: "
    "`pumpcare plan --refill-every 12w --first-refill YYYY-MM-DD --save`, or `--next-refill YYYY-MM-DD` "
    "from the pump programmer's printout."
)
RECORD_FOLLOW_UP = (
    "Follow-up visit: no date yet. Save its date with `pumpcare plan --follow-up YYYY-MM-DD --save`, "
    "or once you have had it, record it with `pumpcare log follow-up`."
)
_ONE_UNIT = {"days": "day", "weeks": "week", "months": "month", "years": "year"}
_LOGGED = {"refill": "pump refill", "follow-up": "follow-up visit", "replacement": "new pump (replacement)"}
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
    if milestone.waits_for_visit:
        return f"{milestone.title}: {AT_THE_VISIT}"
    return f"{milestone.title}: may end" if milestone.when.is_range else f"{milestone.title}: ends"


def members_phrase(milestone: Milestone) -> str | None:
    """The rules a grouped milestone stands for ("No bending, no twisting, ..."), unless its title names them."""
    if len(milestone.rules) < 2:
        return None
    # "Arrange a driver and help at home" already says "arrange a driver" and "arrange help at home".
    named = set(_words(milestone.title))
    if all(set(_words(rule.title)) - _SMALL_WORDS <= named for rule in milestone.rules):
        return None
    titles = [rule.title for rule in milestone.rules]
    return ", ".join([titles[0], *(title[:1].lower() + title[1:] for title in titles[1:])])


_SMALL_WORDS = {"no", "a", "an", "the", "and", "or", "your", "at", "to"}


def _words(text: str) -> list[str]:
    return "".join(char if char.isalnum() else " " for char in text.lower()).split()


def until_phrase(milestone: Milestone) -> str:
    """How long a period that starts lasts: 'until between …, ask your care team', 'until your follow-up visit'."""
    if milestone.waits_for_visit and milestone.until is not None and not milestone.until.is_range:
        return f"until you have had your follow-up visit ({format_date(milestone.until.earliest)}); ask at the visit"
    if milestone.waits_for_visit and milestone.until_waits_for is not None and not _offset(milestone.until_waits_for):
        return "until you have had your follow-up visit; ask at the visit"
    if milestone.until is not None:
        if milestone.until.is_range:
            return f"until {format_window(milestone.until)} ({ASK})"
        return f"until {format_date(milestone.until.earliest)}"
    if milestone.until_waits_for is not None:
        return f"until {pending_phrase(milestone.until_waits_for)}"
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


def _offset(moment: Moment) -> bool:
    return not moment.earliest.amount == moment.latest.amount == 0


def _unit(duration: Duration) -> str:
    return duration.unit if abs(duration.amount) != 1 else _ONE_UNIT[duration.unit]


def undated_phrase(kind: str, moment: Moment) -> str:
    """Why a milestone has no date yet, and who to ask."""
    if moment.anchor == "refill":
        return NO_REFILL_DATES[len("Refill dates: ") :]
    at_the_event = moment.earliest.amount == moment.latest.amount == 0
    if kind == "ends" and moment.anchor == "follow-up" and at_the_event:
        return f"{AT_THE_VISIT}."
    if kind == "due":
        return f"{ASK} for the date." if at_the_event else f"{pending_phrase(moment)}; {ASK} for the date."
    return f"ends {'at ' if at_the_event else ''}{pending_phrase(moment)}."


def days_phrase(days: int) -> str:
    """'today', 'tomorrow', 'in 3 days', '1 day ago', '12 days ago'."""
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days < 0:
        return f"{-days} day{'s' if days != -1 else ''} ago"
    return f"in {days} days"


def refill_sentence(due: RefillDue, days_away: int) -> str:
    """The next refill from a day: due in N days, due today, or overdue since when."""
    when = format_date(due.day)
    if days_away < 0:
        return f"{OVERDUE}: the pump refill was due on {when}, {days_phrase(days_away)}, and no refill is recorded."
    if days_away == 0:
        return f"Refill due today, {when}."
    return f"Refill due {days_phrase(days_away)}, {when}."


def refill_basis(plan: Plan, due: RefillDue) -> str:
    """Why the refill falls on that day, in the care team's own numbers, ending with who to ask."""
    settings = plan.refill_settings
    if due.basis == "care-team":
        return "This is the date your care team gave."
    parts = []
    if due.basis == "first":
        parts.append("This is your first refill, on the date your care team gave.")
    elif due.basis == "interval" and settings.every is not None:
        parts.append(f"Refills are every {settings.every.describe()}, counted from the last one.")
    if due.alarm is not None and due.alarm_day is not None:
        alarm = due.alarm
        parts.append(
            f"{decimal_text(alarm.fill.volume.amount)} mL at {decimal_text(alarm.daily_volume)} mL a day reaches "
            f"the {decimal_text(alarm.alarm_volume.amount)} mL alarm in {alarm.days} "
            f"day{'s' if alarm.days != 1 else ''}, on {format_date(due.alarm_day)}."
        )
    if due.limit is not None and due.limit_day is not None and settings.drug is not None:
        parts.append(
            f"The label of {settings.drug.name} gives at most {due.limit.describe()} from this fill, to "
            f"{format_date(due.limit_day)}."
        )
    if len(parts) > 1:
        parts.append("The earliest of these is the day.")
    parts.append(f"These are your care team's numbers; {ASK_CLINIC} if they have changed.")
    return " ".join(parts)


def goes_on_sentence(plan: Plan) -> str:
    """How the refills go on after the next one."""
    settings = plan.refill_settings
    if settings.every is not None:
        return f"Refills go on every {settings.every.describe()} for as long as you have the pump."
    if settings.fill is not None or settings.drug is not None:
        return "Refills go on for as long as you have the pump; each one is dated from the one before."
    return "Refills go on for as long as you have the pump; your care team gives each next date."


def battery_sentence(opens: date, deadline: date, day: date) -> str:
    """The battery's replacement window, seen from a day."""
    if day > deadline:
        return (
            f"{OVERDUE}: the pump battery was due to be replaced by {format_date(deadline)}, "
            f"{days_phrase((deadline - day).days)}, and no replacement is recorded."
        )
    if day >= opens:
        return (
            f"Battery: the replacement window is open. The pump must be replaced by {format_date(deadline)} "
            f"({days_phrase((deadline - day).days)})."
        )
    return f"Battery: replace the pump between {format_date(opens)} and {format_date(deadline)}."


def logged_sentence(entry: Logged) -> str:
    """One line of the record: 'pump refill on Tue 26 Jan 2027 (20mL, 2mg/mL, 0.5mg/day)'."""
    numbers = f" ({entry.fill.volume}, {entry.fill.concentration}, {entry.fill.dose})" if entry.fill else ""
    return f"{_LOGGED[entry.kind]} on {format_date(entry.day)}{numbers}."


def more_refills_sentence(count: int, last: date, plan: Plan) -> str:
    """The refill visits a timeline leaves out, in one line."""
    every = plan.refill_settings.every
    how = f"every {every.describe()}" if every is not None else "each dated from the one before"
    return f"{count} more refill visit{'s' if count != 1 else ''}, {how}, to {format_date(last)}"


def logged_overdue_sentence(due: RefillDue) -> str:
    """After logging a refill that was not the last: the next one's day has passed too."""
    return (
        f"The refill after it was due on {format_date(due.day)}. If it has happened, record it too: "
        f"`pumpcare log refill --date YYYY-MM-DD`."
    )


def visit_logged_sentence(waited: list[str]) -> str:
    """After logging the follow-up visit: what waited for it, and who says it may start again."""
    names = ", ".join(title[:1].lower() + title[1:] for title in waited)
    return f"What waited for this visit ({names}) may start again once your care team said so at the visit."


def sources_sentence(plan: Plan) -> str:
    """Where the plan's words come from: the leaflet by name, the other documents by where to find them."""
    ruleset = plan.ruleset
    others = any(rule.cites != "leaflet" for rule in ruleset.rules) or plan.refill_settings.drug is not None
    also = " and the sources `pumpcare rules list` names" if others else ""
    return f"From the leaflet {ruleset.source}{also}. Rules: {ruleset.name}, version {ruleset.version}."


def week_label(week: int) -> str:
    """A label on the sheet's time line: 'surgery', '2 wk'."""
    return "surgery" if week == 0 else f"{week} wk"


def visits_label() -> str:
    """The time line's row of visit marks."""
    return "Visits"


def chart_legend() -> str:
    """The key to the sheet's time line."""
    return "Black: in force.  Grey: may end (ask your care team).  Diamond: follow-up visit.  Circle: refill visit."


CALL_HEADING = "When to call your care team"
CHART_NAME = "Time line of the recovery plan"
FOR_LABEL = "For"


def printed_sentence(day: date) -> str:
    """When a sheet was printed, for its footer."""
    return f"Printed {format_date(day, weekday=False)}."


# ── Headings and short lines the views and writers place (every patient-facing word lives in this module) ──
HEADING_BEFORE_SURGERY = "Before surgery"
HEADING_DUE_NOW = "Due now"
HEADING_AVOID = "Avoid"
HEADING_KEEP_DOING = "Keep doing"
HEADING_OPENED = "Opened up recently"
HEADING_PUMP = "Your pump"
HEADING_COMING = "Coming next"
HEADING_STEPS = "Step by step"
HEADING_EVERY_DAY = "Every day"
HEADING_VISITS = "Visits and the device"
HEADING_UNDATED = "Not dated yet"
NOTHING_TO_AVOID = "Nothing from the leaflet. Ask your care team."
NOTHING_COMING = "Nothing else is dated in your plan."
NOTHING_IN_DAYS = "Nothing is dated in that time."
NOTHING_LOGGED = "Nothing logged yet. Record a refill with `pumpcare log refill`."
LOG_REFILL_HINT = "When it is done, record it with `pumpcare log refill`."
LOG_REPLACEMENT_HINT = "When the pump has been replaced, record it with `pumpcare log replacement`."
UNDO_HINT = "A wrong entry? `pumpcare log undo` takes back the last one logged."
PHONE_LINES = ("Care team", "After hours", "Pump clinic")
FROM_SURGERY_ON = "From surgery on"
FROM_NOW_ON = "From now on"
CARE_TEAM_SETS_DATES = "Your care team sets the dates"
CALENDAR_NAME = "Pump recovery plan"
SURGERY_EVENT = "Pump surgery: recovery plan starts"
SURGERY_EVENT_INTRO = "From today, until your care team says otherwise:"
TIMELINE_COLUMNS = ("Date", "After surgery", "What")
TODAY_MARK = "Today"
FROM_TODAY = "From today:"


def coming_title(days: int) -> str:
    """The heading of `next`."""
    return f"Coming in the next {days} days" if days != 1 else "Coming tomorrow"


def where_today(when: str, day_number: int, years: str) -> tuple[str, str]:
    """`today`'s first line: the bold part, and where the day sits."""
    lead = f"Today, {when}: "
    if day_number < 0:
        days = -day_number
        return lead, f"surgery is in {days} day{'s' if days != 1 else ''}, "
    if day_number == 0:
        return lead, "the day of your surgery."
    return lead, f"day {day_number} after surgery{years}."


def since_day(day_number: int) -> str:
    """An opened-up item's lead: 'Since day 14: '."""
    return f"Since day {day_number}: "


def recorded_sentence(entry: Logged) -> str:
    """What a `log` command says it recorded."""
    return f"Recorded: {logged_sentence(entry)}"


def plan_heading(surgery: date, *, chart: bool = False) -> tuple[str, str]:
    """The plan's and the chart's first line: the bold name, and the surgery's day."""
    return ("Recovery chart" if chart else "Recovery plan"), f" · pump surgery on {format_date(surgery)}"


def sheet_title(surgery: date) -> str:
    """The sheet's title."""
    return f"Your recovery plan: pump surgery on {format_date(surgery)}"


def from_day(day: date) -> str:
    """When a later step starts, on the sheet."""
    return f"From {format_date(day)}"


def tonight(summary: str) -> str:
    """An evening reminder."""
    return f"Tonight: {summary}"


def clinic_line(clinic_lines: list[str]) -> str:
    """A refill event's line about whom to call."""
    return "Your pump clinic: " + "; ".join(clinic_lines) + "."


def when_verb(kind: str) -> str:
    """How a calendar event's window begins: 'May end', 'Due', 'Starts'."""
    return "May end" if kind == "ends" else "Due" if kind == "due" else "Starts"


def date_to_come() -> str:
    """A visit on the sheet that waits for its date."""
    return f"Date to come: {ASK}"


def reminder_text(summary: str, *, window: bool) -> str:
    """What a calendar alarm says the day before: that a window opens (the care team picks the day), or the event."""
    return f"{'Window opens tomorrow' if window else 'Tomorrow'}: {summary}"


def window_opens(title: str) -> str:
    """A long window's one-day event, where it opens."""
    return f"{title}: window opens ({ASK})"


def done(summary: str) -> str:
    """An event the record says happened."""
    return f"{summary} (done)"


# The health record (FHIR): who a plan is for when no label is given, and the moments rules count from.
FHIR_SUBJECT = "The patient (not named by pumpcare)"
FHIR_ANCHORS = {
    "surgery": "Pump surgery",
    "follow-up": "Follow-up visit",
    "refill": "Each refill visit",
    "implant": "The day the pump now in the body went in (the surgery, or its latest replacement)",
}
