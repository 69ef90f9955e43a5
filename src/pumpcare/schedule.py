"""The scheduler: rules and a patient's dates in, dated milestones out. Pure: no clock, no files, no printing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal, NamedTuple, get_args

from pumpcare.durations import Duration
from pumpcare.orders import Override as Override
from pumpcare.orders import apply_overrides
from pumpcare.pumplife import (
    Logged,
    LoggedKind,
    RefillDue,
    RefillSettings,
    SpacingStep,
    implant_day,
    interval_warnings,
    refill_due,
    refill_settings,
    refill_visits,
    until,
)
from pumpcare.quantities import Fill, Quantity
from pumpcare.rules import Anchor, Moment, Rule, RuleSet
from pumpcare.timing import Anchors, entries
from pumpcare.timing import Window as Window

Kind = Literal["due", "ends", "starts"]  # something to do; a period that ends; one that starts
KINDS: tuple[Kind, ...] = get_args(Kind)  # also the order of milestones that share a date


class RefillSchedule(NamedTuple):
    """Refill visits as the care team sets them: the first date and the interval."""

    first: date
    every: Duration


class Milestone(NamedTuple):
    """Something that happens on a date or within a window: a period starts or may end, or a thing is due."""

    key: str
    kind: Kind
    when: Window
    title: str  # the rule's or the group's title, with the members an order split off: "Movement limits, except …"
    rules: tuple[Rule, ...]
    left_out: tuple[str, ...] = ()  # titles of those group members
    title_names_members: bool = True  # False: a group title such as "Movement limits" needs its members listed
    until: Window | None = None
    until_waits_for: Moment | None = None  # when the end waits for a date not yet given (the follow-up visit)
    remind: bool = False
    set_by_care_team: bool = False
    # A care team's order outside the rule file's timing: the rule file's own timing, for "the leaflet says …".
    leaflet_timing: Moment | None = None
    done: bool = False  # the record says it happened (a logged refill, the logged follow-up visit)
    repeats: bool = False  # one of a series (refill visits)
    waits_for_visit: bool = False  # a period that ends once the follow-up visit has happened, not on a date
    deadline: str | None = None  # the window's last day must never pass unseen; this names it
    overdue: str | None = None  # what to say when the day passed and nothing was logged
    remind_evening: bool = False  # remind on the evening of the day itself, not the day before
    anchor: Anchor = "surgery"  # what its dates count from

    @property
    def category(self) -> str:
        """The category the milestone's rules share."""
        return self.rules[0].category


class Unscheduled(NamedTuple):
    """A milestone that cannot be dated yet because an anchor date (follow-up, refills) is missing."""

    key: str
    kind: Kind
    moment: Moment
    title: str
    rules: tuple[Rule, ...]
    left_out: tuple[str, ...] = ()
    title_names_members: bool = True

    @property
    def anchor(self) -> str:
        """What the milestone waits for: "follow-up" or "refill"."""
        return self.moment.anchor


class Battery(NamedTuple):
    """The battery of the pump in the body on a day: the window in which to replace it, and its last day."""

    implant: date
    opens: date
    deadline: date
    milestone: Milestone
    schedule_from: date | None = None  # from this day, booking the replacement is urgent (a rule says when)


def replace_by_day(rules: Iterable[Rule], implant: date) -> date | None:
    """The last day of the battery window of a pump put in on `implant`, as Plan.battery dates it."""
    for rule in rules:
        if rule.due is not None and rule.due.anchor == "implant":
            return rule.due.latest.after(implant)
    return None


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
    history: tuple[Logged, ...] = ()
    refill_settings: RefillSettings = RefillSettings()
    warning_orders: tuple[str, ...] = ()  # for each warning, the rule id of the order it is about, or ""
    follow_up_logged: bool = False

    @property
    def lang(self) -> str:
        """The language of every word in the plan: its rules' language (see planning.make_plan)."""
        return self.ruleset.lang

    def day_number(self, day: date) -> int:
        """Days after surgery (negative before it, 0 on surgery day)."""
        return (day - self.surgery).days

    def refill_due(self, as_of: date | None = None) -> RefillDue | None:
        """The next refill as the record stood on `as_of` (default: all of it); None when nothing dates refills."""
        return refill_due(self.surgery, self.refill_settings, self.history, as_of)

    def refill_spacing(self) -> SpacingStep | None:
        """How the refills after the next one are spaced, and what sets the gap; None when the care team dates each."""
        due = self.refill_due()
        return due.spacing.step(due.day) if due is not None else None

    def battery(self, as_of: date | None = None) -> Battery | None:
        """The battery window of the pump in the body on `as_of`; None when the rule file has no battery rule."""
        implant = implant_day(self.surgery, self.history, as_of)
        for milestone in self.milestones:
            due = milestone.rules[0].due
            if milestone.kind == "due" and milestone.anchor == "implant" and due is not None:
                opens, deadline = due.earliest.after(implant), due.latest.after(implant)
                schedule = [
                    rule.due.earliest.after(deadline)
                    for rule in self.ruleset.rules
                    if rule.due is not None and rule.due.anchor == "replace-by"
                ]
                return Battery(
                    implant,
                    opens,
                    deadline,
                    milestone._replace(when=Window(opens, deadline)),
                    min(schedule, default=None),
                )
        return None

    def logged(self, kind: LoggedKind, as_of: date | None = None) -> list[Logged]:
        """The record's entries of one kind on or before a day, in date order."""
        return [entry for entry in until(self.history, as_of) if entry.kind == kind]


