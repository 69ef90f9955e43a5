"""The scheduler: rules and a patient's dates in, dated milestones out. Pure: no clock, no files, no printing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from pumpcare.durations import Duration, is_ordered
from pumpcare.errors import InputError, closest
from pumpcare.rules import Moment, Rule, RuleSet

KINDS = ("due", "ends", "starts")  # also the order of milestones that share a date
MAX_REFILL_VISITS = 500
# Not clinical: with durations capped at a century, dates in these years keep every computed date inside the
# calendar, and anything outside them is a typo.
FIRST_YEAR, LAST_YEAR = 1900, 2199


class Window(NamedTuple):
    """A date or a range of dates, both ends included."""

    earliest: date
    latest: date

    @property
    def is_range(self) -> bool:
        """True when the leaflet gives a range, such as 6-8 weeks."""
        return self.earliest != self.latest

    def contains(self, day: date) -> bool:
        """True when day falls inside the window."""
        return self.earliest <= day <= self.latest


class RefillSchedule(NamedTuple):
    """Refill visits as the care team sets them: the first date and the interval."""

    first: date
    every: Duration


class Override(NamedTuple):
    """A clinician's order that replaces a rule's window, counted from surgery."""

    rule_id: str
    earliest: Duration
    latest: Duration

    def __str__(self) -> str:
        span = str(self.earliest) if self.earliest == self.latest else f"{self.earliest}..{self.latest}"
        return f"{self.rule_id}={span}"


class Milestone(NamedTuple):
    """Something that happens on a date or within a window: a period starts or may end, or a thing is due."""

    key: str
    kind: str
    when: Window
    title: str
    rules: tuple[Rule, ...]
    until: Window | None = None
    until_pending: Moment | None = None  # when the end waits for a date not yet given (the follow-up visit)
    remind: bool = False
    overridden: bool = False

    @property
    def category(self) -> str:
        """The category the milestone's rules share."""
        return self.rules[0].category


class Unscheduled(NamedTuple):
    """A milestone that cannot be dated yet because an anchor date (follow-up, refills) is missing."""

    key: str
    kind: str
    moment: Moment
    title: str
    rules: tuple[Rule, ...]

    @property
    def anchor(self) -> str:
        """What the milestone waits for: "follow-up" or "refill"."""
        return self.moment.anchor


class Plan(NamedTuple):
    """A patient's dated recovery plan."""

    ruleset: RuleSet
    surgery: date
    follow_up: date | None
    refills: RefillSchedule | None
    overrides: tuple[Override, ...]
    milestones: tuple[Milestone, ...]
    unscheduled: tuple[Unscheduled, ...]
    warnings: tuple[str, ...]

    def day_number(self, day: date) -> int:
        """Days after surgery (negative before it, 0 on surgery day)."""
        return (day - self.surgery).days


def make_plan(
    ruleset: RuleSet,
    surgery: date,
    *,
    follow_up: date | None = None,
    refills: RefillSchedule | None = None,
    overrides: Sequence[Override] = (),
    list_until: date | None = None,
) -> Plan:
    """Date every rule for one patient; raise InputError for dates or orders that cannot make a plan.

    Repeating visits are listed for the rule file's `repeat` span, or up to `list_until` when that is later:
    a view of a day years on still needs the refill visits around it.
    """
    _check_dates(surgery, follow_up, refills)
    rules, warnings = _apply_overrides(ruleset, overrides, surgery, follow_up)
    anchors = _Anchors(surgery, follow_up, refills, list_until)
    dated: list[Milestone] = []
    undated: list[Unscheduled] = []
    for kind in KINDS:
        for rules_in_entry, name, timing in _entries(ruleset, rules, kind, anchors):
            overridden = any(rule.id in {o.rule_id for o in overrides} for rule in rules_in_entry)
            title = _title(ruleset, rules_in_entry)
            if timing.windows is None:
                undated.append(Unscheduled(f"{name}-{kind}", kind, timing.moment, title, rules_in_entry))
                continue
            for occurrence, when in enumerate(timing.windows, start=1):
                key = f"{name}-{kind}" + (f"-{occurrence}" if timing.repeats else "")
                dated.append(
                    Milestone(
                        key=key,
                        kind=kind,
                        when=when,
                        title=title,
                        rules=rules_in_entry,
                        until=timing.until,
                        until_pending=timing.until_pending,
                        remind=kind == "due" and any(rule.remind for rule in rules_in_entry),
                        overridden=overridden,
                    )
                )
    _check_periods(dated)
    order = {rule.id: index for index, rule in enumerate(ruleset.rules)}
    dated.sort(key=lambda m: (m.when.earliest, KINDS.index(m.kind), m.when.latest, order[m.rules[0].id]))
    undated.sort(key=lambda u: (KINDS.index(u.kind), order[u.rules[0].id]))
    return Plan(
        ruleset=ruleset,
        surgery=surgery,
        follow_up=follow_up,
        refills=refills,
        overrides=tuple(overrides),
        milestones=tuple(dated),
        unscheduled=tuple(undated),
        warnings=tuple(warnings),
    )


