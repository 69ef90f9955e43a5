"""The plan as JSON with a stable, documented shape (see README, "JSON output")."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pumpcare.rules import Moment
from pumpcare.schedule import Milestone, Plan, Window
from pumpcare.status import DayStatus, Upcoming
from pumpcare.wording import DISCLAIMER

FORMAT_VERSION = 1


def render_json(plan: Plan) -> str:
    """Every milestone with ISO dates, rule ids and windows; keys in a fixed order."""
    document: dict[str, Any] = {
        "format": "pumpcare-plan",
        "format_version": FORMAT_VERSION,
        "disclaimer": DISCLAIMER,
        "rules": {"name": plan.ruleset.name, "version": plan.ruleset.version},
        "surgery_date": plan.surgery.isoformat(),
        "follow_up_date": plan.follow_up.isoformat() if plan.follow_up else None,
        "refills": (
            {"first": plan.refills.first.isoformat(), "every": str(plan.refills.every)} if plan.refills else None
        ),
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
        "until_waits_for": _moment(milestone.until_pending) if milestone.until_pending else None,
        "remind": milestone.remind,
        "set_by_care_team": milestone.overridden,
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
        "disclaimer": DISCLAIMER,
        "date": status.day.isoformat(),
        "surgery_date": plan.surgery.isoformat(),
        "day": status.day_number,
        "avoid": [{**_milestone(plan, m), "may_end_now": status.may_end_now(m)} for m in status.avoid],
        "keep_doing": [{**_milestone(plan, m), "may_end_now": status.may_end_now(m)} for m in status.keep_doing],
        "opened": [_milestone(plan, m) for m in status.opened],
        "due": [_milestone(plan, m) for m in status.due],
        "before_surgery": [_upcoming(plan, item) for item in status.before_surgery],
        "coming": [_upcoming(plan, item) for item in status.coming],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_next_json(plan: Plan, day: date, days: int, items: tuple[Upcoming, ...]) -> str:
    """`pumpcare next --json`: what starts within `days` days of `day`."""
    document: dict[str, Any] = {
        "format": "pumpcare-next",
        "format_version": FORMAT_VERSION,
        "disclaimer": DISCLAIMER,
        "date": day.isoformat(),
        "days": days,
        "coming": [_upcoming(plan, item) for item in items],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _upcoming(plan: Plan, item: Upcoming) -> dict[str, Any]:
    return {"days_away": item.days_away, "is_surgery": item.is_surgery, **_milestone(plan, item.milestone)}
