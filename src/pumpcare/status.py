"""A plan seen from one day: what is in force, what opened up, what is due and what comes next. Pure."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from pumpcare.pumplife import RefillDue
from pumpcare.schedule import Battery, Milestone, Plan, Window

# Not clinical: how far back "opened up recently" looks, and how many milestones "coming next" lists.
RECENT_DAYS = 14
NEXT_COUNT = 3
# Not clinical: a drawn time line shows at least this much after surgery, and a little room after the last end.
CHART_MIN_SPAN = timedelta(weeks=10)
CHART_MARGIN = timedelta(weeks=1)
# Not clinical: how many refill visits a page or a timeline lists one by one before "and so on"; the calendar
# and the JSON carry every visit to the battery's last day.
REFILLS_LISTED = 4
# Not clinical: in the last month before the pump must be replaced, the reminder to book it turns red.
LAST_DAYS = 30


class Upcoming(NamedTuple):
    """A milestone ahead of the day, and how many days away it is."""

    milestone: Milestone
    days_away: int  # negative for a window that opened before the day and is still open
    is_surgery: bool = False  # stands for the surgery and everything that starts with it


class RefillNow(NamedTuple):
    """The next refill seen from a day: when, how far away, or that nothing dates refills yet."""

    due: RefillDue | None  # None: the care team has not given refill dates yet
    days_away: int = 0  # negative once the day has passed with no refill logged

    @property
    def overdue(self) -> bool:
        """True when the refill's day has passed and the record has no refill since."""
        return self.due is not None and self.days_away < 0


class BatteryNow(NamedTuple):
    """The battery seen from a day: its replacement window, and whether its last day has passed."""

    battery: Battery
    day: date

    @property
    def days_to_deadline(self) -> int:
        """Days from the day to the window's last day (negative once it has passed)."""
        return (self.battery.deadline - self.day).days

    @property
    def overdue(self) -> bool:
        """True once the last day of the replacement window has passed with no replacement logged."""
        return self.day > self.battery.deadline

    @property
    def window_open(self) -> bool:
        """True from the day the replacement window opens to its last day."""
        return self.battery.opens <= self.day <= self.battery.deadline

    @property
    def to_book(self) -> str | None:
        """From the day the rule file says to book the replacement until it is logged: "book", then "last-days"."""
        if self.overdue:
            return None
        if self.days_to_deadline <= LAST_DAYS:
            return "last-days"
        start = self.battery.schedule_from
        return "book" if start is not None and start <= self.day else None


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
    refill: RefillNow | None = None  # None before surgery
    battery: BatteryNow | None = None  # None before surgery, or when the rule file has no battery rule
    follow_up_to_record: bool = False  # periods wait for a follow-up visit that is neither dated nor logged
    # The follow-up visit's date has passed, the record has no visit, and periods still wait for it: that date.
    visit_not_recorded: date | None = None

    @property
    def alerts(self) -> tuple[str, ...]:
        """What is overdue: 'refill', 'battery'. These lead the day's answer."""
        return tuple(
            name for name, item in (("refill", self.refill), ("battery", self.battery)) if item and item.overdue
        )

    def may_end_now(self, milestone: Milestone) -> bool:
        """True when a period's end window has opened: it may end any day now, the care team decides."""
        return milestone.until is not None and milestone.until.earliest <= self.day


