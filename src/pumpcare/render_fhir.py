"""The plan as a FHIR R4 CarePlan, and the rule file as a FHIR R4 PlanDefinition (see README, "FHIR").

Plain dicts and `json`: no FHIR library at run time (the tests validate the output with fhir.resources). Keys are
written in a fixed order, resourceType first, so the same plan always gives the same bytes. Ids derive from the
same plan key as the calendar's UIDs, so a PUT of a regenerated plan updates the record instead of adding to it.
"""

from __future__ import annotations

import json
from datetime import date
from html import escape
from typing import Any

from pumpcare.durations import Duration
from pumpcare.i18n import current, in_its_language
from pumpcare.render_ics import plan_key
from pumpcare.rules import LEAFLET, Moment, Rule, RuleSet
from pumpcare.schedule import Milestone, Plan, Unscheduled, Window
from pumpcare.wording import cited, disclaimer_with_note, format_date, undated_phrase
from pumpcare.wording_labels import (
    calendar_about,
    calendar_name,
    fhir_anchors,
    fhir_avoid,
    fhir_subject,
    heading_undated,
    title_text,
)
from pumpcare.wording_phrases import colon_phrase

# pumpcare's own namespace for its identifiers, code systems and extensions. `.example` is reserved (RFC 2606):
# it claims no one's domain and never resolves; these URLs name things, they are not fetched.
BASE = "https://pumpcare.example/fhir"
PLAN_IDENTIFIER_SYSTEM = f"{BASE}/NamingSystem/plan"
CATEGORY_SYSTEM = f"{BASE}/CodeSystem/category"
RULE_SYSTEM = f"{BASE}/CodeSystem/rule"
ANCHOR_SYSTEM = f"{BASE}/CodeSystem/anchor"  # the moments rules count from: surgery, follow-up, refill, implant
AVOID = "avoid"  # the contained ActivityDefinition that says "do not" for a PlanDefinition's restrictions
EARLIEST_END = f"{BASE}/StructureDefinition/window-earliest-end"  # R4's Period has one end; a window has two
LATEST_START = f"{BASE}/StructureDefinition/window-latest-start"
REFILL_INTERVAL = f"{BASE}/StructureDefinition/refill-interval"  # how often refills go on, said but not scheduled
ENDS_WITH = f"{BASE}/StructureDefinition/window-ends-with"  # a period that ends at a visit not yet dated
# US Core's CarePlan category, checked in US Core 7.0.0's CodeSystem-careplan-category (README, "FHIR codes").
US_CORE_CATEGORY = {
    "system": "http://hl7.org/fhir/us/core/CodeSystem/careplan-category",
    "code": "assess-plan",
    "display": "Assessment and Plan of Treatment",
}
US_CORE_CAREPLAN = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-careplan"
XHTML = "http://www.w3.org/1999/xhtml"
UCUM = "http://unitsofmeasure.org"
_UCUM_UNITS = {"days": "d", "weeks": "wk", "months": "mo", "years": "a"}
_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-"
RESTRICTION = "restriction"


def plandefinition_id(ruleset: RuleSet) -> str:
    """The PlanDefinition's id: the rule file's name as a slug (its version is in `version`, not the id)."""
    slug = "".join(char if char in _ID_CHARS else "-" for char in ruleset.name.lower())
    slug = "-".join(part for part in slug.split("-") if part)
    return f"pumpcare-{slug or 'rules'}"[:64].rstrip("-")


def plandefinition_url(ruleset: RuleSet) -> str:
    """The PlanDefinition's canonical URL, which a CarePlan names in instantiatesCanonical."""
    return f"{BASE}/PlanDefinition/{plandefinition_id(ruleset)}"


