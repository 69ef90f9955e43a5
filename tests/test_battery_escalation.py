"""The battery's last months: booking the replacement six months before the pump must be replaced, on every surface."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest
from typer.testing import CliRunner

from pumpcare.cli import app

PLAN = ["--surgery-date", "2026-12-01"]


@pytest.mark.parametrize(
    ("day", "lines"),
    [
        ("2033-05-31", []),
        (
            "2033-06-01",
            [
                "! Book your pump replacement now: the pump must be replaced by Thu 1 Dec 2033, in 183 days. Ask your "
                "care team; do not wait for the replacement alarm.",
                "! When the pump has been replaced, record it with `pumpcare log replacement`.",
            ],
        ),
        (
            "2033-11-01",
            [
                "! The pump must be replaced by Thu 1 Dec 2033, in 30 days. If the replacement is not booked yet, call "
                "your pump clinic today.",
                "! When the pump has been replaced, record it with `pumpcare log replacement`.",
            ],
        ),
    ],
)
@pytest.mark.parametrize("command", ["today", "next"])
def test_today_and_next_lead_with_booking_the_replacement(
    runner: CliRunner, command: str, day: str, lines: list[str]
) -> None:
    result = runner.invoke(app, [command, *PLAN, "--date", day], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.stderr
    alerts = [line for line in result.stdout.splitlines() if line.startswith("! ")]
    assert [line.rstrip() for line in alerts] == lines


def test_a_logged_replacement_ends_the_reminder(runner: CliRunner) -> None:
    runner.invoke(app, ["plan", *PLAN, "--save"])
    result = runner.invoke(app, ["today", "--date", "2033-06-01"], env={"COLUMNS": "400"})
    assert "! Book your pump replacement now" in result.stdout
    # The record refuses a day in the future, so the replacement is logged on a past day of another plan.
    runner.invoke(app, ["plan", "--surgery-date", "2019-06-01", "--save", "--yes"])
    assert runner.invoke(app, ["log", "replacement", "--date", "2025-12-01"]).exit_code == 0
    after = runner.invoke(app, ["today", "--date", "2026-05-31"], env={"COLUMNS": "400"}).stdout
    assert "Book your pump replacement" not in after.split("Coming next")[0]
    document = json.loads(runner.invoke(app, ["today", "--date", "2026-05-31", "--json"]).stdout)
    battery = document["battery"]
    assert (battery["deadline"], battery["book_replacement_from"], battery["book_replacement"]) == (
        "2032-12-01",
        "2032-06-01",
        None,
    )


def test_the_json_says_when_to_book(runner: CliRunner) -> None:
    document = json.loads(runner.invoke(app, ["today", *PLAN, "--date", "2033-11-01", "--json"]).stdout)
    battery = document["battery"]
    assert (battery["book_replacement_from"], battery["book_replacement"]) == ("2033-06-01", "last-days")


def test_the_calendar_and_the_careplan_carry_the_booking_day(runner: CliRunner, tmp_path: Path) -> None:
    ics, fhir = tmp_path / "plan.ics", tmp_path / "plan.fhir.json"
    assert (
        runner.invoke(app, ["plan", *PLAN, "--ics", str(ics), "--fhir", str(fhir), "--patient-label", "A"]).exit_code
        == 0
    )
    [event] = [
        e for e in icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT") if "book-replacement" in e["uid"]
    ]
    assert (str(event["summary"]), event.decoded("dtstart").isoformat()) == (
        "A: Book your pump replacement",
        "2033-06-01",
    )
    assert event.walk("VALARM")
    careplan = json.loads(fhir.read_text(encoding="utf-8"))
    [activity] = [a for a in careplan["activity"] if a["id"].startswith("book-replacement")]
    assert activity["detail"]["scheduledTiming"]["event"] == ["2033-06-01"]


def test_the_sheet_says_book_it_by(runner: CliRunner, tmp_path: Path) -> None:
    sheet = tmp_path / "sheet.html"
    assert runner.invoke(app, ["handout", *PLAN, "--out", str(sheet)]).exit_code == 0
    assert "Pump battery replacement (book it by 1 Jun 2033)" in sheet.read_text(encoding="utf-8")
    spanish = tmp_path / "hoja.html"
    assert runner.invoke(app, ["handout", *PLAN, "--lang", "es", "--out", str(spanish)]).exit_code == 0
    assert "(pida la cita antes del 1 de junio de 2033)" in spanish.read_text(encoding="utf-8")


def test_the_last_month_is_bold_red_and_before_it_bold(runner: CliRunner) -> None:
    def styled(day: str) -> str:
        env = {"COLUMNS": "200", "FORCE_COLOR": "1", "TERM": "xterm"}
        return runner.invoke(app, ["today", *PLAN, "--date", day], env=env, color=True).stdout

    assert "\x1b[1mBook your pump replacement now" in styled("2033-06-01")
    assert "\x1b[1;31mThe pump must be replaced by Thu 1 Dec 2033, in 30 days." in styled("2033-11-01")


def test_an_order_cannot_move_the_booking_day_away_from_the_pump(runner: CliRunner) -> None:
    result = runner.invoke(app, ["plan", *PLAN, "--set", "book-replacement=1w"])
    assert (result.exit_code, result.stderr) == (
        1,
        "pumpcare: rule 'book-replacement' counts from the day the pump went in; record a new pump with "
        "`pumpcare log replacement` instead\n",
    )


def test_a_rule_file_that_books_a_replacement_needs_the_battery_rule(runner: CliRunner, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    assert runner.invoke(app, ["rules", "init", str(rules)]).exit_code == 0
    text = rules.read_text(encoding="utf-8")
    start = text.index("  - id: battery-replacement")
    rules.write_text(text[:start] + text[text.index("  - id: book-replacement") :], encoding="utf-8")
    result = runner.invoke(app, ["rules", "check", str(rules)])
    assert result.exit_code == 1
    assert (
        "'book-replacement'.due: counts from the replacement deadline, which only a rule due from the implant (the "
        "battery's window) sets; add that rule or count this one from the implant"
    ) in result.stdout
