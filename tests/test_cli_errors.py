"""Every way `pumpcare plan` refuses bad input: the message on stderr, exit 1, nothing on stdout, no traceback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from pumpcare.cli import app

SURGERY = ["plan", "--surgery-date", "2026-12-01"]
REFILL_EVERY = [*SURGERY, "--first-refill", "2027-02-01", "--refill-every"]
OLD_CALENDAR = b"BEGIN:VCALENDAR\r\nX-NOTE:the patient's current calendar\r\nEND:VCALENDAR\r\n"
skip_unless_permissions_apply = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="needs a non-root POSIX user: root can write to a read-only folder",
)


def run(args: list[str], env: dict[str, str] | None = None) -> Result:
    # The typer in use keeps stderr apart: result.stdout and result.stderr are separate, result.output has both.
    return CliRunner().invoke(app, args, env=env, prog_name="pumpcare")


def assert_refused(result: Result, stderr: str, exit_code: int = 1) -> None:
    """Only the message: nothing on stdout, and no exception escaped (the runner stores those instead)."""
    assert (result.exit_code, result.stderr, result.stdout) == (exit_code, stderr, "")
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file's bytes and every folder (None) under folder, hidden ones included."""
    return {str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes() for p in sorted(folder.rglob("*"))}


BAD_INPUT = [
    # Dates
    pytest.param(
        ["plan", "--surgery-date", "2026-02-30"],
        "pumpcare: surgery date 2026-02-30 is not a real date; check the day and month\n",
        id="impossible-date",
    ),
    pytest.param(
        ["plan", "--surgery-date", "01/02/2026"],
        "pumpcare: surgery date '01/02/2026' could be read more than one way; "
        "write it as YYYY-MM-DD, such as 2026-12-01\n",
        id="ambiguous-date",
    ),
    pytest.param(
        ["plan", "--surgery-date", "2026-1-2"],
        "pumpcare: surgery date '2026-1-2' is not written YYYY-MM-DD; write it as 2026-01-02\n",
        id="unpadded-date",
    ),
    pytest.param(
        ["plan", "--surgery-date", "next tuesday"],
        "pumpcare: surgery date 'next tuesday' is not a date; write it as YYYY-MM-DD, such as 2026-12-01\n",
        id="not-a-date",
    ),
    pytest.param(
        ["plan", "--surgery-date", ""],
        "pumpcare: surgery date '' is not a date; write it as YYYY-MM-DD, such as 2026-12-01\n",
        id="empty-surgery-date",
    ),
    pytest.param(
        [*SURGERY, "--follow-up", "2026-04-31"],
        "pumpcare: follow-up date 2026-04-31 is not a real date; check the day and month\n",
        id="impossible-follow-up",
    ),
    pytest.param(
        [*SURGERY, "--follow-up", ""],
        "pumpcare: follow-up date '' is not a date; write it as YYYY-MM-DD, such as 2026-12-01\n",
        id="empty-follow-up",
    ),
    pytest.param(
        [*SURGERY, "--follow-up", "2026-11-20"],
        "pumpcare: follow-up date 2026-11-20 is before the surgery date 2026-12-01; check the dates\n",
        id="follow-up-before-surgery",
    ),
    pytest.param(
        [*SURGERY, "--follow-up", "2026-12-01"],
        "pumpcare: follow-up date 2026-12-01 is the surgery date 2026-12-01; check the dates\n",
        id="follow-up-on-surgery-day",
    ),
    pytest.param(
        [*SURGERY, "--first-refill", "2026-11-20", "--refill-every", "12w"],
        "pumpcare: first refill date 2026-11-20 is before the surgery date 2026-12-01; check the dates\n",
        id="first-refill-before-surgery",
    ),
    pytest.param(
        [*SURGERY, "--first-refill", "2026-12-01", "--refill-every", "12w"],
        "pumpcare: first refill date 2026-12-01 is the surgery date 2026-12-01; check the dates\n",
        id="first-refill-on-surgery-day",
    ),
    pytest.param(
        [*SURGERY, "--first-refill", "1/3/2027", "--refill-every", "12w"],
        "pumpcare: first refill date '1/3/2027' could be read more than one way; "
        "write it as YYYY-MM-DD, such as 2026-12-01\n",
        id="ambiguous-first-refill",
    ),
    pytest.param(
        [*SURGERY, "--today", "2026-02-30"],
        "pumpcare: --today 2026-02-30 is not a real date; check the day and month\n",
        id="impossible-today",
    ),
    pytest.param(
        [*SURGERY, "--json", "--today", "2026-02-30"],
        "pumpcare: --today 2026-02-30 is not a real date; check the day and month\n",
        id="impossible-today-with-json",
    ),
    pytest.param(
        [*SURGERY, "--ics", "-", "--today", "2026-02-30"],
        "pumpcare: --today 2026-02-30 is not a real date; check the day and month\n",
        id="impossible-today-with-ics-stdout",
    ),
    # Refill visits
    pytest.param(
        [*SURGERY, "--refill-every", "12w"],
        "pumpcare: refill visits need both --refill-every and --first-refill; give both or neither\n",
        id="refill-every-alone",
    ),
    pytest.param(
        [*SURGERY, "--first-refill", "2027-02-01"],
        "pumpcare: refill visits need both --refill-every and --first-refill; give both or neither\n",
        id="first-refill-alone",
    ),
    pytest.param(
        [*REFILL_EVERY, "0d"],
        "pumpcare: refill interval 0d is not longer than zero; give it as a duration such as 12w or 3mo\n",
        id="zero-interval",
    ),
    pytest.param(
        [*REFILL_EVERY, "-2w"],
        "pumpcare: refill interval -2w is not longer than zero; give it as a duration such as 12w or 3mo\n",
        id="negative-interval",
    ),
    pytest.param(
        [*REFILL_EVERY, "12"],
        "pumpcare: --refill-every: '12' is not a duration; write a whole number and a unit, "
        "such as 2w, 6 weeks, 3mo or 5y\n",
        id="interval-without-unit",
    ),
    pytest.param(
        [*REFILL_EVERY, "3m"],
        "pumpcare: --refill-every: '3m' is ambiguous; write 'mo' or 'months' for months\n",
        id="interval-3m-ambiguous",
    ),
    pytest.param(
        [*REFILL_EVERY, "2 fortnights"],
        "pumpcare: --refill-every: '2 fortnights' has an unknown unit 'fortnights'; "
        "use d (days), w (weeks), mo (months) or y (years)\n",
        id="interval-unknown-unit",
    ),
    # Clinicians' --set orders
    pytest.param(
        [*SURGERY, "--set", "no-drivng=6w"],
        "pumpcare: there is no rule 'no-drivng' to set; did you mean 'no-driving'?\n",
        id="set-unknown-rule-with-hint",
    ),
    pytest.param(
        [*SURGERY, "--set", "xyzzy=6w"],
        "pumpcare: there is no rule 'xyzzy' to set; check the rule ids in the rule file\n",
        id="set-unknown-rule-without-hint",
    ),
    pytest.param(
        [*SURGERY, "--set", "no-driving 6w"],
        "pumpcare: --set 'no-driving 6w' needs the form RULE_ID=DURATION or RULE_ID=EARLIEST..LATEST, "
        "such as no-driving=6w\n",
        id="set-without-equals",
    ),
    pytest.param(
        [*SURGERY, "--set", "no-driving="],
        "pumpcare: --set 'no-driving=' needs the form RULE_ID=DURATION or RULE_ID=EARLIEST..LATEST, "
        "such as no-driving=6w\n",
        id="set-without-duration",
    ),
    pytest.param(
        [*SURGERY, "--set", "no-driving=3m"],
        "pumpcare: --set no-driving: '3m' is ambiguous; write 'mo' or 'months' for months\n",
        id="set-3m-ambiguous",
    ),
    pytest.param(
        [*SURGERY, "--set", "no-driving=4w..2w"],
        "pumpcare: --set no-driving: earliest 4w is after latest 2w; swap them\n",
        id="set-earliest-after-latest",
    ),
    pytest.param(
        [*SURGERY, "--set", "no-driving=3w", "--set", "no-driving=4w"],
        "pumpcare: rule 'no-driving' is set twice; keep one --set for it\n",
        id="set-twice",
    ),
    pytest.param(
        [*SURGERY, "--set", "reservoir-refill=12w"],
        "pumpcare: rule 'reservoir-refill' follows the refill schedule; change --refill-every instead\n",
        id="set-refill-rule",
    ),
    # Output
    pytest.param(
        [*SURGERY, "--json", "--ics", "-"],
        "pumpcare: --json and --ics - both write to stdout; write the calendar to a file instead\n",
        id="json-and-ics-stdout",
    ),
]


