"""Headings, labels and the short phrases the views and writers place after a milestone's title.

Functions, not constants: the words are looked up in the language in use when they are placed, never at import.
A phrase that follows a title carries its own leading punctuation (": due …", " may end …"), so a language can
punctuate it its own way.
"""

from __future__ import annotations

from datetime import date

from pumpcare.i18n import gettext as _
from pumpcare.i18n import ngettext, pgettext
from pumpcare.wording import format_date


# ── Headings ──
def heading_before_surgery() -> str:
    """A section: what to do before surgery."""
    return _("Before surgery")


def heading_due_now() -> str:
    """A section of `today`."""
    return _("Due now")


def heading_avoid() -> str:
    """A section: the limits in force."""
    return _("Avoid")


def heading_keep_doing() -> str:
    """A section: what to keep doing."""
    return _("Keep doing")


def heading_opened() -> str:
    """A section of `today`: limits lifted lately."""
    return _("Opened up recently")


def heading_pump() -> str:
    """A section: refills and the battery."""
    return _("Your pump")


def heading_coming() -> str:
    """A section of `today`."""
    return _("Coming next")


def heading_steps() -> str:
    """A section of the sheet: what is lifted when."""
    return _("Step by step")


def heading_every_day() -> str:
    """A section of the sheet: what holds every day."""
    return _("Every day")


def heading_visits() -> str:
    """A section of the sheet."""
    return _("Visits and the device")


def heading_undated() -> str:
    """A section of the plan: what waits for a date."""
    return _("Not dated yet")


def heading_call() -> str:
    """The sheet's box of phone numbers."""
    return _("When to call your care team")


def coming_title(days: int) -> str:
    """The heading of `next`."""
    if days == 1:
        return _("Coming tomorrow")
    return ngettext("Coming in the next {count} day", "Coming in the next {count} days", days).format(count=days)


def plan_heading(surgery: date, *, chart: bool = False) -> tuple[str, str]:
    """The plan's and the chart's first line: the bold name, and the surgery's day."""
    name = _("Recovery chart") if chart else _("Recovery plan")
    return name, _(" · pump surgery on {date}").format(date=format_date(surgery))


def sheet_title(surgery: date) -> str:
    """The sheet's title."""
    return _("Your recovery plan: pump surgery on {date}").format(date=format_date(surgery))


# ── Short lines ──
def nothing_to_avoid() -> str:
    """`today` when nothing is in force."""
    return _("Nothing from the leaflet. Ask your care team.")


def nothing_coming() -> str:
    """`today` when nothing else is dated."""
    return _("Nothing else is dated in your plan.")


def nothing_in_days() -> str:
    """`next` when nothing falls in its days."""
    return _("Nothing is dated in that time.")


def nothing_logged() -> str:
    """`history` of an empty record."""
    return _("Nothing logged yet. Record a refill with `pumpcare log refill`.")


def log_refill_hint() -> str:
    """After an overdue refill."""
    return _("When it is done, record it with `pumpcare log refill`.")


def log_replacement_hint() -> str:
    """After an overdue battery."""
    return _("When the pump has been replaced, record it with `pumpcare log replacement`.")


def undo_hint() -> str:
    """Under the history."""
    return _("A wrong entry? `pumpcare log undo` takes back the last one logged.")


def phone_lines() -> tuple[str, str, str]:
    """The sheet's phone blanks."""
    return _("Care team"), _("After hours"), _("Pump clinic")


def for_label() -> str:
    """Before the patient's label on the sheet."""
    return _("For")


def chart_name() -> str:
    """The sheet's time line, for a screen reader."""
    return _("Time line of the recovery plan")


def chart_description() -> str:
    """After the time line's name, for a screen reader: the drawing's dates are also written out as text."""
    return _("The same dates are written out in the lists below.")


def sheet_subject() -> str:
    """What the sheet is about, in its PDF's document properties (a screen reader or a file search shows it)."""
    return _("Recovery plan after intrathecal pump surgery")


def page_header(header: str, page: int) -> str:
    """A later page's header."""
    return _("{header}  ·  page {page}").format(header=header, page=page)


def from_surgery_on() -> str:
    """When a limit starts on the sheet."""
    return _("From surgery on")


def from_now_on() -> str:
    """A limit with no end."""
    return _("From now on")


def care_team_sets_dates() -> str:
    """Refill visits with no date."""
    return _("Your care team sets the dates")


