"""A plan seen from one day: what is in force, what opened up, what is due and what comes next. Pure."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from pumpcare.schedule import Milestone, Plan, Window

# Not clinical: how far back "opened up recently" looks, and how many milestones "coming next" lists.
RECENT_DAYS = 14
NEXT_COUNT = 3
# Not clinical: a drawn time line shows at least this much after surgery, and a little room after the last end.
CHART_MIN_SPAN = timedelta(weeks=10)
CHART_MARGIN = timedelta(weeks=1)


class Upcoming(NamedTuple):
    """A milestone ahead of the day, and how many days away it is."""

    milestone: Milestone
    days_away: int  # negative for a window that opened before the day and is still open
    is_surgery: bool = False  # stands for the surgery and everything that starts with it


class DayStatus(NamedTuple):
    """Everything that applies on one day of a plan."""

    day: date
    day_number: int
    avoid: tuple[Milestone, ...]
    keep_doing: tuple[Milestone, ...]
    opened: tuple[Milestone, ...]
    due: tuple[Milestone, ...]
    before_surgery: tuple[Upcoming, ...]
    coming: tuple[Upcoming, ...]

    def may_end_now(self, milestone: Milestone) -> bool:
        """True when a period's end window has opened: it may end any day now, the care team decides."""
        return milestone.until is not None and milestone.until.earliest <= self.day


def day_status(plan: Plan, day: date) -> DayStatus:
    """What applies on `day`: periods in force, what opened in the last RECENT_DAYS, what is due, what is next."""
    in_force = [m for m in plan.milestones if m.kind == "starts" and _in_force(m, day)]
    recent = day - timedelta(days=RECENT_DAYS)
    opened = [
        m
        for m in plan.milestones
        # A restriction that starts later is not "opened up"; it shows under what to avoid.
        if (
            m.kind == "starts"
            and m.category != "restriction"
            and m.when.earliest > plan.surgery
            and recent <= m.when.earliest <= day
        )
        or (m.kind == "ends" and recent <= m.when.latest and _over(m, m.when, day))
    ]
    due = [m for m in plan.milestones if m.kind == "due" and m.when.contains(day)]
    preparation = [m for m in plan.milestones if m.category == "preparation"]
    return DayStatus(
        day=day,
        day_number=plan.day_number(day),
        avoid=tuple(m for m in in_force if m.category == "restriction"),
        keep_doing=tuple(m for m in in_force if m.category != "restriction"),
        opened=tuple(opened),
        due=tuple(due),
        before_surgery=tuple(_away(m, day) for m in preparation) if day < plan.surgery else (),
        coming=upcoming(plan, day, count=NEXT_COUNT),
    )


def upcoming(
    plan: Plan, day: date, *, days: int | None = None, count: int | None = None, from_today: bool = False
) -> tuple[Upcoming, ...]:
    """Milestones after `day` (from_today: also today's, and windows still open) within `days`, or the next `count`."""
    items: list[Upcoming] = []
    surgery_listed = False
    for milestone in plan.milestones:
        # What starts with the surgery is one event, the surgery, not a list of everything that begins then.
        with_surgery = milestone.kind == "starts" and milestone.when.earliest == plan.surgery
        if with_surgery and surgery_listed:
            continue
        when = milestone.when
        ahead = when.earliest > day or (from_today and when.earliest == day)
        open_now = from_today and milestone.kind != "starts" and when.is_range and when.earliest < day <= when.latest
        if not (ahead or open_now):
            continue
        surgery_listed = surgery_listed or with_surgery
        items.append(Upcoming(milestone, (when.earliest - day).days, with_surgery))
    if days is not None:
        items = [item for item in items if item.days_away <= days]
    return tuple(items[:count] if count is not None else items)


class ChartSpan(NamedTuple):
    """What a drawn time line shows: the periods that end, and the dates from surgery to a little past the last."""

    rows: tuple[Milestone, ...]
    first: date
    last: date


def chart_span(plan: Plan) -> ChartSpan:
    """The periods a chart draws as bars (those with an end), and the span of dates it covers."""
    rows = tuple(m for m in plan.milestones if m.kind == "starts" and (m.until or m.until_pending))
    ends = [m.until.latest for m in rows if m.until is not None]
    ends.append(plan.surgery + CHART_MIN_SPAN)
    if plan.follow_up is not None:
        ends.append(plan.follow_up)
    return ChartSpan(rows, plan.surgery, max(ends) + CHART_MARGIN)


def _in_force(milestone: Milestone, day: date) -> bool:
    if milestone.when.earliest > day:
        return False
    # A period with no dated end (from now on, or until a follow-up visit not yet booked) is still in force.
    return milestone.until is None or not _over(milestone, milestone.until, day)


def _over(milestone: Milestone, end: Window, day: date) -> bool:
    """Whether a period ending on this date or window is over on `day`.

    A date is the first day the period no longer applies ("no driving for 2 weeks" is over on day 14), except a
    follow-up visit: "until you have had your follow-up appointment" still holds on the day of the visit. A
    window may end on any of its days, so the period is over only once its last day has passed.
    """
    until = milestone.rules[0].until
    after_the_visit = until is not None and until.anchor == "follow-up"
    return day > end.latest if end.is_range or after_the_visit else day >= end.latest


def _away(milestone: Milestone, day: date) -> Upcoming:
    return Upcoming(milestone, (milestone.when.earliest - day).days)
