"""The saved plan: the patient's record. The inputs a plan is made from, and what has happened since.

Only inputs and events are kept, never computed dates, so a new pumpcare or a corrected rule file recomputes
them. The record has a schema: every key present, every value readable. Anything short of that is a broken record,
which pumpcare names and never replaces (see store.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from pumpcare.errors import InputError, PumpcareError, excerpt
from pumpcare.i18n import gettext as _
from pumpcare.input_table import PLAN_INPUTS
from pumpcare.inputs import PlanInputs, check_label, parse_date, parse_day, parse_interval, parse_override
from pumpcare.keys import derived_key, is_key
from pumpcare.pumplife import LOGGED_KINDS, Logged, latest_refill
from pumpcare.quantities import Fill, parse_quantity

FILE_NAME = "plan.yaml"
FORMAT = 2
# Not clinical: weekly refills for 38 years. It keeps every command on the biggest record within seconds.
MAX_HISTORY = 2_000
# The plan's inputs the record keeps under their own names, in the order input_table declares them.
_INPUT_KEYS = tuple(item.field for item in PLAN_INPUTS if item.saved)
_KEYS = ("format", *_INPUT_KEYS, "set", "rules_file", "rules_name", "rules_version", "patient_label", "history")
# The record's own key in calendar UIDs; a record written before it had one is read without it.
_OPTIONAL_KEYS = ("key",)
# Format 1 (pumpcare 0.1) had no record of events and no pump numbers; it is read and written back as format 2.
_KEYS_V1 = (
    "format", "surgery_date", "follow_up", "refill_every", "first_refill", "set",
    "rules_file", "rules_name", "rules_version", "patient_label",
)  # fmt: skip
_FILL_KEYS = ("fill_volume", "concentration", "daily_dose")
_ENTRY_KEYS = ("event", "date", *_FILL_KEYS, "replaced_next_refill", "numbers_cleared")
_KINDS = {"fill_volume": "volume", "concentration": "concentration", "daily_dose": "dose", "alarm_volume": "volume"}
_HEADER = """\
# pumpcare saved plan: your dates, your care team's orders and numbers, and what has happened (history).
# Change it with `pumpcare plan ... --save` and `pumpcare log ...`; delete it with `pumpcare forget`.
# Dates are YYYY-MM-DD; durations look like 2w, 6 weeks, 3mo; set lists orders like no-driving=6w.
"""


class SavedPlanError(PumpcareError):
    """A saved plan file that cannot be read; the message names the file and how to fix or remove it."""


class SavedPlan(NamedTuple):
    """A saved plan file's content: the inputs, which rules they were saved with, and the record of events."""

    inputs: PlanInputs
    rules_name: str
    rules_version: str
    history: tuple[Logged, ...] = ()
    key: str = ""  # "" until written: a record from before keys gets the one its UIDs already used


def record_key(saved: SavedPlan) -> str:
    """The record's key; for a record from before keys, the one derived from its surgery date and label."""
    surgery = parse_date(saved.inputs.surgery_date or "", "surgery_date")
    return saved.key or derived_key(surgery, saved.inputs.patient_label)


def dump_saved(saved: SavedPlan) -> str:
    """The file's text: a comment saying what it is, then one key a line, then the history."""
    import yaml

    inputs = saved.inputs
    data: dict[str, Any] = {"format": FORMAT}
    data.update({key: getattr(inputs, key) for key in _INPUT_KEYS})
    data.update(
        {
            "set": list(inputs.orders),
            "rules_file": inputs.rules_file,
            "rules_name": saved.rules_name,
            "rules_version": saved.rules_version,
            "patient_label": inputs.patient_label,
            "key": record_key(saved),
            "history": [_entry_data(entry) for entry in saved.history],
        }
    )
    body: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None, width=1000)
    return _HEADER + body


def _entry_data(entry: Logged) -> dict[str, str | bool]:
    data: dict[str, str | bool] = {"event": entry.kind, "date": entry.day.isoformat()}
    if entry.fill is not None:
        data.update(
            fill_volume=str(entry.fill.volume),
            concentration=str(entry.fill.concentration),
            daily_dose=str(entry.fill.dose),
        )
    if entry.replaced_next_refill is not None:
        data.update(replaced_next_refill=entry.replaced_next_refill.isoformat())
    if entry.numbers_cleared:
        data.update(numbers_cleared=True)
    return data


