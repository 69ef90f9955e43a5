"""`pumpcare today` and `pumpcare next` for the terminal: plain words a tired patient reads in ten seconds."""

from __future__ import annotations

from datetime import date

from rich.console import Group, RenderableType
from rich.text import Text

from pumpcare.layout import Bullets, disclaimers
from pumpcare.pumplife import Logged, RefillDue, RefillSettings, numbers_in_use
from pumpcare.saved import SavedPlan, fill_from
from pumpcare.schedule import Milestone, Plan
from pumpcare.status import DayStatus, Upcoming, battery_now, refill_now
from pumpcare.wording import (
    ask,
    at_the_visit,
    day_label,
    days_phrase,
    deadline_phrase,
    format_date,
    format_span,
    headline,
    members_phrase,
    no_refill_dates,
    order_note,
    translation_note,
    until_phrase,
    until_visit_not_recorded,
)
from pumpcare.wording_labels import (
    coming_title,
    heading_avoid,
    heading_before_surgery,
    heading_coming,
    heading_due_now,
    heading_keep_doing,
    heading_opened,
    heading_pump,
    log_refill_hint,
    log_replacement_hint,
    nothing_coming,
    nothing_in_days,
    nothing_logged,
    nothing_to_avoid,
    undo_hint,
)
from pumpcare.wording_phrases import (
    any_day_span,
    away_on,
    due_span,
    due_today,
    ended_on,
    may_end_now,
    on_date_away,
    on_surgery_day,
    open_until,
    paren,
    plan_starts,
    pump_surgery,
    sentence_then,
    since_day,
    span_ask,
    then_phrase,
    visit_was,
    where_today,
    window_ended,
)
from pumpcare.wording_pump import (
    battery_sentence,
    book_replacement_sentence,
    goes_on_sentence,
    history_title,
    logged_overdue_sentence,
    logged_sentence,
    numbers_in_use_sentence,
    record_dated_follow_up,
    record_follow_up,
    recorded_sentence,
    refill_basis,
    refill_sentence,
    visit_logged_sentence,
)

_ALERT = "bold red"


def render_today(plan: Plan, status: DayStatus) -> RenderableType:
    """The day's answer: what is overdue, where you are, what to avoid, what is due, the pump, what comes next."""
    parts: list[RenderableType] = [*_alerts(plan, status), _where(plan, status), *disclaimers()]
    if status.before_surgery:
        parts.append(_section(heading_before_surgery(), [_checklist_line(item) for item in status.before_surgery]))
    due = [m for m in status.due if not (status.before_surgery and m.category == "preparation")]
    due_lines = [_due_line(m) for m in due]
    refill = status.refill
    if refill is not None and refill.due is not None and refill.days_away == 0:
        # On its day the refill is a thing to do today, like the follow-up visit, not a line about the pump.
        due_lines.append(_refill_line(plan, refill.due, 0))
    if due_lines:
        parts.append(_section(heading_due_now(), due_lines))
    if status.day_number >= 0:
        avoid = [_period_line(status, m) for m in status.avoid] or [Text(nothing_to_avoid())]
        parts.append(_section(heading_avoid(), avoid))
        if status.keep_doing:
            parts.append(_section(heading_keep_doing(), [_period_line(status, m) for m in status.keep_doing]))
    if status.opened:
        parts.append(_section(heading_opened(), [_opened_line(plan, m) for m in status.opened]))
    pump = _pump_lines(plan, status)
    if pump:
        parts.append(_section(heading_pump(), pump))
    coming = [_upcoming_line(item) for item in status.coming] or [Text(nothing_coming())]
    parts.append(_section(heading_coming(), coming))
    return Group(*parts)


def render_next(plan: Plan, status: DayStatus, items: tuple[Upcoming, ...], days: int) -> RenderableType:
    """What comes in the next `days` days, one line each, after anything overdue."""
    title = coming_title(days)
    lines = [_upcoming_line(item) for item in items] or [Text(nothing_in_days())]
    if status.refill is not None and status.refill.due is None:
        lines.append(Text(no_refill_dates()))
    return Group(*_alerts(plan, status), Text(title, style="bold underline"), *disclaimers(), Bullets(lines))


def _alerts(plan: Plan, status: DayStatus) -> list[RenderableType]:
    """What is overdue leads the answer, every day until the record says it happened."""
    lines: list[Text] = []
    refill = status.refill
    if refill is not None and refill.overdue and refill.due is not None:
        lines.append(Text(refill_sentence(refill.due, refill.days_away), style=_ALERT))
        lines.extend(Text(text, style="bold") for text in _refill_overdue_texts(plan))
        lines.append(Text(log_refill_hint()))
    battery = status.battery
    if battery is not None and battery.overdue:
        lines.append(Text(battery_sentence(battery.battery.opens, battery.battery.deadline, status.day), style=_ALERT))
        if battery.battery.milestone.overdue:
            lines.append(Text(battery.battery.milestone.overdue, style="bold"))
        lines.append(Text(log_replacement_hint()))
    elif battery is not None and battery.to_book is not None:
        urgent = battery.to_book == "last-days"
        sentence = book_replacement_sentence(battery.battery.deadline, status.day, urgent=urgent)
        lines.append(Text(sentence, style=_ALERT if urgent else "bold"))
        lines.append(Text(log_replacement_hint()))
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
        lines.append(Text(no_refill_dates()))
    elif refill is not None and refill.due is not None and refill.days_away > 0:
        lines.append(_refill_line(plan, refill.due, refill.days_away))
    battery = status.battery
    if battery is not None and not battery.overdue and battery.to_book is None:  # else the alert above says it
        lines.append(Text(battery_sentence(battery.battery.opens, battery.battery.deadline, status.day)))
    if status.follow_up_to_record:
        lines.append(Text(record_follow_up()))
    if status.visit_not_recorded is not None:
        lines.append(Text(record_dated_follow_up(status.visit_not_recorded)))
    return lines


