"""`pumpcare clinic`: start and check a clinic's profile (its name and phone numbers). Arguments and printing only."""

# No `from __future__ import annotations` here: typer would eval every annotation string at start-up.
from pathlib import Path
from typing import Annotated

import typer

from pumpcare.cli_options import Lang, speak
from pumpcare.errors import OutputError
from pumpcare.i18n import gettext as _
from pumpcare.i18n import ngettext

clinic_app = typer.Typer(
    help="Start and check a clinic's profile: its name and phone numbers, for the sheet and the calendar.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
ProfileFile = Annotated[Path, typer.Argument(metavar="FILE", show_default=False, help="A clinic profile (YAML).")]


@clinic_app.command("init")
def init_command(
    file: ProfileFile,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
    lang: Lang = None,
) -> None:
    """Write a commented example profile to fill in."""
    speak(lang)
    from pumpcare.clinic import example
    from pumpcare.files import write_atomically

    if file.exists() and not file.is_dir() and not force:
        raise OutputError(
            _("{path} already exists; choose another path, or pass --force to replace it").format(path=file)
        )
    write_atomically(file, example().encode("utf-8"))
    typer.echo(
        _("Clinic profile written to {path}; fill in your clinic's name and numbers.").format(path=file), err=True
    )


@clinic_app.command("check")
def check_command(file: ProfileFile, lang: Lang = None) -> None:
    """Check a profile: every problem at once, each with where it is."""
    speak(lang)
    from pumpcare.clinic import load_clinic

    clinic = load_clinic(file)
    numbers = len(clinic.phones)
    checked = ngettext(
        "{path}: {clinic}, {count} phone number, no problems.",
        "{path}: {clinic}, {count} phone numbers, no problems.",
        numbers,
    )
    typer.echo(checked.format(path=file, clinic=clinic.name, count=numbers))
