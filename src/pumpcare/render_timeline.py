"""The plan as a rich timeline for an 80-column terminal: one row per date, in date order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from itertools import groupby

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.segment import Segment
from rich.text import Text

from pumpcare.layout import Bullets, disclaimers
from pumpcare.milestone_words import milestone_after_title
from pumpcare.schedule import Milestone, Plan
from pumpcare.status import listed_refills
from pumpcare.wording import (
    day_label,
    deadline_sentence,
    format_date,
    member_titles,
    members_phrase,
    undated_phrase,
)
from pumpcare.wording_labels import (
    from_today,
    heading_pump,
    heading_undated,
    plan_heading,
    timeline_columns,
    today_mark,
)
from pumpcare.wording_phrases import (
    colon_phrase,
)
from pumpcare.wording_pump import goes_on_sentence, more_refills_sentence, refill_basis, refill_sentence

_NARROWEST_WHAT = 28


def render_plan(plan: Plan, *, today: date | None = None) -> RenderableType:
    """The whole plan: a heading, the dated timeline, then what cannot be dated yet."""
    parts: list[RenderableType] = [
        Text.assemble((plan_heading(plan.surgery)[0], "bold"), plan_heading(plan.surgery)[1]),
        *disclaimers(),
        _Timeline(plan, today),
    ]
    if plan.unscheduled:
        parts.append(_undated(plan))
    pump = _pump(plan, today)
    if pump:
        parts.append(Group(Text(heading_pump(), style="bold"), Bullets(pump, bullet="• ")))
    return Group(*parts)


def _pump(plan: Plan, today: date | None) -> list[Text]:
    """The next refill and why it falls then, the drug's warning, and the battery's last day."""
    lines: list[Text] = []
    due = plan.refill_due(as_of=today)
    if due is not None:
        days = (due.day - today).days if today is not None else 1
        sentence = refill_sentence(due, days)
        if days < 0:
            action = next((m.overdue for m in plan.milestones if m.repeats and m.overdue), "")
            lines.append(Text.assemble((sentence, "bold red"), " ", action))
        else:
            lines.append(Text.assemble((sentence, "bold"), " ", refill_basis(plan, due), " ", goes_on_sentence(plan)))
    drug = plan.refill_settings.drug
    if drug is not None:
        lines.append(Text(drug.text))
    battery = plan.battery(as_of=today)
    if battery is not None and battery.milestone.deadline:
        lines.append(Text(deadline_sentence(battery.milestone, battery.deadline)))
    return lines


class _Timeline:
    """The dated rows, laid out by hand: rich's Table measured every cell twice and cost more than the plan."""

    def __init__(self, plan: Plan, today: date | None) -> None:
        self.rows: list[tuple[str, str, str, Text]] = []
        pending_today = today
        milestones, left_out = _fewer_refills(plan, today)
        for day, items in groupby(milestones, key=lambda m: m.when.earliest):
            if pending_today is not None and pending_today < day:
                self.rows.append(
                    (format_date(pending_today, compact=True), day_label(plan, pending_today), "", _today())
                )
            is_today = pending_today == day
            if pending_today is not None and pending_today <= day:
                pending_today = None
            for index, (bullet, text) in enumerate(_day_rows(list(items), is_today)):
                first = index == 0
                self.rows.append(
                    (
                        format_date(day, compact=True) if first else "",
                        day_label(plan, day) if first else "",
                        bullet,
                        text,
                    )
                )
        if pending_today is not None:
            self.rows.append((format_date(pending_today, compact=True), day_label(plan, pending_today), "", _today()))
        if left_out:
            last = left_out[-1].when.earliest
            self.rows.append(("", "", "•", Text(more_refills_sentence(len(left_out), last, plan), style="dim")))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # Lines go out as segments: yielding Text would make rich wrap every line a second time.
        for line in self._lines(console, options.max_width):
            yield from line.render(console)
            yield Segment.line()

    def _lines(self, console: Console, width: int) -> Iterator[Text]:
        date_width = max((len(row[0]) for row in self.rows), default=4) + 2
        day_width = max((len(row[1]) for row in self.rows), default=13) + 2
        what_width = width - date_width - day_width - 2
        if what_width < _NARROWEST_WHAT:
            # Too narrow for columns: the date and day go on a line of their own above what happens.
            date_width = day_width = 0
            what_width = max(width - 4, 10)
        day, after, what = timeline_columns()
        heading = f"{day:<{date_width}}{after:<{day_width}}  {what}" if date_width else f"{day} · {what}"
        yield Text(heading, style="bold")
        yield Text(_rule_char(console) * min(width, date_width + day_width + 2 + what_width), style="dim")
        for day, label, bullet, text in self.rows:
            if not date_width and day:
                yield Text(f"{day} · {label}", style="bold")
            lead = f"{day:<{date_width}}{label:<{day_width}}" if date_width else "  "
            # Most lines fit; wrapping only the ones that do not halves the time to draw the plan.
            lines = [text] if cell_len(text.plain) <= what_width else text.wrap(console, what_width)
            for index, line in enumerate(lines):
                marker = f"{bullet} " if index == 0 and bullet else "  "
                line.rstrip()
                yield Text.assemble(lead if index == 0 else " " * len(lead), marker, line)


def _fewer_refills(plan: Plan, today: date | None) -> tuple[list[Milestone], list[Milestone]]:
    """The milestones to draw, and the refill visits left to one summary line: all but the next few."""
    listed = {m.key for m in listed_refills(plan, today)}
    first = next(iter(listed_refills(plan, today)), None)
    left_out = [
        m
        for m in plan.milestones
        if m.repeats and m.key not in listed and first and m.when.earliest > first.when.earliest
    ]
    dropped = {m.key for m in left_out}
    return [m for m in plan.milestones if m.key not in dropped], left_out


def _rule_char(console: Console) -> str:
    # cp1252, a Windows console's encoding when piped, has the bullets and dashes we use but no box drawing.
    try:
        "─".encode(console.encoding)
    except (UnicodeEncodeError, LookupError):
        return "-"
    return "─"


def _today() -> Text:
    return Text(f"» {today_mark()}", style="bold")


def _day_rows(milestones: list[Milestone], today: bool) -> list[tuple[str, Text]]:
    rows: list[tuple[str, Text]] = [("", _today())] if today else []
    starts_heading = False
    for milestone in milestones:
        if milestone.kind == "starts" and not milestone.when.is_range and not starts_heading:
            rows.append(("", Text(from_today(), style="dim")))
            starts_heading = True
        rows.append(("•", milestone_line(milestone)))
        if members_phrase(milestone):
            rows.append(("", Text(" · ".join(member_titles(milestone)), style="dim")))
    return rows


def milestone_line(milestone: Milestone) -> Text:
    """The milestone's line on the timeline, without its date: its title in bold, then what it says of it."""
    return Text.assemble((milestone.title, "bold"), milestone_after_title(milestone))


def _undated(plan: Plan) -> Group:
    lines: list[RenderableType] = [Text(heading_undated(), style="bold")]
    for item in plan.unscheduled:
        lines.append(Text.assemble("• ", (item.title, "bold"), colon_phrase(undated_phrase(item.kind, item.moment))))
    return Group(*lines)