def date_plan(
    ruleset: RuleSet,
    surgery: date,
    *,
    follow_up: date | None = None,
    refills: RefillSchedule | None = None,
    overrides: Sequence[Override] = (),
    list_until: date | None = None,
    history: Sequence[Logged] = (),
    next_refill: date | None = None,
    fill: Fill | None = None,
    alarm_volume: Quantity | None = None,
    drug: str | None = None,
) -> Plan:
    """Date every rule for one patient in the rule set's own words (planning.make_plan is the way in).

    The arguments are make_plan's, which checks them first and the periods after: this only dates.
    """
    visits = [entry.day for entry in until(history, None) if entry.kind == "follow-up"]
    follow_up = visits[0] if visits else follow_up
    settings = refill_settings(ruleset, surgery, refills, next_refill, fill, alarm_volume, drug, history)
    rules, warnings, warning_orders, outside = apply_overrides(ruleset, overrides, surgery, follow_up)
    warnings += interval_warnings(settings, history)
    warning_orders += [""] * (len(warnings) - len(warning_orders))
    implant = implant_day(surgery, history)
    visits_of_refills = refill_visits(ruleset, surgery, settings, history, implant, list_until)
    anchors = Anchors(
        surgery,
        follow_up,
        implant=implant,
        refill_visits=visits_of_refills,
        replace_by=replace_by_day(rules.values(), implant),
    )
    dated: list[Milestone] = []
    undated: list[Unscheduled] = []
    for kind in KINDS:
        for rules_in_entry, entry_id, timing in entries(ruleset, rules, kind, anchors):
            set_by_care_team = any(rule.id in {o.rule_id for o in overrides} for rule in rules_in_entry)
            leaflet_timing = next((outside[rule.id] for rule in rules_in_entry if rule.id in outside), None)
            name, left_out = _title(ruleset, rules_in_entry)
            title = _entry_title(ruleset, name, left_out)
            names_members = len(rules_in_entry) < 2 or _names_members(ruleset, rules_in_entry, left_out)
            if timing.windows is None:
                key = f"{entry_id}-{kind}"
                undated.append(Unscheduled(key, kind, timing.moment, title, rules_in_entry, left_out, names_members))
                continue
            first = rules_in_entry[0]
            for index, when in enumerate(timing.windows):
                number = timing.numbers[index] if timing.numbers else index + 1
                key = f"{entry_id}-{kind}" + (f"-{number}" if timing.repeats else "")
                dated.append(
                    Milestone(
                        key=key,
                        kind=kind,
                        when=when,
                        title=title,
                        rules=rules_in_entry,
                        left_out=left_out,
                        title_names_members=names_members,
                        until=timing.until,
                        until_waits_for=timing.until_waits_for,
                        remind=kind == "due" and any(rule.remind for rule in rules_in_entry),
                        set_by_care_team=set_by_care_team,
                        leaflet_timing=leaflet_timing,
                        done=bool(timing.done and timing.done[index])
                        or (kind == "due" and timing.moment.anchor == "follow-up" and bool(visits)),
                        repeats=timing.repeats,
                        waits_for_visit=kind != "due" and first.until is not None and first.until.anchor == "follow-up",
                        deadline=first.deadline if kind == "due" else None,
                        overdue=first.overdue if kind == "due" else None,
                        remind_evening=kind == "due" and first.remind_evening,
                        anchor=timing.moment.anchor,
                    )
                )
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
        history=tuple(history),
        refill_settings=settings,
        warning_orders=tuple(warning_orders),
        follow_up_logged=bool(visits),
    )


def _title(ruleset: RuleSet, rules: tuple[Rule, ...]) -> tuple[str, tuple[str, ...]]:
    """The entry's title, and the group members it leaves out when it keeps the group's name.

    The group's title only when the entry holds the whole group: a split-off part must not speak for the rest.
    """
    group = rules[0].group
    if len(rules) == 1 or group is None:
        return rules[0].title, ()
    members = [rule for rule in ruleset.rules if rule.group == group]
    missing = tuple(_lower_first(rule.title) for rule in members if rule not in rules)
    if not missing:
        return ruleset.groups[group], ()
    # "Movement limits, except no lifting" says more than eight titles; a title that lists its members
    # ("No housework, yard work or sex") is clearer rewritten as the members that remain.
    if len(rules) > len(missing) and group in ruleset.groups_named_apart:
        return ruleset.groups[group], missing
    return ", ".join([rules[0].title, *(_lower_first(rule.title) for rule in rules[1:])]), ()


def _names_members(ruleset: RuleSet, rules: tuple[Rule, ...], left_out: tuple[str, ...]) -> bool:
    group = rules[0].group
    whole = not left_out and len(rules) == sum(1 for rule in ruleset.rules if rule.group == group)
    return group in ruleset.groups_naming_members if whole else not left_out


def _entry_title(ruleset: RuleSet, name: str, left_out: tuple[str, ...]) -> str:
    # The one phrase the plan needs beyond the rules' own words, given by the rule set in its language.
    if not left_out:
        return name
    return ruleset.except_phrase.format(title=name, left_out=", ".join(left_out))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