def parse_saved(text: str, path: Path) -> SavedPlan:
    """Read a saved plan and check every value; raise SavedPlanError naming the file and the fix when it is broken."""
    try:
        return _parse(text)
    except SavedPlanError as err:
        # Translators: {problem} is one of the sentences that begin "the saved plan ..."; {path} is its file.
        message = _("{problem}; fix it in a text editor, or delete it with `pumpcare forget` (the file: {path})")
        raise SavedPlanError(message.format(problem=err, path=path)) from None
    except PumpcareError as err:
        message = _(
            "the saved plan has a value pumpcare cannot use ({problem}); fix it in a text editor, or delete it with "
            "`pumpcare forget` (the file: {path})"
        )
        raise SavedPlanError(message.format(problem=err, path=path)) from None


def _parse(text: str) -> SavedPlan:
    data = _load(text)
    if not isinstance(data, dict):
        raise SavedPlanError(_("the saved plan is not a mapping of keys to values"))
    found = data.get("format")
    if found not in (1, FORMAT):
        # Translators: {found} is what the file says; {expected} the format number pumpcare writes.
        raise SavedPlanError(
            _("the saved plan has format {found}, not {expected}").format(found=excerpt(found), expected=FORMAT)
        )
    keys = _KEYS_V1 if found == 1 else _KEYS
    unknown = sorted(str(key) for key in data if key not in keys and not (found == FORMAT and key in _OPTIONAL_KEYS))
    if unknown:
        # Translators: {keys} are the file's own key names, which stay as they are.
        raise SavedPlanError(_("the saved plan has unknown keys ({keys})").format(keys=", ".join(unknown)))
    # A file cut short (a full disk, a hand edit) must not read as a plan without orders or refills.
    missing = [key for key in keys if key not in data]
    if missing:
        # Translators: {keys} are the file's own key names, which stay as they are.
        message = _("the saved plan is missing {keys}, so part of it may be lost")
        raise SavedPlanError(message.format(keys=", ".join(missing)))
    values = {key: _text(data.get(key), key) for key in keys if key not in ("format", "set", "history")}
    if not values["surgery_date"]:
        raise SavedPlanError(_("the saved plan has no surgery_date"))
    orders = data.get("set") or []
    if not isinstance(orders, list) or not all(isinstance(order, str) for order in orders):
        raise SavedPlanError(_("the saved plan's 'set' must be a list of orders such as no-driving=6w"))
    inputs = PlanInputs(
        **{key: values.get(key) for key in _INPUT_KEYS},
        orders=tuple(orders),
        rules_file=values["rules_file"],
        patient_label=values["patient_label"],
    )
    _check_inputs(inputs)
    entries = data.get("history") or []
    if not isinstance(entries, list):
        # Translators: keep "- {event: refill, ...}" as it is: it is how the file writes an event.
        raise SavedPlanError(_("the saved plan's history must be a list of events, such as - {event: refill, ...}"))
    if len(entries) > MAX_HISTORY:
        # Translators: "{count:,}" writes 2,001 with a comma; write "{count}" (and "{most}") for no separator.
        message = _("the saved plan's history has {count:,} entries, more than the {most:,} it holds")
        raise SavedPlanError(message.format(count=len(entries), most=MAX_HISTORY))
    history = tuple(_entry(item, index) for index, item in enumerate(entries))
    _check_history(history)
    key = data.get("key", "")
    if key != "" and not is_key(key):
        raise SavedPlanError(_("the saved plan's key must be 16 letters and digits (0-9, a-f), as pumpcare wrote it"))
    return SavedPlan(inputs, values["rules_name"] or "", values["rules_version"] or "", history, key)


