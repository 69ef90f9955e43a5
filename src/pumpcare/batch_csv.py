"""Reading a batch's CSV file and checking it: its header, then each row's cells, one line at a time.

A file that is not UTF-8 text, or a header with unknown, missing or repeated columns, is refused whole. A line the
CSV reader cannot make sense of (a runaway quote, a NUL, a line far too long) is that row's failure only, reported
with its line number and reason, and the reading goes on from the next line. Planning the rows is batch's job.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import IO, NamedTuple

from pumpcare.errors import InputError
from pumpcare.input_table import PLAN_INPUTS

REQUIRED = ("label", "surgery_date")
# Every plan input a CSV can carry (input_table.PLAN_INPUTS), then the CarePlan's patient reference.
OPTIONAL = (
    *(item.column for item in PLAN_INPUTS if item.column is not None and item.column not in REQUIRED),
    "patient_ref",
)
COLUMNS = REQUIRED + OPTIONAL
# A row is a few hundred characters; anything near csv's 131,072-character field limit is a runaway quote.
MAX_LINE = 65_536
# A quoted cell may hold a line break, but one that runs on for this many lines is a stray quote.
MAX_RECORD_LINES = 20
_EXPECTED = (
    f"the first row must name the columns {' and '.join(REQUIRED)}, and may name "
    f"{', '.join(OPTIONAL[:-1])} and {OPTIONAL[-1]}"
)


class RowFailed(NamedTuple):
    """A row that could not be planned or written: where, and why."""

    row: int
    column: str
    reason: str


class _Line(NamedTuple):
    number: int
    text: str | None  # None: longer than MAX_LINE, and skipped


class _Record(NamedTuple):
    number: int
    cells: list[str] | None
    problem: str = ""


def open_csv(path: Path) -> IO[str]:
    """The CSV file opened for reading; undecodable bytes are kept (as surrogates) so a line can be named."""
    try:
        return path.open(encoding="utf-8", errors="surrogateescape", newline="")
    except OSError as err:
        raise InputError(f"cannot read {path}: {(err.strerror or 'it failed').lower()}; check the path") from None


def count_rows(path: Path) -> int:
    """How many rows follow the header, after checking the file is UTF-8 text; refuse it, naming the line, if not."""
    try:
        with path.open("rb") as raw:
            start = raw.read(4)
    except OSError as err:
        raise InputError(f"cannot read {path}: {(err.strerror or 'it failed').lower()}; check the path") from None
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{path} is saved as UTF-16 text; save it as CSV UTF-8 (comma-separated) and try again")
    lines = 0
    try:
        with open_csv(path) as stream:
            for line in _lines(stream):
                lines += 1
                if line.text is None:
                    continue
                if lines == 1 and "\x00" in line.text:
                    raise InputError(
                        f"{path} looks like UTF-16 text; save it as CSV UTF-8 (comma-separated) and try again"
                    )
                try:
                    line.text.encode("utf-8")
                except UnicodeEncodeError:
                    raise InputError(
                        f"{path} line {line.number} is not UTF-8 text (perhaps Latin-1 or Windows-1252); "
                        "save the file as CSV UTF-8 and try again"
                    ) from None
    except OSError as err:
        raise InputError(f"cannot read {path}: {(err.strerror or 'it failed').lower()}; check the path") from None
    return max(lines - 1, 0)


def read_rows(stream: IO[str]) -> Iterator[tuple[int, dict[str, str]] | RowFailed]:
    """Check the header, then yield each row's line number and cells, or the line's failure, one at a time."""
    lines = _lines(stream)
    first = next(lines, _Line(1, ""))
    columns = check_header(first.text or "")
    for record in _records(lines, len(columns)):
        if record.cells is None:
            yield RowFailed(record.number, "-", record.problem)
        elif not record.cells:
            continue  # a blank line
        elif len(record.cells) > len(columns):
            yield RowFailed(record.number, "-", "the row has more cells than the header; check for a stray comma")
        elif len(record.cells) < len(columns):
            yield RowFailed(record.number, "-", "the row has fewer cells than the header; check for a missing comma")
        else:
            yield record.number, {name: value.strip() for name, value in zip(columns, record.cells, strict=True)}


def check_header(line: str) -> list[str]:
    """The header's column names; refuse a header with unknown, missing or repeated columns, or another separator."""
    line = line.removeprefix("\ufeff")
    try:
        names = [name.strip() for name in next(csv.reader([line]), [])]
    except csv.Error:
        names = [line.strip()]
    if len(names) <= 1:
        for separator, said in ((";", "';'"), ("\t", "tabs")):
            if separator in line:
                raise InputError(f"the file uses {said} between columns; save it as comma-separated CSV")
    problems = []
    unknown = [name or "(a column with no name)" for name in names if name not in COLUMNS]
    if unknown:
        problems.append(f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}")
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        problems.append(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    twice = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    if twice:
        problems.append(f"the column{'s' if len(twice) > 1 else ''} {', '.join(twice)} more than once")
    if problems:
        raise InputError(f"the CSV header has {' and '.join(problems)}; {_EXPECTED}")
    return names


def _lines(stream: IO[str]) -> Iterator[_Line]:
    """The file's lines, numbered as an editor numbers them; a line too long to be a row is not held in memory."""
    number = 0
    while True:
        text = stream.readline(MAX_LINE)
        if not text:
            return
        number += 1
        if len(text) == MAX_LINE and not text.endswith(("\n", "\r")):
            while text and not text.endswith(("\n", "\r")):
                text = stream.readline(MAX_LINE)
            yield _Line(number, None)
        else:
            yield _Line(number, text)


def _records(lines: Iterator[_Line], width: int) -> Iterator[_Record]:
    """Each record's first line number and cells; a line that cannot start a record is reported, and skipped."""
    again: deque[_Line] = deque()  # lines a runaway quote took, read again from the line after it
    while True:
        first = again.popleft() if again else next(lines, None)
        if first is None:
            return
        if first.text is None:
            yield _Record(
                first.number,
                None,
                f"line {first.number} is longer than {MAX_LINE:,} characters; check it for a stray quote "
                "or a missing line break",
            )
            continue
        if "\x00" in first.text:
            yield _Record(
                first.number,
                None,
                f"line {first.number} holds a NUL character; delete it, or save the file again as CSV UTF-8",
            )
            continue
        taken = [first]
        size = len(first.text)
        inside = _open_quote(first.text, inside=False)
        while inside:
            more = again.popleft() if again else next(lines, None)
            if (
                more is None
                or more.text is None
                or "\x00" in more.text
                or len(taken) == MAX_RECORD_LINES
                or size + len(more.text) > MAX_LINE
            ):
                again.extendleft(reversed([*taken[1:], *([more] if more is not None else [])]))
                break
            taken.append(more)
            size += len(more.text)
            inside = _open_quote(more.text, inside=True)
        if inside:
            yield _Record(first.number, None, _runaway(first.number, None))
            continue
        try:
            cells = next(csv.reader(line.text or "" for line in taken), [])
        except csv.Error as err:
            yield _Record(first.number, None, f"line {first.number} cannot be read as CSV ({err}); check its quotes")
            continue
        if len(taken) > 1 and len(cells) != width:
            # A quoted line break is allowed, but not one that swallows the next rows: read them again.
            again.extendleft(reversed(taken[1:]))
            yield _Record(first.number, None, _runaway(first.number, taken[-1].number))
            continue
        yield _Record(first.number, cells)


def _runaway(number: int, closed_on: int | None) -> str:
    where = "is never closed" if closed_on is None else f"is not closed until line {closed_on}"
    return (
        f'a quote (") on line {number} opens a cell that {where}; remove the stray quote or close it '
        f"(the batch went on from line {number + 1})"
    )


def _open_quote(text: str, *, inside: bool) -> bool:
    """Whether a quoted cell is still open at the end of this line, as Python's csv reader reads quotes."""
    at_start = not inside
    index = 0
    while index < len(text):
        char = text[index]
        if inside:
            if char == '"':
                if text.startswith('"', index + 1):
                    index += 1  # a doubled quote is a quote inside the cell
                else:
                    inside = False
        elif char == '"' and at_start:
            inside = True
        at_start = char == "," and not inside
        index += 1
    return inside
