"""Rendered output compared with reviewed golden files.

After an intended change, regenerate them with `python scripts/regen_golden.py` and read the diff.
"""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from pumpcare.cli import app
from pumpcare.durations import Duration
from pumpcare.planning import make_plan
from pumpcare.render_chart import render_chart
from pumpcare.rule_file import load_rules
from pumpcare.schedule import Plan, RefillSchedule

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("PUMPCARE_REGEN_GOLDEN") == "1"
FULL = [
    "plan", "--surgery-date", "2026-12-01", "--follow-up", "2027-01-05",
    "--refill-every", "12w", "--first-refill", "2027-01-26", "--set", "no-lifting=10w..12w",
]  # fmt: skip
TODAY = ["today", *FULL[1:]]
# name of the golden file, arguments: every renderer, with and without the optional dates.
CASES = [
    ("plan-minimal.txt", ["plan", "--surgery-date", "2026-12-01", "--today", "2026-11-24"]),
    ("plan-full.txt", [*FULL, "--today", "2027-01-06"]),
    ("plan-minimal.json", ["plan", "--surgery-date", "2026-12-01", "--json"]),
    ("plan-full.json", [*FULL, "--json"]),
    ("plan-minimal.ics", ["plan", "--surgery-date", "2026-12-01", "--ics", "-"]),
    ("plan-full.ics", [*FULL, "--ics", "-", "--patient-label", "Bed 4"]),
    ("plan-full.fhir.json", [*FULL, "--fhir", "-", "--patient-label", "Bed 4"]),
    ("rules.plandefinition.json", ["rules", "export", "--fhir", "-"]),
    # The same views in Spanish: every word from the catalog, dates and numbers from CLDR.
    ("plan-full.es.txt", [*FULL, "--today", "2027-01-06", "--lang", "es"]),
    ("plan-full.es.json", [*FULL, "--json", "--lang", "es"]),
    ("plan-full.es.ics", [*FULL, "--ics", "-", "--patient-label", "Bed 4", "--lang", "es"]),
    ("plan-full.es.fhir.json", [*FULL, "--fhir", "-", "--patient-label", "Bed 4", "--lang", "es"]),
    ("plan-chart.es.txt", [*FULL, "--chart", "--today", "2026-12-20", "--lang", "es"]),
    ("today-inside-a-window.es.txt", [*TODAY, "--date", "2026-12-20", "--lang", "es"]),
    ("today-years-later.es.txt", [*TODAY, "--date", "2032-03-01", "--lang", "es"]),
    ("today-inside-a-window.es.json", [*TODAY, "--date", "2026-12-20", "--json", "--lang", "es"]),
    ("next-14-days.es.txt", ["next", *FULL[1:], "--date", "2026-12-10", "--lang", "es"]),
    ("plan-chart.txt", [*FULL, "--chart", "--today", "2026-12-20"]),
    ("plan-chart-no-follow-up.txt", ["plan", "--surgery-date", "2026-12-01", "--chart", "--today", "2027-01-20"]),
    ("today-before-surgery.txt", [*TODAY, "--date", "2026-11-28"]),
    ("today-surgery-day.txt", [*TODAY, "--date", "2026-12-01"]),
    ("today-inside-a-window.txt", [*TODAY, "--date", "2026-12-20"]),
    ("today-last-day-of-a-window.txt", [*TODAY, "--date", "2026-12-29"]),
    ("today-after-every-window.txt", [*TODAY, "--date", "2027-02-01"]),
    ("today-years-later.txt", [*TODAY, "--date", "2032-03-01"]),
    ("today-inside-a-window.json", [*TODAY, "--date", "2026-12-20", "--json"]),
    ("next-14-days.txt", ["next", *FULL[1:], "--date", "2026-12-10"]),
    ("next-60-days.json", ["next", *FULL[1:], "--date", "2026-12-20", "--days", "60", "--json"]),
]
# Fixed so the calendar's DTSTAMP is reproducible; terminal width as on a small laptop.
ENV = {"SOURCE_DATE_EPOCH": "1795996800", "COLUMNS": "80", "LINES": "50", "NO_COLOR": "1", "TERM": "dumb"}


