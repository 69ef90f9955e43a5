"""Hostile rule-file content: control characters, texts and counts past their limits, letters the PDF font
lacks, and files big enough to stall a command or break the sheet's layout."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pypdf
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from pumpcare.cli import app
from pumpcare.durations import Duration, is_ordered
from pumpcare.errors import OutputError
from pumpcare.planning import make_plan
from pumpcare.render_pdf import render_pdf
from pumpcare.rule_file import load_rules
from pumpcare.rules import RuleSet
from pumpcare.rules_check import MAX_ENTRIES, MAX_TEXT
from pumpcare.sheet import make_sheet

CORPUS = Path(__file__).parent / "hostile" / "rules-content"
DATES = ["--surgery-date", "2026-12-01", "--follow-up", "2027-01-05"]
TO_HTML = "use --html for this sheet, or write the rule file's texts in Latin, Greek or Cyrillic letters"


def check(path: Path) -> Result:
    return CliRunner().invoke(app, ["rules", "check", "--allow-outside-leaflet", str(path)], env={"COLUMNS": "200"})


def handout(path: Path, out: Path, *extra: str) -> Result:
    return CliRunner().invoke(app, ["handout", *DATES, "--rules", str(path), "--out", str(out), *extra])


def pdf_text(path: Path) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return len(reader.pages), " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


# ── the corpus: each file with what must happen to it ──────────────────────────

REFUSED_AT_LOAD = {
    "control-characters.yaml": [
        "top level.name: has a control character (U+202E RIGHT-TO-LEFT OVERRIDE); remove it",
        "groups.limits.title: has a control character (U+009B); remove it",
        "rules[0] 'no-driving'.title: has a control character (ESC); remove it",
        "rules[0] 'no-driving'.text: has a control character (BEL); remove it",
        "rules[0] 'no-driving'.source: has a control character (NUL); remove it",
        "rules[1] 'no-lifting'.source: has a control character (CR); remove it",
    ],
    "over-limits.yaml": [
        "top level.name: is 121 characters long; shorten it to at most 120",
        "top level.version: is 41 characters long; shorten it to at most 40",
        "groups.limits.title: is 81 characters long; shorten it to at most 80",
        "rules[0] 'no-driving'.title: is 81 characters long; shorten it to at most 80",
        "rules[0] 'no-driving'.text: is 601 characters long; shorten it to at most 600",
        "rules[0] 'no-driving'.source: is 1,001 characters long; shorten it to at most 1,000",
    ],
}
PDF_REFUSED = {
    "cjk-title.yaml": "the PDF font has no letter for '不' in the line '不要开车 (no driving)' under 'Avoid'",
    "hebrew-text.yaml": (
        "the PDF cannot write right-to-left letters such as 'ה' in 'Fever' under 'When to call your care team'"
    ),
}
PDF_WRITTEN = {
    # file: (pages, texts the PDF must carry)
    "greek-cyrillic-polish.yaml": (
        1,
        [
            "Όχι οδήγηση",
            "Не поднимайте тяжести",
            "Gorączka. Zadzwoń do zespołu, jeśli masz gorączkę powyżej 38°C. Łódź, źdźbło, żółć.",
            "Rules: Βόρεια κλινική · Северная клиника · Klinika Północna, version 1.",
        ],
    ),
    "fifty-two-restrictions.yaml": (
        3,
        [f"Movement limit {n}" for n in range(1, 53)],
    ),  # 4 pages at 12 pt; a point smaller saves one
}


def test_every_corpus_file_has_an_expected_outcome() -> None:
    expected = {*REFUSED_AT_LOAD, *PDF_REFUSED, *PDF_WRITTEN}
    assert sorted(path.name for path in CORPUS.glob("*.yaml")) == sorted(expected)


@pytest.mark.parametrize("name", sorted(REFUSED_AT_LOAD))
def test_check_lists_every_problem_with_where_it_is(name: str) -> None:
    path = CORPUS / name
    result = check(path)
    problems = REFUSED_AT_LOAD[name]
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == "".join(f"{path}: {problem}\n" for problem in problems) + (
        f"{path}: {len(problems)} problems; fix them and check again.\n"
    )


@pytest.mark.parametrize("name", sorted(REFUSED_AT_LOAD))
def test_a_refused_file_writes_no_sheet_and_prints_no_control_character(name: str, tmp_path: Path) -> None:
    result = handout(CORPUS / name, tmp_path / "sheet.pdf")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pumpcare: rule file {CORPUS / name} has 6 problems; fix them and try again:\n")
    assert all(char in "\n\t" or char.isprintable() for char in result.stderr)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", sorted(PDF_REFUSED))
def test_a_letter_the_pdf_cannot_draw_is_refused_and_html_still_works(name: str, tmp_path: Path) -> None:
    assert check(CORPUS / name).exit_code == 0
    out = tmp_path / "sheet.pdf"
    out.write_bytes(b"yesterday's sheet")
    result = handout(CORPUS / name, out)
    assert (result.exit_code, result.stderr) == (1, f"pumpcare: {PDF_REFUSED[name]}; {TO_HTML}\n")
    assert out.read_bytes() == b"yesterday's sheet"
    assert [path.name for path in tmp_path.iterdir()] == ["sheet.pdf"]  # no temporary file left behind
    assert handout(CORPUS / name, tmp_path / "sheet.html").exit_code == 0


@pytest.mark.parametrize("name", sorted(PDF_WRITTEN))
def test_the_sheet_carries_every_letter_and_every_rule(name: str, tmp_path: Path) -> None:
    assert check(CORPUS / name).exit_code == 0
    result = handout(CORPUS / name, tmp_path / "sheet.pdf")
    assert result.exit_code == 0, result.stderr
    pages, text = pdf_text(tmp_path / "sheet.pdf")
    expected_pages, expected_texts = PDF_WRITTEN[name]
    assert pages == expected_pages
    assert [expected for expected in expected_texts if expected not in text] == []


# ── counts and lengths: over the limits is refused, at the limits works ────────


def limits_file(extra: int = 0) -> dict[str, Any]:
    """A rule file with as many rules, groups, documents and drugs as allowed (plus extra), every text full."""

    def full(word: str, length: int) -> str:
        return (f"{word} " * length)[: length - 1] + "."

    windows = [("1mo", "31d"), ("13mo", "57w"), ("1y", "12mo"), ("2w", "1mo"), ("-1mo", "-1w")]
    rules = []
    for index in range(MAX_ENTRIES["rules"] + extra):
        earliest, latest = windows[index % len(windows)]
        category = ("restriction", "safety", "activity", "device")[index % 4]
        rule = {
            "id": f"rule-{index}",
            "title": full(f"Rule {index}", MAX_TEXT["title"]),
            "category": category,
            "text": full("Do as the leaflet says", MAX_TEXT["text"]),
            "source": full("The leaflet says so", MAX_TEXT["source"]),
            "from": "-2mo" if earliest.startswith("-") else "0d",
            "until": {"earliest": earliest, "latest": latest},
        }
        if category == "restriction":
            rule["group"] = f"group-{index % 10}"
        rules.append(rule)
    return {
        "schema": 1,
        "name": full("North clinic", MAX_TEXT["name"]),
        "version": "1" * MAX_TEXT["version"],
        "source": full("North clinic leaflet", MAX_TEXT["source"]),
        "documents": {
            f"doc-{n}": {"title": full("Label", 200), "publisher": full("Maker", MAX_TEXT["publisher"])}
            for n in range(MAX_ENTRIES["documents"] + extra)
        },
        "drugs": {
            f"drug-{n}": {
                "name": full("Drug", MAX_TEXT["name"]),
                "text": full("Warning", MAX_TEXT["text"]),
                "source": full("Label", MAX_TEXT["source"]),
                "cites": f"doc-{n}",
            }
            for n in range(MAX_ENTRIES["drugs"] + extra)
        },
        "groups": {
            f"group-{n}": {"title": full(f"Group {n}", MAX_TEXT["title"])} for n in range(MAX_ENTRIES["groups"] + extra)
        },
        "rules": rules,
    }


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_one_more_of_anything_is_refused_with_the_limit(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "big.yaml", limits_file(extra=1))
    result = check(path)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:4] == [
        f"{path}: top level.rules: has 201 entries; a rule file holds at most 200, so remove some",
        f"{path}: top level.groups: has 201 entries; a rule file holds at most 200, so remove some",
        f"{path}: top level.documents: has 51 entries; a rule file holds at most 50, so remove some",
        f"{path}: top level.drugs: has 51 entries; a rule file holds at most 50, so remove some",
    ]


def test_a_file_at_every_limit_loads_and_every_sheet_is_written(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "full.yaml", limits_file())
    result = check(path)
    assert result.exit_code == 0, result.stdout
    assert f"{path}: 200 rules, no problems" in result.stdout
    pdf = handout(path, tmp_path / "sheet.pdf")
    assert pdf.exit_code == 0, pdf.stderr
    pages, text = pdf_text(tmp_path / "sheet.pdf")
    assert pages > 1
    assert f"pumpcare: warning: the sheet runs to {pages} pages" in pdf.stderr
    assert "Care team:" in text
    assert handout(path, tmp_path / "sheet.html").exit_code == 0
    plan = CliRunner().invoke(app, ["plan", *DATES, "--rules", str(path)])
    assert plan.exit_code == 0, plan.stderr


def test_the_shipped_rules_leave_room_under_every_limit(shipped: RuleSet) -> None:
    assert len(shipped.rules) <= MAX_ENTRIES["rules"] // 4
    for key in ("title", "text", "source"):
        longest = max(len(getattr(rule, key)) for rule in shipped.rules)
        assert longest <= MAX_TEXT[key] * 3 // 4, key
    assert max(len(title) for title in shipped.groups.values()) <= MAX_TEXT["title"] * 3 // 4


def test_a_layout_reportlab_gives_up_on_is_one_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Only reachable without the row cutting: a cell of 200 titles, taller than any page.
    data = limits_file()
    for rule in data["rules"]:
        rule.update(category="restriction", group="group-0", until={"earliest": "2w", "latest": "4w"})
    ruleset = load_rules(write_yaml(tmp_path / "one-group.yaml", data))
    sheet = make_sheet(make_plan(ruleset, date(2026, 12, 1)))
    assert render_pdf(sheet).pages > 1
    monkeypatch.setattr("pumpcare.render_pdf._MAX_ROW_HEIGHT", 100_000.0)
    with pytest.raises(OutputError) as caught:
        render_pdf(sheet)
    assert str(caught.value) == (
        "the sheet cannot be laid out: a line is too long for the page; shorten it, or use --html"
    )


# ── windows of mixed units: the quick answer is the walked one ─────────────────


def walked(earliest: Duration, latest: Duration) -> bool:
    """The order from every day of a common and a leap year: what is_ordered must always agree with."""
    days = (date(2027, 1, 1) + timedelta(days=offset) for offset in range(365 + 366))
    return all(earliest.after(day) <= latest.after(day) for day in days)


@pytest.mark.parametrize(
    ("earliest", "latest", "ordered"),
    [
        (Duration(1, "months"), Duration(31, "days"), True),
        (Duration(1, "months"), Duration(30, "days"), False),
        (Duration(28, "days"), Duration(1, "months"), True),
        (Duration(29, "days"), Duration(1, "months"), False),
        (Duration(12, "months"), Duration(1, "years"), True),
        (Duration(1, "years"), Duration(365, "days"), False),
        (Duration(1, "years"), Duration(366, "days"), True),
        (Duration(-1, "months"), Duration(-28, "days"), True),
        (Duration(-1, "months"), Duration(-29, "days"), False),
        (Duration(13, "months"), Duration(57, "weeks"), True),
    ],
)
def test_mixed_units_at_their_edges(earliest: Duration, latest: Duration, ordered: bool) -> None:
    assert is_ordered(earliest, latest) is ordered
    assert walked(earliest, latest) is ordered


durations = st.builds(
    Duration,
    st.integers(min_value=-40, max_value=40),
    st.sampled_from(["days", "weeks", "months", "years"]),
) | st.builds(Duration, st.integers(min_value=-800, max_value=800), st.just("days"))


@given(earliest=durations, latest=durations)
def test_is_ordered_agrees_with_the_walk(earliest: Duration, latest: Duration) -> None:
    assert is_ordered(earliest, latest) == walked(earliest, latest)


@pytest.mark.parametrize("container", [tuple, list], ids=["tuple", "list"])
def test_a_sheet_made_through_the_api_is_checked_whatever_holds_its_lines(container: type, shipped: RuleSet) -> None:
    from pumpcare.sheet import Line

    sheet = make_sheet(make_plan(shipped, date(2026, 12, 1)), None, today=date(2026, 12, 1))
    # The annotation says tuples; a caller of the Python API may still pass a list. Either way, no letter slips by.
    odd = sheet._replace(call_when=container([*sheet.call_when, Line("Call at once", "if you see 漢")]))
    with pytest.raises(OutputError, match="the PDF font has no letter for '漢' in 'Call at once'"):
        render_pdf(odd)
