"""Whatever a person types or a file holds, pumpcare answers with output or a sentence: never a traceback, and
no exit code but 0 (done), 1 (refused) or 2 (the command line itself was wrong)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from pumpcare.cli import app

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None
)
RULE_IDS = ["no-driving", "no-lifting", "walk-short", "nothing-to-eat", "follow-up-visit", "nope", ""]
dates = st.one_of(
    st.dates().map(str),
    st.from_regex(r"[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}", fullmatch=True),
    st.text(max_size=12),
)
durations = st.one_of(
    st.from_regex(r"-?[0-9]{0,12} ?(d|w|mo|m|y|weeks|yr|x)?", fullmatch=True),
    st.text(max_size=10),
)
labels = st.text(max_size=80)


def check(result: Result) -> None:
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


@SETTINGS
@given(
    surgery=dates,
    follow_up=st.none() | dates,
    every=st.none() | durations,
    first=st.none() | dates,
    orders=st.lists(st.tuples(st.sampled_from(RULE_IDS), durations, st.none() | durations), max_size=3),
    label=st.none() | labels,
    day=st.none() | dates,
)
def test_plan_and_today_answer_any_input(
    surgery: str,
    follow_up: str | None,
    every: str | None,
    first: str | None,
    orders: list[tuple[str, str, str | None]],
    label: str | None,
    day: str | None,
) -> None:
    args = ["--surgery-date", surgery]
    for option, value in (("--follow-up", follow_up), ("--refill-every", every), ("--first-refill", first)):
        if value is not None:
            args += [option, value]
    for rule_id, earliest, latest in orders:
        args += ["--set", f"{rule_id}={earliest}" + (f"..{latest}" if latest is not None else "")]
    runner = CliRunner()
    check(runner.invoke(app, ["plan", *args, *(["--patient-label", label] if label is not None else []), "--json"]))
    check(runner.invoke(app, ["today", *args, *(["--date", day] if day is not None else [])]))


yaml_scalars = st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=True))
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
rule_keys = st.sampled_from(["id", "title", "category", "text", "source", "due", "from", "until", "group", "x"])


@SETTINGS
@given(
    top=st.dictionaries(st.sampled_from(["schema", "name", "version", "source", "rules", "drugs", "x"]), yaml_values),
    rules=st.lists(st.dictionaries(rule_keys, yaml_values, max_size=6), max_size=3),
)
def test_any_small_rule_file_is_checked_without_a_traceback(
    tmp_path: Path, top: dict[str, object], rules: list[dict[str, object]]
) -> None:
    import yaml

    document = {**top, "rules": rules} if rules else top
    path = tmp_path / "clinic.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    runner = CliRunner()
    check(runner.invoke(app, ["rules", "check", str(path)]))
    check(runner.invoke(app, ["plan", "--surgery-date", "2026-12-01", "--rules", str(path)]))


csv_cells = st.one_of(st.text(max_size=15), st.dates().map(str), st.sampled_from(["12w", "3mo", "no-driving=6w", ""]))


@SETTINGS
@given(
    header=st.lists(
        st.sampled_from(["label", "surgery_date", "follow_up", "refill_every", "overrides", "x"]), max_size=6
    ),
    rows=st.lists(st.lists(csv_cells, max_size=7), max_size=4),
)
def test_any_small_csv_makes_a_batch_or_a_sentence(tmp_path: Path, header: list[str], rows: list[list[str]]) -> None:
    lines = [",".join(header), *(",".join(row) for row in rows)]
    source = tmp_path / "in.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    out = tmp_path / "out"
    check(CliRunner().invoke(app, ["batch", str(source), "--out-dir", str(out), "--html"]))


quantities = st.one_of(
    st.from_regex(r"-?[0-9]{0,8}(\.[0-9]{0,6})? ?(mL|ml|mg/mL|mcg/mL|mg/day|mcg/day|mg|x)?", fullmatch=True),
    st.text(max_size=8),
)


@SETTINGS
@given(
    fill=quantities,
    concentration=quantities,
    dose=quantities,
    alarm=st.none() | quantities,
    next_refill=st.none() | dates,
    drug=st.none() | st.sampled_from(["baclofen", "ziconotide-diluted", "ziconotide-undiluted", "aspirin", ""]),
    day=dates,
)
def test_the_pump_numbers_and_refill_options_answer_any_input(
    fill: str, concentration: str, dose: str, alarm: str | None, next_refill: str | None, drug: str | None, day: str
) -> None:
    args = ["--surgery-date", "2026-12-01", "--fill-volume", fill, "--concentration", concentration]
    args += ["--daily-dose", dose, "--refill-every", "12w", "--first-refill", "2027-01-26"]
    for option, value in (("--alarm-volume", alarm), ("--next-refill", next_refill), ("--drug", drug)):
        if value is not None:
            args += [option, value]
    runner = CliRunner()
    check(runner.invoke(app, ["today", *args, "--date", day, "--json"]))
    check(runner.invoke(app, ["plan", *args, "--ics", "-"]))
