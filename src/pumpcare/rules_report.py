"""What `pumpcare rules` reports about a rule file: timings in words, the check, and the diff against the leaflet.

Everything here is pure: it takes RuleSets and returns text or a rich renderable; cli_rules.py reads the files
and prints.

How `rules check` decides its exit code: a problem (anything load_rules refuses) always fails the check. A timing
outside the leaflet's range is a warning, printed with both ranges, and it also fails the check (exit 1): "exit 0
only when clean" must hold for a script that checks a clinic's file before using it. A clinic that differs from
the leaflet on purpose passes --allow-outside-leaflet: the warnings are still printed, and no longer fail it.

"Outside the leaflet's range": each rule of the clinic's file is compared with the shipped rule of the same id,
when both are due or both are periods; its due, from and until each against the shipped one, when both have it
and count from the same anchor. It is outside when its earliest can land before the shipped earliest or its
latest after the shipped latest (durations.is_ordered, so "1mo" against "4w" counts: a month can be longer).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from pumpcare.durations import Duration, is_ordered
from pumpcare.errors import shown_problems
from pumpcare.rules import LEAFLET, Drug, Moment, Rule, RuleSet

if TYPE_CHECKING:
    from rich.console import RenderableType

_EVENTS = {
    "surgery": "surgery",
    "follow-up": "the follow-up visit",
    "refill": "each refill visit",
    "implant": "the implant",
    "replace-by": "the deadline",
}
_AT_EVENT = {
    "surgery": "on the surgery day",
    "follow-up": "at the follow-up visit",
    "refill": "at each refill visit",
    "implant": "when the pump goes in",
    "replace-by": "on the replacement deadline",
}
_DAYS_PER = {"days": 1, "weeks": 7}
_NARROWEST_SOURCE = 20


def moment_phrase(moment: Moment) -> str:
    """A moment in words: "6–8 weeks after surgery", "7–1 days before surgery", "the follow-up visit"."""
    event = _EVENTS[moment.anchor]
    if _is_at_event(moment):
        return "the surgery day" if moment.anchor == "surgery" else event
    moment = _in_days_when_mixed(moment)
    first, last = moment.earliest, moment.latest
    if not moment.is_window:
        return _offset(first, event)
    if (first.amount < 0) != (last.amount < 0):
        return f"{_offset(first, event)} to {_offset(last, event)}"
    side = "before" if last.amount < 0 else "after"
    if first.unit == last.unit:
        # Moment.describe() would say "7–1 day before": a range takes the plural whatever its last number.
        return f"{abs(first.amount)}–{abs(last.amount)} {last.unit} {side} {event}"
    return f"{_size(first)} to {_size(last)} {side} {event}"


def _offset(duration: Duration, event: str) -> str:
    # Moment.describe() words one offset from surgery without naming it: "2 weeks", "1 day before".
    words = Moment("surgery", duration, duration).describe()
    return f"{words} {event}" if duration.amount < 0 else f"{words} after {event}"


def _size(duration: Duration) -> str:
    return Duration(abs(duration.amount), duration.unit).describe()


def timing_phrase(rule: Rule) -> str:
    """A rule's timing in words: "until 6–8 weeks after surgery", "due at each refill visit", "from surgery on"."""
    if rule.due is not None:
        return f"due {_AT_EVENT[rule.due.anchor]}" if _is_at_event(rule.due) else f"due {moment_phrase(rule.due)}"
    start = rule.start
    # A period that starts on the surgery day says only when it ends; that is most restrictions.
    begins = None if start is None or (start.anchor == "surgery" and _is_at_event(start)) else moment_phrase(start)
    if rule.until is None:
        return f"from {begins}" if begins else "from surgery on"
    until = f"until {moment_phrase(rule.until)}"
    return f"from {begins} {until}" if begins else until


def _is_at_event(moment: Moment) -> bool:
    return moment.earliest.amount == 0 and moment.latest.amount == 0


def _in_days_when_mixed(moment: Moment) -> Moment:
    # "1 week before to 1 day before" reads worse than "7–1 days before"; days and weeks convert exactly.
    first, last = moment.earliest, moment.latest
    if first.unit == last.unit or first.unit not in _DAYS_PER or last.unit not in _DAYS_PER:
        return moment
    return moment._replace(
        earliest=Duration(first.amount * _DAYS_PER[first.unit], "days"),
        latest=Duration(last.amount * _DAYS_PER[last.unit], "days"),
    )


