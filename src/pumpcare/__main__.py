"""Entry point of the `pumpcare` command and of `python -m pumpcare`."""

from __future__ import annotations

import gc
import sys


def main() -> None:
    """Run the command line with the garbage collector off: a command lives for a blink and makes no cycles
    worth collecting, and collections during start-up and at exit cost more than the plan itself."""
    gc.disable()
    for stream in (sys.stdout, sys.stderr):
        # A Windows console piped to a file writes cp1252; a character it lacks becomes "?" instead of a crash.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    from pumpcare.cli import app_for

    try:
        app_for(sys.argv[1:])()
    finally:
        # Frozen objects are skipped by the collection the interpreter runs on its way out.
        gc.freeze()


if __name__ == "__main__":
    main()
