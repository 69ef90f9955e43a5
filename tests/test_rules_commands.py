"""`pumpcare rules list|check|diff|init`, as a nurse runs them on a clinic's rule file, and their pure parts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner, Result

from pumpcare import cli
from pumpcare.cli_rules import rules_app
from pumpcare.rule_file import parse_rules, shipped_rules_path
from pumpcare.rules import RuleSet
from pumpcare.rules_report import diff_rules, outside_leaflet, timing_phrase

NARROW = {"COLUMNS": "80"}
SHIPPED = shipped_rules_path().read_bytes()


def _app() -> typer.Typer:
    """pumpcare's own app once cli.py registers `rules`; until then a root with the same error handler."""
    if any(group.name == "rules" for group in cli.app.registered_groups):
        return cli.app
    root = typer.Typer(cls=cli._Commands, rich_markup_mode=None, pretty_exceptions_enable=False)
    root.callback()(lambda: None)
    root.add_typer(rules_app, name="rules")
    return root


APP = _app()


def run(*args: str) -> Result:
    return CliRunner().invoke(APP, ["rules", *args], env=NARROW, prog_name="pumpcare")


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def shipped_with(*edits: tuple[str, str]) -> bytes:
    """The shipped file's text with each (old, new) replaced once; old must be there."""
    text = SHIPPED.decode()
    for old, new in edits:
        assert text.count(old) >= 1, old
        text = text.replace(old, new, 1)
    return text.encode()


def one_rule(**timing: Any) -> bytes:
    """A rule file with one rule, 'rule', of this timing."""
    rule = {"id": "rule", "title": "A rule", "category": "restriction", "text": "Text.", "source": "Leaflet."}
    data = {"schema": 1, "name": "Clinic rules", "version": "1", "source": "Clinic leaflet", "rules": [rule | timing]}
    return yaml.safe_dump(data, sort_keys=False).encode()


# ── Timing in words ────────────────────────────────────────────────────────────

TIMINGS = [
    ({"until": {"earliest": "6w", "latest": "8w"}}, "until 6–8 weeks after surgery"),
    ({"until": "1w"}, "until 1 week after surgery"),
    ({"until": {"earliest": "1w", "latest": "10d"}}, "until 7–10 days after surgery"),
    ({"until": {"earliest": "6w", "latest": "2mo"}}, "until 6 weeks to 2 months after surgery"),
    ({"until": {"anchor": "follow-up"}}, "until the follow-up visit"),
    ({"until": {"anchor": "follow-up", "at": "2w"}}, "until 2 weeks after the follow-up visit"),
    ({"from": "0d"}, "from surgery on"),
    ({"from": "2w"}, "from 2 weeks after surgery"),
    ({"from": {"anchor": "follow-up"}}, "from the follow-up visit"),
    ({"from": "1w", "until": "6w"}, "from 1 week after surgery until 6 weeks after surgery"),
    ({"due": {"earliest": "-1w", "latest": "-1d"}}, "due 7–1 days before surgery"),
    ({"due": {"earliest": "-2mo", "latest": "-1w"}}, "due 2 months to 1 week before surgery"),
    ({"due": {"earliest": "-2d", "latest": "1d"}}, "due 2 days before surgery to 1 day after surgery"),
    ({"due": "-1d"}, "due 1 day before surgery"),
    ({"due": "0d"}, "due on the surgery day"),
    ({"due": {"earliest": "5y", "latest": "7y"}}, "due 5–7 years after surgery"),
    ({"due": {"anchor": "implant", "earliest": "5y", "latest": "7y"}}, "due 5–7 years after the implant"),
    ({"due": {"anchor": "follow-up"}}, "due at the follow-up visit"),
    ({"due": {"anchor": "follow-up", "at": "-2d"}}, "due 2 days before the follow-up visit"),
    ({"due": {"anchor": "refill"}, "repeat": "1y"}, "due at each refill visit"),
    ({"due": {"anchor": "refill", "at": "-1w"}, "repeat": "1y"}, "due 1 week before each refill visit"),
]


@pytest.mark.parametrize(("timing", "expected"), TIMINGS, ids=[expected for _, expected in TIMINGS])
def test_timing_in_words(timing: dict[str, Any], expected: str) -> None:
    [rule] = parse_rules(one_rule(**timing), "clinic.yaml").rules
    assert timing_phrase(rule) == expected


# ── rules list ─────────────────────────────────────────────────────────────────


