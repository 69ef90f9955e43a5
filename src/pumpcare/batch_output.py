"""Where a batch writes: a folder it owns for the whole run, and the summary it prints at the end.

A batch owns its output folder. It holds a lock there for the whole run (two runs never mix their files), and
keeps a manifest, `.pumpcare-batch.json`, of the files it wrote. The next run into the same folder removes the
previous run's files it did not write again (a row that now fails, or moved to another line), and a folder that
holds anything else is refused and left as it is.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from pumpcare.batch import (
    FHIR_SUFFIX,
    BatchOptions,
    RowRendered,
    RowWritten,
    file_stem,
    plan_rows,
    usable_cores,
    workers_for,
)
from pumpcare.batch_csv import RowFailed, count_rows, open_csv
from pumpcare.errors import OutputError, PumpcareError
from pumpcare.i18n import gettext as _
from pumpcare.i18n import ngettext

if TYPE_CHECKING:
    from rich.console import Console

    from pumpcare.files import Staged

MANIFEST = ".pumpcare-batch.json"
# With --fhir, every CarePlan of the run in one transaction Bundle. Row files start at 0002 (line 1 is the
# header), so 0000 is never a row's, and the name is one the folder's manifest already knows as a batch's.
BUNDLE = "0000-bundle" + FHIR_SUFFIX
LOCK = ".pumpcare-batch.lock"
# The names a batch gives its files (file_stem, then a suffix), and the temporary files they are written through.
_OURS = re.compile(r"[0-9]{4,}-[A-Za-z0-9_-]{1,40}\.(?:ics|pdf|html|fhir\.json)")
_TEMP = re.compile(r"\.(?:[0-9]{4,}-[A-Za-z0-9_-]{1,40}\.(?:ics|pdf|html|fhir\.json)|\.pumpcare-batch\.json)\..*\.tmp")


class Report(NamedTuple):
    """What a batch did: how many patients were written, the rows with warnings, and the rows that failed."""

    out_dir: Path
    done: int
    warned: list[RowWritten]
    failed: list[RowFailed]


# Rows whose files are synced to disk together: one sync per group instead of one fsync per file.
SYNC_EVERY = 128


class _Folder:
    """The output folder while a run holds it: what the last run left, and what this run has written."""

    def __init__(self, path: Path, previous: set[str]) -> None:
        self.path = path
        self.previous = previous
        self.written: set[str] = set()
        self.pending: list[Staged] = []  # written under temporary names, put in place by the next sync
        self.rows = 0
        self.careplans: list[bytes] = []  # the rows' CarePlans (with --fhir), for the run's Bundle

    def write(self, made: RowRendered) -> RowWritten | RowFailed:
        """Write one row's calendar and sheet as a pair: if the second cannot be written, the first goes too."""
        from pumpcare.files import discard, signals_held, stage_in

        stem = file_stem(made.row, made.label)
        staged: list[Staged] = []
        try:
            for suffix, data in made.files:
                staged.append(stage_in(self.path, f"{stem}{suffix}", data))
        except BaseException as err:
            discard(staged)
            if not isinstance(err, PumpcareError):
                raise
            # Neither file is put in place, and the last run's pair of this row goes at the end (it is not in
            # `written`): a patient never gets half of one run and half of another.
            return RowFailed(made.row, "-", str(err))
        with signals_held():  # Ctrl-C between the two would leave a row's files unlisted, or listed and never put
            self.pending += staged
            self.careplans += [data for suffix, data in made.files if suffix == FHIR_SUFFIX]
            # By the names in the folder: a file that is a link has its target replaced, but the link is the row's.
            self.written.update(item.shown.name for item in staged)
        self.rows += 1
        if self.rows % SYNC_EVERY == 0:
            self.sync()
        return RowWritten(made.row, made.label, tuple(item.shown for item in staged), made.warnings)

    def write_bundle(self) -> None:
        """The run's CarePlans as one transaction Bundle, put in place with the rows' files."""
        from pumpcare.files import stage_in
        from pumpcare.render_fhir import render_transaction

        bundle = render_transaction(self.careplans).encode("utf-8")
        self.pending.append(stage_in(self.path, BUNDLE, bundle))
        self.written.add(BUNDLE)

    def sync(self) -> None:
        """Put the files written since the last sync in place, on disk, with one sync for them all."""
        from pumpcare.files import commit

        pending, self.pending = self.pending, []
        placed: list[Staged] = []
        try:
            commit(pending, placed)
        except BaseException:
            # Interrupted midway: a row keeps its new pair only if both files were put in place; otherwise
            # neither is listed (the last run's go at the end), and a new file put in place alone is removed.
            done = {item.shown.name for item in placed}
            broken = {_stem(item.shown.name) for item in pending if item.shown.name not in done}
            for item in pending:
                if _stem(item.shown.name) in broken:
                    self.written.discard(item.shown.name)
                    if item.shown.name in done:
                        # The folder's own entry: for a file that is a link, the link, never its target.
                        with contextlib.suppress(OSError):
                            item.shown.unlink()
            raise

    def finish(self, *, complete: bool) -> None:
        """Remove what the last run wrote and this one did not, and record this run's files in the manifest."""
        try:
            self.sync()
        except BaseException:
            # Ctrl-C in the last renames: the rows it cut lost both new files in sync(); their old ones must go
            # too, and the manifest must say the batch is unfinished, or a patient keeps an old and a new file.
            self._tidy(complete=False)
            raise
        self._tidy(complete=complete)

    def _tidy(self, *, complete: bool) -> None:
        # Ctrl-C can land between a temporary file's creation and the line that records it: the folder is this
        # run's while it holds the lock, so any temporary file of a batch name left in it now is this run's.
        strays: list[Path] = []
        with contextlib.suppress(OSError):
            strays = [path for path in self.path.iterdir() if _TEMP.fullmatch(path.name)]
        for path in strays:
            with contextlib.suppress(OSError):
                path.unlink()
        kept = set()
        for name in sorted(self.previous - self.written):
            try:
                (self.path / name).unlink()
            except FileNotFoundError:
                pass
            except OSError:
                # Still listed, so the next run owns it and tries again, rather than refusing it as a stranger's.
                kept.add(name)
        _write_manifest(self.path, self.written | kept, complete=complete)


