"""The command line: parse arguments, call the core, print. No date math and no clinical text live here."""

# No `from __future__ import annotations` here: typer would eval every annotation string at start-up.
import os
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from pumpcare import __version__
from pumpcare.errors import InputError, PumpcareError

if TYPE_CHECKING:
    from pumpcare.schedule import Plan

# The core, rich and ics are imported inside the commands that use them, so `--help` answers in a blink.


class _Commands(TyperGroup):
    """Turns every PumpcareError into one line on stderr and exit code 1: the single error path."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except PumpcareError as err:
            typer.echo(f"pumpcare: {err}", err=True)
            raise typer.Exit(code=1) from None


app = typer.Typer(
    cls=_Commands,
    help="Turn pain pump aftercare instructions into a dated recovery plan.",
    no_args_is_help=True,
    add_completion=False,
    # Plain help and errors: quick to start, readable by screen readers, and no locals in tracebacks.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pumpcare {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Turn pain pump aftercare instructions into a dated recovery plan."""


@app.command()
def plan(
    surgery_date: Annotated[str, typer.Option(metavar="DATE", help="Day of the pump surgery, as YYYY-MM-DD.")],
    follow_up: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="Day of the follow-up visit (YYYY-MM-DD); restrictions tied to it end then."),
    ] = None,
    refill_every: Annotated[
        str | None, typer.Option(metavar="DURATION", help="How often the pump is refilled, such as 12w or 3mo.")
    ] = None,
    first_refill: Annotated[
        str | None, typer.Option(metavar="DATE", help="Day of the first refill visit, as YYYY-MM-DD.")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="RULE_ID=DURATION",
            help="A clinician's order replacing a rule's window: no-driving=6w or no-lifting=8w..12w. Repeatable.",
        ),
    ] = None,
    rules: Annotated[
        Path | None, typer.Option(metavar="FILE", help="A clinic's own rule file instead of the shipped one.")
    ] = None,
    ics: Annotated[
        str | None, typer.Option(metavar="PATH", help="Write the plan as a calendar file; '-' writes to stdout.")
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the plan as JSON instead of a timeline.")] = False,
    patient_label: Annotated[
        str | None,
        typer.Option(metavar="TEXT", help="A name or label for the calendar's title. Left out unless given."),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="Mark this day as today on the timeline (default: the real today)."),
    ] = None,
) -> None:
    """Show the dated recovery plan for a surgery date, and write it as a calendar or JSON."""
    if json_ and ics == "-":
        raise InputError("--json and --ics - both write to stdout; write the calendar to a file instead")
    from pumpcare.inputs import parse_date

    # Every input is checked before anything is written, so a refused plan leaves an old calendar untouched.
    marked = parse_date(today, "--today") if today is not None else date.today()
    the_plan = _make_plan(surgery_date, follow_up, refill_every, first_refill, set_ or [], rules)
    for warning in the_plan.warnings:
        typer.echo(f"pumpcare: warning: {warning}", err=True)
    if ics is not None:
        _write_calendar(the_plan, ics, patient_label)
    if json_:
        from pumpcare.render_json import render_json

        typer.echo(render_json(the_plan), nl=False)
        return
    if ics is not None:
        return  # the calendar was what was asked for; `plan` without --ics shows the timeline
    from rich.console import Console

    from pumpcare.render_terminal import render_plan

    Console(highlight=False).print(render_plan(the_plan, today=marked))


def _make_plan(
    surgery_date: str,
    follow_up: str | None,
    refill_every: str | None,
    first_refill: str | None,
    orders: list[str],
    rules: Path | None,
) -> "Plan":
    from pumpcare.inputs import parse_date, parse_interval, parse_override
    from pumpcare.rules import load_rules
    from pumpcare.schedule import RefillSchedule, make_plan

    surgery = parse_date(surgery_date, "surgery date")
    follow = parse_date(follow_up, "follow-up date") if follow_up is not None else None
    if (refill_every is None) != (first_refill is None):
        raise InputError("refill visits need both --refill-every and --first-refill; give both or neither")
    refills = None
    if refill_every is not None and first_refill is not None:
        refills = RefillSchedule(
            parse_date(first_refill, "first refill date"), parse_interval(refill_every, "--refill-every")
        )
    overrides = [parse_override(order) for order in orders]
    return make_plan(load_rules(rules), surgery, follow_up=follow, refills=refills, overrides=overrides)


def _write_calendar(the_plan: "Plan", target: str, patient_label: str | None) -> None:
    from pumpcare.render_ics import render_ics

    data = render_ics(the_plan, stamp=_build_time(), patient_label=patient_label)
    if target == "-":
        # Bytes, not text: the calendar's CRLF line ends must survive Windows' newline translation.
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from pumpcare.files import write_atomically

    path = Path(target)
    write_atomically(path, data)
    events = data.count(b"BEGIN:VEVENT")
    typer.echo(f"Calendar written to {path} ({events} events); import it into your calendar app.", err=True)


def _build_time() -> datetime:
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