def _title(ruleset: RuleSet, rules: tuple[Rule, ...]) -> str:
    """The group's title only when the entry holds the whole group: a split-off part must not speak for the rest."""
    group = rules[0].group
    if len(rules) == 1 or group is None:
        return rules[0].title
    members = [rule for rule in ruleset.rules if rule.group == group]
    missing = [_lower_first(rule.title) for rule in members if rule not in rules]
    if not missing:
        return ruleset.groups[group]
    title = ruleset.groups[group]
    # "Movement limits, except no lifting" says more than eight titles; a title that lists its members
    # ("No housework, yard work or sex") is clearer rewritten as the members that remain.
    names_members = all(rule.title.lower().removeprefix("no ") in title.lower() for rule in members)
    if len(rules) > len(missing) and not names_members:
        return f"{title}, except {', '.join(missing)}"
    return ", ".join([rules[0].title, *(_lower_first(rule.title) for rule in rules[1:])])


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _check_periods(milestones: list[Milestone]) -> None:
    """Every dated period must end after it starts; a clinic's file or an order could say otherwise."""
    for milestone in milestones:
        until = milestone.until
        if milestone.kind == "starts" and until is not None and until.earliest <= milestone.when.latest:
            ids = ", ".join(f"'{rule.id}'" for rule in milestone.rules)
            raise InputError(
                f"rule {ids} would end on {until.earliest}, not after it starts on "
                f"{milestone.when.latest}; check the follow-up date, the --set orders or the rule file"
            )
        if milestone.when.earliest > milestone.when.latest:
            raise InputError(
                f"rule '{milestone.rules[0].id}' has a window from {milestone.when.earliest} to "
                f"{milestone.when.latest}, which runs backwards; check the --set orders or the rule file"
            )


def _check_dates(surgery: date, follow_up: date | None, refills: RefillSchedule | None) -> None:
    named = [("surgery date", surgery, "surgery_date"), ("follow-up date", follow_up, "follow_up")]
    named.append(("first refill date", refills.first if refills else None, "first_refill"))
    for what, day, field in named:
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise InputError(
                f"{what} {day} is out of range; give a date between {FIRST_YEAR} and {LAST_YEAR}", field=field
            )
    if follow_up is not None and follow_up <= surgery:
        relation = "is the surgery date" if follow_up == surgery else "is before the surgery date"
        raise InputError(f"follow-up date {follow_up} {relation} {surgery}; check the dates", field="follow_up")
    if refills is None:
        return
    if not refills.every.is_positive:
        raise InputError(
            f"refill interval {refills.every} is not longer than zero; give it as a duration such as 12w or 3mo",
            field="refill_every",
        )
    if refills.first <= surgery:
        relation = "is the surgery date" if refills.first == surgery else "is before the surgery date"
        raise InputError(
            f"first refill date {refills.first} {relation} {surgery}; check the dates", field="first_refill"
        )


def _apply_overrides(
    ruleset: RuleSet, overrides: Sequence[Override], surgery: date, follow_up: date | None
) -> tuple[dict[str, Rule], list[str]]:
    rules = {rule.id: rule for rule in ruleset.rules}
    warnings: list[str] = []
    seen: set[str] = set()
    for override in overrides:
        rule = rules.get(override.rule_id)
        if rule is None:
            close = closest(override.rule_id, list(rules))
            hint = f"did you mean '{close}'?" if close else "check the rule ids in the rule file"
            raise InputError(f"there is no rule '{override.rule_id}' to set; {hint}", field="overrides")
        if override.rule_id in seen:
            raise InputError(f"rule '{override.rule_id}' is set twice; keep one --set for it", field="overrides")
        seen.add(override.rule_id)
        if rule.window.anchor == "refill":
            raise InputError(
                f"rule '{rule.id}' follows the refill schedule; change --refill-every instead", field="overrides"
            )
        if rule.due is not None and rule.due.anchor == "follow-up":
            raise InputError(
                f"rule '{rule.id}' is dated by the follow-up visit; change --follow-up instead", field="overrides"
            )
        ordered = Moment("surgery", override.earliest, override.latest)
        _check_order_fits(rule, override, ordered)
        if rule.until:
            rules[rule.id] = rule._replace(until=ordered)
        elif rule.due:
            rules[rule.id] = rule._replace(due=ordered)
        else:
            rules[rule.id] = rule._replace(start=ordered)
        leaflet = _Anchors(surgery, follow_up, None).resolve(rule.window)
        ours = _Anchors(surgery, follow_up, None).resolve(ordered)
        if not leaflet:
            warnings.append(
                f"{override} replaces the rule file's '{rule.window.describe()}' for '{rule.id}', which has no date "
                "yet to compare with; the plan uses it as set"
            )
        elif ours and (ours[0].earliest < leaflet[0].earliest or ours[0].latest > leaflet[0].latest):
            warnings.append(
                f"{override} is outside the rule file's {rule.window.describe()} for '{rule.id}'; "
                "the plan uses it as set"
            )
    set_ids = {override.rule_id for override in overrides}
    for rule_id in sorted(set_ids):
        # Rules from one leaflet sentence often move together ("short walks at first, more after 2 weeks").
        source = rules[rule_id].source
        left = [
            rule.id for rule in ruleset.rules if rule.source == source and rule.id not in set_ids and not rule.group
        ]
        if left and not rules[rule_id].group:
            warnings.append(
                f"'{rule_id}' comes from the same leaflet sentence as {', '.join(repr(i) for i in left)}, "
                "which keeps its own timing; set it too if it should move"
            )
    return rules, warnings


