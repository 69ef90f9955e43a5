"""Every projected refill keeps to the shortest of the interval, the pump numbers' alarm days and the drug's label.

The cases are the ones a clinical reviewer found spaced by the interval alone: ziconotide diluted and undiluted
(the label's 40 and 84 days), baclofen with the care team's numbers, and numbers with a longer interval. Each
surface that lists refills is read back (the scheduler over ten years, JSON, the calendar, the CarePlan, the
timeline, the sheet) and every gap is checked against the limits worked out here from the inputs alone.
"""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pumpcare.cli import app
from pumpcare.durations import Duration
from pumpcare.planning import make_plan
from pumpcare.pumplife import Logged
from pumpcare.quantities import Fill, parse_quantity
from pumpcare.rules import RuleSet
from pumpcare.schedule import RefillSchedule

SURGERY = date(2026, 12, 1)
NUMBERS = ["--fill-volume", "20mL", "--concentration", "2mg/mL", "--daily-dose", "0.5mg/day", "--alarm-volume", "2mL"]
ALARM_DAYS = 72  # (20 mL - 2 mL) / (0.5 mg a day / 2 mg per mL) = 72 days, worked out by hand
# (case id, options, longest gap in days between later refills, what the plan must say sets it)
CASES = [
    ("ziconotide-diluted", ["--drug", "ziconotide-diluted", "--refill-every", "12w", "--first-refill", "2027-01-26"],
     40, "drug-limit"),
    ("ziconotide-undiluted", ["--drug", "ziconotide-undiluted", "--refill-every", "16w", "--first-refill",
                              "2027-01-26"], 84, "drug-limit"),
    ("baclofen-numbers", ["--drug", "baclofen", *NUMBERS], ALARM_DAYS, "alarm"),
    ("numbers-longer-interval", [*NUMBERS, "--refill-every", "12w", "--first-refill", "2027-01-26"], ALARM_DAYS,
     "alarm"),
]  # fmt: skip
IDS = [case[0] for case in CASES]
PLAN = ["plan", "--surgery-date", SURGERY.isoformat(), "--date", "2026-12-04"]


def gaps(days: list[date]) -> list[int]:
    return [(later - earlier).days for earlier, later in itertools.pairwise(days)]


def assert_spaced(days: list[date], longest: int) -> None:
    assert len(days) > 20, days  # to the battery's last day, years of refills
    assert days == sorted(days)
    assert max(gaps(days)) <= longest, gaps(days)
    assert max(gaps(days[1:])) == longest  # the gap is the limit itself, not something shorter by mistake


def plan_json(runner: CliRunner, options: list[str]) -> dict[str, object]:
    result = runner.invoke(app, [*PLAN, *options, "--json"])
    assert result.exit_code == 0, result.stderr
    document: dict[str, object] = json.loads(result.stdout)
    return document


@pytest.mark.parametrize(("options", "longest", "basis"), [case[1:] for case in CASES], ids=IDS)
def test_the_json_refills_keep_to_the_shortest_limit(
    runner: CliRunner, options: list[str], longest: int, basis: str
) -> None:
    document = plan_json(runner, options)
    milestones = document["milestones"]
    assert isinstance(milestones, list)
    days = [date.fromisoformat(m["earliest"]) for m in milestones if m["key"].startswith("reservoir-refill-due")]
    assert_spaced(days, longest)
    next_refill = document["next_refill"]
    assert isinstance(next_refill, dict)
    assert (next_refill["then_every"], next_refill["then_basis"]) == (f"{longest}d", basis)


@pytest.mark.parametrize(("options", "longest"), [case[1:3] for case in CASES], ids=IDS)
def test_the_calendar_refills_keep_to_the_shortest_limit(
    runner: CliRunner, tmp_path: Path, options: list[str], longest: int
) -> None:
    out = tmp_path / "plan.ics"
    assert runner.invoke(app, [*PLAN, *options, "--ics", str(out)]).exit_code == 0
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    days = sorted(
        event.decoded("dtstart") for event in calendar.walk("VEVENT") if "reservoir-refill-due" in str(event["uid"])
    )
    assert_spaced(days, longest)
    texts = [str(event["description"]) for event in calendar.walk("VEVENT") if "refill-due" in str(event["uid"])]
    assert all(f"Refills go on every {longest} days for as long as you have the pump." in text for text in texts)


