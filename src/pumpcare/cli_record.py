"""`pumpcare log`, `history` and `forget`: the record of what has happened. Arguments and printing only."""

# No `from __future__ import annotations` here: typer would eval every annotation string at start-up.
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pumpcare.cli_options import (
    ClearNumbers,
    ConfigDir,
    Json,
    Lang,
    console,
    plan_input_options,
    saved_path,
    speak,
)
from pumpcare.errors import InputError, OutputError
from pumpcare.i18n import gettext as _
from pumpcare.input_table import PUMP_NUMBERS

if TYPE_CHECKING:
    from pumpcare.inputs import PlanInputs
    from pumpcare.pumplife import LoggedKind


def history_command(
    json_: Json = False,
    config_dir: ConfigDir = None,
    lang: Lang = None,
) -> None:
    """List what has happened: refills, the follow-up visit, pump replacements."""
    speak(lang)
    from pumpcare import store

    path = saved_path(config_dir)
    saved = store.must_exist(store.load(path, today=date.today()), path)
    if json_:
        from pumpcare.render_json import render_history_json

        typer.echo(render_history_json(saved), nl=False)
        return
    from pumpcare.render_day import render_history

    console().print(render_history(saved))


log_app = typer.Typer(
    help="Record what has happened: a refill, the follow-up visit, a new pump; or take the last entry back.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
LogDate = Annotated[
    str | None, typer.Option("--date", metavar="DATE", help="The day it happened (default: today; never the future).")
]


@log_app.command("refill")
@plan_input_options(only=(*PUMP_NUMBERS, "next_refill"))
def log_refill_command(
    inputs: "PlanInputs",
    date_: LogDate = None,
    clear_numbers: ClearNumbers = False,
    config_dir: ConfigDir = None,
    lang: Lang = None,
) -> None:
    """Record a refill; the next one is counted from it. The programmer's numbers may come with it."""
    speak(lang)
    from pumpcare.inputs import parse_date

    next_refill = inputs.next_refill
    if next_refill is not None:
        parse_date(next_refill, "--next-refill")
    numbers = inputs._replace(next_refill=None)
    _log("refill", date_, config_dir, numbers=numbers, clear_numbers=clear_numbers, next_refill=next_refill)


@log_app.command("follow-up")
def log_follow_up_command(date_: LogDate = None, config_dir: ConfigDir = None, lang: Lang = None) -> None:
    """Record the follow-up visit; restrictions that waited for it end then."""
    speak(lang)
    _log("follow-up", date_, config_dir)


@log_app.command("replacement")
def log_replacement_command(date_: LogDate = None, config_dir: ConfigDir = None, lang: Lang = None) -> None:
    """Record that the pump was replaced; the next battery window counts from this day."""
    speak(lang)
    _log("replacement", date_, config_dir)


@log_app.command("undo")
def log_undo_command(config_dir: ConfigDir = None, lang: Lang = None) -> None:
    """Take back the last entry you logged."""
    speak(lang)
    from pumpcare.controller import undo_last
    from pumpcare.wording_pump import took_back_sentence

    entry = undo_last(saved_path(config_dir))[1]
    typer.echo(took_back_sentence(entry), err=True)


def _log(kind: "LoggedKind", date_: str | None, config_dir: Path | None, **extra: Any) -> None:
    from pumpcare.controller import log_event
    from pumpcare.inputs import parse_day
    from pumpcare.render_day import render_logged

    today = date.today()
    day = parse_day(date_, "--date") if date_ is not None else today
    updated, the_plan = log_event(saved_path(config_dir), kind, day, today=today, **extra)
    console(stderr=True).print(render_logged(the_plan, updated.history[-1], today))


def forget_command(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    config_dir: ConfigDir = None,
    lang: Lang = None,
) -> None:
    """Delete the saved plan."""
    speak(lang)
    path = saved_path(config_dir)
    if not path.exists():
        typer.echo(_("There is no saved plan at {path}; nothing to forget.").format(path=path), err=True)
        return
    if not yes and not _terminal():
        # No one to ask (a script, a pipe): say how to confirm rather than read an answer that cannot come.
        message = _("forget deletes the saved plan at {path} and there is no terminal to ask on; add --yes")
        raise InputError(message.format(path=path))
    # Translators: a question; [y/N] shows the answers (the first letter of yes, and N, the default, for no).
    if not yes and not _confirm(_("Delete the saved plan at {path}? [y/N]").format(path=path)):
        typer.echo(_("Kept the saved plan."), err=True)
        return
    from pumpcare import store

    try:
        with store.locked(path):  # not while another pumpcare is writing it
            path.unlink()
    except OSError as err:
        # Translators: {reason} is the system's own words, such as "permission denied".
        message = _("cannot delete {path}: {reason}; delete it by hand")
        reason = err.strerror.lower() if err.strerror else _("it failed")
        raise OutputError(message.format(path=path, reason=reason)) from None
    typer.echo(_("Deleted the saved plan at {path}.").format(path=path), err=True)


def _terminal() -> bool:
    """Whether someone can answer a question: stdin is a terminal."""
    return sys.stdin.isatty()


def _confirm(question: str) -> bool:
    """Ask a yes-or-no question on the terminal: only yes, in English or the language in use, says yes.

    Not typer.confirm, which takes only an English y or yes, and answers anything else with an English error.
    """
    try:
        answer = typer.prompt(question, default="", show_default=False, prompt_suffix=": ")
    except typer.Abort:  # the end of input, or Ctrl-C: nothing was agreed to
        typer.echo()
        return False
    # Translators: the answers that mean yes, separated by commas, the one [y/N] shows first; "y" and "yes" are
    # always taken too.
    words = {"y", "yes", *(word.strip().casefold() for word in _("y, yes").split(","))}
    return str(answer).strip().casefold() in words
