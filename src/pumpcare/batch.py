"""A day's discharges from one CSV file: each row a patient, read one at a time, each its calendar and sheet.

Rows are streamed (never all held at once), so time grows with the rows and memory does not; a bad row is
reported with its row number, column and reason, and the others go on.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from pumpcare.errors import InputError, PumpcareError
from pumpcare.files import write_atomically
from pumpcare.inputs import check_label, parse_date, parse_interval, parse_override
from pumpcare.render_ics import render_ics
from pumpcare.rules import RuleSet
from pumpcare.schedule import Plan, RefillSchedule, make_plan
from pumpcare.sheet import make_sheet

COLUMNS = ("label", "surgery_date", "follow_up", "refill_every", "first_refill", "overrides")
_FILE_SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"


class Done(NamedTuple):
    """A row whose calendar and sheet were written."""

    row: int
    label: str
    files: tuple[Path, ...]


class Failed(NamedTuple):
    """A row that could not be planned: where, and why."""

    row: int
    column: str
    reason: str


class BatchOptions(NamedTuple):
    """What every patient of a batch shares."""

    rules: RuleSet
    out_dir: Path
    stamp: datetime
    paper: str = "letter"
    html: bool = False


def check_header(fieldnames: Iterable[str] | None) -> None:
    """Refuse a header with unknown or missing columns, listing the expected ones."""
    found = [name.strip() for name in fieldnames or ()]
    unknown = [name for name in found if name not in COLUMNS]
    missing = [name for name in COLUMNS if name not in found]
    if unknown or missing:
        problems = []
        if unknown:
            problems.append(f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}")
        if missing:
            problems.append(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        raise InputError(
            f"the CSV header has {' and '.join(problems)}; the first row must name the columns {','.join(COLUMNS)}"
        )


def open_rows(lines: Iterable[str]) -> csv.DictReader[str]:
    """A reader over the CSV whose header has been checked; nothing is read past the header yet."""
    reader = csv.DictReader(lines)
    check_header(reader.fieldnames)
    return reader


def run_batch(reader: csv.DictReader[str], options: BatchOptions) -> Iterator[Done | Failed]:
    """Plan and write each row in turn; yield what happened to it as soon as it is done."""
    for row in reader:
        # The line the row ends on, as a spreadsheet numbers it: blank lines and quoted line breaks count.
        row_number = reader.line_num
        if None in row:
            yield Failed(row_number, "-", "the row has more cells than the header; check for a stray comma")
            continue
        if None in row.values():
            yield Failed(row_number, "-", "the row has fewer cells than the header; check for a missing comma")
            continue
        cells = {key.strip(): (value or "").strip() for key, value in row.items()}
        yield _one(row_number, cells, options)


def _one(row_number: int, cells: dict[str, str], options: BatchOptions) -> Done | Failed:
    column = "label"
    try:
        label = check_label(cells["label"], "label")
        column = "surgery_date"
        surgery = parse_date(cells["surgery_date"], "surgery date")
        column = "follow_up"
        follow_up = parse_date(cells["follow_up"], "follow-up date") if cells["follow_up"] else None
        column = "refill_every"
        refills = None
        if bool(cells["refill_every"]) != bool(cells["first_refill"]):
            raise InputError("refill visits need both refill_every and first_refill; give both or neither")
        if cells["refill_every"]:
            every = parse_interval(cells["refill_every"], "refill_every")
            column = "first_refill"
            refills = RefillSchedule(parse_date(cells["first_refill"], "first refill date"), every)
        column = "overrides"
        orders = [parse_override(order, "overrides") for order in cells["overrides"].split(";") if order.strip()]
        plan = make_plan(options.rules, surgery, follow_up=follow_up, refills=refills, overrides=orders)
        column = "-"
        return Done(row_number, label, _write(row_number, label, plan, options))
    except InputError as err:
        return Failed(row_number, err.field or column, str(err))
    except PumpcareError as err:
        return Failed(row_number, column, str(err))


def _write(row_number: int, label: str, plan: Plan, options: BatchOptions) -> tuple[Path, ...]:
    stem = options.out_dir / f"{row_number:04d}-{_file_name(label)}"
    calendar = stem.with_suffix(".ics")
    write_atomically(calendar, render_ics(plan, stamp=options.stamp, patient_label=label))
    sheet = make_sheet(plan, label)
    if options.html:
        from pumpcare.render_html import render_html

        handout = stem.with_suffix(".html")
        write_atomically(handout, render_html(sheet, paper=options.paper).encode("utf-8"))
    else:
        from pumpcare.render_pdf import render_pdf

        handout = stem.with_suffix(".pdf")
        write_atomically(handout, render_pdf(sheet, paper=options.paper).data)
    return calendar, handout


def _file_name(label: str) -> str:
    # Letters, digits, - and _ only: a label may hold slashes or colons that no file system takes.
    name = "".join(char if char in _FILE_SAFE else "-" for char in label).strip("-")
    return name[:40] or "patient"
