"""Nothing lost, round two: no output replaces the record, a clinic's text stays its text, bytes that are not
text never reach the record."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pumpcare.cli import app

PLAN = ["plan", "--surgery-date", "2026-12-01", "--refill-every", "12w", "--first-refill", "2027-01-26"]
REFUSED = "it is a patient's saved plan (or its lock), which an output must never replace; choose another file name"


@pytest.fixture
def record(runner: CliRunner, config_dir: Path) -> Path:
    assert runner.invoke(app, [*PLAN, "--save", "--patient-label", "Bed 4"]).exit_code == 0
    assert runner.invoke(app, ["log", "refill", "--date", "2026-12-03"]).exit_code == 0
    return config_dir / "plan.yaml"


def _targets(record: Path) -> dict[str, Path]:
    """The record and its lock, by their own names and by links and other names that reach them."""
    folder = record.parent
    link = folder / "calendar.ics"
    link.symlink_to(record)
    chain = folder / "chain.html"
    chain.symlink_to(link)
    hard = folder / "copy.json"
    os.link(record, hard)
    lock = folder / ".plan.yaml.lock"
    lock.touch()
    return {"record": record, "link": link, "link-to-link": chain, "hard-link": hard, "lock": lock}


@pytest.mark.parametrize("target", ["record", "link", "link-to-link", "hard-link", "lock"])
@pytest.mark.parametrize(
    "command",
    [
        ["plan", "--ics", "{}"],
        ["plan", "--fhir", "{}"],
        ["rules", "export", "--fhir", "{}"],
        ["rules", "init", "{}", "--force"],
        ["handout", "--html", "--out", "{}"],
        ["clinic", "init", "{}", "--force"],
    ],
    ids=["plan-ics", "plan-fhir", "rules-export", "rules-init", "handout", "clinic-init"],
)
def test_no_output_replaces_the_record_or_its_lock(
    runner: CliRunner, record: Path, command: list[str], target: str
) -> None:
    path = _targets(record)[target]
    before = record.read_bytes()
    result = runner.invoke(app, [part.replace("{}", str(path)) for part in command])
    assert result.exit_code == 1, result.output
    # One sentence, whichever check speaks first (a handout refuses a .yaml name before it looks at the file).
    assert result.stderr.startswith("pumpcare: ")
    assert result.stderr.count("\n") == 1
    assert record.read_bytes() == before
    history = runner.invoke(app, ["history", "--json"])
    assert history.exit_code == 0
    assert json.loads(history.stdout)["history"][0]["date"] == "2026-12-03"


def test_an_output_onto_the_record_is_refused_by_name(runner: CliRunner, record: Path) -> None:
    result = runner.invoke(app, ["plan", "--ics", str(record)])
    assert (result.exit_code, result.stderr) == (1, f"pumpcare: cannot write {record}: {REFUSED}\n")


def test_a_hand_edited_record_without_its_heading_is_still_the_record(runner: CliRunner, record: Path) -> None:
    text = record.read_text(encoding="utf-8")
    record.write_text("\n".join(line for line in text.splitlines() if not line.startswith("#")), encoding="utf-8")
    before = record.read_bytes()
    assert runner.invoke(app, ["plan", "--fhir", str(record.parent / "calendar.json")]).exit_code == 0
    moved = record.parent / "moved.ics"
    record.replace(moved)
    assert runner.invoke(app, ["plan", *PLAN[1:], "--ics", str(moved)]).exit_code == 1
    assert moved.read_bytes() == before


@pytest.mark.parametrize("same", ["name", "link", "relative"])
def test_two_outputs_of_one_command_to_one_file_are_refused_first(
    runner: CliRunner, tmp_path: Path, same: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.ics"
    other = {"name": target, "link": tmp_path / "link.json", "relative": Path("out.ics")}[same]
    if same == "link":
        target.write_bytes(b"old")
        other.symlink_to(target)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, [*PLAN, "--ics", str(target), "--fhir", str(other)])
    assert (result.exit_code, result.stderr) == (
        1,
        f"pumpcare: --ics and --fhir both name {other}; give each its own file\n",
    )
    assert not target.exists() or target.read_bytes() == b"old"


# ── A clinic's text is the text it typed ──────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("number", ["0712345670", "+4420123456", "0044 20 1234 5678", "555-0100", "(555) 0100", "1234"])
def test_a_phone_number_reaches_the_sheet_and_the_calendar_as_typed(
    runner: CliRunner, tmp_path: Path, number: str
) -> None:
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(f"clinic: Pain clinic\nphones:\n  - label: Care team\n    number: {number}\n", encoding="utf-8")
    checked = runner.invoke(app, ["clinic", "check", str(clinic)])
    assert checked.exit_code == 0, checked.stderr
    sheet = tmp_path / "sheet.html"
    assert runner.invoke(app, ["handout", *PLAN[1:], "--clinic", str(clinic), "--out", str(sheet)]).exit_code == 0
    assert number.replace("(", "(").replace("&", "&amp;") in sheet.read_text(encoding="utf-8")
    ics = runner.invoke(app, [*PLAN, "--clinic", str(clinic), "--ics", "-"]).stdout_bytes
    unfolded = ics.replace(b"\r\n ", b"").decode("utf-8")
    assert f"Care team: {number}." in unfolded


@pytest.mark.parametrize("number", ["0x1F", "1_000_000", "1e5", "0o17", ".inf", "true", "~"])
def test_a_number_yaml_would_change_is_refused_not_changed(runner: CliRunner, tmp_path: Path, number: str) -> None:
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(f"clinic: Pain clinic\nphones:\n  - label: Care team\n    number: {number}\n", encoding="utf-8")
    result = runner.invoke(app, ["clinic", "check", str(clinic)])
    assert result.exit_code == 1
    assert f"phones[0].number: '{number}' is not a phone number; use digits, spaces, + - ( )" in result.stderr


def test_a_rule_file_version_that_would_lose_digits_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    assert runner.invoke(app, ["rules", "init", str(rules)]).exit_code == 0
    text = rules.read_text(encoding="utf-8").replace('version: "2026.11.1"', "version: 1.10")
    rules.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["rules", "check", str(rules)])
    assert result.exit_code == 1
    assert (
        "top level.version: 1.1 reads as a number, which drops digits (1.10 reads as 1.1); write it in quotes as you "
        'mean it, such as version: "1.10"'
    ) in result.stdout


# ── Bytes that are not text never reach the record ────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "command",
    [
        [*PLAN, "--save", "--patient-label", "Bed\udcff4"],
        [*PLAN, "--ics", "-", "--patient-label", "\udce9"],
        ["handout", *PLAN[1:], "--html", "--out", "x.html", "--patient-label", "B\udc80"],
        ["log", "refill", "--fill-volume", "2\udcff"],
        [*PLAN, "--set", "no-driving=\udcff"],
    ],
    ids=["save", "ics", "handout", "log", "set"],
)
def test_an_argument_that_is_not_text_is_refused_at_the_door(
    runner: CliRunner, config_dir: Path, tmp_path: Path, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, command)
    assert result.exit_code == 1
    assert result.stderr.startswith("pumpcare: the argument '")
    assert result.stderr.endswith("' has bytes that are not text (UTF-8); type it again\n")
    assert not (config_dir / "plan.yaml").exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "label",
    ["0712345670", "- [a]", "&anchor", "*alias", "null", "'quoted'", '"double"', "# not a comment", "key: value",
     "Bed 4 🛏", "Cama ñ 4", "yes", "2026-12-01", "!!python/object", "%TAG", "@home", "`tick`", "{a}"],
)  # fmt: skip
def test_every_saved_text_reads_back_as_it_was_typed(runner: CliRunner, label: str) -> None:
    saved = runner.invoke(app, [*PLAN, "--save", "--patient-label", label, "--set", "no-driving=3w"])
    assert saved.exit_code == 0, saved.stderr
    assert runner.invoke(app, ["log", "refill", "--date", "2026-12-03"]).exit_code == 0
    for command in (["today"], ["history"], ["plan", "--ics", "-"]):
        assert runner.invoke(app, command).exit_code == 0, command
    document = json.loads(runner.invoke(app, ["plan", "--json"]).stdout)
    assert document["overrides"] == [{"rule_id": "no-driving", "earliest": "3w", "latest": "3w"}]
    ics = runner.invoke(app, ["plan", "--ics", "-"]).stdout_bytes.replace(b"\r\n ", b"").decode("utf-8")
    escaped = label.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    assert escaped in ics


# ── A record the command line would refuse is a broken record ─────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("history", "problem"),
    [
        (
            "- {event: refill, date: '2026-12-03'}\n- {event: refill, date: '2026-12-03'}\n",
            "the saved plan's history entry 2 (refill on 2026-12-03) repeats entry 1; keep one",
        ),
        (
            "- {event: follow-up, date: '2026-12-02'}\n- {event: follow-up, date: '2026-12-03'}\n",
            "the saved plan's history entry 2 is a second follow-up visit (the first is entry 1); keep the one that "
            "happened",
        ),
        (
            "- {event: refill, date: '2026-12-03'}\n- {event: replacement, date: '2099-01-01'}\n",
            "the saved plan's history entry 2 (replacement on 2099-01-01) is after today",
        ),
    ],
    ids=["duplicate", "two-follow-ups", "future"],
)
@pytest.mark.parametrize("command", [["today"], ["plan"], ["history"], ["log", "refill"], ["next"]])
def test_a_record_with_a_history_pumpcare_would_refuse_is_reported_with_the_entry(
    runner: CliRunner, record: Path, history: str, problem: str, command: list[str]
) -> None:
    text = record.read_text(encoding="utf-8")
    head, _, _ = text.partition("history:")
    record.write_text(f"{head}history:\n{history}", encoding="utf-8")
    before = record.read_bytes()
    result = runner.invoke(app, command)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"pumpcare: {problem}")
    assert "`pumpcare forget`" in result.stderr
    assert record.read_bytes() == before


# ── clinic check finds what would print blank or wrong ────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("clinic: X\nphones:\n  - label: \u3164\u3164\n    number: 555-0100\n",
         "phones[0].label: has no letter or digit a reader can see; name whom the number reaches"),
        ("clinic: X\nphones:\n  - label: \u2800\n    number: 555-0100\n",
         "phones[0].label: has no letter or digit a reader can see; name whom the number reaches"),
        ("clinic: X\nphones:\n  - label: Care team\n    number: +-()\n",
         "phones[0].number: '+-()' has no digit; give the number to call"),
        ("clinic: X\nphones:\n  - label: Care team\n    number: ' . '\n",
         "phones[0].number: '.' has no digit; give the number to call"),
        ("clinic: X\nclinic: Y\nphones:\n  - label: Care team\n    number: 555-0100\n",
         "the key 'clinic' is given twice in one mapping; keep one"),
        ("clinic: X\nphones:\n  - label: A\n    label: B\n    number: 555-0100\n",
         "the key 'label' is given twice in one mapping; keep one"),
        ("clinic: \u3164\nphones:\n  - label: A\n    number: 555-0100\n",
         "clinic: has no letter or digit a reader can see; give the clinic's name"),
    ],
    ids=["filler-label", "braille-blank-label", "no-digit", "dot-only", "duplicate-top-key", "duplicate-phone-key",
         "blank-clinic-name"],
)  # fmt: skip
def test_clinic_check_finds_what_would_print_blank_or_wrong(
    runner: CliRunner, tmp_path: Path, body: str, problem: str
) -> None:
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(body, encoding="utf-8")
    result = runner.invoke(app, ["clinic", "check", str(clinic)])
    assert result.exit_code == 1
    assert problem in result.stderr, result.stderr


def test_an_entry_logged_where_it_was_already_tomorrow_is_not_a_broken_record(runner: CliRunner, record: Path) -> None:
    from datetime import date, timedelta

    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    text = record.read_text(encoding="utf-8").replace("date: '2026-12-03'", f"date: '{tomorrow}'")
    record.write_text(text, encoding="utf-8")
    assert runner.invoke(app, ["today"]).exit_code == 0


@pytest.mark.parametrize("option", ["--rules", "--clinic", "--out", "--patient-label"])
def test_an_argument_with_a_nul_is_refused_at_the_door(runner: CliRunner, option: str) -> None:
    args = ["handout", "--surgery-date", "2026-12-01", "--out", "sheet.html", option, "a\x00b"]
    result = runner.invoke(app, args)
    assert (result.exit_code, result.stderr) == (
        1,
        "pumpcare: an argument holds a NUL character (\\x00); type it again without it\n",
    )
