"""Entry point of the `pumpcare` command and of `python -m pumpcare`."""

from __future__ import annotations

import gc


def main() -> None:
    """Run the command line with the garbage collector off: a command lives for a blink and makes no cycles
    worth collecting, and collections during start-up and at exit cost more than the plan itself."""
    gc.disable()
    from pumpcare.cli import app

    try:
        app()
    finally:
        # Frozen objects are skipped by the collection the interpreter runs on its way out.
        gc.freeze()


if __name__ == "__main__":
    main()
