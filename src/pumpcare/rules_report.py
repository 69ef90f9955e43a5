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

from pumpcare.durations import Duration, describe_span, is_ordered
from pumpcare.errors import shown_problems
from pumpcare.i18n import N_, ngettext, pgettext
from pumpcare.i18n import gettext as _
from pumpcare.rules import LEAFLET, Drug, Moment, Rule, RuleSet

if TYPE_CHECKING:
    from rich.console import RenderableType

# Marked for the catalog here, translated where they are shown: the language is chosen after import.
_EVENTS = {
    "surgery": N_("the surgery day"),
    "follow-up": N_("the follow-up visit"),
    "refill": N_("each refill visit"),
    "implant": N_("the implant"),
    "replace-by": N_("the deadline"),
}
# An offset before (True) or after (False) each anchor; {length} is "2 weeks", "7–1 days", "1 week to 2 months".
_FROM_EVENT = {
    ("surgery", True): N_("{length} before surgery"),
    ("surgery", False): N_("{length} after surgery"),
    ("follow-up", True): N_("{length} before the follow-up visit"),
    ("follow-up", False): N_("{length} after the follow-up visit"),
    ("refill", True): N_("{length} before each refill visit"),
    ("refill", False): N_("{length} after each refill visit"),
    ("implant", True): N_("{length} before the implant"),
    ("implant", False): N_("{length} after the implant"),
    ("replace-by", True): N_("{length} before the deadline"),
    ("replace-by", False): N_("{length} after the deadline"),
}
_DUE_AT_EVENT = {
    "surgery": N_("due on the surgery day"),
    "follow-up": N_("due at the follow-up visit"),
    "refill": N_("due at each refill visit"),
    "implant": N_("due when the pump goes in"),
    "replace-by": N_("due on the replacement deadline"),
}
# The other languages' names, as a sentence of the catalog's language names them ("no Spanish translation").
_DAYS_PER = {"days": 1, "weeks": 7}
_NARROWEST_SOURCE = 20


def moment_phrase(moment: Moment) -> str:
    """A moment in words: "6–8 weeks after surgery", "7–1 days before surgery", "the follow-up visit"."""
    if _is_at_event(moment):
        return _(_EVENTS[moment.anchor])
    moment = _in_days_when_mixed(moment)
    first, last = moment.earliest, moment.latest
    if not moment.is_window:
        return _offset(first, moment.anchor)
    if (first.amount < 0) != (last.amount < 0):
        return _("{first} to {last}").format(first=_offset(first, moment.anchor), last=_offset(last, moment.anchor))
    if first.unit == last.unit:
        length = describe_span(abs(first.amount), abs(last.amount), last.unit)
    else:
        length = _("{first} to {last}").format(first=_size(first), last=_size(last))
    return _(_FROM_EVENT[moment.anchor, last.amount < 0]).format(length=length)


def _offset(duration: Duration, anchor: str) -> str:
    # Moment.describe() words one offset from surgery without naming it: "2 weeks", "the surgery day" for 0.
    length = _size(duration) if duration.amount < 0 else Moment("surgery", duration, duration).describe()
    return _(_FROM_EVENT[anchor, duration.amount < 0]).format(length=length)


def _size(duration: Duration) -> str:
    return Duration(abs(duration.amount), duration.unit).describe()


