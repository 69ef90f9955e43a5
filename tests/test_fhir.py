"""The plan as a FHIR R4 CarePlan and the rules as a PlanDefinition, through the command line.

Every document is validated twice, by two validators that share no code: fhir.resources' R4B models (R4B's
CarePlan and PlanDefinition are R4's) and the FHIR R4 JSON schema (tests/data/fhir, with where it came from).
Neither checks value sets, so the codes are checked here by hand; each validator is shown to reject a broken copy.
"""

from __future__ import annotations

import copy
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.plandefinition import PlanDefinition
from jsonschema import Draft6Validator
from pydantic import ValidationError
from typer.testing import CliRunner

from pumpcare.cli import app
from pumpcare.durations import Duration
from pumpcare.rule_file import load_rules
from pumpcare.rules import Moment, Rule, RuleSet

SURGERY = ["--surgery-date", "2026-12-01"]
FULL = [
    "plan", *SURGERY, "--follow-up", "2027-01-05",
    "--refill-every", "12w", "--first-refill", "2027-01-26", "--set", "no-lifting=10w..12w",
]  # fmt: skip
PLAIN = ["plan", *SURGERY, "--follow-up", "2027-01-05"]  # a plan with no warning on stderr
EARLIEST_END = "https://pumpcare.example/fhir/StructureDefinition/window-earliest-end"
RULE = "https://pumpcare.example/fhir/StructureDefinition/rule"
ACTIVITY_STATUSES = {"not-started", "scheduled", "in-progress", "on-hold", "completed", "cancelled", "stopped"}
RELATIONSHIPS = {"before-start", "after-start", "concurrent-with-start"}
UCUM = {"d": "days", "wk": "weeks", "mo": "months", "a": "years"}
ENDS_WITH = "https://pumpcare.example/fhir/StructureDefinition/window-ends-with"
US_CORE_CAREPLAN = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-careplan"
ASSESS_PLAN = {
    "system": "http://hl7.org/fhir/us/core/CodeSystem/careplan-category",
    "code": "assess-plan",
    "display": "Assessment and Plan of Treatment",
}
SCHEMA = Path(__file__).parent / "data" / "fhir" / "fhir.schema.json"
STAMP = "1795996800"  # SOURCE_DATE_EPOCH: 2026-11-30 00:00 UTC, the day `created` says


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """`created` is the day the file is written: fixed, so two runs compare equal at any time of day."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", STAMP)


@cache
def _schema_validator(resource_type: str) -> Draft6Validator:
    """The R4 JSON schema (draft-06), entered at one resource's definition so its errors name their path."""
    definitions = json.loads(SCHEMA.read_bytes())["definitions"]
    return Draft6Validator({"$ref": f"#/definitions/{resource_type}", "definitions": definitions})


def schema_errors(document: dict[str, Any]) -> list[str]:
    """What the FHIR R4 JSON schema finds wrong with a resource, each with its path; empty when it is valid."""
    errors = _schema_validator(document["resourceType"]).iter_errors(document)
    return sorted(f"{'.'.join(map(str, error.absolute_path))}: {error.message}" for error in errors)


def validated(document: dict[str, Any]) -> dict[str, Any]:
    """The document, once both validators accept it."""
    model = {"CarePlan": CarePlan, "PlanDefinition": PlanDefinition, "Bundle": Bundle}[document["resourceType"]]
    model.model_validate(document)
    assert schema_errors(document) == []
    return document


def careplan(runner: CliRunner, args: list[str]) -> dict[str, Any]:
    result = runner.invoke(app, [*args, "--fhir", "-"])
    assert result.exit_code == 0, result.output
    return validated(json.loads(result.stdout))


def plandefinition(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["rules", "export", "--fhir", "-", *args])
    assert result.exit_code == 0, result.output
    return validated(json.loads(result.stdout))


