"""`pumpcare clinic`: start and check a clinic's profile (its name and phone numbers). Arguments and printing only."""

# No `from __future__ import annotations` here: typer would eval every annotation string at start-up.
from pathlib import Path
from typing import Annotated

import typer

from pumpcare.errors import OutputError

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
) -> None:
    """Write a commented example profile to fill in."""
    from pumpcare.clinic import EXAMPLE
    from pumpcare.files import write_atomically

    if file.exists() and not file.is_dir() and not force:
        raise OutputError(f"{file} already exists; choose another path, or pass --force to replace it")
    write_atomically(file, EXAMPLE.encode("utf-8"))
    typer.echo(f"Clinic profile written to {file}; fill in your clinic's name and numbers.", err=True)


@clinic_app.command("check")
def check_command(file: ProfileFile) -> None:
    """Check a profile: every problem at once, each with where it is."""
    from pumpcare.clinic import load_clinic

    clinic = load_clinic(file)
    numbers = len(clinic.phones)
    typer.echo(f"{file}: {clinic.name}, {numbers} phone number{'s' if numbers != 1 else ''}, no problems.")
