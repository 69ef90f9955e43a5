"""The PDF sheet says what it is to a screen reader and a viewer, and carries every font it names.

Its catalog's /Lang picks a screen reader's voice; its title and subject show in the viewer and in a file search.
A font the PDF names but does not embed is drawn with whatever the reader's machine has in its place: every font
dictionary must point at an embedded font file. Read with pypdf, so no system tool (pdffonts) is needed.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pypdf
import pytest
from pypdf.generic import IndirectObject
from typer.testing import CliRunner

from pumpcare.cli import app

STANDARD = [
    "--surgery-date", "2026-12-01", "--follow-up", "2027-01-05",
    "--refill-every", "12w", "--first-refill", "2027-01-26",
]  # fmt: skip
TITLES = {
    "en": ("Your recovery plan: pump surgery on Tue 1 Dec 2026", "Recovery plan after intrathecal pump surgery"),
    "es": (
        "Su plan de recuperación: cirugía de la bomba el mar 1 de diciembre de 2026",
        "Plan de recuperación después de la cirugía de la bomba intratecal",
    ),
}


def handout(tmp_path: Path, *extra: str) -> pypdf.PdfReader:
    out = tmp_path / "sheet.pdf"
    result = CliRunner().invoke(app, ["handout", *STANDARD, "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return pypdf.PdfReader(out)


def unembedded_fonts(reader: pypdf.PdfReader) -> list[str]:
    """The base names of the fonts a PDF names, on any page or inside any form, that have no embedded font file."""
    missing: list[str] = []
    seen: set[int] = set()

    def resolve(value: Any) -> Any:
        return value.get_object() if isinstance(value, IndirectObject) else value

    def walk(resources: Any) -> None:
        resources = resolve(resources) or {}
        for font in (resolve(resources.get("/Font")) or {}).values():
            font = resolve(font)
            if id(font) in seen:
                continue
            seen.add(id(font))
            # A composite (Type0) font keeps its descriptor in its descendant font.
            described = resolve(font["/DescendantFonts"])[0].get_object() if "/DescendantFonts" in font else font
            descriptor = resolve(described.get("/FontDescriptor")) or {}
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.append(str(font.get("/BaseFont")))
        for xobject in (resolve(resources.get("/XObject")) or {}).values():
            xobject = resolve(xobject)
            if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
                walk(xobject["/Resources"])

    for page in reader.pages:
        walk(page.get("/Resources"))
    return missing


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("size", ["normal", "large"])
def test_the_pdf_says_its_language_title_and_subject(tmp_path: Path, lang: str, size: str) -> None:
    extra = ["--large-print"] if size == "large" else []
    reader = handout(tmp_path, "--date", "2026-12-03", "--lang", lang, *extra)
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == {"en": "en-US", "es": "es"}[lang]
    # A viewer shows the title in its window, not the file name.
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    metadata = reader.metadata
    assert metadata is not None
    assert (metadata.title, metadata.subject) == TITLES[lang]


@pytest.mark.parametrize(
    "extra",
    [
        ["--date", "2026-12-03", "--patient-label", "Bed 4"],
        ["--date", "2026-12-03", "--lang", "es", "--paper", "a4"],
        ["--date", "2026-11-25", "--large-print"],  # two pages: the later page's header too
    ],
    ids=["letter", "spanish-a4", "large-print-two-pages"],
)
def test_every_font_the_pdf_names_is_embedded(tmp_path: Path, extra: list[str]) -> None:
    reader = handout(tmp_path, *extra)
    assert unembedded_fonts(reader) == []


def test_the_font_check_finds_a_font_that_is_not_embedded() -> None:
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, invariant=1)
    canvas.setFont("Helvetica", 12)
    canvas.drawString(72, 72, "x")
    canvas.save()
    assert unembedded_fonts(pypdf.PdfReader(io.BytesIO(out.getvalue()))) == ["/Helvetica"]