def _stem(name: str) -> str:
    # A row's files share it: 0002-Bed-4.ics, 0002-Bed-4.pdf, 0002-Bed-4.fhir.json (a label holds no dot).
    return name.split(".", 1)[0]


def run_and_report(csv_file: Path, options: BatchOptions, *, out: Console, err: Console, jobs: int = 1) -> bool:
    """Run a batch with a progress bar on a terminal, print its summary; whether every row was written."""
    with _progress(err) as progress:
        report = write_batch(csv_file, options, progress=progress, jobs=jobs)
    out.print(summary(report))
    return not report.failed


def write_batch(
    csv_file: Path,
    options: BatchOptions,
    *,
    progress: Callable[[int], Callable[[], None]] | None = None,
    jobs: int = 1,
) -> Report:
    """Plan each row of the CSV file and write its calendar and sheet into the batch's folder; what became of each.

    `jobs` processes plan the rows (at most one per core, fewer for a short file); the files, the report and its
    order are the same.
    """
    total = count_rows(csv_file)  # refuses a file that is not UTF-8 text before anything is written
    advance = progress(total) if progress else lambda: None
    done = 0
    warned: list[RowWritten] = []
    failed: list[RowFailed] = []
    workers = workers_for(jobs, total, usable_cores())
    with open_csv(csv_file) as stream, contextlib.closing(plan_rows(stream, options, jobs=workers)) as rows:
        first = next(rows, None)  # reads the header: a bad one is refused before any folder is made
        with _owned(options.out_dir) as folder:
            for item in rows if first is None else _chain(first, rows):
                result = folder.write(item) if isinstance(item, RowRendered) else item
                if isinstance(result, RowWritten):
                    done += 1
                    if result.warnings:
                        warned.append(result._replace(files=()))  # the summary needs no paths: keep memory flat
                else:
                    failed.append(result)
                advance()
            if options.fhir and folder.careplans:
                folder.write_bundle()
    return Report(options.out_dir, done, warned, failed)


def summary(report: Report) -> Any:
    """The batch's summary: a count line, then the rows that failed and the rows with warnings, as tables."""
    from rich.console import Group
    from rich.text import Text

    from pumpcare.layout import BoxTable

    patients = ngettext("{count} patient", "{count} patients", report.done).format(count=report.done)
    rows = ngettext("{count} row", "{count} rows", len(report.failed)).format(count=len(report.failed))
    if report.warned:
        # Translators: {patients} is "3 patients", {rows} is "2 rows", {warned} how many of the patients have warnings.
        count = _("{patients} written to {folder} ({warned} with warnings); {rows} failed.")
    else:
        # Translators: {patients} is "3 patients", {rows} is "2 rows".
        count = _("{patients} written to {folder}; {rows} failed.")
    said = count.format(patients=patients, folder=report.out_dir, warned=len(report.warned), rows=rows)
    lines: list[Any] = [Text(said)]
    row = _("Row")
    if report.failed:
        failed = [(str(item.row), item.column, item.reason) for item in report.failed]
        headers = (row, _("Column"), _("Reason"))
        lines.append(BoxTable(_("Rows that failed"), headers, failed, right=frozenset({0})))
    if report.warned:
        warnings = [(str(done.row), done.label, warning) for done in report.warned for warning in done.warnings]
        title = _("Rows with warnings (written; check them)")
        lines.append(BoxTable(title, (row, _("Label"), _("Warning")), warnings, right=frozenset({0})))
    return Group(*lines)


def _chain(
    first: RowRendered | RowFailed, rest: Iterator[RowRendered | RowFailed]
) -> Iterator[RowRendered | RowFailed]:
    yield first
    yield from rest


