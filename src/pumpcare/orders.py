"""A clinician's orders (`--set`): each replaces a rule's window, counted from surgery, and says where it leaves the
rule file's own timing. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from pumpcare.durations import Duration, is_ordered
from pumpcare.errors import InputError, closest
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
            hint = f"did you mean '{close}'?" if close else "check the rule ids in the rule file"
            raise InputError(f"there is no rule '{override.rule_id}' to set; {hint}", field="overrides")
        if override.rule_id in seen:
            raise InputError(f"rule '{override.rule_id}' is set twice; keep one --set for it", field="overrides")
        seen.add(override.rule_id)
        if rule.timing.anchor == "refill":
            raise InputError(
                f"rule '{rule.id}' follows the refill schedule; change --refill-every instead", field="overrides"
            )
        if rule.timing.anchor in ("implant", "replace-by"):
            raise InputError(
                f"rule '{rule.id}' counts from the day the pump went in; record a new pump with "
                "`pumpcare log replacement` instead",
                field="overrides",
            )
        if rule.due is not None and rule.due.anchor == "follow-up":
            raise InputError(
                f"rule '{rule.id}' is dated by the follow-up visit; change --follow-up instead", field="overrides"
            )
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
            warnings.append(
                f"{override} replaces the rule file's '{rule.timing.describe()}' for '{rule.id}', which has no date "
                "yet to compare with; the plan uses it as set"
            )
        elif ours and (ours[0].earliest < leaflet[0].earliest or ours[0].latest > leaflet[0].latest):
            outside[rule.id] = rule.timing
            # "2–4 weeks" reads on its own; "the follow-up visit" needs a noun before it.
            leaflet_timing = rule.timing.describe()
            if rule.timing.anchor != "surgery":
                leaflet_timing = f"timing ({leaflet_timing})"
            warnings.append(
                f"{override} is outside the rule file's {leaflet_timing} for '{rule.id}'; the plan uses it as set"
            )
    set_ids = {override.rule_id for override in overrides}
    for rule_id in sorted(set_ids):
        # Rules from one leaflet sentence often move together ("short walks at first, more after 2 weeks").
        source = rules[rule_id].source
        left = [
            rule.id for rule in ruleset.rules if rule.source == source and rule.id not in set_ids and not rule.group
        ]
        if left and not rules[rule_id].group:
            about.append(rule_id)
            warnings.append(
                f"'{rule_id}' comes from the same leaflet sentence as {', '.join(repr(i) for i in left)}, "
                "which keeps its own timing; set it too if it should move"
            )
    return rules, warnings, about, outside


def _check_order_fits(rule: Rule, override: Override, ordered: Moment) -> None:
    """Refuse an order that ends a period before it starts, or dates an aftercare step before surgery."""
    start = rule.start
    if rule.until and start and start.anchor == "surgery" and not is_ordered(start.latest, ordered.earliest):
        raise InputError(
            f"--set {override} would end '{rule.id}' before it starts ({start.describe()}); give a later duration",
            field="overrides",
        )
    if rule.category != "preparation" and override.earliest.amount < 0:
        raise InputError(
            f"--set {override} dates '{rule.id}' before surgery; only preparation steps come before surgery",
            field="overrides",
        )