@pytest.mark.parametrize(("args", "stderr"), BAD_INPUT)
def test_bad_input_is_refused_with_one_message(args: list[str], stderr: str) -> None:
    assert_refused(run(args), stderr)


@pytest.mark.parametrize("command", ["plan", "today", "next"])
def test_no_surgery_date_and_no_saved_plan(command: str) -> None:
    stderr = (
        "pumpcare: no surgery date: give --surgery-date YYYY-MM-DD, or save a plan first with "
        "`pumpcare plan --surgery-date YYYY-MM-DD --save`\n"
    )
    assert_refused(run([command]), stderr)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["plan", "--surgery-date", "9999-12-01"], id="surgery-near-year-9999"),
        pytest.param(["plan", "--surgery-date", "0001-01-01"], id="surgery-in-year-1"),
        pytest.param([*REFILL_EVERY, "9999y"], id="refill-every-9999y"),
        pytest.param([*SURGERY, "--set", "no-driving=8000y"], id="set-8000y"),
        pytest.param([*SURGERY, "--set", "no-driving=1w..9999y"], id="set-window-to-9999y"),
    ],
)
def test_dates_out_of_the_calendar_are_refused_without_traceback(args: list[str]) -> None:
    result = run(args)
    assert (result.exit_code, result.stdout) == (1, "")
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stderr.startswith("pumpcare: ")
    assert result.stderr.count("\n") == 1