def _check_history(history: tuple[Logged, ...]) -> None:
    """What `pumpcare log` refuses is a broken record when a hand edit put it there: the same event twice on one
    day, or a second follow-up visit."""
    seen: dict[tuple[str, date], int] = {}
    follow_up: int | None = None
    for number, entry in enumerate(history, start=1):
        first = seen.setdefault((entry.kind, entry.day), number)
        if first != number:
            # Translators: {event} is the file's own word for the event (refill, follow-up, replacement); keep it.
            message = _("the saved plan's history entry {number} ({event} on {date}) repeats entry {first}; keep one")
            raise SavedPlanError(message.format(number=number, event=entry.kind, date=entry.day, first=first))
        if entry.kind == "follow-up":
            if follow_up is not None:
                message = _(
                    "the saved plan's history entry {number} is a second follow-up visit (the first is entry "
                    "{first}); keep the one that happened"
                )
                raise SavedPlanError(message.format(number=number, first=follow_up))
            follow_up = number


def after_today(saved: SavedPlan, today: date) -> str | None:
    """The first logged event after `today`, as a problem with the record; None when there is none.

    A day of slack: an entry logged where the date was already tomorrow (a flight, another time zone) is real.
    """
    for number, entry in enumerate(saved.history, start=1):
        if entry.day > today + timedelta(days=1):
            # Translators: {event} is the file's own word for the event (refill, follow-up, replacement); keep it.
            message = _("the saved plan's history entry {number} ({event} on {date}) is after today ({today})")
            return message.format(number=number, event=entry.kind, date=entry.day, today=today)
    return None


def _load(text: str) -> Any:
    import yaml

    from pumpcare.reading import (
        MAX_YAML_DEPTH,
        MAX_YAML_NODES,
        YamlAliasError,
        YamlShapeError,
        YamlSizeError,
        load_yaml,
    )

    try:
        return load_yaml(text, getattr(yaml, "CSafeLoader", yaml.SafeLoader), aliases=False)
    except YamlAliasError:
        raise SavedPlanError(_("the saved plan uses a YAML alias (*name), which pumpcare never writes")) from None
    except YamlSizeError:
        # Translators: "{count:,}" writes 50,000 with a comma; write "{count}" (and "{most}") for no separator.
        message = _("the saved plan holds more than {count:,} values; a plan keeps at most {most:,} logged events")
        raise SavedPlanError(message.format(count=MAX_YAML_NODES, most=MAX_HISTORY)) from None
    except YamlShapeError:
        message = _("the saved plan nests lists or mappings more than {depth} deep")
        raise SavedPlanError(message.format(depth=MAX_YAML_DEPTH)) from None
    except yaml.YAMLError:
        raise SavedPlanError(_("the saved plan is not valid YAML")) from None
    except ValueError:
        # YAML reads an unquoted 2026-13-01 as a date and fails on the month, outside its own errors.
        raise SavedPlanError(_("the saved plan has a date that does not exist, or a number too long to read")) from None


def _check_inputs(inputs: PlanInputs) -> None:
    """Every value as the command line would check it: a hand edit gets no way around the checks."""
    for key in ("surgery_date", "follow_up", "first_refill", "next_refill"):
        value = getattr(inputs, key)
        if value is not None:
            parse_date(value, key)
    if inputs.refill_every is not None:
        parse_interval(inputs.refill_every, "refill_every")
    for order in inputs.orders:
        parse_override(order, "set")
    for key, kind in _KINDS.items():
        value = getattr(inputs, key)
        if value is not None:
            parse_quantity(value, kind, key)
    if inputs.patient_label is not None:
        check_label(inputs.patient_label, "patient_label")


