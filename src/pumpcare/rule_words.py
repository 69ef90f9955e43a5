"""The rule file's patient words in the language in use: titles, texts and drug warnings, keyed by rule id.

A translation lives in the language's catalog under a context naming what it translates
(`msgctxt "rule:no-driving:title"`) and the English it was made from (`msgid`). A clinic that rewrites a rule's
English therefore gets its own English back, never a translation of words it no longer uses. The quoted source
sentences are never translated: a quote is what the document says.
"""

from __future__ import annotations

from collections.abc import Iterator

from pumpcare.i18n import ENGLISH, current, gettext, pgettext, speaking, translated
from pumpcare.rules import Drug, Rule, RuleSet


def texts(ruleset: RuleSet) -> Iterator[tuple[str, str]]:
    """Every translatable text of a rule file, as (context, English): what a catalog must cover."""
    for group_id, title in ruleset.groups.items():
        yield f"group:{group_id}:title", title
    for rule in ruleset.rules:
        for field in ("title", "text", "overdue", "deadline"):
            value = getattr(rule, field)
            if value:
                yield f"rule:{rule.id}:{field}", value
    for drug in ruleset.drugs.values():
        yield f"drug:{drug.id}:name", drug.name
        yield f"drug:{drug.id}:text", drug.text


def untranslated(ruleset: RuleSet) -> list[str]:
    """The contexts the language in use has no translation for (empty in English)."""
    return [context for context, english in texts(ruleset) if not translated(context, english)]


def in_language(ruleset: RuleSet, lang: str | None = None) -> RuleSet:
    """The rule set with its words in `lang` (default: the language in use); English where a catalog lacks one.

    The words are translated from the English the rule file was written in: a rule set already in another
    language is refused rather than translated twice, which would mix two languages in one plan.
    """
    code = current().code if lang is None else lang
    if ruleset.lang == code:
        return ruleset
    if ruleset.lang != ENGLISH:
        raise ValueError(f"these rules are in {ruleset.lang!r}; give the rules as loaded, in English, to get {code!r}")
    with speaking(code):
        return ruleset._replace(
            groups={group_id: pgettext(f"group:{group_id}:title", title) for group_id, title in ruleset.groups.items()},
            rules=tuple(_rule(rule) for rule in ruleset.rules),
            drugs={drug_id: _drug(drug) for drug_id, drug in ruleset.drugs.items()},
            lang=code,
            except_phrase=gettext(ruleset.except_phrase),
        )


def _rule(rule: Rule) -> Rule:
    def words(field: str, value: str | None) -> str | None:
        return pgettext(f"rule:{rule.id}:{field}", value) if value else value

    return rule._replace(
        title=words("title", rule.title) or rule.title,
        text=words("text", rule.text) or rule.text,
        overdue=words("overdue", rule.overdue),
        deadline=words("deadline", rule.deadline),
    )


def _drug(drug: Drug) -> Drug:
    return drug._replace(
        name=pgettext(f"drug:{drug.id}:name", drug.name), text=pgettext(f"drug:{drug.id}:text", drug.text)
    )
