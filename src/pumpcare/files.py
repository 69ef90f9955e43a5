"""Writing output files so that a failure never leaves a half-written or clobbered file behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from pumpcare.errors import OutputError


def write_atomically(path: Path, data: bytes) -> None:
    """Write data to path through a temporary file in the same folder, then rename it into place."""
    folder = path.parent
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder; give the path of a file in it")
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
    except OSError as err:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise OutputError(f"cannot write {path}: {_reason(err)}; choose another path") from None


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _reason(err: OSError) -> str:
    return (err.strerror or "it failed").lower()