def _entry(item: Any, index: int) -> Logged:
    number = index + 1
    if not isinstance(item, dict) or set(item) - set(_ENTRY_KEYS) or not {"event", "date"} <= set(item):
        message = _("the saved plan's history entry {number} must have an event and a date, such as event: refill")
        raise SavedPlanError(message.format(number=number))
    kind = item["event"]
    if kind not in LOGGED_KINDS:
        # Translators: {event} is what the file says; {events} are the file's own words for events: keep them.
        message = _("the saved plan's history entry {number} has the event {event}; use {events}")
        raise SavedPlanError(message.format(number=number, event=repr(excerpt(kind)), events=", ".join(LOGGED_KINDS)))
    # Translators: names a value of the saved plan in a message about it, such as "... is not a real date".
    where = _("history entry {number} date").format(number=number)
    day = parse_date(_text(item["date"], where) or "", where)
    fill = None
    numbers = [key for key in _FILL_KEYS if item.get(key) is not None]
    if numbers:
        if len(numbers) != len(_FILL_KEYS) or kind != "refill":
            message = _("the saved plan's history entry {number} needs all three pump numbers, on a refill only")
            raise SavedPlanError(message.format(number=number))
        fill = Fill(*(parse_quantity(str(item[key]), _KINDS[key], key) for key in _FILL_KEYS))
    replaced = None
    if item.get("replaced_next_refill") is not None:
        if kind != "refill":
            message = _(
                "the saved plan's history entry {number} has replaced_next_refill, which only a refill can have"
            )
            raise SavedPlanError(message.format(number=number))
        # Translators: names a value of the saved plan; replaced_next_refill is the file's own key: keep it.
        where = _("history entry {number} replaced_next_refill").format(number=number)
        replaced = parse_day(_text(item["replaced_next_refill"], where) or "", where)
    cleared = item.get("numbers_cleared", False)
    if cleared not in (True, False) or (cleared and (kind != "refill" or fill is not None)):
        message = _(
            "the saved plan's history entry {number} has numbers_cleared, which only a refill without numbers can have"
        )
        raise SavedPlanError(message.format(number=number))
    return Logged(kind, day, fill, replaced, numbers_cleared=cleared)


def _text(value: Any, key: str) -> str | None:
    # A hand-edited date without quotes arrives as a date; it means the same thing.
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    # Translators: {key} is a key of the file (surgery_date) or "history entry 3 date", as translated above.
    raise SavedPlanError(_("the saved plan's {key} should be text, not {value}").format(key=key, value=excerpt(value)))


def fill_from(inputs: PlanInputs) -> Fill | None:
    """The pump numbers of the inputs: each checked for its unit, then all three or none."""
    given = {
        option: parse_quantity(text, kind, option)
        for option, text, kind in (
            ("--fill-volume", inputs.fill_volume, "volume"),
            ("--concentration", inputs.concentration, "concentration"),
            ("--daily-dose", inputs.daily_dose, "dose"),
        )
        if text is not None
    }
    if not given:
        return None
    if len(given) < 3:
        raise InputError(
            _("the refill date from the pump's numbers needs --fill-volume, --concentration and --daily-dose together")
        )
    return Fill(*given.values())


def with_entry(saved: SavedPlan, entry: Logged) -> SavedPlan:
    """The record with one more entry (entries stay in the order they were logged, so undo takes the last)."""
    if len(saved.history) >= MAX_HISTORY:
        # Translators: "{most:,}" writes 2,000 with a comma; write "{most}" for no separator.
        message = _(
            "the saved plan holds {most:,} logged events, the most it keeps; ask your care team to keep "
            "the older history elsewhere, then start a new plan"
        )
        raise InputError(message.format(most=MAX_HISTORY))
    return saved._replace(history=(*saved.history, entry))


def without_last(saved: SavedPlan) -> tuple[SavedPlan, Logged]:
    """The record without its last logged entry, and that entry; raises when there is nothing to take back."""
    if not saved.history:
        raise InputError(_("the saved plan has no logged event to take back; `pumpcare history` lists what it has"))
    *kept, entry = saved.history
    inputs = saved.inputs
    before = latest_refill(kept)
    if entry.kind == "refill" and (before is None or before < entry.day):
        # Logging the latest refill replaced the printout's date; taking it back brings the old one back.
        replaced = entry.replaced_next_refill
        floor = before or parse_date(inputs.surgery_date or "", _("surgery date"))
        if replaced is not None and replaced <= floor:
            replaced = None  # a hand edit that no longer fits: the computed date is safer than a broken record
        inputs = inputs._replace(next_refill=replaced.isoformat() if replaced is not None else None)
    return saved._replace(inputs=inputs, history=tuple(kept)), entry
