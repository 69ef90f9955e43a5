"""`pumpcare handout` and `batch`: what a nurse hands over at discharge. Arguments and printing only."""

# No `from __future__ import annotations` here: typer would eval every annotation string at start-up.
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pumpcare.cli_options import (
    ClinicProfile,
    ConfigDir,
    Lang,
    RulesFile,
    clinic_from,
    console,
    plan_input_options,
    resolve_and_warn,
    tell,
    warn,
)
from pumpcare.i18n import gettext as _

if TYPE_CHECKING:
    from pumpcare.inputs import PlanInputs


@plan_input_options(label=True)
def handout_command(
    inputs: "PlanInputs",
    out: Annotated[Path, typer.Option(metavar="PATH", help="Where to write the sheet (.pdf, or .html with --html).")],
    paper: Annotated[str, typer.Option(metavar="SIZE", help="Paper size: letter or a4.")] = "letter",
    html: Annotated[bool, typer.Option("--html", help="Write one self-contained HTML page instead of a PDF.")] = False,
    clinic: ClinicProfile = None,
    date_: Annotated[
        str | None,
        typer.Option(
            "--date", metavar="DATE", help="The day the sheet is handed over (default: today); it prints on it."
        ),
    ] = None,
    large_print: Annotated[bool, typer.Option("--large-print", help="Body text at 14 pt instead of 12.")] = False,
    config_dir: ConfigDir = None,
    lang: Lang = None,
) -> None:
    """Write the one-page sheet a nurse hands over: time line, checklist, when to call, phone numbers."""
    from pumpcare.controller import day_of
    from pumpcare.outputs import sheet_format, write_sheet

    day = day_of(date_)
    profile = clinic_from(clinic)
    paper, html = sheet_format(out, paper, html=html)
    resolved = resolve_and_warn(inputs, config_dir)
    warn(write_sheet(resolved, out, paper, html=html, clinic=profile, today=day, large_print=large_print))
    tell(_("Sheet written to {path}; print it on {paper} paper.").format(path=out, paper=paper))


def batch_command(
    csv_file: Annotated[Path, typer.Argument(metavar="CSV", help="One patient a row; see the README for columns.")],
    out_dir: Annotated[Path, typer.Option("--out-dir", metavar="DIR", help="Folder for the calendars and sheets.")],
    paper: Annotated[str, typer.Option(metavar="SIZE", help="Paper size of the sheets: letter or a4.")] = "letter",
    html: Annotated[bool, typer.Option("--html", help="Write HTML sheets instead of PDFs.")] = False,
    rules: RulesFile = None,
    clinic: ClinicProfile = None,
    lang: Lang = None,
    fhir: Annotated[
        bool, typer.Option("--fhir", help="Also write each patient's plan as a FHIR R4 CarePlan (.fhir.json).")
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            metavar="N",
            help="Processes that plan the rows (default and most: one per core); the files are the same.",
        ),
    ] = None,
) -> None:
    """Write a calendar and a sheet for each patient of a CSV file: a day's discharges at once."""
    import gc

    # Thousands of rows make garbage the one-plan commands never do: collect it again.
    gc.enable()
    from pumpcare.batch import batch_options
    from pumpcare.batch_output import run_and_report

    options, processes, warnings = batch_options(rules, out_dir, paper, html=html, clinic=clinic, fhir=fhir, jobs=jobs)
    warn(warnings)
    if not run_and_report(csv_file, options, out=console(), err=console(stderr=True), jobs=processes):
        raise typer.Exit(code=1)
