"""Between the command line and the core: the options given and the saved record in, a plan out. No printing.

`plan`, `today`, `next`, `handout` and the `log` commands all go through here, so an input is read, merged with the
record and checked the same way wherever it is given.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from pumpcare import store
from pumpcare.errors import InputError
from pumpcare.i18n import N_, current, language_name, ngettext
from pumpcare.i18n import gettext as _
from pumpcare.input_table import option_names
from pumpcare.inputs import PlanInputs, parse_date, parse_interval, parse_override
from pumpcare.keys import derived_key, new_key
from pumpcare.planning import make_plan
from pumpcare.pumplife import Logged, LoggedKind, latest_refill
from pumpcare.quantities import parse_quantity
from pumpcare.rule_words import untranslated
from pumpcare.rules import RuleSet
from pumpcare.saved import SavedPlan, fill_from, record_key, with_entry, without_last
from pumpcare.schedule import Plan, RefillSchedule

if TYPE_CHECKING:
    pass


class Resolved(NamedTuple):
    """A plan, the inputs it was made from, the record it used (if any), and the warnings to show now."""

    inputs: PlanInputs
    plan: Plan
    saved: SavedPlan | None
    warnings: tuple[str, ...]

    @property
    def record_key(self) -> str | None:
        """The saved record's own plan key; None for a plan made from options alone."""
        return record_key(self.saved) if self.saved is not None else None

    @property
    def key(self) -> str:
        """The key in the calendar's UIDs: the saved record's own, so a calendar imported from `plan --ics` and one
        kept by `sync` hold the same events; else one from the surgery day and the label."""
        return self.record_key or derived_key(self.plan.surgery, self.inputs.patient_label)


# How each input is named in messages: the command line's options. A CSV batch names its columns instead.
OPTION_NAMES = option_names()


def plan_from(
    inputs: PlanInputs,
    history: Sequence[Logged] = (),
    *,
    list_until: date | None = None,
    ruleset: RuleSet | None = None,
    names: Mapping[str, str] = OPTION_NAMES,
) -> Plan:
    """The one way from typed inputs (and a record of events) to a plan; InputError names the bad input.

    Every InputError carries the input it is about in `field`, so a batch can name the CSV column.
    """
    if inputs.surgery_date is None:
        raise InputError(_("no surgery date: give --surgery-date YYYY-MM-DD"), field="surgery_date")
    with _about("surgery_date"):
        surgery = parse_date(inputs.surgery_date, _("surgery date"))
    with _about("follow_up"):
        follow = parse_date(inputs.follow_up, _("follow-up date")) if inputs.follow_up is not None else None
    refills = None
    with _about("refill_every"):
        if (inputs.refill_every is None) != (inputs.first_refill is None):
            raise InputError(
                # Translators: {every} and {first} are the inputs' names: options such as --refill-every, or a
                # batch's CSV columns; they stay as they are.
                _("refill visits need both {every} and {first}; give both or neither").format(
                    every=names["refill_every"], first=names["first_refill"]
                )
            )
        every = parse_interval(inputs.refill_every, names["refill_every"]) if inputs.refill_every else None
    with _about("first_refill"):
        if every is not None and inputs.first_refill is not None:
            refills = RefillSchedule(parse_date(inputs.first_refill, _("first refill date")), every)
    with _about("orders"):
        orders = [parse_override(order, names["orders"]) for order in inputs.orders]
    with _about("next_refill"):
        next_refill = parse_date(inputs.next_refill, "--next-refill") if inputs.next_refill is not None else None
    with _about("alarm_volume"):
        alarm = inputs.alarm_volume
        alarm_volume = parse_quantity(alarm, "volume", "--alarm-volume") if alarm is not None else None
    # A caller that passes the rule set (a batch) says once what it lacks in a language, not on every row.
    loaded_here = ruleset is None
    if ruleset is None:
        from pumpcare.rule_file import load_rules

        ruleset = load_rules(Path(inputs.rules_file) if inputs.rules_file is not None else None)
    gaps = translation_gaps(ruleset) if loaded_here else []
    plan = make_plan(
        ruleset,
        surgery,
        follow_up=follow,
        refills=refills,
        overrides=orders,
        list_until=list_until,
        history=history,
        next_refill=next_refill,
        fill=fill_from(inputs),
        alarm_volume=alarm_volume,
        drug=inputs.drug,
    )
    if not gaps:
        return plan
    return plan._replace(warnings=(*plan.warnings, *gaps), warning_orders=(*plan.warning_orders, ""))


