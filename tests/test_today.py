"""`pumpcare today`, `next`, the saved plan and `forget`, through the CLI and the status API."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pumpcare.cli import app
from pumpcare.inputs import PlanInputs
from pumpcare.keys import derived_key
from pumpcare.planning import make_plan
from pumpcare.pumplife import Logged
from pumpcare.quantities import Fill, parse_quantity
from pumpcare.rules import RuleSet
from pumpcare.saved import SavedPlan, dump_saved, parse_saved
from pumpcare.status import day_status, upcoming

WIDE = {"COLUMNS": "200"}
PLAN = ["--surgery-date", "2026-12-01", "--follow-up", "2027-01-05"]


def keys(milestones: tuple[object, ...]) -> list[str]:
    return [m.key for m in milestones]  # type: ignore[attr-defined]


# day, restrictions in force (with "may end now" marked), what opened up, what is due
TABLE = [
    (date(2026, 11, 30), [], [], ["stop-named-medicines-due", "getting-ready-due", "nothing-to-eat-due"]),
    (
        date(2026, 12, 1),
        ["movement-limits-starts", "no-driving-starts", "until-follow-up-starts"],
        [],
        [],
    ),
    (
        date(2026, 12, 15),
        ["movement-limits-starts", "no-driving-starts*", "until-follow-up-starts"],
        ["walk-short-ends", "walk-further-starts"],
        [],
    ),
    (
        date(2026, 12, 29),
        ["movement-limits-starts", "no-driving-starts*", "until-follow-up-starts"],
        ["walk-short-ends", "walk-further-starts"],
        [],
    ),
    (
        date(2026, 12, 30),
        ["movement-limits-starts", "until-follow-up-starts"],
        ["no-driving-ends"],
        [],
    ),
    # "Until you have had your follow-up appointment": on the day of the visit it still holds.
    (
        date(2027, 1, 5),
        ["movement-limits-starts", "until-follow-up-starts*"],
        ["no-driving-ends"],
        ["follow-up-visit-due"],
    ),
    # After the visit's date, only the record says the visit happened: until it does, the limits still hold.
    (date(2027, 1, 6), ["movement-limits-starts", "until-follow-up-starts*"], ["no-driving-ends"], []),
    (date(2027, 1, 27), ["until-follow-up-starts*"], ["movement-limits-ends"], []),
    (date(2027, 3, 1), ["until-follow-up-starts*"], [], []),
    # The battery is the pump section's (status.battery), not a "due now" line for two years.
    (date(2032, 3, 1), ["until-follow-up-starts*"], [], []),
]


@pytest.mark.parametrize(("day", "avoid", "opened", "due"), TABLE, ids=[str(row[0]) for row in TABLE])
def test_what_applies_on_a_day(
    shipped: RuleSet, day: date, avoid: list[str], opened: list[str], due: list[str]
) -> None:
    plan = make_plan(shipped, date(2026, 12, 1), follow_up=date(2027, 1, 5))
    status = day_status(plan, day)
    assert [m.key + ("*" if status.may_end_now(m) else "") for m in status.avoid] == avoid
    assert keys(status.opened) == opened
    assert keys(status.due) == due


def test_before_surgery_lists_the_checklist_with_days_away(shipped: RuleSet) -> None:
    status = day_status(make_plan(shipped, date(2026, 12, 1)), date(2026, 11, 28))
    assert [(item.milestone.key, item.days_away) for item in status.before_surgery] == [
        ("stop-named-medicines-due", -4),
        ("getting-ready-due", 2),
        ("nothing-to-eat-due", 2),
    ]
    assert status.avoid == ()


def test_what_starts_with_surgery_is_one_item_the_surgery(shipped: RuleSet) -> None:
    plan = make_plan(shipped, date(2026, 12, 1))
    assert [(i.milestone.key, i.days_away, i.is_surgery) for i in upcoming(plan, date(2026, 11, 29), count=3)] == [
        ("getting-ready-due", 1, False),
        ("nothing-to-eat-due", 1, False),
        ("watch-side-effects-starts", 2, True),
    ]
    assert [i.milestone.key for i in upcoming(plan, date(2026, 12, 1), days=13)] == []
    assert len(upcoming(plan, date(2026, 12, 1), days=14)) == 3


def test_next_counts_today_and_windows_still_open(shipped: RuleSet) -> None:
    plan = make_plan(shipped, date(2026, 12, 1))
    items = upcoming(plan, date(2026, 11, 30), days=1, from_today=True)
    assert [(i.milestone.key, i.days_away) for i in items] == [
        ("stop-named-medicines-due", -6),
        ("getting-ready-due", 0),
        ("nothing-to-eat-due", 0),
        ("watch-side-effects-starts", 1),
    ]


def test_refill_visits_are_listed_years_on(runner: CliRunner) -> None:
    args = ["next", *PLAN, "--refill-every", "12w", "--first-refill", "2027-01-26", "--date", "2027-01-01"]
    document = json.loads(runner.invoke(app, [*args, "--days", "200", "--json"]).stdout)
    assert [(m["earliest"], m["title"]) for m in document["coming"]] == [
        ("2027-01-05", "Follow-up visit"),
        ("2027-01-05", "No housework, yard work or sex"),
        ("2027-01-12", "Movement limits"),
        ("2027-01-26", "Pump refill visit"),
        ("2027-04-20", "Pump refill visit"),
        ("2027-07-13", "Pump refill visit"),
    ]


def test_a_refill_years_on_with_none_logged_is_overdue_and_later_visits_wait(runner: CliRunner) -> None:
    args = ["next", *PLAN, "--refill-every", "12w", "--first-refill", "2027-01-26", "--date", "2028-01-01"]
    document = json.loads(runner.invoke(app, [*args, "--days", "200", "--json"]).stdout)
    assert document["overdue"] == ["refill"]
    assert document["refill"]["due_date"] == "2027-01-26"
    assert document["refill"]["days_away"] == -340
    assert [m["title"] for m in document["coming"]] == []


def test_today_reads_as_plain_sentences(runner: CliRunner) -> None:
    result = runner.invoke(app, ["today", *PLAN, "--date", "2026-12-20"], env=WIDE)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Today, Sun 20 Dec 2026: day 19 after surgery."
    assert "  • No driving: may end now, any day 15–29 Dec 2026. Ask your care team first." in lines
    assert "  • Since day 14: Build up to 1–2 miles a day" in lines
    assert "  • in 16 days, Tue 5 Jan 2027: Follow-up visit" in lines
    assert result.stdout.count("does not replace your care team") == 1


def test_today_json_has_the_same_sections(runner: CliRunner) -> None:
    result = runner.invoke(app, ["today", *PLAN, "--date", "2026-12-20", "--json"])
    document = json.loads(result.stdout)
    assert (document["format"], document["date"], document["day"]) == ("pumpcare-today", "2026-12-20", 19)
    assert [(m["key"], m["may_end_now"]) for m in document["avoid"]] == [
        ("movement-limits-starts", False),
        ("no-driving-starts", True),
        ("until-follow-up-starts", False),
    ]
    first = document["coming"][0]
    assert (first["key"], first["days_away"]) == ("follow-up-visit-due", 16)


def test_next_defaults_to_fourteen_days(runner: CliRunner) -> None:
    result = runner.invoke(app, ["next", *PLAN, "--date", "2026-12-01", "--json"])
    document = json.loads(result.stdout)
    assert document["days"] == 14
    assert [m["key"] for m in document["coming"]] == [
        "watch-side-effects-starts",
        "walk-short-ends",
        "no-driving-ends",
        "walk-further-starts",
    ]


# ── The saved plan ─────────────────────────────────────────────────────────────────────────────────────────


def test_save_then_today_and_next_use_it(runner: CliRunner, config_dir: Path) -> None:
    saved = runner.invoke(app, ["plan", *PLAN, "--set", "no-driving=3w", "--save", "--json"])
    assert saved.exit_code == 0
    assert (
        saved.stderr == f"Plan saved to {config_dir / 'plan.yaml'}; `pumpcare today` and `pumpcare next` will use it.\n"
    )
    result = runner.invoke(app, ["today", "--date", "2026-12-20", "--json"])
    assert result.exit_code == 0, result.output
    driving = next(m for m in json.loads(result.stdout)["avoid"] if m["key"] == "no-driving-starts")
    assert driving["until"] == {"earliest": "2026-12-22", "latest": "2026-12-22"}
    assert runner.invoke(app, ["plan", "--json"]).stdout == saved.stdout


def test_options_given_later_override_the_saved_ones(runner: CliRunner) -> None:
    runner.invoke(app, ["plan", *PLAN, "--set", "no-driving=3w", "--set", "no-lifting=10w", "--save"])
    result = runner.invoke(app, ["plan", "--follow-up", "2027-01-12", "--set", "no-driving=5w", "--json"])
    document = json.loads(result.stdout)
    assert document["follow_up_date"] == "2027-01-12"
    assert document["overrides"] == [
        {"rule_id": "no-lifting", "earliest": "10w", "latest": "10w"},
        {"rule_id": "no-driving", "earliest": "5w", "latest": "5w"},
    ]


def test_the_saved_file_is_small_and_readable(runner: CliRunner, config_dir: Path) -> None:
    runner.invoke(app, ["plan", *PLAN, "--refill-every", "12w", "--first-refill", "2027-01-26", "--save"])
    text = (config_dir / "plan.yaml").read_text(encoding="utf-8")
    key = text.split("key: ", 1)[1][:16]  # the record's own, new each time a record is started
    assert re.fullmatch("[0-9a-f]{16}", key)
    assert text.splitlines()[3:] == [
        "format: 2",
        "surgery_date: '2026-12-01'",
        "follow_up: '2027-01-05'",
        "refill_every: 12w",
        "first_refill: '2027-01-26'",
        "next_refill: null",
        "drug: null",
        "fill_volume: null",
        "concentration: null",
        "daily_dose: null",
        "alarm_volume: null",
        "set: []",
        "rules_file: null",
        "rules_name: Intrathecal pain pump aftercare",
        "rules_version: 2026.11.1",
        "patient_label: null",
        f"key: {key}",
        "history: []",
    ]
    assert files(config_dir) == ["plan.yaml"]


def files(folder: Path) -> list[str]:
    """What a folder holds besides the record's lock file (a hidden, empty file the lock library keeps)."""
    return sorted(p.name for p in folder.iterdir() if p.name != ".plan.yaml.lock")


