"""`pumpcare batch`: a day's discharges from one CSV file, good rows written, bad rows reported."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest
from typer.testing import CliRunner

from pumpcare.cli import app

HEADER = "label,surgery_date,follow_up,refill_every,first_refill,overrides\n"
WIDE = {"COLUMNS": "200"}


def run(runner: CliRunner, tmp_path: Path, body: str, *extra: str) -> tuple[int, str, str, Path]:
    source = tmp_path / "discharges.csv"
    source.write_text(body, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(source), "--out-dir", str(out), *extra], env=WIDE)
    return result.exit_code, result.stdout, result.stderr, out


def written(out: Path) -> list[str]:
    """The folder's files, less the batch's own bookkeeping (its manifest and lock), which must be all it adds."""
    names = sorted(path.name for path in out.iterdir())
    assert {name for name in names if name.startswith(".")} <= {".pumpcare-batch.json", ".pumpcare-batch.lock"}
    return [name for name in names if not name.startswith(".")]


def test_good_rows_are_written_and_bad_ones_reported(runner: CliRunner, tmp_path: Path) -> None:
    body = HEADER + (
        "Bed 4,2026-12-01,2027-01-05,12w,2027-01-26,no-lifting=10w..12w\n"
        "Bed 9,2026-12-03,2026-11-30,,,\n"
        "Bed 7,2026-12-01,,,,\n"
        "Bed 11,2026-02-30,,,,\n"
        "Bed 12,2026-12-01,,3mo,,\n"
        "Bed 14,2026-12-01,,,,no-drivng=6w\n"
        "Bed 15,2026-12-01,,,,,\n"
    )
    code, stdout, _, out = run(runner, tmp_path, body)
    assert code == 1
    assert written(out) == [
        "0002-Bed-4.ics", "0002-Bed-4.pdf", "0004-Bed-7.ics", "0004-Bed-7.pdf",
    ]  # fmt: skip
    lines = [" ".join(line.strip("│ ").split()) for line in stdout.splitlines()]
    assert lines[0] == f"2 patients written to {out} (1 with warnings); 5 rows failed."
    assert "3 │ follow_up │ follow-up date 2026-11-30 is before the surgery date 2026-12-03; check the dates" in lines
    assert "5 │ surgery_date │ surgery date 2026-02-30 is not a real date; check the day and month" in lines
    assert "6 │ refill_every │ refill visits need both refill_every and first_refill; give both or neither" in lines
    assert "7 │ overrides │ there is no rule 'no-drivng' to set; did you mean 'no-driving'?" in lines
    assert "8 │ - │ the row has more cells than the header; check for a stray comma" in lines
    assert (
        "2 │ Bed 4 │ no-lifting=10w..12w is outside the rule file's 6–8 weeks for 'no-lifting'; the plan uses it as set"
    ) in lines
    calendar = icalendar.Calendar.from_ical((out / "0002-Bed-4.ics").read_bytes())
    assert str(calendar["X-WR-CALNAME"]) == "Pump recovery plan: Bed 4"


def test_rows_are_numbered_as_a_spreadsheet_shows_them(runner: CliRunner, tmp_path: Path) -> None:
    body = HEADER + "Bed 1,2026-12-01,,,,\n\nBed 3,2026-02-30,,,,\nBed 4,2026-12-01\n"
    code, stdout, _, out = run(runner, tmp_path, body)
    assert code == 1
    lines = [" ".join(line.strip("│ ").split()) for line in stdout.splitlines()]
    assert "4 │ surgery_date │ surgery date 2026-02-30 is not a real date; check the day and month" in lines
    assert "5 │ - │ the row has fewer cells than the header; check for a missing comma" in lines
    assert written(out) == ["0002-Bed-1.ics", "0002-Bed-1.pdf"]


def test_all_good_exits_zero(runner: CliRunner, tmp_path: Path) -> None:
    code, stdout, _, out = run(runner, tmp_path, HEADER + "Bed 7,2026-12-01,,,,\n", "--html", "--paper", "a4")
    assert code == 0
    assert stdout.startswith(f"1 patient written to {out}; 0 rows failed.")
    assert written(out) == ["0002-Bed-7.html", "0002-Bed-7.ics"]


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        (
            "label,surgery,follow_up,refill_every,first_refill,overrides",
            "unknown column surgery and missing column surgery_date",
        ),
        ("follow_up,overrides", "missing columns label, surgery_date"),
        ("", "missing columns label, surgery_date"),
        ("label,surgery_date,Follow up", "unknown column Follow up"),
    ],
)
def test_a_bad_header_names_the_expected_columns(runner: CliRunner, tmp_path: Path, header: str, problem: str) -> None:
    code, stdout, stderr, out = run(runner, tmp_path, header + "\n")
    assert (code, stdout) == (1, "")
    assert stderr == (
        f"pumpcare: the CSV header has {problem}; the first row must name the columns label and surgery_date, "
        "and may name follow_up, refill_every, first_refill, next_refill, drug, fill_volume, concentration, "
        "daily_dose, alarm_volume, overrides and patient_ref\n"
    )
    assert not out.exists()  # refused before any folder is made


def test_the_example_file_runs(runner: CliRunner, tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "discharges.csv"
    code, stdout, _, _ = run(runner, tmp_path, example.read_text(encoding="utf-8"))
    assert code == 1  # the example shows two bad rows on purpose
    assert stdout.startswith(f"3 patients written to {tmp_path / 'out'} (1 with warnings); 2 rows failed.")


def test_out_dir_that_is_a_file_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "d.csv"
    source.write_text(HEADER, encoding="utf-8")
    blocker = tmp_path / "out"
    blocker.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(source), "--out-dir", str(blocker)])
    assert (result.exit_code, result.stderr) == (
        1,
        f"pumpcare: cannot write into {blocker}: it is a file; give a folder with --out-dir\n",
    )


def test_a_nurse_reads_the_batch_report_in_spanish_with_the_columns_as_the_file_names_them(
    runner: CliRunner, tmp_path: Path
) -> None:
    body = HEADER + "Bed 7,2026-12-01,,,,\nBed 8,2026-12-01,,,,,\n"
    code, stdout, _, out = run(runner, tmp_path, body, "--html", "--lang", "es")
    assert code == 1
    lines = [" ".join(line.strip("│ ").split()) for line in stdout.splitlines()]
    assert lines[0] == f"Archivos de 1 paciente escritos en {out}; 1 fila con errores."
    assert "Filas con errores" in lines
    assert "Fila Columna Motivo" in [" ".join(line.replace("┃", " ").split()) for line in stdout.splitlines()]
    assert "3 │ - │ la fila tiene más celdas que el encabezado; busque una coma de más" in lines
    assert written(out) == ["0002-Bed-7.html", "0002-Bed-7.ics"]  # file names stay as they are


def test_a_bad_header_in_spanish_keeps_the_column_names(runner: CliRunner, tmp_path: Path) -> None:
    code, _, stderr, _ = run(runner, tmp_path, "label,surgery\n", "--lang", "es")
    assert code == 1
    assert stderr.startswith(
        "pumpcare: hay problemas en el encabezado del CSV: pumpcare no conoce la columna surgery y falta la columna "
        "surgery_date; la primera fila debe nombrar las columnas label y surgery_date, y puede nombrar follow_up, "
    )
    assert stderr.endswith(" overrides y patient_ref\n")


def _refill_days(calendar_bytes: bytes) -> list[str]:
    calendar = icalendar.Calendar.from_ical(calendar_bytes)
    return sorted(
        str(event.decoded("DTSTART"))
        for event in calendar.walk("VEVENT")
        if "refill" in str(event.get("UID", "")) and "deadline" not in str(event.get("UID", ""))
    )


@pytest.mark.parametrize(
    "numbers",
    [
        pytest.param(("baclofen", "20mL", "2mg/mL", "0.5mg/day", "2mL"), id="baclofen-numbers"),
        pytest.param(("ziconotide-undiluted", "", "", "", ""), id="ziconotide-label-only"),
        pytest.param(("", "40mL", "2mg/mL", "1mg/day", "2mL"), id="numbers-only"),
    ],
)
def test_a_rows_pump_numbers_and_drug_date_its_refills_as_plan_does(
    runner: CliRunner, tmp_path: Path, numbers: tuple[str, str, str, str, str]
) -> None:
    drug, fill, concentration, dose, alarm = numbers
    header = "label,surgery_date,refill_every,first_refill,drug,fill_volume,concentration,daily_dose,alarm_volume\n"
    code, _, stderr, out = run(
        runner, tmp_path, header + f"Bed 4,2026-12-01,12w,2027-01-26,{drug},{fill},{concentration},{dose},{alarm}\n"
    )
    assert code == 0, stderr
    given = {"--drug": drug, "--fill-volume": fill, "--concentration": concentration, "--daily-dose": dose}
    given["--alarm-volume"] = alarm
    options = [word for option, value in given.items() if value for word in (option, value)]
    plan_ics = tmp_path / "plan.ics"
    args = ["plan", "--surgery-date", "2026-12-01", "--refill-every", "12w", "--first-refill", "2027-01-26"]
    result = runner.invoke(app, [*args, *options, "--patient-label", "Bed 4", "--ics", str(plan_ics)], env=WIDE)
    assert result.exit_code == 0, result.output
    from_plan = _refill_days(plan_ics.read_bytes())
    from_batch = _refill_days((out / "0002-Bed-4.ics").read_bytes())
    assert len(from_plan) > 3
    assert from_batch == from_plan
    # The numbers or the label shorten the 12 weeks: the second refill comes sooner than 26 Jan + 12 weeks.
    assert from_plan[1] < "2027-04-20"
    # The sheet lists the same refills: its HTML form, from a second run of the same row.
    source = tmp_path / "discharges.csv"
    html_out = tmp_path / "html"
    result = runner.invoke(app, ["batch", str(source), "--out-dir", str(html_out), "--html"], env=WIDE)
    assert result.exit_code == 0, result.output
    sheet = (html_out / "0002-Bed-4.html").read_text(encoding="utf-8")
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    for day in from_plan[:3]:
        _, month, number = (int(part) for part in day.split("-"))
        assert f"{number} {months[month - 1]}" in sheet, day
