"""The options the commands share, and the small helpers every command module uses. Arguments only."""

# No `from __future__ import annotations` here: typer would eval every annotation string at start-up.
import functools
import inspect
import os
import sys
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pumpcare.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from pumpcare.clinic import Clinic
    from pumpcare.controller import Resolved
    from pumpcare.input_table import InputSpec
    from pumpcare.inputs import PlanInputs
    from pumpcare.schedule import Plan

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
Lang = Annotated[
    str | None,
    typer.Option(
        "--lang",
        metavar="LANG",
        help="Language of what is written: en or es (default: PUMPCARE_LANG, then the system's language).",
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
    """Now, or SOURCE_DATE_EPOCH when set, so a calendar can be rebuilt byte for byte."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return datetime.now(timezone.utc).replace(microsecond=0)
    if not epoch.isdigit():
        raise InputError(f"SOURCE_DATE_EPOCH '{epoch}' is not a whole number of seconds since 1970; fix or unset it")
    try:
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise InputError(
            f"SOURCE_DATE_EPOCH '{epoch}' is too far in the future to be a date; fix or unset it"
        ) from None


def resolve_and_warn(inputs: "PlanInputs", config_dir: Path | None, *, list_until: date | None = None) -> "Resolved":
    """The plan for these options and the saved record; its warnings go to stderr."""
    from pumpcare.controller import doubts, resolve

    resolved = resolve(inputs, saved_path(config_dir), list_until=list_until, today=date.today())
    warn((*resolved.warnings, *doubts(resolved.plan, date.today())))
    return resolved


def warn(warnings: "tuple[str, ...]") -> None:
    for warning in warnings:
        typer.echo(f"pumpcare: warning: {warning}", err=True)


def clinic_from(path: Path | None) -> "Clinic | None":
    """The clinic profile a --clinic option names, checked; None without one."""
    from pumpcare.clinic import load_clinic

    return load_clinic(path) if path is not None else None


def write_calendar(
    the_plan: "Plan", target: str, patient_label: str | None, *, spans: bool, clinic: "Clinic | None", key: str
) -> None:
    from pumpcare.render_ics import render_ics

    data = render_ics(the_plan, stamp=build_time(), patient_label=patient_label, spans=spans, clinic=clinic, key=key)
    events = data.count(b"BEGIN:VEVENT")
    write_output(target, data, f"Calendar written to {target} ({events} events); import it into your calendar app.")


def write_output(target: str, data: bytes, written: str) -> None:
    """Bytes to stdout for '-', else to a file written atomically, then `written` on stderr."""
    if target == "-":
        # Bytes, not text: a calendar's CRLF line ends must survive Windows' newline translation.
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from pumpcare.files import write_atomically

    write_atomically(Path(target), data)
    typer.echo(written, err=True)


def write_careplan(
    the_plan: "Plan", target: str, patient_label: str | None, patient_ref: str | None = None, *, key: str | None = None
) -> None:
    from pumpcare.controller import careplan_bytes

    data = careplan_bytes(the_plan, patient_label, created=build_time().date(), patient_ref=patient_ref, key=key)
    write_output(
        target, data, f"CarePlan written to {target}; send it to the health record with a PUT (see the README)."
    )
    if not patient_label and not patient_ref and key is None:
        # The CarePlan's id comes from the surgery day and the label, like the calendar's UIDs: on a shared
        # server, two unlabelled patients operated on the same day would have one id, and a PUT would replace.
        warn(
            (
                "without --patient-label or --patient-ref, the CarePlans of patients operated on the same day share "
                "one id; give a label unique to the patient (such as the record number) before sending it to a server",
            )
        )


def speak(lang: str | None) -> None:
    """Use the language --lang names, else PUMPCARE_LANG, else the locale's; English when none is shipped."""
    from pumpcare.i18n import ENGLISH, CatalogUnreadable, UnknownLanguage, activate, choose

    try:
        activate(choose(lang, os.environ))
    except UnknownLanguage as err:
        raise InputError(str(err)) from None
    except CatalogUnreadable as err:
        warn((str(err),))
        activate(ENGLISH)
