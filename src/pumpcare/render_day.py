"""`pumpcare today` and `pumpcare next` for the terminal: plain words a tired patient reads in ten seconds."""

from __future__ import annotations

from datetime import date

from rich.console import Group, RenderableType
from rich.text import Text

from pumpcare.layout import Bullets
from pumpcare.pumplife import Logged, LoggedKind
from pumpcare.saved import SavedPlan
from pumpcare.schedule import Milestone, Plan
from pumpcare.status import DayStatus, Upcoming, battery_now, refill_now
from pumpcare.wording import (
    ASK,
    AT_THE_VISIT,
    CARE_TEAM_ORDER,
    DISCLAIMER,
    HEADING_AVOID,
    HEADING_BEFORE_SURGERY,
    HEADING_COMING,
    HEADING_DUE_NOW,
    HEADING_KEEP_DOING,
    HEADING_OPENED,
    HEADING_PUMP,
    LOG_REFILL_HINT,
    LOG_REPLACEMENT_HINT,
    NO_REFILL_DATES,
    NOTHING_COMING,
    NOTHING_IN_DAYS,
    NOTHING_LOGGED,
    NOTHING_TO_AVOID,
    RECORD_FOLLOW_UP,
    UNDO_HINT,
    battery_sentence,
    coming_title,
    day_label,
    days_phrase,
    format_date,
    format_span,
    goes_on_sentence,
    headline,
    logged_overdue_sentence,
    logged_sentence,
    members_phrase,
    recorded_sentence,
    refill_basis,
    refill_sentence,
    since_day,
    until_phrase,
    visit_logged_sentence,
    where_today,
)

_ALERT = "bold red"


def render_today(plan: Plan, status: DayStatus) -> RenderableType:
    """The day's answer: what is overdue, where you are, what to avoid, what is due, the pump, what comes next."""
    parts: list[RenderableType] = [*_alerts(plan, status), _where(plan, status), Text(DISCLAIMER, style="italic")]
    if status.before_surgery:
        parts.append(_section(HEADING_BEFORE_SURGERY, [_checklist_line(item) for item in status.before_surgery]))
    due = [m for m in status.due if not (status.before_surgery and m.category == "preparation")]
    if due:
        parts.append(_section(HEADING_DUE_NOW, [_due_line(m) for m in due]))
    if status.day_number >= 0:
        avoid = [_period_line(status, m) for m in status.avoid] or [Text(NOTHING_TO_AVOID)]
        parts.append(_section(HEADING_AVOID, avoid))
        if status.keep_doing:
            parts.append(_section(HEADING_KEEP_DOING, [_period_line(status, m) for m in status.keep_doing]))
    if status.opened:
        parts.append(_section(HEADING_OPENED, [_opened_line(plan, m) for m in status.opened]))
    pump = _pump_lines(plan, status)
    if pump:
        parts.append(_section(HEADING_PUMP, pump))
    coming = [_upcoming_line(item) for item in status.coming] or [Text(NOTHING_COMING)]
    parts.append(_section(HEADING_COMING, coming))
    return Group(*parts)


def render_next(plan: Plan, status: DayStatus, items: tuple[Upcoming, ...], days: int) -> RenderableType:
    """What comes in the next `days` days, one line each, after anything overdue."""
    title = coming_title(days)
    lines = [_upcoming_line(item) for item in items] or [Text(NOTHING_IN_DAYS)]
    if status.refill is not None and status.refill.due is None:
        lines.append(Text(NO_REFILL_DATES))
    return Group(
        *_alerts(plan, status), Text(title, style="bold underline"), Text(DISCLAIMER, style="italic"), Bullets(lines)
    )


def _alerts(plan: Plan, status: DayStatus) -> list[RenderableType]:
    """What is overdue leads the answer, every day until the record says it happened."""
    lines: list[Text] = []
    refill = status.refill
    if refill is not None and refill.overdue and refill.due is not None:
        lines.append(Text(refill_sentence(refill.due, refill.days_away), style=_ALERT))
        lines.extend(Text(text, style="bold") for text in _refill_overdue_texts(plan))
        lines.append(Text(LOG_REFILL_HINT))
    battery = status.battery
    if battery is not None and battery.overdue:
        lines.append(Text(battery_sentence(battery.battery.opens, battery.battery.deadline, status.day), style=_ALERT))
        if battery.battery.milestone.overdue:
            lines.append(Text(battery.battery.milestone.overdue, style="bold"))
        lines.append(Text(LOG_REPLACEMENT_HINT))
    return [Bullets(lines, bullet="! "), Text("")] if lines else []


