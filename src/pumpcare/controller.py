"""Between the command line and the core: the options given and the saved record in, a plan out. No printing.

`plan`, `today`, `next`, `handout` and the `log` commands all go through here, so an input is read, merged with the
record and checked the same way wherever it is given.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from pumpcare import store
from pumpcare.clinic import Clinic
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
    from pumpcare.batch import BatchOptions
    from pumpcare.sheet import Sheet


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


def careplan_bytes(
    the_plan: Plan,
    patient_label: str | None,
    *,
    created: date,
    patient_ref: str | None = None,
    key: str | None = None,
) -> bytes:
    """The plan as a FHIR CarePlan, as `plan --fhir` and `batch --fhir` write it."""
    from pumpcare.render_fhir import render_careplan

    careplan = render_careplan(the_plan, patient_label=patient_label, patient_ref=patient_ref, created=created, key=key)
    return careplan.encode("utf-8")


def sheet_bytes(
    the_plan: Plan,
    patient_label: str | None,
    paper: str,
    *,
    html: bool,
    clinic: Clinic | None = None,
    today: date | None = None,
    large_print: bool = False,
) -> tuple[bytes, int]:
    """The sheet's bytes and its page count (an HTML page counts as one: the browser paginates it)."""
    from pumpcare.sheet import make_sheet

    sheet = make_sheet(the_plan, patient_label, clinic=clinic, today=today)
    return sheet_document(sheet, paper, html=html, large_print=large_print)


def pages_warning(pages: int) -> tuple[str, ...]:
    """What to say of a sheet longer than a page (nothing for one page)."""
    if pages <= 1:
        return ()
    return (
        ngettext(
            "the sheet runs to {count} page; fewer orders split from their group, or --paper a4, may bring it back "
            "to one",
            "the sheet runs to {count} pages; fewer orders split from their group, or --paper a4, may bring it back "
            "to one",
            pages,
        ).format(count=pages),
    )


def sheet_document(sheet: Sheet, paper: str, *, html: bool, large_print: bool = False) -> tuple[bytes, int]:
    """A laid-out sheet as HTML or PDF bytes, and its pages: the one way `handout` and `batch` draw it."""
    from pumpcare.render_pdf import BODY_SIZE, LARGE_PRINT

    size = LARGE_PRINT if large_print else BODY_SIZE
    if html:
        from pumpcare.render_html import render_html

        return render_html(sheet, paper=paper, body_size=size).encode("utf-8"), 1
    from pumpcare.render_pdf import SpillsOver, render_pdf

    if large_print:
        return render_pdf(sheet, paper=paper, body_size=size)  # kept at its size: readers who need it ask for it
    try:
        return render_pdf(sheet, paper=paper, body_size=size, one_page=True)
    except SpillsOver:
        pass
    # One page is what a nurse hands over. A longer language (Spanish runs a fifth longer than English) or many
    # split orders may spill; a point smaller often fits, and is still easy to read.
    smaller = render_pdf(sheet, paper=paper, body_size=size - 1)
    if smaller.pages == 1:
        return smaller
    whole = render_pdf(sheet, paper=paper, body_size=size)
    return smaller if smaller.pages < whole.pages else whole


# What the commands were asked to write, checked before anything is made: the CLI only declares the options and
# prints what comes back.


def day_of(text: str | None, option: str = "--date") -> date:
    """The day an option names (`--date`), or today when it is left out."""
    from pumpcare.inputs import parse_day

    return parse_day(text, option) if text is not None else date.today()


class PlanRequest(NamedTuple):
    """What `plan` was asked to write besides its view: a calendar, a CarePlan, JSON ('-': stdout)."""

    ics: str | None = None
    fhir: str | None = None
    json: bool = False
    spans: bool = False
    chart: bool = False
    patient_ref: str | None = None


def check_request(request: PlanRequest) -> tuple[PlanRequest, tuple[str, ...]]:
    """Refuse outputs that clash, before anything is made; the request with its patient reference checked, and a
    warning for each option that would do nothing."""
    ics, fhir = request.ics, request.fhir
    if request.json and ics == "-":
        raise InputError(_("--json and --ics - both write to stdout; write the calendar to a file instead"))
    if fhir == "-" and (request.json or ics == "-"):
        raise InputError(
            # Translators: {option} is --json or "--ics -", as typed.
            _("{option} and --fhir - both write to stdout; write the CarePlan to a file instead").format(
                option="--json" if request.json else "--ics -"
            )
        )
    if ics is not None and fhir is not None and "-" not in (ics, fhir):
        from pumpcare.files import same_file

        if same_file(ics, fhir):
            raise InputError(_("--ics and --fhir both name {path}; give each its own file").format(path=fhir))
    warnings = []
    if request.spans and ics is None:
        warnings.append(_("--spans shapes the calendar only; add --ics PATH to write one"))
    if request.chart and (request.json or ics is not None or fhir is not None):
        warnings.append(_("--chart draws on the screen only; the JSON and the calendar are written without it"))
    patient_ref = request.patient_ref
    if patient_ref is not None:
        from pumpcare.inputs import check_patient_ref

        patient_ref = check_patient_ref(patient_ref)
        if fhir is None:
            warnings.append(_("--patient-ref names the CarePlan's patient only; add --fhir PATH to write one"))
    return request._replace(patient_ref=patient_ref), tuple(warnings)