def rules_table(ruleset: RuleSet) -> RenderableType:
    """Every rule with its id, timing and source: a heading and a table that reads at 80 columns."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    count = _rules(len(ruleset.rules))
    heading = Text.assemble((ruleset.name, "bold"), f" · version {ruleset.version} · {count}")
    leaflet = Text(f"Source leaflet: {ruleset.source}. Other sources are named before the sentence they give.")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, highlight=False)
    # Ids and timings are what a nurse looks up and copies, so they never wrap; the source folds, never crops.
    table.add_column("Rule id", no_wrap=True)
    table.add_column("Timing", no_wrap=True)
    table.add_column("Source", min_width=_NARROWEST_SOURCE, ratio=1, overflow="fold")
    previous = None
    for rule in ruleset.rules:
        # One leaflet sentence often gives several rules (the eight movement limits); quoting it once reads faster.
        cited = rule.source if rule.cites == LEAFLET else f"{ruleset.document(rule.cites)}: {rule.source}"
        source = Text("(same as above)", style="dim") if cited == previous else Text(cited)
        table.add_row(rule.id, timing_phrase(rule), source)
        previous = cited
    if not ruleset.drugs:
        return Group(heading, table, leaflet)
    drugs = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, highlight=False)
    drugs.add_column("Drug id", no_wrap=True)
    drugs.add_column("Name", ratio=1)
    drugs.add_column("Labelled refill limits", ratio=1)
    for drug in ruleset.drugs.values():
        drugs.add_row(drug.id, drug.name, refill_limits(drug))
    named = Text(f"{_count(len(ruleset.drugs), 'drug')}, named with --drug:")
    return Group(heading, table, leaflet, Text(""), named, drugs)


def refill_limits(drug: Drug) -> str:
    """A drug's labelled limits in words: "first fill within 14 days; then at least every 84 days"."""
    limits = []
    if drug.first_fill is not None:
        limits.append(f"first fill within {drug.first_fill.describe()}")
    if drug.refill_within is not None:
        limits.append(f"then at least every {drug.refill_within.describe()}")
    return "; ".join(limits) if limits else "none in the rule file; its warning applies"


class OutsideLeaflet(NamedTuple):
    """A clinic's timing that starts earlier or ends later than the leaflet's for the same rule."""

    where: str
    clinic: Moment
    leaflet: Moment

    def __str__(self) -> str:
        clinic, leaflet = moment_phrase(self.clinic), moment_phrase(self.leaflet)
        return f"{self.where}: {clinic} is outside the leaflet's range, {leaflet}"


class Departure(NamedTuple):
    """A clinic's rule that leaves the leaflet in a way a range cannot show: dropped, re-filed, re-anchored."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def outside_leaflet(clinic: RuleSet, shipped: RuleSet) -> list[OutsideLeaflet | Departure]:
    """Each way the clinic's rules leave the leaflet: timings outside its ranges, and rules dropped or changed."""
    found: list[OutsideLeaflet | Departure] = []
    # A file that drops a rule drops that instruction; a script checking the file must hear about it.
    found.extend(
        Departure("rules", f"'{rule.id}' from the leaflet is missing, so no plan will show it")
        for rule in shipped.rules
        if clinic.get(rule.id) is None
    )
    for index, rule in enumerate(clinic.rules):
        leaflet = shipped.get(rule.id)
        if leaflet is None:
            continue
        where = f"rules[{index}] '{rule.id}'"
        if rule.category != leaflet.category:
            found.append(
                Departure(f"{where}.category", f"'{rule.category}' where the leaflet has '{leaflet.category}'")
            )
        if (rule.due is None) != (leaflet.due is None):
            kind = "a thing due" if rule.due else "a period"
            found.append(Departure(where, f"is {kind} where the leaflet's rule is not"))
            continue
        if leaflet.until is not None and rule.until is None and rule.due is None:
            found.append(Departure(f"{where}.until", "has no end where the leaflet's rule ends"))
        if leaflet.until is None and rule.until is not None:
            found.append(Departure(f"{where}.until", "ends where the leaflet's rule has no end"))
        for key, ours, theirs in (
            ("due", rule.due, leaflet.due),
            ("from", rule.start, leaflet.start),
            ("until", rule.until, leaflet.until),
        ):
            if ours is None or theirs is None:
                continue
            if ours.anchor != theirs.anchor:
                found.append(
                    Departure(
                        f"{where}.{key}",
                        f"counts from the {ours.anchor} where the leaflet counts from the {theirs.anchor}",
                    )
                )
                continue
            # is_ordered holds when its first argument never lands after its second, on any start date.
            if not is_ordered(theirs.earliest, ours.earliest) or not is_ordered(ours.latest, theirs.latest):
                found.append(OutsideLeaflet(f"{where}.{key}", ours, theirs))
    return found


class CheckReport(NamedTuple):
    """What `rules check` prints, and whether the file passes."""

    lines: tuple[str, ...]
    passed: bool


def report_problems(shown: str, problems: Sequence[str]) -> CheckReport:
    """The report for a file that cannot be used: every problem with where it is, then a count."""
    lines = [f"{shown}: {problem}" for problem in shown_problems(list(problems))]
    fix = "fix it" if len(problems) == 1 else "fix them"
    lines.append(f"{shown}: {_count(len(problems), 'problem')}; {fix} and check again.")
    return CheckReport(tuple(lines), passed=False)


