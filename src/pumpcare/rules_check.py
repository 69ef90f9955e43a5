"""Checking a parsed rule file: every key, every value, every limit, and every problem reported at once."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Any, cast

from pumpcare.durations import Duration, DurationSyntaxError, is_ordered, parse_duration
from pumpcare.errors import InputError, closest, excerpt
from pumpcare.quantities import Quantity, parse_quantity
from pumpcare.rules import (
    ANCHORS,
    CATEGORIES,
    LEAFLET,
    AlarmVolume,
    Anchor,
    Category,
    Document,
    Drug,
    Moment,
    Rule,
    RuleSet,
)

# Bounds on what a rule file holds, so that every command answers within seconds on any file it accepts
# (layout and window checks grow with the content) and every text fits a calendar title or a sheet's line.
MAX_ENTRIES = {"rules": 200, "groups": 200, "documents": 50, "drugs": 50}
MAX_TEXT = {
    "name": 120,
    "version": 40,
    "title": 80,
    "deadline": 80,
    "publisher": 120,
    "overdue": 200,
    "url": 300,
    "text": 600,
    "source": 1000,
}
_MAX_DOCUMENT_TITLE = 200  # a drug label's full title is longer than a calendar-friendly rule title
_MAX_OTHER_TEXT = 600  # a text key not listed above
# Escape sequences (ESC[2J clears a terminal), NUL, bidirectional overrides: nothing a leaflet prints.
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x0B: "VT", 0x0C: "FF", 0x0D: "CR", 0x1B: "ESC", 0x7F: "DEL"}

_TOP_KEYS = {
    "schema": True,
    "name": True,
    "version": True,
    "source": True,
    "documents": False,
    "reservoir": False,
    "drugs": False,
    "groups": False,
    "rules": True,
}
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
_DOCUMENT_KEYS = {"title": True, "publisher": True, "url": False}
_RESERVOIR_KEYS = {"alarm_volume": True, "source": True, "cites": True}
_DRUG_KEYS = {"name": True, "text": True, "source": True, "cites": True, "first_fill": False, "refill_within": False}
_MOMENT_KEYS = ("anchor", "at", "earliest", "latest")
_SUPPORTED_SCHEMA = 1
_PROBE = date(2027, 1, 1)  # any day: two offsets that land on the same date from it are the same length


class Checker:
    """Walks the parsed YAML and collects every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def ruleset(self, data: Any, origin: str) -> RuleSet | None:
        if not isinstance(data, dict):
            self.problems.append("the top level must be a mapping with schema, name, version, source and rules")
            return None
        self._keys(data, _TOP_KEYS, "top level")
        self._counts(data)
        if "schema" in data and (type(data["schema"]) is not int or data["schema"] != _SUPPORTED_SCHEMA):
            self.problems.append(
                f"top level.schema: {excerpt(data['schema'])} is not supported; "
                f"this pumpcare reads schema {_SUPPORTED_SCHEMA}"
            )
        name = self._text(data, "name", "top level")
        version = self._text(data, "version", "top level", allow_number=True)
        source = self._text(data, "source", "top level")
        groups, naming, apart = self._groups(data.get("groups", {}))
        documents = self._documents(data.get("documents", {}))
        cited = {LEAFLET, *documents}
        alarm = self._alarm_volume(data["reservoir"], cited) if "reservoir" in data else None
        drugs = self._drugs(data.get("drugs", {}), cited)
        rules_data = data.get("rules")
        if "rules" in data and (not isinstance(rules_data, list) or not rules_data):
            self.problems.append("top level.rules: must be a non-empty list of rules")
            rules_data = []
        rules: list[Rule] = []
        seen: set[str] = set()
        for index, item in enumerate(rules_data or []):
            rule = self._rule(item, index, groups, seen, cited)
            if rule is not None:
                rules.append(rule)
        self._group_problems(rules, groups)
        self._replace_by_problems(rules)
        return RuleSet(name, version, source, origin, tuple(rules), groups, documents, drugs, alarm, naming, apart)

    def _mapping_of(self, data: Any, where: str, shape: str) -> dict[Any, Any]:
        if not isinstance(data, dict):
            self.problems.append(f"top level.{where}: must be a mapping of {shape}")
            return {}
        return data

    def _cites(self, body: dict[Any, Any], where: str, cited: set[str]) -> str:
        cites = body.get("cites", LEAFLET)
        if not isinstance(cites, str) or cites not in cited:
            self.problems.append(f"{where}.cites: {excerpt(cites)!r} is not declared under documents; add it there")
            return LEAFLET
        return cites

    def _documents(self, data: Any) -> dict[str, Document]:
        documents: dict[str, Document] = {}
        for doc_id, body in self._mapping_of(data, "documents", "document id to {title, publisher, url}").items():
            where = f"documents.{doc_id}"
            if not isinstance(body, dict):
                self.problems.append(f"{where}: must be a mapping with title and publisher")
                continue
            self._keys(body, _DOCUMENT_KEYS, where)
            url = self._text(body, "url", where) or None
            documents[str(doc_id)] = Document(
                self._text(body, "title", where), self._text(body, "publisher", where), url
            )
        return documents

    def _alarm_volume(self, body: Any, cited: set[str]) -> AlarmVolume | None:
        where = "reservoir"
        if not isinstance(body, dict):
            self.problems.append(f"{where}: must be a mapping with alarm_volume, source and cites")
            return None
        self._keys(body, _RESERVOIR_KEYS, where)
        volume = self._quantity(body.get("alarm_volume"), "volume", f"{where}.alarm_volume")
        source, cites = self._text(body, "source", where), self._cites(body, where, cited)
        return AlarmVolume(volume, source, cites) if volume is not None else None

    def _drugs(self, data: Any, cited: set[str]) -> dict[str, Drug]:
        drugs: dict[str, Drug] = {}
        for drug_id, body in self._mapping_of(data, "drugs", "drug id to {name, text, source, cites}").items():
            where = f"drugs.{drug_id}"
            if not isinstance(body, dict):
                self.problems.append(f"{where}: must be a mapping with name, text, source and cites")
                continue
            if not _is_slug(str(drug_id)):
                self.problems.append(f"{where}: use lowercase letters, digits and single hyphens, such as baclofen")
            self._keys(body, _DRUG_KEYS, where)
            limits = {
                key: self._duration(body[key], f"{where}.{key}") if key in body else None
                for key in ("first_fill", "refill_within")
            }
            for key, limit in limits.items():
                if limit is not None and not limit.is_positive:
                    self.problems.append(f"{where}.{key}: must be longer than zero, such as 40d")
            drugs[str(drug_id)] = Drug(
                str(drug_id),
                self._text(body, "name", where),
                self._text(body, "text", where),
                self._text(body, "source", where),
                self._cites(body, where, cited),
                limits["first_fill"],
                limits["refill_within"],
            )
        return drugs

    def _quantity(self, value: Any, kind: str, where: str) -> Quantity | None:
        try:
            return parse_quantity(str(value), kind, where)
        except InputError as err:
            self.problems.append(str(err))
            return None

    def _group_problems(self, rules: list[Rule], groups: Mapping[str, str]) -> None:
        ids = {rule.id for rule in rules}
        for group_id in groups:
            if group_id in ids:
                # Calendar UIDs come from group and rule ids alike: one name for both would merge two events.
                self.problems.append(f"groups.{group_id}: a rule has the same id; give the group another id")
            categories = sorted({rule.category for rule in rules if rule.group == group_id})
            if len(categories) > 1:
                self.problems.append(
                    f"groups.{group_id}: its rules mix categories ({', '.join(categories)}); a group is shown "
                    "as one entry, so give its rules one category or split the group"
                )

    def _keys(self, data: dict[Any, Any], known: Mapping[str, bool] | tuple[str, ...], where: str) -> None:
        names = list(known)
        for key in data:
            if key not in names:
                close = closest(str(key), names)
                hint = f"did you mean '{close}'?" if close else f"known keys are: {', '.join(names)}"
                self.problems.append(f"{where}: unknown key '{excerpt(key)}'; {hint}")
        if isinstance(known, Mapping):
            for key, required in known.items():
                if required and key not in data:
                    self.problems.append(f"{where}: missing '{key}'; add it")

    def _counts(self, data: dict[Any, Any]) -> None:
        for key, limit in MAX_ENTRIES.items():
            value = data.get(key)
            if isinstance(value, (list, dict)) and len(value) > limit:
                self.problems.append(
                    f"top level.{key}: has {len(value):,} entries; a rule file holds at most {limit}, so remove some"
                )

    def _replace_by_problems(self, rules: list[Rule]) -> None:
        """A rule counted from the replacement deadline needs the battery rule that sets it."""
        if any(rule.due is not None and rule.due.anchor == "implant" for rule in rules):
            return
        for index, rule in enumerate(rules):
            if rule.due is not None and rule.due.anchor == "replace-by":
                self.problems.append(
                    f"rules[{index}] '{rule.id}'.due: counts from the replacement deadline, which only a rule due "
                    "from the implant (the battery's window) sets; add that rule or count this one from the implant"
                )

    def _text(self, data: dict[Any, Any], key: str, where: str, *, allow_number: bool = False) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if allow_number and isinstance(value, float):
            # 1.10 reads as the number 1.1: the text typed is lost, so ask for quotes rather than guess it.
            self.problems.append(
                f"{where}.{key}: {value} reads as a number, which drops digits (1.10 reads as 1.1); write it in "
                f'quotes as you mean it, such as {key}: "1.10"'
            )
            return ""
        if allow_number and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.problems.append(f"{where}.{key}: must be non-empty text")
            return ""
        control = _control_character(value)
        if control is not None:
            self.problems.append(f"{where}.{key}: has a control character ({control}); remove it")
            return ""
        text = " ".join(value.split())
        limit = _MAX_DOCUMENT_TITLE if where.startswith("documents.") and key == "title" else MAX_TEXT.get(key)
        limit = limit or _MAX_OTHER_TEXT
        if len(text) > limit:
            self.problems.append(f"{where}.{key}: is {len(text):,} characters long; shorten it to at most {limit:,}")
        return text

    def _groups(self, data: Any) -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
        """Each group's title, and the groups whose title does or does not name every member, as the file says."""
        if not isinstance(data, dict):
            self.problems.append("top level.groups: must be a mapping of group id to {title: ...}")
            return {}, frozenset(), frozenset()
        groups: dict[str, str] = {}
        naming: set[str] = set()
        apart: set[str] = set()
        for group_id, body in data.items():
            where = f"groups.{group_id}"
            if not isinstance(body, dict):
                self.problems.append(f"{where}: must be a mapping with a title")
                continue
            self._keys(body, {"title": True, "names_members": False}, where)
            groups[str(group_id)] = self._text(body, "title", where)
            names_members = body.get("names_members", False)
            if not isinstance(names_members, bool):
                self.problems.append(f"{where}.names_members: must be true or false")
            elif names_members:
                naming.add(str(group_id))
            elif "names_members" in body:
                apart.add(str(group_id))
        return groups, frozenset(naming), frozenset(apart)

    def _rule(self, item: Any, index: int, groups: Mapping[str, str], seen: set[str], cited: set[str]) -> Rule | None:
        if not isinstance(item, dict):
            self.problems.append(f"rules[{index}]: must be a mapping with id, title, category, text and source")
            return None
        rule_id = item.get("id")
        where = f"rules[{index}] '{excerpt(rule_id)}'" if isinstance(rule_id, str) else f"rules[{index}]"
        before = len(self.problems)
        self._keys(item, _RULE_KEYS, where)
        if isinstance(rule_id, str):
            if not _is_slug(rule_id):
                self.problems.append(
                    f"{where}.id: use lowercase letters, digits and single hyphens, such as no-driving"
                )
            if rule_id in seen:
                self.problems.append(f"{where}.id: used by an earlier rule; every id must be unique")
            seen.add(rule_id)
        elif "id" in item:
            self.problems.append(f"{where}.id: must be text, such as no-driving")
        title = self._text(item, "title", where)
        text = self._text(item, "text", where)
        source = self._text(item, "source", where)
        category = item.get("category")
        if "category" in item and category not in CATEGORIES:
            known = ", ".join(CATEGORIES)
            self.problems.append(f"{where}.category: '{excerpt(category)}' is unknown; use one of {known}")
        group = item.get("group")
        if group is not None and not isinstance(group, str):
            self.problems.append(f"{where}.group: must be the id of a group declared under groups")
            group = None
        elif group is not None and group not in groups:
            self.problems.append(f"{where}.group: '{excerpt(group)}' is not declared under groups; add it there")
        remind = item.get("remind", False)
        if not isinstance(remind, bool) and remind != "evening":
            self.problems.append(f"{where}.remind: must be true, false or evening")
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
            self.problems.append(f"{where}.overdue: only a rule due at a refill or the pump's implant can be overdue")
        if deadline is not None and (due is None or not due.is_window):
            self.problems.append(f"{where}.deadline: only a rule due within a window has a last day to name")
        when_to_call = item.get("when_to_call", False)
        if not isinstance(when_to_call, bool):
            self.problems.append(f"{where}.when_to_call: must be true or false")
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
            self.problems.append(f"{where}: has 'due' and 'from'/'until'; a rule is either due or a period")
        if not has_timing:
            self.problems.append(f"{where}: has no timing; add 'due', 'from' or 'until'")
        for key, moment in (("from", start), ("until", until)):
            if moment is not None and moment.anchor in ("refill", "implant", "replace-by"):
                self.problems.append(f"{where}.{key}: the {moment.anchor} anchor works only with 'due'")
        refill = due is not None and due.anchor == "refill"
        if repeat is not None and not refill:
            self.problems.append(f"{where}.repeat: only a rule due at the refill anchor repeats")
        if repeat is not None and not repeat.is_positive:
            self.problems.append(f"{where}.repeat: must be longer than zero, such as 1y")
        begins = start or Moment("surgery", Duration(0, "days"), Duration(0, "days"))
        same_anchor = until is not None and begins.anchor == until.anchor == "surgery"
        ends_too_soon = until is not None and (
            not is_ordered(begins.latest, until.earliest) or until.earliest.after(_PROBE) == begins.latest.after(_PROBE)
        )
        if same_anchor and until and ends_too_soon:
            self.problems.append(
                f"{where}.until: ends ({until.earliest}) on or before it starts ({begins.latest}); "
                "make 'until' later than 'from'"
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
                f"{where}: write a duration such as 2w, or a mapping with anchor, at or earliest and latest"
            )
            return None
        self._keys(value, _MOMENT_KEYS, where)
        anchor = value.get("anchor", "surgery")
        if anchor not in ANCHORS:
            self.problems.append(f"{where}.anchor: '{excerpt(anchor)}' is unknown; use one of {', '.join(ANCHORS)}")
        has_window = "earliest" in value or "latest" in value
        if "at" in value and has_window:
            self.problems.append(f"{where}: give 'at' or 'earliest' and 'latest', not both")
            return None
        if has_window:
            if "earliest" not in value or "latest" not in value:
                self.problems.append(f"{where}: a window needs both 'earliest' and 'latest'")
                return None
            earliest = self._duration(value["earliest"], f"{where}.earliest")
            latest = self._duration(value["latest"], f"{where}.latest")
            if earliest is None or latest is None:
                return None
            if not is_ordered(earliest, latest):
                self.problems.append(f"{where}: earliest {earliest} is after latest {latest}; swap them or fix one")
                return None
            return Moment(cast(Anchor, anchor), earliest, latest)
        at = self._duration(value.get("at", "0d"), f"{where}.at")
        return Moment(cast(Anchor, anchor), at, at) if at is not None else None

    def _duration(self, value: Any, where: str) -> Duration | None:
        if not isinstance(value, str):
            self.problems.append(f"{where}: {excerpt(repr(value))} needs a unit; write it like 2w, 6 weeks, 3mo or 5y")
            return None
        try:
            return parse_duration(value)
        except DurationSyntaxError as err:
            self.problems.append(f"{where}: {err}")
            return None


def _control_character(text: str) -> str | None:
    """The name of the first control or format character in text (a line break or tab is fine), or None."""

    for char in text:
        if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cf"):
            continue
        code = ord(char)
        if code in _CONTROL_NAMES:
            return _CONTROL_NAMES[code]
        name = unicodedata.name(char, "")
        return f"U+{code:04X} {name}" if name else f"U+{code:04X}"
    return None


def _is_slug(text: str) -> bool:
    """Lowercase ASCII letters and digits in parts joined by single hyphens: no-driving, stop-named-medicines."""
    parts = text.split("-")
    return text.isascii() and all(part and (part.islower() or part.isdigit()) and part.isalnum() for part in parts)
