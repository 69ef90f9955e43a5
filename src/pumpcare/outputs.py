"""Which writers a command calls and with what: the one dispatch `plan`, `handout` and `batch` share. No printing.

The controller makes the plan; this turns it into the files asked for (calendar, JSON, CarePlan, sheet), refuses
outputs that clash, and writes each whole or not at all.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from pumpcare.clinic import Clinic
from pumpcare.controller import Resolved
from pumpcare.errors import InputError
from pumpcare.i18n import gettext as _
from pumpcare.i18n import ngettext
from pumpcare.schedule import Plan

if TYPE_CHECKING:
    from pumpcare.sheet import Sheet


def careplan_bytes(
    the_plan: Plan,
    patient_label: str | None,
    *,
    created: date,
    patient_ref: str | None = None,
    key: str | None = None,
) -> bytes:
    """The plan as a FHIR CarePlan, as `plan --fhir` and `batch --fhir` write it."""
    from pumpcare.render_fhir import render_careplan

    careplan = render_careplan(the_plan, patient_label=patient_label, patient_ref=patient_ref, created=created, key=key)
    return careplan.encode("utf-8")


def sheet_bytes(
    the_plan: Plan,
    patient_label: str | None,
    paper: str,
    *,
    html: bool,
    clinic: Clinic | None = None,
    today: date | None = None,
    large_print: bool = False,
) -> tuple[bytes, int]:
    """The sheet's bytes and its page count (an HTML page counts as one: the browser paginates it)."""
    from pumpcare.sheet import make_sheet

    sheet = make_sheet(the_plan, patient_label, clinic=clinic, today=today)
    return sheet_document(sheet, paper, html=html, large_print=large_print)


def pages_warning(pages: int) -> tuple[str, ...]:
    """What to say of a sheet longer than a page (nothing for one page)."""
    if pages <= 1:
        return ()
    return (
        ngettext(
            "the sheet runs to {count} page; fewer orders split from their group, or --paper a4, may bring it back "
            "to one",
            "the sheet runs to {count} pages; fewer orders split from their group, or --paper a4, may bring it back "
            "to one",
            pages,
        ).format(count=pages),
    )


def sheet_document(sheet: Sheet, paper: str, *, html: bool, large_print: bool = False) -> tuple[bytes, int]:
    """A laid-out sheet as HTML or PDF bytes, and its pages: the one way `handout` and `batch` draw it."""
    from pumpcare.render_pdf import BODY_SIZE, LARGE_PRINT

    size = LARGE_PRINT if large_print else BODY_SIZE
    if html:
        from pumpcare.render_html import render_html

        return render_html(sheet, paper=paper, body_size=size).encode("utf-8"), 1
    from pumpcare.render_pdf import SpillsOver, render_pdf

    if large_print:
        return render_pdf(sheet, paper=paper, body_size=size)  # kept at its size: readers who need it ask for it
    try:
        return render_pdf(sheet, paper=paper, body_size=size, one_page=True)
    except SpillsOver:
        pass
    # One page is what a nurse hands over. A longer language (Spanish runs a fifth longer than English) or many
    # split orders may spill; a point smaller often fits, and is still easy to read.
    smaller = render_pdf(sheet, paper=paper, body_size=size - 1)
    if smaller.pages == 1:
        return smaller
    whole = render_pdf(sheet, paper=paper, body_size=size)
    return smaller if smaller.pages < whole.pages else whole


# What the commands were asked to write, checked before anything is made: the CLI only declares the options and
# prints what comes back.


class PlanRequest(NamedTuple):
    """What `plan` was asked to write besides its view: a calendar, a CarePlan, JSON ('-': stdout)."""

    ics: str | None = None
    fhir: str | None = None
    json: bool = False
    spans: bool = False
    chart: bool = False
    patient_ref: str | None = None


def check_request(request: PlanRequest) -> tuple[PlanRequest, tuple[str, ...]]:
    """Refuse outputs that clash, before anything is made; the request with its patient reference checked, and a
    warning for each option that would do nothing."""
    ics, fhir = request.ics, request.fhir
    if request.json and ics == "-":
        raise InputError(_("--json and --ics - both write to stdout; write the calendar to a file instead"))
    if fhir == "-" and (request.json or ics == "-"):
        raise InputError(
            # Translators: {option} is --json or "--ics -", as typed.
            _("{option} and --fhir - both write to stdout; write the CarePlan to a file instead").format(
                option="--json" if request.json else "--ics -"
            )
        )
    if ics is not None and fhir is not None and "-" not in (ics, fhir):
        from pumpcare.files import same_file

        if same_file(ics, fhir):
            raise InputError(_("--ics and --fhir both name {path}; give each its own file").format(path=fhir))
    warnings = []
    if request.spans and ics is None:
        warnings.append(_("--spans shapes the calendar only; add --ics PATH to write one"))
    if request.chart and (request.json or ics is not None or fhir is not None):
        warnings.append(_("--chart draws on the screen only; the JSON and the calendar are written without it"))
    patient_ref = request.patient_ref
    if patient_ref is not None:
        from pumpcare.inputs import check_patient_ref

        patient_ref = check_patient_ref(patient_ref)
        if fhir is None:
            warnings.append(_("--patient-ref names the CarePlan's patient only; add --fhir PATH to write one"))
    return request._replace(patient_ref=patient_ref), tuple(warnings)


