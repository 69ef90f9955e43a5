"""`pumpcare plan --chart`: each period a bar from surgery to its end window, drawn in text.

The glyphs carry the meaning, so the chart reads the same without colour (NO_COLOR, piped output); colour only
adds to it. Where the output encoding lacks the block characters (a Windows console piped to a file), plain
ASCII stands in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from itertools import groupby
from typing import NamedTuple

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.segment import Segment
from rich.text import Text

from pumpcare.layout import disclaimers
from pumpcare.plain import plain
from pumpcare.schedule import Milestone, Plan
from pumpcare.status import chart_span
from pumpcare.wording import ask, days_phrase, format_span
from pumpcare.wording_labels import axis_label, plan_heading, terminal_legend, visits_label, week_mark
from pumpcare.wording_phrases import due_sentence, paren

_LABEL_WIDTH = 26
_Column = Callable[[date], int]


class _Glyphs(NamedTuple):
    solid: str
    window: str
    today: str
    follow_up: str
    refill: str
    open_end: str
    cut: str  # ends a label too long for its column


_UNICODE = _Glyphs("█", "░", "│", "◆", "●", "→", "…")
_ASCII = _Glyphs("#", ".", "|", "F", "R", ">", "...")


def render_chart(plan: Plan, *, today: date | None = None) -> RenderableType:
    """The chart, its legend, and what lies beyond it in words."""
    parts: list[RenderableType] = [
        Text.assemble((plan_heading(plan.surgery, chart=True)[0], "bold"), plan_heading(plan.surgery)[1]),
        *disclaimers(),
        _Chart(plan, today),
        # The today mark is named in the key only when the chart can draw it (today is on its time line).
        _Legend(with_today=today is not None and plan.surgery <= today <= chart_span(plan).last),
    ]
    beyond = [m for m in plan.milestones if m.kind == "due" and m.category != "preparation" and m.when.is_range]
    parts.extend(Text(due_sentence(m.title, format_span(m.when), paren(ask()))) for m in beyond)
    return Group(*parts)


class _Chart:
    def __init__(self, plan: Plan, today: date | None) -> None:
        self.plan = plan
        self.today = today
        self.rows, self.first, self.last = chart_span(plan)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        glyphs = _glyphs(console)
        for line in self._lines(glyphs, options.max_width):
            yield from line.render(console)
            yield Segment.line()

    def _lines(self, glyphs: _Glyphs, width: int) -> Iterator[Text]:
        label_width = min(_LABEL_WIDTH, max(width // 3, 10))
        bar_width = max(width - label_width - 2, 10)  # one column kept for the arrow of an open end
        span = (self.last - self.first).days

        def column(day: date) -> int:
            return min(bar_width - 1, max(0, (day - self.first).days * bar_width // span))

        today_col = column(self.today) if self.today and self.first <= self.today <= self.last else None
        yield self._axis(glyphs, label_width, bar_width, column)
        for milestone in self.rows:
            yield self._bar(milestone, glyphs, label_width, bar_width, column, today_col)
        visits = self._visits(glyphs, label_width, bar_width, column, today_col)
        if visits.plain.strip() != visits_label():
            yield visits
        if today_col is not None and self.today is not None:
            yield Text(" " * (label_width + 1 + today_col) + f"{glyphs.today} {days_phrase(0)}")

    def _axis(self, glyphs: _Glyphs, label_width: int, bar_width: int, column: _Column) -> Text:
        cells = [" "] * bar_width
        week = 0
        while (day := self.first + timedelta(weeks=week)) <= self.last:
            mark = "|" if week == 0 else week_mark(week)
            start = column(day)
            if (
                all(cell == " " for cell in cells[max(0, start - 1) : start + len(mark) + 1])
                and start + len(mark) <= bar_width
            ):
                cells[start : start + len(mark)] = list(mark)
            week += 2
        return Text(_label(axis_label(), label_width, glyphs) + " " + "".join(cells), style="dim")

    def _bar(
        self,
        milestone: Milestone,
        glyphs: _Glyphs,
        label_width: int,
        bar_width: int,
        column: _Column,
        today_col: int | None,
    ) -> Text:
        start = column(milestone.when.earliest)
        if milestone.until is not None:
            solid_end, window_end = column(milestone.until.earliest), column(milestone.until.latest)
        else:  # until a follow-up visit that has no date yet: in force to the edge, and beyond
            solid_end = window_end = bar_width
        cells: list[tuple[str, str]] = []
        for col in range(bar_width):
            if start <= col < solid_end:
                cells.append((glyphs.solid, "red"))
            elif solid_end <= col <= window_end and milestone.until is not None and milestone.until.is_range:
                cells.append((glyphs.window, "yellow"))
            elif col == solid_end and milestone.until is not None:
                cells.append((glyphs.solid, "red"))
            else:
                cells.append((glyphs.today if col == today_col else " ", ""))
        text = Text(_label(milestone.title, label_width, glyphs) + " ")
        # One span per run of equal cells, not one per cell: shorter output in colour, and quicker to draw.
        for style, run in groupby(cells, key=lambda cell: cell[1]):
            text.append("".join(glyph for glyph, _ in run), style=style)
        text.append(glyphs.open_end if milestone.until is None else " ")
        return text

    def _visits(
        self, glyphs: _Glyphs, label_width: int, bar_width: int, column: _Column, today_col: int | None
    ) -> Text:
        cells = [" "] * bar_width
        if today_col is not None:
            cells[today_col] = glyphs.today
        for milestone in self.plan.milestones:
            if milestone.kind != "due" or milestone.category != "visit" or milestone.when.earliest > self.last:
                continue
            is_follow_up = milestone.anchor == "follow-up"
            cells[column(milestone.when.earliest)] = glyphs.follow_up if is_follow_up else glyphs.refill
        return Text(_label(visits_label(), label_width, glyphs) + " " + "".join(cells))


class _Legend:
    """The key to the glyphs, as text rich may wrap on a narrow terminal."""

    def __init__(self, *, with_today: bool) -> None:
        self.with_today = with_today

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        glyphs = _glyphs(console)
        in_force, may_end, today_word, follow_up, refill = terminal_legend()
        yield Text.assemble((glyphs.solid, "red"), in_force, (glyphs.window, "yellow"), may_end)
        today = f"{glyphs.today}{today_word}" if self.with_today else ""
        yield Text(f"{today}{glyphs.follow_up}{follow_up}{glyphs.refill}{refill}")


def _label(title: str, width: int, glyphs: _Glyphs) -> str:
    # Where the console lacks a character, the CLI writes its look-alike, which may be longer ("…" is "..."):
    # an ASCII label is made plain first and then cut, so the bars after it start in the scale's column.
    if glyphs is _ASCII:
        title = plain(title)
    return title.ljust(width) if len(title) <= width else title[: width - len(glyphs.cut)] + glyphs.cut


def _glyphs(console: Console) -> _Glyphs:
    try:
        "".join(_UNICODE).encode(console.encoding)
    except (UnicodeEncodeError, LookupError):
        return _ASCII
    return _UNICODE
