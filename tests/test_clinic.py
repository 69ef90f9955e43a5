"""A clinic's profile: written as an example, checked like the rule file, carried into the calendar."""

from __future__ import annotations

from pathlib import Path

import icalendar
from typer.testing import CliRunner

from pumpcare.cli import app

PROFILE = """\
clinic: Riverside Pain Clinic
phones:
  - label: Pump clinic
    number: 555-0100
  - label: After hours
    number: 555-0199
"""


def test_init_writes_an_example_that_checks_clean(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "clinic.yaml"
    made = runner.invoke(app, ["clinic", "init", str(path)])
    assert (made.exit_code, made.stderr) == (
        0,
        f"Clinic profile written to {path}; fill in your clinic's name and numbers.\n",
    )
    checked = runner.invoke(app, ["clinic", "check", str(path)])
    assert (checked.exit_code, checked.stdout) == (0, f"{path}: Riverside Pain Clinic, 2 phone numbers, no problems.\n")
    again = runner.invoke(app, ["clinic", "init", str(path)])
    assert (again.exit_code, again.stderr) == (
        1,
        f"pumpcare: {path} already exists; choose another path, or pass --force to replace it\n",
    )


def test_every_problem_of_a_profile_is_listed_with_where_it_is(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "clinic.yaml"
    path.write_text("clinc: X\nphones:\n  - label: Pump clinic\n    number: call us\n  - nmber: 5\n", encoding="utf-8")
    result = runner.invoke(app, ["clinic", "check", str(path)])
    assert (result.exit_code, result.stderr) == (
        1,
        f"pumpcare: clinic profile {path} has 6 problems; fix them and try again:\n"
        "  - unknown key 'clinc'; did you mean 'clinic'?\n"
        "  - missing 'clinic'; add it\n"
        "  - phones[0].number: 'call us' is not a phone number; use digits, spaces, + - ( )\n"
        "  - phones[1]: unknown key 'nmber'; use label and number\n"
        "  - phones[1].label: must be non-empty text\n"
        "  - phones[1].number: must be non-empty text\n",
    )


def test_the_calendar_carries_the_clinics_name_and_numbers(runner: CliRunner, tmp_path: Path) -> None:
    profile = tmp_path / "clinic.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    target = tmp_path / "plan.ics"
    plan = ["plan", "--surgery-date", "2026-12-01", "--refill-every", "12w", "--first-refill", "2027-01-26"]
    result = runner.invoke(app, [*plan, "--ics", str(target)], env={"PUMPCARE_CLINIC": str(profile)})
    assert result.exit_code == 0, result.output
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    assert str(calendar["X-WR-CALDESC"]).endswith(
        "Riverside Pain Clinic. Pump clinic: 555-0100. After hours: 555-0199."
    )
    refill = next(e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("reservoir-refill-due-1."))
    assert "Your pump clinic: Riverside Pain Clinic; Pump clinic: 555-0100; After hours: 555-0199." in str(
        refill["DESCRIPTION"]
    )


def test_a_broken_profile_writes_no_calendar(runner: CliRunner, tmp_path: Path) -> None:
    profile = tmp_path / "clinic.yaml"
    profile.write_text("phones: []\n", encoding="utf-8")
    target = tmp_path / "plan.ics"
    result = runner.invoke(
        app, ["plan", "--surgery-date", "2026-12-01", "--ics", str(target), "--clinic", str(profile)]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pumpcare: clinic profile {profile} has 2 problems")
    assert not target.exists()


def test_a_batch_carries_the_clinic_into_every_calendar(runner: CliRunner, tmp_path: Path) -> None:
    profile = tmp_path / "clinic.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    rows = tmp_path / "rows.csv"
    rows.write_text("label,surgery_date\nBed 1,2026-12-01\nBed 2,2026-12-02\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(rows), "--out-dir", str(out), "--html", "--clinic", str(profile)])
    assert result.exit_code == 0, result.output
    calendars = sorted(out.glob("*.ics"))
    assert len(calendars) == 2
    for path in calendars:
        description = str(icalendar.Calendar.from_ical(path.read_bytes())["X-WR-CALDESC"])
        assert description.endswith("Riverside Pain Clinic. Pump clinic: 555-0100. After hours: 555-0199.")


def test_the_example_in_spanish_has_spanish_comments_and_checks_clean(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "clinica.yaml"
    made = runner.invoke(app, ["clinic", "init", str(path), "--lang", "es"])
    assert made.exit_code == 0
    assert made.stderr.startswith(f"Perfil de la clínica escrito en {path}")
    text = path.read_text(encoding="utf-8")
    assert "  - label: Clínica de la bomba\n" in text  # the keys stay the file's own; the sample words are Spanish
    assert "# address: 12 River Road, Springfield      # opcional\n" in text
    checked = runner.invoke(app, ["clinic", "check", str(path)])  # the same file reads back under English
    assert (checked.exit_code, checked.stdout) == (0, f"{path}: Riverside Pain Clinic, 2 phone numbers, no problems.\n")
    spanish = runner.invoke(app, ["clinic", "check", str(path), "--lang", "es"])
    assert spanish.stdout == f"{path}: Riverside Pain Clinic, 2 números de teléfono, sin problemas.\n"
