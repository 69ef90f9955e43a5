"""`pumpcare handout`: the one-page sheet as PDF (text read back with pypdf) and as HTML (parsed)."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner

from pumpcare.cli import app
from pumpcare.rules import RuleSet

FULL = [
    "--surgery-date", "2026-12-01", "--follow-up", "2027-01-05",
    "--refill-every", "12w", "--first-refill", "2027-01-26", "--set", "no-lifting=10w..12w",
    "--date", "2026-11-25",  # made before surgery, so every section is on it; and the same bytes every day
]  # fmt: skip
SIZES = {"letter": (612, 792), "a4": (595, 842)}


def sheet(runner: CliRunner, tmp_path: Path, *extra: str) -> bytes:
    out = tmp_path / ("sheet.html" if "--html" in extra else "sheet.pdf")
    result = runner.invoke(app, ["handout", *FULL, "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def pdf_text(data: bytes) -> tuple[int, str, tuple[float, float]]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return len(reader.pages), text, (round(float(box.width)), round(float(box.height)))


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_one_page_with_every_date_window_and_rule(
    runner: CliRunner, tmp_path: Path, shipped: RuleSet, paper: str
) -> None:
    pages, text, size = pdf_text(sheet(runner, tmp_path, "--paper", paper, "--patient-label", "Bed 4"))
    assert pages == 1
    assert size == SIZES[paper]
    for expected in [
        "Your recovery plan: pump surgery on Tue 1 Dec 2026",
        "For: Bed 4",
        "Until 12–26 Jan 2027 (ask your care team)",
        "Until 15–29 Dec 2026 (ask your care team)",
        "Until 9–23 Feb 2027",
        "24–30 Nov 2026 (ask your care team)",
        "Tue 5 Jan 2027 Follow-up visit",
        "26 Jan, 20 Apr, 13 Jul, 5 Oct 2027",
        "1 Dec 2031 – 1 Dec 2033 (ask your care team)",
        "Care team:",
        "After hours:",
    ]:
        assert expected in text, expected
    # Booking the replacement is said on the battery's line, not a line of its own.
    assert "Pump battery replacement (book it by 1 Jun 2033)" in text
    for rule in shipped.rules:
        named = rule.title in text or (rule.group is not None and shipped.groups[rule.group] in text)
        assert named or rule.id == "book-replacement", rule.id
    assert text.count("does not replace your care team") == 1


def test_no_label_no_name(runner: CliRunner, tmp_path: Path) -> None:
    _, text, _ = pdf_text(sheet(runner, tmp_path))
    assert "For:" not in text


def test_the_same_plan_gives_the_same_bytes(runner: CliRunner, tmp_path: Path) -> None:
    assert sheet(runner, tmp_path) == sheet(runner, tmp_path)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [value or "" for name, value in attrs if name in ("src", "href")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_one_self_contained_page(runner: CliRunner, tmp_path: Path) -> None:
    page = _Page()
    page.feed(sheet(runner, tmp_path, "--html", "--paper", "a4").decode("utf-8"))
    text = " ".join(" ".join(page.text).split())
    assert page.links == []  # nothing to fetch: styles and the time line are inline
    assert {"svg", "rect", "table", "style"} <= set(page.tags)
    assert "Until 12–26 Jan 2027 (ask your care team)" in text
    assert "When to call your care team" in text
    assert text.count("does not replace your care team") == 1
    assert re.search(r"@page \{ size: A4", text)


def test_an_unknown_paper_size_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["handout", *FULL, "--out", str(tmp_path / "x.pdf"), "--paper", "legal"])
    assert (result.exit_code, result.stderr) == (
        1,
        "pumpcare: --paper 'legal' is not a paper size pumpcare knows; use letter or a4\n",
    )
    assert not (tmp_path / "x.pdf").exists()


def test_a_long_plan_warns_when_it_spills_onto_a_second_page(runner: CliRunner, tmp_path: Path) -> None:
    orders = ["no-bending=7w..9w", "no-twisting=8w..10w", "no-stretching=5w..7w", "few-stairs=3w..5w"]
    args = [arg for order in orders for arg in ("--set", order)]
    result = runner.invoke(
        app, ["handout", *FULL, *args, "--patient-label", "A" * 60, "--out", str(tmp_path / "s.pdf")]
    )
    pages, text, _ = pdf_text((tmp_path / "s.pdf").read_bytes())
    assert pages == 2
    assert "pumpcare: warning: the sheet runs to 2 pages" in result.stderr
    assert f"For: {'A' * 60} · page 2" in text


def test_the_file_name_picks_html(runner: CliRunner, tmp_path: Path) -> None:
    runner.invoke(app, ["handout", *FULL, "--out", str(tmp_path / "sheet.html")])
    assert (tmp_path / "sheet.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    refused = runner.invoke(app, ["handout", *FULL, "--html", "--out", str(tmp_path / "sheet.pdf")])
    assert refused.exit_code == 1
    assert "name it .html or leave out --html" in refused.stderr


def test_a_label_in_cyrillic_greek_or_polish_prints_its_letters(runner: CliRunner, tmp_path: Path) -> None:
    label = "Иван Петров · Αλέξανδρος · Łukasz Żółć"
    pages, text, _ = pdf_text(sheet(runner, tmp_path, "--patient-label", label))
    assert pages == 1
    assert f"For: {label}" in text


@pytest.mark.parametrize(
    ("label", "problem"),
    [
        ("王小明", "the PDF font has no letter for '王'"),
        ("Bed 4 😀", "the PDF font has no letter for '😀'"),
        ("שרה כהן", "the PDF cannot write right-to-left letters such as 'ש'"),
        ("Sara سارة", "the PDF font has no letter for 'س'"),
    ],
)
def test_a_label_the_pdf_cannot_draw_is_refused(runner: CliRunner, tmp_path: Path, label: str, problem: str) -> None:
    out = tmp_path / "sheet.pdf"
    result = runner.invoke(app, ["handout", *FULL[:4], "--patient-label", label, "--out", str(out)])
    assert (result.exit_code, result.stderr) == (
        1,
        f"pumpcare: {problem} in the patient label; use --html for this sheet, "
        "or write the label in Latin, Greek or Cyrillic letters\n",
    )
    assert list(tmp_path.iterdir()) == []
    html = runner.invoke(app, ["handout", *FULL[:4], "--patient-label", label, "--out", str(tmp_path / "sheet.html")])
    assert html.exit_code == 0
    assert f"For: {label}" in (tmp_path / "sheet.html").read_text(encoding="utf-8")


def test_the_same_plan_in_another_script_gives_the_same_bytes(runner: CliRunner, tmp_path: Path) -> None:
    label = ("--patient-label", "Ελένη Łoś")
    assert sheet(runner, tmp_path, *label) == sheet(runner, tmp_path, *label)


def test_a_sheet_made_at_discharge_leaves_out_before_surgery_and_says_when_it_was_printed(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "sheet.pdf"
    args = ["handout", *FULL[:-2], "--date", "2026-12-03", "--out", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    _, text, _ = pdf_text(out.read_bytes())
    assert "Before surgery" not in text
    assert "Nothing to eat after midnight" not in text
    assert "Printed 3 Dec 2026." in text
    before = tmp_path / "before.pdf"
    runner.invoke(app, ["handout", *FULL[:-2], "--date", "2026-11-30", "--out", str(before)])
    assert "Before surgery" in pdf_text(before.read_bytes())[1]


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_a_clinic_profile_fills_the_phone_lines_and_large_print_stays_on_one_page(
    runner: CliRunner, tmp_path: Path, paper: str
) -> None:
    profile = tmp_path / "clinic.yaml"
    profile.write_text(
        "clinic: Riverside Pain Clinic\nphones:\n  - label: Pump clinic\n    number: 555-0100\n"
        "  - label: After hours\n    number: 555-0199\n",
        encoding="utf-8",
    )
    out = tmp_path / "sheet.pdf"
    standard = FULL[:8]  # surgery, follow-up and refills: the plan most patients leave with, no orders
    args = ["handout", *standard, "--date", "2026-12-03", "--paper", paper, "--clinic", str(profile)]
    result = runner.invoke(app, [*args, "--large-print", "--out", str(out)])
    assert result.exit_code == 0, result.output
    pages, text, _ = pdf_text(out.read_bytes())
    assert pages == 1
    assert "Riverside Pain Clinic" in text
    assert "Pump clinic: 555-0100" in " ".join(text.split())
    assert "Care team:" not in text
    html = tmp_path / "sheet.html"
    runner.invoke(app, [*args, "--large-print", "--out", str(html)])
    page = html.read_text(encoding="utf-8")
    assert "font-size: 14pt" in page
    assert "<td>555-0199</td>" in page