def timing_phrase(rule: Rule) -> str:
    """A rule's timing in words: "until 6–8 weeks after surgery", "due at each refill visit", "from surgery on"."""
    if rule.due is not None:
        if _is_at_event(rule.due):
            return _(_DUE_AT_EVENT[rule.due.anchor])
        return _("due {moment}").format(moment=moment_phrase(rule.due))
    start = rule.start
    # A period that starts on the surgery day says only when it ends; that is most restrictions.
    begins = None if start is None or (start.anchor == "surgery" and _is_at_event(start)) else moment_phrase(start)
    if rule.until is None:
        return _("from {start}").format(start=begins) if begins else _("from surgery on")
    end = moment_phrase(rule.until)
    if begins:
        return _("from {start} until {end}").format(start=begins, end=end)
    return _("until {end}").format(end=end)


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
    # Translators: follows the rule file's name, in bold; {count} is "24 rules".
    version = _(" · version {version} · {count}").format(version=ruleset.version, count=count)
    heading = Text.assemble((ruleset.name, "bold"), version)
    leaflet = Text(
        _("Source leaflet: {source}. Other sources are named before the sentence they give.").format(
            source=ruleset.source
        )
    )
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, highlight=False)
    # Ids and timings are what a nurse looks up and copies, so they never wrap; the source folds, never crops.
    table.add_column(_("Rule id"), no_wrap=True)
    table.add_column(_("Timing"), no_wrap=True)
    table.add_column(_("Source"), min_width=_NARROWEST_SOURCE, ratio=1, overflow="fold")
    previous = None
    for rule in ruleset.rules:
        # One leaflet sentence often gives several rules (the eight movement limits); quoting it once reads faster.
        cited = rule.source if rule.cites == LEAFLET else f"{ruleset.document(rule.cites)}: {rule.source}"
        source = Text(_("(same as above)"), style="dim") if cited == previous else Text(cited)
        table.add_row(rule.id, timing_phrase(rule), source)
        previous = cited
    if not ruleset.drugs:
        return Group(heading, table, leaflet)
    drugs = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, highlight=False)
    drugs.add_column(_("Drug id"), no_wrap=True)
    drugs.add_column(_("Name"), ratio=1)
    drugs.add_column(_("Labelled refill limits"), ratio=1)
    for drug in ruleset.drugs.values():
        drugs.add_row(drug.id, drug.name, refill_limits(drug))
    drug_count = len(ruleset.drugs)
    named = Text(
        ngettext("{count} drug, named with --drug:", "{count} drugs, named with --drug:", drug_count).format(
            count=drug_count
        )
    )
    return Group(heading, table, leaflet, Text(""), named, drugs)


def refill_limits(drug: Drug) -> str:
    """A drug's labelled limits in words: "first fill within 14 days; then at least every 84 days"."""
    first, every = drug.first_fill, drug.refill_within
    if first is not None and every is not None:
        return _("first fill within {first}; then at least every {every}").format(
            first=first.describe(), every=every.describe()
        )
    if first is not None:
        return _("first fill within {first}").format(first=first.describe())
    if every is not None:
        return _("then at least every {every}").format(every=every.describe())
    return _("none in the rule file; its warning applies")


class OutsideLeaflet(NamedTuple):
    """A clinic's timing that starts earlier or ends later than the leaflet's for the same rule."""

    where: str
    clinic: Moment
    leaflet: Moment

    def __str__(self) -> str:
        clinic, leaflet = moment_phrase(self.clinic), moment_phrase(self.leaflet)
        return _("{where}: {clinic} is outside the leaflet's range, {leaflet}").format(
            where=self.where, clinic=clinic, leaflet=leaflet
        )


class Departure(NamedTuple):
    """A clinic's rule that leaves the leaflet in a way a range cannot show: dropped, re-filed, re-anchored.

    `what` is said in the language in use, after `where` (a place in the file, as in a problem of the check).
    """

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def outside_leaflet(clinic: RuleSet, shipped: RuleSet) -> list[OutsideLeaflet | Departure]:
    """Each way the clinic's rules leave the leaflet: timings outside its ranges, and rules dropped or changed."""
    found: list[OutsideLeaflet | Departure] = []
    # A file that drops a rule drops that instruction; a script checking the file must hear about it.
    found.extend(
        Departure("rules", _("'{rule}' from the leaflet is missing, so no plan will show it").format(rule=rule.id))
        for rule in shipped.rules
        if clinic.get(rule.id) is None
    )
    for index, rule in enumerate(clinic.rules):
        leaflet = shipped.get(rule.id)
        if leaflet is None:
            continue
        where = f"rules[{index}] '{rule.id}'"
        if rule.category != leaflet.category:
            # Translators: the categories as the file writes them, such as restriction and activity.
            what = _("'{clinic}' where the leaflet has '{leaflet}'").format(
                clinic=rule.category, leaflet=leaflet.category
            )
            found.append(Departure(f"{where}.category", what))
        if (rule.due is None) != (leaflet.due is None):
            if rule.due:
                what = _("is a thing due where the leaflet's rule is not")
            else:
                what = _("is a period where the leaflet's rule is not")
            found.append(Departure(where, what))
            continue
        if leaflet.until is not None and rule.until is None and rule.due is None:
            found.append(Departure(f"{where}.until", _("has no end where the leaflet's rule ends")))
        if leaflet.until is None and rule.until is not None:
            found.append(Departure(f"{where}.until", _("ends where the leaflet's rule has no end")))
        for key, ours, theirs in (
            ("due", rule.due, leaflet.due),
            ("from", rule.start, leaflet.start),
            ("until", rule.until, leaflet.until),
        ):
            if ours is None or theirs is None:
                continue
            if ours.anchor != theirs.anchor:
                # Translators: the anchors as the file writes them: surgery, follow-up, refill, implant, replace-by.
                what = _("counts from the {clinic} where the leaflet counts from the {leaflet}").format(
                    clinic=ours.anchor, leaflet=theirs.anchor
                )
                found.append(Departure(f"{where}.{key}", what))
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
    count = len(problems)
    lines.append(
        ngettext(
            "{file}: {count} problem; fix it and check again.",
            "{file}: {count} problems; fix them and check again.",
            count,
        ).format(file=shown, count=count)
    )
    return CheckReport(tuple(lines), passed=False)


