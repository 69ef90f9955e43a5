"""The way in to a plan: every word of it in one language, from the rules' titles to its warnings.

The scheduler (schedule.py) dates rules and never asks a catalog; this layer checks what it is given, in
words of the language asked for, gives it rules in that language, and has the warnings raised while dating
worded in it too. The plan then carries its language, and every
writer speaks it (i18n.in_its_language), so no caller can end up with a calendar in two languages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from pumpcare.durations import FIRST_YEAR, LAST_YEAR
from pumpcare.errors import InputError
from pumpcare.i18n import current, speaking
from pumpcare.i18n import gettext as _
from pumpcare.orders import Override
from pumpcare.pumplife import Logged
from pumpcare.quantities import Fill, Quantity
from pumpcare.rule_words import in_language
from pumpcare.rules import RuleSet
from pumpcare.schedule import Milestone, Plan, RefillSchedule, date_plan


def make_plan(
    ruleset: RuleSet,
    surgery: date,
    *,
    lang: str | None = None,
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
    """A patient's dated plan in `lang` ("en", "es"; default: the language in use), from rules as loaded.

    Raises InputError for dates or orders that cannot make a plan. `history` is what the record says happened:
    a logged follow-up visit dates the follow-up, logged refills date the next one, and a logged replacement
    starts the next battery window. Refill visits are listed up to the battery's last day, or up to `list_until`
    when that is later: a view of a day years on still needs them.
    """
    code = current().code if lang is None else lang
    with speaking(code):
        _check_dates(surgery, follow_up, refills)
        _check_history(surgery, history)
        plan = date_plan(
            in_language(ruleset, code),
            surgery,
            follow_up=follow_up,
            refills=refills,
            overrides=overrides,
            list_until=list_until,
            history=history,
            next_refill=next_refill,
            fill=fill,
            alarm_volume=alarm_volume,
            drug=drug,
        )
        _check_periods(plan.milestones)
        return plan


def _check_dates(surgery: date, follow_up: date | None, refills: RefillSchedule | None) -> None:
    out_of_range = {
        "surgery_date": _("surgery date {day} is out of range; give a date between {first} and {last}"),
        "follow_up": _("follow-up date {day} is out of range; give a date between {first} and {last}"),
        "first_refill": _("first refill date {day} is out of range; give a date between {first} and {last}"),
    }
    days = {"surgery_date": surgery, "follow_up": follow_up, "first_refill": refills.first if refills else None}
    for field, day in days.items():
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise InputError(out_of_range[field].format(day=day, first=FIRST_YEAR, last=LAST_YEAR), field=field)
    if follow_up is not None and follow_up <= surgery:
        if follow_up == surgery:
            message = _("follow-up date {day} is the surgery date {surgery}; check the dates")
        else:
            message = _("follow-up date {day} is before the surgery date {surgery}; check the dates")
        raise InputError(message.format(day=follow_up, surgery=surgery), field="follow_up")
    if refills is None:
        return
    if not refills.every.is_positive:
        message = _("refill interval {every} is not longer than zero; give it as a duration such as 12w or 3mo")
        raise InputError(message.format(every=refills.every), field="refill_every")
    if refills.first <= surgery:
        if refills.first == surgery:
            message = _("first refill date {day} is the surgery date {surgery}; check the dates")
        else:
            message = _("first refill date {day} is before the surgery date {surgery}; check the dates")
        raise InputError(message.format(day=refills.first, surgery=surgery), field="first_refill")


def _check_history(surgery: date, history: Sequence[Logged]) -> None:
    """Every logged event after the surgery and inside the calendar: a hand-edited record may say otherwise."""
    for entry in history:
        if not FIRST_YEAR <= entry.day.year <= LAST_YEAR:
            message = {
                "refill": _("the recorded refill on {day} is out of range; give a date between {first} and {last}"),
                "follow-up": _(
                    "the recorded follow-up on {day} is out of range; give a date between {first} and {last}"
                ),
                "replacement": _(
                    "the recorded replacement on {day} is out of range; give a date between {first} and {last}"
                ),
            }[entry.kind]
            raise InputError(message.format(day=entry.day, first=FIRST_YEAR, last=LAST_YEAR), field="history")
        if entry.day <= surgery:
            message = {
                "refill": _("the recorded refill on {day} is not after the surgery on {surgery}; check the record"),
                "follow-up": _(
                    "the recorded follow-up on {day} is not after the surgery on {surgery}; check the record"
                ),
                "replacement": _(
                    "the recorded replacement on {day} is not after the surgery on {surgery}; check the record"
                ),
            }[entry.kind]
            raise InputError(message.format(day=entry.day, surgery=surgery), field="history")


def _check_periods(milestones: Sequence[Milestone]) -> None:
    """Every dated period must end after it starts; a clinic's file or an order could say otherwise."""
    for milestone in milestones:
        until = milestone.until
        if milestone.kind == "starts" and until is not None and until.earliest <= milestone.when.latest:
            ids = ", ".join(f"'{rule.id}'" for rule in milestone.rules)
            message = _(
                "rule {ids} would end on {end}, not after it starts on {start}; check the follow-up date, the --set "
                "orders or the rule file"
            )
            raise InputError(message.format(ids=ids, end=until.earliest, start=milestone.when.latest))
        if milestone.when.earliest > milestone.when.latest:
            message = _(
                "rule '{id}' has a window from {first} to {last}, which runs backwards; check the --set orders or "
                "the rule file"
            )
            raise InputError(
                message.format(id=milestone.rules[0].id, first=milestone.when.earliest, last=milestone.when.latest)
            )