def translation_gaps(ruleset: RuleSet) -> list[str]:
    """The rule file's texts the language in use has no translation for, as a warning: never silent."""
    missing = untranslated(ruleset)
    if not missing:
        return []
    # A clinic's own rules, or new ones, may not be translated yet, and then show in English.
    return [
        # Translators: {language} is the name of the language in use (yours), as i18n.language_name gives it.
        ngettext(
            "{count} of the rule file's texts has no {language} translation and is shown in English; "
            "`pumpcare rules check` lists it",
            "{count} of the rule file's texts have no {language} translation and are shown in English; "
            "`pumpcare rules check` lists them",
            len(missing),
        ).format(count=len(missing), language=language_name(current().code))
    ]


# Each language's name, as a message names it in the language in use ("no Spanish translation").


@contextlib.contextmanager
def _about(field: str) -> Iterator[None]:
    """Name the input an InputError is about, unless it already names one."""
    try:
        yield
    except InputError as err:
        if err.field is None:
            err.field = field
        raise


# Not clinical: a surgery booked further ahead than this is more likely a typo in the year than a plan.
FAR_AHEAD_DAYS = 366


def doubts(plan: Plan, today: date) -> list[str]:
    """Inputs that are possible but probably mistyped, as warnings: never a question (scripts run unattended)."""
    if (plan.surgery - today).days > FAR_AHEAD_DAYS:
        return [
            _("the surgery date {date} is more than a year from today ({today}); check the year").format(
                date=plan.surgery, today=today
            )
        ]
    return []


def same_surgery(given: PlanInputs, saved: SavedPlan) -> bool:
    """True when the options speak of the saved plan's surgery: left out, or the same day."""
    if given.surgery_date is None:
        return True
    assert saved.inputs.surgery_date is not None
    what = _("surgery date")
    return parse_date(given.surgery_date, what) == parse_date(saved.inputs.surgery_date, what)


def resolve(given: PlanInputs, path: Path, *, list_until: date | None = None, today: date | None = None) -> Resolved:
    """The plan for these options, with the saved record filling in what was not given (same surgery only)."""
    from pumpcare.saved import SavedPlanError

    unread: list[str] = []
    try:
        saved = store.load(path, today=today) if given.surgery_date is None or path.exists() else None
    except SavedPlanError as err:
        if given.surgery_date is None:
            raise
        # A plan given in full (a nurse's, for another patient) does not need the record: say so, and go on.
        saved = None
        # Translators: {problem} says why the saved plan cannot be read, and ends without a full stop.
        unread.append(_("{problem}. This plan is made from the options alone").format(problem=err))
    if saved is not None and not same_surgery(given, saved):
        saved = None  # another surgery date is another plan: the record is not mixed into it
    if saved is None and given.surgery_date is None:
        raise InputError(
            _(
                "no surgery date: give --surgery-date YYYY-MM-DD, or save a plan first with "
                "`pumpcare plan --surgery-date YYYY-MM-DD --save`"
            )
        )
    resolved = _resolved(given, saved, path, list_until)
    return resolved._replace(warnings=(*unread, *resolved.warnings))


