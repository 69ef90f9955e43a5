"""pumpcare: a dated recovery plan for people with an implanted intrathecal pain pump.

The Python API (see the README, "Python API"): load a rule file, make a plan, look at a day, write it out.

    from datetime import date, datetime, timezone
    import pumpcare

    plan = pumpcare.make_plan(pumpcare.load_rules(), date(2026, 12, 1), follow_up=date(2027, 1, 5))
    calendar = pumpcare.calendar_ics(plan, stamp=datetime(2026, 12, 1, tzinfo=timezone.utc))
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Each public name and the module it lives in. They are imported on first use, not here: the command line
# imports this package too, and must not pay for the calendar or PDF libraries it does not use.
_API = {
    "load_rules": "pumpcare.rule_file",
    "RuleSet": "pumpcare.rules",
    "make_plan": "pumpcare.planning",
    "Plan": "pumpcare.schedule",
    "Milestone": "pumpcare.schedule",
    "RefillSchedule": "pumpcare.schedule",
    "Override": "pumpcare.orders",
    "Logged": "pumpcare.pumplife",
    "Fill": "pumpcare.quantities",
    "parse_quantity": "pumpcare.quantities",
    "parse_duration": "pumpcare.durations",
    "day_status": "pumpcare.status",
    # The writers get names of their own: an imported submodule (pumpcare.render_ics) would shadow its namesake.
    "calendar_ics": "pumpcare.render_ics:render_ics",
    "plan_json": "pumpcare.render_json:render_json",
    "careplan_fhir": "pumpcare.render_fhir:render_careplan",
    "plandefinition_fhir": "pumpcare.render_fhir:render_plandefinition",
    "make_sheet": "pumpcare.sheet",
    "sheet_pdf": "pumpcare.render_pdf:render_pdf",
    "sheet_html": "pumpcare.render_html:render_html",
    "PumpcareError": "pumpcare.errors",
    "speaking": "pumpcare.i18n",
    "in_language": "pumpcare.rule_words",
}
__all__ = [
    "Fill",
    "Logged",
    "Milestone",
    "Override",
    "Plan",
    "PumpcareError",
    "RefillSchedule",
    "RuleSet",
    "__version__",
    "calendar_ics",
    "careplan_fhir",
    "day_status",
    "in_language",
    "load_rules",
    "make_plan",
    "make_sheet",
    "parse_duration",
    "parse_quantity",
    "plan_json",
    "plandefinition_fhir",
    "sheet_html",
    "sheet_pdf",
    "speaking",
]

if TYPE_CHECKING:
    from pumpcare.durations import parse_duration
    from pumpcare.errors import PumpcareError
    from pumpcare.i18n import speaking
    from pumpcare.orders import Override
    from pumpcare.planning import make_plan
    from pumpcare.pumplife import Logged
    from pumpcare.quantities import Fill, parse_quantity
    from pumpcare.render_fhir import render_careplan as careplan_fhir
    from pumpcare.render_fhir import render_plandefinition as plandefinition_fhir
    from pumpcare.render_html import render_html as sheet_html
    from pumpcare.render_ics import render_ics as calendar_ics
    from pumpcare.render_json import render_json as plan_json
    from pumpcare.render_pdf import render_pdf as sheet_pdf
    from pumpcare.rule_file import load_rules
    from pumpcare.rule_words import in_language
    from pumpcare.rules import RuleSet
    from pumpcare.schedule import Milestone, Plan, RefillSchedule
    from pumpcare.sheet import make_sheet
    from pumpcare.status import day_status


def __getattr__(name: str) -> Any:
    where = _API.get(name)
    if where is None:
        raise AttributeError(f"module 'pumpcare' has no attribute {name!r}")
    module, _, attribute = where.partition(":")
    value = getattr(import_module(module), attribute or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
