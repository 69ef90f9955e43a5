"""The one-page discharge sheet's content, as plain data both the PDF and the HTML renderers draw. Pure."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from pumpcare.clinic import Clinic
from pumpcare.schedule import Milestone, Plan
from pumpcare.status import chart_span, listed_refills
from pumpcare.wording import (
    ASK,
    CARE_TEAM_SETS_DATES,
    DISCLAIMER,
    FROM_NOW_ON,
    FROM_SURGERY_ON,
    HEADING_AVOID,
    HEADING_BEFORE_SURGERY,
    HEADING_EVERY_DAY,
    HEADING_STEPS,
    HEADING_VISITS,
    PHONE_LINES,
    date_to_come,
    format_date,
    format_span,
    from_day,
    members_phrase,
    pending_phrase,
    printed_sentence,
    sheet_title,
    sources_sentence,
    until_phrase,
)


class Line(NamedTuple):
    """One row of a checklist: when, and what."""

    when: str
    what: str


class Section(NamedTuple):
    """A titled checklist."""

    title: str
    lines: tuple[Line, ...]


class Bar(NamedTuple):
    """A period drawn on the time line: in force from start, may end between window_start and end."""

    label: str
    start: date
    window_start: date | None  # None: no dated end yet (waits for the follow-up visit), drawn to the edge
    end: date | None


class Sheet(NamedTuple):
    """Everything on the page, in reading order."""

    title: str
    patient_label: str | None
    disclaimer: str
    bars: tuple[Bar, ...]
    first: date
    last: date
    follow_up: date | None
    refills: tuple[date, ...]
    sections: tuple[Section, ...]
    call_when: tuple[Line, ...]  # (title, text) of the safety rules
    phones: tuple[tuple[str, str], ...]  # (what the number is for, the number, or "" for a line to write on)
    footer: str = ""  # where the instructions come from, which rules made the plan, and when it was printed
    clinic: str | None = None  # the clinic's name, address and note, when a profile was given


BEFORE_SURGERY = HEADING_BEFORE_SURGERY


def make_sheet(
    plan: Plan, patient_label: str | None = None, *, clinic: Clinic | None = None, today: date | None = None
) -> Sheet:
    """What the sheet says for this plan: the time line, the checklists, when to call, the phone numbers.

    Made on or after the surgery day (`today`), it leaves out what was to be done before surgery: at discharge
    that is past, and it would take the top of the page. A clinic's profile fills in its name and numbers.
    """
    span = chart_span(plan)
    bars = tuple(
        Bar(
            m.title,
            m.when.earliest,
            m.until.earliest if m.until else None,
            m.until.latest if m.until else None,
        )
        for m in span.rows
    )
    refills = tuple(m.when.earliest for m in listed_refills(plan))
    return Sheet(
        title=sheet_title(plan.surgery),
        patient_label=patient_label,
        disclaimer=DISCLAIMER,
        bars=bars,
        first=span.first,
        last=span.last,
        follow_up=plan.follow_up,
        refills=refills,
        sections=tuple(
            section
            for section in _sections(plan)
            if section.lines and not (section.title == BEFORE_SURGERY and today is not None and today >= plan.surgery)
        ),
        call_when=tuple(
            Line(rule.title, rule.text) for m in plan.milestones if m.category == "safety" for rule in m.rules
        ),
        phones=tuple((p.label, p.number) for p in clinic.phones) if clinic else tuple((n, "") for n in PHONE_LINES),
        footer=sources_sentence(plan) + (f" {printed_sentence(today)}" if today is not None else ""),
        clinic=" · ".join(text for text in (clinic.name, clinic.address, clinic.note) if text) if clinic else None,
    )


def _sections(plan: Plan) -> list[Section]:
    before = [Line(_when(m), _what(m)) for m in plan.milestones if m.category == "preparation"]
    avoid = [Line(_until(m), _what(m)) for m in plan.milestones if m.kind == "starts" and m.category == "restriction"]
    periods = [m for m in plan.milestones if m.kind == "starts" and m.category in ("device", "activity")]
    # A period with an end, or one that starts later, is a step; one that starts with surgery and never
    # ends is for every day.
    steps = [
        Line(_until(m) if m.when.earliest == plan.surgery else from_day(m.when.earliest), _what(m))
        for m in periods
        if m.until or m.until_waits_for or m.when.earliest > plan.surgery
    ]
    every_day = [m.title for m in periods if not (m.until or m.until_waits_for or m.when.earliest > plan.surgery)]
    refills = listed_refills(plan)
    visits = [
        Line(_when(m), _visit(m))
        for m in plan.milestones
        if m.kind == "due" and m.category in ("visit", "device") and (not m.repeats or m in refills)
    ]
    repeated = [m.when.earliest for m in refills]
    visits += [Line(_waiting(u.moment.anchor), u.title) for u in plan.unscheduled if u.kind == "due"]
    return [
        Section(BEFORE_SURGERY, tuple(before)),
        Section(HEADING_AVOID, tuple(avoid)),
        Section(HEADING_STEPS, tuple(steps)),
        Section(HEADING_EVERY_DAY, (Line(FROM_SURGERY_ON, " · ".join(every_day)),) if every_day else ()),
        Section(HEADING_VISITS, tuple(_one_line_per_title(visits, repeated, _goes_on(plan)))),
    ]


def _one_line_per_title(lines: list[Line], repeated: list[date], goes_on: str) -> list[Line]:
    """Repeating visits (refills) on one line, "26 Jan, 20 Apr, 13 Jul 2027", not a line each."""
    merged: dict[str, list[str]] = {}
    for line in lines:
        merged.setdefault(line.what, []).append(line.when)
    result = []
    for what, whens in merged.items():
        if len(whens) > 1 and len(whens) == len(repeated):
            result.append(Line(_dates(repeated), f"{what}{goes_on}"))
        else:
            result.extend(Line(when, what) for when in whens)
    return result


def _dates(days: list[date]) -> str:
    # The year once per run of dates in one year: "26 Jan, 20 Apr 2027, 5 Jan 2028".
    parts = []
    for index, day in enumerate(days):
        last_of_year = index + 1 == len(days) or days[index + 1].year != day.year
        parts.append(format_date(day, weekday=False) if last_of_year else format_date(day, weekday=False)[:-5])
    return ", ".join(parts)


def _goes_on(plan: Plan) -> str:
    every = plan.refill_settings.every
    return f", then every {every.describe()}" if every is not None else ", then as your care team dates them"


def _visit(milestone: Milestone) -> str:
    if milestone.deadline:
        return f"{milestone.title} (by {format_date(milestone.when.latest, weekday=False)} at the latest)"
    return milestone.title


def _what(milestone: Milestone) -> str:
    members = members_phrase(milestone)
    return f"{milestone.title}: {members}" if members else milestone.title


def _when(milestone: Milestone) -> str:
    if milestone.when.is_range:
        return f"{format_span(milestone.when)} ({ASK})"
    return format_date(milestone.when.earliest)


def _until(milestone: Milestone) -> str:
    if milestone.waits_for_visit:
        phrase = until_phrase(milestone)
        return phrase[:1].upper() + phrase[1:]
    if milestone.until is not None:
        suffix = f" ({ASK})" if milestone.until.is_range else ""
        return f"Until {format_span(milestone.until)}{suffix}"
    if milestone.until_waits_for is not None:
        return f"Until {pending_phrase(milestone.until_waits_for)}"
    return FROM_NOW_ON


def _waiting(anchor: str) -> str:
    return CARE_TEAM_SETS_DATES if anchor == "refill" else date_to_come()