def _resolved(
    given: PlanInputs, saved: SavedPlan | None, path: Path, list_until: date | None, typed: PlanInputs | None = None
) -> Resolved:
    """The plan of the options over the record; `typed` is what this command line gave, when not `given`."""
    inputs = given.over(saved.inputs) if saved is not None else given
    history = saved.history if saved is not None else ()
    try:
        plan = plan_from(inputs, history, list_until=list_until)
    except InputError as err:
        if saved is None or _typed_now(err, typed or given):
            raise
        # The bad value may be one the user never typed: say where it came from.
        if err.field == "history":  # the record itself is broken: a hand edit, say
            raise InputError(
                # Translators: {problem} is what is wrong with a value, a whole message; {path} the record's file.
                _(
                    "{problem} (the saved plan at {path} gave part of this plan; fix it or run `pumpcare forget`)"
                ).format(problem=err, path=path)
            ) from None
        if err.field in ("orders", "overrides"):  # an order kept in the record, which --set cannot take back
            raise InputError(
                # Translators: {problem} is what is wrong with the order, a whole message; {path} the record's file.
                _(
                    "{problem} (the order is kept in the saved plan at {path}; use the rule file it was made for, "
                    "or remove the order from the file's `set:` list in a text editor)"
                ).format(problem=err, path=path)
            ) from None
        # The record read fine, so the fix is a new value, never deleting the record.
        raise InputError(
            # Translators: {problem} is what is wrong with a value, a whole message; {path} the record's file.
            _(
                "{problem} (part of this plan comes from the saved plan at {path}; give the right value with "
                "`pumpcare plan ... --save`)"
            ).format(problem=err, path=path),
            field=err.field,
        ) from None
    # An order is warned about where it is entered, not every day it is read back from the record.
    ordered_now = given.given_orders()
    warnings = [
        text
        for text, about in zip(plan.warnings, plan.warning_orders, strict=True)
        if not about or about in ordered_now
    ]
    if saved is not None and (saved.rules_name, saved.rules_version) != (plan.ruleset.name, plan.ruleset.version):
        warnings.insert(
            0,
            _(
                "the saved plan was made with rules version {saved}; this plan uses version {version}. Check the "
                "dates with your care team."
            ).format(saved=saved.rules_version or "?", version=plan.ruleset.version),
        )
    return Resolved(inputs, plan, saved, tuple(warnings))


def _typed_now(err: InputError, given: PlanInputs) -> bool:
    """True when the refused value is one given on this command line, not read back from the record."""
    if err.field in ("orders", "overrides"):
        return err.rule is not None and err.rule in given.given_orders()
    return err.field is not None and getattr(given, err.field, None) is not None


def save(given: PlanInputs, path: Path, *, replace: Callable[[SavedPlan], bool]) -> Resolved:
    """Merge the options into the saved record under its lock and write it; the record's history is kept.

    A different surgery date starts a new record: `replace` is asked first (it shows what would go), and the old
    record stays as it is unless it says yes.
    """
    with store.locked(path):
        saved = store.load(path)  # a broken record raises here, before anything is written
        if saved is not None and not same_surgery(given, saved):
            if not replace(saved):
                raise InputError(
                    _(
                        "kept the saved plan for surgery on {date}; to replace it, add --yes (its follow-up date, "
                        "refills, orders and history go with it)"
                    ).format(date=saved.inputs.surgery_date)
                )
            saved = None
        if saved is None and given.surgery_date is None:
            raise InputError(_("no surgery date: give --surgery-date YYYY-MM-DD with --save"))
        resolved = _resolved(given, saved, path, None)
        history = saved.history if saved is not None else ()
        ruleset = resolved.plan.ruleset
        # A new record gets a key of its own; one that goes on keeps its key (or the one its UIDs already used).
        key = record_key(saved) if saved is not None else new_key()
        store.write(path, SavedPlan(resolved.inputs, ruleset.name, ruleset.version, history, key))
    return resolved


# What a logged day on or before the surgery, or one logged twice, is told: a sentence for each kind of entry.
_ON_SURGERY_DAY: dict[LoggedKind, str] = {
    "refill": N_("--date {day} is the surgery day on {surgery}; give the day the refill happened"),
    "follow-up": N_("--date {day} is the surgery day on {surgery}; give the day the follow-up happened"),
    "replacement": N_("--date {day} is the surgery day on {surgery}; give the day the replacement happened"),
}
_BEFORE_SURGERY: dict[LoggedKind, str] = {
    "refill": N_("--date {day} is before the surgery on {surgery}; give the day the refill happened"),
    "follow-up": N_("--date {day} is before the surgery on {surgery}; give the day the follow-up happened"),
    "replacement": N_("--date {day} is before the surgery on {surgery}; give the day the replacement happened"),
}
_ALREADY_LOGGED: dict[LoggedKind, str] = {
    "refill": N_("a refill on {day} is already in the record; `pumpcare history` lists it"),
    "follow-up": N_("a follow-up on {day} is already in the record; `pumpcare history` lists it"),
    "replacement": N_("a replacement on {day} is already in the record; `pumpcare history` lists it"),
}


