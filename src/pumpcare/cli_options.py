"""The options the commands share, and the small helpers every command module uses. Arguments only."""

# No `from __future__ import annotations` here: typer would eval every annotation string at start-up.
import functools
import inspect
import os
import sys
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pumpcare.errors import InputError
from pumpcare.i18n import gettext as _
from pumpcare.i18n import ngettext

if TYPE_CHECKING:
    from rich.console import Console

    from pumpcare.clinic import Clinic
    from pumpcare.controller import Resolved
    from pumpcare.input_table import InputSpec
    from pumpcare.inputs import PlanInputs
    from pumpcare.outputs import Output

# The plan's own options (dates, refills, pump numbers, orders, rule file) come from input_table.PLAN_INPUTS
# through `plan_input_options`: each is declared once, whichever commands take it.


def plan_input_options(
    *, label: bool = False, only: "tuple[str, ...] | None" = None
) -> "Callable[[Callable[..., None]], Callable[..., None]]":
    """Give a command the options of the plan's inputs, declared once in input_table; the command receives them
    as one `inputs: PlanInputs` argument. `label` adds --patient-label; `only` keeps the named inputs."""
    from pumpcare.input_table import PATIENT_LABEL, PLAN_INPUTS

    specs = [item for item in PLAN_INPUTS if only is None or item.field in only] + ([PATIENT_LABEL] if label else [])

    def decorate(command: "Callable[..., None]") -> "Callable[..., None]":
        signature = inspect.signature(command)
        own = [parameter for parameter in signature.parameters.values() if parameter.name != "inputs"]
        added = [
            inspect.Parameter(item.field, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_annotation(item))
            for item in specs
        ]

        @functools.wraps(command)
        def with_inputs(**options: Any) -> None:
            typed = {item.field: options.pop(item.field) for item in specs}
            command(inputs=_plan_inputs(typed), **options)

        # Typer reads the signature: one parameter per input first, as `--help` lists them, then the command's own.
        parameters = [*added, *(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY) for parameter in own)]
        with_inputs.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        with_inputs.__annotations__ = {parameter.name: parameter.annotation for parameter in parameters}
        return with_inputs

    return decorate


def _annotation(item: "InputSpec") -> Any:
    option = typer.Option(item.option, metavar=item.metavar, help=item.help)
    kind = {"list": list[str] | None, "path": Path | None}.get(item.kind, str | None)
    return Annotated[kind, option]


def _plan_inputs(typed: dict[str, Any]) -> "PlanInputs":
    from pumpcare.inputs import PlanInputs, check_label

    values = {field: value for field, value in typed.items() if field not in ("orders", "rules_file")}
    if values.get("patient_label") is not None:
        values["patient_label"] = check_label(values["patient_label"])
    return PlanInputs(**values, orders=tuple(typed.get("orders") or ()), rules_file=path_text(typed.get("rules_file")))


