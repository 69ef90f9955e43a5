"""The one-page discharge sheet's content, as plain data both the PDF and the HTML renderers draw. Pure."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from pumpcare.clinic import Clinic
from pumpcare.i18n import ENGLISH, in_its_language
from pumpcare.rules import Rule
from pumpcare.schedule import Milestone, Plan
from pumpcare.status import chart_span, listed_refills
from pumpcare.wording import (
    ask_note,
    disclaimer_with_note,
    every_phrase,
    format_date,
    format_dates,
    format_span,
    members_phrase,
    order_note,
    pending_phrase,
    sources_sentence,
    until_phrase,
)
from pumpcare.wording_labels import (
    care_team_sets_dates,
    date_to_come,
    from_day,
    from_now_on,
    from_surgery_on,
    heading_avoid,
    heading_before_surgery,
    heading_every_day,
    heading_steps,
    heading_visits,
    phone_lines,
    printed_sentence,
    sheet_title,
)
from pumpcare.wording_phrases import (
    book_by,
    by_at_the_latest,
    then_as_dated,
    then_every,
    until_capital,
    until_event,
)


class Line(NamedTuple):
    """One row of a checklist: when, and what."""

    when: str
    what: str


class Section(NamedTuple):
    """A titled checklist."""

    title: str
    lines: tuple[Line, ...]
    # Each line set across the page, its when as a label, not in the two columns: a short when before a long
    # list (every day's) would leave the left column empty for lines on end.
    across: bool = False


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
    call_when: tuple[Line, ...]  # (title, text) of the safety rules and of the rules that say when to call
    phones: tuple[tuple[str, str], ...]  # (what the number is for, the number, or "" for a line to write on)
    footer: str = ""  # where the instructions come from, which rules made the plan, and when it was printed
    clinic: str | None = None  # the clinic's name, address and note, when a profile was given
    # The drug's labelled warning, the words `plan` and every refill event give, when the plan names a drug.
    drug_warning: str | None = None
    lang: str = ENGLISH  # the plan's language, which the PDF and HTML writers speak


@in_its_language
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
        disclaimer=disclaimer_with_note(),
        bars=bars,
        first=span.first,
        last=span.last,
        follow_up=plan.follow_up,
        refills=refills,
        sections=tuple(section for section in _sections(plan, today) if section.lines),
        call_when=tuple(Line(rule.title, rule.text) for m in plan.milestones for rule in m.rules if _says_call(rule)),
        phones=tuple((p.label, p.number) for p in clinic.phones) if clinic else tuple((n, "") for n in phone_lines()),
        footer=sources_sentence(plan) + (f" {printed_sentence(today)}" if today is not None else ""),
        clinic=" · ".join(text for text in (clinic.name, clinic.address, clinic.note) if text) if clinic else None,
        drug_warning=drug.text if (drug := plan.refill_settings.drug) is not None else None,
        lang=plan.lang,
    )


def _says_call(rule: Rule) -> bool:
    return rule.category == "safety" or rule.when_to_call


def _sections(plan: Plan, today: date | None) -> list[Section]:
    after_surgery = today is not None and today >= plan.surgery
    before = [Line(_when(m), _what(m)) for m in plan.milestones if m.category == "preparation" and not after_surgery]
    avoid = [Line(_until(m), _what(m)) for m in plan.milestones if m.kind == "starts" and m.category == "restriction"]
    # A rule printed under "When to call", with its text, is not named again among the steps or every day.
    periods = [
        m
        for m in plan.milestones
        if m.kind == "starts" and m.category in ("device", "activity") and not all(map(_says_call, m.rules))
    ]
    # A period with an end, or one that starts later, is a step; one that starts with surgery and never
    # ends is for every day.
    steps = [
        Line(
            _until(m) if m.when.earliest == plan.surgery else from_day(format_date(m.when.earliest, compact=True)),
            _what(m),
        )
        for m in periods
        if m.until or m.until_waits_for or m.when.earliest > plan.surgery
    ]
    every_day = [m.title for m in periods if not (m.until or m.until_waits_for or m.when.earliest > plan.surgery)]
    refills = listed_refills(plan)
    booking = next((m.when.earliest for m in plan.milestones if m.anchor == "replace-by"), None)
    visits = [
        Line(_when(m), _visit(m, booking))
        for m in plan.milestones
        if m.kind == "due"
        and m.category in ("visit", "device")
        and (not m.repeats or m in refills)
        # Booking the replacement is said on the battery's own line: a page has room for one line of it.
        and m.anchor != "replace-by"
    ]
    repeated = [m.when.earliest for m in refills]
    visits += [Line(_waiting(u.moment.anchor), u.title) for u in plan.unscheduled if u.kind == "due"]
    return [
        Section(heading_before_surgery(), tuple(before)),
        Section(heading_avoid(), tuple(avoid)),
        Section(heading_steps(), tuple(steps)),
        Section(
            heading_every_day(), (Line(from_surgery_on(), " · ".join(every_day)),) if every_day else (), across=True
        ),
        Section(heading_visits(), tuple(_one_line_per_title(visits, repeated, _goes_on(plan)))),
    ]


def _one_line_per_title(lines: list[Line], repeated: list[date], goes_on: str) -> list[Line]:
    """Repeating visits (refills) on one line, "26 Jan, 20 Apr, 13 Jul 2027", not a line each."""
    merged: dict[str, list[str]] = {}
    for line in lines:
        merged.setdefault(line.what, []).append(line.when)
    result = []
    for what, whens in merged.items():
        if len(whens) > 1 and len(whens) == len(repeated):
            result.append(Line(format_dates(repeated), f"{what}{goes_on}"))
        else:
            result.extend(Line(when, what) for when in whens)
    return result


def _goes_on(plan: Plan) -> str:
    step = plan.refill_spacing()
    return then_every(every_phrase(step.every)) if step is not None else then_as_dated()


def _visit(milestone: Milestone, booking: date | None) -> str:
    if milestone.deadline and booking is not None:
        return book_by(milestone.title, format_date(booking, weekday=False))
    if milestone.deadline:
        return by_at_the_latest(milestone.title, format_date(milestone.when.latest, weekday=False))
    return milestone.title


def _what(milestone: Milestone) -> str:
    # A clinician's order says whose it is beside the title, where the column has room for it.
    title = milestone.title + (order_note(milestone) if milestone.set_by_care_team else "")
    members = members_phrase(milestone)
    return f"{title}: {members}" if members else title


def _when(milestone: Milestone) -> str:
    if milestone.when.is_range:
        return format_span(milestone.when) + ("" if milestone.set_by_care_team else ask_note())
    return format_date(milestone.when.earliest, compact=True)


def _until(milestone: Milestone) -> str:
    if milestone.waits_for_visit:
        phrase = until_phrase(milestone)
        return phrase[:1].upper() + phrase[1:]
    if milestone.until is not None:
        # A range says who decides; a clinician's order says whose it is instead, beside the title.
        suffix = ask_note() if milestone.until.is_range and not milestone.set_by_care_team else ""
        return until_capital(format_span(milestone.until), suffix)
    if milestone.until_waits_for is not None:
        return until_event(pending_phrase(milestone.until_waits_for))
    return from_now_on()


def _waiting(anchor: str) -> str:
    return care_team_sets_dates() if anchor == "refill" else date_to_come()
