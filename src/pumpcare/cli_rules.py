"""`pumpcare rules`: list, check, diff and start a clinic's rule file. Arguments and printing only.

What the reports say, and how `rules check` decides its exit code, is in rules_report.py.
"""

# No `from __future__ import annotations` here: typer would eval every annotation string at start-up.
import sys
from pathlib import Path
from typing import Annotated

import typer

from pumpcare.errors import InputError, OutputError, RuleFileError

# Rich, the rule loader, the reports and the catalog are imported inside the commands, so `pumpcare --help`
# stays quick.

rules_app = typer.Typer(
    help="List, check, compare and copy rule files.",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

RuleFileArgument = Annotated[Path, typer.Argument(metavar="FILE", show_default=False, help="A clinic's rule file.")]


@rules_app.command("list", short_help="Show every rule: its id, timing and source.")
def list_command(
    rules: Annotated[
        Path | None,
        typer.Option("--rules", metavar="FILE", help="A clinic's own rule file instead of the shipped one."),
    ] = None,
) -> None:
    """Show every rule with its id, its timing in words, and the leaflet sentence it comes from."""
    from rich.console import Console

    from pumpcare.rule_file import load_rules
    from pumpcare.rules_report import rules_table

    Console(highlight=False).print(rules_table(load_rules(rules)))


@rules_app.command("check", short_help="Check a clinic's rule file for problems.")
def check_command(
    file: RuleFileArgument,
    allow_outside_leaflet: Annotated[
        bool,
        typer.Option(
            "--allow-outside-leaflet",
            help="Still warn about timings outside the leaflet's ranges, but pass the check (exit 0).",
        ),
    ] = False,
) -> None:
    """Check a clinic's rule file: every problem with where it is, and timings outside the leaflet's ranges."""
    from pumpcare.i18n import gettext as _
    from pumpcare.rule_file import load_rules
    from pumpcare.rules_report import report_problems, report_rules

    # A path that is no file is a mistake on the command line, said in one line; what is wrong inside a file
    # is this command's report, listed on stdout.
    if not file.exists() and not file.is_symlink():
        raise InputError(_("there is no rule file at {path}; check the path").format(path=file))
    if file.is_dir():
        raise InputError(_("{path} is a folder; give the path of a .yaml rule file").format(path=file))
    try:
        clinic = load_rules(file)
    except RuleFileError as err:
        report = report_problems(err.path, err.problems)
    else:
        report = report_rules(clinic.origin, clinic, load_rules(), allow_outside=allow_outside_leaflet)
    for line in report.lines:
        typer.echo(line)
    if not report.passed:
        raise typer.Exit(code=1)


@rules_app.command("diff", short_help="Show what a clinic's rule file changes.")
def diff_command(file: RuleFileArgument) -> None:
    """Show what a clinic's rule file changes against the shipped rules: rules added, removed and changed."""
    from pumpcare.rule_file import load_rules
    from pumpcare.rules_report import diff_lines, diff_rules

    clinic = load_rules(file)
    arrow = "→" if _can_print("→") else "->"
    for line in diff_lines(diff_rules(load_rules(), clinic), clinic.origin, arrow=arrow):
        typer.echo(line)


@rules_app.command("export", short_help="Write the rules as a FHIR R4 PlanDefinition.")
def export_command(
    fhir: Annotated[
        str,
        typer.Option("--fhir", metavar="PATH", help="Where to write the PlanDefinition (JSON); '-' writes to stdout."),
    ],
    rules: Annotated[
        Path | None,
        typer.Option("--rules", metavar="FILE", help="A clinic's own rule file instead of the shipped one."),
    ] = None,
) -> None:
    """Write the rule file as a FHIR R4 PlanDefinition: each rule an action, timed from surgery, visit or refill."""
    from pumpcare.cli_options import write_output
    from pumpcare.i18n import ngettext
    from pumpcare.render_fhir import render_plandefinition
    from pumpcare.rule_file import load_rules

    ruleset = load_rules(rules)
    data = render_plandefinition(ruleset).encode("utf-8")
    count = len(ruleset.rules)
    written = ngettext(
        "PlanDefinition written to {path} ({count} rule, version {version}).",
        "PlanDefinition written to {path} ({count} rules, version {version}).",
        count,
    )
    write_output(fhir, data, written.format(path=fhir, count=count, version=ruleset.version))


@rules_app.command("init", short_help="Write a copy of the shipped rules to edit.")
def init_command(
    path: Annotated[Path, typer.Argument(metavar="PATH", show_default=False, help="Where to write the copy.")],
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write a copy of the shipped rules, comments included, as a clinic's starting point."""
    from pumpcare.files import write_atomically
    from pumpcare.i18n import gettext as _
    from pumpcare.rule_file import shipped_rules_path

    # A folder is left to write_atomically, which says it is a folder: --force would not help there.
    if path.exists() and not path.is_dir() and not force:
        raise OutputError(
            _("{path} already exists; choose another path, or pass --force to replace it").format(path=path)
        )
    shipped = shipped_rules_path()
    try:
        data = shipped.read_bytes()
    except OSError as err:
        # The system's reason (strerror) is in English, as Python gives it.
        reason = err.strerror.lower() if err.strerror else _("it failed")
        raise InputError(
            _("the shipped rules at {path} cannot be read ({reason}); reinstall pumpcare").format(
                path=shipped, reason=reason
            )
        ) from None
    write_atomically(path, data)
    typer.echo(
        _("Wrote the shipped rules to {path}; edit it, then check it with `pumpcare rules check {path}`.").format(
            path=path
        ),
        err=True,
    )


def _can_print(text: str) -> bool:
    # A Windows console piped to a file writes cp1252, which has no arrows.
    try:
        text.encode(sys.stdout.encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True
