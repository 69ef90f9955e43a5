"""Writing output files so that a failure never leaves a half-written or clobbered file behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from pumpcare.errors import OutputError


def write_atomically(path: Path, data: bytes) -> None:
    """Write data to path through a temporary file in the same folder, then rename it into place.

    Only a regular file, or a new path, is replaced. A symlink (a calendar kept in a synced folder) is followed,
    and its target replaced, so the link keeps working; a device, a FIFO or /dev/stdout is refused.
    """
    shown = path
    # stat follows links: /dev/stdout is a link to a pipe or a terminal, which must never become a file.
    if path.exists() and not path.is_dir() and not path.is_file():
        raise OutputError(
            f"cannot write {shown}: it is not a regular file (a device, a pipe or a terminal); "
            "give the path of a file, or '-' where an option takes it for the screen"
        )
    if path.is_dir():
        raise OutputError(f"cannot write {shown}: it is a folder; give the path of a file in it")
    path = _target(path)
    folder = path.parent
    if folder.is_symlink() and not folder.exists():
        raise OutputError(f"cannot write {path}: {folder} is a broken symbolic link or a link loop; check the path")
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"cannot write {path}: {folder} is a file, not a folder; choose another path")
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: the folder {folder} does not exist; create it or choose another")
    try:
        handle, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise OutputError(f"cannot write {path}: {_reason(err)}; choose a folder you can write to") from None
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private (0600); a calendar gets the mode a plain new file would, or keeps its own.
        temp.chmod(_mode_for(path))
        # Path.replace is os.replace: an atomic rename on POSIX and Windows alike.
        temp.replace(path)
    except BaseException as err:
        # Ctrl-C or SIGTERM (which __main__ turns into SystemExit) included: no temp file is left behind.
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(err, OSError):
            raise OutputError(f"cannot write {shown}: {_reason(err)}; choose another path") from None
        raise


def _target(path: Path) -> Path:
    """The file a path names once its symlinks are followed; a loop is refused."""
    if not path.is_symlink():
        return path
    try:
        target = Path(os.path.realpath(path, strict=False))
    except (OSError, RuntimeError):
        target = path
    if target.is_symlink():  # realpath gives up on a loop and hands back a link
        raise OutputError(f"cannot write {path}: it is a symbolic link loop; check the path")
    return target


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _reason(err: OSError) -> str:
    return (err.strerror or "it failed").lower()
