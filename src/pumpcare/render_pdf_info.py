"""What a PDF sheet says about itself: its language, title and subject, in the document's catalog and info.

A screen reader picks its voice from the catalog's /Lang, and a PDF viewer shows the title (not the file name)
in its window when DisplayDocTitle is set; both are ReportLab document options, set here so render_pdf.py only
passes them on.
"""

from __future__ import annotations

from typing import Any

from pumpcare.i18n import current
from pumpcare.sheet import Sheet
from pumpcare.wording_labels import sheet_subject

# BCP 47 tags for /Lang. The English sheet writes US paper sizes and the care team's US phrasing: en-US; Spanish
# is written for Spanish speakers wherever they are, so no region.
_LANGUAGE_TAGS = {"en": "en-US", "es": "es"}


def language_tag() -> str:
    """The language in use as the PDF's /Lang."""
    code = current().code
    return _LANGUAGE_TAGS.get(code, code)


def document_info(sheet: Sheet) -> dict[str, Any]:
    """ReportLab's document options for the sheet's language, title, subject and author, in the language in use."""
    return {
        "title": sheet.title,
        "subject": sheet_subject(),
        "author": "pumpcare",
        "lang": language_tag(),
        "displayDocTitle": True,
    }
