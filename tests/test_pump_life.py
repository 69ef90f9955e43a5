"""The pump's whole life: refills to the battery's last day, overdue warnings, the record of what happened."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from pumpcare.cli import app
from pumpcare.durations import Duration
from pumpcare.planning import make_plan
from pumpcare.pumplife import Logged
from pumpcare.quantities import Fill, parse_quantity
from pumpcare.render_day import render_today
from pumpcare.render_ics import render_ics
from pumpcare.rules import RuleSet
from pumpcare.schedule import RefillSchedule
from pumpcare.status import day_status

D = date
SURGERY = D(2026, 12, 1)
STAMP_EPOCH = "1764547200"


def refills(plan: object) -> list[date]:
    return [m.when.earliest for m in plan.milestones if m.repeats]  # type: ignore[attr-defined]


def fill(volume: str, concentration: str, dose: str) -> Fill:
    return Fill(
        parse_quantity(volume, "volume", "v"),
        parse_quantity(concentration, "concentration", "c"),
        parse_quantity(dose, "dose", "d"),
    )


# ── Dates over ten years: refills, replacements, leap days ──────────────────────────────────────────────────

# surgery, interval, first refill, record, the next refill due, the battery window (opens, last day)
TABLE = [
    # Nothing logged: the first refill is due; the battery counts from surgery.
    (D(2026, 12, 1), "12w", D(2027, 1, 26), [], D(2027, 1, 26), (D(2031, 12, 1), D(2033, 12, 1))),
    # A late refill moves every later one: counted from the day it happened.
    (
        D(2026, 12, 1), "12w", D(2027, 1, 26), [Logged("refill", D(2027, 2, 2))],
        D(2027, 4, 27), (D(2031, 12, 1), D(2033, 12, 1)),
    ),
    # Months clamp to the month's end, counted from the last refill: 31 Jan + 1 month is 28 Feb (29 in 2028).
    (D(2027, 1, 3), "1mo", D(2027, 1, 31), [Logged("refill", D(2028, 1, 31))], D(2028, 2, 29), None),
    # Surgery on a leap day: the battery window ends on 28 Feb, seven years on.
    (D(2028, 2, 29), "3mo", D(2028, 5, 29), [], D(2028, 5, 29), (D(2033, 2, 28), D(2035, 2, 28))),
    # A replacement starts the next window from its own day, ten years on from the first surgery.
    (
        D(2026, 12, 1), "12w", D(2027, 1, 26),
        [Logged("replacement", D(2033, 6, 1)), Logged("refill", D(2036, 11, 20))],
        D(2037, 2, 12), (D(2038, 6, 1), D(2040, 6, 1)),
    ),
    # A pump put in after the last refill went in full: the interval counts from the replacement.
    (
        D(2026, 12, 1), "12w", D(2027, 1, 26),
        [Logged("refill", D(2027, 1, 26)), Logged("replacement", D(2027, 3, 1))],
        D(2027, 5, 24), (D(2032, 3, 1), D(2034, 3, 1)),
    ),
    # A replacement on a leap day: the next window closes on 28 Feb. With no refill logged, refills count from
    # the new pump's fill, not from the first pump's first-refill date years before.
    (
        D(2026, 12, 1), "3mo", D(2027, 3, 1), [Logged("replacement", D(2032, 2, 29))],
        D(2032, 5, 29), (D(2037, 2, 28), D(2039, 2, 28)),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("surgery", "every", "first", "history", "due", "battery"), TABLE)
def test_refill_and_battery_dates(
    shipped: RuleSet,
    surgery: date,
    every: str,
    first: date,
    history: list[Logged],
    due: date,
    battery: tuple[date, date] | None,
) -> None:
    from pumpcare.durations import parse_duration

    plan = make_plan(shipped, surgery, refills=RefillSchedule(first, parse_duration(every)), history=history)
    next_due = plan.refill_due()
    assert next_due is not None
    assert next_due.day == due
    window = plan.battery()
    assert window is not None
    if battery is not None:
        assert (window.opens, window.deadline) == battery
    # Every refill is listed to the battery's last day, logged ones first, numbered without a gap.
    assert refills(plan)[-1] <= window.deadline
    keys = [m.key for m in plan.milestones if m.repeats]
    assert keys == [f"reservoir-refill-due-{n}" for n in range(1, len(keys) + 1)]


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        # Each month counts from the refill before, as a logged refill would: 31 Jan, 28 Feb, then the 28th.
        (D(2027, 1, 31), [D(2027, 1, 31), D(2027, 2, 28), D(2027, 3, 28), D(2027, 4, 28)]),
        (D(2027, 3, 31), [D(2027, 3, 31), D(2027, 4, 30), D(2027, 5, 30), D(2027, 6, 30)]),
        (D(2028, 1, 29), [D(2028, 1, 29), D(2028, 2, 29), D(2028, 3, 29), D(2028, 4, 29)]),  # the leap day
        (D(2027, 1, 15), [D(2027, 1, 15), D(2027, 2, 15), D(2027, 3, 15), D(2027, 4, 15)]),
    ],
)
def test_monthly_refills_count_from_the_refill_before(shipped: RuleSet, first: date, expected: list[date]) -> None:
    plan = make_plan(shipped, D(2027, 1, 3), refills=RefillSchedule(first, Duration(1, "months")))
    assert refills(plan)[:4] == expected


def test_a_refill_logged_on_its_day_leaves_the_later_dates_where_they_were(shipped: RuleSet) -> None:
    schedule = RefillSchedule(D(2027, 1, 31), Duration(1, "months"))
    before = refills(make_plan(shipped, D(2027, 1, 3), refills=schedule))
    logged = (Logged("refill", before[0]), Logged("refill", before[1]))
    after = refills(make_plan(shipped, D(2027, 1, 3), refills=schedule, history=logged))
    assert after == before
    assert after[-1] == D(2033, 12, 28)


# ── The care team's numbers ─────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("concentration", "dose", "days", "alarm_day"),
    [("2mg/mL", "0.5mg/day", 72, "2027-02-11"), ("500mcg/mL", "100mcg/day", 90, "2027-03-01")],
)
def test_the_alarm_date_from_the_programmer_numbers(
    runner: CliRunner, concentration: str, dose: str, days: int, alarm_day: str
) -> None:
    args = ["plan", "--surgery-date", "2026-12-01", "--fill-volume", "20mL", "--concentration", concentration]
    result = runner.invoke(app, [*args, "--daily-dose", dose, "--alarm-volume", "2mL", "--json"])
    assert result.exit_code == 0, result.output
    refill = json.loads(result.stdout)["next_refill"]
    assert (refill["alarm_days"], refill["alarm_date"], refill["due_date"], refill["basis"]) == (
        days,
        alarm_day,
        alarm_day,
        "alarm",
    )
    daily = "0.25" if concentration == "2mg/mL" else "0.2"
    assert refill["explanation"].startswith(f"20 mL at {daily} mL a day reaches the 2 mL alarm on ")
    assert refill["explanation"].endswith("ask your pump clinic if they have changed.")


def test_the_earlier_of_the_interval_and_the_alarm_wins(runner: CliRunner) -> None:
    args = ["plan", "--surgery-date", "2026-12-01", "--refill-every", "12w", "--first-refill", "2027-03-01"]
    numbers = ["--fill-volume", "20mL", "--concentration", "2mg/mL", "--daily-dose", "0.5mg/day"]
    document = json.loads(runner.invoke(app, [*args, *numbers, "--alarm-volume", "2mL", "--json"]).stdout)
    assert (document["next_refill"]["due_date"], document["next_refill"]["basis"]) == ("2027-02-11", "alarm")


def test_the_care_teams_date_replaces_the_computed_one(runner: CliRunner) -> None:
    args = ["plan", "--surgery-date", "2026-12-01", "--refill-every", "12w", "--first-refill", "2027-01-26"]
    document = json.loads(runner.invoke(app, [*args, "--next-refill", "2027-01-20", "--json"]).stdout)
    assert (document["next_refill"]["due_date"], document["next_refill"]["basis"]) == ("2027-01-20", "care-team")


def test_a_drug_limit_dates_refills_and_warns_about_a_longer_interval(shipped: RuleSet) -> None:
    drugs = [drug for drug in shipped.drugs.values() if drug.refill_within is not None]
    if not drugs:
        pytest.skip("the shipped rule file cites no drug with a refill limit")
    drug = drugs[0]
    plan = make_plan(shipped, SURGERY, refills=RefillSchedule(D(2027, 6, 1), Duration(26, "weeks")), drug=drug.id)
    due = plan.refill_due()
    assert due is not None
    limit = drug.first_fill or drug.refill_within
    assert limit is not None
    assert (due.day, due.basis) == (limit.after(SURGERY), "drug-limit")
    assert any("is longer than the" in warning and drug.name in warning for warning in plan.warnings)


# ── today and next: never silent about refills and the battery ──────────────────────────────────────────────

plans = st.fixed_dictionaries(
    {
        "surgery": st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31)),
        "first": st.integers(min_value=1, max_value=200),
        "every": st.builds(Duration, st.integers(min_value=2, max_value=26), st.sampled_from(["weeks", "months"])),
        "gaps": st.lists(st.integers(min_value=1, max_value=400), max_size=6),
        "replaced": st.none() | st.integers(min_value=30, max_value=2500),
        "day": st.integers(min_value=0, max_value=2600),
    }
)


@settings(max_examples=120, deadline=None)
@given(spec=plans)
def test_every_day_to_the_battery_deadline_shows_the_next_refill_or_that_it_is_overdue(
    shipped: RuleSet, spec: dict[str, object]
) -> None:
    surgery = spec["surgery"]
    assert isinstance(surgery, date)
    history: list[Logged] = []
    day = surgery
    for gap in spec["gaps"]:  # type: ignore[attr-defined]
        day += timedelta(days=gap)
        history.append(Logged("refill", day))
    if isinstance(spec["replaced"], int):
        history.append(Logged("replacement", surgery + timedelta(days=spec["replaced"])))
    every = spec["every"]
    assert isinstance(every, Duration)
    first = surgery + timedelta(days=spec["first"])  # type: ignore[operator]
    plan = make_plan(shipped, surgery, refills=RefillSchedule(first, every), history=history)
    battery = plan.battery()
    assert battery is not None
    today = surgery + timedelta(days=spec["day"])  # type: ignore[operator]
    if today > battery.deadline:
        today = battery.deadline
    status = day_status(plan, today)
    assert status.refill is not None
    assert status.refill.due is not None
    console = Console(record=True, width=100, color_system=None)
    console.print(render_today(plan, status))
    text = console.export_text()
    if status.refill.overdue:
        assert text.startswith("! OVERDUE: the pump refill was due on")
    else:
        assert status.refill.days_away >= 0
        assert "Refill due " in text


def test_without_a_schedule_today_says_how_to_enter_refill_dates(runner: CliRunner) -> None:
    result = runner.invoke(app, ["today", "--surgery-date", "2026-12-01", "--date", "2027-02-01"])
    assert "Refill dates: your care team sets them." in " ".join(result.stdout.split())
    result = runner.invoke(app, ["next", "--surgery-date", "2026-12-01", "--date", "2027-02-01", "--json"])
    assert json.loads(result.stdout)["refill"]["scheduled"] is False


def test_the_battery_is_overdue_after_its_last_day_until_a_replacement_is_logged(shipped: RuleSet) -> None:
    plan = make_plan(shipped, SURGERY)
    assert day_status(plan, D(2033, 12, 1)).alerts == ()
    assert day_status(plan, D(2033, 12, 2)).alerts == ("battery",)
    replaced = make_plan(shipped, SURGERY, history=[Logged("replacement", D(2033, 12, 20))])
    assert day_status(replaced, D(2033, 12, 19)).alerts == ("battery",)
    assert day_status(replaced, D(2033, 12, 20)).alerts == ()
    battery = replaced.battery()
    assert battery is not None
    assert (battery.opens, battery.deadline) == (D(2038, 12, 20), D(2040, 12, 20))


def test_today_leads_with_overdue_in_words(runner: CliRunner) -> None:
    args = ["today", "--surgery-date", "2026-12-01", "--refill-every", "12w", "--first-refill", "2027-01-26"]
    result = runner.invoke(app, [*args, "--date", "2027-01-28"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "! OVERDUE: the pump refill was due on Tue 26 Jan 2027, 2 days ago, and no refill is recorded.",
        "! Call your pump clinic today to have the pump refilled.",
        "! When it is done, record it with `pumpcare log refill`.",
    ]
    day_before = runner.invoke(app, [*args, "--date", "2027-01-25"], env={"COLUMNS": "200"}).stdout
    assert "Refill due tomorrow, Tue 26 Jan 2027." in day_before
    on_the_day = runner.invoke(app, [*args, "--date", "2027-01-26"], env={"COLUMNS": "200"}).stdout
    assert "Refill due today, Tue 26 Jan 2027." in on_the_day


# ── The calendar to the battery's last day ─────────────────────────────────────────────────────────────────


def test_the_calendar_expands_to_every_refill_and_the_battery_deadline(shipped: RuleSet) -> None:
    from datetime import datetime, timezone

    plan = make_plan(shipped, SURGERY, refills=RefillSchedule(D(2027, 1, 26), Duration(12, "weeks")))
    data = render_ics(plan, stamp=datetime(2026, 11, 24, tzinfo=timezone.utc))
    calendar = icalendar.Calendar.from_ical(data)
    battery = plan.battery()
    assert battery is not None
    events = recurring_ical_events.of(calendar).between(SURGERY, battery.deadline + timedelta(days=1))
    refill_days = sorted(e.decoded("DTSTART") for e in events if str(e["SUMMARY"]) == "Pump refill visit")
    assert refill_days == refills(plan)
    assert refill_days[-1] == D(2033, 9, 27)
    [deadline] = [e for e in events if str(e["UID"]).startswith("battery-replacement-deadline.")]
    assert deadline.decoded("DTSTART") == D(2033, 12, 1)
    assert str(deadline["SUMMARY"]) == "The pump must be replaced by 1 Dec 2033"
    assert deadline.walk("VALARM")
    refill = next(e for e in events if str(e["SUMMARY"]) == "Pump refill visit")
    assert "Refills go on every 12 weeks for as long as you have the pump." in str(refill["DESCRIPTION"])


def test_uids_stay_put_when_a_refill_is_logged(runner: CliRunner, tmp_path: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": STAMP_EPOCH}
    plan = ["--surgery-date", "2025-12-01", "--refill-every", "12w", "--first-refill", "2026-01-26"]
    assert runner.invoke(app, ["plan", *plan, "--save"]).exit_code == 0
    before = uids(runner.invoke(app, ["plan", "--ics", "-"], env=env).stdout_bytes)
    assert runner.invoke(app, ["log", "refill", "--date", "2026-01-29"]).exit_code == 0
    after = uids(runner.invoke(app, ["plan", "--ics", "-"], env=env).stdout_bytes)
    # The same visit keeps its UID with its new date: a re-import updates the events instead of adding copies.
    assert after["reservoir-refill-due-1"] == ("2026-01-29", "Pump refill visit (done)")
    assert before["reservoir-refill-due-2"] == ("2026-04-20", "Pump refill visit")
    assert after["reservoir-refill-due-2"] == ("2026-04-23", "Pump refill visit")
    assert set(before) - {key for key in before if key.startswith("reservoir-refill-due")} == set(after) - {
        key for key in after if key.startswith("reservoir-refill-due")
    }
    assert len(after) == len(set(after))


def uids(data: bytes) -> dict[str, tuple[str, str]]:
    calendar = icalendar.Calendar.from_ical(data)
    return {
        str(e["UID"]).split(".")[0]: (e.decoded("DTSTART").isoformat(), str(e["SUMMARY"]))
        for e in calendar.walk("VEVENT")
    }


# ── The record: log, history, undo ──────────────────────────────────────────────────────────────────────────

SAVED = ["plan", "--surgery-date", "2025-12-01", "--refill-every", "12w", "--first-refill", "2026-01-26", "--save"]


def test_log_history_and_undo(runner: CliRunner, config_dir: Path) -> None:
    assert runner.invoke(app, SAVED).exit_code == 0
    follow = runner.invoke(app, ["log", "follow-up", "--date", "2026-01-06"])
    assert follow.exit_code == 0, follow.output
    assert follow.stderr.startswith("Recorded: follow-up visit on Tue 6 Jan 2026.\n")
    refill = runner.invoke(app, ["log", "refill", "--date", "2026-01-26"])
    assert refill.stderr.startswith("Recorded: pump refill on Mon 26 Jan 2026.\n")
    history = runner.invoke(app, ["history"], env={"COLUMNS": "100"})
    assert history.stdout.splitlines()[1:3] == [
        "  • Follow-up visit on Tue 6 Jan 2026.",
        "  • Pump refill on Mon 26 Jan 2026.",
    ]
    # The logged visit ends what waited for it, as if --follow-up had been given.
    document = json.loads(runner.invoke(app, ["plan", "--json"]).stdout)
    assert document["follow_up_date"] == "2026-01-06"
    assert document["next_refill"]["due_date"] == "2026-04-20"
    undo = runner.invoke(app, ["log", "undo"])
    assert (undo.exit_code, undo.stderr) == (0, "Took back: pump refill on Mon 26 Jan 2026.\n")
    assert json.loads(runner.invoke(app, ["history", "--json"]).stdout)["history"] == [
        {"event": "follow-up", "date": "2026-01-06", "fill_volume": None, "concentration": None, "daily_dose": None}
    ]


def test_recomputing_and_resaving_never_lose_an_entry(runner: CliRunner, config_dir: Path) -> None:
    runner.invoke(app, SAVED)
    runner.invoke(app, ["log", "refill", "--date", "2026-01-27"])
    # Re-saving with the same surgery date changes only what is given.
    resaved = runner.invoke(app, ["plan", "--surgery-date", "2025-12-01", "--set", "no-driving=6w", "--save"])
    assert resaved.exit_code == 0, resaved.output
    document = json.loads(runner.invoke(app, ["plan", "--json"]).stdout)
    assert [entry["date"] for entry in document["history"]] == ["2026-01-27"]
    assert document["refills"] == {"first": "2026-01-26", "every": "12w"}
    assert document["overrides"] == [{"rule_id": "no-driving", "earliest": "6w", "latest": "6w"}]


def test_a_new_surgery_date_replaces_the_record_only_when_asked(runner: CliRunner, config_dir: Path) -> None:
    runner.invoke(app, SAVED)
    runner.invoke(app, ["log", "refill", "--date", "2026-01-27"])
    before = (config_dir / "plan.yaml").read_bytes()
    refused = runner.invoke(app, ["plan", "--surgery-date", "2026-03-01", "--save"])
    assert (refused.exit_code, refused.stderr) == (
        1,
        "pumpcare: kept the saved plan for surgery on 2025-12-01; to replace it, add --yes "
        "(its follow-up date, refills, orders and history go with it)\n",
    )
    assert (config_dir / "plan.yaml").read_bytes() == before
    replaced = runner.invoke(app, ["plan", "--surgery-date", "2026-03-01", "--save", "--yes"])
    assert replaced.exit_code == 0
    assert json.loads(runner.invoke(app, ["plan", "--json"]).stdout)["history"] == []


def test_the_programmer_numbers_logged_with_a_refill_date_the_next(runner: CliRunner) -> None:
    runner.invoke(app, [*SAVED[:-1], "--alarm-volume", "2mL", "--save"])
    numbers = ["--fill-volume", "20mL", "--concentration", "500mcg/mL", "--daily-dose", "100mcg/day"]
    logged = runner.invoke(app, ["log", "refill", "--date", "2026-01-26", *numbers])
    assert logged.exit_code == 0, logged.output
    refill = json.loads(runner.invoke(app, ["plan", "--json"]).stdout)["next_refill"]
    # 12 weeks after 26 Jan is 20 Apr; the 90 days of the numbers run to 26 Apr: the earlier wins.
    assert (refill["due_date"], refill["alarm_date"], refill["basis"]) == ("2026-04-20", "2026-04-26", "interval")


def test_the_printout_date_belongs_to_the_latest_refill(runner: CliRunner, config_dir: Path) -> None:
    assert runner.invoke(app, SAVED).exit_code == 0
    logged = runner.invoke(app, ["log", "refill", "--date", "2026-03-02", "--next-refill", "2026-05-20"])
    assert logged.exit_code == 0, logged.output

    def due(*extra: str) -> tuple[str, str]:
        refill = json.loads(runner.invoke(app, ["plan", "--json", *extra]).stdout)["next_refill"]
        return refill["due_date"], refill["basis"]

    # A refill found later on paper, older than the latest, leaves the printout's date in place.
    assert runner.invoke(app, ["log", "refill", "--date", "2026-01-26"]).exit_code == 0
    assert due() == ("2026-05-20", "care-team")
    refused = runner.invoke(app, ["log", "refill", "--date", "2026-02-01", "--next-refill", "2026-06-01"])
    assert (refused.exit_code, refused.stderr) == (
        1,
        "pumpcare: --next-refill belongs to the latest refill, and 2026-02-01 is before the one on 2026-03-02; "
        "log this refill without it\n",
    )
    assert len(json.loads(runner.invoke(app, ["history", "--json"]).stdout)["history"]) == 2
    # Looked at from a day before the latest refill, the date printed at that refill does not apply yet:
    # the next refill then was twelve weeks after the one on 26 Jan.
    before = runner.invoke(app, ["today", "--date", "2026-02-20", "--json"])
    assert json.loads(before.stdout)["refill"]["due_date"] == "2026-04-20"


def test_taking_back_a_refill_brings_back_the_printout_date_it_replaced(runner: CliRunner, config_dir: Path) -> None:
    assert runner.invoke(app, [*SAVED[:-1], "--next-refill", "2026-01-20", "--save"]).exit_code == 0

    def due() -> tuple[str, str]:
        refill = json.loads(runner.invoke(app, ["plan", "--json"]).stdout)["next_refill"]
        return refill["due_date"], refill["basis"]

    assert due() == ("2026-01-20", "care-team")
    for printout, expected in (
        (["--next-refill", "2026-04-10"], ("2026-04-10", "care-team")),
        ([], ("2026-04-13", "interval")),
    ):
        assert runner.invoke(app, ["log", "refill", "--date", "2026-01-19", *printout]).exit_code == 0
        assert due() == expected
        # The record keeps the date the refill replaced, so it survives a restart, not just this process.
        assert "replaced_next_refill: '2026-01-20'" in (config_dir / "plan.yaml").read_text(encoding="utf-8")
        assert runner.invoke(app, ["log", "undo"]).exit_code == 0
        assert due() == ("2026-01-20", "care-team")
    # Taking back an older refill logged late leaves the latest refill's date alone.
    assert runner.invoke(app, ["log", "refill", "--date", "2026-01-19", "--next-refill", "2026-04-10"]).exit_code == 0
    assert runner.invoke(app, ["log", "refill", "--date", "2026-01-05"]).exit_code == 0
    assert runner.invoke(app, ["log", "undo"]).exit_code == 0
    assert due() == ("2026-04-10", "care-team")


def test_the_printout_date_in_force_on_a_past_day_and_after_a_replacement(runner: CliRunner, config_dir: Path) -> None:
    assert runner.invoke(app, [*SAVED[:-1], "--next-refill", "2026-01-20", "--save"]).exit_code == 0
    assert runner.invoke(app, ["log", "refill", "--date", "2026-03-02", "--next-refill", "2026-05-20"]).exit_code == 0

    def seen_on(day: str) -> tuple[str, str, bool]:
        refill = json.loads(runner.invoke(app, ["today", "--date", day, "--json"]).stdout)["refill"]
        return refill["due_date"], refill["basis"], refill["overdue"]

    # On 22 Jan the care team's date then, 20 Jan, had passed: the refill was overdue, and still shows so.
    assert seen_on("2026-01-22") == ("2026-01-20", "care-team", True)
    assert seen_on("2026-04-05") == ("2026-05-20", "care-team", False)
    # A new pump goes in full on 1 Jun: a date printed for the old one, 20 May, no longer applies.
    assert runner.invoke(app, ["log", "replacement", "--date", "2026-06-01"]).exit_code == 0
    assert seen_on("2026-06-05") == ("2026-08-24", "interval", False)
    assert seen_on("2026-04-05") == ("2026-05-20", "care-team", False)
    # A printout date on or before its own refill is a typo; the record is left as it was.
    before = (config_dir / "plan.yaml").read_bytes()
    typo = runner.invoke(app, ["log", "refill", "--date", "2026-07-01", "--next-refill", "2026-07-01"])
    assert (typo.exit_code, typo.stderr) == (
        1,
        "pumpcare: --next-refill 2026-07-01 is not after the refill on 2026-07-01; give the next date from the "
        "printout\n",
    )
    assert (config_dir / "plan.yaml").read_bytes() == before


def tomorrow() -> str:
    return (date.today() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["log", "refill", "--date", "2025-11-30"], "--date 2025-11-30 is before the surgery on 2025-12-01; "
         "give the day the refill happened"),
        (["log", "replacement", "--date", "2025-12-01"], "--date 2025-12-01 is the surgery day on 2025-12-01; "
         "give the day the replacement happened"),
        (["log", "undo"], "the saved plan has no logged event to take back; `pumpcare history` lists what it has"),
        (["log", "refill", "--fill-volume", "20mg"], "--fill-volume '20mg' is not a volume; write it like 20mL"),
        (["log", "refill", "--fill-volume", "20mL", "--concentration", "2mg/mL", "--daily-dose", "0mg/day"],
         "--daily-dose 0mg/day is not more than zero; give the number on the care team's printout"),
        (["log", "refill", "--fill-volume", "20mL", "--concentration", "2mg/mL", "--daily-dose", "-1mg/day"],
         "--daily-dose -1mg/day is not more than zero; give the number on the care team's printout"),
        (["log", "refill", "--fill-volume", "20mL", "--concentration", "2mg/mL", "--daily-dose", "1234567mg/day"],
         "--daily-dose 1234567mg/day is out of range; check the number on the care team's printout"),
        (["log", "refill", "--fill-volume", "20mL"], "the refill date from the pump's numbers needs --fill-volume, "
         "--concentration and --daily-dose together"),
        (["plan", "--fill-volume", "20mL", "--concentration", "2mg/mL", "--daily-dose", "50mg/day",
          "--alarm-volume", "2mL"],
         "50mg/day at 2mg/mL would use 25 mL a day and reach the alarm in under a day; check the dose, the "
         "concentration and their units"),
        (["plan", "--concentration", "2mg", "--fill-volume", "20mL", "--daily-dose", "1mg/day"],
         "--concentration '2mg' is not a concentration; write it like 2mg/mL or 500mcg/mL"),
        (["plan", "--next-refill", "2026-01-01", "--surgery-date", "2025-12-01"],
         "next refill date 2026-01-01 is not after the last recorded refill on 2026-01-27; check the date"),
        (["plan", "--drug", "aspirin"],
         "there is no drug 'aspirin' in the rule file; use one it lists ({drugs}), or leave out --drug"),
    ],
)  # fmt: skip
def test_bad_record_input_is_refused_and_changes_nothing(
    runner: CliRunner, config_dir: Path, shipped: RuleSet, command: list[str], message: str
) -> None:
    runner.invoke(app, SAVED)
    if command != ["log", "undo"]:
        runner.invoke(app, ["log", "refill", "--date", "2026-01-27"])
    before = (config_dir / "plan.yaml").read_bytes()
    result = runner.invoke(app, command)
    expected = message.replace("{drugs}", ", ".join(shipped.drugs) or "none")
    assert (result.exit_code, result.stdout, result.stderr.replace(_saved_note(config_dir), "")) == (
        1,
        "",
        f"pumpcare: {expected}\n",
    ), result.stderr
    assert (config_dir / "plan.yaml").read_bytes() == before


def _saved_note(config_dir: Path) -> str:
    return (
        f" (part of this plan comes from the saved plan at {config_dir / 'plan.yaml'}; give the right value with "
        "`pumpcare plan ... --save`)"
    )


def test_a_future_day_is_refused(runner: CliRunner, config_dir: Path) -> None:
    runner.invoke(app, SAVED)
    before = (config_dir / "plan.yaml").read_bytes()
    result = runner.invoke(app, ["log", "refill", "--date", tomorrow()])
    assert result.exit_code == 1
    assert result.stderr == (
        f"pumpcare: --date {tomorrow()} is in the future; log what has happened, on or before today "
        f"({date.today().isoformat()})\n"
    )
    assert (config_dir / "plan.yaml").read_bytes() == before


def test_logging_needs_a_saved_plan(runner: CliRunner, config_dir: Path) -> None:
    result = runner.invoke(app, ["log", "refill", "--date", "2026-01-27"])
    assert (result.exit_code, result.stderr) == (
        1,
        f"pumpcare: there is no saved plan at {config_dir / 'plan.yaml'} to add to; save one first with "
        "`pumpcare plan --surgery-date YYYY-MM-DD --save`\n",
    )
    assert not (config_dir / "plan.yaml").exists()


def test_the_record_keeps_the_programmer_numbers_exactly(runner: CliRunner, config_dir: Path) -> None:
    runner.invoke(app, [*SAVED[:-1], "--alarm-volume", "1.5mL", "--save"])
    numbers = ["--fill-volume", "19.9999mL", "--concentration", "0.0005mg/mL", "--daily-dose", "0.0001mg/day"]
    assert runner.invoke(app, ["log", "refill", "--date", "2026-01-26", *numbers]).exit_code == 0
    history = json.loads(runner.invoke(app, ["history", "--json"]).stdout)["history"]
    assert history == [
        {
            "event": "refill",
            "date": "2026-01-26",
            "fill_volume": "19.9999mL",
            "concentration": "0.0005mg/mL",
            "daily_dose": "0.0001mg/day",
        }
    ]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        # A day past the calendar's years is after today too: the record is broken, and says which entry.
        ("- {event: refill, date: '9999-12-01'}", "the saved plan's history entry 1 (refill on 9999-12-01) is after "
         "today ({today}); fix it, or delete it with `pumpcare forget` (the file: {path})"),
        ("- {event: replacement, date: '2025-06-01'}", "the recorded replacement on 2025-06-01 is not after the "
         "surgery on 2025-12-01; check the record (the saved plan at {path} gave part of this plan; fix it or run "
         "`pumpcare forget`)"),
    ],
)  # fmt: skip
def test_a_hand_edited_history_out_of_bounds_is_a_sentence(
    runner: CliRunner, config_dir: Path, edit: str, message: str
) -> None:
    runner.invoke(app, SAVED)
    path = config_dir / "plan.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("history: []", f"history:\n{edit}"), encoding="utf-8")
    result = runner.invoke(app, ["today", "--date", "2026-02-01"])
    expected = message.format(path=path, today=date.today())
    assert (result.exit_code, result.stderr) == (1, f"pumpcare: {expected}\n")


def test_numbers_that_would_last_over_a_century_are_refused(runner: CliRunner) -> None:
    numbers = ["--fill-volume", "999999mL", "--concentration", "999999mg/mL", "--daily-dose", "0.0001mcg/day"]
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", *numbers, "--alarm-volume", "1mL"])
    assert result.exit_code == 1
    assert result.stderr.endswith("days, more than a century; check the dose, the concentration and their units\n")


def test_only_a_refill_can_carry_the_date_it_replaced(runner: CliRunner, config_dir: Path) -> None:
    runner.invoke(app, SAVED)
    path = config_dir / "plan.yaml"
    edit = "history:\n- {event: replacement, date: '2026-06-01', replaced_next_refill: '2026-07-01'}"
    path.write_text(path.read_text(encoding="utf-8").replace("history: []", edit), encoding="utf-8")
    result = runner.invoke(app, ["today"])
    assert (result.exit_code, result.stderr) == (
        1,
        "pumpcare: the saved plan's history entry 1 has replaced_next_refill, which only a refill can have; fix it "
        f"in a text editor, or delete it with `pumpcare forget` (the file: {path})\n",
    )


def test_undo_drops_a_hand_edited_replaced_date_that_no_longer_fits(runner: CliRunner, config_dir: Path) -> None:
    runner.invoke(app, SAVED)
    path = config_dir / "plan.yaml"
    edit = "history:\n- {event: refill, date: '2026-03-02', replaced_next_refill: '1950-01-01'}"
    path.write_text(path.read_text(encoding="utf-8").replace("history: []", edit), encoding="utf-8")
    assert runner.invoke(app, ["log", "undo"]).exit_code == 0
    # The plan stays usable: the first refill is the care team's first-refill date again.
    refill = json.loads(runner.invoke(app, ["plan", "--json"]).stdout)["next_refill"]
    assert (refill["due_date"], refill["basis"]) == ("2026-01-26", "first")