@pytest.mark.parametrize(("options", "longest"), [case[1:3] for case in CASES], ids=IDS)
def test_the_careplan_refills_keep_to_the_shortest_limit(
    runner: CliRunner, tmp_path: Path, options: list[str], longest: int
) -> None:
    out = tmp_path / "plan.fhir.json"
    assert runner.invoke(app, [*PLAN, *options, "--fhir", str(out), "--patient-label", "Bed 4"]).exit_code == 0
    careplan = json.loads(out.read_text(encoding="utf-8"))
    timings = [
        activity["detail"]["scheduledTiming"]
        for activity in careplan["activity"]
        if activity["id"].startswith("reservoir-refill-due-")
    ]
    days = sorted(date.fromisoformat(timing["event"][0]) for timing in timings)
    assert_spaced(days, longest)
    said = {json.dumps(timing["extension"][0]["valueDuration"], sort_keys=True) for timing in timings}
    assert said == {json.dumps({"code": "d", "system": "http://unitsofmeasure.org", "unit": "days",
                                "value": longest}, sort_keys=True)}  # fmt: skip


def timeline(runner: CliRunner, options: list[str]) -> str:
    """The timeline's words with its line breaks undone."""
    return " ".join(runner.invoke(app, [*PLAN, *options]).stdout.split())


@pytest.mark.parametrize(("options", "longest"), [case[1:3] for case in CASES], ids=IDS)
def test_the_timeline_and_the_sheet_name_the_real_spacing(
    runner: CliRunner, tmp_path: Path, options: list[str], longest: int
) -> None:
    words = timeline(runner, options)
    assert f"Refills go on every {longest} days for as long as you have the pump." in words
    assert f"more refill visits, every {longest} days, to " in words
    sheet = tmp_path / "sheet.html"
    assert runner.invoke(app, ["handout", *PLAN[1:], *options, "--out", str(sheet)]).exit_code == 0
    assert f", then every {longest} days" in sheet.read_text(encoding="utf-8")


def test_the_reason_is_said_beside_the_spacing(runner: CliRunner) -> None:
    drug = plan_json(runner, CASES[0][1])["next_refill"]
    numbers = plan_json(runner, CASES[3][1])["next_refill"]
    assert (
        "Refills go on every 40 days for as long as you have the pump. That is the most the label of ziconotide "
        "(Prialt), diluted allows between refills. It is sooner than the 12 weeks your care team set; ask your "
        "pump clinic."
    ) in timeline(runner, CASES[0][1])
    assert isinstance(drug, dict)
    assert isinstance(numbers, dict)
    assert (drug["then_basis"], numbers["then_basis"]) == ("drug-limit", "alarm")
    assert (
        "Refills go on every 72 days for as long as you have the pump. That is how long each fill lasts until the "
        "low-reservoir alarm. It is sooner than the 12 weeks your care team set; ask your pump clinic."
    ) in timeline(runner, CASES[3][1])


def test_the_warning_and_the_plan_agree(runner: CliRunner) -> None:
    result = runner.invoke(app, [*PLAN, *CASES[3][1], "--json"])
    assert result.stderr == (
        "pumpcare: warning: refills every 12 weeks is longer than the 72 days 20mL lasts until the 2mL alarm; the "
        "plan dates every refill by the earlier day, ask your pump clinic\n"
    )
    days = [m["earliest"] for m in json.loads(result.stdout)["milestones"] if m["key"].startswith("reservoir-refill")]
    # The first refill is the care team's date (before the alarm), and every later one is the earlier day: 72 days.
    assert days[:3] == ["2027-01-26", "2027-04-08", "2027-06-19"]


# ── The scheduler over ten years, and the numbers carried forward ─────────────────────────────────────────────


