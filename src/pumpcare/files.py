"""Writing output files so that a failure never leaves a half-written or clobbered file behind."""

from __future__ import annotations

import contextlib
import itertools
import os
import stat
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from pumpcare.errors import OutputError
from pumpcare.i18n import gettext as _


def write_atomically(path: Path, data: bytes, *, record: bool = False) -> None:
    """Write data to path through a temporary file in the same folder, synced to disk, then renamed into place.

    Only a regular file, or a new path, is replaced. A symlink (a calendar kept in a synced folder) is followed,
    and its target replaced, so the link keeps working; a device, a FIFO or /dev/stdout is refused. A patient's
    saved plan and its lock are never replaced by an output: only the record's own writer says `record=True`.
    """
    staged = stage(path, data, record=record)
    try:
        with staged.temp.open("rb+") as stream:
            os.fsync(stream.fileno())
        # Path.replace is os.replace: an atomic rename on POSIX and Windows alike.
        staged.temp.replace(staged.path)
    except BaseException as err:
        # Ctrl-C or SIGTERM (which __main__ turns into SystemExit) included: no temp file is left behind.
        discard([staged])
        if isinstance(err, OSError):
            raise OutputError(_cannot_write(path, err)) from None
        raise


class Staged(NamedTuple):
    """A file written under a temporary name beside the path it is for, not yet synced or renamed into place."""

    temp: Path
    path: Path
    shown: Path  # the path as the user gave it, for messages


def stage(path: Path, data: bytes, *, record: bool = False) -> Staged:
    """Write data beside path under a temporary name; `commit` makes it durable and puts it in place."""
    shown = path
    # stat follows links: /dev/stdout is a link to a pipe or a terminal, which must never become a file.
    if path.exists() and not path.is_dir() and not path.is_file():
        message = _(
            "cannot write {path}: it is not a regular file (a device, a pipe or a terminal); "
            "give the path of a file, or '-' where an option takes it for the screen"
        )
        raise OutputError(message.format(path=shown))
    if path.is_dir():
        raise OutputError(_("cannot write {path}: it is a folder; give the path of a file in it").format(path=shown))
    path = _target(path)
    if not record and is_record(path):
        message = _(
            "cannot write {path}: it is a patient's saved plan (or its lock), which an output must never replace; "
            "choose another file name"
        )
        raise OutputError(message.format(path=shown))
    folder = path.parent
    if folder.is_symlink() and not folder.exists():
        message = _("cannot write {path}: {folder} is a broken symbolic link or a link loop; check the path")
        raise OutputError(message.format(path=path, folder=folder))
    if folder.exists() and not folder.is_dir():
        message = _("cannot write {path}: {folder} is a file, not a folder; choose another path")
        raise OutputError(message.format(path=path, folder=folder))
    if not folder.is_dir():
        message = _("cannot write {path}: the folder {folder} does not exist; create it or choose another")
        raise OutputError(message.format(path=path, folder=folder))
    try:
        handle, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        # Translators: {reason} is the system's own words, such as "permission denied".
        message = _("cannot write {path}: {reason}; choose a folder you can write to")
        raise OutputError(message.format(path=path, reason=_reason(err))) from None
    # mkstemp makes the file private (0600); a calendar gets the mode a plain new file would, or keeps its own.
    return _filled(Staged(Path(temp_name), path, shown), handle, data, _mode_for(path))


def stage_in(folder: Path, name: str, data: bytes) -> Staged:
    """`stage` for a file in a folder the caller has checked and holds (a batch's): one lstat instead of eight
    checks, and a temporary name from a counter instead of a random one. A path that is anything but a regular
    file or a new name (a link, a folder, a device) goes through `stage`, its checks and its messages.
    """
    path = folder / name
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        mode = None  # a new file: the system gives it the mode a plain new file gets (0666 less the umask)
    except OSError:
        return stage(path, data)
    else:
        if not stat.S_ISREG(found.st_mode):
            return stage(path, data)
        mode = found.st_mode & 0o777  # a file replaced keeps its own mode (as `stage` does: no setuid bit)
    temp = folder / f".{name}.{os.getpid()}-{next(_COUNTER)}.tmp"
    try:
        handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_FOLLOW | _BINARY, 0o666)
    except OSError:
        # A temporary file left by a crashed run with the same process id, or a folder gone or made read-only
        # since the batch began: `stage` tries again with a random name, or says what is wrong as it always does.
        return stage(path, data)
    return _filled(Staged(temp, path, path), handle, data, mode)


def _filled(staged: Staged, handle: int, data: bytes, mode: int | None) -> Staged:
    """Write data into the temporary file open as handle, and give it mode (None: leave it as made)."""
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        if mode is not None:
            staged.temp.chmod(mode)
    except BaseException as err:
        with contextlib.suppress(OSError):
            staged.temp.unlink()
        if isinstance(err, OSError):
            raise OutputError(_cannot_write(staged.shown, err)) from None
        raise
    return staged


