"""Checking a parsed rule file: every key, every value, every limit, and every problem reported at once.

This module checks the file as a whole: its top level, groups, documents, drugs and reservoir, and what holds
across rules. One rule's entry is checked in rules_check_rule.py, single values in rules_check_values.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pumpcare.errors import excerpt, grouped
from pumpcare.i18n import gettext as _
from pumpcare.rules import LEAFLET, AlarmVolume, Document, Drug, Rule, RuleSet
from pumpcare.rules_check_rule import RuleChecks
from pumpcare.rules_check_values import MAX_TEXT, is_slug, top_level

__all__ = ["MAX_ENTRIES", "MAX_TEXT", "Checker"]

# Bounds on how many entries a rule file holds, as MAX_TEXT bounds its texts (see rules_check_values.py).
MAX_ENTRIES = {"rules": 200, "groups": 200, "documents": 50, "drugs": 50}

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
_DOCUMENT_KEYS = {"title": True, "publisher": True, "url": False}
_RESERVOIR_KEYS = {"alarm_volume": True, "source": True, "cites": True}
_DRUG_KEYS = {"name": True, "text": True, "source": True, "cites": True, "first_fill": False, "refill_within": False}
_SUPPORTED_SCHEMA = 1


class Checker(RuleChecks):
    """Walks the parsed YAML and collects every problem instead of stopping at the first."""

    def ruleset(self, data: Any, origin: str) -> RuleSet | None:
        if not isinstance(data, dict):
            self.problems.append(_("the top level must be a mapping with schema, name, version, source and rules"))
            return None
        top = top_level()
        self._keys(data, _TOP_KEYS, top)
        self._counts(data)
        if "schema" in data and (type(data["schema"]) is not int or data["schema"] != _SUPPORTED_SCHEMA):
            self.problems.append(
                _("{where}.schema: {value} is not supported; this pumpcare reads schema {schema}").format(
                    where=top, value=excerpt(data["schema"]), schema=_SUPPORTED_SCHEMA
                )
            )
        name = self._text(data, "name", top)
        version = self._text(data, "version", top, allow_number=True)
        source = self._text(data, "source", top)
        groups, naming, apart = self._groups(data.get("groups", {}))
        documents = self._documents(data.get("documents", {}))
        cited = {LEAFLET, *documents}
        alarm = self._alarm_volume(data["reservoir"], cited) if "reservoir" in data else None
        drugs = self._drugs(data.get("drugs", {}), cited)
        rules_data = data.get("rules")
        if "rules" in data and (not isinstance(rules_data, list) or not rules_data):
            self.problems.append(_("{where}.rules: must be a non-empty list of rules").format(where=top))
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

    def _mapping_of(self, data: Any, message: str, keys: str) -> dict[Any, Any]:
        """The mapping, or {} and the problem: `message` says what it maps to, its entry's keys as {keys}."""
        if not isinstance(data, dict):
            self.problems.append(message.format(where=top_level(), keys=keys))
            return {}
        return data

    def _documents(self, data: Any) -> dict[str, Document]:
        documents: dict[str, Document] = {}
        # Translators: {keys} is the keys of each entry, as the file writes them.
        shape = _("{where}.documents: must be a mapping of document id to {keys}")
        for doc_id, body in self._mapping_of(data, shape, "{title, publisher, url}").items():
            where = f"documents.{doc_id}"
            if not isinstance(body, dict):
                self.problems.append(_("{where}: must be a mapping with title and publisher").format(where=where))
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
            self.problems.append(
                _("{where}: must be a mapping with alarm_volume, source and cites").format(where=where)
            )
            return None
        self._keys(body, _RESERVOIR_KEYS, where)
        volume = self._quantity(body.get("alarm_volume"), "volume", f"{where}.alarm_volume")
        source, cites = self._text(body, "source", where), self._cites(body, where, cited)
        return AlarmVolume(volume, source, cites) if volume is not None else None

    def _drugs(self, data: Any, cited: set[str]) -> dict[str, Drug]:
        drugs: dict[str, Drug] = {}
        # Translators: {keys} is the keys of each entry, as the file writes them.
        shape = _("{where}.drugs: must be a mapping of drug id to {keys}")
        for drug_id, body in self._mapping_of(data, shape, "{name, text, source, cites}").items():
            where = f"drugs.{drug_id}"
            if not isinstance(body, dict):
                self.problems.append(
                    _("{where}: must be a mapping with name, text, source and cites").format(where=where)
                )
                continue
            if not is_slug(str(drug_id)):
                self.problems.append(
                    _("{where}: use lowercase letters, digits and single hyphens, such as baclofen").format(where=where)
                )
            self._keys(body, _DRUG_KEYS, where)
            limits = {
                key: self._duration(body[key], f"{where}.{key}") if key in body else None
                for key in ("first_fill", "refill_within")
            }
            for key, limit in limits.items():
                if limit is not None and not limit.is_positive:
                    self.problems.append(
                        _("{where}.{key}: must be longer than zero, such as 40d").format(where=where, key=key)
                    )
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

    def _group_problems(self, rules: list[Rule], groups: Mapping[str, str]) -> None:
        ids = {rule.id for rule in rules}
        for group_id in groups:
            where = f"groups.{group_id}"
            if group_id in ids:
                # Calendar UIDs come from group and rule ids alike: one name for both would merge two events.
                self.problems.append(
                    _("{where}: a rule has the same id; give the group another id").format(where=where)
                )
            categories = sorted({rule.category for rule in rules if rule.group == group_id})
            if len(categories) > 1:
                self.problems.append(
                    # Translators: {categories} lists the categories as the file writes them.
                    _(
                        "{where}: its rules mix categories ({categories}); a group is shown as one entry, so give "
                        "its rules one category or split the group"
                    ).format(where=where, categories=", ".join(categories))
                )

    def _counts(self, data: dict[Any, Any]) -> None:
        for key, limit in MAX_ENTRIES.items():
            value = data.get(key)
            if isinstance(value, (list, dict)) and len(value) > limit:
                self.problems.append(
                    _("{where}.{key}: has {count} entries; a rule file holds at most {limit}, so remove some").format(
                        where=top_level(), key=key, count=grouped(len(value)), limit=limit
                    )
                )

    def _replace_by_problems(self, rules: list[Rule]) -> None:
        """A rule counted from the replacement deadline needs the battery rule that sets it."""
        if any(rule.due is not None and rule.due.anchor == "implant" for rule in rules):
            return
        for index, rule in enumerate(rules):
            if rule.due is not None and rule.due.anchor == "replace-by":
                self.problems.append(
                    _(
                        "{where}.due: counts from the replacement deadline, which only a rule due from the implant "
                        "(the battery's window) sets; add that rule or count this one from the implant"
                    ).format(where=f"rules[{index}] '{rule.id}'")
                )

    def _groups(self, data: Any) -> tuple[dict[str, str], frozenset[str], frozenset[str]]:
        """Each group's title, and the groups whose title does or does not name every member, as the file says."""
        if not isinstance(data, dict):
            self.problems.append(
                # Translators: {keys} is the keys of each entry, as the file writes them.
                _("{where}.groups: must be a mapping of group id to {keys}").format(
                    where=top_level(), keys="{title: ...}"
                )
            )
            return {}, frozenset(), frozenset()
        groups: dict[str, str] = {}
        naming: set[str] = set()
        apart: set[str] = set()
        for group_id, body in data.items():
            where = f"groups.{group_id}"
            if not isinstance(body, dict):
                self.problems.append(_("{where}: must be a mapping with a title").format(where=where))
                continue
            self._keys(body, {"title": True, "names_members": False}, where)
            groups[str(group_id)] = self._text(body, "title", where)
            names_members = body.get("names_members", False)
            if not isinstance(names_members, bool):
                self.problems.append(_("{where}.{key}: must be true or false").format(where=where, key="names_members"))
            elif names_members:
                naming.add(str(group_id))
            elif "names_members" in body:
                apart.add(str(group_id))
        return groups, frozenset(naming), frozenset(apart)
