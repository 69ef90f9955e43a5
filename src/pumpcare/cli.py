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
from pumpcare.cli_rules import rules_app
from pumpcare.errors import InputError, OutputError, PumpcareError

if TYPE_CHECKING:
    from rich.console import Console

    from pumpcare.controller import Resolved
    from pumpcare.inputs import PlanInputs
    from pumpcare.saved import SavedPlan
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


_SETTINGS: dict[str, Any] = {
    "cls": _Commands,
    "help": "Turn pain pump aftercare instructions into a dated recovery plan.",
    "no_args_is_help": True,
    "add_completion": False,
    # Plain help and errors: quick to start, readable by screen readers, and no locals in tracebacks.
    "rich_markup_mode": None,
    "pretty_exceptions_enable": False,
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


# `pumpcare rules ...` lives in its own module; it imports its heavy parts inside its commands.
app.add_typer(rules_app, name="rules")


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
    str | None, typer.Option(metavar="VOLUME", help="The low-reservoir alarm volume, if not the rule file's.")
]
RulesFile = Annotated[
    Path | None, typer.Option("--rules", metavar="FILE", help="A clinic's own rule file instead of the shipped one.")
]
PatientLabel = Annotated[
    str | None,
    typer.Option(metavar="TEXT", help="A name or label for the calendar's title. Left out unless given."),
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


@app.command("plan")
def plan_command(
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
    ics: Annotated[
        str | None, typer.Option(metavar="PATH", help="Write the plan as a calendar file; '-' writes to stdout.")
    ] = None,
    json_: Json = False,
    patient_label: PatientLabel = None,
    today: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="Mark this day as today on the timeline (default: the real today)."),
    ] = None,
    chart: Annotated[bool, typer.Option("--chart", help="Draw the restrictions as bars on a time line.")] = False,
    save: Annotated[bool, typer.Option("--save", help="Keep these inputs for `today`, `next` and `plan`.")] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="With --save: replace a saved plan for another surgery date.")
    ] = False,
    config_dir: ConfigDir = None,
) -> None:
    """Show the dated recovery plan, and write it as a calendar or JSON."""
    if json_ and ics == "-":
        raise InputError("--json and --ics - both write to stdout; write the calendar to a file instead")
    from pumpcare.inputs import check_label, parse_day

    # Every input is checked before anything is written, so a refused plan leaves an old calendar untouched.
    marked = parse_day(today, "--today") if today is not None else date.today()
    patient_label = check_label(patient_label) if patient_label is not None else None
    given = _given(locals())
    if save:
        from pumpcare.controller import save as save_plan

        resolved = save_plan(given, _saved_path(config_dir), replace=lambda saved: yes or _ask_replace(saved))
        _warn(resolved.warnings)
        typer.echo(
            f"Plan saved to {_saved_path(config_dir)}; `pumpcare today` and `pumpcare next` will use it.", err=True
        )
    else:
        resolved = _resolve(given, config_dir)
    inputs, the_plan = resolved.inputs, resolved.plan
    if ics is not None:
        _write_calendar(the_plan, ics, inputs.patient_label)
    if json_:
        from pumpcare.render_json import render_json

        typer.echo(render_json(the_plan), nl=False)
        return
    if ics is not None:
        return  # the calendar was what was asked for; `plan` without --ics shows the timeline
    if chart:
        from pumpcare.render_chart import render_chart

        _console().print(render_chart(the_plan, today=marked))
        return
    from pumpcare.render_terminal import render_plan

    _console().print(render_plan(the_plan, today=marked))


def _given(options: dict[str, Any]) -> "PlanInputs":
    """The plan inputs among a command's options, as typed; what is left out is None."""
    from pumpcare.inputs import PlanInputs

    rules = options.get("rules")
    values = {name: options.get(name) for name in PlanInputs._fields if name not in ("orders", "rules_file")}
    return PlanInputs(**values, orders=tuple(options.get("set_") or ()), rules_file=_path_text(rules))


def _ask_replace(saved: "SavedPlan") -> bool:
    """Ask before a new surgery date replaces a saved plan; a script (no terminal) must say --yes instead."""
    if not sys.stdin.isatty():
        return False
    events = len(saved.history)
    return typer.confirm(
        f"The saved plan is for surgery on {saved.inputs.surgery_date}, with its follow-up date, refills, orders "
        f"and {events} logged event{'s' if events != 1 else ''}. Replace it with this new plan?"
    )


