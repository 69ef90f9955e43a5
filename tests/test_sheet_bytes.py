"""A sheet's bytes do not depend on what was laid out before it, nor on ReportLab's C accelerator (pumpcare[fast])."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

# Renders sheets in a fresh process, each before any other was laid out (nothing cached), then all again in the
# opposite order (every line break cached), and prints each sheet's bytes as hex, with whether the C code ran.
SCRIPT = """
import json, sys
if sys.argv[1] == "blocked":
    sys.modules["_rl_accel"] = None  # how ReportLab itself tests its pure-Python code
from datetime import date
import pumpcare
from pumpcare.controller import plan_from
from pumpcare.inputs import PlanInputs
from pumpcare.render_pdf import render_pdf
from pumpcare.sheet import make_sheet
import reportlab.lib.rl_accel as accel

rules = pumpcare.load_rules()
long = ("no-bending=7w..9w", "no-twisting=8w..10w", "no-stretching=5w..7w", "few-stairs=3w..5w")
cases = [
    ("2026-12-01", "2027-01-05", (), "Bed 4", "letter", 12),
    ("2026-12-01", "2027-01-05", ("no-lifting=10w..12w",), "Bed 5", "a4", 12),
    ("2027-03-09", None, (), None, "letter", 14),  # large print, before surgery: two pages
    ("2026-12-01", "2027-01-05", long, "A" * 60, "letter", 14),  # two pages: a paragraph split across them
]
made = []
for surgery, follow_up, orders, label, paper, size in cases:
    plan = plan_from(PlanInputs(surgery_date=surgery, follow_up=follow_up, orders=orders), ruleset=rules)
    sheet = make_sheet(plan, label, today=date(2026, 11, 25))
    made.append((sheet, paper, size))
cold = [render_pdf(sheet, paper=paper, body_size=size) for sheet, paper, size in made]
warm = [render_pdf(sheet, paper=paper, body_size=size) for sheet, paper, size in reversed(made)][::-1]
print(json.dumps({
    "accelerated": accel.fp_str.__module__ == "_rl_accel",
    "cold": [pdf.data.hex() for pdf in cold],
    "warm": [pdf.data.hex() for pdf in warm],
    "pages": [pdf.pages for pdf in cold],
}))
"""


def render(mode: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=False, encoding="utf-8"
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_a_sheet_is_the_same_whether_or_not_others_were_laid_out_first() -> None:
    result = render("as-installed")
    assert result["pages"] == [1, 1, 2, 2]
    assert result["cold"] == result["warm"]


@pytest.mark.skipif(
    importlib.util.find_spec("_rl_accel") is None, reason="ReportLab's accelerator is not installed (pumpcare[fast])"
)
def test_the_accelerator_changes_no_byte() -> None:
    fast, plain = render("as-installed"), render("blocked")
    assert (fast["accelerated"], plain["accelerated"]) == (True, False)
    assert fast["cold"] == plain["cold"]
    assert fast["warm"] == plain["warm"]
