"""The pump's later life: when the next refill is due, and which pump (and so which battery) is in. Pure.

The record says what happened (refills, the follow-up visit, pump replacements); the care team's numbers say how
long a fill lasts. From both, the next refill is the earliest of: one interval after the last refill (or the first
refill), the day the reservoir reaches its alarm volume, and the drug's labelled limit. A date the care team gives
from the programmer's printout replaces all three. Every refill after the next one is spaced the same way, by the
shortest of the three, each counted from the refill before: the dates a patient sees do not move when each refill
is logged on its day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal, NamedTuple, get_args

from pumpcare.durations import FIRST_YEAR, LAST_YEAR, Duration, is_ordered
from pumpcare.errors import InputError, excerpt
from pumpcare.i18n import gettext as _
from pumpcare.i18n import ngettext
from pumpcare.quantities import AlarmDays, Fill, Quantity, days_to_alarm
from pumpcare.rules import Drug, RuleSet

LoggedKind = Literal["refill", "follow-up", "replacement"]
LOGGED_KINDS: tuple[LoggedKind, ...] = get_args(LoggedKind)


class Logged(NamedTuple):
    """One entry of the patient's record: a refill, the follow-up visit, or a pump replacement, on a day."""

    kind: LoggedKind
    day: date
    fill: Fill | None = None  # the programmer's numbers for a refill, when the care team gave them
    # The printout's next-refill date this refill replaced, so taking the refill back brings it back.
    replaced_next_refill: date | None = None
    numbers_cleared: bool = False  # from this refill on, the care team's earlier numbers no longer apply


class RefillSettings(NamedTuple):
    """What the care team gave to date refills; any of it may be missing."""

    every: Duration | None = None
    first: date | None = None
    next_given: date | None = None  # from the programmer's printout; replaces the computed date
    fill: Fill | None = None  # the numbers of the fill at surgery, also used for refills logged without numbers
    alarm_volume: Quantity | None = None
    drug: Drug | None = None

    @property
    def is_set(self) -> bool:
        """True when anything dates a refill: an interval, a date, the pump's numbers, or a drug's limit."""
        limits = self.drug is not None and (self.drug.first_fill or self.drug.refill_within)
        return bool(self.every or self.first or self.next_given or self.fill or limits)


class NumbersInUse(NamedTuple):
    """The pump numbers that date refills: the latest logged with a refill, else those given with the plan."""

    fill: Fill
    since: date | None  # the refill they were logged with; None when they came with the plan


class RefillSpacing(NamedTuple):
    """How far apart the refills after the next one fall: the shortest of what the care team and the label give."""

    every: Duration | None = None  # the care team's interval
    alarm: AlarmDays | None = None  # how long a fill of the numbers in use lasts to the low-reservoir alarm
    limit: Duration | None = None  # the drug's labelled limit between refills

    def after(self, day: date) -> tuple[date, str] | None:
        """The refill after one on `day`, and what set it ("interval", "alarm" or "drug-limit"); ties name the first."""
        candidates: list[tuple[date, str]] = []
        if self.every is not None:
            candidates.append((self.every.after(day), "interval"))
        if self.alarm is not None:
            candidates.append((day + timedelta(days=self.alarm.days), "alarm"))
        if self.limit is not None:
            candidates.append((self.limit.after(day), "drug-limit"))
        return min(candidates, key=lambda candidate: candidate[0]) if candidates else None

    def step(self, day: date) -> SpacingStep | None:
        """The gap after a refill on `day` as a length, and what sets it; None when only the care team can say."""
        following = self.after(day)
        if following is None:
            return None
        basis = following[1]
        if basis == "interval":
            assert self.every is not None
            return SpacingStep(self.every, basis)
        if basis == "alarm":
            assert self.alarm is not None
            return SpacingStep(Duration(self.alarm.days, "days"), basis)
        assert self.limit is not None
        return SpacingStep(self.limit, basis)


class SpacingStep(NamedTuple):
    """The gap between later refills, and what sets it: "interval", "alarm" or "drug-limit"."""

    every: Duration
    basis: str


class RefillDue(NamedTuple):
    """The next refill: which one it is, when it is due, and why that day."""

    number: int  # 1 for the first refill after surgery
    day: date
    basis: str  # "care-team", "interval", "first", "alarm" or "drug-limit": what set the day
    filled: date  # when the reservoir was last filled
    alarm: AlarmDays | None = None  # the arithmetic, when the care team's numbers were given
    alarm_day: date | None = None
    limit: Duration | None = None  # the drug's labelled limit that applied
    limit_day: date | None = None
    interval_day: date | None = None
    spacing: RefillSpacing = RefillSpacing()  # how the refills after this one are spaced
    numbers: NumbersInUse | None = None  # the pump numbers in use, and since when


def until(history: Sequence[Logged], as_of: date | None) -> list[Logged]:
    """The entries on or before a day (all of them when as_of is None), in date order."""
    return sorted((entry for entry in history if as_of is None or entry.day <= as_of), key=lambda e: e.day)