@app.command("handout")
def handout_command(
    out: Annotated[Path, typer.Option(metavar="PATH", help="Where to write the sheet (.pdf, or .html with --html).")],
    paper: Annotated[str, typer.Option(metavar="SIZE", help="Paper size: letter or a4.")] = "letter",
    html: Annotated[bool, typer.Option("--html", help="Write one self-contained HTML page instead of a PDF.")] = False,
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
    config_dir: ConfigDir = None,
) -> None:
    """Write the one-page sheet a nurse hands over: time line, checklist, when to call, phone lines."""
    from pumpcare.inputs import check_label
    from pumpcare.render_pdf import PAPER

    if paper.lower() not in PAPER:
        raise InputError(f"--paper {paper!r} is not a paper size pumpcare knows; use letter or a4")
    patient_label = check_label(patient_label) if patient_label is not None else None
    resolved = _resolve(_given(locals()), config_dir)
    inputs, the_plan = resolved.inputs, resolved.plan
    html = html or out.suffix.lower() in (".html", ".htm")
    if html and out.suffix.lower() == ".pdf":
        raise InputError(f"--html writes a web page, but {out} is named .pdf; name it .html or leave out --html")
    data, pages = _sheet_bytes(the_plan, inputs.patient_label, paper.lower(), html=html)
    from pumpcare.files import write_atomically

    write_atomically(out, data)
    if pages > 1:
        typer.echo(
            f"pumpcare: warning: the sheet runs to {pages} pages; fewer orders split from their group, "
            "or --paper a4, may bring it back to one",
            err=True,
        )
    typer.echo(f"Sheet written to {out}; print it on {paper.lower()} paper.", err=True)


def _sheet_bytes(the_plan: "Plan", patient_label: str | None, paper: str, *, html: bool) -> tuple[bytes, int]:
    """The sheet's bytes and its page count (an HTML page counts as one: the browser paginates it)."""
    from pumpcare.sheet import make_sheet

    sheet = make_sheet(the_plan, patient_label)
    if html:
        from pumpcare.render_html import render_html

        return render_html(sheet, paper=paper).encode("utf-8"), 1
    from pumpcare.render_pdf import render_pdf

    return render_pdf(sheet, paper=paper)


@app.command("batch")
def batch_command(
    csv_file: Annotated[Path, typer.Argument(metavar="CSV", help="One patient a row; see the README for columns.")],
    out_dir: Annotated[Path, typer.Option("--out-dir", metavar="DIR", help="Folder for the calendars and sheets.")],
    paper: Annotated[str, typer.Option(metavar="SIZE", help="Paper size of the sheets: letter or a4.")] = "letter",
    html: Annotated[bool, typer.Option("--html", help="Write HTML sheets instead of PDFs.")] = False,
    rules: RulesFile = None,
) -> None:
    """Write a calendar and a sheet for each patient of a CSV file: a day's discharges at once."""
    import gc

    # Thousands of rows make garbage the one-plan commands never do: collect it again.
    gc.enable()
    from pumpcare.batch import BatchOptions
    from pumpcare.batch_output import run_and_report
    from pumpcare.render_pdf import PAPER
    from pumpcare.rules import load_rules

    if paper.lower() not in PAPER:
        raise InputError(f"--paper {paper!r} is not a paper size pumpcare knows; use letter or a4")
    options = BatchOptions(load_rules(rules), out_dir, _build_time(), paper.lower(), html)
    if not run_and_report(csv_file, options, out=_console(), err=_console(stderr=True)):
        raise typer.Exit(code=1)


@app.command("today")
def today_command(
    date_: Annotated[
        str | None, typer.Option("--date", metavar="DATE", help="The day to look at (default: today).")
    ] = None,
    json_: Json = False,
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
    config_dir: ConfigDir = None,
) -> None:
    """What applies today: anything overdue, restrictions in force, what is due, the pump, what comes next."""
    from pumpcare.status import day_status

    day, the_plan = _day_and_plan(date_, _given(locals()), config_dir, ahead=366)
    status = day_status(the_plan, day)
    if json_:
        from pumpcare.render_json import render_today_json

        typer.echo(render_today_json(the_plan, status), nl=False)
        return
    from pumpcare.render_today import render_today

    _console().print(render_today(the_plan, status))


@app.command("next")
def next_command(
    days: Annotated[int, typer.Option(min=1, max=3660, help="How many days ahead to look.")] = 14,
    date_: Annotated[
        str | None, typer.Option("--date", metavar="DATE", help="Look ahead from this day (default: today).")
    ] = None,
    json_: Json = False,
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
    config_dir: ConfigDir = None,
) -> None:
    """What is coming in the next days, and anything overdue: the view a caregiver checks once a week."""
    from pumpcare.status import day_status, upcoming

    day, the_plan = _day_and_plan(date_, _given(locals()), config_dir, ahead=days)
    items = upcoming(the_plan, day, days=days, from_today=True)
    status = day_status(the_plan, day)
    if json_:
        from pumpcare.render_json import render_next_json

        typer.echo(render_next_json(the_plan, status, days, items), nl=False)
        return
    from pumpcare.render_today import render_next

    _console().print(render_next(the_plan, status, items, days))