def day_status(plan: Plan, day: date) -> DayStatus:
    """What applies on `day`: periods in force, what opened in the last RECENT_DAYS, what is due, what is next."""
    in_force = [m for m in plan.milestones if m.kind == "starts" and _in_force(plan, m, day)]
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
        or (m.kind == "ends" and recent <= m.when.latest and _over(plan, m, m.when, day))
    ]
    # Refills and the battery have their own lines, which know what the record says happened.
    due = [m for m in plan.milestones if m.kind == "due" and m.when.contains(day) and not (m.repeats or m.deadline)]
    preparation = [m for m in plan.milestones if m.category == "preparation"]
    after_surgery = day >= plan.surgery
    return DayStatus(
        day=day,
        day_number=plan.day_number(day),
        avoid=tuple(m for m in in_force if m.category == "restriction"),
        keep_doing=tuple(m for m in in_force if m.category != "restriction"),
        opened=tuple(opened),
        due=tuple(due),
        before_surgery=tuple(_away(m, day) for m in preparation) if day < plan.surgery else (),
        coming=upcoming(plan, day, count=NEXT_COUNT),
        refill=refill_now(plan, day) if after_surgery else None,
        battery=battery_now(plan, day) if after_surgery else None,
        follow_up_to_record=after_surgery and plan.follow_up is None and any(m.waits_for_visit for m in in_force),
        visit_not_recorded=_visit_not_recorded(plan, day, in_force),
    )


def _visit_not_recorded(plan: Plan, day: date, in_force: list[Milestone]) -> date | None:
    waiting = any(m.waits_for_visit for m in in_force)
    if waiting and plan.follow_up is not None and not plan.follow_up_logged and day > plan.follow_up:
        return plan.follow_up
    return None


def refill_now(plan: Plan, day: date) -> RefillNow:
    """The next refill as the record stood on `day`, and how many days away it is (negative: overdue)."""
    due = plan.refill_due(as_of=day)
    return RefillNow(due, (due.day - day).days if due else 0)


def battery_now(plan: Plan, day: date) -> BatteryNow | None:
    """The battery window of the pump in on `day`, and the days to its last day (negative: overdue)."""
    battery = plan.battery(as_of=day)
    return BatteryNow(battery, day) if battery else None


def upcoming(
    plan: Plan, day: date, *, days: int | None = None, count: int | None = None, from_today: bool = False
) -> tuple[Upcoming, ...]:
    """Milestones after `day` (from_today: also today's, and windows still open) within `days`, or the next `count`."""
    items: list[Upcoming] = []
    surgery_listed = False
    due = plan.refill_due(as_of=day) if day >= plan.surgery else None
    # While a refill is overdue, the later visits' dates mean nothing yet: the overdue line speaks instead.
    refill_overdue = due is not None and due.day < day
    for milestone in plan.milestones:
        if milestone.repeats and (refill_overdue or milestone.done):
            continue
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
    rows = tuple(m for m in plan.milestones if m.kind == "starts" and (m.until or m.until_waits_for))
    ends = [m.until.latest for m in rows if m.until is not None]
    ends.append(plan.surgery + CHART_MIN_SPAN)
    if plan.follow_up is not None:
        ends.append(plan.follow_up)
    return ChartSpan(rows, plan.surgery, max(ends) + CHART_MARGIN)


def listed_refills(plan: Plan, start: date | None = None) -> list[Milestone]:
    """The refill visits a sheet or a timeline names one by one: the next few from `start` (default: surgery)."""
    start = start or plan.surgery
    return [m for m in plan.milestones if m.repeats and not m.done and m.when.earliest >= start][:REFILLS_LISTED]


def _in_force(plan: Plan, milestone: Milestone, day: date) -> bool:
    if milestone.when.earliest > day:
        return False
    # A period with no dated end (from now on, or until a follow-up visit not yet booked) is still in force.
    return milestone.until is None or not _over(plan, milestone, milestone.until, day)


def _over(plan: Plan, milestone: Milestone, end: Window, day: date) -> bool:
    """Whether a period ending on this date or window is over on `day`.

    A date is the first day the period no longer applies ("no driving for 2 weeks" is over on day 14), except a
    follow-up visit: "until you have had your follow-up appointment" still holds on the day of the visit, and
    after it only once the record says the visit happened; a booked date that passed is not a visit had. A
    window may end on any of its days, so the period is over only once its last day has passed.
    """
    if milestone.waits_for_visit:
        return plan.follow_up_logged and day > end.latest
    return day > end.latest if end.is_range else day >= end.latest


def _away(milestone: Milestone, day: date) -> Upcoming:
    return Upcoming(milestone, (milestone.when.earliest - day).days)
