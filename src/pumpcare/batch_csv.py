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
from pumpcare.i18n import gettext as _
from pumpcare.i18n import ngettext, pgettext
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
        raise _unreadable(path, err) from None


def count_rows(path: Path) -> int:
    """How many rows follow the header, after checking the file is UTF-8 text; refuse it, naming the line, if not."""
    try:
        with path.open("rb") as raw:
            start = raw.read(4)
    except OSError as err:
        raise _unreadable(path, err) from None
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            _("{path} is saved as UTF-16 text; save it as CSV UTF-8 (comma-separated) and try again").format(path=path)
        )
    lines = 0
    try:
        with open_csv(path) as stream:
            for line in _lines(stream):
                lines += 1
                if line.text is None:
                    continue
                if lines == 1 and "\x00" in line.text:
                    raise InputError(
                        _("{path} looks like UTF-16 text; save it as CSV UTF-8 (comma-separated) and try again").format(
                            path=path
                        )
                    )
                try:
                    line.text.encode("utf-8")
                except UnicodeEncodeError:
                    raise InputError(
                        _(
                            "{path} line {line} is not UTF-8 text (perhaps Latin-1 or Windows-1252); "
                            "save the file as CSV UTF-8 and try again"
                        ).format(path=path, line=line.number)
                    ) from None
    except OSError as err:
        raise _unreadable(path, err) from None
    return max(lines - 1, 0)


def _unreadable(path: Path, err: OSError) -> InputError:
    # Translators: said of a file pumpcare could not read, when the system gives no reason.
    reason = err.strerror.lower() if err.strerror else _("it failed")
    # Translators: {reason} is the system's own words for the failure, such as "no such file or directory".
    return InputError(_("cannot read {path}: {reason}; check the path").format(path=path, reason=reason))


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
            yield RowFailed(record.number, "-", _("the row has more cells than the header; check for a stray comma"))
        elif len(record.cells) < len(columns):
            yield RowFailed(record.number, "-", _("the row has fewer cells than the header; check for a missing comma"))
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
        if ";" in line:
            raise InputError(_("the file uses ';' between columns; save it as comma-separated CSV"))
        if "\t" in line:
            raise InputError(_("the file uses tabs between columns; save it as comma-separated CSV"))
    problems = []
    unknown = [name or _("(a column with no name)") for name in names if name not in COLUMNS]
    if unknown:
        problems.append(
            ngettext("unknown column {names}", "unknown columns {names}", len(unknown)).format(names=", ".join(unknown))
        )
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        problems.append(
            ngettext("missing column {names}", "missing columns {names}", len(missing)).format(names=", ".join(missing))
        )
    twice = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    if twice:
        problems.append(
            ngettext("the column {names} more than once", "the columns {names} more than once", len(twice)).format(
                names=", ".join(twice)
            )
        )
    if problems:
        # Translators: {problems} is one or more of "unknown column …", "missing column …" and "the column … more
        # than once", joined by "{first} and {second}"; {required} and {optional} are lists of CSV column names,
        # which stay in English.
        message = _(
            "the CSV header has {problems}; the first row must name the columns {required}, and may name {optional}"
        )
        raise InputError(message.format(problems=_joined(problems), required=_joined(REQUIRED), optional=_listed()))
    return names


def _joined(parts: list[str] | tuple[str, ...]) -> str:
    """'a and b', 'a and b and c': each part joined to the ones before by the language's 'and'."""
    text = parts[0]
    for part in parts[1:]:
        # Translators: the last two items of a list, such as "label and surgery_date".
        text = _("{first} and {second}").format(first=text, second=part)
    return text


def _listed() -> str:
    """The optional columns as a list: 'follow_up, refill_every, … and patient_ref'."""
    return _("{first} and {second}").format(first=", ".join(OPTIONAL[:-1]), second=OPTIONAL[-1])


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
            # Translators: {limit} is a number of characters, such as 65,536.
            problem = _(
                "line {line} is longer than {limit} characters; check it for a stray quote or a missing line break"
            )
            yield _Record(first.number, None, problem.format(line=first.number, limit=_grouped(MAX_LINE)))
            continue
        if "\x00" in first.text:
            problem = _("line {line} holds a NUL character; delete it, or save the file again as CSV UTF-8")
            yield _Record(first.number, None, problem.format(line=first.number))
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
            # Translators: {error} is the CSV reader's own words, in English.
            problem = _("line {line} cannot be read as CSV ({error}); check its quotes")
            yield _Record(first.number, None, problem.format(line=first.number, error=err))
            continue
        if len(taken) > 1 and len(cells) != width:
            # A quoted line break is allowed, but not one that swallows the next rows: read them again.
            again.extendleft(reversed(taken[1:]))
            yield _Record(first.number, None, _runaway(first.number, taken[-1].number))
            continue
        yield _Record(first.number, cells)


def _runaway(number: int, closed_on: int | None) -> str:
    if closed_on is None:
        message = _(
            'a quote (") on line {line} opens a cell that is never closed; remove the stray quote or close it '
            "(the batch went on from line {next})"
        )
    else:
        message = _(
            'a quote (") on line {line} opens a cell that is not closed until line {closed}; remove the stray quote '
            "or close it (the batch went on from line {next})"
        )
    return message.format(line=number, closed=closed_on, next=number + 1)


def _grouped(number: int) -> str:
    """A count with its thousands grouped as the language groups them: 65,536 in English."""
    # Translators: what separates the thousands in a count such as 65,536 (a comma in English). Where a comma is
    # the decimal sign, a no-break space (65 536) cannot be misread.
    return f"{number:,}".replace(",", pgettext("thousands separator", ","))


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