def activities(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {activity["id"]: activity["detail"] for activity in document["activity"]}


def rule_ids(detail: dict[str, Any]) -> list[str]:
    return [extension["valueCode"] for extension in detail["extension"] if extension["url"] == RULE]


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["plan", *SURGERY], id="minimal"),
        pytest.param(FULL, id="full"),
        pytest.param([*FULL, "--patient-label", "Bed 4"], id="labelled"),
    ],
)
def test_careplan_validates_and_is_an_active_plan(runner: CliRunner, args: list[str]) -> None:
    document = careplan(runner, args)
    assert (document["resourceType"], document["status"], document["intent"]) == ("CarePlan", "active", "plan")
    assert all(detail["status"] in ACTIVITY_STATUSES for detail in activities(document).values())
    assert len(document["id"]) <= 64
    assert all(char.isalnum() or char in "-." for char in document["id"])


def test_subject_is_the_label_or_a_neutral_display(runner: CliRunner) -> None:
    assert careplan(runner, [*FULL, "--patient-label", "Bed 4"])["subject"] == {"display": "Bed 4"}
    neutral = careplan(runner, FULL)["subject"]
    assert list(neutral) == ["display"]
    assert "Bed" not in neutral["display"]


def test_one_activity_per_milestone_with_the_json_dates(runner: CliRunner) -> None:
    """The round trip: every milestone of `plan --json` is an activity whose dates are the milestone's."""
    plan = json.loads(runner.invoke(app, [*FULL, "--json"]).stdout)
    details = activities(careplan(runner, FULL))
    # A period's end is in its one activity: the "ends" milestones of the timeline are not activities of their own.
    milestones = [m for m in plan["milestones"] if m["kind"] != "ends"]
    assert [m["key"] for m in milestones] == list(details)[: len(milestones)]
    for milestone in milestones:
        detail = details[milestone["key"]]
        assert detail["code"]["text"] == milestone["title"]
        assert detail["code"]["coding"][0]["code"] == milestone["category"]
        assert rule_ids(detail) == [rule["id"] for rule in milestone["rules"]]
        assert _dates(detail) == _json_dates(milestone), milestone["key"]


def _json_dates(milestone: dict[str, Any]) -> dict[str, str]:
    if milestone["kind"] == "starts":
        dates = {"start": milestone["earliest"]}
        if milestone["until"]:
            dates["end"] = milestone["until"]["latest"]
            if milestone["until"]["earliest"] != milestone["until"]["latest"]:
                dates["earliest end"] = milestone["until"]["earliest"]
        return dates
    if milestone["earliest"] == milestone["latest"]:
        return {"on": milestone["earliest"]}
    return {"start": milestone["earliest"], "end": milestone["latest"]}


def _dates(detail: dict[str, Any]) -> dict[str, str]:
    if "scheduledTiming" in detail:
        [day] = detail["scheduledTiming"]["event"]
        return {"on": day}
    period = detail["scheduledPeriod"]
    dates = {name: period[name] for name in ("start", "end") if name in period}
    for extension in period.get("extension", []):
        assert extension["url"] == EARLIEST_END
        dates["earliest end"] = extension["valueDate"]
    return dates


def test_a_window_keeps_both_ends(runner: CliRunner) -> None:
    driving = activities(careplan(runner, FULL))["no-driving-starts"]["scheduledPeriod"]
    assert driving == {
        "extension": [{"url": EARLIEST_END, "valueDate": "2026-12-15"}],
        "start": "2026-12-01",
        "end": "2026-12-29",
    }


def test_visits_are_dates_and_each_refill_one_date_with_its_interval_said(runner: CliRunner) -> None:
    details = activities(careplan(runner, FULL))
    assert details["follow-up-visit-due"]["scheduledTiming"] == {"event": ["2027-01-05"]}
    interval = {
        "url": "https://pumpcare.example/fhir/StructureDefinition/refill-interval",
        "valueDuration": {"value": 12, "unit": "weeks", "system": "http://unitsofmeasure.org", "code": "wk"},
    }
    refills = [detail for key, detail in details.items() if key.startswith("reservoir-refill-due-")]
    assert len(refills) > 20  # to the battery's last day
    assert details["reservoir-refill-due-2"]["scheduledTiming"] == {"extension": [interval], "event": ["2027-04-20"]}
    # No Timing.repeat: a system that expands timings would start a repeating series at every visit.
    assert all(set(detail["scheduledTiming"]) == {"extension", "event"} for detail in refills)
    assert all(len(detail["scheduledTiming"]["event"]) == 1 for detail in refills)


