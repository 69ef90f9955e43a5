"""The plan as a rich timeline for an 80-column terminal: one row per date, in date order."""

from __future__ import annotations

from datetime import date
from itertools import groupby

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from pumpcare.schedule import Milestone, Plan
from pumpcare.wording import ASK, DISCLAIMER, day_label, format_date, format_span, undated_phrase

_TODAY = "» Today"


def render_plan(plan: Plan, *, today: date | None = None) -> RenderableType:
    """The whole plan: a heading, the dated timeline, then what cannot be dated yet."""
    parts: list[RenderableType] = [
        Text.assemble(("Recovery plan", "bold"), f" · pump surgery on {format_date(plan.surgery)}"),
        Text(DISCLAIMER, style="italic"),
        _timeline(plan, today),
    ]
    if plan.unscheduled:
        parts.append(_undated(plan))
    return Group(*parts)


def _timeline(plan: Plan, today: date | None) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("Date", no_wrap=True)
    table.add_column("After surgery", no_wrap=True)
    table.add_column("What", ratio=1)
    pending_today = today
    for day, items in groupby(plan.milestones, key=lambda m: m.when.earliest):
        is_today = pending_today == day
        if pending_today is not None and pending_today < day:
            table.add_row(format_date(pending_today), day_label(plan, pending_today), Text(_TODAY, style="bold"))
        if pending_today is not None and pending_today <= day:
            pending_today = None
        table.add_row(format_date(day), day_label(plan, day), _day_cell(list(items), is_today))
    if pending_today is not None:
        table.add_row(format_date(pending_today), day_label(plan, pending_today), Text(_TODAY, style="bold"))
    return table


def _day_cell(milestones: list[Milestone], today: bool) -> Table:
    # A grid, not plain text, so a wrapped line stays indented under its bullet.
    cell = Table.grid()
    cell.add_column(no_wrap=True)
    cell.add_column(ratio=1)
    if today:
        cell.add_row("", Text(_TODAY, style="bold"))
    starts_heading = False
    for milestone in milestones:
        if milestone.kind == "starts" and not starts_heading:
            cell.add_row("", Text("From today:", style="dim"))
            starts_heading = True
        cell.add_row("• ", _line(milestone))
        if len(milestone.rules) > 1:
            cell.add_row("", Text(" · ".join(rule.title for rule in milestone.rules), style="dim"))
    return cell


def _line(milestone: Milestone) -> Text:
    text = Text(milestone.title, style="bold")
    when = milestone.when
    # A range always says who decides; a clinician's order says whose it is instead.
    note = " (your care team's order)" if milestone.overridden else f" ({ASK})"
    if milestone.kind == "due" and when.is_range:
        text.append(f": due {format_span(when)}{note}")
    elif milestone.kind == "ends":
        text.append(f" may end {format_span(when)}{note}" if when.is_range else ": ends")
        text.append(note if milestone.overridden and not when.is_range else "")
    elif milestone.kind == "starts":
        if milestone.until is not None:
            text.append(f", until {format_span(milestone.until)}")
            text.append(note if milestone.until.is_range or milestone.overridden else "")
        elif milestone.until_anchor == "follow-up":
            text.append(", until your follow-up visit")
    elif milestone.overridden:
        text.append(note)
    return text


def _undated(plan: Plan) -> Group:
    lines: list[RenderableType] = [Text("Not dated yet", style="bold")]
    for item in plan.unscheduled:
        lines.append(Text.assemble("• ", (item.title, "bold"), f": {undated_phrase(item.kind, item.anchor)}"))
    return Group(*lines)
