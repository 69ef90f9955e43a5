"""A day's discharges from one CSV file: each row a patient, read one at a time, each its calendar and sheet.

Rows are streamed (never all held at once), so time grows with the rows and memory does not. A bad row, or a
line the CSV reader cannot make sense of, is that row's failure only: it is reported with its line number,
column and reason, and the others go on. Writing the files into the output folder is batch_output's job.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
from collections import deque
from collections.abc import Generator, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from pumpcare.clinic import Clinic
from pumpcare.errors import InputError, PumpcareError
from pumpcare.files import signals_held
from pumpcare.i18n import activate, current
from pumpcare.input_table import PLAN_INPUTS, column_names
from pumpcare.inputs import check_label, check_patient_ref, from_cells
from pumpcare.rules import RuleSet
from pumpcare.schedule import Plan

if TYPE_CHECKING:
    from concurrent.futures import Future

FHIR_SUFFIX = ".fhir.json"
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
_FILE_SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
_EXPECTED = (
    f"the first row must name the columns {' and '.join(REQUIRED)}, and may name "
    f"{', '.join(OPTIONAL[:-1])} and {OPTIONAL[-1]}"
)


class RowWritten(NamedTuple):
    """A row whose calendar and sheet were written, with anything the nurse should check on them."""

    row: int
    label: str
    files: tuple[Path, ...]
    warnings: tuple[str, ...] = ()


class RowFailed(NamedTuple):
    """A row that could not be planned or written: where, and why."""

    row: int
    column: str
    reason: str


class RowRendered(NamedTuple):
    """A row planned and rendered, not yet written: each file's suffix and bytes, and the row's warnings."""

    row: int
    label: str
    files: tuple[tuple[str, bytes], ...]
    warnings: tuple[str, ...]


class BatchOptions(NamedTuple):
    """What every patient of a batch shares."""

    rules: RuleSet
    out_dir: Path
    stamp: datetime
    paper: str = "letter"
    html: bool = False
    clinic: Clinic | None = None  # whose name and numbers go into every calendar and sheet
    today: date | None = None  # the day the sheets are printed: what was before surgery is left out after it
    fhir: bool = False  # also each patient's plan as a FHIR CarePlan (.fhir.json)


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


def plan_rows(stream: IO[str], options: BatchOptions, *, jobs: int = 1) -> Generator[RowRendered | RowFailed]:
    """Plan and render each row, in `jobs` processes; yield what became of each, in the file's order.

    One job plans in this process. More start worker processes (spawned, as on Windows) that each load the
    options once, and get rows in chunks: only a few chunks are out at a time, so memory stays flat however
    long the file is, and results come back in row order. The workers only plan and render; this process alone
    writes, so the folder, the report and the progress bar are the same as with one job.
    """
    items = read_rows(stream)
    if jobs <= 1:
        for item in items:
            yield item if isinstance(item, RowFailed) else _plan_row(*item, options)
        return
    first = next(items, None)  # reads the header: a bad one is refused before any process is started
    if first is None:
        return
    yield from _in_workers(itertools.chain([first], items), options, jobs)


def _in_workers(
    items: Iterator[tuple[int, dict[str, str]] | RowFailed], options: BatchOptions, jobs: int
) -> Iterator[RowRendered | RowFailed]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    with signals_held():
        pool = ProcessPoolExecutor(
            jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(options, current().code),
        )
    out: deque[Future[list[RowRendered | RowFailed]]] = deque()
    finished = False
    try:
        chunks: Iterator[list[tuple[int, dict[str, str]] | RowFailed]] = iter(
            lambda: list(itertools.islice(items, CHUNK)), []
        )
        for chunk in itertools.islice(chunks, IN_FLIGHT * jobs):
            with signals_held():
                out.append(pool.submit(_plan_chunk, chunk))
        while out:
            done = _result(out.popleft())
            for chunk in itertools.islice(chunks, 1):
                with signals_held():
                    out.append(pool.submit(_plan_chunk, chunk))
            yield from done
        finished = True
    except BrokenProcessPool:
        raise PumpcareError(
            "a worker process of the batch stopped without a word (out of memory?); run it again, or with --jobs 1"
        ) from None
    finally:
        if not finished:
            # Ctrl-C, SIGTERM, a failure or an early close: what the workers plan now is never written, so they go
            # at once rather than finishing their chunks.
            _stop_workers(pool)
        pool.shutdown(wait=True, cancel_futures=True)


def _result(future: Future[list[RowRendered | RowFailed]]) -> list[RowRendered | RowFailed]:
    """A chunk's rows, waking now and then while they are planned: the system may hand Ctrl-C or SIGTERM to one
    of the pool's threads, and only a main thread that wakes acts on it (a wait without end sleeps through it,
    and if the workers died of the same signal, for good)."""
    from concurrent.futures import wait

    while not wait([future], timeout=WAKE_SECONDS).done:
        pass
    return future.result()


WAKE_SECONDS = 0.2


def _stop_workers(pool: Any) -> None:
    """Kill a stopped batch's workers, and make sure the pool's own thread cannot wait on them for good.

    A worker killed while it sends its rows (SIGTERM reaches the whole process group) leaves half an answer in
    the pipe, and the pool's thread would wait for the rest forever, and the batch with it in `shutdown`.
    The pipe's last writer is then this process: once the workers are gone, closing it ends that wait with
    "end of file", and the pool shuts down as a broken one does.
    """
    # ProcessPoolExecutor's own attributes, in every version since 3.9; 3.14's kill_workers() does the first half.
    processes = list(getattr(pool, "_processes", None) or {})
    workers = getattr(pool, "_processes", None) or {}
    for pid in processes:
        worker = workers.get(pid)
        if worker is not None:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                worker.kill()
    for pid in processes:
        worker = workers.get(pid)
        if worker is not None:
            with contextlib.suppress(OSError, ValueError, AttributeError, AssertionError):
                worker.join(timeout=WORKER_EXIT_SECONDS)
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None:
        with contextlib.suppress(OSError):
            writer.close()


# A killed worker is gone in milliseconds; this bounds the wait on one the system is slow to reap.
WORKER_EXIT_SECONDS = 2.0


# Rows a worker plans at a time: enough to make sending them cheap, few enough that Ctrl-C stops in a blink.
CHUNK = 8
IN_FLIGHT = 3  # chunks out per worker: one being planned, the next ones waiting, so no worker waits for rows
_WORKER: list[BatchOptions] = []


def _start_worker(options: BatchOptions, language: str) -> None:
    """In a worker: keep the batch's options and language, and leave Ctrl-C to the parent, which stops the
    workers itself."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER[:] = [options]
    # A spawned worker starts afresh, in English: it must speak the language the batch was asked for.
    activate(language)
    if not options.html:
        from reportlab import rl_config

        # Before any drawing is imported: ReportLab checks every attribute set on a shape, "a big help when
        # developing" its docs say, 7% of a sheet here. A worker draws only pumpcare's tested time line; the
        # bytes are the same (tests/test_batch_jobs.py compares them with a batch of one job).
        rl_config.shapeChecking = 0