def columns(stdout: str) -> dict[str, list[str]]:
    """Each table row that starts with a rule id, split into its cells (two or more spaces apart)."""
    # A row starts at the left edge; the lines of a wrapped source are indented.
    rows = [re.split(r"\s{2,}", line.strip()) for line in stdout.splitlines() if line[:1] not in ("", " ")]
    return {cells[0]: cells[1:] for cells in rows if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", cells[0])}


def test_list_shows_every_shipped_rule_with_its_timing(shipped: RuleSet) -> None:
    result = run("list")
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[0] == f"{shipped.name} · version {shipped.version} · {len(shipped.rules)} rules"
    assert lines[1].split() == ["Rule", "id", "Timing", "Source"]
    assert max(len(line) for line in lines) <= 80
    rows = columns(result.stdout)
    # The rules, then the drugs --drug can name.
    assert list(rows) == [rule.id for rule in shipped.rules] + list(shipped.drugs)
    timings = {rule_id: cells[0] for rule_id, cells in rows.items()}
    assert {rule_id: timings[rule_id] for rule_id in TIMED} == TIMED
    # A leaflet sentence that gives several rules is quoted once.
    assert rows["no-twisting"] == ["until 6–8 weeks after surgery", "(same as above)"]


def test_list_shows_the_drugs_with_their_ids_and_refill_limits() -> None:
    lines = run("list").stdout.splitlines()
    drugs = lines[lines.index("3 drugs, named with --drug:") :]
    assert [line.rstrip() for line in drugs] == [
        "3 drugs, named with --drug:",
        "Drug id                Name                          Labelled refill limits",
        "─" * 80,
        "baclofen               intrathecal baclofen          none in the rule file; its",
        "                       (Lioresal Intrathecal)        warning applies",
        "ziconotide-undiluted   ziconotide (Prialt),          first fill within 14 days;",
        "                       undiluted                     then at least every 84 days",
        "ziconotide-diluted     ziconotide (Prialt),          first fill within 14 days;",
        "                       diluted                       then at least every 40 days",
    ]


TIMED = {
    "stop-named-medicines": "due 7–1 days before surgery",
    "watch-side-effects": "from surgery on",
    "no-bending": "until 6–8 weeks after surgery",
    "no-driving": "until 2–4 weeks after surgery",
    "no-housework": "until the follow-up visit",
    "walk-further": "from 2 weeks after surgery",
    "follow-up-visit": "due at the follow-up visit",
    "reservoir-refill": "due at each refill visit",
    "battery-replacement": "due 5–7 years after the implant",
}

SMALL_CLINIC = """\
schema: 1
name: North clinic aftercare
version: "3"
source: North clinic leaflet
rules:
  - id: no-driving
    title: No driving
    category: restriction
    text: Do not drive.
    source: Do not drive for 3 to 6 weeks after surgery, or until your surgeon says you may.
    until: {earliest: 3w, latest: 6w}
  - id: wound-check
    title: Wound check
    category: visit
    text: Have the wound checked.
    source: A nurse checks your wound two days before the follow-up visit.
    due: {anchor: follow-up, at: -2d}
"""


def test_list_reads_a_clinic_file(tmp_path: Path) -> None:
    result = run("list", "--rules", str(write(tmp_path / "north.yaml", SMALL_CLINIC)))
    assert (result.exit_code, result.stderr) == (0, "")
    assert [line.rstrip() for line in result.stdout.splitlines()] == [
        "North clinic aftercare · version 3 · 2 rules",
        "Rule id       Timing                                  Source",
        "─" * 80,
        "no-driving    until 3–6 weeks after surgery           Do not drive for 3 to 6",
        "                                                      weeks after surgery, or",
        "                                                      until your surgeon says",
        "                                                      you may.",
        "wound-check   due 2 days before the follow-up visit   A nurse checks your wound",
        "                                                      two days before the",
        "                                                      follow-up visit.",
        "Source leaflet: North clinic leaflet. Other sources are named before the",
        "sentence they give.",
    ]


def test_list_refuses_a_broken_rule_file(tmp_path: Path) -> None:
    path = write(tmp_path / "north.yaml", SMALL_CLINIC.replace("until:", "untill:"))
    result = run("list", "--rules", str(path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"pumpcare: rule file {path} has 2 problems; fix them and try again:\n"
        "  - rules[0] 'no-driving': unknown key 'untill'; did you mean 'until'?\n"
        "  - rules[0] 'no-driving': has no timing; add 'due', 'from' or 'until'\n"
    )


# ── rules check ────────────────────────────────────────────────────────────────


def test_check_passes_a_copy_of_the_shipped_rules(tmp_path: Path, shipped: RuleSet) -> None:
    path = write(tmp_path / "clinic.yaml", SHIPPED)
    result = run("check", str(path))
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        f"{path}: {len(shipped.rules)} rules, no problems.\n",
        "",
    )


SEVERAL_PROBLEMS = """\
schema: 1
name: North clinic aftercare
version: "3"
source: North clinic leaflet
rules:
  - id: no-driving
    title: No driving
    category: restriction
    text: Do not drive.
    source: Avoid driving for 2-4 weeks after surgery.
    until: {earliest: 4w, latest: 2w}
  - id: no-lifting
    title: No lifting
    category: restrictions
    text: Do not lift anything heavier than 5 pounds.
    source: Avoid lifting objects over five pounds for 6-8 weeks.
    untill: 6w
"""


def test_check_lists_every_problem_and_fails(tmp_path: Path) -> None:
    path = write(tmp_path / "north.yaml", SEVERAL_PROBLEMS)
    result = run("check", str(path))
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == (
        f"{path}: rules[0] 'no-driving'.until: earliest 4w is after latest 2w; swap them or fix one\n"
        f"{path}: rules[1] 'no-lifting': unknown key 'untill'; did you mean 'until'?\n"
        f"{path}: rules[1] 'no-lifting'.category: 'restrictions' is unknown; "
        "use one of preparation, restriction, activity, safety, device, visit\n"
        f"{path}: rules[1] 'no-lifting': has no timing; add 'due', 'from' or 'until'\n"
        f"{path}: 4 problems; fix them and check again.\n"
    )


def test_check_words_one_problem_in_the_singular(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.yaml", "")
    result = run("check", str(path))
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == (
        f"{path}: the file is empty; start from the shipped rules (data/aftercare.yaml)\n"
        f"{path}: 1 problem; fix it and check again.\n"
    )


def position(ruleset: RuleSet, rule_id: str) -> int:
    return [rule.id for rule in ruleset.rules].index(rule_id)


OUTSIDE = shipped_with(
    ("until: {earliest: 2w, latest: 4w}", "until: {earliest: 1w, latest: 6w}"),
    ("due: {anchor: implant, earliest: 5y, latest: 7y}", "due: {anchor: implant, earliest: 5y, latest: 8y}"),
)


def test_check_flags_a_window_outside_the_leaflet_and_fails(tmp_path: Path, shipped: RuleSet) -> None:
    path = write(tmp_path / "clinic.yaml", OUTSIDE)
    driving, battery = (position(shipped, rule_id) for rule_id in ("no-driving", "battery-replacement"))
    result = run("check", str(path))
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == (
        f"{path}: warning: rules[{driving}] 'no-driving'.until: "
        "1–6 weeks after surgery is outside the leaflet's range, 2–4 weeks after surgery\n"
        f"{path}: warning: rules[{battery}] 'battery-replacement'.due: "
        "5–8 years after the implant is outside the leaflet's range, 5–7 years after the implant\n"
        f"{path}: {len(shipped.rules)} rules, 2 differences from the leaflet; if the clinic means it, "
        "check again with --allow-outside-leaflet.\n"
    )


def test_check_allows_a_window_outside_the_leaflet_when_asked(tmp_path: Path, shipped: RuleSet) -> None:
    path = write(tmp_path / "clinic.yaml", OUTSIDE)
    result = run("check", "--allow-outside-leaflet", str(path))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[-1] == (
        f"{path}: {len(shipped.rules)} rules, no problems; 2 differences from the leaflet, "
        "allowed by --allow-outside-leaflet."
    )
    assert result.stdout.count(": warning: ") == 2


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing.yaml", "there is no rule file at {path}; check the path"),
        ("", "{path} is a folder; give the path of a .yaml rule file"),
    ],
    ids=["missing", "folder"],
)
def test_check_refuses_a_path_that_is_no_file_in_one_line(tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / name
    result = run("check", str(path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"pumpcare: {message.format(path=path)}\n"
    assert isinstance(result.exception, SystemExit)


WITHIN = [
    ({"until": {"earliest": "2w", "latest": "4w"}}, False),
    ({"until": {"earliest": "3w", "latest": "4w"}}, False),
    ({"until": {"earliest": "14d", "latest": "28d"}}, False),
    ({"until": {"earliest": "1w", "latest": "4w"}}, True),
    ({"until": {"earliest": "2w", "latest": "29d"}}, True),
    # A month is 28 to 31 days: it may land after 4 weeks.
    ({"until": {"earliest": "2w", "latest": "1mo"}}, True),
    ({"from": "1w", "until": {"earliest": "2w", "latest": "4w"}}, True),
    # Another anchor or kind of timing is another rule under the same id: `rules diff` shows it, check does not.
    ({"until": {"anchor": "follow-up"}}, True),  # counted from another anchor: a different rule
    ({"due": {"earliest": "1w", "latest": "9w"}}, True),  # a period turned into a thing due
]


@pytest.mark.parametrize(("timing", "outside"), WITHIN, ids=[str(t) for t, _ in WITHIN])
def test_which_timings_are_outside_the_leaflet(timing: dict[str, Any], outside: bool) -> None:
    leaflet = parse_rules(one_rule(until={"earliest": "2w", "latest": "4w"}), "leaflet.yaml")
    clinic = parse_rules(one_rule(**timing), "clinic.yaml")
    assert bool(outside_leaflet(clinic, leaflet)) is outside


# ── rules diff ─────────────────────────────────────────────────────────────────


def test_diff_lists_added_removed_and_changed_rules(tmp_path: Path, shipped: RuleSet) -> None:
    path = write(
        tmp_path / "clinic.yaml",
        shipped_with(
            ("  - id: no-sex\n", "  - id: no-sexual-activity\n"),
            ("until: {earliest: 2w, latest: 4w}", "until: {earliest: 3w, latest: 6w}"),
            ("    title: No driving\n", "    title: No driving yourself\n"),
            (
                "    group: getting-ready\n    text: Before your surgery day, arrange for someone to drive",
                "    text: Before your surgery day, arrange for someone to drive",
            ),
            ("    due: -1d\n    remind: true\n", "    due: -1d\n"),
        ),
    )
    result = run("diff", str(path))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        f"{path} against the shipped rules:\n"
        "Added (1):\n"
        "  no-sexual-activity\n"
        "Removed (1):\n"
        "  no-sex\n"
        "Changed (2):\n"
        "  arrange-driver: group: getting-ready → none\n"
        "  arrange-driver: remind: yes → no\n"
        "  no-driving: title: No driving → No driving yourself\n"
        "  no-driving: timing: until 2–4 weeks after surgery → until 3–6 weeks after surgery\n"
        f"Unchanged: {len(shipped.rules) - 3} rules.\n"
    )


def test_diff_of_an_identical_copy_has_no_changes(tmp_path: Path, shipped: RuleSet) -> None:
    path = write(tmp_path / "clinic.yaml", SHIPPED)
    result = run("diff", str(path))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"{path}: no changes against the shipped rules ({len(shipped.rules)} rules).\n"


def test_diff_counts_the_same_dates_written_another_way_as_no_change(shipped: RuleSet) -> None:
    clinic = parse_rules(shipped_with(("due: {earliest: -1w, latest: -1d}", "due: {earliest: -7d, latest: -1d}")), "c")
    assert diff_rules(shipped, clinic).changed == ()


def test_diff_refuses_a_broken_rule_file(tmp_path: Path) -> None:
    path = write(tmp_path / "north.yaml", SEVERAL_PROBLEMS)
    result = run("diff", str(path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(f"pumpcare: rule file {path} has 4 problems; fix them and try again:\n")


# ── rules init ─────────────────────────────────────────────────────────────────


def test_init_writes_the_shipped_file_byte_for_byte_and_it_passes_the_check(tmp_path: Path) -> None:
    path = tmp_path / "clinic.yaml"
    result = run("init", str(path))
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        f"Wrote the shipped rules to {path}; edit it, then check it with `pumpcare rules check {path}`.\n"
    )
    assert path.read_bytes() == SHIPPED
    assert run("check", str(path)).exit_code == 0


def test_init_refuses_to_replace_a_file_without_force(tmp_path: Path) -> None:
    path = write(tmp_path / "clinic.yaml", "# the clinic's own edits\n")
    result = run("init", str(path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"pumpcare: {path} already exists; choose another path, or pass --force to replace it\n"
    assert path.read_bytes() == b"# the clinic's own edits\n"
    assert [p.name for p in tmp_path.iterdir()] == ["clinic.yaml"]


def test_init_replaces_a_file_with_force(tmp_path: Path) -> None:
    path = write(tmp_path / "clinic.yaml", "# the clinic's own edits\n")
    result = run("init", "--force", str(path))
    assert result.exit_code == 0
    assert path.read_bytes() == SHIPPED


def test_init_into_a_missing_folder_says_so(tmp_path: Path) -> None:
    path = tmp_path / "no-such-folder" / "clinic.yaml"
    result = run("init", str(path))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"pumpcare: cannot write {path}: the folder {path.parent} does not exist; create it or choose another\n"
    )


@pytest.mark.parametrize("command", [[], ["list"], ["check"], ["diff"], ["init"]])
def test_every_rules_command_has_help(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage: pumpcare rules" in result.stdout


def test_check_flags_a_dropped_or_refiled_restriction(tmp_path: Path) -> None:
    from pumpcare.rule_file import load_rules
    from pumpcare.rules_report import outside_leaflet

    shipped = load_rules()
    text = shipped_rules_path().read_text(encoding="utf-8")
    text = text.replace(
        "    title: No driving\n    category: restriction", "    title: No driving\n    category: safety"
    )
    text = text.replace("  - id: no-sex\n", "  - id: no-sex-at-all\n")
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(text, encoding="utf-8")
    flags = [str(flag) for flag in outside_leaflet(load_rules(clinic), shipped)]
    assert flags == [
        "rules: 'no-sex' from the leaflet is missing, so no plan will show it",
        "rules[14] 'no-driving'.category: 'safety' where the leaflet has 'restriction'",
    ]
