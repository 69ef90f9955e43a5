"""The plan as JSON with a stable, documented shape (see README, "JSON output")."""

from __future__ import annotations

import json
from typing import Any

from pumpcare.i18n import current, in_its_language
from pumpcare.pumplife import Logged
from pumpcare.rules import Moment
from pumpcare.saved import SavedPlan
from pumpcare.schedule import Milestone, Plan, Window
from pumpcare.status import DayStatus, Upcoming
from pumpcare.wording import disclaimer, no_refill_dates, translation_note
from pumpcare.wording_pump import battery_sentence, refill_basis, refill_sentence

FORMAT_VERSION = 1


@in_its_language
def render_json(plan: Plan) -> str:
    """Every milestone with ISO dates, rule ids and windows; keys in a fixed order."""
    document: dict[str, Any] = {
        "format": "pumpcare-plan",
        "format_version": FORMAT_VERSION,
        **_language(),
        "rules": {"name": plan.ruleset.name, "version": plan.ruleset.version},
        "surgery_date": plan.surgery.isoformat(),
        "follow_up_date": plan.follow_up.isoformat() if plan.follow_up else None,
        "refills": (
            {"first": plan.refills.first.isoformat(), "every": str(plan.refills.every)} if plan.refills else None
        ),
        "next_refill": _refill(plan, plan.refill_due(), None),
        "drug": plan.refill_settings.drug.id if plan.refill_settings.drug else None,
        "history": [_logged(entry) for entry in plan.history],
        "overrides": [
            {"rule_id": o.rule_id, "earliest": str(o.earliest), "latest": str(o.latest)} for o in plan.overrides
        ],
        "milestones": [_milestone(plan, m) for m in plan.milestones],
        "unscheduled": [
            {
                "key": u.key,
                "kind": u.kind,
                "waits_for": _moment(u.moment),
                "title": u.title,
                "rule_ids": [rule.id for rule in u.rules],
            }
            for u in plan.unscheduled
        ],
        "warnings": list(plan.warnings),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _milestone(plan: Plan, milestone: Milestone) -> dict[str, Any]:
    return {
        "key": milestone.key,
        "kind": milestone.kind,
        "title": milestone.title,
        "category": milestone.category,
        **_window(milestone.when),
        "day": plan.day_number(milestone.when.earliest),
        "until": _window(milestone.until) if milestone.until else None,
        "until_waits_for": _moment(milestone.until_waits_for) if milestone.until_waits_for else None,
        "remind": milestone.remind,
        "set_by_care_team": milestone.set_by_care_team,
        "leaflet_timing": _moment(milestone.leaflet_timing) if milestone.leaflet_timing else None,
        "done": milestone.done,
        "waits_for_visit": milestone.waits_for_visit,
        "deadline": milestone.deadline,
        "rules": [
            {"id": rule.id, "title": rule.title, "text": rule.text, "source": rule.source} for rule in milestone.rules
        ],
    }


def _moment(moment: Moment) -> dict[str, str]:
    """A moment that waits for a date: its anchor and the offsets from it."""
    return {"anchor": moment.anchor, "earliest": str(moment.earliest), "latest": str(moment.latest)}


def _window(window: Window) -> dict[str, str]:
    return {"earliest": window.earliest.isoformat(), "latest": window.latest.isoformat()}


def render_today_json(plan: Plan, status: DayStatus) -> str:
    """`pumpcare today --json`: the same sections as the text, as lists of milestones."""
    document: dict[str, Any] = {
        "format": "pumpcare-today",
        "format_version": FORMAT_VERSION,
        **_language(),
        "date": status.day.isoformat(),
        "surgery_date": plan.surgery.isoformat(),
        "day": status.day_number,
        "avoid": [{**_milestone(plan, m), "may_end_now": status.may_end_now(m)} for m in status.avoid],
        "keep_doing": [{**_milestone(plan, m), "may_end_now": status.may_end_now(m)} for m in status.keep_doing],
        "opened": [_milestone(plan, m) for m in status.opened],
        "due": [_milestone(plan, m) for m in status.due],
        "before_surgery": [_upcoming(plan, item) for item in status.before_surgery],
        "coming": [_upcoming(plan, item) for item in status.coming],
        **_pump(plan, status),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_next_json(plan: Plan, status: DayStatus, days: int, items: tuple[Upcoming, ...]) -> str:
    """`pumpcare next --json`: what starts within `days` days of the day, and what is overdue."""
    document: dict[str, Any] = {
        "format": "pumpcare-next",
        "format_version": FORMAT_VERSION,
        **_language(),
        "date": status.day.isoformat(),
        "days": days,
        "coming": [_upcoming(plan, item) for item in items],
        **_pump(plan, status),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _pump(plan: Plan, status: DayStatus) -> dict[str, Any]:
    """The facts `today` and `next` show about the pump: overdue items, the next refill, the battery."""
    refill, battery = status.refill, status.battery
    return {
        "overdue": list(status.alerts),
        "refill": (
            _refill(plan, refill.due, refill.days_away)
            if refill is not None and refill.due is not None
            else {"scheduled": False, "message": no_refill_dates()}
            if refill is not None
            else None
        ),
        "battery": (
            {
                "implant_date": battery.battery.implant.isoformat(),
                "opens": battery.battery.opens.isoformat(),
                "deadline": battery.battery.deadline.isoformat(),
                "days_to_deadline": battery.days_to_deadline,
                "window_open": battery.window_open,
                "overdue": battery.overdue,
                "book_replacement_from": (
                    battery.battery.schedule_from.isoformat() if battery.battery.schedule_from else None
                ),
                "book_replacement": battery.to_book,
                "message": battery_sentence(battery.battery.opens, battery.battery.deadline, status.day),
            }
            if battery is not None
            else None
        ),
        "follow_up_to_record": status.follow_up_to_record,
        "follow_up_not_recorded": status.visit_not_recorded.isoformat() if status.visit_not_recorded else None,
    }


def _refill(plan: Plan, due: Any, days_away: int | None) -> dict[str, Any] | None:
    if due is None:
        return None
    step = due.spacing.step(due.day)
    fact: dict[str, Any] = {
        "scheduled": True,
        "number": due.number,
        "due_date": due.day.isoformat(),
        "basis": due.basis,
        "last_filled": due.filled.isoformat(),
        "alarm_date": due.alarm_day.isoformat() if due.alarm_day else None,
        "alarm_days": due.alarm.days if due.alarm else None,
        "drug_limit_date": due.limit_day.isoformat() if due.limit_day else None,
        # The refills after this one: how far apart, and what sets the gap ("interval", "alarm", "drug-limit").
        "then_every": str(step.every) if step else None,
        "then_basis": step.basis if step else None,
        "numbers_recorded_on": due.numbers.since.isoformat() if due.numbers and due.numbers.since else None,
        "explanation": refill_basis(plan, due),
    }
    if days_away is not None:
        fact.update(days_away=days_away, overdue=days_away < 0, message=refill_sentence(due, days_away))
    return fact


def _logged(entry: Logged) -> dict[str, Any]:
    fill = entry.fill
    return {
        "event": entry.kind,
        "date": entry.day.isoformat(),
        "fill_volume": str(fill.volume) if fill else None,
        "concentration": str(fill.concentration) if fill else None,
        "daily_dose": str(fill.dose) if fill else None,
    }


def render_history_json(saved: SavedPlan) -> str:
    """`pumpcare history --json`: the record's entries in the order they were logged."""
    document = {
        "format": "pumpcare-history",
        "format_version": FORMAT_VERSION,
        "surgery_date": saved.inputs.surgery_date,
        "history": [_logged(entry) for entry in saved.history],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _upcoming(plan: Plan, item: Upcoming) -> dict[str, Any]:
    return {"days_away": item.days_away, "is_surgery": item.is_surgery, **_milestone(plan, item.milestone)}


def _language() -> dict[str, Any]:
    """The disclaimer, in the language the texts are in, and whether a clinician has reviewed that translation."""
    language = current()
    facts: dict[str, Any] = {"disclaimer": disclaimer(), "language": language.code}
    note = translation_note()
    if note is not None:
        facts["translation"] = {"reviewed_by": language.reviewed_by, "note": note}
    return facts