def test_set_ending_before_the_restriction_starts_is_refused() -> None:
    result = run([*SURGERY, "--set", "no-driving=-1w"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("pumpcare: ")
    assert "warning" not in result.stderr


def test_set_outside_the_leaflet_window_warns_and_makes_the_plan() -> None:
    result = run([*SURGERY, "--set", "no-driving=6w"])
    assert result.exit_code == 0, result.exception
    assert result.stderr == (
        "pumpcare: warning: no-driving=6w is outside the rule file's 2–4 weeks for 'no-driving'; "
        "the plan uses it as set\n"
    )
    assert "No driving" in result.stdout


def test_set_on_a_follow_up_rule_warns_in_plain_words() -> None:
    result = run([*SURGERY, "--follow-up", "2027-01-10", "--set", "no-housework=6w"])
    assert result.exit_code == 0, result.exception
    assert result.stderr.startswith("pumpcare: warning: no-housework=6w ")
    assert "follow-up visit" in result.stderr
    assert "rule file's at the" not in result.stderr


MINIMAL_RULES = b"""\
schema: 1
name: Clinic rules
version: "1"
source: Clinic leaflet
rules:
  - id: no-driving
    title: No driving
    category: restriction
    text: Do not drive.
    source: Avoid driving for 2-4 weeks after surgery.
    until: {earliest: 2w, latest: 4w}
"""


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        pytest.param("missing.yaml", None, "no such file; check the path", id="missing-file"),
        # "" names tmp_path itself.
        pytest.param("", None, "it is a folder; give the path of a .yaml rule file", id="folder"),
        pytest.param(
            "rules.yaml",
            b"",
            "the file is empty; start from the shipped rules (data/aftercare.yaml)",
            id="empty-file",
        ),
        pytest.param(
            "rules.yaml",
            b'name: "Clinic rules\nAvoid driving for 2-4 weeks.\n',
            "not valid YAML at line 3, column 1: found unexpected end of stream"
            " (while scanning a quoted scalar started at line 1, column 7)",
            id="not-yaml",
        ),
        pytest.param(
            "rules.yaml",
            b"- no-driving\n- no-lifting\n",
            "the top level must be a mapping with schema, name, version, source and rules",
            id="list-at-top-level",
        ),
        pytest.param(
            "rules.yaml",
            MINIMAL_RULES + b"#" * (1_000_001 - len(MINIMAL_RULES)),
            "the file is 1,000,001 bytes; a rule file is at most 1,000,000 bytes",
            id="over-1000000-bytes",
        ),
        pytest.param(
            "rules.yaml",
            MINIMAL_RULES + b"    remnd: true\n",
            "rules[0] 'no-driving': unknown key 'remnd'; did you mean 'remind'?",
            id="unknown-key",
        ),
    ],
)
def test_unusable_rule_file_is_refused(tmp_path: Path, name: str, content: bytes | None, problem: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = run([*SURGERY, "--rules", str(path)])
    assert_refused(result, f"pumpcare: rule file {path} has 1 problem; fix it and try again:\n  - {problem}\n")


@pytest.fixture
def out(tmp_path: Path) -> Iterator[Path]:
    """A folder holding the patient's current calendar, a folder named like a calendar, a file and a locked folder."""
    (tmp_path / "plan.ics").write_bytes(OLD_CALENDAR)
    (tmp_path / "folder.ics").mkdir()
    (tmp_path / "folder.ics" / "notes.txt").write_bytes(b"keep me\n")
    (tmp_path / "notes.txt").write_bytes(b"not a folder\n")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "plan.ics").write_bytes(OLD_CALENDAR)
    (tmp_path / "locked").chmod(0o555)
    yield tmp_path
    (tmp_path / "locked").chmod(0o755)


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        pytest.param(
            "missing/plan.ics",
            "the folder {folder} does not exist; create it or choose another",
            id="missing-folder",
        ),
        pytest.param("folder.ics", "it is a folder; give the path of a file in it", id="existing-folder"),
        pytest.param(
            "locked/plan.ics",
            "permission denied; choose a folder you can write to",
            id="read-only-folder",
            marks=skip_unless_permissions_apply,
        ),
    ],
)
def test_calendar_that_cannot_be_written_leaves_the_folder_as_it_was(out: Path, target: str, reason: str) -> None:
    before = snapshot(out)
    path = out / target
    result = run([*SURGERY, "--ics", str(path)])
    assert_refused(result, f"pumpcare: cannot write {path}: {reason.format(folder=path.parent)}\n")
    assert snapshot(out) == before
    assert list(out.rglob(".*.tmp")) == []