def test_an_order_outside_the_leaflet_travels_as_a_note_and_a_plain_plan_has_none(runner: CliRunner) -> None:
    notes = careplan(runner, FULL)["note"]
    assert notes == [
        {"text": "no-lifting=10w..12w is outside the rule file's 6–8 weeks for 'no-lifting'; the plan uses it as set"}
    ]
    assert "note" not in careplan(runner, PLAIN)


def test_what_waits_for_a_date_is_not_started_and_undated(runner: CliRunner) -> None:
    details = activities(careplan(runner, ["plan", *SURGERY]))
    visit = details["follow-up-visit-due"]
    assert visit["status"] == "not-started"
    assert not {"scheduledTiming", "scheduledPeriod"} & set(visit)
    # The restrictions that last until the visit: one activity, whose period ends with the visit, not a date.
    assert details["until-follow-up-starts"]["scheduledPeriod"] == {
        "extension": [{"url": ENDS_WITH, "valueCode": "follow-up"}],
        "start": "2026-12-01",
    }
    assert "until-follow-up-ends" not in details


def test_ids_are_stable_across_runs_and_a_new_follow_up_date(runner: CliRunner) -> None:
    first = careplan(runner, [*FULL, "--patient-label", "Bed 4"])
    again = careplan(runner, [*FULL, "--patient-label", "Bed 4"])
    moved = careplan(runner, [*FULL, "--patient-label", "Bed 4", "--follow-up", "2027-01-12"])
    other = careplan(runner, [*FULL, "--patient-label", "Bed 5"])
    assert first == again
    assert (moved["id"], moved["identifier"]) == (first["id"], first["identifier"])
    assert list(activities(moved)) == list(activities(first))
    assert activities(moved)["follow-up-visit-due"]["scheduledTiming"] == {"event": ["2027-01-12"]}
    assert other["id"] != first["id"]
    calendar = runner.invoke(app, [*FULL, "--patient-label", "Bed 4", "--ics", "-"]).stdout
    assert f"UID:follow-up-visit-due.{first['identifier'][0]['value']}@pumpcare" in calendar


def test_logged_events_complete_their_activities(runner: CliRunner) -> None:
    saved = ["plan", "--surgery-date", "2025-12-01", "--refill-every", "12w", "--first-refill", "2026-01-26"]
    assert runner.invoke(app, [*saved, "--save", "--json"]).exit_code == 0
    before = activities(careplan(runner, ["plan"]))
    assert before["reservoir-refill-due-1"]["status"] == "scheduled"
    for event, day in (("refill", "2026-01-27"), ("follow-up", "2026-01-06"), ("replacement", "2026-03-01")):
        assert runner.invoke(app, ["log", event, "--date", day]).exit_code == 0
    after = activities(careplan(runner, ["plan"]))
    completed = {
        key: detail["scheduledTiming"]["event"] for key, detail in after.items() if detail["status"] == "completed"
    }
    assert completed == {
        "follow-up-visit-due": ["2026-01-06"],
        "reservoir-refill-due-1": ["2026-01-27"],
        "battery-replacement-due-done-2026-03-01": ["2026-03-01"],
    }
    assert after["reservoir-refill-due-2"]["status"] == "scheduled"
    assert after["battery-replacement-due"]["scheduledPeriod"] == {"start": "2031-03-01", "end": "2033-03-01"}


