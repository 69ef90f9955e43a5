"""`pumpcare today` and `pumpcare next` for the terminal: plain words a tired patient reads in ten seconds."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from pumpcare.layout import Bullets
from pumpcare.schedule import Milestone, Plan
from pumpcare.status import DayStatus, Upcoming
from pumpcare.wording import (
    ASK,
    DISCLAIMER,
    day_label,
    format_date,
    format_span,
    headline,
    members_phrase,
    until_phrase,
)


def render_today(plan: Plan, status: DayStatus) -> RenderableType:
    """The day's answer: where you are, what to avoid, what opened up, what is due, what comes next."""
    parts: list[RenderableType] = [_where(plan, status), Text(DISCLAIMER, style="italic")]
    if status.before_surgery:
        parts.append(_section("Before surgery", [_checklist_line(item) for item in status.before_surgery]))
    due = [m for m in status.due if not (status.before_surgery and m.category == "preparation")]
    if due:
        parts.append(_section("Due now", [_due_line(m) for m in due]))
    if status.day_number >= 0:
        avoid = [_period_line(status, m) for m in status.avoid] or [
            Text("Nothing from the leaflet. Ask your care team.")
        ]
        parts.append(_section("Avoid", avoid))
        if status.keep_doing:
            parts.append(_section("Keep doing", [_period_line(status, m) for m in status.keep_doing]))
    if status.opened:
        parts.append(_section("Opened up recently", [_opened_line(plan, m) for m in status.opened]))
    coming = [_upcoming_line(item) for item in status.coming] or [Text("Nothing else is dated in your plan.")]
    parts.append(_section("Coming next", coming))
    return Group(*parts)


def render_next(plan: Plan, items: tuple[Upcoming, ...], days: int) -> RenderableType:
    """What comes in the next `days` days, one line each."""
    title = f"Coming in the next {days} days" if days != 1 else "Coming tomorrow"
    lines = [_upcoming_line(item) for item in items] or [Text("Nothing is dated in that time.")]
    return Group(Text(title, style="bold underline"), Text(DISCLAIMER, style="italic"), Bullets(lines))


def _where(plan: Plan, status: DayStatus) -> Text:
    when = format_date(status.day)
    if status.day_number < 0:
        days = -status.day_number
        return Text.assemble(
            (f"Today, {when}: ", "bold"), f"surgery is in {days} day{'s' if days != 1 else ''}, ",
            f"on {format_date(plan.surgery)}.",
        )  # fmt: skip
    if status.day_number == 0:
        return Text.assemble((f"Today, {when}: ", "bold"), "the day of your surgery.")
    # Years later, "day 1826" means little; the years say it.
    years = f" ({day_label(plan, status.day)})" if status.day_number >= 365 else ""
    return Text.assemble((f"Today, {when}: ", "bold"), f"day {status.day_number} after surgery{years}.")


def _section(title: str, lines: list[Text]) -> Group:
    return Group(Text(""), Text(title, style="bold underline"), Bullets(lines))


def _checklist_line(item: Upcoming) -> Text:
    milestone = item.milestone
    line = Text(milestone.title, style="bold")
    when = milestone.when
    if when.is_range:
        line.append(f": any day {format_span(when)}, when your care team says")
    else:
        line.append(f": {format_date(when.earliest)} ({_away(item.days_away)})")
    return line


def _due_line(milestone: Milestone) -> Text:
    line = Text(milestone.title, style="bold")
    if milestone.when.is_range:
        line.append(f": due {format_span(milestone.when)} ({ASK})")
    else:
        line.append(": today")
    return line


def _period_line(status: DayStatus, milestone: Milestone) -> Text:
    line = Text(milestone.title, style="bold")
    members = members_phrase(milestone)
    if members:
        line.append(f" ({members.lower()})")
    if status.may_end_now(milestone) and milestone.until is not None and milestone.until.is_range:
        line.append(f": may end now, any day {format_span(milestone.until)}. Ask your care team first.")
    elif milestone.until is not None or milestone.until_pending is not None:
        line.append(f", {until_phrase(milestone)}")
    return line


def _opened_line(plan: Plan, milestone: Milestone) -> Text:
    if milestone.kind == "starts":
        since = plan.day_number(milestone.when.earliest)
        return Text.assemble(f"Since day {since}: ", (milestone.title, "bold"))
    ended = format_date(milestone.when.latest)
    if milestone.when.is_range:
        return Text.assemble(
            (milestone.title, "bold"), f": its window ended on {ended}. Ask your care team before you start again."
        )
    return Text.assemble((milestone.title, "bold"), f": ended on {ended}.")


def _upcoming_line(item: Upcoming) -> Text:
    milestone = item.milestone
    when = milestone.when
    if item.days_away < 0:
        line = Text(f"open now, until {format_date(when.latest)}: ")
    else:
        line = Text(f"{_away(item.days_away)}, {format_date(when.earliest)}: ")
    if item.is_surgery:
        line.append("Pump surgery", style="bold")
        line.append("; your recovery plan starts")
        return line
    line.append(headline(milestone), style="bold")
    if when.is_range:
        line.append(f" ({format_span(when)}, {ASK})")
    return line


def _away(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days < 0:
        return f"{-days} days ago"
    return f"in {days} days"
