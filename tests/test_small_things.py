"""The small things people expect: short help, one name for the day, honest refusals and warnings."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pumpcare.cli import app

PLAN = ["--surgery-date", "2026-12-01"]


@pytest.mark.parametrize("command", [[], ["plan"], ["log"], ["log", "refill"], ["rules"], ["rules", "check"]])
def test_dash_h_is_help(runner: CliRunner, command: list[str]) -> None:
    short, long = runner.invoke(app, [*command, "-h"]), runner.invoke(app, [*command, "--help"])
    assert (short.exit_code, short.stdout) == (0, long.stdout)


def test_plan_takes_date_like_today_and_next_and_keeps_today_as_a_hidden_alias(runner: CliRunner) -> None:
    by_date = runner.invoke(app, ["plan", *PLAN, "--date", "2026-12-20"], env={"COLUMNS": "120"})
    by_today = runner.invoke(app, ["plan", *PLAN, "--today", "2026-12-20"], env={"COLUMNS": "120"})
    assert by_date.stdout == by_today.stdout
    assert "» Today" in by_date.stdout
    assert "--today" not in runner.invoke(app, ["plan", "--help"]).stdout


def test_handout_refuses_an_extension_it_does_not_write(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["handout", *PLAN, "--out", str(tmp_path / "sheet.docx")])
    assert (result.exit_code, result.stderr) == (
        1,
        "pumpcare: handout writes a PDF or a web page, not .docx; name the file sheet.pdf or .html\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_chart_with_json_says_it_draws_nothing(runner: CliRunner) -> None:
    result = runner.invoke(app, ["plan", *PLAN, "--chart", "--json"])
    assert result.exit_code == 0
    assert result.stderr == (
        "pumpcare: warning: --chart draws on the screen only; the JSON and the calendar are written without it\n"
    )


def test_the_chart_names_today_only_when_it_draws_it(runner: CliRunner) -> None:
    before = runner.invoke(app, ["plan", *PLAN, "--chart", "--date", "2026-11-20"], env={"COLUMNS": "80"}).stdout
    during = runner.invoke(app, ["plan", *PLAN, "--chart", "--date", "2026-12-20"], env={"COLUMNS": "80"}).stdout
    assert "today" not in before.split("may end")[1]
    assert "│ today   ◆ follow-up visit" in during


def test_a_surgery_years_ahead_gets_a_word_of_doubt_never_a_question(runner: CliRunner) -> None:
    result = runner.invoke(app, ["plan", "--surgery-date", "2150-03-01", "--json"])
    assert result.exit_code == 0
    assert result.stderr.startswith("pumpcare: warning: the surgery date 2150-03-01 is more than a year from today (")
    assert result.stderr.endswith("); check the year\n")


def test_a_bad_order_typed_now_is_not_blamed_on_the_saved_plan(runner: CliRunner, config_dir: Path) -> None:
    runner.invoke(app, ["plan", *PLAN, "--save"])
    typed = runner.invoke(app, ["plan", "--set", "no-drving=3w"])
    assert typed.stderr == "pumpcare: there is no rule 'no-drving' to set; did you mean 'no-driving'?\n"
    (config_dir / "plan.yaml").write_text(
        (config_dir / "plan.yaml").read_text(encoding="utf-8").replace("set: []", "set: [no-drving=3w]"),
        encoding="utf-8",
    )
    saved = runner.invoke(app, ["plan"])
    # The record's history is fine: the fix is the order, never deleting the record.
    assert saved.stderr == (
        "pumpcare: there is no rule 'no-drving' to set; did you mean 'no-driving'? (the order is kept in the saved "
        f"plan at {config_dir / 'plan.yaml'}; use the rule file it was made for, or remove the order from the "
        "file's `set:` list in a text editor)\n"
    )


def test_which_order_was_refused_is_known_in_any_language(runner: CliRunner, config_dir: Path) -> None:
    # The refusal names its rule as data, not by its English quotes: a Spanish answer points at the record too.
    runner.invoke(app, ["plan", *PLAN, "--save"])
    record = config_dir / "plan.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("set: []", "set: [no-drving=3w]"), encoding="utf-8")
    typed = runner.invoke(app, ["plan", "--set", "no-drving=3w", "--lang", "es"])
    saved = runner.invoke(app, ["plan", "--lang", "es"])
    assert saved.exit_code == typed.exit_code == 1
    assert str(record) in saved.stderr
    assert typed.stderr.startswith(saved.stderr.split(" (")[0])
    assert str(record) not in typed.stderr


@pytest.mark.parametrize(
    ("typed", "fix"), [("2026-12-1", "2026-12-01"), ("2026/12/01", "2026-12-01"), ("2026.1.2", "2026-01-02")]
)
def test_a_year_first_date_gets_its_iso_form(runner: CliRunner, typed: str, fix: str) -> None:
    result = runner.invoke(app, ["plan", "--surgery-date", typed])
    assert result.stderr == f"pumpcare: surgery date '{typed}' is not written YYYY-MM-DD; write it as {fix}\n"