def test_writes_a_file_and_says_so(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "plan.fhir.json"
    result = runner.invoke(app, [*FULL, "--fhir", str(path)])
    assert (result.exit_code, result.stdout) == (0, "")
    assert f"CarePlan written to {path}; send it to the health record with a PUT (see the README)." in (
        result.stderr.splitlines()
    )
    assert path.read_text(encoding="utf-8") == runner.invoke(app, [*FULL, "--fhir", "-"]).stdout


def test_an_unwritable_path_is_one_sentence_and_no_file(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "missing" / "plan.fhir.json"
    result = runner.invoke(app, [*PLAIN, "--fhir", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"pumpcare: cannot write {path}: the folder {path.parent} does not exist; create it or choose another\n"
    )
    assert not path.parent.exists()


def test_a_folder_it_may_not_write_is_one_sentence_and_no_file(runner: CliRunner, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        result = runner.invoke(app, [*PLAIN, "--fhir", str(locked / "plan.fhir.json")])
        assert result.exit_code == 1
        assert result.stderr.startswith(f"pumpcare: cannot write {locked / 'plan.fhir.json'}: ")
        assert result.stderr.count("\n") == 1
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


@pytest.mark.parametrize("other", [["--json"], ["--ics", "-"]], ids=["json", "ics"])
def test_two_outputs_on_stdout_are_refused(runner: CliRunner, other: list[str]) -> None:
    result = runner.invoke(app, [*FULL, *other, "--fhir", "-"])
    assert result.exit_code == 1
    assert result.stderr.endswith("both write to stdout; write the CarePlan to a file instead\n")
    assert result.stdout == ""


def test_batch_writes_a_careplan_per_row(runner: CliRunner, tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("label,surgery_date,follow_up\nBed 4,2026-12-01,2027-01-05\nBed 7,2026-12-02,\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(rows), "--out-dir", str(out), "--fhir"])
    assert result.exit_code == 0, result.output
    written = sorted(path.name for path in out.iterdir() if not path.name.startswith("."))
    assert [name for name in written if name.endswith(".fhir.json")] == [
        "0000-bundle.fhir.json",
        "0002-Bed-4.fhir.json",
        "0003-Bed-7.fhir.json",
    ]
    bed4 = validated(json.loads((out / "0002-Bed-4.fhir.json").read_text(encoding="utf-8")))
    assert bed4 == careplan(runner, ["plan", *SURGERY, "--follow-up", "2027-01-05", "--patient-label", "Bed 4"])
    # Without --fhir, the next run into the folder removes the CarePlans it no longer writes.
    assert runner.invoke(app, ["batch", str(rows), "--out-dir", str(out)]).exit_code == 0
    assert not any(path.name.endswith(".fhir.json") for path in out.iterdir())


# The PlanDefinition: every rule of the shipped file is one action, timed as the YAML times it.
SHIPPED = load_rules()


def test_plandefinition_metadata(runner: CliRunner) -> None:
    document = plandefinition(runner)
    assert (document["status"], document["version"]) == ("active", SHIPPED.version)
    artifacts = document["relatedArtifact"]
    assert artifacts[0] == {"type": "derived-from", "label": "leaflet", "display": SHIPPED.source}
    assert sorted(artifact["label"] for artifact in artifacts[1:]) == sorted(SHIPPED.documents)
    assert [a["id"] for a in document["action"] if not a["id"].startswith("anchor-")] == [r.id for r in SHIPPED.rules]
    assert careplan(runner, FULL)["instantiatesCanonical"] == [f"{document['url']}|{SHIPPED.version}"]


def _offsets(link: dict[str, Any]) -> tuple[str, Duration, Duration]:
    """A relatedAction read back as an anchor and signed durations, the way the rule file writes a moment."""
    anchor = link["actionId"].removeprefix("anchor-")
    if link["relationship"] == "concurrent-with-start":
        assert "offsetRange" not in link
        return anchor, Duration(0, "days"), Duration(0, "days")
    low, high = (_duration(link["offsetRange"][end]) for end in ("low", "high"))
    if link["relationship"] == "before-start":
        return anchor, Duration(-high.amount, high.unit), Duration(-low.amount, low.unit)
    return anchor, low, high


def _duration(quantity: dict[str, Any]) -> Duration:
    assert quantity["system"] == "http://unitsofmeasure.org"
    assert UCUM[quantity["code"]] == quantity["unit"]
    return Duration(quantity["value"], quantity["unit"])


def _moment(anchor: str, earliest: Duration, latest: Duration) -> Moment:
    return Moment(anchor, earliest, latest)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def exported() -> dict[str, dict[str, Any]]:
    result = CliRunner().invoke(app, ["rules", "export", "--fhir", "-"])
    return {action["id"]: action for action in json.loads(result.stdout)["action"]}


@pytest.mark.parametrize("rule", SHIPPED.rules, ids=[rule.id for rule in SHIPPED.rules])
def test_every_shipped_rule_is_an_action_timed_as_in_the_yaml(
    rule: Rule, exported: dict[str, dict[str, Any]], runner: CliRunner
) -> None:
    action = exported[rule.id]
    assert (action["title"], action["description"]) == (rule.title, rule.text)
    assert action["code"] == [
        {"coding": [{"system": "https://pumpcare.example/fhir/CodeSystem/category", "code": rule.category}]}
    ]
    [documentation] = action["documentation"]
    assert (documentation["label"], documentation["citation"]) == (rule.cites, rule.source)
    # The first relation says when it starts or is due, a second when it ends at another anchor; none has an id.
    related = action["relatedAction"]
    assert all(set(link) <= {"actionId", "relationship", "offsetRange"} for link in related)
    assert all(link["relationship"] in RELATIONSHIPS for link in related)
    assert all(link["actionId"] in exported for link in related)
    assert ("definitionCanonical" in action) == (rule.category == "restriction")
    if rule.due is not None:
        [due] = related
        assert _moment(*_offsets(due)) == rule.due
    else:
        start = rule.start or Moment("surgery", Duration(0, "days"), Duration(0, "days"))
        assert _moment(*_offsets(related[0])) == start
        _check_until(rule, action, related[1:])
    # ... and the rule reaches the patient's plan, as the activity of a milestone or of a step waiting for a date.
    in_plan = {rule_id for detail in activities(careplan(runner, FULL)).values() for rule_id in rule_ids(detail)}
    assert rule.id in in_plan


def _check_until(rule: Rule, action: dict[str, Any], ends: list[dict[str, Any]]) -> None:
    until = rule.until
    if until is None:
        assert "timingRange" not in action
        assert ends == []
    elif until.earliest.amount == 0 and until.latest.amount == 0:
        assert ends == [{"actionId": f"anchor-{until.anchor}", "relationship": "before-start"}]
    else:
        span = action["timingRange"]
        assert (_duration(span["low"]), _duration(span["high"])) == (until.earliest, until.latest)


def test_a_clinic_file_exports_with_its_version(runner: CliRunner, tmp_path: Path, shipped: RuleSet) -> None:
    text = Path(shipped.origin).read_text(encoding="utf-8").replace('version: "2026.11.1"', 'version: "clinic-7"')
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(text.replace("until: {earliest: 2w, latest: 4w}", "until: {earliest: 3w, latest: 6w}"))
    document = plandefinition(runner, "--rules", str(clinic))
    assert document["version"] == "clinic-7"
    driving = next(action for action in document["action"] if action["id"] == "no-driving")
    assert driving["timingRange"]["high"]["value"] == 6
    assert runner.invoke(app, ["rules", "check", str(clinic)]).exit_code == 1  # outside the leaflet: still YAML


def test_export_to_a_file_and_to_a_missing_folder(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "rules.plandefinition.json"
    result = runner.invoke(app, ["rules", "export", "--fhir", str(path)])
    assert result.exit_code == 0
    assert result.stderr == f"PlanDefinition written to {path} (28 rules, version {SHIPPED.version}).\n"
    PlanDefinition.model_validate_json(path.read_bytes())
    missing = tmp_path / "no" / "rules.json"
    result = runner.invoke(app, ["rules", "export", "--fhir", str(missing)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(f"pumpcare: cannot write {missing}: ")


def test_the_golden_files_validate() -> None:
    golden = Path(__file__).parent / "golden"
    for name in ("plan-full.fhir.json", "plan-full.es.fhir.json", "rules.plandefinition.json"):
        validated(json.loads((golden / name).read_bytes()))


def test_a_careplan_without_a_label_warns_that_its_id_is_shared_by_that_day(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "plan.fhir.json"
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--fhir", str(out)])
    assert result.exit_code == 0
    assert (
        "pumpcare: warning: without --patient-label or --patient-ref, the CarePlans of patients operated on the same "
        "day share one id"
    ) in result.stderr
    labelled = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--fhir", str(out), "--patient-label", "M1"])
    assert "warning" not in labelled.stderr


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("3rd Avenue pain clinic", "RulesrdAvenuePainClinic"),
        ("Intrathecal pain pump aftercare", "IntrathecalPainPumpAftercare"),
    ],
)
def test_the_plandefinition_name_starts_with_a_capital(
    title: str, name: str, tmp_path: Path, runner: CliRunner
) -> None:
    shipped = (Path(__file__).parent.parent / "data" / "aftercare.yaml").read_text(encoding="utf-8")
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(shipped.replace("name: Intrathecal pain pump aftercare", f"name: {title}"), encoding="utf-8")
    result = runner.invoke(app, ["rules", "export", "--fhir", "-", "--rules", str(clinic)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["name"] == name


# Issue 21: a CarePlan an EHR takes as it is.
README_PATIENT = [*FULL[:-2], "--patient-label", "Bed 4"]  # the README's `plan --fhir` command


def test_every_restriction_says_do_not_and_nothing_else_does(runner: CliRunner) -> None:
    details = activities(careplan(runner, README_PATIENT))
    restrictions = {key for key, detail in details.items() if detail["code"]["coding"][0]["code"] == "restriction"}
    assert restrictions == {"movement-limits-starts", "no-driving-starts", "until-follow-up-starts"}
    assert {key for key, detail in details.items() if detail.get("doNotPerform")} == restrictions
    assert all(details[key]["doNotPerform"] is True for key in restrictions)
    # Undated too: a restriction that waits for a date still says "do not".
    waiting = activities(careplan(runner, ["plan", *SURGERY]))
    assert waiting["until-follow-up-starts"]["doNotPerform"] is True


def test_a_period_is_one_activity_with_its_window(runner: CliRunner) -> None:
    """No "-starts" and "-ends" pair: a period's start and the window in which it may end are in one activity."""
    details = activities(careplan(runner, FULL))
    assert not [key for key in details if key.endswith("-ends")]
    once = [rule for detail in details.values() for rule in rule_ids(detail) if rule != "reservoir-refill"]
    assert len(once) == len(set(once))
    assert details["no-lifting-starts"]["scheduledPeriod"] == {
        "extension": [{"url": EARLIEST_END, "valueDate": "2027-02-09"}],
        "start": "2026-12-01",
        "end": "2027-02-23",
    }


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("en", "1 Dec 2026: No driving, until 15–29 Dec 2026"),
        ("es", "1 dic 2026: No conducir, hasta el 15–29 dic 2026"),
    ],
)
def test_the_careplan_has_a_narrative_language_created_and_category(runner: CliRunner, lang: str, line: str) -> None:
    document = careplan(runner, [*README_PATIENT, "--lang", lang])
    assert document["language"] == lang
    assert document["created"] == "2026-11-30"  # SOURCE_DATE_EPOCH's day: the day the file was written
    assert document["category"] == [{"coding": [ASSESS_PLAN]}]
    text = document["text"]
    assert text["status"] == "generated"
    assert text["div"].startswith('<div xmlns="http://www.w3.org/1999/xhtml">')
    assert text["div"].endswith("</div>")
    assert document["title"] in text["div"]
    assert line in text["div"]
    assert text["div"].count("<li>") == len(document["activity"])  # one line per activity
    assert "<script" not in text["div"]


def test_a_patient_reference_is_the_subject_and_claims_us_core(runner: CliRunner) -> None:
    document = careplan(runner, [*README_PATIENT, "--patient-ref", "Patient/123"])
    # What US Core's CarePlan profile requires (7.0.0): a narrative, status, intent, category assess-plan, subject.
    assert document["meta"] == {"profile": [US_CORE_CAREPLAN]}
    assert document["text"]["status"] in {"generated", "additional"}
    assert document["text"]["div"]
    assert (document["status"], document["intent"]) == ("active", "plan")
    assert ASSESS_PLAN in [coding for category in document["category"] for coding in category["coding"]]
    assert document["subject"] == {"reference": "Patient/123", "display": "Bed 4"}
    # Without a reference the subject is a display, and the profile (which wants a Patient reference) is not claimed.
    plain = careplan(runner, README_PATIENT)
    assert "meta" not in plain
    assert plain["subject"] == {"display": "Bed 4"}


def test_two_unlabelled_patients_with_references_get_their_own_ids(runner: CliRunner) -> None:
    first = careplan(runner, [*PLAIN, "--patient-ref", "Patient/1"])
    second = careplan(runner, [*PLAIN, "--patient-ref", "Patient/2"])
    assert first["id"] != second["id"]
    assert first["subject"] == {"reference": "Patient/1"}


@pytest.mark.parametrize("ref", ["123", "Practitioner/1", "Patient/", "Patient/a b", "Patient/" + "x" * 65])
def test_a_patient_reference_that_is_not_one_is_refused(runner: CliRunner, ref: str) -> None:
    result = runner.invoke(app, [*PLAIN, "--patient-ref", ref, "--fhir", "-"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"pumpcare: --patient-ref '{ref}' is not a reference to a patient; write it as Patient/<id>, such as "
        "Patient/123\n"
    )


def test_batch_takes_a_patient_ref_column(runner: CliRunner, tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "label,surgery_date,patient_ref\nBed 4,2026-12-01,Patient/p4\nBed 7,2026-12-02,\nBed 9,2026-12-02,Bed 9\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(rows), "--out-dir", str(out), "--fhir"])
    assert result.exit_code == 1  # the third row's reference is not one
    assert "patient_ref" in result.output
    bed4 = validated(json.loads((out / "0002-Bed-4.fhir.json").read_text(encoding="utf-8")))
    assert bed4["subject"] == {"reference": "Patient/p4", "display": "Bed 4"}
    assert bed4["meta"] == {"profile": [US_CORE_CAREPLAN]}
    bed7 = validated(json.loads((out / "0003-Bed-7.fhir.json").read_text(encoding="utf-8")))
    assert (bed7["subject"], "meta" in bed7) == ({"display": "Bed 7"}, False)


# Negative controls: each validator rejects a broken copy, so a pass means something.
def _broken(document: dict[str, Any], how: str) -> dict[str, Any]:
    broken = copy.deepcopy(document)
    detail = broken["activity"][0]["detail"]
    if how == "a word for a boolean":
        detail["doNotPerform"] = "maybe"
    elif how == "an element R4 does not have":
        detail["doNotPerfrom"] = True
    elif how == "no subject":
        del broken["subject"]
    elif how == "a date that is not one":
        broken["created"] = "30/11/2026"
    return broken


@pytest.mark.parametrize(
    "how", ["a word for a boolean", "an element R4 does not have", "no subject", "a date that is not one"]
)
def test_each_validator_rejects_a_broken_careplan(runner: CliRunner, how: str) -> None:
    broken = _broken(careplan(runner, README_PATIENT), how)
    with pytest.raises(ValidationError):
        CarePlan.model_validate(broken)
    assert schema_errors(broken) != []


def test_the_schema_catches_what_the_models_coerce(runner: CliRunner) -> None:
    """Why two validators: pydantic reads "yes" as true; the JSON schema wants a JSON boolean, as R4 does."""
    broken = copy.deepcopy(careplan(runner, README_PATIENT))
    broken["activity"][0]["detail"]["doNotPerform"] = "yes"
    CarePlan.model_validate(broken)
    assert schema_errors(broken) == [
        "activity.0.detail.doNotPerform: 'yes' does not match '^true|false$'",
        "activity.0.detail.doNotPerform: 'yes' is not of type 'boolean'",
    ]


def test_the_schema_is_r4_and_rejects_another_resource_type() -> None:
    schema = json.loads(SCHEMA.read_bytes())
    assert schema["id"] == "http://hl7.org/fhir/json-schema/4.0"
    assert schema_errors({"resourceType": "CarePlan", "status": "active"})  # no intent, no subject


def test_plandefinition_ids_are_unique_references_and_meaning_is_in_codes(runner: CliRunner) -> None:
    document = plandefinition(runner)
    ids = [action["id"] for action in document["action"]]
    assert len(ids) == len(set(ids))
    assert all(action["code"] for action in document["action"])
    anchors = {action["id"]: action["code"][0]["coding"][0] for action in document["action"] if action["id"] in ANCHORS}
    assert anchors == {
        f"anchor-{name}": {"system": "https://pumpcare.example/fhir/CodeSystem/anchor", "code": name}
        for name in ("surgery", "follow-up", "refill", "implant")
    }
    assert all("id" not in link for action in document["action"] for link in action.get("relatedAction", []))


ANCHORS = {"anchor-surgery", "anchor-follow-up", "anchor-refill", "anchor-implant"}


def test_plandefinition_restrictions_are_defined_as_not_to_do(runner: CliRunner) -> None:
    document = plandefinition(runner)
    [avoid] = document["contained"]
    assert (avoid["resourceType"], avoid["id"], avoid["doNotPerform"]) == ("ActivityDefinition", "avoid", True)
    restrictions = {rule.id for rule in SHIPPED.rules if rule.category == "restriction"}
    named = {action["id"] for action in document["action"] if action.get("definitionCanonical") == "#avoid"}
    assert named == restrictions
    assert len(restrictions) == 12


@pytest.mark.parametrize("how", ["a word for a boolean", "a relation R4 does not have"])
def test_each_validator_rejects_a_broken_plandefinition(runner: CliRunner, how: str) -> None:
    broken = copy.deepcopy(plandefinition(runner))
    if how == "a word for a boolean":
        broken["contained"][0]["doNotPerform"] = "maybe"
    else:
        broken["action"][-1]["relatedAction"][0]["relationship"] = 7
    with pytest.raises(ValidationError):
        PlanDefinition.model_validate(broken)
    assert schema_errors(broken) != []


def test_batch_writes_one_transaction_bundle_of_conditional_updates(runner: CliRunner, tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "label,surgery_date,follow_up,patient_ref\nBed 4,2026-12-01,2027-01-05,Patient/p4\nBed 7,2026-12-02,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert runner.invoke(app, ["batch", str(rows), "--out-dir", str(out), "--fhir"]).exit_code == 0
    bundle = validated(json.loads((out / "0000-bundle.fhir.json").read_text(encoding="utf-8")))
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "transaction")
    rows_written = [out / "0002-Bed-4.fhir.json", out / "0003-Bed-7.fhir.json"]
    assert [entry["resource"] for entry in bundle["entry"]] == [json.loads(path.read_bytes()) for path in rows_written]
    for entry in bundle["entry"]:
        [identifier] = entry["resource"]["identifier"]
        assert entry["request"] == {
            "method": "PUT",
            "url": f"CarePlan?identifier={identifier['system']}|{identifier['value']}",
        }
    # Run again: the same Bundle, the same folder (the Bundle is the batch's own file); without --fhir it goes.
    assert runner.invoke(app, ["batch", str(rows), "--out-dir", str(out), "--fhir"]).exit_code == 0
    assert json.loads((out / "0000-bundle.fhir.json").read_bytes()) == bundle
    assert runner.invoke(app, ["batch", str(rows), "--out-dir", str(out)]).exit_code == 0
    assert not (out / "0000-bundle.fhir.json").exists()


def test_each_validator_rejects_a_broken_bundle() -> None:
    broken = {"resourceType": "Bundle", "type": "transaction", "entry": [{"request": {"method": "UPSERT", "url": 1}}]}
    with pytest.raises(ValidationError):
        Bundle.model_validate(broken)
    assert schema_errors(broken) != []


def test_a_saved_record_gives_its_careplan_the_key_its_calendar_carries(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--save"]).exit_code == 0
    out = tmp_path / "plan.fhir.json"
    result = runner.invoke(app, ["plan", "--fhir", str(out)])
    assert result.exit_code == 0
    assert "share one id" not in result.stderr  # the record's own key keeps it apart
    careplan = json.loads(out.read_text(encoding="utf-8"))
    uids = runner.invoke(app, ["plan", "--ics", "-"]).stdout
    key = careplan["identifier"][0]["value"]
    assert careplan["id"] == f"pumpcare-{key}"
    assert f".{key}@pumpcare" in uids
