"""Where each rule lands: its moments turned into dates from the patient's anchors, grouped into entries. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from pumpcare.durations import Duration
from pumpcare.rules import Moment, Rule, RuleSet


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


class Timing(NamedTuple):
    """Where a rule lands for one kind of milestone; windows is None when its anchor date is unknown."""

    moment: Moment
    windows: tuple[Window, ...] | None
    repeats: bool = False
    until: Window | None = None
    until_waits_for: Moment | None = None
    numbers: tuple[int, ...] = ()  # for a series: which refill each window is (the first after surgery is 1)
    done: tuple[bool, ...] = ()  # for a series: whether the record has each one


class Anchors:
    """Turns a moment into dates, given the patient's surgery, follow-up, refill and implant dates."""

    def __init__(
        self,
        surgery: date,
        follow_up: date | None,
        *,
        implant: date | None = None,
        refill_visits: list[tuple[int, date, bool]] | None = None,
        replace_by: date | None = None,
    ) -> None:
        self.surgery = surgery
        self.follow_up = follow_up
        self.implant = implant or surgery
        self.replace_by = replace_by  # None when the rule file has no battery deadline
        self.refill_visits = refill_visits or []  # (number, day, done) of each refill, from the record onwards

    def resolve(self, moment: Moment) -> tuple[Window, ...] | None:
        if moment.anchor == "surgery":
            bases: tuple[date, ...] = (self.surgery,)
        elif moment.anchor == "implant":
            bases = (self.implant,)
        elif moment.anchor == "replace-by":
            if self.replace_by is None:
                return None
            bases = (self.replace_by,)
        elif moment.anchor == "follow-up":
            if self.follow_up is None:
                return None
            bases = (self.follow_up,)
        else:
            if not self.refill_visits:
                return None
            bases = tuple(day for _, day, _ in self.refill_visits)
        return tuple(Window(moment.earliest.after(base), moment.latest.after(base)) for base in bases)


def timing_of(rule: Rule, kind: str, anchors: Anchors) -> Timing | None:
    if kind == "due":
        if rule.due is None:
            return None
        windows = anchors.resolve(rule.due)
        if rule.due.anchor != "refill" or windows is None:
            return Timing(rule.due, windows)
        visits = anchors.refill_visits
        return Timing(
            rule.due,
            windows,
            repeats=True,
            numbers=tuple(number for number, _, _ in visits),
            done=tuple(done for _, _, done in visits),
        )
    if rule.due is not None:
        return None
    if kind == "ends":
        if rule.until is None:
            return None
        return Timing(rule.until, anchors.resolve(rule.until))
    start = rule.start or Moment("surgery", Duration(0, "days"), Duration(0, "days"))
    ends = anchors.resolve(rule.until) if rule.until else None
    return Timing(
        start,
        anchors.resolve(start),
        until=ends[0] if ends else None,
        until_waits_for=rule.until if rule.until and not ends else None,
    )


def entries(
    ruleset: RuleSet, rules: dict[str, Rule], kind: str, anchors: Anchors
) -> Iterable[tuple[tuple[Rule, ...], str, Timing]]:
    """One entry per rule, except rules of one group with the same timing, which share an entry."""
    partitions: dict[tuple[str, Timing], list[Rule]] = {}
    for original in ruleset.rules:
        rule = rules[original.id]
        timing = timing_of(rule, kind, anchors)
        if timing is None:
            continue
        partitions.setdefault((rule.group or f"rule:{rule.id}", timing), []).append(rule)
    largest: dict[str, int] = {}
    for (group, _), members in partitions.items():
        largest[group] = max(largest.get(group, 0), len(members))
    named: set[str] = set()
    for (group, timing), members in partitions.items():
        # The group's largest share keeps the group's name, so a UID stays put when one member is set_by_care_team.
        keeps_group = not group.startswith("rule:") and len(members) == largest[group] and group not in named
        if keeps_group:
            named.add(group)
        yield tuple(members), group if keeps_group else members[0].id, timing
