"""The options the commands share, and the small helpers every command module uses. Arguments only."""

# No `from __future__ import annotations` here: typer would eval every annotation string at start-up.
import os
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pumpcare.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from pumpcare.clinic import Clinic
    from pumpcare.controller import Resolved
    from pumpcare.inputs import PlanInputs
    from pumpcare.schedule import Plan

# Options shared by the commands that make a plan; each falls back to the saved plan when left out.
SurgeryDate = Annotated[
    str | None, typer.Option(metavar="DATE", help="Day of the pump surgery, as YYYY-MM-DD (default: the saved plan's).")
]
FollowUp = Annotated[
    str | None,
    typer.Option(metavar="DATE", help="Day of the follow-up visit (YYYY-MM-DD); restrictions tied to it end then."),
]
RefillEvery = Annotated[
    str | None, typer.Option(metavar="DURATION", help="How often the pump is refilled, such as 12w or 3mo.")
]
FirstRefill = Annotated[str | None, typer.Option(metavar="DATE", help="Day of the first refill visit, as YYYY-MM-DD.")]
Orders = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="RULE_ID=DURATION",
        help="A clinician's order replacing a rule's window: no-driving=6w or no-lifting=8w..12w. Repeatable.",
    ),
]
NextRefill = Annotated[
    str | None,
    typer.Option(metavar="DATE", help="The next refill's date from the pump programmer's printout (YYYY-MM-DD)."),
]
Drug = Annotated[str | None, typer.Option(metavar="DRUG", help="The drug in the pump, from the rule file's list.")]
FillVolume = Annotated[str | None, typer.Option(metavar="VOLUME", help="Volume put in the pump, such as 20mL.")]
Concentration = Annotated[
    str | None, typer.Option(metavar="CONC", help="The drug's concentration, such as 2mg/mL or 500mcg/mL.")
]
DailyDose = Annotated[str | None, typer.Option(metavar="DOSE", help="The daily dose, such as 0.5mg/day.")]
AlarmVolume = Annotated[
    str | None,
    typer.Option(
        metavar="VOLUME",
        help="The low-reservoir alarm volume, such as 2mL; needed with the numbers unless the rule file sets it.",
    ),
]
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
PatientLabel = Annotated[
    str | None,
    typer.Option(
        metavar="TEXT",
        help="A name or label for the calendar and the start of each event's title. Left out unless given.",
    ),
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


def given(options: dict[str, Any]) -> "PlanInputs":
    """The plan inputs among a command's options, as typed; what is left out is None."""
    from pumpcare.inputs import PlanInputs

    rules = options.get("rules")
    values = {name: options.get(name) for name in PlanInputs._fields if name not in ("orders", "rules_file")}
    return PlanInputs(**values, orders=tuple(options.get("set_") or ()), rules_file=path_text(rules))


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
