"""`pumpcare sync`: keep a caregiver's CalDAV calendar equal to the plan. Arguments and printing only."""

# No `from __future__ import annotations` here: typer would eval every annotation string at start-up.
import os
import sys
from typing import Annotated

import typer

from pumpcare.cli_options import (
    AlarmVolume,
    ClinicProfile,
    Concentration,
    ConfigDir,
    DailyDose,
    Drug,
    FillVolume,
    FirstRefill,
    FollowUp,
    Lang,
    NextRefill,
    Orders,
    PatientLabel,
    RefillEvery,
    RulesFile,
    SurgeryDate,
    build_time,
    given,
    resolve_and_warn,
    speak,
)
from pumpcare.errors import InputError

PASSWORD_VARIABLE = "PUMPCARE_CALDAV_PASSWORD"


def sync_command(
    caldav: Annotated[
        str, typer.Option("--caldav", metavar="URL", help="The calendar's CalDAV address (it ends with its name).")
    ],
    user: Annotated[str, typer.Option("--user", metavar="NAME", help="The user name on that server.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would change, and change nothing.")] = False,
    surgery_date: SurgeryDate = None,
    follow_up: FollowUp = None,
    refill_every: RefillEvery = None,
    first_refill: FirstRefill = None,
    next_refill: NextRefill = None,
    drug: Drug = None,
    fill_volume: FillVolume = None,
    concentration: Concentration = None,
    daily_dose: DailyDose = None,
    alarm_volume: AlarmVolume = None,
    set_: Orders = None,
    rules: RulesFile = None,
    patient_label: PatientLabel = None,
    clinic: ClinicProfile = None,
    config_dir: ConfigDir = None,
    lang: Lang = None,
) -> None:
    """Make a CalDAV calendar hold exactly this plan's events; a caregiver's own events are never touched."""
    speak(lang)
    from pumpcare.caldav_sync import require_caldav, split_events, sync
    from pumpcare.clinic import load_clinic
    from pumpcare.inputs import check_label
    from pumpcare.render_ics import plan_key, render_ics

    require_caldav()
    patient_label = check_label(patient_label) if patient_label is not None else None
    profile = load_clinic(clinic) if clinic is not None else None
    resolved = resolve_and_warn(given(locals()), config_dir)
    label = resolved.inputs.patient_label
    calendar = render_ics(resolved.plan, stamp=build_time(), patient_label=label, clinic=profile)
    key = plan_key(resolved.plan, label)
    report = sync(caldav, user, _password(), split_events(calendar), key, dry_run=dry_run)
    verb = ("Would create", "would update", "would remove") if dry_run else ("Created", "updated", "removed")
    if not (report.created or report.updated or report.removed or report.behind):
        typer.echo(f"Nothing to change: the calendar already holds the plan's {report.unchanged} events.")
        return
    typer.echo(
        f"{verb[0]} {len(report.created)}, {verb[1]} {len(report.updated)}, {verb[2]} {len(report.removed)} "
        f"events; {report.unchanged} unchanged."
    )
    for word, titles in (("+", report.created), ("~", report.updated), ("-", report.removed)):
        for title in titles:
            typer.echo(f"  {word} {title}")
    if report.behind:
        typer.echo(
            f"pumpcare: {len(report.behind)} events could not be changed and are behind the plan: "
            f"{'; '.join(report.behind)}. Run sync again.",
            err=True,
        )
        raise typer.Exit(code=1)


def _password() -> str:
    """The password from PUMPCARE_CALDAV_PASSWORD or a hidden prompt: never an option, never written down."""
    password = os.environ.get(PASSWORD_VARIABLE)
    if password:
        return password
    if not sys.stdin.isatty():
        raise InputError(f"no password: set {PASSWORD_VARIABLE}, or run sync where it can ask for it")
    return str(typer.prompt("CalDAV password", hide_input=True))
