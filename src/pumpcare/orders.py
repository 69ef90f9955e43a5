"""A clinician's orders (`--set`): each replaces a rule's window, counted from surgery, and says where it leaves the
rule file's own timing. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from pumpcare.durations import Duration, is_ordered
from pumpcare.errors import InputError, closest
from pumpcare.i18n import gettext as _
from pumpcare.i18n import ngettext
from pumpcare.rules import Moment, Rule, RuleSet
from pumpcare.timing import Anchors


class Override(NamedTuple):
    """A clinician's order that replaces a rule's window, counted from surgery."""

    rule_id: str
    earliest: Duration
    latest: Duration

    def __str__(self) -> str:
        span = str(self.earliest) if self.earliest == self.latest else f"{self.earliest}..{self.latest}"
        return f"{self.rule_id}={span}"


def apply_overrides(
    ruleset: RuleSet, overrides: Sequence[Override], surgery: date, follow_up: date | None
) -> tuple[dict[str, Rule], list[str], list[str], dict[str, Moment]]:
    """The rules with the clinicians' orders applied, the warnings, for each warning the order's rule id, and for
    each order outside the rule file's timing, that timing (the patient's own output says so too)."""
    rules = {rule.id: rule for rule in ruleset.rules}
    warnings: list[str] = []
    about: list[str] = []
    outside: dict[str, Moment] = {}
    seen: set[str] = set()
    for override in overrides:
        rule = rules.get(override.rule_id)
        if rule is None:
            close = closest(override.rule_id, list(rules))
            if close:
                # Translators: {rule} is the rule id as typed; {close} the rule id it most likely meant.
                message = _("there is no rule '{rule}' to set; did you mean '{close}'?")
            else:
                message = _("there is no rule '{rule}' to set; check the rule ids in the rule file")
            raise InputError(
                message.format(rule=override.rule_id, close=close), field="overrides", rule=override.rule_id
            )
        if override.rule_id in seen:
            message = _("rule '{rule}' is set twice; keep one --set for it")
            raise InputError(message.format(rule=override.rule_id), field="overrides", rule=override.rule_id)
        seen.add(override.rule_id)
        if rule.timing.anchor == "refill":
            message = _("rule '{rule}' follows the refill schedule; change --refill-every instead")
            raise InputError(message.format(rule=rule.id), field="overrides", rule=rule.id)
        if rule.timing.anchor in ("implant", "replace-by"):
            message = _(
                "rule '{rule}' counts from the day the pump went in; record a new pump with "
                "`pumpcare log replacement` instead"
            )
            raise InputError(message.format(rule=rule.id), field="overrides", rule=rule.id)
        if rule.due is not None and rule.due.anchor == "follow-up":
            message = _("rule '{rule}' is dated by the follow-up visit; change --follow-up instead")
            raise InputError(message.format(rule=rule.id), field="overrides", rule=rule.id)
        ordered = Moment("surgery", override.earliest, override.latest)
        _check_order_fits(rule, override, ordered)
        if rule.until:
            rules[rule.id] = rule._replace(until=ordered)
        elif rule.due:
            rules[rule.id] = rule._replace(due=ordered)
        else:
            rules[rule.id] = rule._replace(start=ordered)
        leaflet = Anchors(surgery, follow_up).resolve(rule.timing)
        ours = Anchors(surgery, follow_up).resolve(ordered)
        if not leaflet or (ours and (ours[0].earliest < leaflet[0].earliest or ours[0].latest > leaflet[0].latest)):
            about.append(rule.id)
        if not leaflet:
            # Translators: {order} is the order as typed (no-driving=6w); {timing} the rule file's, such as
            # "2 weeks after the follow-up visit"; {rule} the rule's id.
            message = _(
                "{order} replaces the rule file's '{timing}' for '{rule}', which has no date yet to compare with; "
                "the plan uses it as set"
            )
            warnings.append(message.format(order=override, timing=rule.timing.describe(), rule=rule.id))
        elif ours and (ours[0].earliest < leaflet[0].earliest or ours[0].latest > leaflet[0].latest):
            outside[rule.id] = rule.timing
            # "2–4 weeks" reads on its own; "the follow-up visit" needs a noun before it.
            if rule.timing.anchor == "surgery":
                # Translators: {order} is the order as typed (no-driving=6w); {timing} a length such as "2–4 weeks".
                message = _("{order} is outside the rule file's {timing} for '{rule}'; the plan uses it as set")
            else:
                # Translators: {timing} is such as "2 weeks after the follow-up visit".
                message = _(
                    "{order} is outside the rule file's timing ({timing}) for '{rule}'; the plan uses it as set"
                )
            warnings.append(message.format(order=override, timing=rule.timing.describe(), rule=rule.id))
    set_ids = {override.rule_id for override in overrides}
    for rule_id in sorted(set_ids):
        # Rules from one leaflet sentence often move together ("short walks at first, more after 2 weeks").
        source = rules[rule_id].source
        left = [
            rule.id for rule in ruleset.rules if rule.source == source and rule.id not in set_ids and not rule.group
        ]
        if left and not rules[rule_id].group:
            about.append(rule_id)
            # Translators: {others} lists one or more rule ids in quotes, such as 'walking', 'no-lifting'. The
            # English says "keeps its own timing" for all of them; the plural form may agree with several.
            message = ngettext(
                "'{rule}' comes from the same leaflet sentence as {others}, which keeps its own timing; "
                "set it too if it should move",
                "'{rule}' comes from the same leaflet sentence as {others}, which keeps its own timing; "
                "set it too if it should move",
                len(left),
            )
            warnings.append(message.format(rule=rule_id, others=", ".join(repr(i) for i in left)))
    return rules, warnings, about, outside


def _check_order_fits(rule: Rule, override: Override, ordered: Moment) -> None:
    """Refuse an order that ends a period before it starts, or dates an aftercare step before surgery."""
    start = rule.start
    if rule.until and start and start.anchor == "surgery" and not is_ordered(start.latest, ordered.earliest):
        # Translators: {order} is the order as typed (no-driving=6w); {start} when the rule starts, such as "2 weeks".
        message = _("--set {order} would end '{rule}' before it starts ({start}); give a later duration")
        raise InputError(
            message.format(order=override, rule=rule.id, start=start.describe()),
            field="overrides",
            rule=rule.id,
        )
    if rule.category != "preparation" and override.earliest.amount < 0:
        message = _("--set {order} dates '{rule}' before surgery; only preparation steps come before surgery")
        raise InputError(message.format(order=override, rule=rule.id), field="overrides", rule=rule.id)
