"""The scheduler through its public API: explicit date tables, then properties for every date."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pumpcare.durations import Duration, parse_duration
from pumpcare.errors import InputError
from pumpcare.planning import make_plan
from pumpcare.rule_file import load_rules
from pumpcare.rules import RuleSet
from pumpcare.schedule import KINDS, Override, Plan, RefillSchedule

D = date


def windows(plan: Plan) -> dict[str, tuple[date, date]]:
    return {m.key: (m.when.earliest, m.when.latest) for m in plan.milestones}


# surgery date, milestone key, earliest, latest: month ends, a leap day and a year end.
EXPECTED = [
    (D(2026, 12, 1), "stop-named-medicines-due", D(2026, 11, 24), D(2026, 11, 30)),
    (D(2026, 12, 1), "getting-ready-due", D(2026, 11, 30), D(2026, 11, 30)),
    (D(2026, 12, 1), "nothing-to-eat-due", D(2026, 11, 30), D(2026, 11, 30)),
    (D(2026, 12, 1), "movement-limits-starts", D(2026, 12, 1), D(2026, 12, 1)),
    (D(2026, 12, 1), "no-driving-ends", D(2026, 12, 15), D(2026, 12, 29)),
    (D(2026, 12, 1), "walk-short-ends", D(2026, 12, 15), D(2026, 12, 15)),
    (D(2026, 12, 1), "walk-further-starts", D(2026, 12, 15), D(2026, 12, 15)),
    (D(2026, 12, 1), "movement-limits-ends", D(2027, 1, 12), D(2027, 1, 26)),
    (D(2026, 12, 1), "battery-replacement-due", D(2031, 12, 1), D(2033, 12, 1)),
    (D(2028, 2, 29), "nothing-to-eat-due", D(2028, 2, 28), D(2028, 2, 28)),
    (D(2028, 2, 29), "stop-named-medicines-due", D(2028, 2, 22), D(2028, 2, 28)),
    (D(2028, 2, 29), "no-driving-ends", D(2028, 3, 14), D(2028, 3, 28)),
    (D(2028, 2, 29), "movement-limits-ends", D(2028, 4, 11), D(2028, 4, 25)),
    (D(2028, 2, 29), "battery-replacement-due", D(2033, 2, 28), D(2035, 2, 28)),
    (D(2026, 12, 31), "no-driving-ends", D(2027, 1, 14), D(2027, 1, 28)),
    (D(2026, 12, 31), "movement-limits-ends", D(2027, 2, 11), D(2027, 2, 25)),
    (D(2026, 12, 31), "battery-replacement-due", D(2031, 12, 31), D(2033, 12, 31)),
    (D(2027, 1, 1), "nothing-to-eat-due", D(2026, 12, 31), D(2026, 12, 31)),
    (D(2027, 1, 1), "getting-ready-due", D(2026, 12, 31), D(2026, 12, 31)),
    (D(2027, 3, 1), "nothing-to-eat-due", D(2027, 2, 28), D(2027, 2, 28)),
    (D(2027, 3, 1), "stop-named-medicines-due", D(2027, 2, 22), D(2027, 2, 28)),
    (D(2027, 1, 31), "no-driving-ends", D(2027, 2, 14), D(2027, 2, 28)),
    (D(2027, 1, 31), "battery-replacement-due", D(2032, 1, 31), D(2034, 1, 31)),
]


@pytest.mark.parametrize(("surgery", "key", "earliest", "latest"), EXPECTED)
def test_expected_dates(shipped: RuleSet, surgery: date, key: str, earliest: date, latest: date) -> None:
    assert windows(make_plan(shipped, surgery))[key] == (earliest, latest)


def test_movement_limits_share_one_milestone(shipped: RuleSet) -> None:
    plan = make_plan(shipped, D(2026, 12, 1))
    [ends] = [m for m in plan.milestones if m.key == "movement-limits-ends"]
    assert ends.title == "Movement limits"
    assert [rule.id for rule in ends.rules] == [
        "no-bending", "no-twisting", "no-stretching", "no-lifting",
        "no-arms-overhead", "no-stomach-sleeping", "few-stairs", "no-long-sitting",
    ]  # fmt: skip


def test_follow_up_dates_what_waits_for_it(shipped: RuleSet) -> None:
    without = make_plan(shipped, D(2026, 12, 1))
    assert {u.key for u in without.unscheduled} == {
        "follow-up-visit-due",
        "reservoir-refill-due",
        "until-follow-up-ends",
    }
    [starts] = [m for m in without.milestones if m.key == "until-follow-up-starts"]
    assert starts.until is None
    assert starts.until_waits_for is not None
    assert starts.until_waits_for.anchor == "follow-up"

    plan = make_plan(shipped, D(2026, 12, 1), follow_up=D(2027, 1, 5))
    assert windows(plan)["follow-up-visit-due"] == (D(2027, 1, 5), D(2027, 1, 5))
    assert windows(plan)["until-follow-up-ends"] == (D(2027, 1, 5), D(2027, 1, 5))
    assert {u.key for u in plan.unscheduled} == {"reservoir-refill-due"}


def test_refills_count_from_the_refill_before(shipped: RuleSet) -> None:
    refills = RefillSchedule(D(2027, 1, 30), Duration(1, "months"))
    plan = make_plan(shipped, D(2027, 1, 3), refills=refills)
    visits = [m.when.earliest for m in plan.milestones if m.key.startswith("reservoir-refill-due")]
    assert visits[:12] == [
        D(2027, 1, 30), D(2027, 2, 28), D(2027, 3, 28), D(2027, 4, 28), D(2027, 5, 28), D(2027, 6, 28),
        D(2027, 7, 28), D(2027, 8, 28), D(2027, 9, 28), D(2027, 10, 28), D(2027, 11, 28), D(2027, 12, 28),
    ]  # fmt: skip
    assert [m.key for m in plan.milestones if m.key.startswith("reservoir")][:2] == [
        "reservoir-refill-due-1",
        "reservoir-refill-due-2",
    ]
    assert all(m.remind for m in plan.milestones if m.key.startswith("reservoir"))


def test_override_replaces_one_rule_and_splits_it_from_its_group(shipped: RuleSet) -> None:
    orders = [Override("no-lifting", parse_duration("10w"), parse_duration("12w"))]
    plan = make_plan(shipped, D(2026, 12, 1), overrides=orders)
    found = windows(plan)
    assert found["no-lifting-ends"] == (D(2027, 2, 9), D(2027, 2, 23))
    assert found["movement-limits-ends"] == (D(2027, 1, 12), D(2027, 1, 26))
    [lifting] = [m for m in plan.milestones if m.key == "no-lifting-ends"]
    assert lifting.set_by_care_team
    assert plan.warnings == (
        "no-lifting=10w..12w is outside the rule file's 6–8 weeks for 'no-lifting'; the plan uses it as set",
    )


def test_override_inside_the_range_gives_no_warning(shipped: RuleSet) -> None:
    plan = make_plan(
        shipped, D(2026, 12, 1), overrides=[Override("no-driving", Duration(3, "weeks"), Duration(3, "weeks"))]
    )
    assert windows(plan)["no-driving-ends"] == (D(2026, 12, 22), D(2026, 12, 22))
    assert plan.warnings == ()


def test_override_of_a_follow_up_rule_counts_from_surgery(shipped: RuleSet) -> None:
    orders = [Override("no-sex", Duration(4, "weeks"), Duration(4, "weeks"))]
    plan = make_plan(shipped, D(2026, 12, 1), overrides=orders)
    assert windows(plan)["no-sex-ends"] == (D(2026, 12, 29), D(2026, 12, 29))
    [group] = [u for u in plan.unscheduled if u.key == "until-follow-up-ends"]
    assert [rule.id for rule in group.rules] == ["no-housework", "no-yard-work"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"follow_up": D(2026, 11, 20)},
            "follow-up date 2026-11-20 is before the surgery date 2026-12-01; check the dates",
        ),
        ({"follow_up": D(2026, 12, 1)}, "follow-up date 2026-12-01 is the surgery date 2026-12-01; check the dates"),
        (
            {"refills": RefillSchedule(D(2026, 11, 1), Duration(12, "weeks"))},
            "first refill date 2026-11-01 is before the surgery date 2026-12-01; check the dates",
        ),
        (
            {"refills": RefillSchedule(D(2027, 1, 1), Duration(0, "days"))},
            "refill interval 0d is not longer than zero; give it as a duration such as 12w or 3mo",
        ),
        (
            {"overrides": [Override("no-drivng", Duration(6, "weeks"), Duration(6, "weeks"))]},
            "there is no rule 'no-drivng' to set; did you mean 'no-driving'?",
        ),
    ],
)
def test_impossible_inputs_are_refused(shipped: RuleSet, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError) as caught:
        make_plan(shipped, D(2026, 12, 1), **kwargs)  # type: ignore[arg-type]
    assert str(caught.value) == message


# ── Properties that hold for every surgery date ───────────────────────────────────────────────────────────

RULE_IDS = [
    "no-driving", "no-lifting", "no-bending", "no-housework", "walk-short", "walk-further",
    "nothing-to-eat", "stop-named-medicines",
]  # fmt: skip
durations = st.builds(Duration, st.integers(min_value=0, max_value=40), st.sampled_from(["days", "weeks", "months"]))


@st.composite
def orders(draw: st.DrawFn) -> list[Override]:
    chosen = draw(st.lists(st.sampled_from(RULE_IDS), unique=True, max_size=3))
    result = []
    for rule_id in chosen:
        weeks = sorted(draw(st.lists(st.integers(min_value=1, max_value=30), min_size=2, max_size=2)))
        result.append(Override(rule_id, Duration(weeks[0], "weeks"), Duration(weeks[1], "weeks")))
    return result


plans = st.fixed_dictionaries(
    {
        "surgery": st.dates(min_value=D(1990, 1, 1), max_value=D(2090, 12, 31)),
        "follow_up_days": st.none() | st.integers(min_value=1, max_value=400),
        "refill": st.none()
        | st.tuples(
            st.integers(min_value=1, max_value=200),
            st.builds(Duration, st.integers(min_value=1, max_value=26), st.sampled_from(["weeks", "months"])),
        ),
        "orders": orders(),
    }
)


def build(shipped: RuleSet, spec: dict[str, object]) -> Plan:
    surgery = spec["surgery"]
    assert isinstance(surgery, date)
    follow_days = spec["follow_up_days"]
    refill = spec["refill"]
    return make_plan(
        shipped,
        surgery,
        follow_up=surgery + timedelta(days=follow_days) if isinstance(follow_days, int) else None,
        refills=RefillSchedule(surgery + timedelta(days=refill[0]), refill[1]) if isinstance(refill, tuple) else None,
        overrides=spec["orders"],  # type: ignore[arg-type]
    )


@settings(max_examples=150, deadline=None)
@given(spec=plans)
def test_properties_of_every_plan(shipped: RuleSet, spec: dict[str, object]) -> None:
    plan = build(shipped, spec)
    order = {rule.id: index for index, rule in enumerate(shipped.rules)}
    sort_keys = [(m.when.earliest, KINDS.index(m.kind), m.when.latest, order[m.rules[0].id]) for m in plan.milestones]
    assert sort_keys == sorted(sort_keys)
    for milestone in plan.milestones:
        assert milestone.when.earliest <= milestone.when.latest
        if milestone.until is not None:
            assert milestone.until.earliest <= milestone.until.latest
        if milestone.when.earliest < plan.surgery:
            assert milestone.category == "preparation", milestone.key
    assert len({m.key for m in plan.milestones}) == len(plan.milestones)
    assert build(shipped, spec) == plan


@settings(max_examples=100, deadline=None)
@given(spec=plans)
def test_every_rule_is_in_the_plan_dated_or_waiting(shipped: RuleSet, spec: dict[str, object]) -> None:
    plan = build(shipped, spec)
    placed = {rule.id for m in plan.milestones for rule in m.rules}
    placed |= {rule.id for u in plan.unscheduled for rule in u.rules}
    assert placed == {rule.id for rule in shipped.rules}


@settings(max_examples=100, deadline=None)
@given(surgery=st.dates(min_value=D(1990, 1, 1), max_value=D(2090, 12, 31)), extra=durations)
def test_a_period_never_ends_before_it_starts(shipped: RuleSet, surgery: date, extra: Duration) -> None:
    plan = make_plan(shipped, surgery, follow_up=extra.after(surgery) + timedelta(days=1))
    starts = {rule.id: m.when.earliest for m in plan.milestones if m.kind == "starts" for rule in m.rules}
    for milestone in plan.milestones:
        if milestone.kind == "ends":
            for rule in milestone.rules:
                assert starts[rule.id] <= milestone.when.earliest


def test_a_rule_file_that_does_not_say_how_its_groups_are_named_shows_a_split_part_by_its_members(
    tmp_path: Path,
) -> None:
    """A clinic file from before `names_members` never reads "No housework, yard work or sex, except no sex"."""
    shipped = (Path(__file__).parent.parent / "data" / "aftercare.yaml").read_text(encoding="utf-8")
    old = tmp_path / "clinic.yaml"
    old.write_text(shipped.replace("    names_members: true\n", "").replace("    names_members: false\n", ""))
    orders = [Override("no-sex", Duration(8, "weeks"), Duration(8, "weeks"))]
    titles = {m.title for m in make_plan(load_rules(old), date(2026, 12, 1), overrides=orders).milestones}
    assert "No housework, no yard work" in titles
    assert not any("except" in title for title in titles)
    lifting = [Override("no-lifting", Duration(10, "weeks"), Duration(10, "weeks"))]
    titles = {m.title for m in make_plan(load_rules(), date(2026, 12, 1), overrides=lifting).milestones}
    assert "Movement limits, except no lifting over 5 pounds" in titles  # the shipped file says how