def _check_order_fits(rule: Rule, override: Override, ordered: Moment) -> None:
    """Refuse an order that ends a period before it starts, or dates an aftercare step before surgery."""
    start = rule.start
    if rule.until and start and start.anchor == "surgery" and not is_ordered(start.latest, ordered.earliest):
        raise InputError(
            f"--set {override} would end '{rule.id}' before it starts ({start.describe()}); give a later duration",
            field="overrides",
        )
    if rule.category != "preparation" and override.earliest.amount < 0:
        raise InputError(
            f"--set {override} dates '{rule.id}' before surgery; only preparation steps come before surgery",
            field="overrides",
        )


class _Timing(NamedTuple):
    """Where a rule lands for one kind of milestone; windows is None when its anchor date is unknown."""

    moment: Moment
    windows: tuple[Window, ...] | None
    repeats: bool = False
    until: Window | None = None
    until_pending: Moment | None = None


class _Anchors:
    """Turns a moment into dates, given the patient's surgery, follow-up and refill dates."""

    def __init__(
        self, surgery: date, follow_up: date | None, refills: RefillSchedule | None, list_until: date | None = None
    ) -> None:
        self.surgery = surgery
        self.follow_up = follow_up
        self.refills = refills
        self.list_until = list_until

    def resolve(self, moment: Moment, repeat: Duration | None = None) -> tuple[Window, ...] | None:
        if moment.anchor == "surgery":
            bases: tuple[date, ...] = (self.surgery,)
        elif moment.anchor == "follow-up":
            if self.follow_up is None:
                return None
            bases = (self.follow_up,)
        else:
            if self.refills is None or repeat is None:
                return None
            bases = self._refill_dates(self.refills, repeat, self.list_until)
        return tuple(Window(moment.earliest.after(base), moment.latest.after(base)) for base in bases)

    @staticmethod
    def _refill_dates(refills: RefillSchedule, repeat: Duration, list_until: date | None) -> tuple[date, ...]:
        horizon = repeat.after(refills.first)
        if list_until is not None and list_until >= horizon:
            horizon = list_until + timedelta(days=1)
        visits: list[date] = []
        while (visit := refills.every.after(refills.first, len(visits))) < horizon:
            visits.append(visit)
            if len(visits) > MAX_REFILL_VISITS:
                raise InputError(
                    f"a refill every {refills.every} lists more than {MAX_REFILL_VISITS} visits; check the interval"
                )
        return tuple(visits)


def _timing(rule: Rule, kind: str, anchors: _Anchors) -> _Timing | None:
    if kind == "due":
        if rule.due is None:
            return None
        windows = anchors.resolve(rule.due, rule.repeat)
        return _Timing(rule.due, windows, repeats=rule.due.anchor == "refill")
    if rule.due is not None:
        return None
    if kind == "ends":
        if rule.until is None:
            return None
        return _Timing(rule.until, anchors.resolve(rule.until))
    start = rule.start or Moment("surgery", Duration(0, "days"), Duration(0, "days"))
    ends = anchors.resolve(rule.until) if rule.until else None
    return _Timing(
        start,
        anchors.resolve(start),
        until=ends[0] if ends else None,
        until_pending=rule.until if rule.until and not ends else None,
    )


def _entries(
    ruleset: RuleSet, rules: dict[str, Rule], kind: str, anchors: _Anchors
) -> Iterable[tuple[tuple[Rule, ...], str, _Timing]]:
    """One entry per rule, except rules of one group with the same timing, which share an entry."""
    partitions: dict[tuple[str, _Timing], list[Rule]] = {}
    for original in ruleset.rules:
        rule = rules[original.id]
        timing = _timing(rule, kind, anchors)
        if timing is None:
            continue
        partitions.setdefault((rule.group or f"rule:{rule.id}", timing), []).append(rule)
    largest: dict[str, int] = {}
    for (group, _), members in partitions.items():
        largest[group] = max(largest.get(group, 0), len(members))
    named: set[str] = set()
    for (group, timing), members in partitions.items():
        # The group's largest share keeps the group's name, so a UID stays put when one member is overridden.
        keeps_group = not group.startswith("rule:") and len(members) == largest[group] and group not in named
        if keeps_group:
            named.add(group)
        yield tuple(members), group if keeps_group else members[0].id, timing