def report_rules(shown: str, clinic: RuleSet, shipped: RuleSet, *, allow_outside: bool) -> CheckReport:
    """The report for a file that loads: its timings outside the leaflet's ranges as warnings, then a count."""
    flags = outside_leaflet(clinic, shipped)
    count = _rules(len(clinic.rules))
    notes = [f"{shown}: note: {note}" for note in translation_notes(clinic)]
    if not flags:
        return CheckReport((*notes, f"{shown}: {count}, no problems."), passed=True)
    lines = notes + [f"{shown}: warning: {flag}" for flag in flags]
    outside = f"{_count(len(flags), 'difference')} from the leaflet"
    if allow_outside:
        lines.append(f"{shown}: {count}, no problems; {outside}, allowed by --allow-outside-leaflet.")
    else:
        lines.append(f"{shown}: {count}, {outside}; if the clinic means it, check again with --allow-outside-leaflet.")
    return CheckReport(tuple(lines), passed=allow_outside)


def translation_notes(ruleset: RuleSet) -> list[str]:
    """For each shipped language, the texts it has no translation for: they show in English, never silently."""
    from pumpcare.i18n import LANGUAGES, NAMES, speaking
    from pumpcare.rule_words import untranslated

    notes = []
    for code in LANGUAGES[1:]:
        with speaking(code):
            missing = untranslated(ruleset)
        if not missing:
            continue
        by_owner: dict[str, list[str]] = {}
        for context in missing:
            kind, owner, field = context.split(":")
            by_owner.setdefault(f"{kind} {owner}" if kind != "rule" else owner, []).append(field)
        listed = "; ".join(f"{owner} ({', '.join(fields)})" for owner, fields in by_owner.items())
        notes.append(
            f"no {NAMES[code]} translation for {_count(len(missing), 'text')}, shown in English when pumpcare "
            f"speaks {NAMES[code]} ({code}): {listed}"
        )
    return notes


class FieldChange(NamedTuple):
    """One field of a rule, as the leaflet has it and as the clinic's file has it, in words."""

    name: str
    shipped: str
    clinic: str


class RuleChange(NamedTuple):
    """A rule both files have, and the fields in which they differ."""

    rule_id: str
    fields: tuple[FieldChange, ...]


class RulesDiff(NamedTuple):
    """What a clinic's file changes against the shipped rules."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[RuleChange, ...]
    unchanged: int


def diff_rules(shipped: RuleSet, clinic: RuleSet) -> RulesDiff:
    """Rules added (in the clinic's order), removed (in the leaflet's order) and changed, field by field."""
    clinic_ids = {rule.id for rule in clinic.rules}
    added = tuple(rule.id for rule in clinic.rules if shipped.get(rule.id) is None)
    removed = tuple(rule.id for rule in shipped.rules if rule.id not in clinic_ids)
    changed: list[RuleChange] = []
    unchanged = 0
    for rule in clinic.rules:
        leaflet = shipped.get(rule.id)
        if leaflet is None:
            continue
        old, new = _fields(leaflet), _fields(rule)
        fields = tuple(FieldChange(name, old[name], new[name]) for name in old if old[name] != new[name])
        if fields:
            changed.append(RuleChange(rule.id, fields))
        else:
            unchanged += 1
    return RulesDiff(added, removed, tuple(changed), unchanged)


def _fields(rule: Rule) -> dict[str, str]:
    # Timing is compared in words: "-1w" and "-7d" land on the same day and read the same, so they are no change.
    return {
        "title": rule.title,
        "category": rule.category,
        "text": rule.text,
        "source": rule.source,
        "group": rule.group or "none",
        "timing": timing_phrase(rule),
        "remind": "yes" if rule.remind else "no",
        "repeat": rule.repeat.describe() if rule.repeat is not None else "none",
        "when_to_call": "yes" if rule.when_to_call else "no",
    }


def diff_lines(diff: RulesDiff, shown: str, *, arrow: str = "→") -> list[str]:
    """The diff as lines of text: added, removed and changed rules, then how many are unchanged."""
    if not (diff.added or diff.removed or diff.changed):
        return [f"{shown}: no changes against the shipped rules ({_rules(diff.unchanged)})."]
    lines = [f"{shown} against the shipped rules:"]
    if diff.added:
        lines += [f"Added ({len(diff.added)}):", *(f"  {rule_id}" for rule_id in diff.added)]
    if diff.removed:
        lines += [f"Removed ({len(diff.removed)}):", *(f"  {rule_id}" for rule_id in diff.removed)]
    if diff.changed:
        lines.append(f"Changed ({len(diff.changed)}):")
        for change in diff.changed:
            lines += [f"  {change.rule_id}: {f.name}: {f.shipped} {arrow} {f.clinic}" for f in change.fields]
    lines.append(f"Unchanged: {_rules(diff.unchanged)}.")
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _rules(number: int) -> str:
    return _count(number, "rule")
