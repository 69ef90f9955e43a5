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
from pumpcare.i18n import gettext as _
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

    try:
        data = read_regular_file(path, MAX_RECORD_BYTES)
    except UnreadableFileError as err:
        if err.missing:
            return None
        # Translators: {reason} says why, such as "it is a folder"; {path} is the saved plan's file.
        message = _(
            "the saved plan cannot be read ({reason}); fix it, or delete it with `pumpcare forget` (the file: {path})"
        )
        raise SavedPlanError(message.format(reason=err.reason, path=path)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        message = _("the saved plan is not UTF-8 text; fix it, or delete it with `pumpcare forget` (the file: {path})")
        raise SavedPlanError(message.format(path=path)) from None
    saved = parse_saved(text, path)
    problem = after_today(saved, today) if today is not None else None
    if problem is not None:
        # Translators: {problem} is a sentence that begins "the saved plan's history entry ..."; {path} its file.
        message = _("{problem}; fix it, or delete it with `pumpcare forget` (the file: {path})")
        raise SavedPlanError(message.format(problem=problem, path=path))
    return saved


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the record's lock: one pumpcare at a time reads, changes and writes it, on every platform."""
    from filelock import FileLock, Timeout

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        # Translators: {reason} is the system's own words, such as "permission denied".
        raise OutputError(
            _("cannot create {folder}: {reason}").format(folder=path.parent, reason=_reason(err))
        ) from None
    from pumpcare.files import lock_problem

    lock_path = path.with_name(f".{path.name}.lock")
    problem = lock_problem(lock_path)
    if problem is not None:
        # Translators: {problem} is a sentence such as "/path/.plan.yaml.lock is a folder, not a lock file".
        raise OutputError(_("cannot lock the saved plan: {problem}; remove it and try again").format(problem=problem))
    lock = FileLock(str(lock_path), timeout=LOCK_SECONDS)
    try:
        lock.acquire()
    except Timeout:
        message = _(
            "another pumpcare has been changing the saved plan at {path} for {seconds} seconds; "
            "try again when it has finished"
        )
        raise OutputError(message.format(path=path, seconds=LOCK_SECONDS)) from None
    except PermissionError:
        message = _("cannot lock the saved plan in {folder}: permission denied; check the folder")
        raise OutputError(message.format(folder=path.parent)) from None
    except OSError as err:
        # Translators: {reason} is the system's own words, such as "read-only file system".
        message = _("cannot lock the saved plan: {path}: {reason}; remove it and try again")
        raise OutputError(message.format(path=lock_path, reason=_reason(err))) from None
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
        message = _(
            "there is no saved plan at {path} to add to; save one first with "
            "`pumpcare plan --surgery-date YYYY-MM-DD --save`"
        )
        raise SavedPlanError(message.format(path=path))
    return saved


def _reason(err: OSError) -> str:
    # The system's words, as it gives them: in English on most systems, whatever the language.
    return err.strerror.lower() if err.strerror else _("it failed")
