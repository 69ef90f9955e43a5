"""Entry point of the `pumpcare` command and of `python -m pumpcare`."""

from __future__ import annotations

import codecs
import contextlib
import errno
import gc
import os
import signal
import sys
from typing import Any, NoReturn

from pumpcare.i18n import N_
from pumpcare.i18n import gettext as _

# Writing our output failed, not a file we were asked for: the disk, the pipe or the terminal is the problem.
_OUTPUT_ERRORS = {errno.ENOSPC, errno.EPIPE, errno.EIO, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}


def main() -> None:
    """Run the command line with the garbage collector off: a command lives for a blink and makes no cycles
    worth collecting, and collections during start-up and at exit cost more than the plan itself."""
    gc.disable()
    codecs.register_error("pumpcare-plain", _plain)
    for stream in (sys.stdout, sys.stderr):
        # A Windows console piped to a file writes cp1252, an old terminal ASCII: a dash or a bullet it lacks
        # becomes its plain look-alike ("24-30 Nov", "* No driving"), never "?" and never a crash.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="pumpcare-plain")
    from pumpcare.errors import Interrupted

    # Ctrl-C and a polite kill unwind as Interrupted, so a file being written removes its temporary copy and
    # the answer below is pumpcare's own (the CLI framework would turn a KeyboardInterrupt into silence).
    for name in ("SIGINT", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _interrupted)
    from pumpcare.cli import app_for

    try:
        try:
            app_for(sys.argv[1:])()
        finally:
            sys.stdout.flush()
    except Interrupted as stop:
        _stop(_(INTERRUPTED), 128 + stop.signum)
    except KeyboardInterrupt:
        _stop(_(INTERRUPTED), 130)
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(1)  # the reader left (`pumpcare plan | head`): nothing to say to it
    except OSError as err:
        if err.errno not in _OUTPUT_ERRORS:
            raise
        _quiet_stdout()
        _stop(_cannot_write(err), 1)
    finally:
        # Frozen objects are skipped by the collection the interpreter runs on its way out.
        gc.freeze()


def _plain(err: UnicodeError) -> tuple[str, int]:
    # What a character the console cannot show is written as instead.
    if not isinstance(err, UnicodeEncodeError):
        raise err
    from pumpcare.plain import plain

    return plain(err.object[err.start : err.end]), err.end


def _cannot_write(err: OSError) -> str:
    if not err.strerror:
        return _("cannot write the output: it failed; check the disk or the pipe")
    # Translators: {reason} is the system's own words for the failure, such as "no space left on device".
    return _("cannot write the output: {reason}; check the disk or the pipe").format(reason=err.strerror.lower())


INTERRUPTED = N_("interrupted; nothing was half-written")


def _interrupted(signum: int, frame: Any) -> NoReturn:
    from pumpcare.errors import Interrupted

    raise Interrupted(signum)


def _quiet_stdout() -> None:
    # Python flushes stdout again on its way out; pointed at devnull, that flush cannot fail a second time.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _stop(message: str, code: int) -> NoReturn:
    """Say `message`, already in the language in use, on stderr, and exit with `code`."""
    with contextlib.suppress(OSError):
        print(f"pumpcare: {message}", file=sys.stderr)
    sys.exit(code)


if __name__ == "__main__":
    main()