def _plan_chunk(chunk: list[tuple[int, dict[str, str]] | RowFailed]) -> list[RowRendered | RowFailed]:
    """In a worker: plan and render a chunk of rows (a line the reader failed passes through)."""
    options = _WORKER[0]
    return [item if isinstance(item, RowFailed) else _plan_row(*item, options) for item in chunk]


def workers_for(jobs: int, rows: int, cores: int) -> int:
    """How many processes to plan `rows` rows with: never more than `cores`, for they only compute, and none to
    start for a batch shorter than a few chunks."""
    return max(1, min(jobs, cores, rows // MIN_ROWS_PER_WORKER))


def usable_cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer than the machine has)."""
    import os

    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


# Starting a worker costs about as much as planning this many rows: fewer, and one process is faster.
MIN_ROWS_PER_WORKER = 32


def file_stem(row: int, label: str) -> str:
    """The name a row's files share: its line number, then its label with only file-safe characters."""
    # Letters, digits, - and _ only: a label may hold slashes or colons that no file system takes.
    name = "".join(char if char in _FILE_SAFE else "-" for char in label).strip("-")
    return f"{row:04d}-{name[:40] or 'patient'}"


def _plan_row(row: int, cells: dict[str, str], options: BatchOptions) -> RowRendered | RowFailed:
    from pumpcare.controller import plan_from

    column = "label"
    try:
        label = check_label(cells["label"], "label")
        ref = check_patient_ref(cells["patient_ref"], "patient_ref") if cells.get("patient_ref") else None
        inputs = from_cells(cells, label)
        column = "-"
        plan = plan_from(inputs, ruleset=options.rules, names=column_names())
        return _render_row(row, label, plan, options, ref)
    except InputError as err:
        return RowFailed(row, column_names().get(err.field or "", err.field or column), str(err))
    except PumpcareError as err:
        return RowFailed(row, column, str(err))
    except Exception as err:  # one row that trips a bug or a library must not cost the others
        return RowFailed(
            row,
            column,
            f"pumpcare could not make this row's calendar or sheet ({type(err).__name__}); check the row, "
            "and report it to pumpcare's maintainers if it looks right",
        )


def _render_row(row: int, label: str, plan: Plan, options: BatchOptions, ref: str | None = None) -> RowRendered:
    from pumpcare.render_ics import render_ics
    from pumpcare.sheet import make_sheet

    calendar = render_ics(plan, stamp=options.stamp, patient_label=label, clinic=options.clinic)
    sheet = make_sheet(plan, label, clinic=options.clinic, today=options.today)
    warnings = plan.warnings
    from pumpcare.controller import pages_warning, sheet_document

    data, pages = sheet_document(sheet, options.paper, html=options.html)
    handout = (".html" if options.html else ".pdf", data)
    warnings += pages_warning(pages)
    files: tuple[tuple[str, bytes], ...] = ((".ics", calendar), handout)
    if options.fhir:
        from pumpcare.controller import careplan_bytes

        careplan = careplan_bytes(plan, label, created=options.stamp.date(), patient_ref=ref)
        files += ((FHIR_SUFFIX, careplan),)
    return RowRendered(row, label, files, warnings)


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