def log_event(
    path: Path,
    kind: LoggedKind,
    day: date,
    *,
    today: date,
    numbers: PlanInputs | None = None,
    clear_numbers: bool = False,
    next_refill: str | None = None,
) -> tuple[SavedPlan, Plan]:
    """Add one entry to the record, under its lock, once the plan it makes has been checked.

    `numbers` are the pump numbers given with a refill (fill volume, concentration, daily dose) and the alarm
    volume, which is a setting of the pump and so kept with the plan's inputs for every later refill.
    """
    numbers = numbers or PlanInputs()
    fill = fill_from(numbers)
    if clear_numbers and fill is not None:
        raise InputError(
            _("--clear-numbers and new pump numbers were both given; give the new numbers alone, they replace the old")
        )
    if numbers.alarm_volume is not None:
        parse_quantity(numbers.alarm_volume, "volume", "--alarm-volume")
    with store.locked(path):
        saved = store.must_exist(store.load(path, today=today), path)
        surgery = parse_date(saved.inputs.surgery_date or "", _("surgery date"))
        if day > today:
            raise InputError(
                _("--date {day} is in the future; log what has happened, on or before today ({today})").format(
                    day=day, today=today
                )
            )
        if day <= surgery:
            wrong = _ON_SURGERY_DAY if day == surgery else _BEFORE_SURGERY
            raise InputError(_(wrong[kind]).format(day=day, surgery=surgery))
        same = [entry for entry in saved.history if entry.kind == kind]
        if any(entry.day == day for entry in same):
            raise InputError(_(_ALREADY_LOGGED[kind]).format(day=day))
        if kind == "follow-up" and same:
            raise InputError(
                _(
                    "the follow-up visit is already recorded on {day}; take it back first with `pumpcare log undo`"
                ).format(day=same[0].day)
            )
        inputs = saved.inputs
        replaced = None
        if kind == "refill":
            latest = latest_refill(saved.history)
            if next_refill is not None and parse_date(next_refill, "--next-refill") <= day:
                raise InputError(
                    _(
                        "--next-refill {date} is not after the refill on {day}; give the next date from the printout"
                    ).format(date=next_refill, day=day)
                )
            if latest is None or day > latest:
                # A date from the last printout spoke of this refill; the next one comes from this refill on.
                if inputs.next_refill is not None:
                    # Translators: next_refill is the record file's key; it stays as it is.
                    replaced = parse_date(inputs.next_refill, _("the saved next_refill"))
                inputs = inputs._replace(next_refill=next_refill)
            elif next_refill is not None:
                raise InputError(
                    _(
                        "--next-refill belongs to the latest refill, and {day} is before the one on {latest}; log "
                        "this refill without it"
                    ).format(day=day, latest=latest)
                )
        if numbers.alarm_volume is not None:
            inputs = inputs._replace(alarm_volume=numbers.alarm_volume)
        entry = Logged(kind, day, fill, replaced, numbers_cleared=clear_numbers)
        updated = with_entry(saved._replace(inputs=inputs), entry)
        try:
            plan = _resolved(PlanInputs(), updated, path, None, typed=numbers).plan
        except InputError as err:
            if err.field == "alarm_volume" and fill is not None:
                raise InputError(
                    _(
                        "the pump numbers of this refill need the alarm volume too; add --alarm-volume from the "
                        "programmer's printout, such as 2mL"
                    ),
                    field="alarm_volume",
                ) from None
            raise
        store.write(path, updated)
    return updated, plan


def undo_last(path: Path) -> tuple[SavedPlan, Logged]:
    """Take back the record's last entry, under its lock."""
    with store.locked(path):
        saved = store.must_exist(store.load(path), path)
        updated, entry = without_last(saved)
        store.write(path, updated)
    return updated, entry


def day_of(text: str | None, option: str = "--date") -> date:
    """The day an option names (`--date`), or today when it is left out."""
    from pumpcare.inputs import parse_day

    return parse_day(text, option) if text is not None else date.today()