ClearNumbers = Annotated[
    bool,
    typer.Option(
        "--clear-numbers",
        help="The care team's earlier pump numbers no longer apply: date later refills without them.",
    ),
]
RulesFile = Annotated[
    Path | None, typer.Option("--rules", metavar="FILE", help="A clinic's own rule file instead of the shipped one.")
]
PatientRef = Annotated[
    str | None,
    typer.Option(
        metavar="REF",
        help="With --fhir: the patient's FHIR reference, such as Patient/123; the CarePlan then follows US Core.",
    ),
]
ConfigDir = Annotated[
    Path | None,
    typer.Option(
        metavar="DIR",
        envvar="PUMPCARE_CONFIG_DIR",
        help="Where the saved plan lives (default: your user config folder).",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _lang_chosen(value: str | None) -> str | None:
    # Eager: run before any other option is read, so an error about one of them speaks the language asked for.
    speak(value)
    return value


Lang = Annotated[
    str | None,
    typer.Option(
        "--lang",
        metavar="LANG",
        help="Language of what is written: en or es (default: PUMPCARE_LANG, then the system's language).",
        is_eager=True,
        callback=_lang_chosen,
    ),
]
Fhir = Annotated[
    str | None,
    typer.Option("--fhir", metavar="PATH", help="Write the plan as a FHIR R4 CarePlan (JSON); '-' writes to stdout."),
]
ClinicProfile = Annotated[
    Path | None,
    typer.Option(
        "--clinic",
        metavar="FILE",
        envvar="PUMPCARE_CLINIC",
        help="The clinic's profile (name, phone numbers) for the calendar; see `pumpcare clinic init`.",
    ),
]


def console(*, stderr: bool = False) -> "Console":
    from rich.console import Console

    return Console(highlight=False, stderr=stderr)


def path_text(path: Path | None) -> str | None:
    # Saved as an absolute path, so the saved plan works from any folder. abspath, not resolve: it touches no
    # file (a symlink loop is the loader's to report) and keeps a link's own name.
    return os.path.abspath(path) if path is not None else None  # noqa: PTH100


def saved_path(config_dir: Path | None) -> Path:
    from pumpcare.store import saved_path

    return saved_path(config_dir)


def build_time() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set (the controller reads it)."""
    from pumpcare.outputs import build_time

    return build_time()


def resolve_and_warn(inputs: "PlanInputs", config_dir: Path | None, *, list_until: date | None = None) -> "Resolved":
    """The plan for these options and the saved record; its warnings go to stderr."""
    from pumpcare.controller import doubts, resolve

    resolved = resolve(inputs, saved_path(config_dir), list_until=list_until, today=date.today())
    warn((*resolved.warnings, *doubts(resolved.plan, date.today())))
    return resolved


def warn(warnings: "tuple[str, ...]") -> None:
    for warning in warnings:
        # Translators: {message} is a whole warning, already in the language in use; the line starts "pumpcare: ".
        say(_("warning: {message}").format(message=warning))


def say(message: str) -> None:
    """One line on stderr, as pumpcare speaks to a person: "pumpcare: " and the message, already translated."""
    typer.echo(f"pumpcare: {message}", err=True)


def tell(message: str) -> None:
    """A confirmation on stderr (what was written, where), already translated: stdout stays the data's alone."""
    typer.echo(message, err=True)


def clinic_from(path: Path | None) -> "Clinic | None":
    """The clinic profile a --clinic option names, checked; None without one."""
    from pumpcare.clinic import load_clinic

    return load_clinic(path) if path is not None else None


def write_output(target: str, data: bytes, written: str) -> None:
    """Bytes to stdout for '-', else to a file written atomically, then `written` (translated) on stderr."""
    if target == "-":
        # Bytes, not text: a calendar's CRLF line ends must survive Windows' newline translation.
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from pumpcare.files import write_atomically

    write_atomically(Path(target), data)
    tell(written)


def write_outputs(outputs: "Sequence[Output]") -> None:
    """Each file the controller made, written (or to stdout for '-'), each with its sentence on stderr."""
    for output in outputs:
        if output.kind == "calendar":
            written = ngettext(
                "Calendar written to {path} ({count} event); import it into your calendar app.",
                "Calendar written to {path} ({count} events); import it into your calendar app.",
                output.events,
            ).format(path=output.target, count=output.events)
        else:
            written = _("CarePlan written to {path}; send it to the health record with a PUT (see the README).").format(
                path=output.target
            )
        write_output(output.target, output.data, written)


def speak(lang: str | None, *, strict: bool = True) -> None:
    """Use the language --lang names, else PUMPCARE_LANG, else the locale's; English when none is shipped.

    Chosen as the command line is first read (`strict=False`: an unknown name is English for now) and again by
    --lang's eager callback, before any other option is read, which refuses an unknown name. What was chosen is
    kept, so choosing the same again (a command that calls it too) says nothing twice.
    """
    from pumpcare.i18n import ENGLISH, CatalogUnreadable, UnknownLanguage, activate, choose

    try:
        code = choose(lang, os.environ)
    except UnknownLanguage as err:
        if strict:
            raise InputError(str(err)) from None
        code = ENGLISH
    if _chosen.get() == code:
        return
    _chosen.set(code)
    try:
        activate(code)
    except CatalogUnreadable as err:
        activate(ENGLISH)
        warn((str(err),))


# The language this command line chose (None: not yet); set as it is first read, before any message.
_chosen: ContextVar[str | None] = ContextVar("pumpcare_chosen_language", default=None)


def speak_first(args: "list[str]") -> None:
    """Choose the language as the command line is first read, before anything can go wrong: from a --lang among
    the arguments, else PUMPCARE_LANG, else the locale; every command, with --lang or without, speaks it."""
    _chosen.set(None)
    speak(_lang_in(args), strict=False)


def _lang_in(args: "list[str]") -> str | None:
    """The language a --lang among the arguments names, read before the command's options are (the last wins)."""
    asked = None
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            asked = args[index + 1]
        elif arg.startswith("--lang="):
            asked = arg.removeprefix("--lang=")
    return asked