def fill(volume: str, concentration: str, dose: str) -> Fill:
    return Fill(
        parse_quantity(volume, "volume", "v"),
        parse_quantity(concentration, "concentration", "c"),
        parse_quantity(dose, "dose", "d"),
    )


def refill_days(plan: object) -> list[date]:
    return [m.when.earliest for m in plan.milestones if m.repeats]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("drug", "every", "numbers", "longest"),
    [
        ("ziconotide-diluted", Duration(12, "weeks"), None, 40),
        ("ziconotide-undiluted", Duration(4, "months"), None, 84),
        ("baclofen", None, fill("20mL", "2mg/mL", "0.5mg/day"), 72),
        (None, Duration(16, "weeks"), fill("20mL", "2mg/mL", "0.5mg/day"), 72),
        (None, Duration(3, "months"), fill("40mL", "1mg/mL", "0.3mg/day"), 92),  # months win: 3 months < 126 days
    ],
)
def test_ten_years_of_refills_keep_to_the_shortest_limit(
    shipped: RuleSet, drug: str | None, every: Duration | None, numbers: Fill | None, longest: int
) -> None:
    refills = RefillSchedule(date(2027, 1, 26), every) if every is not None else None
    alarm = parse_quantity("2mL", "volume", "a") if numbers is not None else None
    plan = make_plan(
        shipped, SURGERY, refills=refills, fill=numbers, alarm_volume=alarm, drug=drug, list_until=date(2036, 12, 1)
    )
    days = refill_days(plan)
    assert days[-1] > date(2036, 8, 15)  # ten years of them
    assert max(gaps(days)) <= longest


def test_numbers_logged_with_a_refill_carry_forward_until_cleared(shipped: RuleSet) -> None:
    alarm = parse_quantity("2mL", "volume", "a")
    schedule = RefillSchedule(date(2027, 1, 26), Duration(16, "weeks"))
    logged = Logged("refill", date(2027, 1, 26), fill("20mL", "2mg/mL", "0.5mg/day"))
    carried = make_plan(shipped, SURGERY, refills=schedule, alarm_volume=alarm, history=(logged,))
    assert set(gaps(refill_days(carried)[1:])) == {72}
    due = carried.refill_due()
    assert due is not None
    assert due.numbers is not None
    assert due.numbers.since == date(2027, 1, 26)
    # A later refill logged without numbers keeps them; one that clears them leaves the interval alone.
    later = Logged("refill", date(2027, 4, 8))
    kept = make_plan(shipped, SURGERY, refills=schedule, alarm_volume=alarm, history=(logged, later))
    assert set(gaps(refill_days(kept)[2:])) == {72}
    cleared = make_plan(
        shipped, SURGERY, refills=schedule, alarm_volume=alarm, history=(logged, later._replace(numbers_cleared=True))
    )
    assert set(gaps(refill_days(cleared)[2:])) == {112}


@settings(max_examples=60, deadline=None)
@given(
    first=st.dates(date(2026, 12, 2), date(2027, 12, 31)),
    every=st.sampled_from([Duration(4, "weeks"), Duration(1, "months"), Duration(3, "months"), Duration(90, "days")]),
    drug=st.sampled_from([None, "ziconotide-diluted", "ziconotide-undiluted", "baclofen"]),
    dose=st.sampled_from([None, "0.5mg/day", "0.2mg/day", "1mg/day"]),
)
def test_a_refill_logged_on_its_day_moves_no_later_date(
    shipped: RuleSet, first: date, every: Duration, drug: str | None, dose: str | None
) -> None:
    numbers = fill("20mL", "2mg/mL", dose) if dose is not None else None
    alarm = parse_quantity("2mL", "volume", "a") if numbers is not None else None
    inputs = {"refills": RefillSchedule(first, every), "fill": numbers, "alarm_volume": alarm, "drug": drug}
    before = refill_days(make_plan(shipped, SURGERY, **inputs))  # type: ignore[arg-type]
    after = refill_days(make_plan(shipped, SURGERY, history=(Logged("refill", before[0]),), **inputs))  # type: ignore[arg-type]
    assert after == before
    assert all(earlier < later for earlier, later in itertools.pairwise(before))