@pytest.mark.parametrize(("name", "args"), CASES, ids=[name for name, _ in CASES])
def test_golden(name: str, args: list[str]) -> None:
    result = CliRunner().invoke(app, args, env=ENV)
    assert result.exit_code == 0, result.output
    produced = result.stdout_bytes
    path = GOLDEN / name
    if REGENERATE:
        path.write_bytes(produced)
    assert produced == path.read_bytes()


def _chart_plan() -> Plan:
    return make_plan(
        load_rules(),
        date(2026, 12, 1),
        follow_up=date(2027, 1, 5),
        refills=RefillSchedule(date(2027, 1, 26), Duration(12, "weeks")),
    )


# name, console settings: the chart at 80 columns in colour, without colour (NO_COLOR), and in plain ASCII.
CONSOLES = [
    ("chart-colour.ansi", {"color_system": "standard", "force_terminal": True}),
    ("chart-no-colour.txt", {"no_color": True, "force_terminal": True}),
    ("chart-ascii.txt", {"color_system": None, "force_terminal": False}),
]


@pytest.mark.parametrize(("name", "settings"), CONSOLES, ids=[name for name, _ in CONSOLES])
def test_chart_golden(name: str, settings: dict[str, Any]) -> None:
    ascii_only = name == "chart-ascii.txt"
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii" if ascii_only else "utf-8", errors="replace")
    console = Console(record=True, width=80, file=stream, **settings)
    console.print(render_chart(_chart_plan(), today=date(2026, 12, 20)))
    # In colour the escape codes are the point; without colour, the text is all a reader has.
    produced = console.export_text(styles=name.endswith(".ansi")).encode("utf-8")
    path = GOLDEN / name
    if REGENERATE:
        path.write_bytes(produced)
    assert produced == path.read_bytes()


@pytest.mark.parametrize("width", [40, 57, 80, 120])
def test_chart_fits_any_width_and_keeps_the_axis_over_the_bars(width: int) -> None:
    console = Console(record=True, width=width, file=io.StringIO(), color_system=None)
    console.print(render_chart(_chart_plan(), today=date(2026, 12, 20)))
    text = console.export_text()
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines)
    axis = next(line for line in lines if line.startswith("weeks"))
    bar = next(line for line in lines if line.startswith("No driving"))
    assert axis.index("|") == bar.index("█")
    assert "ask your care team" in " ".join(text.split())


SHEET = ["handout", *FULL[1:], "--patient-label", "Bed 4", "--date", "2026-11-25"]


SHEETS = [
    ("sheet-full.html", ["--html"]),
    ("sheet-full-letter.txt", []),
    ("sheet-full.es.html", ["--html", "--lang", "es"]),
    ("sheet-full-letter.es.txt", ["--lang", "es"]),
]


@pytest.mark.parametrize(("name", "extra"), SHEETS, ids=[name for name, _ in SHEETS])
def test_sheet_golden(name: str, extra: list[str], tmp_path: Path) -> None:
    """The HTML sheet byte for byte, and the PDF's text as a reader (pypdf) gets it back."""
    import pypdf

    out = tmp_path / ("sheet.html" if "--html" in extra else "sheet.pdf")
    result = CliRunner().invoke(app, [*SHEET, *extra, "--out", str(out)], env=ENV)
    assert result.exit_code == 0, result.output
    if "--html" in extra:
        produced = out.read_bytes()
    else:
        reader = pypdf.PdfReader(out)
        produced = "\n\f\n".join(page.extract_text() for page in reader.pages).encode("utf-8") + b"\n"
    path = GOLDEN / name
    if REGENERATE:
        path.write_bytes(produced)
    assert produced == path.read_bytes()
