"""Durations as people write them, and calendar arithmetic with them."""

from __future__ import annotations

from datetime import date

import pytest

from pumpcare.durations import Duration, DurationSyntaxError, is_ordered, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2w", Duration(2, "weeks")),
        ("6 weeks", Duration(6, "weeks")),
        ("1 week", Duration(1, "weeks")),
        ("5y", Duration(5, "years")),
        ("7 years", Duration(7, "years")),
        ("3mo", Duration(3, "months")),
        ("10 days", Duration(10, "days")),
        ("-1d", Duration(-1, "days")),
        ("- 1 w", Duration(-1, "weeks")),
        (" 0d ", Duration(0, "days")),
        ("12W", Duration(12, "weeks")),
    ],
)
def test_parse_duration(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12", "'12' is not a duration; write a whole number and a unit, such as 2w, 6 weeks, 3mo or 5y"),
        ("3m", "'3m' is ambiguous; write 'mo' or 'months' for months"),
        (
            "2 fortnights",
            "'2 fortnights' has an unknown unit 'fortnights'; use d (days), w (weeks), mo (months) or y (years)",
        ),
        ("1.5w", "'1.5w' is not a duration; write a whole number and a unit, such as 2w, 6 weeks, 3mo or 5y"),
        ("", "'' is not a duration; write a whole number and a unit, such as 2w, 6 weeks, 3mo or 5y"),
        ("-", "'-' is not a duration; write a whole number and a unit, such as 2w, 6 weeks, 3mo or 5y"),
        ("w", "'w' is not a duration; write a whole number and a unit, such as 2w, 6 weeks, 3mo or 5y"),
        ("\u0663w", "'\u0663w' is not a duration; write a whole number and a unit, such as 2w, 6 weeks, 3mo or 5y"),
        ("36601d", "'36601d' is longer than 100 years; check the number"),
        ("99999y", "'99999y' is longer than 100 years; check the number"),
        ("2 w 3", "'2 w 3' is not a duration; write a whole number and a unit, such as 2w, 6 weeks, 3mo or 5y"),
    ],
)
def test_parse_duration_refuses(text: str, message: str) -> None:
    with pytest.raises(DurationSyntaxError) as caught:
        parse_duration(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("start", "duration", "times", "expected"),
    [
        (date(2028, 2, 29), "5y", 1, date(2033, 2, 28)),
        (date(2028, 2, 29), "4y", 1, date(2032, 2, 29)),
        (date(2027, 1, 31), "1mo", 1, date(2027, 2, 28)),
        (date(2027, 1, 31), "1mo", 2, date(2027, 3, 31)),
        (date(2028, 1, 31), "1mo", 1, date(2028, 2, 29)),
        (date(2026, 12, 31), "2w", 1, date(2027, 1, 14)),
        (date(2026, 3, 1), "-1d", 1, date(2026, 2, 28)),
        (date(2028, 3, 1), "-1d", 1, date(2028, 2, 29)),
        (date(2026, 12, 1), "12w", 3, date(2027, 8, 10)),
    ],
)
def test_after_uses_calendar_arithmetic(start: date, duration: str, times: int, expected: date) -> None:
    assert parse_duration(duration).after(start, times) == expected


@pytest.mark.parametrize(
    ("earliest", "latest", "ordered"),
    [("2w", "4w", True), ("4w", "2w", False), ("1mo", "31d", True), ("1mo", "30d", False), ("6w", "6w", True)],
)
def test_is_ordered_checks_every_month_length(earliest: str, latest: str, ordered: bool) -> None:
    assert is_ordered(parse_duration(earliest), parse_duration(latest)) is ordered


@pytest.mark.parametrize(
    ("text", "words"), [("1w", "1 week"), ("6 weeks", "6 weeks"), ("-1d", "1 day before"), ("5y", "5 years")]
)
def test_describe(text: str, words: str) -> None:
    assert parse_duration(text).describe() == words
