"""A day's discharges from one CSV file: each row a patient, planned one at a time, each its calendar and sheet.

Rows are streamed (never all held at once), so time grows with the rows and memory does not. A bad row is that
row's failure only: it is reported with its line number, column and reason, and the others go on. Reading and
checking the file's lines is batch_csv's job; writing the files into the output folder is batch_output's.
"""

from __future__ import annotations

import contextlib
import itertools
from collections import deque
from collections.abc import Generator, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from pumpcare.batch_csv import RowFailed, read_rows
from pumpcare.clinic import Clinic
from pumpcare.errors import InputError, PumpcareError
from pumpcare.files import signals_held
from pumpcare.i18n import activate, current
from pumpcare.i18n import gettext as _
from pumpcare.input_table import column_names
from pumpcare.inputs import check_label, check_patient_ref, from_cells
from pumpcare.rules import RuleSet
from pumpcare.schedule import Plan

if TYPE_CHECKING:
    from concurrent.futures import Future

FHIR_SUFFIX = ".fhir.json"
_FILE_SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"


class RowWritten(NamedTuple):
    """A row whose calendar and sheet were written, with anything the nurse should check on them."""

    row: int
    label: str
    files: tuple[Path, ...]
    warnings: tuple[str, ...] = ()


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
            _("a worker process of the batch stopped without a word (out of memory?); run it again, or with --jobs 1")
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
        # Translators: {error} is the name of a Python exception, such as ValueError.
        reason = _(
            "pumpcare could not make this row's calendar or sheet ({error}); check the row, "
            "and report it to pumpcare's maintainers if it looks right"
        )
        return RowFailed(row, column, reason.format(error=type(err).__name__))


def _render_row(row: int, label: str, plan: Plan, options: BatchOptions, ref: str | None = None) -> RowRendered:
    from pumpcare.render_ics import render_ics
    from pumpcare.sheet import make_sheet

    calendar = render_ics(plan, stamp=options.stamp, patient_label=label, clinic=options.clinic)
    sheet = make_sheet(plan, label, clinic=options.clinic, today=options.today)
    warnings = plan.warnings
    from pumpcare.outputs import pages_warning, sheet_document

    data, pages = sheet_document(sheet, options.paper, html=options.html)
    handout = (".html" if options.html else ".pdf", data)
    warnings += pages_warning(pages)
    files: tuple[tuple[str, bytes], ...] = ((".ics", calendar), handout)
    if options.fhir:
        from pumpcare.outputs import careplan_bytes

        careplan = careplan_bytes(plan, label, created=options.stamp.date(), patient_ref=ref)
        files += ((FHIR_SUFFIX, careplan),)
    return RowRendered(row, label, files, warnings)


def batch_options(
    rules: Path | None,
    out_dir: Path,
    paper: str,
    *,
    html: bool,
    clinic: Path | None,
    fhir: bool,
    jobs: int | None,
) -> tuple[BatchOptions, int, tuple[str, ...]]:
    """What every row of a batch shares, how many processes plan them, and what to warn of (texts the language
    in use lacks), all checked before a row is read."""
    from pumpcare.clinic import load_clinic
    from pumpcare.controller import translation_gaps
    from pumpcare.outputs import build_time, check_paper
    from pumpcare.rule_file import load_rules

    paper = check_paper(paper)
    if jobs is not None and jobs < 1:
        raise InputError(
            _("--jobs {count} is not a number of processes; give 1 or more, or leave it out to use every core").format(
                count=jobs
            )
        )
    profile = load_clinic(clinic) if clinic is not None else None
    stamp = build_time()
    options = BatchOptions(load_rules(rules), out_dir, stamp, paper, html, profile, date.today(), fhir=fhir)
    return options, jobs or usable_cores(), tuple(translation_gaps(options.rules))