@in_its_language
def render_careplan(
    plan: Plan,
    *,
    patient_label: str | None = None,
    patient_ref: str | None = None,
    created: date | None = None,
    key: str | None = None,
) -> str:
    """The plan as a CarePlan: one activity per milestone (a period is one), then one per step that waits for a date.

    `created` is passed in (the CLI reads the clock; left out without it). With `patient_ref` ("Patient/123") the
    subject is that reference and the CarePlan claims US Core's CarePlan profile, whose requirements it then meets;
    without one, the subject is a display and no profile is claimed (US Core wants a reference to a Patient).
    `key` is a saved record's own plan key, the one its calendar's UIDs carry; left out, one is made from the
    surgery day and the label (or the reference).
    """
    title = calendar_name(patient_label)
    # Two unlabelled patients operated on the same day must not share an id once each has a reference.
    identity = patient_label or patient_ref
    key = key or plan_key(plan, identity)
    ruleset = plan.ruleset
    starts = [m.when.earliest for m in plan.milestones] or [plan.surgery]
    milestones = [milestone for milestone in plan.milestones if milestone.kind != "ends"]
    waiting = [step for step in plan.unscheduled if step.kind != "ends"]
    subject: dict[str, str] = {"display": patient_label or fhir_subject()}
    if patient_ref is not None:
        subject = {"reference": patient_ref, **({"display": patient_label} if patient_label else {})}
    # The calendar's plan key, so `PUT CarePlan/<id>` replaces the same plan.
    resource: dict[str, Any] = {"resourceType": "CarePlan", "id": f"pumpcare-{key}"}
    if patient_ref is not None:
        resource["meta"] = {"profile": [US_CORE_CAREPLAN]}
    resource.update(
        {
            "language": current().code,
            "text": {"status": "generated", "div": _narrative(plan, title, milestones, waiting)},
            "identifier": [{"system": PLAN_IDENTIFIER_SYSTEM, "value": key}],
            "instantiatesCanonical": [f"{plandefinition_url(ruleset)}|{ruleset.version}"],
            "status": "active",
            "intent": "plan",
            "category": [{"coding": [US_CORE_CATEGORY]}],
            "title": title,
            "description": calendar_about(disclaimer_with_note(), cited(ruleset, LEAFLET)),
            "subject": subject,
            "period": {"start": min(starts).isoformat()},
            **({"created": created.isoformat()} if created is not None else {}),
            "activity": [
                *(_activity(plan, milestone) for milestone in milestones),
                *_replacements(plan),
                *(_waiting(step) for step in waiting),
            ],
        }
    )
    if plan.warnings:
        # An order outside the leaflet's range is the care team's to know: it travels with the plan it shaped.
        resource["note"] = [{"text": warning} for warning in plan.warnings]
    return _dump(resource)


def _narrative(plan: Plan, title: str, milestones: list[Milestone], waiting: list[Unscheduled]) -> str:
    """The plan's dated lines as the XHTML a person reads in the record: the same words as the timeline."""
    from pumpcare.milestone_words import milestone_after_title

    def when(milestone: Milestone) -> str:
        return format_date(milestone.when.earliest, weekday=False, compact=True)  # a window's line says its end

    lines = [f"<li>{escape(title_text(when(m), m.title + milestone_after_title(m)))}</li>" for m in milestones]
    parts = [f'<div xmlns="{XHTML}">', f"<p><b>{escape(title)}</b></p>", f"<ul>{''.join(lines)}</ul>"]
    if waiting:
        steps = "".join(
            f"<li>{escape(step.title + colon_phrase(undated_phrase(step.kind, step.moment)))}</li>" for step in waiting
        )
        parts += [f"<p>{escape(heading_undated())}</p>", f"<ul>{steps}</ul>"]
    parts.append("</div>")
    return "".join(parts)


def _activity(plan: Plan, milestone: Milestone) -> dict[str, Any]:
    detail: dict[str, Any] = _detail(milestone.rules, milestone.title, milestone.category)
    detail["status"] = "completed" if milestone.done else "scheduled"
    detail.update(_do_not(milestone.category))
    detail.update(_scheduled(plan, milestone))
    detail["description"] = _description(milestone.rules)
    return {"id": milestone.key, "detail": detail}


def _replacements(plan: Plan) -> list[dict[str, Any]]:
    """Each logged pump replacement, completed: the plan itself has moved on to the new pump's battery window."""
    battery = plan.battery()
    if battery is None:
        return []
    milestone = battery.milestone
    activities = []
    for entry in plan.logged("replacement"):
        detail = _detail(milestone.rules, milestone.title, milestone.category)
        detail.update(status="completed", scheduledTiming={"event": [entry.day.isoformat()]})
        detail["description"] = _description(milestone.rules)
        activities.append({"id": f"{milestone.key}-done-{entry.day.isoformat()}", "detail": detail})
    return activities


def _waiting(step: Unscheduled) -> dict[str, Any]:
    """A step with no date yet (the follow-up visit, refills): in the plan, not started, with no schedule."""
    detail = _detail(step.rules, step.title, step.rules[0].category)
    detail["status"] = "not-started"
    detail.update(_do_not(step.rules[0].category))
    detail["description"] = _description(step.rules)
    return {"id": step.key, "detail": detail}


