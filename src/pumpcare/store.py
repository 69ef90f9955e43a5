"""Where the saved plan lives, and the one way to change it: under a lock, read and check it, change it, write it.

The record is the patient's: a save that reports success is there afterwards, whatever else runs at the same time
(the lock), and a file pumpcare cannot read or check is never replaced (the read comes first, and raises).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from pumpcare.errors import OutputError
from pumpcare.saved import FILE_NAME, SavedPlan, SavedPlanError, after_today, dump_saved, parse_saved

MAX_RECORD_BYTES = 1_000_000  # not clinical: a record of a lifetime of refills is a few kilobytes
LOCK_SECONDS = 15  # how long a save waits for another pumpcare that is saving the same record


def saved_path(config_dir: Path | None) -> Path:
    """The saved plan's path: in `config_dir`, or in the user's config folder."""
    if config_dir is None:
        from platformdirs import user_config_dir

        config_dir = Path(user_config_dir("pumpcare", appauthor=False))
    return config_dir / FILE_NAME


def load(path: Path, *, today: date | None = None) -> SavedPlan | None:
    """The saved plan, checked against its schema; None when there is none; SavedPlanError when it is broken.

    With `today` (which only the command line reads), an event logged on a later day is a broken record too.
    """
    from pumpcare.reading import UnreadableFileError, read_regular_file

    fix = f"fix it, or delete it with `pumpcare forget` (the file: {path})"
    try:
        data = read_regular_file(path, MAX_RECORD_BYTES)
    except UnreadableFileError as err:
        if err.missing:
            return None
        raise SavedPlanError(f"the saved plan cannot be read ({err.reason}); {fix}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SavedPlanError(f"the saved plan is not UTF-8 text; {fix}") from None
    saved = parse_saved(text, path)
    problem = after_today(saved, today) if today is not None else None
    if problem is not None:
        raise SavedPlanError(f"{problem}; {fix}")
    return saved


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the record's lock: one pumpcare at a time reads, changes and writes it, on every platform."""
    from filelock import FileLock, Timeout

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot create {path.parent}: {(err.strerror or 'it failed').lower()}") from None
    from pumpcare.files import lock_problem

    lock_path = path.with_name(f".{path.name}.lock")
    problem = lock_problem(lock_path)
    if problem is not None:
        raise OutputError(f"cannot lock the saved plan: {problem}; remove it and try again")
    lock = FileLock(str(lock_path), timeout=LOCK_SECONDS)
    try:
        lock.acquire()
    except Timeout:
        raise OutputError(
            f"another pumpcare has been changing the saved plan at {path} for {LOCK_SECONDS} seconds; "
            "try again when it has finished"
        ) from None
    except PermissionError:
        raise OutputError(f"cannot lock the saved plan in {path.parent}: permission denied; check the folder") from None
    except OSError as err:
        reason = (err.strerror or "it failed").lower()
        raise OutputError(f"cannot lock the saved plan: {lock_path}: {reason}; remove it and try again") from None
    try:
        yield
    finally:
        lock.release()


def write(path: Path, saved: SavedPlan) -> None:
    """Write the record atomically, readable by its owner only: it is health information."""
    from pumpcare.files import write_atomically

    write_atomically(path, dump_saved(saved).encode("utf-8"), record=True)
    with contextlib.suppress(OSError):
        path.chmod(0o600)


def must_exist(saved: SavedPlan | None, path: Path) -> SavedPlan:
    """The saved plan, or the sentence that says how to make one."""
    if saved is None:
        raise SavedPlanError(
            f"there is no saved plan at {path} to add to; save one first with "
            "`pumpcare plan --surgery-date YYYY-MM-DD --save`"
        )
    return saved