def report_rules(shown: str, clinic: RuleSet, shipped: RuleSet, *, allow_outside: bool) -> CheckReport:
    """The report for a file that loads: its timings outside the leaflet's ranges as warnings, then a count."""
    flags = outside_leaflet(clinic, shipped)
    count = _rules(len(clinic.rules))
    notes = [_("{file}: note: {note}").format(file=shown, note=note) for note in translation_notes(clinic)]
    if not flags:
        return CheckReport((*notes, _("{file}: {rules}, no problems.").format(file=shown, rules=count)), passed=True)
    lines = notes + [_("{file}: warning: {warning}").format(file=shown, warning=flag) for flag in flags]
    outside = ngettext(
        "{count} difference from the leaflet", "{count} differences from the leaflet", len(flags)
    ).format(count=len(flags))
    if allow_outside:
        # Translators: {rules} is "24 rules"; {differences} is "2 differences from the leaflet".
        done = _("{file}: {rules}, no problems; {differences}, allowed by --allow-outside-leaflet.")
    else:
        done = _("{file}: {rules}, {differences}; if the clinic means it, check again with --allow-outside-leaflet.")
    lines.append(done.format(file=shown, rules=count, differences=outside))
    return CheckReport(tuple(lines), passed=allow_outside)


def translation_notes(ruleset: RuleSet) -> list[str]:
    """For each shipped language, the texts it has no translation for: they show in English, never silently."""
    from pumpcare.i18n import LANGUAGES, language_name, speaking
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
        language = language_name(code)
        notes.append(
            # Translators: {language} is a language's name ("Spanish"), {code} its code (es); {listed} names the
            # rules and the keys of theirs that have no translation, as the file writes them.
            ngettext(
                "no {language} translation for {count} text, shown in English when pumpcare speaks {language} "
                "({code}): {listed}",
                "no {language} translation for {count} texts, shown in English when pumpcare speaks {language} "
                "({code}): {listed}",
                len(missing),
            ).format(language=language, count=len(missing), code=code, listed=listed)
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
        "group": rule.group or pgettext("rules diff", "none"),
        "timing": timing_phrase(rule),
        "remind": pgettext("rules diff", "yes") if rule.remind else pgettext("rules diff", "no"),
        "repeat": rule.repeat.describe() if rule.repeat is not None else pgettext("rules diff", "none"),
        "when_to_call": pgettext("rules diff", "yes") if rule.when_to_call else pgettext("rules diff", "no"),
    }


def diff_lines(diff: RulesDiff, shown: str, *, arrow: str = "→") -> list[str]:
    """The diff as lines of text: added, removed and changed rules, then how many are unchanged."""
    if not (diff.added or diff.removed or diff.changed):
        return [
            _("{file}: no changes against the shipped rules ({rules}).").format(
                file=shown, rules=_rules(diff.unchanged)
            )
        ]
    lines = [_("{file} against the shipped rules:").format(file=shown)]
    if diff.added:
        lines += [_("Added ({count}):").format(count=len(diff.added)), *(f"  {rule_id}" for rule_id in diff.added)]
    if diff.removed:
        lines += [
            _("Removed ({count}):").format(count=len(diff.removed)),
            *(f"  {rule_id}" for rule_id in diff.removed),
        ]
    if diff.changed:
        lines.append(_("Changed ({count}):").format(count=len(diff.changed)))
        for change in diff.changed:
            lines += [f"  {change.rule_id}: {f.name}: {f.shipped} {arrow} {f.clinic}" for f in change.fields]
    lines.append(_("Unchanged: {rules}.").format(rules=_rules(diff.unchanged)))
    return lines


def _rules(number: int) -> str:
    return ngettext("{count} rule", "{count} rules", number).format(count=number)