@contextlib.contextmanager
def _owned(folder: Path) -> Iterator[_Folder]:
    """Hold the folder for one run: refuse another run's folder or a foreign one, clean up what it leaves."""
    from filelock import FileLock, Timeout

    _previous_files(folder)  # a foreign folder is refused before anything, even the lock file, is put in it
    try:
        folder.mkdir(exist_ok=True)
    except OSError as err:
        raise _failed(_("cannot create {folder}: {reason}; check the path"), folder, err) from None
    from pumpcare.files import lock_problem

    problem = lock_problem(folder / LOCK)
    if problem is not None:
        # Translators: {problem} says what is in the way of the lock file, such as "… is a folder, not a lock file".
        message = _("cannot lock {folder}: {problem}; remove it and try again")
        raise OutputError(message.format(folder=folder, problem=problem))
    lock = FileLock(str(folder / LOCK), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        message = _("another pumpcare batch is writing into {folder}; wait for it to finish, or give another --out-dir")
        raise OutputError(message.format(folder=folder)) from None
    except OSError as err:
        raise _failed(_("cannot lock {folder}: {reason}; check the folder"), folder, err) from None
    try:
        state = _Folder(folder, _previous_files(folder))
        # Marked unfinished first: if this run dies hard, the next one knows the batch names in here are a batch's.
        _write_manifest(folder, state.previous, complete=False)
        try:
            yield state
        except BaseException:
            state.finish(complete=False)
            raise
        state.finish(complete=True)
    finally:
        lock.release()


def _previous_files(folder: Path) -> set[str]:
    """The files an earlier batch left in the folder; refuse a folder that is a file or holds anything else."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(
            _("cannot write into {folder}: it is a file; give a folder with --out-dir").format(folder=folder)
        )
    if not folder.exists():
        return set()
    try:
        names = {entry.name for entry in folder.iterdir()}
    except OSError as err:
        raise _failed(_("cannot read {folder}: {reason}; check the path"), folder, err) from None
    listed, complete = _read_manifest(folder) if MANIFEST in names else (set(), True)
    ours = {name for name in names if name in listed or (not complete and _OURS.fullmatch(name))}
    foreign = sorted(name for name in names - ours if name not in (MANIFEST, LOCK) and not _TEMP.fullmatch(name))
    if len(foreign) == 1:
        raise OutputError(
            _(
                "cannot write into {folder}: it holds {name}, which no pumpcare batch wrote there; "
                "give an empty folder, or the folder of an earlier batch, with --out-dir"
            ).format(folder=folder, name=foreign[0])
        )
    if foreign:
        # Translators: {name} is one of the files in the folder; {count} how many more there are.
        message = ngettext(
            "cannot write into {folder}: it holds {name} and {count} other, which no pumpcare batch wrote there; "
            "give an empty folder, or the folder of an earlier batch, with --out-dir",
            "cannot write into {folder}: it holds {name} and {count} others, which no pumpcare batch wrote there; "
            "give an empty folder, or the folder of an earlier batch, with --out-dir",
            len(foreign) - 1,
        )
        raise OutputError(message.format(folder=folder, name=foreign[0], count=len(foreign) - 1))
    # Temporary files a killed run left behind are its own, and go with the rest.
    return ours | {name for name in names if _TEMP.fullmatch(name)}


def _read_manifest(folder: Path) -> tuple[set[str], bool]:
    import json

    damaged = OutputError(
        _("cannot write into {folder}: its {manifest} is damaged; give an empty folder with --out-dir").format(
            folder=folder, manifest=MANIFEST
        )
    )
    try:
        data = json.loads((folder / MANIFEST).read_bytes()[:10_000_000])
    except (OSError, ValueError):
        raise damaged from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        raise damaged
    # Only names a batch gives its files: a hand-edited manifest must not make a batch delete anything else.
    files = {name for name in data["files"] if isinstance(name, str) and _OURS.fullmatch(name)}
    return files, data.get("complete") is True


def _write_manifest(folder: Path, files: set[str], *, complete: bool) -> None:
    import json

    from pumpcare.files import write_atomically

    text = json.dumps({"pumpcare_batch": 1, "complete": complete, "files": sorted(files)}, indent=1)
    write_atomically(folder / MANIFEST, (text + "\n").encode("utf-8"))


def _failed(message: str, folder: Path, err: OSError) -> OutputError:
    """An OSError told in a sentence: `message` names the {folder} and the system's {reason}."""
    # Translators: said of a file or folder pumpcare could not read, create or lock, when the system gives no reason.
    reason = err.strerror.lower() if err.strerror else _("it failed")
    return OutputError(message.format(folder=folder, reason=reason))


def _progress(console: Console) -> Any:
    """A progress bar on a terminal; nothing when output goes to a file or a pipe."""
    if not sys.stderr.isatty():
        return contextlib.nullcontext(None)
    from rich.progress import Progress

    @contextlib.contextmanager
    def bar() -> Iterator[Callable[[int], Callable[[], None]]]:
        with Progress(transient=True, console=console) as shown:

            def start(total: int) -> Callable[[], None]:
                task = shown.add_task(_("Writing calendars and sheets"), total=max(total, 0))
                return lambda: shown.advance(task)

            yield start

    return bar()
