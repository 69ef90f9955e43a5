"""Checking one entry of a rule file's `rules` list: its id, texts, category, group and timing.

The timing is the larger part: `due`, `from` and `until`, each a duration or a mapping with an anchor and a
point or window, and a `repeat` that only a refill rule may have.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, cast

from pumpcare.durations import Duration, is_ordered
from pumpcare.errors import excerpt
from pumpcare.i18n import gettext as _
from pumpcare.rules import ANCHORS, CATEGORIES, Anchor, Category, Moment, Rule
from pumpcare.rules_check_values import ValueChecks, is_slug

_RULE_KEYS = {
    "id": True,
    "title": True,
    "category": True,
    "text": True,
    "source": True,
    "group": False,
    "due": False,
    "from": False,
    "until": False,
    "remind": False,
    "repeat": False,
    "cites": False,
    "overdue": False,
    "deadline": False,
    "when_to_call": False,
}
_MOMENT_KEYS = ("anchor", "at", "earliest", "latest")
_PROBE = date(2027, 1, 1)  # any day: two offsets that land on the same date from it are the same length


class RuleChecks(ValueChecks):
    """The checks of one rule, on top of the checks of single values."""

    def _rule(self, item: Any, index: int, groups: Mapping[str, str], seen: set[str], cited: set[str]) -> Rule | None:
        if not isinstance(item, dict):
            self.problems.append(
                _("rules[{index}]: must be a mapping with id, title, category, text and source").format(index=index)
            )
            return None
        rule_id = item.get("id")
        where = f"rules[{index}] '{excerpt(rule_id)}'" if isinstance(rule_id, str) else f"rules[{index}]"
        before = len(self.problems)
        self._keys(item, _RULE_KEYS, where)
        if isinstance(rule_id, str):
            if not is_slug(rule_id):
                self.problems.append(
                    _("{where}.id: use lowercase letters, digits and single hyphens, such as no-driving").format(
                        where=where
                    )
                )
            if rule_id in seen:
                self.problems.append(
                    _("{where}.id: used by an earlier rule; every id must be unique").format(where=where)
                )
            seen.add(rule_id)
        elif "id" in item:
            self.problems.append(_("{where}.id: must be text, such as no-driving").format(where=where))
        title = self._text(item, "title", where)
        text = self._text(item, "text", where)
        source = self._text(item, "source", where)
        category = item.get("category")
        if "category" in item and category not in CATEGORIES:
            self.problems.append(
                _("{where}.category: '{value}' is unknown; use one of {known}").format(
                    where=where, value=excerpt(category), known=", ".join(CATEGORIES)
                )
            )
        group = item.get("group")
        if group is not None and not isinstance(group, str):
            self.problems.append(
                _("{where}.group: must be the id of a group declared under groups").format(where=where)
            )
            group = None
        elif group is not None and group not in groups:
            self.problems.append(
                _("{where}.group: '{value}' is not declared under groups; add it there").format(
                    where=where, value=excerpt(group)
                )
            )
        remind = item.get("remind", False)
        if not isinstance(remind, bool) and remind != "evening":
            self.problems.append(_("{where}.remind: must be true, false or evening").format(where=where))
        due = self._moment(item, "due", where)
        start = self._moment(item, "from", where)
        until = self._moment(item, "until", where)
        repeat = self._duration(item.get("repeat"), f"{where}.repeat") if "repeat" in item else None
        self._timing(where, due, start, until, repeat, has_timing=bool({"due", "from", "until"} & item.keys()))
        cites = self._cites(item, where, cited)
        overdue = self._text(item, "overdue", where) if "overdue" in item else None
        deadline = self._text(item, "deadline", where) if "deadline" in item else None
        logged = due is not None and due.anchor in ("refill", "implant", "replace-by")
        if overdue is not None and not logged:
            self.problems.append(
                _("{where}.overdue: only a rule due at a refill or the pump's implant can be overdue").format(
                    where=where
                )
            )
        if deadline is not None and (due is None or not due.is_window):
            self.problems.append(
                _("{where}.deadline: only a rule due within a window has a last day to name").format(where=where)
            )
        when_to_call = item.get("when_to_call", False)
        if not isinstance(when_to_call, bool):
            self.problems.append(_("{where}.{key}: must be true or false").format(where=where, key="when_to_call"))
        if len(self.problems) > before:
            return None
        if due is None and start is None:
            start = Moment("surgery", Duration(0, "days"), Duration(0, "days"))
        return Rule(
            id=str(rule_id),
            title=title,
            category=cast(Category, category),
            text=text,
            source=source,
            group=group,
            due=due,
            start=start,
            until=until,
            remind=bool(remind),
            repeat=repeat,
            cites=cites,
            overdue=overdue,
            deadline=deadline,
            remind_evening=remind == "evening",
            when_to_call=when_to_call is True,
        )

    def _timing(
        self,
        where: str,
        due: Moment | None,
        start: Moment | None,
        until: Moment | None,
        repeat: Duration | None,
        *,
        has_timing: bool,
    ) -> None:
        if due is not None and (start is not None or until is not None):
            self.problems.append(
                _("{where}: has 'due' and 'from'/'until'; a rule is either due or a period").format(where=where)
            )
        if not has_timing:
            self.problems.append(_("{where}: has no timing; add 'due', 'from' or 'until'").format(where=where))
        for key, moment in (("from", start), ("until", until)):
            if moment is not None and moment.anchor in ("refill", "implant", "replace-by"):
                self.problems.append(
                    # Translators: {anchor} is the anchor as the file writes it: refill, implant or replace-by.
                    _("{where}.{key}: the {anchor} anchor works only with 'due'").format(
                        where=where, key=key, anchor=moment.anchor
                    )
                )
        refill = due is not None and due.anchor == "refill"
        if repeat is not None and not refill:
            self.problems.append(_("{where}.repeat: only a rule due at the refill anchor repeats").format(where=where))
        if repeat is not None and not repeat.is_positive:
            self.problems.append(_("{where}.repeat: must be longer than zero, such as 1y").format(where=where))
        begins = start or Moment("surgery", Duration(0, "days"), Duration(0, "days"))
        same_anchor = until is not None and begins.anchor == until.anchor == "surgery"
        ends_too_soon = until is not None and (
            not is_ordered(begins.latest, until.earliest) or until.earliest.after(_PROBE) == begins.latest.after(_PROBE)
        )
        if same_anchor and until and ends_too_soon:
            self.problems.append(
                # Translators: {end} and {start} are durations as the file writes them, such as 6w and 2w.
                _(
                    "{where}.until: ends ({end}) on or before it starts ({start}); make 'until' later than 'from'"
                ).format(where=where, end=until.earliest, start=begins.latest)
            )

    def _moment(self, item: dict[Any, Any], key: str, where: str) -> Moment | None:
        if key not in item:
            return None
        value = item[key]
        where = f"{where}.{key}"
        if isinstance(value, (str, int, float)):
            duration = self._duration(value, where)
            return Moment("surgery", duration, duration) if duration is not None else None
        if not isinstance(value, dict):
            self.problems.append(
                _("{where}: write a duration such as 2w, or a mapping with anchor, at or earliest and latest").format(
                    where=where
                )
            )
            return None
        self._keys(value, _MOMENT_KEYS, where)
        anchor = value.get("anchor", "surgery")
        if anchor not in ANCHORS:
            self.problems.append(
                _("{where}.anchor: '{value}' is unknown; use one of {known}").format(
                    where=where, value=excerpt(anchor), known=", ".join(ANCHORS)
                )
            )
        has_window = "earliest" in value or "latest" in value
        if "at" in value and has_window:
            self.problems.append(_("{where}: give 'at' or 'earliest' and 'latest', not both").format(where=where))
            return None
        if has_window:
            if "earliest" not in value or "latest" not in value:
                self.problems.append(_("{where}: a window needs both 'earliest' and 'latest'").format(where=where))
                return None
            earliest = self._duration(value["earliest"], f"{where}.earliest")
            latest = self._duration(value["latest"], f"{where}.latest")
            if earliest is None or latest is None:
                return None
            if not is_ordered(earliest, latest):
                self.problems.append(
                    _("{where}: earliest {earliest} is after latest {latest}; swap them or fix one").format(
                        where=where, earliest=earliest, latest=latest
                    )
                )
                return None
            return Moment(cast(Anchor, anchor), earliest, latest)
        at = self._duration(value.get("at", "0d"), f"{where}.at")
        return Moment(cast(Anchor, anchor), at, at) if at is not None else None