@app.command("history")
def history_command(
    json_: Json = False,
    config_dir: ConfigDir = None,
) -> None:
    """List what has happened: refills, the follow-up visit, pump replacements."""
    from pumpcare import store

    path = _saved_path(config_dir)
    saved = store.must_exist(store.load(path), path)
    if json_:
        from pumpcare.render_json import render_history_json

        typer.echo(render_history_json(saved), nl=False)
        return
    from pumpcare.render_today import render_history

    _console().print(render_history(saved))


log_app = typer.Typer(
    help="Record what has happened: a refill, the follow-up visit, a new pump; or take the last entry back.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(log_app, name="log")
LogDate = Annotated[
    str | None, typer.Option("--date", metavar="DATE", help="The day it happened (default: today; never the future).")
]


@log_app.command("refill")
def log_refill_command(
    date_: LogDate = None,
    fill_volume: FillVolume = None,
    concentration: Concentration = None,
    daily_dose: DailyDose = None,
    next_refill: NextRefill = None,
    config_dir: ConfigDir = None,
) -> None:
    """Record a refill; the next one is counted from it. The programmer's numbers may come with it."""
    from pumpcare.inputs import PlanInputs, parse_date
    from pumpcare.saved import fill_from

    fill = fill_from(PlanInputs(fill_volume=fill_volume, concentration=concentration, daily_dose=daily_dose))
    if next_refill is not None:
        parse_date(next_refill, "--next-refill")
    _log("refill", date_, config_dir, fill=fill, next_refill=next_refill)


@log_app.command("follow-up")
def log_follow_up_command(date_: LogDate = None, config_dir: ConfigDir = None) -> None:
    """Record the follow-up visit; restrictions that waited for it end then."""
    _log("follow-up", date_, config_dir)


@log_app.command("replacement")
def log_replacement_command(date_: LogDate = None, config_dir: ConfigDir = None) -> None:
    """Record that the pump was replaced; the next battery window counts from this day."""
    _log("replacement", date_, config_dir)


@log_app.command("undo")
def log_undo_command(config_dir: ConfigDir = None) -> None:
    """Take back the last entry you logged."""
    from pumpcare.controller import undo_last
    from pumpcare.wording import logged_sentence

    _, entry = undo_last(_saved_path(config_dir))
    typer.echo(f"Took back: {logged_sentence(entry)}", err=True)


def _log(kind: str, date_: str | None, config_dir: Path | None, **extra: Any) -> None:
    from pumpcare.controller import log_event
    from pumpcare.inputs import parse_day
    from pumpcare.render_today import render_logged

    today = date.today()
    day = parse_day(date_, "--date") if date_ is not None else today
    _, the_plan = log_event(_saved_path(config_dir), kind, day, today=today, **extra)
    _console(stderr=True).print(render_logged(the_plan, kind, day, today))


@app.command("forget")
def forget_command(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    config_dir: ConfigDir = None,
) -> None:
    """Delete the saved plan."""
    path = _saved_path(config_dir)
    if not path.exists():
        typer.echo(f"There is no saved plan at {path}; nothing to forget.", err=True)
        return
    if not yes and not typer.confirm(f"Delete the saved plan at {path}?"):
        typer.echo("Kept the saved plan.", err=True)
        return
    try:
        path.unlink()
    except OSError as err:
        raise OutputError(f"cannot delete {path}: {(err.strerror or 'it failed').lower()}; delete it by hand") from None
    typer.echo(f"Deleted the saved plan at {path}.", err=True)


def _day_and_plan(
    date_: str | None, given: "PlanInputs", config_dir: Path | None, *, ahead: int
) -> "tuple[date, Plan]":
    """The day asked about (default: today) and the plan, with refill visits listed `ahead` days past it."""
    from datetime import timedelta

    from pumpcare.inputs import parse_day

    day = parse_day(date_, "--date") if date_ is not None else date.today()
    return day, _resolve(given, config_dir, list_until=day + timedelta(days=ahead)).plan


def _console(*, stderr: bool = False) -> "Console":
    from rich.console import Console

    return Console(highlight=False, stderr=stderr)


def _path_text(path: Path | None) -> str | None:
    # Saved as an absolute path, so the saved plan works from any folder. abspath, not resolve: it touches no
    # file (a symlink loop is the loader's to report) and keeps a link's own name.
    return os.path.abspath(path) if path is not None else None  # noqa: PTH100


def _saved_path(config_dir: Path | None) -> Path:
    from pumpcare.store import saved_path

    return saved_path(config_dir)


def _resolve(given: "PlanInputs", config_dir: Path | None, *, list_until: date | None = None) -> "Resolved":
    """The plan for these options and the saved record; its warnings go to stderr."""
    from pumpcare.controller import resolve

    resolved = resolve(given, _saved_path(config_dir), list_until=list_until)
    _warn(resolved.warnings)
    return resolved


def _warn(warnings: "tuple[str, ...]") -> None:
    for warning in warnings:
        typer.echo(f"pumpcare: warning: {warning}", err=True)


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
