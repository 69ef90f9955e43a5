"""The discharge sheet as a one-page PDF, drawn with ReportLab.

ReportLab installs from PyPI alone (no system libraries), draws vector shapes for the time line, and its
standard fonts carry the dashes and bullets the sheet uses. Body text is 12 pt, for older eyes.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any, NamedTuple

from pumpcare.sheet import Sheet

PAPER = ("letter", "a4")
BODY_SIZE = 12
_MARGIN = 34  # points: about 12 mm, inside any printer's edge
_INK = "#222222"
_WINDOW = "#bbbbbb"


class RenderedPdf(NamedTuple):
    """The PDF's bytes, and how many pages they came to (one, unless a long plan overflows)."""

    data: bytes
    pages: int


def render_pdf(sheet: Sheet, *, paper: str = "letter") -> RenderedPdf:
    """The sheet as PDF bytes, the same bytes for the same sheet (no clock, no random ids)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    size = A4 if paper == "a4" else LETTER
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=BODY_SIZE, leading=BODY_SIZE + 2)
    bold = ParagraphStyle("bold", parent=body, fontName="Helvetica-Bold")
    small = ParagraphStyle("small", parent=body, fontName="Helvetica-Oblique")
    title = ParagraphStyle("title", parent=bold, fontSize=16, leading=19)
    heading = ParagraphStyle("heading", parent=bold, fontSize=13, leading=15, spaceBefore=3, spaceAfter=0)
    width = size[0] - 2 * _MARGIN

    story: list[Any] = [Paragraph(_escape(sheet.title), title)]
    if sheet.patient_label:
        story.append(Paragraph(f"For: {_escape(sheet.patient_label)}", bold))
    story.append(Paragraph(_escape(sheet.disclaimer), small))
    story.append(Spacer(1, 4))
    story.append(_chart(sheet, width))
    for section in sheet.sections:
        story.append(Paragraph(_escape(section.title), heading))
        rows = [[Paragraph(_escape(line.when), body), Paragraph(_escape(line.what), body)] for line in section.lines]
        table = Table(rows, colWidths=[width * 0.42, width * 0.58], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        story.append(table)
    story.append(Paragraph("When to call your care team", heading))
    story.extend(Paragraph(f"<b>{_escape(item.when)}.</b> {_escape(item.what)}", body) for item in sheet.call_when)
    story.append(Spacer(1, 6))
    # The clinic's numbers in one row, a name then a line to write on, to keep the sheet to one page.
    cells = [cell for name in sheet.phone_lines for cell in (f"{name}:", "")]
    share = width / len(sheet.phone_lines)
    phones = Table([cells], colWidths=[share * 0.42, share * 0.52] * len(sheet.phone_lines), rowHeights=BODY_SIZE + 10)
    line_style = [("LINEBELOW", (i, 0), (i, 0), 0.75, colors.HexColor(_INK)) for i in range(1, len(cells), 2)]
    phones.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica-Bold", BODY_SIZE),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                *line_style,
            ]
        )
    )
    story.append(phones)
    story.append(Spacer(1, 4))
    story.append(Paragraph(_escape(sheet.footer), ParagraphStyle("footer", parent=small, fontSize=9, leading=11)))

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=size,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN,
        title=sheet.title,
        author="pumpcare",
        invariant=1,  # no creation time or random id in the file: the same plan gives the same bytes
    )
    header = sheet.title + (f"  ·  For: {sheet.patient_label}" if sheet.patient_label else "")

    def later_page(canvas: Any, doc: Any) -> None:
        # Should a long plan spill over, every later page still says whose plan it is.
        canvas.setFont("Helvetica-Oblique", 10)
        canvas.drawString(_MARGIN, size[1] - _MARGIN / 2, f"{header}  ·  page {doc.page}")

    document.build(story, onLaterPages=later_page)
    return RenderedPdf(out.getvalue(), document.page)


def _chart(sheet: Sheet, width: float) -> Any:
    """The time line: a bar per period, solid while in force, grey where it may end; visits as marks."""
    from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, Rect, String
    from reportlab.lib import colors

    ink, grey = colors.HexColor(_INK), colors.HexColor(_WINDOW)
    label_width, row, font = 150.0, 13.0, 10
    rows = len(sheet.bars) + 1  # the bars, then the visits
    height = rows * row + 34
    drawing = Drawing(width, height)
    span = max((sheet.last - sheet.first).days, 1)
    left, right = label_width, width - 4

    def x(day: date) -> float:
        return left + (right - left) * min(max((day - sheet.first).days, 0), span) / span

    top = height - 14
    week, step = 0, label_step(sheet)
    while (tick := sheet.first.toordinal() + 7 * week) <= sheet.last.toordinal():
        at = x(date.fromordinal(tick))
        drawing.add(Line(at, top + 2, at, 14, strokeColor=colors.HexColor("#dddddd"), strokeWidth=0.5))
        if week % step == 0:
            drawing.add(
                String(
                    at,
                    top + 4,
                    "surgery" if week == 0 else f"{week} wk",
                    fontSize=font,
                    fontName="Helvetica",
                    textAnchor="middle",
                )
            )
        week += 1
    for index, bar in enumerate(sheet.bars):
        y = top - (index + 1) * row
        drawing.add(String(0, y + 3, fit_label(bar.label), fontSize=font, fontName="Helvetica"))
        solid_end = bar.window_start or sheet.last
        drawing.add(
            Rect(x(bar.start), y + 2, max(x(solid_end) - x(bar.start), 1), row - 6, fillColor=ink, strokeColor=None)
        )
        if bar.window_start is not None and bar.end is not None and bar.end > bar.window_start:
            drawing.add(
                Rect(
                    x(bar.window_start),
                    y + 2,
                    x(bar.end) - x(bar.window_start),
                    row - 6,
                    fillColor=grey,
                    strokeColor=None,
                )
            )
    y = top - rows * row
    drawing.add(String(0, y + 3, "Visits", fontSize=font, fontName="Helvetica"))
    if sheet.follow_up is not None:
        cx, cy = x(sheet.follow_up), y + row / 2
        drawing.add(Polygon([cx, cy + 5, cx + 5, cy, cx, cy - 5, cx - 5, cy], fillColor=ink, strokeColor=None))
    for refill in sheet.refills:
        if refill <= sheet.last:
            drawing.add(Circle(x(refill), y + row / 2, 3.5, fillColor=None, strokeColor=ink, strokeWidth=1.2))
    legend = "Black: in force.  Grey: may end (ask your care team).  Diamond: follow-up visit.  Circle: refill visit."
    drawing.add(String(0, 0, legend, fontSize=font, fontName="Helvetica"))
    return drawing


def label_step(sheet: Sheet) -> int:
    """Weeks between labels on the time line: every 2 weeks, or fewer labels when the span is long."""
    weeks = (sheet.last - sheet.first).days // 7
    step = 2
    while weeks // step > 8:
        step += 2
    return step


def fit_label(text: str, limit: int = 27) -> str:
    """A bar's label cut to its column, marked with an ellipsis where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escape(text: str) -> str:
    # ReportLab paragraphs read a little XML; patient text must never be taken for markup.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