# ── Logging the numbers where they are asked for ──────────────────────────────────────────────────────────────

RECORD = ["plan", "--surgery-date", "2025-12-01", "--refill-every", "16w", "--first-refill", "2026-01-26", "--save"]
LOGGED_NUMBERS = ["--fill-volume", "20mL", "--concentration", "2mg/mL", "--daily-dose", "0.5mg/day"]


def test_log_refill_asks_for_the_alarm_volume_and_takes_it(runner: CliRunner, config_dir: Path) -> None:
    assert runner.invoke(app, RECORD).exit_code == 0
    before = (config_dir / "plan.yaml").read_bytes()
    refused = runner.invoke(app, ["log", "refill", "--date", "2026-01-26", *LOGGED_NUMBERS])
    assert (refused.exit_code, refused.stderr) == (
        1,
        "pumpcare: the pump numbers of this refill need the alarm volume too; add --alarm-volume from the "
        "programmer's printout, such as 2mL\n",
    )
    assert "forget" not in refused.stderr
    assert (config_dir / "plan.yaml").read_bytes() == before
    taken = runner.invoke(app, ["log", "refill", "--date", "2026-01-26", *LOGGED_NUMBERS, "--alarm-volume", "2mL"])
    assert taken.exit_code == 0, taken.stderr
    assert taken.stderr.startswith("Recorded: pump refill on Mon 26 Jan 2026 (20mL, 2mg/mL, 0.5mg/day).\n")
    # Later refills logged without numbers keep them, and so does the next refill's date: 72 days on.
    assert runner.invoke(app, ["log", "refill", "--date", "2026-04-08"]).exit_code == 0
    document = json.loads(runner.invoke(app, ["plan", "--json", "--date", "2026-04-09"]).stdout)
    assert (document["next_refill"]["due_date"], document["next_refill"]["numbers_recorded_on"]) == (
        "2026-06-19",
        "2026-01-26",
    )
    history = runner.invoke(app, ["history"], env={"COLUMNS": "200"}).stdout
    assert "Pump numbers in use: 20mL, 2mg/mL, 0.5mg/day, recorded with the refill on Mon 26 Jan 2026." in history


def test_clearing_the_numbers_goes_back_to_the_interval(runner: CliRunner) -> None:
    assert runner.invoke(app, RECORD).exit_code == 0
    runner.invoke(app, ["log", "refill", "--date", "2026-01-26", *LOGGED_NUMBERS, "--alarm-volume", "2mL"])
    both = runner.invoke(app, ["log", "refill", "--date", "2026-04-08", "--clear-numbers", *LOGGED_NUMBERS])
    assert both.stderr == (
        "pumpcare: --clear-numbers and new pump numbers were both given; give the new numbers alone, they replace "
        "the old\n"
    )
    cleared = runner.invoke(app, ["log", "refill", "--date", "2026-04-08", "--clear-numbers"])
    # 16 weeks after 8 Apr, no longer the 72 days of the cleared numbers.
    assert cleared.stderr.startswith(
        "Recorded: pump refill on Wed 8 Apr 2026 (earlier pump numbers cleared).\nThe refill after it was due on "
        "Wed 29 Jul 2026."
    ), cleared.stderr
    document = json.loads(runner.invoke(app, ["plan", "--json", "--date", "2026-04-09"]).stdout)
    assert (document["next_refill"]["due_date"], document["next_refill"]["basis"]) == ("2026-07-29", "interval")
    history = runner.invoke(app, ["history"], env={"COLUMNS": "200"}).stdout
    assert "No pump numbers are in use: refills are dated without them." in history
    # The record reads back what it wrote, and undo takes the clearing back with its refill.
    assert runner.invoke(app, ["log", "undo"]).exit_code == 0
    document = json.loads(runner.invoke(app, ["plan", "--json", "--date", "2026-04-09"]).stdout)
    assert document["next_refill"]["due_date"] == "2026-04-08"


# ── The batch takes the same inputs, from the same table, and dates refills the same way ─────────────────────