class Output(NamedTuple):
    """A file a command writes ('-': stdout), its bytes, and what it is: "calendar" (with its events) or "careplan"."""

    target: str
    data: bytes
    kind: str
    events: int = 0


def build_time() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set, so a calendar can be rebuilt byte for byte."""
    import os
    from datetime import timezone

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return datetime.now(timezone.utc).replace(microsecond=0)
    if not epoch.isdigit():
        raise InputError(
            _("SOURCE_DATE_EPOCH '{value}' is not a whole number of seconds since 1970; fix or unset it").format(
                value=epoch
            )
        )
    try:
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise InputError(
            _("SOURCE_DATE_EPOCH '{value}' is too far in the future to be a date; fix or unset it").format(value=epoch)
        ) from None


def plan_outputs(
    resolved: Resolved, request: PlanRequest, *, clinic: Path | None = None
) -> tuple[list[Output], tuple[str, ...]]:
    """The calendar (with the `clinic` profile's name and numbers) and the CarePlan `plan` was asked for, in the
    order they are written, and what to warn of."""
    if request.ics is None and request.fhir is None:
        return [], ()
    label, stamp = resolved.inputs.patient_label, build_time()
    outputs = []
    warnings: tuple[str, ...] = ()
    if request.ics is not None:
        from pumpcare.clinic import load_clinic
        from pumpcare.render_ics import render_ics

        profile = load_clinic(clinic) if clinic is not None else None
        data = render_ics(
            resolved.plan, stamp=stamp, patient_label=label, spans=request.spans, clinic=profile, key=resolved.key
        )
        outputs.append(Output(request.ics, data, "calendar", data.count(b"BEGIN:VEVENT")))
    if request.fhir is not None:
        key = resolved.record_key
        data = careplan_bytes(resolved.plan, label, created=stamp.date(), patient_ref=request.patient_ref, key=key)
        outputs.append(Output(request.fhir, data, "careplan"))
        if not label and not request.patient_ref and key is None:
            # The CarePlan's id comes from the surgery day and the label, like the calendar's UIDs: on a shared
            # server, two unlabelled patients operated on the same day would have one id, and a PUT would replace.
            warnings = (
                _(
                    "without --patient-label or --patient-ref, the CarePlans of patients operated on the same day "
                    "share one id; give a label unique to the patient (such as the record number) before sending it "
                    "to a server"
                ),
            )
    return outputs, warnings


def check_paper(paper: str) -> str:
    """A --paper size pumpcare knows, lower-cased."""
    from pumpcare.render_pdf import PAPER

    if paper.lower() not in PAPER:
        raise InputError(
            _("--paper {size} is not a paper size pumpcare knows; use letter or a4").format(size=repr(paper))
        )
    return paper.lower()


def sheet_format(out: Path, paper: str, *, html: bool) -> tuple[str, bool]:
    """The paper and the format (HTML or not) of a sheet written to `out`; refused when they do not fit."""
    paper = check_paper(paper)
    suffix = out.suffix.lower()
    if suffix and suffix not in (".pdf", ".html", ".htm"):
        # A sheet named .docx would open as garbage in a word processor: refuse before anything is made.
        raise InputError(
            # Translators: {suffix} is the file's ending as given, such as .docx; {stem} its name without it.
            _("handout writes a PDF or a web page, not {suffix}; name the file {stem}.pdf or .html").format(
                suffix=suffix, stem=out.stem
            )
        )
    html = html or suffix in (".html", ".htm")
    if html and suffix == ".pdf":
        raise InputError(
            _("--html writes a web page, but {path} is named .pdf; name it .html or leave out --html").format(path=out)
        )
    return paper, html


def write_sheet(
    resolved: Resolved,
    out: Path,
    paper: str,
    *,
    html: bool,
    clinic: Clinic | None,
    today: date,
    large_print: bool = False,
) -> tuple[str, ...]:
    """The discharge sheet written to `out`, atomically; what to warn of (a sheet longer than a page)."""
    from pumpcare.files import write_atomically

    data, pages = sheet_bytes(
        resolved.plan, resolved.inputs.patient_label, paper, html=html, clinic=clinic, today=today,
        large_print=large_print,
    )  # fmt: skip
    write_atomically(out, data)
    return pages_warning(pages)
