"""A saved plan: the inputs a plan is made from (never the computed dates), as a small YAML file people can read.

Only the inputs are kept, so a new pumpcare or a corrected rule file recomputes the dates; the rule file's name
and version are kept too, so a plan made under other rules can say so.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from pumpcare.errors import PumpcareError
from pumpcare.inputs import PlanInputs

FILE_NAME = "plan.yaml"
FORMAT = 1
_KEYS = (
    "format", "surgery_date", "follow_up", "refill_every", "first_refill", "set",
    "rules_file", "rules_name", "rules_version", "patient_label",
)  # fmt: skip
_HEADER = """\
# pumpcare saved plan: the dates and orders your plan is made from, not the computed dates.
# Change it with `pumpcare plan ... --save`, delete it with `pumpcare forget`.
# Dates are YYYY-MM-DD; durations look like 2w, 6 weeks, 3mo; set lists orders like no-driving=6w.
"""


class SavedPlanError(PumpcareError):
    """A saved plan file that cannot be read; the message names the file and how to fix or remove it."""


class SavedPlan(NamedTuple):
    """A saved plan file's content: the inputs, and which rules they were saved with."""

    inputs: PlanInputs
    rules_name: str
    rules_version: str


def dump_saved(saved: SavedPlan) -> str:
    """The file's text: a comment saying what it is, then one key a line."""
    import yaml

    inputs = saved.inputs
    data: dict[str, Any] = {
        "format": FORMAT,
        "surgery_date": inputs.surgery_date,
        "follow_up": inputs.follow_up,
        "refill_every": inputs.refill_every,
        "first_refill": inputs.first_refill,
        "set": list(inputs.orders),
        "rules_file": inputs.rules_file,
        "rules_name": saved.rules_name,
        "rules_version": saved.rules_version,
        "patient_label": inputs.patient_label,
    }
    body: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return _HEADER + body


def parse_saved(text: str, path: Path) -> SavedPlan:
    """Read a saved plan; raise SavedPlanError naming the file and the fix when it is broken."""
    import yaml

    fix = f"fix it in a text editor, or delete it with `pumpcare forget` (the file: {path})"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise SavedPlanError(f"the saved plan is not valid YAML; {fix}") from None
    except ValueError:
        # YAML reads an unquoted 2026-13-01 as a date and fails on the month, outside its own errors.
        raise SavedPlanError(f"the saved plan has a date that does not exist; {fix}") from None
    if not isinstance(data, dict):
        raise SavedPlanError(f"the saved plan is not a mapping of keys to values; {fix}")
    unknown = sorted(str(key) for key in data if key not in _KEYS)
    if unknown:
        raise SavedPlanError(f"the saved plan has unknown keys ({', '.join(unknown)}); {fix}")
    if data.get("format") != FORMAT:
        raise SavedPlanError(f"the saved plan has format {data.get('format')!r}, not {FORMAT}; {fix}")
    values = {key: _text(data.get(key), key, fix) for key in _KEYS if key not in ("format", "set")}
    if not values["surgery_date"]:
        raise SavedPlanError(f"the saved plan has no surgery_date; {fix}")
    orders = data.get("set") or []
    if not isinstance(orders, list) or not all(isinstance(order, str) for order in orders):
        raise SavedPlanError(f"the saved plan's 'set' must be a list of orders such as no-driving=6w; {fix}")
    inputs = PlanInputs(
        surgery_date=values["surgery_date"],
        follow_up=values["follow_up"],
        refill_every=values["refill_every"],
        first_refill=values["first_refill"],
        orders=tuple(orders),
        rules_file=values["rules_file"],
        patient_label=values["patient_label"],
    )
    return SavedPlan(inputs, values["rules_name"] or "", values["rules_version"] or "")


def _text(value: Any, key: str, fix: str) -> str | None:
    # A hand-edited date without quotes arrives as a date; it means the same thing.
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    raise SavedPlanError(f"the saved plan's {key} should be text, not {value!r}; {fix}")