def date_to_come() -> str:
    """A visit on the sheet that waits for its date."""
    return _("Date to come: ask your care team")


def from_day(day: str) -> str:
    """When a later step starts, on the sheet."""
    return _("From {date}").format(date=day)


def printed_sentence(day: date) -> str:
    """When a sheet was printed, for its footer."""
    return _("Printed {date}.").format(date=format_date(day, weekday=False))


def week_label(week: int) -> str:
    """A label on the sheet's time line: 'surgery', '2 wk'."""
    return pgettext("time line", "surgery") if week == 0 else _("{week} wk").format(week=week)


def axis_label() -> str:
    """The terminal chart's axis."""
    return _("weeks after surgery")


def week_mark(week: int) -> str:
    """A week on the terminal chart's axis: '2w'."""
    return _("{week}w").format(week=week)


def visits_label() -> str:
    """The time lines' row of visit marks."""
    return _("Visits")


def chart_legend() -> str:
    """The key to the sheet's time line."""
    return _("Black: in force.  Grey: may end (ask your care team).  Diamond: follow-up visit.  Circle: refill visit.")


def terminal_legend() -> tuple[str, str, str, str, str]:
    """The terminal chart's key, beside its glyphs: in force, may end, today, follow-up visit, refill visit."""
    return (
        _(" in force   "),
        _(" may end (ask your care team)"),
        _(" today   "),
        _(" follow-up visit   "),
        _(" refill visit"),
    )


def timeline_columns() -> tuple[str, str, str]:
    """The timeline's column heads."""
    return _("Date"), _("After surgery"), _("What")


def today_mark() -> str:
    """Where today falls in the timeline."""
    return _("Today")


def from_today() -> str:
    """Above the limits that start on a day."""
    return _("From today:")


def calendar_name(patient_label: str | None) -> str:
    """The calendar's name in the caregiver's list of calendars."""
    if patient_label:
        return _("Pump recovery plan: {label}").format(label=patient_label)
    return _("Pump recovery plan")


def labelled_event(patient_label: str, summary: str) -> str:
    """An event's title when a label is given: whose plan it is, first, so one calendar can hold two patients'."""
    return _("{label}: {summary}").format(label=patient_label, summary=summary)


def calendar_about(disclaimer: str, leaflet: str) -> str:
    """The calendar's description."""
    return _("{disclaimer} Instructions from {leaflet}.").format(disclaimer=disclaimer, leaflet=leaflet)


def surgery_event() -> str:
    """The surgery day's event."""
    return _("Pump surgery: recovery plan starts")


def surgery_event_intro() -> str:
    """The surgery day's event, before the limits."""
    return _("From today, until your care team says otherwise:")


def tonight(summary: str) -> str:
    """An evening reminder."""
    return _("Tonight: {summary}").format(summary=summary)


def reminder_text(summary: str, *, window: bool) -> str:
    """What a calendar alarm says the day before: that a window opens (the care team picks the day), or the event."""
    if window:
        return _("Window opens tomorrow: {summary}").format(summary=summary)
    return _("Tomorrow: {summary}").format(summary=summary)


def window_opens(title: str) -> str:
    """A long window's one-day event, where it opens."""
    return _("{title}: window opens (ask your care team)").format(title=title)


def done(summary: str) -> str:
    """An event the record says happened."""
    return _("{summary} (done)").format(summary=summary)


def fhir_subject() -> str:
    """Who a CarePlan is for when no label was given: no personal data is invented."""
    return _("The patient (not named by pumpcare)")


def fhir_avoid() -> str:
    """What a PlanDefinition's restrictions share: an activity not to do (R4 says so on an ActivityDefinition)."""
    return _("An activity the patient is not to do; the action that names it says which.")


def fhir_anchors() -> dict[str, str]:
    """The moments rules count from, as a PlanDefinition names its anchor actions."""
    return {
        "surgery": _("Pump surgery"),
        "follow-up": _("Follow-up visit"),
        "refill": _("Each refill visit"),
        "implant": _("The day the pump now in the body went in (the surgery, or its latest replacement)"),
        "replace-by": _("The day the pump now in the body must be replaced by"),
    }


def title_text(title: str, text: str) -> str:
    """A rule's title and its text, one after the other."""
    return _("{title}: {text}").format(title=title, text=text)
