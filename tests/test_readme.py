"""The README shows what a newcomer sees: its samples are the commands' real output, its facts the code's.

The samples follow the conventions at the top of scripts/regen_readme.py; after an intended output change run
`python scripts/regen_readme.py` and read `git diff README.md`.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from pumpcare.cli import app
from pumpcare.rule_file import load_rules

ROOT = Path(__file__).resolve().parents[1]


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


regen = _script("regen_readme")
TEXT = regen.README.read_text(encoding="utf-8")
SECTIONS = regen.sections(regen.samples(TEXT))


def test_the_readme_has_its_samples() -> None:
    # A fence edited out of the `$ pumpcare` form would silently stop being checked.
    assert list(SECTIONS) == [
        "For patients: your plan",
        "Every day: `today` and `next`",
        "The pump's whole life: refills, the battery, and your record",
        "In Spanish: `--lang es`",
        "For nurses: tailoring the plan",
    ]
    assert sum(len(group) for group in SECTIONS.values()) == 11


@pytest.mark.parametrize("section", list(SECTIONS))
def test_readme_samples_are_the_real_output(section: str, tmp_path: Path) -> None:
    with regen.fixed_clock():
        for sample in SECTIONS[section]:
            assert "\n".join(sample.lines) == "\n".join(regen.regenerate_sample(sample, tmp_path)), sample.name


def test_the_readme_names_the_day_its_samples_were_made() -> None:
    assert f"made on {regen.TODAY:%a} {regen.TODAY.day} {regen.TODAY:%b %Y}" in TEXT


@pytest.mark.parametrize(
    ("shown", "produced", "expected"),
    [
        # No cut: the whole output.
        (["a", "b"], ["a", "c", "d"], ["a", "c", "d"]),
        # A head keeps its number of lines.
        (["a", "b", "..."], ["x", "y", "z"], ["x", "y", "..."]),
        # A tail is found by its first line and runs to the end.
        (["...", "Your pump", "old"], ["a", "Your pump", "new", "more"], ["...", "Your pump", "new", "more"]),
        # A middle excerpt is found by its first line and keeps its number of lines.
        (["a", "...", "m", "n", "..."], ["a", "b", "m", "N", "o"], ["a", "...", "m", "N", "..."]),
    ],
)
def test_an_excerpt_keeps_its_cut(shown: list[str], produced: list[str], expected: list[str]) -> None:
    assert regen.regenerate(shown, produced, "here") == expected


def test_an_excerpt_whose_first_line_is_gone_is_left_to_a_person() -> None:
    with pytest.raises(regen.SampleError, match="excerpt starting 'Your pump' is no longer in the output"):
        regen.regenerate(["...", "Your pump"], ["a", "b"], "here")


def test_a_sample_that_shows_a_day_gives_it(tmp_path: Path) -> None:
    with pytest.raises(regen.SampleError, match="give it with --date"):
        regen.run("pumpcare today --surgery-date 2026-12-01", tmp_path, "here")


def test_extras_install_from_a_clone() -> None:
    # `pumpcare[fast]` asks PyPI for a package named pumpcare; a clone installs its extras as `.[fast]`,
    # quoted so zsh does not read the brackets as a pattern.
    assert "pumpcare[" not in TEXT
    mentions = re.findall(r"[^\s`]*\[(?:sync|fast|test)\][^\s`]*", TEXT)
    assert sorted(set(mentions)) == ['".[fast]"', '".[test]"'], mentions


def test_sync_needs_no_calendar_library(monkeypatch: pytest.MonkeyPatch) -> None:
    # sync speaks CalDAV with the standard library: without caldav installed it still gets as far as the server.
    monkeypatch.setitem(sys.modules, "caldav", None)  # import caldav now raises ImportError
    monkeypatch.setenv("PUMPCARE_CALDAV_PASSWORD", "secret")
    args = ["sync", "--caldav", "http://127.0.0.1:9/cal/", "--user", "ana", "--surgery-date", "2026-12-01"]
    result = CliRunner().invoke(app, [*args, "--patient-label", "Bed 4"])
    assert result.exit_code == 1
    assert result.stderr == (
        "pumpcare: cannot reach http://127.0.0.1:9/cal/ (connection refused or timed out); check the address and "
        "the network\n"
    )


NUMBERS = ["plan", "--surgery-date", "2026-12-01", "--fill-volume", "20mL", "--concentration", "2mg/mL"]
NUMBERS += ["--daily-dose", "0.5mg/day", "--date", "2026-12-01"]


def test_the_numbers_need_the_alarm_volume_from_the_command_line() -> None:
    result = CliRunner().invoke(app, NUMBERS)
    assert result.exit_code == 1
    assert result.stderr == (
        "pumpcare: the refill date from the pump's numbers needs the alarm volume; give --alarm-volume from the "
        "programmer's printout, such as 2mL\n"
    )
    assert "is required with\nthe three numbers, unless a clinic's rule file sets `reservoir.alarm_volume`" in TEXT


def test_or_from_a_clinic_rule_file_that_sets_it(tmp_path: Path) -> None:
    runner = CliRunner()
    clinic = tmp_path / "clinic.yaml"
    assert runner.invoke(app, ["rules", "init", str(clinic)]).exit_code == 0
    with clinic.open("a", encoding="utf-8") as file:
        file.write(
            "reservoir:\n  alarm_volume: 2mL\n  source: Our programmers set the low-reservoir alarm at 2 mL.\n"
            "  cites: medtronic-advisory-2011\n"
        )
    result = runner.invoke(app, [*NUMBERS, "--rules", str(clinic), "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["next_refill"]["explanation"] == (
        "20 mL at 0.25 mL a day reaches the 2 mL alarm on Thu 11 Feb 2027. These are your care team's numbers; ask "
        "your pump clinic if they have changed."
    )


def test_the_rule_count_and_ids_are_the_shipped_rules(tmp_path: Path) -> None:
    runner = CliRunner()
    clinic = tmp_path / "clinic.yaml"
    assert runner.invoke(app, ["rules", "init", str(clinic)]).exit_code == 0
    result = runner.invoke(app, ["rules", "check", str(clinic)])
    assert result.stdout.replace(str(clinic), "clinic.yaml") == "clinic.yaml: 28 rules, no problems.\n"
    assert "A clean file prints\n  `clinic.yaml: 28 rules, no problems.`" in TEXT
    listed = re.search(r"Rule ids: (.*?)\.\n", TEXT, re.DOTALL)
    assert listed is not None
    assert re.findall(r"`([a-z-]+)`", listed.group(1)) == [rule.id for rule in load_rules().rules]


def test_the_sheet_picture_is_made_by_the_command_under_it() -> None:
    picture = _script("sheet_picture")
    assert picture.readme_command() == (
        "pumpcare handout --surgery-date 2026-12-01 --follow-up 2027-01-05 --refill-every 12w --first-refill "
        '2027-01-26 --patient-label "Bed 4" --date 2026-12-03 --clinic clinic.yaml --out sheet.pdf'
    )
    # The profile the command names as clinic.yaml is the one the README shows.
    assert f"```yaml\n{picture.PROFILE}```" in TEXT
