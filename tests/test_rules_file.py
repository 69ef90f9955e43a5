"""The rule file: the shipped one is sound, and a broken one is refused with every problem and where it is."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from pumpcare.cli import app
from pumpcare.errors import RuleFileError
from pumpcare.rule_file import MAX_RULE_FILE_BYTES, load_rules, parse_rules, shipped_rules_path
from pumpcare.rules import RuleSet

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "aftercare.yaml"
NO_DRIVING = {
    "id": "no-driving",
    "title": "No driving",
    "category": "restriction",
    "text": "Do not drive.",
    "source": "Avoid driving for 2-4 weeks after surgery.",
    "from": "0d",
    "until": {"earliest": "2w", "latest": "4w"},
}
REFILL = {
    "id": "refill-visit",
    "title": "Pump refill visit",
    "category": "visit",
    "text": "Have the pump refilled.",
    "source": "You will need regular refill visits.",
    "due": {"anchor": "refill"},
    "repeat": "1y",
}


def rule_file(*rules: dict[str, Any], **top: Any) -> bytes:
    """A rule file with a valid top level (changed by top; None leaves a key out) and these rules."""
    data = {
        "schema": 1,
        "name": "Clinic rules",
        "version": "1",
        "source": "Clinic leaflet",
        **top,
        "rules": list(rules),
    }
    return yaml.safe_dump({k: v for k, v in data.items() if v is not None}, sort_keys=False).encode()


def no_driving(**changes: Any) -> dict[str, Any]:
    """The no-driving rule with some keys changed; None leaves a key out."""
    return {k: v for k, v in {**NO_DRIVING, **changes}.items() if v is not None}


def problems(raw: bytes) -> list[str]:
    with pytest.raises(RuleFileError) as caught:
        parse_rules(raw, "clinic.yaml")
    assert caught.value.path == "clinic.yaml"
    return caught.value.problems


def test_shipped_rules_load(shipped: RuleSet) -> None:
    assert shipped.origin == str(shipped_rules_path())
    assert shipped.name
    assert shipped.version
    assert shipped.source
    assert len(shipped.rules) > 0


def test_shipped_rules_are_the_ones_in_data(shipped: RuleSet) -> None:
    assert load_rules(DATA_FILE).rules == shipped.rules


def test_every_shipped_citation_can_be_followed(shipped: RuleSet) -> None:
    # The loader lets a document go without an address; the shipped file must not: a reviewer checks each fact.
    cited = {rule.cites for rule in shipped.rules} | {drug.cites for drug in shipped.drugs.values()}
    assert "leaflet" in cited
    for name in cited - {"leaflet"}:
        document = shipped.documents[name]
        assert (document.url or "").startswith("http"), name
        assert document.publisher, name
    assert set(shipped.documents) == cited - {"leaflet"}, "a document no rule or drug cites"


def test_every_shipped_rule_id_is_in_the_readme(shipped: RuleSet) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    listed = readme.split("Rule ids:", 1)[1].split("\n\n", 1)[0]
    assert sorted(re.findall(r"`([a-z0-9-]+)`", listed)) == sorted(rule.id for rule in shipped.rules)


def test_a_minimal_rule_file_loads() -> None:
    ruleset = parse_rules(rule_file(NO_DRIVING, version=2026), "clinic.yaml")
    assert (ruleset.version, ruleset.origin, [rule.id for rule in ruleset.rules]) == (
        "2026",
        "clinic.yaml",
        ["no-driving"],
    )


BROKEN = [
    # The file as a whole
    pytest.param(b"name: caf\xe9\n", ["it is not UTF-8 text; save it as UTF-8"], id="not-utf8"),
    pytest.param(b"  \n\n", ["the file is empty; start from the shipped rules (data/aftercare.yaml)"], id="blank-file"),
    pytest.param(
        b'name: "Clinic rules\n',
        [
            "not valid YAML at line 2, column 1: found unexpected end of stream"
            " (while scanning a quoted scalar started at line 1, column 7)"
        ],
        id="not-yaml",
    ),
    pytest.param(
        b"- no-driving\n",
        ["the top level must be a mapping with schema, name, version, source and rules"],
        id="list-at-top",
    ),
    pytest.param(
        b"Avoid driving for 2-4 weeks.\n",
        ["the top level must be a mapping with schema, name, version, source and rules"],
        id="plain-text",
    ),
    # The top level
    pytest.param(
        rule_file(NO_DRIVING, schema=2),
        ["top level.schema: 2 is not supported; this pumpcare reads schema 1"],
        id="schema-2",
    ),
    pytest.param(
        rule_file(NO_DRIVING, sources="Clinic leaflet", source=None),
        ["top level: unknown key 'sources'; did you mean 'source'?", "top level: missing 'source'; add it"],
        id="misspelt-top-key",
    ),
    pytest.param(
        rule_file(NO_DRIVING, clinic="North"),
        [
            "top level: unknown key 'clinic'; known keys are: "
            "schema, name, version, source, documents, reservoir, drugs, groups, rules"
        ],
        id="unknown-top-key",
    ),
    pytest.param(rule_file(NO_DRIVING, name=" "), ["top level.name: must be non-empty text"], id="blank-name"),
    pytest.param(rule_file(), ["top level.rules: must be a non-empty list of rules"], id="no-rules"),
    pytest.param(
        rule_file(NO_DRIVING, groups=["movement"]),
        ["top level.groups: must be a mapping of group id to {title: ...}"],
        id="groups-as-list",
    ),
    pytest.param(
        rule_file(NO_DRIVING, groups={"movement": "Movement limits"}),
        ["groups.movement: must be a mapping with a title"],
        id="group-without-title-mapping",
    ),
    # One rule
    pytest.param(
        rule_file("no-driving"),
        ["rules[0]: must be a mapping with id, title, category, text and source"],
        id="rule-as-text",
    ),
    pytest.param(rule_file(no_driving(id=7)), ["rules[0].id: must be text, such as no-driving"], id="id-number"),
    pytest.param(
        rule_file(no_driving(id="No_Driving")),
        ["rules[0] 'No_Driving'.id: use lowercase letters, digits and single hyphens, such as no-driving"],
        id="id-not-slug",
    ),
    pytest.param(
        rule_file(no_driving(remind="yes please")),
        ["rules[0] 'no-driving'.remind: must be true, false or evening"],
        id="remind-not-bool",
    ),
    pytest.param(
        rule_file(no_driving(when_to_call="yes")),
        ["rules[0] 'no-driving'.when_to_call: must be true or false"],
        id="when-to-call-not-bool",
    ),
    pytest.param(
        rule_file(no_driving(**{"from": None, "until": None})),
        ["rules[0] 'no-driving': has no timing; add 'due', 'from' or 'until'"],
        id="no-timing",
    ),
    pytest.param(
        rule_file(no_driving(until={"earliest": "2w"})),
        ["rules[0] 'no-driving'.until: a window needs both 'earliest' and 'latest'"],
        id="window-without-latest",
    ),
    pytest.param(
        rule_file(no_driving(until={"at": "2w", "latest": "4w"})),
        ["rules[0] 'no-driving'.until: give 'at' or 'earliest' and 'latest', not both"],
        id="at-and-window",
    ),
    pytest.param(
        rule_file(no_driving(until={"anchor": "discharge", "at": "2w"})),
        [
            "rules[0] 'no-driving'.until.anchor: 'discharge' is unknown; use one of surgery, follow-up, refill, "
            "implant, replace-by"
        ],
        id="unknown-anchor",
    ),
    pytest.param(
        rule_file(no_driving(until={"anchor": "refill"})),
        ["rules[0] 'no-driving'.until: the refill anchor works only with 'due'"],
        id="refill-anchor-on-until",
    ),
    pytest.param(
        rule_file(no_driving(**{"from": "4w", "until": "2w"})),
        ["rules[0] 'no-driving'.until: ends (2w) on or before it starts (4w); make 'until' later than 'from'"],
        id="until-before-from",
    ),
    pytest.param(
        rule_file(no_driving(until="-1w")),
        ["rules[0] 'no-driving'.until: ends (-1w) on or before it starts (0d); make 'until' later than 'from'"],
        id="until-before-surgery",
    ),
    pytest.param(
        rule_file(no_driving(**{"from": "2w", "until": "14d"})),
        ["rules[0] 'no-driving'.until: ends (14d) on or before it starts (2w); make 'until' later than 'from'"],
        id="until-the-day-it-starts",
    ),
    pytest.param(
        rule_file(no_driving(until={"earliest": "2w", "latest": "3m"})),
        ["rules[0] 'no-driving'.until.latest: '3m' is ambiguous; write 'mo' or 'months' for months"],
        id="duration-3m",
    ),
    pytest.param(
        rule_file(no_driving(until={"earliest": "2 fortnights", "latest": "4w"})),
        [
            "rules[0] 'no-driving'.until.earliest: '2 fortnights' has an unknown unit 'fortnights'; "
            "use d (days), w (weeks), mo (months) or y (years)"
        ],
        id="duration-unknown-unit",
    ),
    pytest.param(
        rule_file(no_driving(repeat="1y")),
        ["rules[0] 'no-driving'.repeat: only a rule due at the refill anchor repeats"],
        id="repeat-without-refill",
    ),
    pytest.param(
        rule_file({**REFILL, "repeat": "0d"}),
        ["rules[0] 'refill-visit'.repeat: must be longer than zero, such as 1y"],
        id="repeat-zero",
    ),
    pytest.param(
        rule_file(no_driving(until={"at": 2})),
        ["rules[0] 'no-driving'.until.at: 2 needs a unit; write it like 2w, 6 weeks, 3mo or 5y"],
        id="number-without-unit",
    ),
    pytest.param(
        rule_file(no_driving(until=2)),
        ["rules[0] 'no-driving'.until: 2 needs a unit; write it like 2w, 6 weeks, 3mo or 5y"],
        id="bare-number-without-unit",
    ),
    pytest.param(
        rule_file(no_driving(**{"from": None, "until": "12"})),
        [
            "rules[0] 'no-driving'.until: '12' is not a duration; "
            "write a whole number and a unit, such as 2w, 6 weeks, 3mo or 5y"
        ],
        id="only-timing-invalid",
    ),
]


@pytest.mark.parametrize(("raw", "expected"), BROKEN)
def test_broken_rule_file_lists_its_problems(raw: bytes, expected: list[str]) -> None:
    assert problems(raw) == expected


@pytest.mark.parametrize("group", [{"name": "movement"}, ["movement"]], ids=["mapping", "list"])
def test_group_that_is_not_text_is_a_problem(group: object) -> None:
    found = problems(rule_file(no_driving(group=group)))
    assert [problem.split(":")[0] for problem in found] == ["rules[0] 'no-driving'.group"]


def test_duration_beyond_the_calendar_is_a_problem() -> None:
    found = problems(rule_file(no_driving(until={"earliest": "1w", "latest": "9999y"})))
    assert found == ["rules[0] 'no-driving'.until.latest: '9999y' is longer than 100 years; check the number"]


def test_key_given_twice_in_a_rule_is_a_problem() -> None:
    raw = rule_file(NO_DRIVING) + b"  until: 8w\n"  # a second 'until' for the same rule
    with pytest.raises(RuleFileError) as caught:
        parse_rules(raw, "clinic.yaml")
    assert caught.value.problems == [
        "not valid YAML at line 15, column 3: the key 'until' is given twice in one mapping; keep one"
    ]


def test_unclosed_quote_is_reported_where_it_opens() -> None:
    [found] = problems(b'name: "Clinic rules\nsource: Clinic leaflet\n')
    assert "line 1, column 7" in found


def test_one_problem_is_worded_in_the_singular() -> None:
    with pytest.raises(RuleFileError) as caught:
        parse_rules(b"", "clinic.yaml")
    assert str(caught.value) == (
        "rule file clinic.yaml has 1 problem; fix it and try again:\n"
        "  - the file is empty; start from the shipped rules (data/aftercare.yaml)"
    )


MANY_PROBLEMS = """\
schema: 1
name: North clinic aftercare
version: "3"
source: North clinic leaflet
groups:
  movement-limits:
    title: Movement limits