class Output(NamedTuple):
    """A file a command writes ('-': stdout), its bytes, and what it is: "calendar" (with its events) or "careplan"."""

    target: str
    data: bytes
    kind: str
    events: int = 0


def build_time() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set, so a calendar can be rebuilt byte for byte."""
    import os
    from datetime import timezone

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return datetime.now(timezone.utc).replace(microsecond=0)
    if not epoch.isdigit():
        raise InputError(
            _("SOURCE_DATE_EPOCH '{value}' is not a whole number of seconds since 1970; fix or unset it").format(
                value=epoch
            )
        )
    try:
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise InputError(
            _("SOURCE_DATE_EPOCH '{value}' is too far in the future to be a date; fix or unset it").format(value=epoch)
        ) from None


def plan_outputs(
    resolved: Resolved, request: PlanRequest, *, clinic: Path | None = None
) -> tuple[list[Output], tuple[str, ...]]:
    """The calendar (with the `clinic` profile's name and numbers) and the CarePlan `plan` was asked for, in the
    order they are written, and what to warn of."""
    if request.ics is None and request.fhir is None:
        return [], ()
    label, stamp = resolved.inputs.patient_label, build_time()
    outputs = []
    warnings: tuple[str, ...] = ()
    if request.ics is not None:
        from pumpcare.clinic import load_clinic
        from pumpcare.render_ics import render_ics

        profile = load_clinic(clinic) if clinic is not None else None
        data = render_ics(
            resolved.plan, stamp=stamp, patient_label=label, spans=request.spans, clinic=profile, key=resolved.key
        )
        outputs.append(Output(request.ics, data, "calendar", data.count(b"BEGIN:VEVENT")))
    if request.fhir is not None:
        key = resolved.record_key
        data = careplan_bytes(resolved.plan, label, created=stamp.date(), patient_ref=request.patient_ref, key=key)
        outputs.append(Output(request.fhir, data, "careplan"))
        if not label and not request.patient_ref and key is None:
            # The CarePlan's id comes from the surgery day and the label, like the calendar's UIDs: on a shared
            # server, two unlabelled patients operated on the same day would have one id, and a PUT would replace.
            warnings = (
                _(
                    "without --patient-label or --patient-ref, the CarePlans of patients operated on the same day "
                    "share one id; give a label unique to the patient (such as the record number) before sending it "
                    "to a server"
                ),
            )
    return outputs, warnings


def check_paper(paper: str) -> str:
    """A --paper size pumpcare knows, lower-cased."""
    from pumpcare.render_pdf import PAPER

    if paper.lower() not in PAPER:
        raise InputError(
            _("--paper {size} is not a paper size pumpcare knows; use letter or a4").format(size=repr(paper))
        )
    return paper.lower()


def sheet_format(out: Path, paper: str, *, html: bool) -> tuple[str, bool]:
    """The paper and the format (HTML or not) of a sheet written to `out`; refused when they do not fit."""
    paper = check_paper(paper)
    suffix = out.suffix.lower()
    if suffix and suffix not in (".pdf", ".html", ".htm"):
        # A sheet named .docx would open as garbage in a word processor: refuse before anything is made.
        raise InputError(
            # Translators: {suffix} is the file's ending as given, such as .docx; {stem} its name without it.
            _("handout writes a PDF or a web page, not {suffix}; name the file {stem}.pdf or .html").format(
                suffix=suffix, stem=out.stem
            )
        )
    html = html or suffix in (".html", ".htm")
    if html and suffix == ".pdf":
        raise InputError(
            _("--html writes a web page, but {path} is named .pdf; name it .html or leave out --html").format(path=out)
        )
    return paper, html


def write_sheet(
    resolved: Resolved,
    out: Path,
    paper: str,
    *,
    html: bool,
    clinic: Clinic | None,
    today: date,
    large_print: bool = False,
) -> tuple[str, ...]:
    """The discharge sheet written to `out`, atomically; what to warn of (a sheet longer than a page)."""
    from pumpcare.files import write_atomically

    data, pages = sheet_bytes(
        resolved.plan, resolved.inputs.patient_label, paper, html=html, clinic=clinic, today=today,
        large_print=large_print,
    )  # fmt: skip
    write_atomically(out, data)
    return pages_warning(pages)


def batch_options(
    rules: Path | None,
    out_dir: Path,
    paper: str,
    *,
    html: bool,
    clinic: Path | None,
    fhir: bool,
    jobs: int | None,
) -> tuple[BatchOptions, int, tuple[str, ...]]:
    """What every row of a batch shares, how many processes plan them, and what to warn of (texts the language
    in use lacks), all checked before a row is read."""
    from pumpcare.batch import BatchOptions, usable_cores
    from pumpcare.clinic import load_clinic
    from pumpcare.rule_file import load_rules

    paper = check_paper(paper)
    if jobs is not None and jobs < 1:
        raise InputError(
            _("--jobs {count} is not a number of processes; give 1 or more, or leave it out to use every core").format(
                count=jobs
            )
        )
    profile = load_clinic(clinic) if clinic is not None else None
    stamp = build_time()
    options = BatchOptions(load_rules(rules), out_dir, stamp, paper, html, profile, date.today(), fhir=fhir)
    return options, jobs or usable_cores(), tuple(translation_gaps(options.rules))
