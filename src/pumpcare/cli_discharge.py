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
    build_time,
    console,
    plan_input_options,
    resolve_and_warn,
    speak,
    warn,
)
from pumpcare.errors import InputError

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
    speak(lang)
    from datetime import date

    from pumpcare.clinic import load_clinic
    from pumpcare.controller import sheet_bytes
    from pumpcare.inputs import parse_day
    from pumpcare.render_pdf import PAPER

    day = parse_day(date_, "--date") if date_ is not None else date.today()
    profile = load_clinic(clinic) if clinic is not None else None

    if paper.lower() not in PAPER:
        raise InputError(f"--paper {paper!r} is not a paper size pumpcare knows; use letter or a4")
    suffix = out.suffix.lower()
    if suffix and suffix not in (".pdf", ".html", ".htm"):
        # A sheet named .docx would open as garbage in a word processor: refuse before anything is made.
        raise InputError(f"handout writes a PDF or a web page, not {suffix}; name the file {out.stem}.pdf or .html")
    resolved = resolve_and_warn(inputs, config_dir)
    inputs, the_plan = resolved.inputs, resolved.plan
    html = html or suffix in (".html", ".htm")
    if html and out.suffix.lower() == ".pdf":
        raise InputError(f"--html writes a web page, but {out} is named .pdf; name it .html or leave out --html")
    data, pages = sheet_bytes(
        the_plan, inputs.patient_label, paper.lower(), html=html, clinic=profile, today=day, large_print=large_print
    )
    from pumpcare.files import write_atomically

    write_atomically(out, data)
    from pumpcare.controller import pages_warning

    warn(pages_warning(pages))
    typer.echo(f"Sheet written to {out}; print it on {paper.lower()} paper.", err=True)


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
    speak(lang)
    import gc

    # Thousands of rows make garbage the one-plan commands never do: collect it again.
    gc.enable()
    from pumpcare.batch import BatchOptions, usable_cores
    from pumpcare.batch_output import run_and_report
    from pumpcare.render_pdf import PAPER
    from pumpcare.rule_file import load_rules

    if paper.lower() not in PAPER:
        raise InputError(f"--paper {paper!r} is not a paper size pumpcare knows; use letter or a4")
    if jobs is not None and jobs < 1:
        raise InputError(
            f"--jobs {jobs} is not a number of processes; give 1 or more, or leave it out to use every core"
        )
    from pumpcare.clinic import load_clinic

    profile = load_clinic(clinic) if clinic is not None else None
    from datetime import date

    options = BatchOptions(
        load_rules(rules), out_dir, build_time(), paper.lower(), html, profile, date.today(), fhir=fhir
    )
    from pumpcare.controller import translation_gaps

    warn(tuple(translation_gaps(options.rules)))
    if not run_and_report(csv_file, options, out=console(), err=console(stderr=True), jobs=jobs or usable_cores()):
        raise typer.Exit(code=1)