def latest_refill(history: Sequence[Logged]) -> date | None:
    """The day of the latest refill on record, whatever order they were logged in; None before any."""
    return max((entry.day for entry in history if entry.kind == "refill"), default=None)


def implant_day(surgery: date, history: Sequence[Logged], as_of: date | None = None) -> date:
    """The day the pump now in the body went in: the latest replacement, or the surgery."""
    replaced = [entry.day for entry in until(history, as_of) if entry.kind == "replacement"]
    return replaced[-1] if replaced else surgery


def numbers_in_use(
    settings: RefillSettings, history: Sequence[Logged], as_of: date | None = None
) -> NumbersInUse | None:
    """The pump numbers that date refills on `as_of`: the latest logged, until cleared; else the plan's own."""
    for entry in reversed(until(history, as_of)):
        if entry.kind != "refill":
            continue
        if entry.fill is not None:
            return NumbersInUse(entry.fill, entry.day)
        if entry.numbers_cleared:
            return None
    return NumbersInUse(settings.fill, None) if settings.fill is not None else None


def refill_due(
    surgery: date, settings: RefillSettings, history: Sequence[Logged], as_of: date | None = None
) -> RefillDue | None:
    """The next refill as the record stands on `as_of`; None when nothing dates refills."""
    if not settings.is_set:
        return None
    entries = until(history, as_of)
    refills = [entry for entry in entries if entry.kind == "refill"]
    last = refills[-1] if refills else None
    pump = implant_day(surgery, history, as_of)
    filled = max(pump, last.day) if last else pump
    number = len(refills) + 1
    numbers = numbers_in_use(settings, history, as_of)
    alarm = days_to_alarm(numbers.fill, settings.alarm_volume) if numbers and settings.alarm_volume else None
    later_limit = settings.drug.refill_within if settings.drug is not None else None
    spacing = RefillSpacing(settings.every, alarm, later_limit)
    given = _printout_date(settings, history, last)
    # A printout speaks of the pump that was in when it was printed: a pump put in since goes in full, and its
    # first fill is dated afresh (the drug's first-fill limit included).
    replaced_since = pump > (last.day if last is not None else surgery)
    if given is not None and given > filled and not replaced_since:
        return RefillDue(number, given, "care-team", filled, spacing=spacing, numbers=numbers)
    candidates: list[tuple[date, str]] = []
    interval_day = None
    if settings.every is not None and (last is not None or pump != surgery):
        # A pump put in after the last refill went in full: the interval counts from its fill.
        interval_day = settings.every.after(filled)
        candidates.append((interval_day, "interval"))
    elif settings.first is not None and last is None:
        interval_day = settings.first
        candidates.append((interval_day, "first"))
    alarm_day = filled + timedelta(days=alarm.days) if alarm else None
    if alarm_day is not None:
        candidates.append((alarm_day, "alarm"))
    limit = _drug_limit(settings.drug, first_fill=filled == pump)
    limit_day = limit.after(filled) if limit else None
    if limit_day is not None:
        candidates.append((limit_day, "drug-limit"))
    if not candidates:
        return None
    day, basis = min(candidates, key=lambda c: c[0])
    return RefillDue(number, day, basis, filled, alarm, alarm_day, limit, limit_day, interval_day, spacing, numbers)


def _printout_date(settings: RefillSettings, history: Sequence[Logged], last: Logged | None) -> date | None:
    """The care team's next-refill date in force on `as_of`.

    The saved date belongs to the latest refill. On a day before it, the one in force is the date the next
    refill after that day replaced when it was logged (None if it replaced none).
    """
    later = sorted(
        (entry for entry in history if entry.kind == "refill" and (last is None or entry.day > last.day)),
        key=lambda entry: entry.day,
    )
    return later[0].replaced_next_refill if later else settings.next_given


def _drug_limit(drug: Drug | None, *, first_fill: bool) -> Duration | None:
    if drug is None:
        return None
    return (drug.first_fill if first_fill else None) or drug.refill_within


def projected_refills(
    surgery: date, settings: RefillSettings, history: Sequence[Logged], horizon: date, most: int
) -> list[tuple[int, date, bool]]:
    """Every refill from the first to `horizon`: (number, day, done), the logged ones first, then the due ones.

    Raises ValueError past `most` visits, so a typo such as a 1-day interval cannot list thousands.
    """
    refilled = [entry.day for entry in until(history, None) if entry.kind == "refill"]
    visits = [(number, day, True) for number, day in enumerate(refilled, start=1)]
    due = refill_due(surgery, settings, history)
    if due is None:
        return visits
    visits.append((due.number, due.day, False))
    day, steps = due.day, 1
    while (following := due.spacing.after(day)) is not None and following[0] < horizon:
        if steps >= most:  # only the visits still to come count: a long record of done ones is no typo
            raise ValueError(most)
        day = following[0]
        visits.append((due.number + steps, day, False))
        steps += 1
    return visits


MAX_REFILL_VISITS = 500  # not clinical: a typo such as a 1-day interval must not list thousands of visits