def test_round_trip() -> None:
    saved = SavedPlan(
        PlanInputs("2026-12-01", "2027-01-05", "3mo", "2027-02-01", ("no-driving=6w",), "/clinic/rules.yaml", "Zoë"),
        "Clinic rules",
        "7",
        (
            Logged("refill", date(2027, 2, 1), Fill(*(parse_quantity(t, k, k) for t, k in FILL))),
            Logged("follow-up", date(2027, 1, 6)),
        ),
        "0123456789abcdef",
    )
    assert parse_saved(dump_saved(saved), Path("plan.yaml")) == saved
    # A record from before keys is written with the key its calendar events already carry, never a new one.
    old = parse_saved(dump_saved(saved._replace(key="")), Path("plan.yaml"))
    assert old == saved._replace(key=derived_key(date(2026, 12, 1), "Zoë"))


FILL = [("20mL", "volume"), ("2mg/mL", "concentration"), ("0.5mg/day", "dose")]
# A whole record as pumpcare 0.1 wrote it (format 1): it must still be read.
V1 = """format: 1
surgery_date: 2026-12-01
follow_up: 2027-01-05
refill_every: 12w
first_refill: '2027-01-26'
set: [no-driving=3w]
rules_file: null
rules_name: Intrathecal pain pump aftercare
rules_version: 2026.11.1
patient_label: Bed 4
"""


