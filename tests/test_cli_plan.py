"""`pumpcare plan` through the CLI, as a patient, caregiver or nurse runs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest
from typer.testing import CliRunner

from pumpcare import __version__
from pumpcare.cli import app, app_for
from pumpcare.rule_file import shipped_rules_path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
WIDE = {"COLUMNS": "200"}


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"pumpcare {__version__}\n")


# Derived from the app, as sqlite-utils does, so a new command without help or a README entry fails here.
ALL_COMMANDS = [str(info.name) for info in app.registered_commands] + [str(g.name) for g in app.registered_groups]
COMMAND_PATHS = [[str(info.name)] for info in app.registered_commands] + [
    [str(group.name), str(sub.name)]
    for group in app.registered_groups
    if group.typer_instance is not None
    for sub in group.typer_instance.registered_commands
]


@pytest.mark.parametrize("command", [[], *COMMAND_PATHS], ids=lambda c: " ".join(c) or "root")
def test_every_command_has_help(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.stdout
    assert len(result.stdout.split("Options:")[0].strip().splitlines()) >= 3, "a command needs a help sentence"


@pytest.mark.parametrize("command", COMMAND_PATHS, ids=" ".join)
def test_every_command_and_option_is_in_the_readme(runner: CliRunner, command: list[str]) -> None:
    help_text = runner.invoke(app, [*command, "--help"]).stdout
    options = set(re.findall(r"(--[a-z][a-z-]+)", help_text)) - {"--help"}
    assert f"pumpcare {' '.join(command)}" in README
    assert sorted(option for option in options if f"`{option}" not in README) == []


def test_the_root_help_lists_every_command(runner: CliRunner) -> None:
    listed = runner.invoke(app, ["--help"]).stdout
    assert all(f"  {command} " in listed for command in ALL_COMMANDS)


def test_timeline_names_the_disclaimer_once_and_marks_today(runner: CliRunner) -> None:
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--today", "2026-12-20"], env=WIDE)
    assert result.exit_code == 0
    assert result.stdout.count("does not replace your care team") == 1
    lines = result.stdout.splitlines()
    [today] = [line for line in lines if "» Today" in line]
    assert today.split() == ["Sun", "20", "Dec", "2026", "day", "19", "·", "week", "2", "»", "Today"]
    assert lines.index(today) > next(i for i, line in enumerate(lines) if "Build up to 1–2 miles" in line)
    assert "No driving may end 15–29 Dec 2026 (ask your care team)" in result.stdout
    assert result.stderr == ""


def test_without_follow_up_nothing_is_invented(runner: CliRunner) -> None:
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--today", "2026-12-01"], env=WIDE)
    assert "No housework, yard work or sex, until you have had your follow-up visit; ask at the visit" in result.stdout
    assert "• Follow-up visit: ask your care team for the date." in result.stdout
    assert "• Pump refill visit: your care team sets them. To see them here" in result.stdout


def test_piped_output_has_no_escape_codes(runner: CliRunner) -> None:
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01"])
    assert "\x1b[" not in result.stdout


def test_no_color_on_a_terminal_keeps_bold_but_drops_colour(runner: CliRunner) -> None:
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01"], env={"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert "\x1b[1m" in result.stdout
    assert re.search(r"\x1b\[[0-9;]*(3[0-8]|9[0-7])[;m]", result.stdout) is None


def test_json_has_the_documented_shape(runner: CliRunner) -> None:
    args = ["plan", "--surgery-date", "2026-12-01", "--follow-up", "2027-01-05", "--set", "no-driving=3w", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert list(document) == [
        "format", "format_version", "disclaimer", "language", "rules", "surgery_date", "follow_up_date", "refills",
        "next_refill", "drug", "history", "overrides", "milestones", "unscheduled", "warnings",
    ]  # fmt: skip
    assert (document["format"], document["format_version"]) == ("pumpcare-plan", 1)
    assert document["overrides"] == [{"rule_id": "no-driving", "earliest": "3w", "latest": "3w"}]
    driving = next(m for m in document["milestones"] if m["key"] == "no-driving-ends")
    assert driving == {
        "key": "no-driving-ends",
        "kind": "ends",
        "title": "No driving",
        "category": "restriction",
        "earliest": "2026-12-22",
        "latest": "2026-12-22",
        "day": 21,
        "until": None,
        "until_waits_for": None,
        "remind": False,
        "set_by_care_team": True,
        "leaflet_timing": None,
        "done": False,
        "waits_for_visit": False,
        "deadline": None,
        "rules": [
            {
                "id": "no-driving",
                "title": "No driving",
                "text": "Avoid driving. Ask someone to drive you.",
                "source": "Avoid driving for 2-4 weeks after surgery.",
            }
        ],
    }
    movement = next(m for m in document["milestones"] if m["key"] == "movement-limits-ends")
    assert (movement["earliest"], movement["latest"]) == ("2027-01-12", "2027-01-26")
    assert document["unscheduled"] == [
        {
            "key": "reservoir-refill-due",
            "kind": "due",
            "waits_for": {"anchor": "refill", "earliest": "0d", "latest": "0d"},
            "title": "Pump refill visit",
            "rule_ids": ["reservoir-refill"],
        }
    ]


def test_ics_to_a_file_says_so_and_nothing_else(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "plan.ics"
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--ics", str(target)])
    assert result.exit_code == 0
    assert result.stderr == f"Calendar written to {target} (11 events); import it into your calendar app.\n"
    assert result.stdout == ""
    assert icalendar.Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert [p.name for p in tmp_path.iterdir()] == ["plan.ics"]


def test_ics_to_a_file_and_json_to_stdout(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "plan.ics"
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--ics", str(target), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["surgery_date"] == "2026-12-01"
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


def test_ics_replaces_an_older_calendar(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "plan.ics"
    target.write_bytes(b"old")
    runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--ics", str(target)])
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


def test_a_clinic_rule_file(runner: CliRunner, tmp_path: Path) -> None:
    clinic = tmp_path / "clinic.yaml"
    text = shipped_rules_path().read_text(encoding="utf-8")
    clinic.write_text(text.replace("until: {earliest: 2w, latest: 4w}", "until: {earliest: 3w, latest: 6w}"))
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--rules", str(clinic), "--json"])
    driving = next(m for m in json.loads(result.stdout)["milestones"] if m["key"] == "no-driving-ends")
    assert (driving["earliest"], driving["latest"]) == ("2026-12-22", "2027-01-12")


def test_set_takes_a_window(runner: CliRunner) -> None:
    args = ["plan", "--surgery-date", "2026-12-01", "--set", "no-lifting=7w..8w", "--set", "no-driving=2w", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert result.stderr == ""
    found = {m["key"]: (m["earliest"], m["latest"]) for m in json.loads(result.stdout)["milestones"]}
    assert found["no-lifting-ends"] == ("2027-01-19", "2027-01-26")
    assert found["no-driving-ends"] == ("2026-12-15", "2026-12-15")


def test_refills_with_both_options(runner: CliRunner) -> None:
    args = ["plan", "--surgery-date", "2026-12-01", "--refill-every", "3mo", "--first-refill", "2027-01-31", "--json"]
    document = json.loads(runner.invoke(app, args).stdout)
    visits = [m["earliest"] for m in document["milestones"] if m["key"].startswith("reservoir-refill-due")]
    # Each counted from the one before, as a refill logged on its day would be: 30 Apr, then the 30th.
    assert visits[:5] == ["2027-01-31", "2027-04-30", "2027-07-30", "2027-10-30", "2028-01-30"]
    # They go on to the battery's last day, seven years after surgery: no year-long silence after the first.
    assert visits[-1] == "2033-10-30"
    assert document["refills"] == {"first": "2027-01-31", "every": "3mo"}


def test_runs_from_any_working_directory(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "80"}
    result = subprocess.run(
        [sys.executable, "-m", "pumpcare", "plan", "--surgery-date", "2026-12-01", "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rules"]["name"] == "Intrathecal pain pump aftercare"


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_calendar_file_gets_a_normal_mode_and_keeps_an_existing_one(runner: CliRunner, tmp_path: Path) -> None:
    fresh, kept = tmp_path / "fresh.ics", tmp_path / "kept.ics"
    kept.write_bytes(b"old")
    kept.chmod(0o640)
    umask = os.umask(0o022)
    try:
        for target in (fresh, kept):
            runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--ics", str(target)])
    finally:
        os.umask(umask)
    assert (fresh.stat().st_mode & 0o777, kept.stat().st_mode & 0o777) == (0o644, 0o640)


HELP_IMPORTS = """
import sys
sys.argv = ["pumpcare", "--help"]
from pumpcare.__main__ import main
try:
    main()
