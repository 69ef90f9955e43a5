"""The command line: parse arguments, call the core, print. No date math and no clinical text live here."""

# No `from __future__ import annotations` here: typer would eval every annotation string at start-up.
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from pumpcare import __version__
from pumpcare.cli_clinic import clinic_app
from pumpcare.cli_discharge import batch_command, handout_command
from pumpcare.cli_options import (
    ClinicProfile,
    ConfigDir,
    Fhir,
    Json,
    Lang,
    PatientRef,
    console,
    plan_input_options,
    resolve_and_warn,
    saved_path,
    say,
    speak_first,
    tell,
    warn,
    write_outputs,
)
from pumpcare.cli_record import forget_command, history_command, log_app
from pumpcare.cli_rules import rules_app
from pumpcare.cli_sync import sync_command
from pumpcare.errors import PumpcareError, excerpt, is_text
from pumpcare.i18n import gettext as _
from pumpcare.i18n import ngettext

if TYPE_CHECKING:
    from pumpcare.inputs import PlanInputs
    from pumpcare.saved import SavedPlan
    from pumpcare.schedule import Plan

# The core, rich and ics are imported inside the commands that use them, so `--help` answers in a blink.


class _Commands(TyperGroup):
    """Turns every PumpcareError into one line on stderr and exit code 1: the single error path."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # The language first, for every command: whatever goes wrong from here on is said in it.
        speak_first(args)
        # A byte that is not UTF-8 arrives as a lone surrogate: saved, it would make a record pumpcare cannot read.
        bad = next((arg for arg in args if not is_text(arg)), None)
        if bad is not None:
            shown = excerpt(bad.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))
            say(
                _("the argument '{argument}' has bytes that are not text (UTF-8); type it again").format(argument=shown)
            )
            raise typer.Exit(code=1)
        # A NUL never comes from a shell, but a script can pass one: no path or text may hold it.
        if any("\x00" in arg for arg in args):
            say(_("an argument holds a NUL character (\\x00); type it again without it"))
            raise typer.Exit(code=1)
        result: list[str] = super().parse_args(ctx, args)
        return result

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except PumpcareError as err:
            say(str(err))  # translated where it was raised
            raise typer.Exit(code=1) from None


_SETTINGS: dict[str, Any] = {
    "cls": _Commands,
    "help": "Turn pain pump aftercare instructions into a dated recovery plan.",
    "no_args_is_help": True,
    "add_completion": True,
    # Plain help and errors: quick to start, readable by screen readers, and no locals in tracebacks.
    "rich_markup_mode": None,
    "pretty_exceptions_enable": False,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
app = typer.Typer(**_SETTINGS)


def app_for(args: list[str]) -> typer.Typer:
    """The app with only the command the arguments name, or all of them (for help, a typo, --version).

    Typer builds every command's options before it runs one; with a dozen commands that is most of what
    pumpcare spends starting up, so the entry point builds just the one asked for.
    """
    name = next((arg for arg in args if not arg.startswith("-")), None)
    commands = [info for info in app.registered_commands if info.name == name]
    groups = [info for info in app.registered_groups if info.name == name]
    if not commands and not groups:
        return app
    slim = typer.Typer(**_SETTINGS)
    slim.registered_callback = app.registered_callback
    slim.registered_commands = commands
    slim.registered_groups = groups
    return slim


# `pumpcare rules ...` and the record's commands live in their own modules; each imports its heavy parts inside
# its commands.
app.add_typer(rules_app, name="rules")
app.add_typer(log_app, name="log")
app.add_typer(clinic_app, name="clinic")


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


@app.command("plan")
@plan_input_options(label=True)
def plan_command(
    inputs: "PlanInputs",
    ics: Annotated[
        str | None, typer.Option(metavar="PATH", help="Write the plan as a calendar file; '-' writes to stdout.")
    ] = None,
    json_: Json = False,
    fhir: Fhir = None,
    patient_ref: PatientRef = None,
    date_: Annotated[
        str | None,
        typer.Option("--date", metavar="DATE", help="Mark this day as today on the timeline (default: today)."),
    ] = None,
    # The option's first name, kept for the scripts that use it; `today` and `next` call the same thing --date.
    today: Annotated[str | None, typer.Option("--today", metavar="DATE", hidden=True)] = None,
    chart: Annotated[bool, typer.Option("--chart", help="Draw the restrictions as bars on a time line.")] = False,
    clinic: ClinicProfile = None,
    spans: Annotated[
        bool, typer.Option("--spans", help="With --ics: also each restriction as one event across its days.")
    ] = False,
    save: Annotated[bool, typer.Option("--save", help="Keep these inputs for `today`, `next` and `plan`.")] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="With --save: replace a saved plan for another surgery date.")
    ] = False,
    config_dir: ConfigDir = None,
    lang: Lang = None,
) -> None:
    """Show the dated recovery plan, and write it as a calendar, JSON or a FHIR CarePlan."""
    from pumpcare.controller import day_of
    from pumpcare.outputs import PlanRequest, check_request, plan_outputs

    # Every input is checked before anything is written, so a refused plan leaves an old calendar untouched.
    request, warnings = check_request(PlanRequest(ics, fhir, json_, spans, chart, patient_ref))
    marked = day_of(date_, "--date") if today is None or date_ is not None else day_of(today, "--today")
    warn(warnings)
    if save:
        from pumpcare.controller import save as save_plan

        resolved = save_plan(inputs, saved_path(config_dir), replace=lambda saved: yes or _ask_replace(saved))
        warn(resolved.warnings)
        tell(
            _("Plan saved to {path}; `pumpcare today` and `pumpcare next` will use it.").format(
                path=saved_path(config_dir)
            )
        )
    else:
        resolved = resolve_and_warn(inputs, config_dir)
    outputs, warnings = plan_outputs(resolved, request, clinic=clinic)
    write_outputs(outputs)
    warn(warnings)
    the_plan = resolved.plan
    if json_:
        from pumpcare.render_json import render_json

        typer.echo(render_json(the_plan), nl=False)
        return
    if ics is not None or fhir is not None:
        return  # the file was what was asked for; `plan` without --ics or --fhir shows the timeline
    if chart:
        from pumpcare.render_chart import render_chart

        console().print(render_chart(the_plan, today=marked))
        return
    from pumpcare.render_timeline import render_plan

    console().print(render_plan(the_plan, today=marked))


def _ask_replace(saved: "SavedPlan") -> bool:
    """Ask before a new surgery date replaces a saved plan; a script (no terminal) must say --yes instead."""
    if not sys.stdin.isatty():
        return False
    events = len(saved.history)
    return typer.confirm(
        ngettext(
            "The saved plan is for surgery on {date}, with its follow-up date, refills, orders and {count} logged "
            "event. Replace it with this new plan?",
            "The saved plan is for surgery on {date}, with its follow-up date, refills, orders and {count} logged "
            "events. Replace it with this new plan?",
            events,
        ).format(date=saved.inputs.surgery_date, count=events)
    )


@app.command("today")
@plan_input_options()
def today_command(
    inputs: "PlanInputs",
    date_: Annotated[
        str | None, typer.Option("--date", metavar="DATE", help="The day to look at (default: today).")
    ] = None,
    json_: Json = False,
    config_dir: ConfigDir = None,
    lang: Lang = None,
) -> None:
    """What applies today: anything overdue, restrictions in force, what is due, the pump, what comes next."""
    from pumpcare.status import day_status

    day, the_plan = _day_and_plan(date_, inputs, config_dir, ahead=366)
    status = day_status(the_plan, day)
    if json_:
        from pumpcare.render_json import render_today_json

        typer.echo(render_today_json(the_plan, status), nl=False)
        return
    from pumpcare.render_day import render_today

    console().print(render_today(the_plan, status))


@app.command("next")
@plan_input_options()
def next_command(
    inputs: "PlanInputs",
    days: Annotated[int, typer.Option(min=1, max=3660, help="How many days ahead to look.")] = 14,
    date_: Annotated[
        str | None, typer.Option("--date", metavar="DATE", help="Look ahead from this day (default: today).")
    ] = None,
    json_: Json = False,
    config_dir: ConfigDir = None,
    lang: Lang = None,
) -> None:
    """What is coming in the next days, and anything overdue: the view a caregiver checks once a week."""
    from pumpcare.status import day_status, upcoming

    day, the_plan = _day_and_plan(date_, inputs, config_dir, ahead=days)
    items = upcoming(the_plan, day, days=days, from_today=True)
    status = day_status(the_plan, day)
    if json_:
        from pumpcare.render_json import render_next_json

        typer.echo(render_next_json(the_plan, status, days, items), nl=False)
        return
    from pumpcare.render_day import render_next

    console().print(render_next(the_plan, status, items, days))


def _day_and_plan(
    date_: str | None, inputs: "PlanInputs", config_dir: Path | None, *, ahead: int
) -> "tuple[date, Plan]":
    """The day asked about (default: today) and the plan, with refill visits listed `ahead` days past it."""
    from datetime import timedelta

    from pumpcare.controller import day_of

    day = day_of(date_)
    return day, resolve_and_warn(inputs, config_dir, list_until=day + timedelta(days=ahead)).plan


# The nurses' commands and the record's live in modules of their own; registered here, after the patients'
# everyday commands, so `--help` lists them in that order.
app.command("handout")(handout_command)
app.command("batch")(batch_command)
app.command("sync")(sync_command)
app.command("history")(history_command)
app.command("forget")(forget_command)
