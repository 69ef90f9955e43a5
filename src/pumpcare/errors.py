"""The exceptions pumpcare raises: each message is a sentence a patient or nurse can act on."""

from __future__ import annotations


class PumpcareError(Exception):
    """A problem with what the user gave us; the CLI prints the message and exits non-zero."""


class InputError(PumpcareError):
    """A date, duration or option value that cannot make a plan; `field` names the input it is about.

    `rule` names the rule an order is about, so a caller can tell which order was refused without reading the
    message, which is in the language in use.
    """

    def __init__(self, message: str, *, field: str | None = None, rule: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule


class RuleFileError(PumpcareError):
    """A rule file that cannot be used; carries every problem found, each with where it is."""

    def __init__(self, path: str, problems: list[str]) -> None:
        from pumpcare.i18n import ngettext  # here, not at the top: `pumpcare --help` needs no catalog

        self.path = path
        self.problems = problems
        heading = ngettext(
            "rule file {path} has {count} problem; fix it and try again:",
            "rule file {path} has {count} problems; fix them and try again:",
            len(problems),
        ).format(path=path, count=len(problems))
        lines = "\n".join(f"  - {problem}" for problem in shown_problems(problems))
        super().__init__(f"{heading}\n{lines}")


# Not clinical: every problem of a hand-edited file is listed, but a generated one could have thousands.
MAX_PROBLEMS_SHOWN = 50


def shown_problems(problems: list[str]) -> list[str]:
    """The problems to list: all of them, or the first MAX_PROBLEMS_SHOWN and how many more there are."""
    if len(problems) <= MAX_PROBLEMS_SHOWN:
        return problems
    from pumpcare.i18n import ngettext

    rest = len(problems) - MAX_PROBLEMS_SHOWN
    # Translators: {count} is how many more problems there are, beyond the ones listed above.
    more = ngettext("... and {count} more like these", "... and {count} more like these", rest)
    return [*problems[:MAX_PROBLEMS_SHOWN], more.format(count=grouped(rest))]


def grouped(number: int) -> str:
    """A count as the language writes it: 12,345 in English; 12.345 in a language whose decimal sign is a comma.

    Four digits stay whole where the decimal sign is a comma (1234), as CLDR writes Spanish.
    """
    from pumpcare.i18n import current

    text = f"{number:,}"
    names = current().names
    if names is None or names.decimal != ",":
        return text
    return str(number) if abs(number) < 10_000 else text.replace(",", ".")


class OutputError(PumpcareError):
    """A file we were asked to write could not be written."""


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM: unwinds like KeyboardInterrupt, so every file being written removes its temporary copy.

    Not a KeyboardInterrupt, which the CLI framework turns into a silent exit, and not an Exception, which a
    batch's "one row's failure" would catch: only the entry point answers it, with its own sentence.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def closest(word: str, choices: list[str]) -> str | None:
    """The choice a misspelt word most likely meant, for a "did you mean" hint."""
    # difflib is only needed when something is misspelt, so it is not imported at start-up.
    import difflib

    matches = difflib.get_close_matches(word, choices, n=1)
    return matches[0] if matches else None


def excerpt(value: object, limit: int = 40) -> str:
    """A value as a message may quote it: its repr, cut to `limit` characters, so no input can flood the screen."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_text(value: str) -> bool:
    """False for a string holding a lone surrogate: bytes that were not UTF-8, which no file can store as text."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
