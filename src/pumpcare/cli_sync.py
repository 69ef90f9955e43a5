"""`pumpcare sync`: keep a caregiver's CalDAV calendar equal to the plan. Arguments and printing only."""

# No `from __future__ import annotations` here: typer would eval every annotation string at start-up.
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pumpcare.cli_options import (
    ClinicProfile,
    ConfigDir,
    Lang,
    build_time,
    plan_input_options,
    resolve_and_warn,
    speak,
    warn,
)
from pumpcare.errors import InputError
from pumpcare.i18n import gettext as _
from pumpcare.i18n import ngettext

if TYPE_CHECKING:
    from pumpcare.caldav_sync import Event, SyncReport
    from pumpcare.inputs import PlanInputs

PASSWORD_VARIABLE = "PUMPCARE_CALDAV_PASSWORD"


@plan_input_options(label=True)
def sync_command(
    inputs: "PlanInputs",
    caldav: Annotated[
        str, typer.Option("--caldav", metavar="URL", help="The calendar's CalDAV address (it ends with its name).")
    ],
    user: Annotated[str, typer.Option("--user", metavar="NAME", help="The user name on that server.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would change, and change nothing.")] = False,
    ca_file: Annotated[
        Path | None,
        typer.Option(
            "--ca-file",
            metavar="PATH",
            help="Certificates (PEM) to trust for a server with a certificate of its own.",
            dir_okay=False,
        ),
    ] = None,
    allow_http: Annotated[
        bool,
        typer.Option("--allow-http", help="Send the password over plain http:// to a server on another computer."),
    ] = False,
    timeout: Annotated[
        int,
        typer.Option("--timeout", metavar="SECONDS", min=1, max=3600, help="Give up after this long (default 120)."),
    ] = 120,
    clinic: ClinicProfile = None,
    config_dir: ConfigDir = None,
    lang: Lang = None,
) -> None:
    """Make a CalDAV calendar hold exactly this plan's events; a caregiver's own events are never touched."""
    speak(lang)
    from pumpcare.caldav_sync import check_address, split_events, sync
    from pumpcare.clinic import load_clinic
    from pumpcare.render_ics import render_ics

    _check_user(user)
    address, warning = check_address(caldav, allow_http=allow_http)
    profile = load_clinic(clinic) if clinic is not None else None
    resolved = resolve_and_warn(inputs, config_dir)
    label = resolved.inputs.patient_label
    if resolved.saved is None and not label:
        # The plan key comes from the surgery day and the label: two unlabelled patients operated on the same day
        # would share the calendar's events, and each one's sync would remove the other's.
        raise InputError(
            _(
                "sync without a saved plan needs --patient-label, unique to the patient (such as the record number): "
                "without one, the events of patients operated on the same day look alike and a sync would remove "
                "another patient's; or save the plan first with `pumpcare plan ... --save`"
            )
        )
    calendar = render_ics(resolved.plan, stamp=build_time(), patient_label=label, clinic=profile, key=resolved.key)
    password = _password()
    if warning:
        warn((warning,))
    report = sync(
        address,
        user,
        password,
        split_events(calendar),
        resolved.key,
        dry_run=dry_run,
        seconds=timeout,
        ca_file=str(ca_file) if ca_file is not None else None,
    )
    _print(report, dry_run=dry_run)


def _print(report: "SyncReport", *, dry_run: bool) -> None:
    from pumpcare.wording import format_date

    def named(event: "Event") -> str:
        return f"{event.summary}, {format_date(event.day)}" if event.day is not None else event.summary

    if not (report.created or report.updated or report.removed or report.behind):
        # Translators: English says "events" for every count.
        nothing = ngettext(
            "Nothing to change: the calendar already holds the plan's {count} events.",
            "Nothing to change: the calendar already holds the plan's {count} events.",
            report.unchanged,
        )
        typer.echo(nothing.format(count=report.unchanged))
        return
    if report.created or report.updated or report.removed or not report.stopped:
        if dry_run:
            changes = _(
                "Would create {created}, would update {updated}, would remove {removed} events; {unchanged} unchanged."
            )
        else:
            changes = _("Created {created}, updated {updated}, removed {removed} events; {unchanged} unchanged.")
        counts = {"created": len(report.created), "updated": len(report.updated), "removed": len(report.removed)}
        typer.echo(changes.format(**counts, unchanged=report.unchanged))
    for word, events in (("+", report.created), ("~", report.updated), ("-", report.removed)):
        for event in events:
            typer.echo(f"  {word} {named(event)}")
    if not report.behind:
        return
    behind = len(report.behind)
    names = "; ".join(named(event) for event in report.behind[:10])
    if behind > 10:
        # Translators: {names} lists events by title and date, separated by semicolons; {count} is how many more.
        names = ngettext("{names}; and {count} more", "{names}; and {count} more", behind - 10).format(
            names=names, count=behind - 10
        )
    if report.interrupted:
        if report.created or report.updated or report.removed:
            # Translators: {events} lists the events by title and date. English says "events" for every count.
            stopped = ngettext(
                "interrupted: the changes listed above were made; {count} events were not changed (the one being "
                "written when you stopped may have been): {events}. Run sync again to finish.",
                "interrupted: the changes listed above were made; {count} events were not changed (the one being "
                "written when you stopped may have been): {events}. Run sync again to finish.",
                behind,
            )
        else:
            # Translators: {events} lists the events by title and date. English says "events" for every count.
            stopped = ngettext(
                "interrupted: nothing was changed; {count} events were not changed (the one being written when you "
                "stopped may have been): {events}. Run sync again to finish.",
                "interrupted: nothing was changed; {count} events were not changed (the one being written when you "
                "stopped may have been): {events}. Run sync again to finish.",
                behind,
            )
        typer.echo(f"pumpcare: {stopped.format(count=behind, events=names)}", err=True)
        raise typer.Exit(code=130)
    # Translators: {reason} is why sync stopped, a sentence of its own; {events} lists the events by title and
    # date. English says "events" for every count.
    failed = ngettext(
        "{reason}. {count} events could not be changed and are behind the plan: {events}. Run sync again.",
        "{reason}. {count} events could not be changed and are behind the plan: {events}. Run sync again.",
        behind,
    )
    typer.echo(f"pumpcare: {failed.format(reason=report.stopped, count=behind, events=names)}", err=True)
    raise typer.Exit(code=1)


def _check_user(user: str) -> None:
    """A user name is one line of printable text: a control character would end up inside a request header."""
    from pumpcare.errors import excerpt

    if not user or len(user) > 256 or any(not char.isprintable() for char in user):
        raise InputError(
            _(
                "--user {value} is not a user name: give the name as one line of text, without control characters"
            ).format(value=excerpt(user))
        )


def _password() -> str:
    """The password from PUMPCARE_CALDAV_PASSWORD or a hidden prompt: never an option, never written down."""
    password = os.environ.get(PASSWORD_VARIABLE)
    if password:
        return password
    if not sys.stdin.isatty():
        raise InputError(
            _("no password: set {variable}, or run sync where it can ask for it").format(variable=PASSWORD_VARIABLE)
        )
    return str(typer.prompt(_("CalDAV password"), hide_input=True))