def _refill_overdue_texts(plan: Plan) -> list[str]:
    texts = [m.overdue for m in plan.milestones if m.repeats and m.overdue][:1]
    drug = plan.refill_settings.drug
    return texts + ([drug.text] if drug is not None else [])


def _pump_lines(plan: Plan, status: DayStatus) -> list[Text]:
    """The next refill (or how to enter refill dates), the battery, and how to record the follow-up visit."""
    lines: list[Text] = []
    refill = status.refill
    if refill is not None and refill.due is None:
        lines.append(Text(NO_REFILL_DATES))
    elif refill is not None and refill.due is not None and not refill.overdue:
        line = Text(refill_sentence(refill.due, refill.days_away), style="bold")
        line.append(" " + refill_basis(plan, refill.due), style="")
        lines.append(line)
    battery = status.battery
    if battery is not None and not battery.overdue:
        lines.append(Text(battery_sentence(battery.battery.opens, battery.battery.deadline, status.day)))
    if status.follow_up_to_record:
        lines.append(Text(RECORD_FOLLOW_UP))
    return lines


def render_history(saved: SavedPlan) -> RenderableType:
    """What the record says has happened, oldest first, numbered in the order it was logged."""
    title = Text(f"What has happened · pump surgery on {format_date(_surgery(saved))}", style="bold")
    if not saved.history:
        return Group(title, Text(NOTHING_LOGGED))
    lines = [Text(logged_sentence(entry)[:1].upper() + logged_sentence(entry)[1:]) for entry in _by_day(saved.history)]
    return Group(title, Bullets(lines), Text(UNDO_HINT, style="dim"))


def _by_day(history: tuple[Logged, ...]) -> list[Logged]:
    return sorted(history, key=lambda entry: entry.day)


def _surgery(saved: SavedPlan) -> date:
    return date.fromisoformat(saved.inputs.surgery_date or "")


def render_logged(plan: Plan, kind: LoggedKind, day: date, today: date) -> RenderableType:
    """What a `log` command recorded, and what it changes: the next refill, the battery, or the follow-up."""
    lines = [Text(recorded_sentence(Logged(kind, day)))]
    if kind == "refill":
        refill = refill_now(plan, today)
        if refill.due is not None and refill.overdue:
            lines.append(Text(logged_overdue_sentence(refill.due)))
        elif refill.due is not None:
            lines.append(Text(refill_sentence(refill.due, refill.days_away) + " " + goes_on_sentence(plan)))
    elif kind == "replacement":
        battery = battery_now(plan, today)
        if battery is not None:
            lines.append(Text(battery_sentence(battery.battery.opens, battery.battery.deadline, today)))
    else:
        waited = [m.title for m in plan.milestones if m.kind == "ends" and m.waits_for_visit]
        if waited:
            lines.append(Text(visit_logged_sentence(waited)))
    return Group(*lines)


def _where(plan: Plan, status: DayStatus) -> Text:
    # Years later, "day 1826" means little; the years say it.
    years = f" ({day_label(plan, status.day)})" if status.day_number >= 365 else ""
    lead, rest = where_today(format_date(status.day), status.day_number, years)
    line = Text.assemble((lead, "bold"), rest)
    if status.day_number < 0:
        line.append(f"on {format_date(plan.surgery)}.")
    return line


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
    if milestone.set_by_care_team:
        line.append(f" ({CARE_TEAM_ORDER})")
    if status.may_end_now(milestone) and milestone.until is not None and milestone.until.is_range:
        line.append(f": may end now, any day {format_span(milestone.until)}. Ask your care team first.")
    elif milestone.until is not None or milestone.until_waits_for is not None:
        line.append(f", {until_phrase(milestone)}")
    return line


def _opened_line(plan: Plan, milestone: Milestone) -> Text:
    if milestone.kind == "starts":
        since = plan.day_number(milestone.when.earliest)
        return Text.assemble(since_day(since), (milestone.title, "bold"))
    ended = format_date(milestone.when.latest)
    if milestone.waits_for_visit:
        return Text.assemble((milestone.title, "bold"), f": {AT_THE_VISIT} (the visit: {ended}).")
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
    if milestone.set_by_care_team:
        line.append(f" ({CARE_TEAM_ORDER})")
    if milestone.deadline:
        line.append(f". {milestone.deadline} {format_date(when.latest)}")
    return line


def _away(days: int) -> str:
    return days_phrase(days)