def refill_settings(
    ruleset: RuleSet,
    surgery: date,
    refills: tuple[date, Duration] | None,
    next_refill: date | None,
    fill: Fill | None,
    alarm_volume: Quantity | None,
    drug_id: str | None,
    history: Sequence[Logged],
) -> RefillSettings:
    """The care team's refill inputs, checked: a known drug, an alarm volume for the numbers, sensible dates."""
    drug = None
    if drug_id is not None:
        drug = ruleset.drugs.get(drug_id)
        if drug is None:
            if not ruleset.drugs:
                message = _("there is no drug '{drug}' in the rule file; use one it lists (none), or leave out --drug")
            else:
                # Translators: {known} lists the rule file's drug ids, which stay as they are.
                message = _(
                    "there is no drug '{drug}' in the rule file; use one it lists ({known}), or leave out --drug"
                )
            raise InputError(message.format(drug=excerpt(drug_id), known=", ".join(ruleset.drugs)), field="drug")
    if alarm_volume is None and ruleset.alarm_volume is not None:
        alarm_volume = ruleset.alarm_volume.volume
    fills = [entry.fill for entry in history if entry.fill is not None]
    if (fill is not None or fills) and alarm_volume is None:
        raise InputError(
            _(
                "the refill date from the pump's numbers needs the alarm volume; give --alarm-volume from the "
                "programmer's printout, such as 2mL"
            ),
            field="alarm_volume",
        )
    for numbers in ([fill] if fill else []) + fills:
        assert alarm_volume is not None
        days_to_alarm(numbers, alarm_volume)  # refuses numbers that cannot be right before anything is dated
    latest = latest_refill(history)
    if next_refill is not None:
        if not FIRST_YEAR <= next_refill.year <= LAST_YEAR or next_refill <= surgery:
            message = _("next refill date {date} is not after the surgery date {surgery}; check the date")
            raise InputError(message.format(date=next_refill, surgery=surgery), field="next_refill")
        if latest is not None and next_refill <= latest:
            message = _("next refill date {date} is not after the last recorded refill on {last}; check the date")
            raise InputError(message.format(date=next_refill, last=latest), field="next_refill")
    first, every = refills if refills else (None, None)
    return RefillSettings(every, first, next_refill, fill, alarm_volume, drug)


def interval_warnings(settings: RefillSettings, history: Sequence[Logged]) -> list[str]:
    """An interval longer than the drug's label or than a fill lasts: the plan dates by the earlier day, and says so."""
    every = settings.every
    if every is None:
        return []
    from pumpcare.timing_words import duration_words

    warnings = []
    drug = settings.drug
    if drug is not None and drug.refill_within is not None and not is_ordered(every, drug.refill_within):
        # Translators: {every} and {limit} are lengths of time, such as "12 weeks"; {drug} is the drug's name.
        message = _(
            "refills every {every} is longer than the {limit} the label of {drug} gives between refills; "
            "the plan dates every refill by the earlier day, ask your pump clinic"
        )
        warnings.append(
            message.format(every=duration_words(every), limit=duration_words(drug.refill_within), drug=drug.name)
        )
    numbers = numbers_in_use(settings, history)
    if numbers is not None and settings.alarm_volume is not None:
        alarm = days_to_alarm(numbers.fill, settings.alarm_volume)
        if not is_ordered(every, Duration(alarm.days, "days")):
            # Translators: {every} is a length of time, such as "12 weeks"; {fill} and {alarm} are volumes as the
            # care team typed them, such as 20mL and 2mL.
            message = ngettext(
                "refills every {every} is longer than the {days} day {fill} lasts until the {alarm} alarm; "
                "the plan dates every refill by the earlier day, ask your pump clinic",
                "refills every {every} is longer than the {days} days {fill} lasts until the {alarm} alarm; "
                "the plan dates every refill by the earlier day, ask your pump clinic",
                alarm.days,
            )
            warnings.append(
                message.format(
                    every=duration_words(every), days=alarm.days, fill=numbers.fill.volume, alarm=settings.alarm_volume
                )
            )
    return warnings


def refill_visits(
    ruleset: RuleSet,
    surgery: date,
    settings: RefillSettings,
    history: Sequence[Logged],
    implant: date,
    list_until: date | None,
) -> list[tuple[int, date, bool]]:
    """Refill visits from the first to the battery's last day (or further, when a view asks for it)."""
    horizons = [list_until] if list_until else []
    for rule in ruleset.rules:
        if rule.due is not None and rule.due.anchor == "implant":
            horizons.append(rule.due.latest.after(implant))
        if rule.repeat is not None and settings.first is not None:
            horizons.append(rule.repeat.after(settings.first))
    horizon = max(horizons, default=surgery) + timedelta(days=1)
    try:
        return projected_refills(surgery, settings, history, horizon, MAX_REFILL_VISITS)
    except ValueError:
        if settings.every is None:
            message = _("refills dated by the pump's numbers list more than {most} visits; check the numbers")
            raise InputError(message.format(most=MAX_REFILL_VISITS)) from None
        # Translators: {every} is the interval as typed, such as 1d.
        message = _("a refill every {every} lists more than {most} visits; check the interval")
        raise InputError(message.format(every=settings.every, most=MAX_REFILL_VISITS)) from None