except SystemExit:
    pass
heavy = {"ics", "arrow", "rich", "yaml", "dateutil", "pumpcare"}
print(sorted(name for name in sys.modules if name.split(".")[0] in heavy))
"""


def test_help_imports_neither_the_core_nor_the_calendar_library() -> None:
    result = subprocess.run([sys.executable, "-c", HELP_IMPORTS], capture_output=True, text=True, check=True)
    assert (
        result.stdout.splitlines()[-1]
        == "['pumpcare', 'pumpcare.__main__', 'pumpcare.cli', 'pumpcare.cli_clinic', 'pumpcare.cli_discharge', "
        "'pumpcare.cli_options', "
        "'pumpcare.cli_record', "
        "'pumpcare.cli_rules', 'pumpcare.cli_sync', 'pumpcare.errors', 'pumpcare.i18n', 'pumpcare.input_table']"
    )


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_a_narrow_console_encoding_never_crashes(encoding: str) -> None:
    env = {**os.environ, "PYTHONIOENCODING": encoding, "COLUMNS": "80"}
    result = subprocess.run(
        [sys.executable, "-m", "pumpcare", "plan", "--surgery-date", "2026-12-01", "--today", "2026-11-24"],
        env=env,
        capture_output=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, b"")
    text = result.stdout.decode(encoding)
    assert text.splitlines()[4] == "-" * 80
    assert "Nothing to eat after midnight" in text


@pytest.mark.parametrize("command", [["plan"], ["today", "--date", "2026-12-20"], ["next", "--date", "2026-12-20"]])
def test_an_ascii_console_gets_plain_look_alikes_not_question_marks(command: list[str]) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "pumpcare", *command, "--surgery-date", "2026-12-01", "--follow-up", "2027-01-05"],
        env=env,
        capture_output=True,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, b"")
    text = result.stdout.decode("ascii")
    assert "?" not in text
    assert "-29 Dec 2026" in text  # "15–29" with a plain hyphen
    assert "* " in text


@pytest.mark.parametrize(
    ("args", "commands"),
    [
        (["plan", "--surgery-date", "2026-12-01"], ["plan"]),
        (["rules", "list"], ["rules"]),
        (["--help"], ALL_COMMANDS),
        (["plna"], ALL_COMMANDS),
    ],
)
def test_the_entry_point_builds_only_the_command_it_runs(args: list[str], commands: list[str]) -> None:
    built = app_for(args)
    names = [info.name for info in built.registered_commands] + [info.name for info in built.registered_groups]
    assert sorted(names) == sorted(commands)


def test_a_typo_still_gets_the_full_list(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pumpcare", "plna"], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert result.returncode == 2
    assert "No such command 'plna'" in result.stderr