rules:
  - id: no-driving
    title: No driving
    category: restriction
    text: Do not drive.
    source: Avoid driving for 2-4 weeks after surgery.
    until: {earliest: 2w, latest: 4w}
    remnd: true
  - id: no-lifting
    title: No lifting
    category: restrictions
    group: lifting
    text: Do not lift anything heavier than 5 pounds.
    source: Avoid lifting objects over five pounds for 6-8 weeks.
    from: 1w
    until: {earliest: 8w, latest: 6w}
  - id: walk-short
    title: Short walks only
    category: activity
    text: Walk short distances.
    source: Walk short distances at first.
    from: 0d
    until: {at: 2}
  - id: carry-id-card
    title: Carry your device ID card
    category: device
    text: Carry your implanted device ID card.
    from: 0d
  - id: no-driving
    title: No driving at night
    category: restriction
    text: Do not drive at night.
    source: Avoid driving at night.
    until: 6w
  - id: check-wound
    title: Check the wound
    category: safety
    text: Look at the wound every day.
    source: Check your wound daily.
    due: 1d
    until: 2w
  - id: refill-visit
    title: Pump refill visit
    category: visit
    text: Have the pump refilled.
    source: You will need regular refill visits.
    due: {anchor: refill}
    deadline: Refill by
"""
MANY_PROBLEMS_FOUND = [
    "rules[0] 'no-driving': unknown key 'remnd'; did you mean 'remind'?",
    "rules[1] 'no-lifting'.category: 'restrictions' is unknown; "
    "use one of preparation, restriction, activity, safety, device, visit",
    "rules[1] 'no-lifting'.group: 'lifting' is not declared under groups; add it there",
    "rules[1] 'no-lifting'.until: earliest 8w is after latest 6w; swap them or fix one",
    "rules[2] 'walk-short'.until.at: 2 needs a unit; write it like 2w, 6 weeks, 3mo or 5y",
    "rules[3] 'carry-id-card': missing 'source'; add it",
    "rules[4] 'no-driving'.id: used by an earlier rule; every id must be unique",
    "rules[5] 'check-wound': has 'due' and 'from'/'until'; a rule is either due or a period",
    "rules[6] 'refill-visit'.deadline: only a rule due within a window has a last day to name",
]


def test_every_problem_is_reported_at_once() -> None:
    assert problems(MANY_PROBLEMS.encode()) == MANY_PROBLEMS_FOUND


def test_plan_prints_every_problem_of_the_rule_file(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "north.yaml"
    path.write_text(MANY_PROBLEMS, encoding="utf-8")
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--rules", str(path)])
    assert (result.exit_code, result.stdout) == (1, "")
    assert isinstance(result.exception, SystemExit)
    assert result.stderr == (
        f"pumpcare: rule file {path} has 9 problems; fix them and try again:\n"
        "  - rules[0] 'no-driving': unknown key 'remnd'; did you mean 'remind'?\n"
        "  - rules[1] 'no-lifting'.category: 'restrictions' is unknown; "
        "use one of preparation, restriction, activity, safety, device, visit\n"
        "  - rules[1] 'no-lifting'.group: 'lifting' is not declared under groups; add it there\n"
        "  - rules[1] 'no-lifting'.until: earliest 8w is after latest 6w; swap them or fix one\n"
        "  - rules[2] 'walk-short'.until.at: 2 needs a unit; write it like 2w, 6 weeks, 3mo or 5y\n"
        "  - rules[3] 'carry-id-card': missing 'source'; add it\n"
        "  - rules[4] 'no-driving'.id: used by an earlier rule; every id must be unique\n"
        "  - rules[5] 'check-wound': has 'due' and 'from'/'until'; a rule is either due or a period\n"
        "  - rules[6] 'refill-visit'.deadline: only a rule due within a window has a last day to name\n"
    )


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        pytest.param("missing.yaml", None, ["no such file; check the path"], id="missing"),
        pytest.param("", None, ["it is a folder; give the path of a .yaml rule file"], id="folder"),  # tmp_path
        pytest.param(
            "big.yaml",
            b"#" * (MAX_RULE_FILE_BYTES + 1),
            ["the file is 1,000,001 bytes; a rule file is at most 1,000,000 bytes"],
            id="one-byte-too-big",
        ),
    ],
)
def test_load_rules_refuses_what_it_cannot_read(
    tmp_path: Path, name: str, content: bytes | None, expected: list[str]
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(RuleFileError) as caught:
        load_rules(path)
    assert (caught.value.path, caught.value.problems) == (str(path), expected)


def test_load_rules_reads_a_file_of_exactly_the_largest_size(tmp_path: Path) -> None:
    raw = rule_file(NO_DRIVING)
    path = tmp_path / "padded.yaml"
    path.write_bytes(raw + b"#" * (MAX_RULE_FILE_BYTES - len(raw)))
    assert [rule.id for rule in load_rules(path).rules] == ["no-driving"]


def test_a_group_must_not_mix_categories_nor_share_a_rule_id() -> None:
    walks = {**NO_DRIVING, "id": "walks", "title": "Walk", "category": "activity", "group": "early"}
    raw = rule_file(
        no_driving(group="early"),
        walks,
        no_driving(id="early-2", group="no-driving"),
        groups={"early": {"title": "Early weeks"}, "no-driving": {"title": "Driving"}},
    )
    assert problems(raw) == [
        "groups.early: its rules mix categories (activity, restriction); a group is shown as one entry, "
        "so give its rules one category or split the group",
        "groups.no-driving: a rule has the same id; give the group another id",
    ]


@pytest.mark.parametrize(
    ("anchor", "earliest", "latest", "words"),
    [
        ("surgery", "2w", "4w", "2–4 weeks"),
        ("surgery", "-7d", "-1d", "7–1 days before"),
        ("surgery", "5y", "7y", "5–7 years"),
        ("surgery", "0d", "0d", "the surgery day"),
        ("follow-up", "0d", "0d", "the follow-up visit"),
        ("follow-up", "-2d", "-2d", "2 days before the follow-up visit"),
        ("follow-up", "1w", "2w", "1–2 weeks after the follow-up visit"),
        ("surgery", "-1w", "-1d", "1 week before to 1 day before"),
    ],
)
def test_a_moment_in_words(anchor: str, earliest: str, latest: str, words: str) -> None:
    from pumpcare.durations import parse_duration
    from pumpcare.rules import Moment

    assert Moment(anchor, parse_duration(earliest), parse_duration(latest)).describe() == words