def _detail(rules: tuple[Rule, ...], title: str, category: str) -> dict[str, Any]:
    return {
        "extension": [{"url": f"{BASE}/StructureDefinition/rule", "valueCode": rule.id} for rule in rules],
        "code": {"coding": [{"system": CATEGORY_SYSTEM, "code": category}], "text": title},
    }


def _do_not(category: str) -> dict[str, bool]:
    """A restriction is something not to do ("Avoid driving"): R4 says so with doNotPerform."""
    return {"doNotPerform": True} if category == RESTRICTION else {}


def _scheduled(plan: Plan, milestone: Milestone) -> dict[str, Any]:
    """A period for what starts (to the latest end), a date for one day or one refill visit."""
    when = milestone.when
    if milestone.kind == "starts":
        period: dict[str, Any] = {}
        extensions = []
        if when.is_range:
            extensions.append({"url": LATEST_START, "valueDate": when.latest.isoformat()})
        until = milestone.until
        if until is not None and until.is_range:
            extensions.append({"url": EARLIEST_END, "valueDate": until.earliest.isoformat()})
        if until is None and milestone.until_waits_for is not None:
            extensions.append({"url": ENDS_WITH, "valueCode": milestone.until_waits_for.anchor})
        if extensions:
            period["extension"] = extensions
        period["start"] = when.earliest.isoformat()
        if until is not None:
            period["end"] = until.latest.isoformat()
        return {"scheduledPeriod": period}
    if when.is_range:
        return {"scheduledPeriod": _period(when)}
    timing: dict[str, Any] = {}
    step = plan.refill_spacing()
    if milestone.repeats and step is not None:
        # Each visit is an activity of its own with its own date. A `repeat` beside that date would have a system
        # that expands timings start a new series at every visit, every one of them repeating to no end.
        timing["extension"] = [{"url": REFILL_INTERVAL, "valueDuration": _quantity(step.every)}]
    timing["event"] = [when.earliest.isoformat()]
    return {"scheduledTiming": timing}


def _period(window: Window) -> dict[str, str]:
    return {"start": window.earliest.isoformat(), "end": window.latest.isoformat()}


def _description(rules: tuple[Rule, ...]) -> str:
    if len(rules) == 1:
        return rules[0].text
    return "\n".join(title_text(rule.title, rule.text) for rule in rules)


@in_its_language
def render_plandefinition(ruleset: RuleSet) -> str:
    """The rule file as a PlanDefinition: an action per anchor it counts from, then one per rule."""
    anchors = fhir_anchors()
    used = [anchor for anchor in anchors if any(anchor in _anchors(rule) for rule in ruleset.rules)]
    resource: dict[str, Any] = {"resourceType": "PlanDefinition", "id": plandefinition_id(ruleset)}
    if any(rule.category == RESTRICTION for rule in ruleset.rules):
        # R4's PlanDefinition.action has no doNotPerform; its ActivityDefinition has. Each restriction's action
        # names this one as its definition: an activity not to do, the action's code and text saying which.
        avoid = {"resourceType": "ActivityDefinition", "id": AVOID, "status": "active", "description": fhir_avoid()}
        resource["contained"] = [{**avoid, "doNotPerform": True}]
    resource |= {
        "url": plandefinition_url(ruleset),
        "version": ruleset.version,
        "name": _computable_name(ruleset.name),
        "title": ruleset.name,
        "type": {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/plan-definition-type", "code": "clinical-protocol"}
            ]
        },
        "status": "active",
        "description": calendar_about(disclaimer_with_note(), cited(ruleset, LEAFLET)),
        "relatedArtifact": [
            {"type": "derived-from", "label": LEAFLET, "display": ruleset.source},
            *(_citation(ruleset, cites) for cites in sorted(ruleset.documents)),
        ],
        "action": [
            *(_anchor_action(anchor, anchors[anchor]) for anchor in used),
            *(_rule_action(ruleset, rule) for rule in ruleset.rules),
        ],
    }
    return _dump(resource)


def _anchor_action(anchor: str, title: str) -> dict[str, Any]:
    """A moment rules count from, as an action the rules' relatedAction names; its meaning is in its code."""
    return {"id": f"anchor-{anchor}", "title": title, "code": [{"coding": [{"system": ANCHOR_SYSTEM, "code": anchor}]}]}