def refill_days_of(calendar: bytes) -> list[date]:
    parsed = icalendar.Calendar.from_ical(calendar)
    return sorted(
        event.decoded("dtstart") for event in parsed.walk("VEVENT") if "reservoir-refill-due" in str(event["uid"])
    )


@pytest.mark.parametrize(("options", "longest"), [case[1:3] for case in CASES], ids=IDS)
def test_a_batch_row_dates_refills_as_plan_does(
    runner: CliRunner, tmp_path: Path, options: list[str], longest: int
) -> None:
    # The row's cells, from the options: --x-y VALUE becomes column x_y.
    cells = {"label": "Bed 4", "surgery_date": SURGERY.isoformat()}
    cells.update(
        {option[2:].replace("-", "_"): value for option, value in zip(options[::2], options[1::2], strict=True)}
    )
    source = tmp_path / "rows.csv"
    source.write_text(",".join(cells) + "\n" + ",".join(cells.values()) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(source), "--out-dir", str(out), "--html"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    [calendar] = out.glob("*.ics")
    alone = runner.invoke(app, [*PLAN, *options, "--patient-label", "Bed 4", "--ics", "-"]).stdout_bytes
    assert refill_days_of(calendar.read_bytes()) == refill_days_of(alone)
    assert_spaced(refill_days_of(calendar.read_bytes()), longest)
    [sheet] = out.glob("*.html")
    handout = tmp_path / "handout.html"
    runner.invoke(app, ["handout", *PLAN[1:], *options, "--patient-label", "Bed 4", "--out", str(handout)])
    assert f", then every {longest} days" in sheet.read_text(encoding="utf-8")

    # The visits a nurse hands over are the same lines (the sheets differ only in the day they were printed).
    def visits(page: Path) -> str:
        return page.read_text(encoding="utf-8").split("Pump refill visit")[0].rsplit("<tr>", 1)[1]

    assert visits(sheet) == visits(handout)


def test_a_refill_due_today_is_under_due_now_like_the_follow_up_visit(runner: CliRunner) -> None:
    args = ["today", "--surgery-date", "2026-12-01", "--refill-every", "12w", "--first-refill", "2027-01-26"]
    text = runner.invoke(app, [*args, "--follow-up", "2027-01-26", "--date", "2027-01-26"]).stdout
    due_now = text.split("Due now\n")[1].split("\n\n")[0]
    assert "• Follow-up visit: today" in due_now
    assert "• Refill due today, Tue 26 Jan 2027." in due_now
    assert "Refill due" not in text.split("Your pump\n")[1]
    ahead = runner.invoke(app, [*args, "--date", "2027-01-20"]).stdout
    assert "Refill due in 6 days" in ahead.split("Your pump\n")[1]


def test_a_printout_date_from_before_a_new_pump_no_longer_dates_its_refill(runner: CliRunner) -> None:
    record = ["plan", "--surgery-date", "2025-01-01", "--drug", "ziconotide-undiluted", "--refill-every", "12w"]
    assert runner.invoke(app, [*record, "--first-refill", "2025-01-14", "--save"]).exit_code == 0
    assert runner.invoke(app, ["log", "refill", "--date", "2025-01-14"]).exit_code == 0
    assert runner.invoke(app, ["log", "refill", "--date", "2025-03-01", "--next-refill", "2025-05-24"]).exit_code == 0
    assert runner.invoke(app, ["log", "replacement", "--date", "2025-04-01"]).exit_code == 0
    refill = json.loads(runner.invoke(app, ["plan", "--json"]).stdout)["next_refill"]
    # The new pump's first fill: the label's 14 days, not the old pump's printout.
    assert (refill["due_date"], refill["basis"]) == ("2025-04-15", "drug-limit")


def test_refills_by_the_numbers_alone_that_list_too_many_say_so(runner: CliRunner) -> None:
    numbers = ["--fill-volume", "5mL", "--concentration", "1mg/mL", "--daily-dose", "1mg/day", "--alarm-volume", "2mL"]
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", *numbers])
    assert result.stderr == (
        "pumpcare: refills dated by the pump's numbers list more than 500 visits; check the numbers\n"
    )