def render_history(saved: SavedPlan) -> RenderableType:
    """What the record says has happened, oldest first, numbered in the order it was logged."""
    title = Text(history_title(_surgery(saved)), style="bold")
    if not saved.history:
        return Group(title, *_note(), Text(nothing_logged()))
    lines = [Text(logged_sentence(entry)) for entry in _by_day(saved.history)]
    parts: list[RenderableType] = [title, *_note(), Bullets(lines)]
    numbers = numbers_in_use(RefillSettings(fill=fill_from(saved.inputs)), saved.history)
    if numbers is not None or any(entry.numbers_cleared for entry in saved.history):
        parts.append(Text(numbers_in_use_sentence(numbers)))
    return Group(*parts, Text(undo_hint(), style="dim"))


def _note() -> list[Text]:
    """In a language no clinician has reviewed, the sentence that says so; nothing otherwise."""
    note = translation_note()
    return [Text(note, style="italic")] if note else []


def _by_day(history: tuple[Logged, ...]) -> list[Logged]:
    return sorted(history, key=lambda entry: entry.day)


def _surgery(saved: SavedPlan) -> date:
    return date.fromisoformat(saved.inputs.surgery_date or "")


def render_logged(plan: Plan, entry: Logged, today: date) -> RenderableType:
    """What a `log` command recorded, and what it changes: the next refill, the battery, or the follow-up."""
    kind = entry.kind
    lines = [Text(recorded_sentence(entry))]
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
    return Group(*lines, *_note())


def _where(plan: Plan, status: DayStatus) -> Text:
    # Years later, "day 1826" means little; the years say it.
    years = f" ({day_label(plan, status.day)})" if status.day_number >= 365 else ""
    lead, rest = where_today(format_date(status.day), status.day_number, years)
    line = Text.assemble((lead, "bold"), rest)
    if status.day_number < 0:
        line.append(on_surgery_day(format_date(plan.surgery)))
    return line


def _section(title: str, lines: list[Text]) -> Group:
    return Group(Text(""), Text(title, style="bold underline"), Bullets(lines))


def _checklist_line(item: Upcoming) -> Text:
    milestone = item.milestone
    line = Text(milestone.title, style="bold")
    when = milestone.when
    if when.is_range:
        line.append(any_day_span(format_span(when)))
    else:
        line.append(on_date_away(format_date(when.earliest), days_phrase(item.days_away)))
    return line


def _refill_line(plan: Plan, due: RefillDue, days_away: int) -> Text:
    line = Text(refill_sentence(due, days_away), style="bold")
    line.append(" " + refill_basis(plan, due), style="")
    return line


def _due_line(milestone: Milestone) -> Text:
    line = Text(milestone.title, style="bold")
    if milestone.when.is_range:
        line.append(due_span(format_span(milestone.when), paren(ask())))
    else:
        line.append(due_today())
    return line


def _period_line(status: DayStatus, milestone: Milestone) -> Text:
    line = Text(milestone.title, style="bold")
    members = members_phrase(milestone, within_sentence=True)
    if members:
        line.append(paren(members))
    if milestone.set_by_care_team:
        line.append(order_note(milestone))
    if status.may_end_now(milestone) and milestone.until is not None and milestone.until.is_range:
        line.append(may_end_now(format_span(milestone.until)))
    elif milestone.waits_for_visit and status.visit_not_recorded is not None:
        line.append(then_phrase(until_visit_not_recorded(status.visit_not_recorded)))
    elif milestone.until is not None or milestone.until_waits_for is not None:
        line.append(then_phrase(until_phrase(milestone)))
    return line


def _opened_line(plan: Plan, milestone: Milestone) -> Text:
    if milestone.kind == "starts":
        since = plan.day_number(milestone.when.earliest)
        return Text.assemble(since_day(since), (milestone.title, "bold"))
    ended = format_date(milestone.when.latest)
    if milestone.waits_for_visit:
        return Text.assemble((milestone.title, "bold"), visit_was(at_the_visit(), ended))
    if milestone.when.is_range:
        return Text.assemble((milestone.title, "bold"), window_ended(ended))
    return Text.assemble((milestone.title, "bold"), ended_on(ended))


def _upcoming_line(item: Upcoming) -> Text:
    milestone = item.milestone
    when = milestone.when
    if item.days_away < 0:
        line = Text(open_until(format_date(when.latest)))
    else:
        line = Text(away_on(days_phrase(item.days_away), format_date(when.earliest)))
    if item.is_surgery:
        line.append(pump_surgery(), style="bold")
        line.append(plan_starts())
        return line
    line.append(headline(milestone), style="bold")
    if when.is_range:
        line.append(span_ask(format_span(when), ask()))
    if milestone.set_by_care_team:
        line.append(order_note(milestone))
    if milestone.deadline:
        line.append(sentence_then(deadline_phrase(milestone, when.latest)))
    return line