def _anchors(rule: Rule) -> set[str]:
    return {moment.anchor for moment in (rule.due, rule.start, rule.until) if moment is not None} | (
        {"surgery"} if rule.due is None and rule.start is None else set()
    )


def _citation(ruleset: RuleSet, cites: str) -> dict[str, str]:
    document = ruleset.document(cites)
    artifact = {"type": "citation", "label": cites, "display": str(document)}
    if document.url:
        artifact["url"] = document.url
    return artifact


def _rule_action(ruleset: RuleSet, rule: Rule) -> dict[str, Any]:
    document = ruleset.document(rule.cites)
    documentation: dict[str, str] = {
        "type": "citation" if rule.cites != LEAFLET else "derived-from",
        "label": rule.cites,
        "display": ruleset.cited(rule.cites),
        "citation": rule.source,
    }
    if document.url:
        documentation["url"] = document.url
    action: dict[str, Any] = {
        "id": rule.id,
        "title": rule.title,
        "description": rule.text,
        "code": [{"coding": [{"system": CATEGORY_SYSTEM, "code": rule.category}]}],
        "documentation": [documentation],
    }
    if rule.category == RESTRICTION:
        action["definitionCanonical"] = f"#{AVOID}"
    # The first relation is when the action starts or is due; a second, when a period ends at another anchor.
    # Their meaning is in relationship and offset; a relatedAction has no id of its own.
    related: list[dict[str, Any]] = []
    if rule.due is not None:
        related.append(_related(rule.due))
    else:
        start = rule.start or Moment("surgery", Duration(0, "days"), Duration(0, "days"))
        related.append(_related(start))
        until = rule.until
        if until is not None and not _is_zero(until):
            # How long it lasts, counted from its anchor: "for 6–8 weeks". Only a period that ends a while after
            # another anchor than its start's also names that anchor.
            action["timingRange"] = {"low": _quantity(until.earliest), "high": _quantity(until.latest)}
            if until.anchor != start.anchor:
                related.append(_related(until))
        elif until is not None:
            # It holds until that visit begins: "no housework before the follow-up visit".
            related.append({"actionId": f"anchor-{until.anchor}", "relationship": "before-start"})
    action["relatedAction"] = related
    return action


def _related(moment: Moment) -> dict[str, Any]:
    """The moment as a relation to its anchor's action: '6–8 weeks after', '1–7 days before', 'with'."""
    link: dict[str, Any] = {"actionId": f"anchor-{moment.anchor}"}
    if _is_zero(moment):
        link["relationship"] = "concurrent-with-start"
        return link
    before = moment.latest.amount <= 0
    link["relationship"] = "before-start" if before else "after-start"
    if before:
        link["offsetRange"] = {"low": _quantity(moment.latest, -1), "high": _quantity(moment.earliest, -1)}
    else:
        # A window from before its anchor to after it ("-1d to 1d") keeps its sign: a negative low is before.
        link["offsetRange"] = {"low": _quantity(moment.earliest), "high": _quantity(moment.latest)}
    return link


def _is_zero(moment: Moment) -> bool:
    return moment.earliest.amount == 0 and moment.latest.amount == 0


def _quantity(duration: Duration, sign: int = 1) -> dict[str, Any]:
    return {"value": duration.amount * sign, "unit": duration.unit, "system": UCUM, "code": _UCUM_UNITS[duration.unit]}


def _computable_name(title: str) -> str:
    """A name a machine can use (R4 asks for a capital letter, then letters, digits or '_')."""
    words = "".join(char if char.isascii() and char.isalnum() else " " for char in title).split()
    name = "".join(word[:1].upper() + word[1:] for word in words).lstrip("0123456789")
    # "3rd Avenue clinic" would start "rd...": a name that does not start with a capital gets one.
    return name if name[:1].isupper() else "Rules" + name


def render_transaction(careplans: list[bytes]) -> str:
    """CarePlans as one FHIR transaction Bundle, each a conditional update on its identifier: posted twice, the
    second run updates the same CarePlans instead of adding to them."""
    entries = []
    for data in careplans:
        resource = json.loads(data)
        [identifier] = resource["identifier"]
        url = f"CarePlan?identifier={identifier['system']}|{identifier['value']}"
        entries.append({"resource": resource, "request": {"method": "PUT", "url": url}})
    return _dump({"resourceType": "Bundle", "type": "transaction", "entry": entries})


def _dump(resource: dict[str, Any]) -> str:
    return json.dumps(resource, indent=2, ensure_ascii=False) + "\n"