def test_calendar_under_a_file_says_that_it_is_not_a_folder(out: Path) -> None:
    path = out / "notes.txt" / "plan.ics"
    result = run([*SURGERY, "--ics", str(path)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(f"pumpcare: cannot write {path}: ")
    assert "does not exist" not in result.stderr
    assert "not a folder" in result.stderr


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        pytest.param(
            ["--set", "no-drivng=6w"],
            "pumpcare: there is no rule 'no-drivng' to set; did you mean 'no-driving'?\n",
            id="bad-set",
        ),
        pytest.param(
            ["--follow-up", "2026-11-20"],
            "pumpcare: follow-up date 2026-11-20 is before the surgery date 2026-12-01; check the dates\n",
            id="bad-follow-up",
        ),
        pytest.param(
            ["--today", "2026-02-30"],
            "pumpcare: --today 2026-02-30 is not a real date; check the day and month\n",
            id="bad-today",
        ),
    ],
)
def test_refused_plan_leaves_the_existing_calendar_untouched(out: Path, args: list[str], stderr: str) -> None:
    before = snapshot(out)
    assert_refused(run([*SURGERY, "--ics", str(out / "plan.ics"), *args]), stderr)
    assert snapshot(out) == before


@pytest.mark.parametrize("epoch", ["yesterday", "1.5"])
def test_bad_source_date_epoch_is_refused_before_writing(out: Path, epoch: str) -> None:
    before = snapshot(out)
    result = run([*SURGERY, "--ics", str(out / "plan.ics")], env={"SOURCE_DATE_EPOCH": epoch})
    assert_refused(
        result, f"pumpcare: SOURCE_DATE_EPOCH '{epoch}' is not a whole number of seconds since 1970; fix or unset it\n"
    )
    assert snapshot(out) == before


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("", "pumpcare: --patient-label is empty; give initials or a bed number\n"),
        (
            "Bed 4\r\nX-EVIL:1",
            "pumpcare: --patient-label has a line break or a control character; give it on one line\n",
        ),
        ("A" * 61, "pumpcare: --patient-label is longer than 60 characters; initials or a bed number will do\n"),
    ],
    ids=["empty", "line-break", "too-long"],
)
def test_a_patient_label_that_would_break_the_calendar_is_refused(label: str, message: str) -> None:
    assert_refused(run(["plan", "--surgery-date", "2026-12-01", "--patient-label", label, "--ics", "-"]), message)
