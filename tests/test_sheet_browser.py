"""The HTML sheet printed by a real browser engine (headless Chromium): one page on Letter and on A4.

Skipped, with the reason, where no Chromium is installed (Debian's package: `apt-get install chromium`).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner

from pumpcare.cli import app

BROWSER = next(
    (shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None
)
STANDARD = [
    "--surgery-date", "2026-12-01", "--follow-up", "2027-01-05",
    "--refill-every", "12w", "--first-refill", "2027-01-26",
]  # fmt: skip
SIZES = {"letter": (612, 792), "a4": (595, 842)}

pytestmark = pytest.mark.skipif(BROWSER is None, reason="no Chromium on this machine (apt-get install chromium)")


def print_in_browser(html: Path, tmp_path: Path) -> Path:
    printed = tmp_path / "printed.pdf"
    assert BROWSER is not None
    command = [
        BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
        "--no-pdf-header-footer", f"--print-to-pdf={printed}", html.as_uri(),
    ]  # fmt: skip
    subprocess.run(command, capture_output=True, timeout=120, check=True)
    return printed


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("day", ["2026-11-25", "2026-12-03"], ids=["before-surgery", "at-discharge"])
def test_the_standard_plan_prints_on_one_page_from_a_browser(tmp_path: Path, paper: str, day: str) -> None:
    html = tmp_path / "sheet.html"
    args = ["handout", *STANDARD, "--paper", paper, "--date", day, "--patient-label", "Bed 4", "--out", str(html)]
    assert CliRunner().invoke(app, args).exit_code == 0
    reader = pypdf.PdfReader(print_in_browser(html, tmp_path))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == SIZES[paper]
    text = " ".join(reader.pages[0].extract_text().split())
    # Nothing cut off: the last things on the page are all there, and the labels fit their column.
    for expected in ("Care team:", "After hours:", "Pump clinic:", "Printed", "No housework, yard work or…", "Visits"):
        assert expected in text, expected


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_large_print_at_discharge_still_prints_on_one_page(tmp_path: Path, paper: str) -> None:
    html = tmp_path / "sheet.html"
    args = ["handout", *STANDARD, "--paper", paper, "--date", "2026-12-03", "--large-print", "--out", str(html)]
    assert CliRunner().invoke(app, args).exit_code == 0
    assert "font-size: 14pt" in html.read_text(encoding="utf-8")
    assert len(pypdf.PdfReader(print_in_browser(html, tmp_path)).pages) == 1


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_the_spanish_sheet_at_discharge_prints_on_one_page(tmp_path: Path, paper: str) -> None:
    html = tmp_path / "sheet.html"
    args = ["handout", *STANDARD, "--paper", paper, "--date", "2026-12-03", "--lang", "es", "--out", str(html)]
    assert CliRunner().invoke(app, args).exit_code == 0
    reader = pypdf.PdfReader(print_in_browser(html, tmp_path))
    assert len(reader.pages) == 1
    assert "Cuándo llamar a su equipo médico" in " ".join(reader.pages[0].extract_text().split())
