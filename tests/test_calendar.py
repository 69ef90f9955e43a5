"""The .ics calendar: read back by two independent parsers, stable UIDs, reproducible bytes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import icalendar
import pytest
import vobject
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pumpcare.cli import app
from pumpcare.planning import make_plan
from pumpcare.render_ics import render_ics
from pumpcare.rules import RuleSet
from pumpcare.schedule import Duration, Override, RefillSchedule

STAMP = datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)
SURGERY = date(2026, 12, 1)


def calendar_bytes(shipped: RuleSet, follow_up: date | None = date(2027, 1, 5), label: str | None = None) -> bytes:
    plan = make_plan(
        shipped,
        SURGERY,
        follow_up=follow_up,
        refills=RefillSchedule(date(2027, 1, 26), Duration(12, "weeks")),
        overrides=[Override("no-lifting", Duration(10, "weeks"), Duration(12, "weeks"))],
    )
    return render_ics(plan, stamp=STAMP, patient_label=label)


def events_by_uid(data: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(data)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_icalendar_reads_every_event_as_an_all_day_event(shipped: RuleSet) -> None:
    data = calendar_bytes(shipped)
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["PRODID"]) == "-//pumpcare//Pump recovery plan//EN"
    assert str(calendar["X-WR-CALNAME"]) == "Pump recovery plan"
    events = calendar.walk("VEVENT")
    # 11 of the recovery, the battery's window and its last day, and 30 refills every 12 weeks to that day.
    assert len(events) == 12 + 2 + 30
    for event in events:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is date, event["SUMMARY"]
        assert type(end) is date, event["SUMMARY"]
        assert start < end
        assert event["DTSTART"].params["VALUE"] == "DATE"
        assert event.decoded("DTSTAMP") == STAMP
        assert str(event["TRANSP"]) == "TRANSPARENT"
    assert len({str(event["UID"]) for event in events}) == len(events)


def test_vobject_reads_it_too(shipped: RuleSet) -> None:
    parsed = vobject.readOne(calendar_bytes(shipped).decode("utf-8"))
    summaries = [event.summary.value for event in parsed.vevent_list]
    assert summaries[:4] == [
        "Stop the medicines your doctor named (ask your care team)",
        "Arrange a driver and help at home",
        "Nothing to eat after midnight",
        "Pump surgery: recovery plan starts",
    ]
    assert all(isinstance(event.dtstart.value, date) for event in parsed.vevent_list)


def test_dtend_is_exclusive_and_ranges_stay_ranges(shipped: RuleSet) -> None:
    events = events_by_uid(calendar_bytes(shipped))
    key = next(uid for uid in events if uid.startswith("no-driving-ends."))
    driving = events[key]
    assert (driving.decoded("DTSTART"), driving.decoded("DTEND")) == (date(2026, 12, 15), date(2026, 12, 30))
    assert str(driving["SUMMARY"]) == "No driving: may end (ask your care team)"
    one_day = next(e for uid, e in events.items() if uid.startswith("nothing-to-eat-due."))
    assert (one_day.decoded("DTSTART"), one_day.decoded("DTEND")) == (date(2026, 11, 30), date(2026, 12, 1))


def test_a_window_of_years_is_one_day_that_names_the_range(shipped: RuleSet) -> None:
    events = events_by_uid(calendar_bytes(shipped))
    battery = next(e for uid, e in events.items() if uid.startswith("battery-replacement-due."))
    assert (battery.decoded("DTSTART"), battery.decoded("DTEND")) == (date(2031, 12, 1), date(2031, 12, 2))
    assert str(battery["SUMMARY"]) == "Pump battery replacement: window opens (ask your care team)"
    assert str(battery["DESCRIPTION"]).startswith("Due between Mon 1 Dec 2031 and Thu 1 Dec 2033.")
    [alarm] = battery.walk("VALARM")
    assert (
        str(alarm["DESCRIPTION"])
        == "Window opens tomorrow: Pump battery replacement: window opens (ask your care team)"
    )


def test_reminders_the_day_before_actions_only(shipped: RuleSet) -> None:
    events = events_by_uid(calendar_bytes(shipped))
    with_alarm = sorted(uid.split(".")[0] for uid, event in events.items() if event.walk("VALARM"))
    refills = sorted(f"reservoir-refill-due-{number}" for number in range(1, 31))
    assert with_alarm == [
        "battery-replacement-deadline", "battery-replacement-due", "book-replacement-due", "follow-up-visit-due",
        "getting-ready-due",
        "nothing-to-eat-due", *refills, "stop-named-medicines-due",
    ]  # fmt: skip
    for uid, event in events.items():
        for alarm in event.walk("VALARM"):
            assert str(alarm["ACTION"]) == "DISPLAY"
            if uid.startswith("nothing-to-eat-due"):
                # The night before surgery: at 18:00 that evening, not the morning of the day before.
                assert alarm.decoded("TRIGGER") == timedelta(hours=18)
                assert str(alarm["DESCRIPTION"]) == "Tonight: Nothing to eat after midnight"
                continue
            assert alarm.decoded("TRIGGER") == timedelta(hours=-15)
            opens = (
                event.decoded("DTEND") - event.decoded("DTSTART") > timedelta(days=1) or "window" in event["SUMMARY"]
            )
            lead = "Window opens tomorrow" if opens else "Tomorrow"
            assert str(alarm["DESCRIPTION"]) == f"{lead}: {event['SUMMARY']}"


def test_descriptions_carry_the_text_and_its_source(shipped: RuleSet) -> None:
    events = events_by_uid(calendar_bytes(shipped))
    driving = next(e for uid, e in events.items() if uid.startswith("no-driving-ends."))
    assert str(driving["DESCRIPTION"]) == (
        "May end between Tue 15 Dec and Tue 29 Dec 2026. Ask your care team.\n"
        "- No driving: Avoid driving. Ask someone to drive you.\n"
        'From the leaflet (Intrathecal Pain Pump Insertion, FoundHealth): "Avoid driving for 2-4 weeks after surgery."'
    )


def test_lines_are_folded_at_75_octets_with_crlf(shipped: RuleSet) -> None:
    data = calendar_bytes(shipped, label="Zoë Ångström-Øster, ward 4, bed 12 — discharge " * 2)
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    assert all(b"\n" not in line for line in lines)
    for line in lines:
        line.decode("utf-8")  # a fold never splits a character
    # icalendar leaves X- properties escaped as written: commas escaped as in any TEXT value.
    name = icalendar.Calendar.from_ical(data)["X-WR-CALNAME"]
    assert str(name) == "Pump recovery plan: " + "Zoë Ångström-Øster\\, ward 4\\, bed 12 — discharge " * 2


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    label=st.text(
        alphabet=st.one_of(
            st.characters(min_codepoint=0x20, max_codepoint=0x7E),  # ASCII, folded by characters
            st.characters(min_codepoint=0xA0, max_codepoint=0x2FFF, exclude_categories=("Cs", "Cc", "Cf", "Zl", "Zp")),
            st.sampled_from("😀𝄞"),  # four octets in UTF-8
        ),
        min_size=1,
        max_size=300,
    ).filter(lambda text: text.strip() == text and bool(text))
)
# "X-WR-CALNAME:Pump recovery plan: " is 33 octets: these make that line 75 and 76 octets long, and put a letter
# of two or four octets across the 75th.
@example(label="a" * 42)
@example(label="a" * 43)
@example(label="a" * 41 + "é")
@example(label="a" * 41 + "😀")
@example(label="a" * 116 + "é" * 3)
def test_any_label_folds_into_lines_of_75_octets_that_unfold_to_it(shipped: RuleSet, label: str) -> None:
    data = calendar_bytes(shipped, label=label)
    lines = data.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    for line in lines:
        line.decode("utf-8")  # a fold never splits a character
    name = next(line for line in data.replace(b"\r\n ", b"").split(b"\r\n") if line.startswith(b"X-WR-CALNAME:"))
    escaped = label.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    assert name.decode("utf-8") == "X-WR-CALNAME:Pump recovery plan: " + escaped


def test_the_disclaimer_is_in_the_calendar_once_where_people_read(shipped: RuleSet) -> None:
    events = events_by_uid(calendar_bytes(shipped))
    texts = [str(event["DESCRIPTION"]) for event in events.values()]
    assert sum("does not replace your care team" in text for text in texts) == 1
    surgery = next(e for uid, e in events.items() if uid.startswith("surgery-day."))
    assert str(surgery["DESCRIPTION"]).startswith("pumpcare reminds you of your care team's instructions")


def test_no_personal_detail_unless_given(shipped: RuleSet) -> None:
    assert b"Bed 4" not in calendar_bytes(shipped)
    assert "X-WR-CALNAME:Pump recovery plan: Bed 4" in calendar_bytes(shipped, label="Bed 4").decode()


def by_rule(data: bytes) -> dict[str, icalendar.Event]:
    """The events keyed by the rule part of their UIDs, which is the same whoever the patient is."""
    return {uid.split(".")[0]: event for uid, event in events_by_uid(data).items()}


def test_a_label_starts_every_title_and_alarm_and_nothing_else_changes(shipped: RuleSet) -> None:
    # Two patients in one caregiver's calendar: each event says whose it is, first, where no app cuts it off.
    plain, named = by_rule(calendar_bytes(shipped)), by_rule(calendar_bytes(shipped, label="Bed 4"))
    assert plain.keys() == named.keys()
    for rule, event in named.items():
        before = plain[rule]
        assert str(event["SUMMARY"]) == f"Bed 4: {before['SUMMARY']}"
        assert str(event["DESCRIPTION"]) == str(before["DESCRIPTION"])
        alarms = zip(event.walk("VALARM"), before.walk("VALARM"), strict=True)
        assert all(str(alarm["DESCRIPTION"]) == f"Bed 4: {was['DESCRIPTION']}" for alarm, was in alarms)
    assert str(named["nothing-to-eat-due"].walk("VALARM")[0]["DESCRIPTION"]) == (
        "Bed 4: Tonight: Nothing to eat after midnight"
    )


def test_the_label_names_the_patient_in_spans_and_in_spanish_too(runner: CliRunner) -> None:
    args = ["plan", "--surgery-date", "2026-12-01", "--ics", "-", "--spans", "--patient-label", "Cama 7"]
    result = runner.invoke(app, [*args, "--lang", "es"])
    assert result.exit_code == 0, result.output
    events = by_rule(result.stdout_bytes)
    assert any(rule.endswith("-span") for rule in events)
    assert all(str(event["SUMMARY"]).startswith("Cama 7: ") for event in events.values())
    assert str(events["nothing-to-eat-due"].walk("VALARM")[0]["DESCRIPTION"]).startswith("Cama 7: Esta noche: ")


def test_a_new_follow_up_date_changes_only_what_depends_on_it(shipped: RuleSet) -> None:
    before = events_by_uid(calendar_bytes(shipped, follow_up=date(2027, 1, 5)))
    after = events_by_uid(calendar_bytes(shipped, follow_up=date(2027, 1, 19)))
    assert before.keys() == after.keys()
    changed = sorted(uid.split(".")[0] for uid in before if before[uid].to_ical() != after[uid].to_ical())
    assert changed == ["follow-up-visit-due", "surgery-day", "until-follow-up-ends"]


def test_uids_tell_patients_apart_but_not_regenerations(shipped: RuleSet) -> None:
    first = set(events_by_uid(calendar_bytes(shipped, label="A")))
    assert first == set(events_by_uid(calendar_bytes(shipped, label="A")))
    assert first.isdisjoint(events_by_uid(calendar_bytes(shipped, label="B")))


def test_byte_for_byte_reproducible_across_processes(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"plan-{seed}.ics"
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1795996800", "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "pumpcare", "plan", "--surgery-date", "2026-12-01", "--ics", str(target)],
            env=env,
            check=True,
            capture_output=True,
        )
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    assert b"DTSTAMP:20261130T000000Z" in outputs[0]


@pytest.mark.parametrize("epoch", ["soon", "1.5"])
def test_a_bad_source_date_epoch_is_explained(runner: CliRunner, epoch: str) -> None:
    result = runner.invoke(
        app, ["plan", "--surgery-date", "2026-12-01", "--ics", "-"], env={"SOURCE_DATE_EPOCH": epoch}
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"pumpcare: SOURCE_DATE_EPOCH '{epoch}' is not a whole number of seconds since 1970; fix or unset it\n"
    )


def test_spans_show_each_restriction_on_every_day_it_may_hold(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "spans.ics"
    plan = ["plan", "--surgery-date", "2026-12-01", "--follow-up", "2027-01-05"]
    assert runner.invoke(app, [*plan, "--ics", str(target), "--spans"]).exit_code == 0
    events = events_by_uid(target.read_bytes())
    spans = {uid.split(".")[0]: event for uid, event in events.items() if uid.split(".")[0].endswith("-span")}
    assert sorted(spans) == ["movement-limits-starts-span", "no-driving-starts-span", "until-follow-up-starts-span"]
    driving = spans["no-driving-starts-span"]
    # From surgery to the last day of the 2-4 week window, DTEND exclusive; free time, no alarm.
    assert (driving.decoded("DTSTART"), driving.decoded("DTEND")) == (date(2026, 12, 1), date(2026, 12, 30))
    assert str(driving["TRANSP"]) == "TRANSPARENT"
    assert not driving.walk("VALARM")
    # "Until you have had your follow-up visit" still holds on the day of the visit.
    visit = spans["until-follow-up-starts-span"]
    assert visit.decoded("DTEND") == date(2027, 1, 6)
    # Without --spans the same plan has none, and the other UIDs are the same.
    plain = tmp_path / "plain.ics"
    runner.invoke(app, [*plan, "--ics", str(plain)])
    assert set(events_by_uid(plain.read_bytes())) == set(events) - {uid for uid in events if "-span." in uid}
