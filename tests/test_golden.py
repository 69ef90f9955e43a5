"""Rendered output compared with reviewed golden files.

After an intended change, regenerate them with `python scripts/regen_golden.py` and read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pumpcare.cli import app

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("PUMPCARE_REGEN_GOLDEN") == "1"
FULL = [
    "plan", "--surgery-date", "2026-12-01", "--follow-up", "2027-01-05",
    "--refill-every", "12w", "--first-refill", "2027-01-26", "--set", "no-lifting=10w..12w",
]  # fmt: skip
# name of the golden file, arguments: every renderer, with and without the optional dates.
CASES = [
    ("plan-minimal.txt", ["plan", "--surgery-date", "2026-12-01", "--today", "2026-11-24"]),
    ("plan-full.txt", [*FULL, "--today", "2027-01-06"]),
    ("plan-minimal.json", ["plan", "--surgery-date", "2026-12-01", "--json"]),
    ("plan-full.json", [*FULL, "--json"]),
    ("plan-minimal.ics", ["plan", "--surgery-date", "2026-12-01", "--ics", "-"]),
    ("plan-full.ics", [*FULL, "--ics", "-", "--patient-label", "Bed 4"]),
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