def test_a_format_1_record_with_hand_written_dates_is_read(tmp_path: Path) -> None:
    saved = parse_saved(V1, tmp_path / "plan.yaml")
    assert (saved.inputs.surgery_date, saved.inputs.follow_up) == ("2026-12-01", "2027-01-05")
    assert saved.inputs.orders == ("no-driving=3w",)
    assert saved.history == ()


def test_saving_over_a_format_1_record_keeps_everything_and_writes_format_2(
    runner: CliRunner, config_dir: Path
) -> None:
    (config_dir / "plan.yaml").write_text(V1, encoding="utf-8")
    result = runner.invoke(app, ["plan", "--set", "no-lifting=10w", "--save"])
    assert result.exit_code == 0, result.output
    saved = parse_saved((config_dir / "plan.yaml").read_text(encoding="utf-8"), config_dir / "plan.yaml")
    assert saved.inputs.orders == ("no-driving=3w", "no-lifting=10w")
    assert (saved.inputs.follow_up, saved.inputs.refill_every, saved.inputs.patient_label) == (
        "2027-01-05",
        "12w",
        "Bed 4",
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("surgery_date: [", "the saved plan is not valid YAML"),
        ("- 1\n- 2\n", "the saved plan is not a mapping of keys to values"),
        (V1 + "surgery: x\n", "the saved plan has unknown keys (surgery)"),
        (V1.replace("format: 1", "format: 3"), "the saved plan has format 3, not 2"),
        # A file cut short must not read as a plan without its orders.
        (V1.split("set:")[0], "the saved plan is missing set, rules_file, rules_name, rules_version, patient_label, "
         "so part of it may be lost"),
        (V1.replace("surgery_date: 2026-12-01", "surgery_date: null"), "the saved plan has no surgery_date"),
        (
            V1.replace("set: [no-driving=3w]", "set: no-driving=6w"),
            "the saved plan's 'set' must be a list of orders such as no-driving=6w",
        ),
        (
            V1.replace("surgery_date: 2026-12-01", "surgery_date: 12"),
            "the saved plan's surgery_date should be text, not 12",
        ),
        (
            V1.replace("set: [no-driving=3w]", "set: [no-driving=3x]"),
            "the saved plan has a value pumpcare cannot use (set no-driving: '3x' has an unknown unit 'x'; "
            "use d (days), w (weeks), mo (months) or y (years))",
        ),
        (
            V1.replace("patient_label: Bed 4", "patient_label: \"Bed\\e[2J4\""),
            "the saved plan has a value pumpcare cannot use (patient_label has a line break or a control character; "
            "give it on one line)",
        ),
    ],
    ids=["yaml", "list", "unknown-key", "format", "truncated", "no-surgery", "set", "surgery-number", "bad-order",
         "control-character"],
)  # fmt: skip
def test_a_broken_saved_plan_is_reported_with_its_path_and_the_fix(
    runner: CliRunner, config_dir: Path, text: str, problem: str
) -> None:
    path = config_dir / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    fix = f"fix it in a text editor, or delete it with `pumpcare forget` (the file: {path})"
    result = runner.invoke(app, ["today"])
    assert (result.exit_code, result.stderr) == (1, f"pumpcare: {problem}; {fix}\n")
    # Saving over it, or logging into it, refuses the same way and leaves it as it was.
    for command in (["plan", "--set", "no-driving=7w", "--save"], ["log", "refill", "--date", "2027-01-26"]):
        again = runner.invoke(app, command)
        assert (again.exit_code, again.stderr) == (1, f"pumpcare: {problem}; {fix}\n"), command
    assert path.read_text(encoding="utf-8") == text  # never silently replaced


