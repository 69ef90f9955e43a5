"""The sheet's time line as geometry: where each bar, tick and mark goes, as fractions of the drawing's width.

The PDF and the HTML writers scale these to their own page and only draw: the chart is laid out once, here,
so the two sheets can never disagree about where a restriction ends.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from pumpcare.sheet import Sheet
from pumpcare.wording_labels import chart_legend, visits_label, week_label

LABEL_LIMIT = 27  # characters: the label column of both sheets holds about this many at 10 pt


class ChartRow(NamedTuple):
    """One period: its label (whole, and cut to the column), the solid part, and the grey window, if any."""

    label: str
    short: str
    solid: tuple[float, float]
    window: tuple[float, float] | None


class Tick(NamedTuple):
    """A week line on the time line, with its label on every few weeks."""

    at: float
    text: str | None


class Chart(NamedTuple):
    """Everything the time line draws, with positions from 0 (the surgery) to 1 (the chart's last day)."""

    rows: tuple[ChartRow, ...]
    ticks: tuple[Tick, ...]
    follow_up: float | None
    refills: tuple[float, ...]
    visits: str
    legend: str


def chart(sheet: Sheet) -> Chart:
    """The time line of a sheet, laid out."""
    span = max((sheet.last - sheet.first).days, 1)

    def at(day: date) -> float:
        return min(max((day - sheet.first).days, 0), span) / span

    rows = []
    for bar in sheet.bars:
        solid_end = bar.window_start or sheet.last
        window = None
        if bar.window_start is not None and bar.end is not None and bar.end > bar.window_start:
            window = (at(bar.window_start), at(bar.end))
        rows.append(ChartRow(bar.label, fit_label(bar.label), (at(bar.start), at(solid_end)), window))
    step = label_step(sheet)
    ticks = []
    week = 0
    while (day := sheet.first + timedelta(weeks=week)) <= sheet.last:
        ticks.append(Tick(at(day), week_label(week) if week % step == 0 else None))
        week += 1
    follow_up = at(sheet.follow_up) if sheet.follow_up is not None else None
    refills = tuple(at(day) for day in sheet.refills if day <= sheet.last)
    return Chart(tuple(rows), tuple(ticks), follow_up, refills, visits_label(), chart_legend())


def label_step(sheet: Sheet) -> int:
    """Weeks between labels on the time line: every 2 weeks, or fewer labels when the span is long."""
    weeks = (sheet.last - sheet.first).days // 7
    step = 2
    while weeks // step > 8:
        step += 2
    return step


def fit_label(text: str, limit: int = LABEL_LIMIT) -> str:
    """A bar's label cut to its column, marked with an ellipsis where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