_COUNTER = itertools.count()
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def commit(staged: Sequence[Staged], placed: list[Staged] | None = None) -> None:
    """Put staged files in place durably, with one sync for them all rather than one per file.

    Their data reaches the disk first (one `sync` where the system has it; each file's own fsync on Windows),
    then each is renamed over its path, then their folders are synced so the new names last. A crash before
    the end leaves each path with its old file or its new one, complete, and perhaps a temporary file.
    Each file renamed into place is added to `placed` at once, so a caller interrupted midway knows which.
    """
    if not staged:
        return
    done = placed if placed is not None else []
    try:
        if hasattr(os, "sync"):
            os.sync()
        else:  # Windows: no sync of everything; FlushFileBuffers on each file is what there is
            for item in staged:
                with item.temp.open("rb+") as stream:
                    os.fsync(stream.fileno())
        for item in staged:
            try:
                item.temp.replace(item.path)
            except OSError as err:
                raise OutputError(_cannot_write(item.shown, err)) from None
            done.append(item)
        for folder in dict.fromkeys(item.path.parent for item in staged):
            _sync_folder(folder)
    except BaseException:
        # Ctrl-C right after a rename, before it was noted: that file's temporary name is gone, so it is in place.
        done.extend(item for item in staged if item not in done and not item.temp.exists())
        discard([item for item in staged if item not in done])
        raise


def discard(staged: Sequence[Staged]) -> None:
    """Remove staged files that will not be put in place."""
    for item in staged:
        with contextlib.suppress(OSError):
            item.temp.unlink()


def _sync_folder(folder: Path) -> None:
    # A folder's entries (the renames) are made durable by syncing the folder itself; Windows cannot open one.
    if os.name == "nt":
        return
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass  # some file systems refuse to sync a folder; the files themselves are already on disk
    finally:
        os.close(handle)


# How a saved plan begins, as pumpcare writes it; a hand-edited one may have lost the comment but keeps its keys.
_RECORD_MARK = b"# pumpcare saved plan"
_RECORD_KEYS = (b"surgery_date:", b"history:")


def is_record(path: Path) -> bool:
    """True for a saved plan or its lock file: by the file's own first lines, not by the name it is reached by."""
    from pumpcare.saved import FILE_NAME

    if path.name == f".{FILE_NAME}.lock":
        return True
    try:
        with path.open("rb") as stream:
            head = stream.read(4096)
    except OSError:  # missing, a folder, unreadable: nothing of the record to lose here
        return False
    return head.startswith(_RECORD_MARK) or all(key in head for key in _RECORD_KEYS)


def same_file(first: str | Path, second: str | Path) -> bool:
    """True when two paths name one file: the same after links, or two hard links to it."""
    if os.path.realpath(first) == os.path.realpath(second):
        return True
    try:
        return Path(first).samefile(second)
    except OSError:  # one of them does not exist yet: then only the names could match, and they did not
        return False


def lock_problem(path: Path) -> str | None:
    """Why a lock file's path cannot be a lock (a folder, a link, a device), or None for a file or no file yet.

    A lock is opened for writing: a link there could point it at any file, so a link is refused, not followed.
    """
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as err:
        # Translators: {reason} is the system's own words, such as "permission denied".
        return _("{path} cannot be checked ({reason})").format(path=path, reason=_reason(err))
    if stat.S_ISLNK(found.st_mode):
        return _("{path} is a symbolic link, not a lock file").format(path=path)
    if stat.S_ISDIR(found.st_mode):
        return _("{path} is a folder, not a lock file").format(path=path)
    if not stat.S_ISREG(found.st_mode):
        return _("{path} is not a regular file (a device, a pipe or a socket), not a lock file").format(path=path)
    return None


def _target(path: Path) -> Path:
    """The file a path names once its symlinks are followed; a loop is refused."""
    if not path.is_symlink():
        return path
    try:
        target = Path(os.path.realpath(path, strict=False))
    except (OSError, RuntimeError):
        target = path
    if target.is_symlink():  # realpath gives up on a loop and hands back a link
        raise OutputError(_("cannot write {path}: it is a symbolic link loop; check the path").format(path=path))
    return target


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _reason(err: OSError) -> str:
    # The system's words, as it gives them: in English on most systems, whatever the language.
    return err.strerror.lower() if err.strerror else _("it failed")


def _cannot_write(path: Path, err: OSError) -> str:
    # Translators: {reason} is the system's own words, such as "no space left on device".
    return _("cannot write {path}: {reason}; choose another path").format(path=path, reason=_reason(err))


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait for the end of the block, then act as ever: for a few lines that must not stop
    halfway (a file put in place and the note that says so; a process pool's submit, which holds a lock its
    shutdown takes). Only the main thread can set handlers, and only it needs to."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    held: dict[int, Any] = {}
    for name in ("SIGINT", "SIGTERM"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) is not None:
            held[signum] = signal.signal(signum, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        for signum, handler in held.items():
            signal.signal(signum, handler)
        if caught:
            signal.raise_signal(caught[0])  # to the handler put back: it acts as soon as the block is left