def test_saving_is_atomic_and_a_failed_save_keeps_the_old_plan(runner: CliRunner, config_dir: Path) -> None:
    runner.invoke(app, ["plan", *PLAN, "--save"])
    before = (config_dir / "plan.yaml").read_bytes()
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-13-01", "--save"])
    assert result.exit_code == 1
    assert (config_dir / "plan.yaml").read_bytes() == before
    assert files(config_dir) == ["plan.yaml"]


def test_a_saved_plan_made_under_other_rules_says_so(runner: CliRunner, config_dir: Path) -> None:
    runner.invoke(app, ["plan", *PLAN, "--save"])
    path = config_dir / "plan.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("rules_version: 2026.11.1", "rules_version: '2025.1'"))
    result = runner.invoke(app, ["today", "--date", "2026-12-20"])
    assert result.exit_code == 0
    assert result.stderr == (
        "pumpcare: warning: the saved plan was made with rules version 2025.1; this plan uses version 2026.11.1. "
        "Check the dates with your care team.\n"
    )


def test_config_dir_option_beats_the_environment(runner: CliRunner, tmp_path: Path, config_dir: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    runner.invoke(app, ["plan", *PLAN, "--save", "--config-dir", str(elsewhere)])
    assert (elsewhere / "plan.yaml").is_file()
    assert not (config_dir / "plan.yaml").exists()


def test_forget_asks_first(runner: CliRunner, config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pumpcare.cli_record

    monkeypatch.setattr(pumpcare.cli_record, "_terminal", lambda: True)  # the answers come as a person types them
    runner.invoke(app, ["plan", *PLAN, "--save"])
    path = config_dir / "plan.yaml"
    kept = runner.invoke(app, ["forget"], input="n\n")
    assert (kept.exit_code, kept.stderr) == (0, "Kept the saved plan.\n")
    assert path.exists()
    gone = runner.invoke(app, ["forget"], input="y\n")
    assert gone.exit_code == 0
    assert gone.stderr == f"Deleted the saved plan at {path}.\n"
    assert not path.exists()


def test_forget_yes_and_forget_nothing(runner: CliRunner, config_dir: Path) -> None:
    (config_dir / "plan.yaml").write_text("not: [valid", encoding="utf-8")
    assert runner.invoke(app, ["forget", "--yes"]).exit_code == 0
    again = runner.invoke(app, ["forget", "--yes"])
    assert (again.exit_code, again.stderr) == (
        0,
        f"There is no saved plan at {config_dir / 'plan.yaml'}; nothing to forget.\n",
    )
