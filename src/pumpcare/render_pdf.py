"""The discharge sheet as a one-page PDF, drawn with ReportLab.

ReportLab installs from PyPI alone (no system libraries) and draws vector shapes for the time line. Its
standard fonts only know Latin-1 and print any other letter as a black square, so the sheet embeds DejaVu
Sans Condensed (shipped in pumpcare/fonts): Latin, Greek and Cyrillic, dashes and bullets. The condensed cut
sets a line about as wide as Helvetica did; plain DejaVu Sans is 14% wider and pushed the standard plan onto
a second page. Body text is 12 pt, for older eyes.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from collections.abc import Iterator
from typing import Any, NamedTuple

from pumpcare.errors import OutputError
from pumpcare.i18n import gettext as _
from pumpcare.render_pdf_info import document_info
from pumpcare.reportlab_hooks import BOLD, FONT, OBLIQUE, paragraph_class, register_fonts, remember, taller_than_page
from pumpcare.sheet import Sheet
from pumpcare.sheet_chart import ChartRow, chart
from pumpcare.wording_labels import for_label, heading_call, page_header

PAPER = ("letter", "a4")
BODY_SIZE = 12
LARGE_PRINT = 14  # points: --large-print, for readers who need it
_MARGIN = 34  # points: about 12 mm, inside any printer's edge
# Large print, and the point-smaller try of a sheet too long at 12 pt, take a little of the margin at the top
# and sides (as the HTML's large print does): about 8 mm, still inside a printer's edge. The bottom keeps
# _MARGIN, for the footer drawn in it.
_NARROW_MARGIN = 22
_INK = "#222222"
_WINDOW = "#bbbbbb"
# A table row cannot break across pages: a cell taller than this is cut into rows of at most this height,
# so no text the rule file allows can be taller than a page.
_MAX_ROW_HEIGHT = 200.0
# The time line is cut into drawings of this many bars: a drawing cannot break across pages either.
_BARS_PER_DRAWING = 40


class RenderedPdf(NamedTuple):
    """The PDF's bytes, and how many pages they came to (one, unless a long plan overflows)."""

    data: bytes
    pages: int


class SpillsOver(Exception):
    """Raised by render_pdf(one_page=True) as soon as the sheet starts a second page."""


def render_pdf(
    sheet: Sheet, *, paper: str = "letter", body_size: int = BODY_SIZE, one_page: bool = False
) -> RenderedPdf:
    """The sheet as PDF bytes, the same bytes for the same sheet (no clock, no random ids).

    With `one_page`, a sheet that would run onto a second page stops there and raises SpillsOver: a caller
    that will try a smaller size anyway need not lay out and write the rest.
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, LETTER
    from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle
    from reportlab.platypus.doctemplate import LayoutError

    check_glyphs(sheet)
    size = A4 if paper == "a4" else LETTER
    body, bold, small, title, heading = _styles(body_size)
    Paragraph = paragraph_class()  # ReportLab's Paragraph, keeping its line breaks for the next sheet
    margin = _MARGIN if body_size == BODY_SIZE else _NARROW_MARGIN
    width = size[0] - 2 * margin

    story: list[Any] = [Paragraph(_escape(sheet.title), title)]
    if sheet.patient_label:
        story.append(Paragraph(f"{for_label()}: {_escape(sheet.patient_label)}", bold))
    story.append(Paragraph(_escape(sheet.disclaimer), small))
    # Room between the disclaimer and the time line's week labels; large print has less room to give.
    story.append(Spacer(1, 8 if body_size <= BODY_SIZE else 4))
    story.extend(_chart(sheet, width))
    head = len(story)
    # 43%: the widest "when" of the standard plan, "Until 9–23 Feb 2027 (ask your care team)", fits one line.
    columns = [width * 0.43, width * 0.57]
    for section in sheet.sections:
        story.append(Paragraph(_escape(section.title), heading))
        if section.across:
            story.extend(
                Paragraph(f"<b>{_escape(line.when)}:</b> {_escape(line.what)}", body) for line in section.lines
            )
            continue
        rows = [
            row
            for line in section.lines
            for row in _rows([Paragraph(_escape(line.when), body), Paragraph(_escape(line.what), body)], columns)
        ]
        table = Table(rows, colWidths=columns, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), FONT, body_size),  # a cell sets it even for a paragraph
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        story.append(table)
    checklists = len(story)
    story.append(Paragraph(_escape(heading_call()), heading))
    if sheet.drug_warning:
        story.append(Paragraph(_escape(sheet.drug_warning), body))
    story.extend(Paragraph(f"<b>{_escape(item.when)}.</b> {_escape(item.what)}", body) for item in sheet.call_when)
    story.append(Spacer(1, 6))
    if sheet.clinic:
        story.append(Paragraph(f"<b>{_escape(sheet.clinic)}</b>", body))
    # The numbers in one row, each with what it is for; a clinic without a profile gets lines to write on.
    cells = [cell for name, number in sheet.phones for cell in (f"{name}:", number)]
    share = width / len(sheet.phones)
    blanks = [i for i in range(1, len(cells), 2) if not cells[i]]
    # A line to write a number on needs room above it for the hand; printed numbers do not.
    height = body_size + (10 if blanks else 4)
    phones = Table([cells], colWidths=[share * 0.42, share * 0.52] * len(sheet.phones), rowHeights=height)
    line_style = [("LINEBELOW", (i, 0), (i, 0), 0.75, colors.HexColor(_INK)) for i in blanks]
    phones.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), BOLD, body_size),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                *line_style,
            ]
        )
    )
    story.append(phones)
    # A sheet longer than a page puts when to call and the numbers, kept together, right under the time line:
    # the checklists run on to page 2, never the numbers alone.
    call_first = [*story[:head], KeepTogether(story[checklists:]), Spacer(1, 4), *story[head:checklists]]

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=size,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=_MARGIN,
        initialFontName=FONT,  # not ReportLab's Helvetica, which no sheet draws and no PDF would embed
        **document_info(sheet),
        invariant=1,  # no creation time or random id in the file: the same plan gives the same bytes
    )
    header = sheet.title + (f"  ·  {for_label()}: {sheet.patient_label}" if sheet.patient_label else "")

    def footer(canvas: Any) -> None:
        # In the bottom margin, like a printed page's footer: where the words come from takes no room from them.
        room = size[0] - 2 * margin
        points = min(8.0, 8.0 * room / max(canvas.stringWidth(sheet.footer, OBLIQUE, 8), 1))
        canvas.setFont(OBLIQUE, points)  # a clinic's long leaflet name gets smaller type, never a cut line
        canvas.drawString(margin, _MARGIN / 2, sheet.footer)

    def first_page(canvas: Any, doc: Any) -> None:
        footer(canvas)

    def later_page(canvas: Any, doc: Any) -> None:
        if one_page:
            raise SpillsOver
        # Should a long plan spill over, every later page still says whose plan it is.
        canvas.setFont(OBLIQUE, 10)
        canvas.drawString(margin, size[1] - _MARGIN / 2, page_header(header, doc.page))
        footer(canvas)

    try:
        if taller_than_page(story, document):
            if one_page:
                raise SpillsOver
            story = call_first
        document.build(story, onFirstPage=first_page, onLaterPages=later_page)
    except LayoutError:
        # Not expected within the rule file's limits (long cells are cut into rows, the time line into
        # drawings); should ReportLab still give up, the user gets a sentence, not a traceback.
        raise OutputError(
            _("the sheet cannot be laid out: a line is too long for the page; shorten it, or use --html")
        ) from None
    return RenderedPdf(out.getvalue(), document.page)


def check_glyphs(sheet: Sheet) -> None:
    """Refuse a sheet with a letter the PDF cannot draw, naming the first one and where it is."""
    covered = register_fonts()
    for text in _strings(sheet):
        if text not in _DRAWABLE:
            if _undrawable(text, covered) is not None:
                break
            remember(_DRAWABLE, text, True)
    else:
        return
    # Only a sheet that fails is walked again to say where: naming every place costs more than checking it.
    for text, where, fix in _texts(sheet):
        problem = None if text in _DRAWABLE else _undrawable(text, covered)
        if problem is not None:
            raise OutputError(
                # Translators: {problem} is the letter the PDF cannot draw ("the PDF font has no letter for 'x'"),
                # {where} where it is on the sheet ("in the title"), {fix} what to write again ("write the dates").
                _("{problem} {where}; use --html for this sheet, or {fix} in Latin, Greek or Cyrillic letters").format(
                    problem=problem, where=where, fix=fix
                )
            )


def _undrawable(text: str, covered: frozenset[int]) -> str | None:
    """What is wrong with the first letter of the text the PDF cannot draw; None when it can draw them all."""
    for char in text:
        if ord(char) in covered and unicodedata.bidirectional(char) not in ("R", "AL"):
            continue
        shown = f"'{char}'" if char.isprintable() else f"U+{ord(char):04X}"
        if ord(char) in covered:
            # ReportLab writes every line left to right: Hebrew or Arabic would come out reversed.
            return _("the PDF cannot write right-to-left letters such as {letter}").format(letter=shown)
        return _("the PDF font has no letter for {letter}").format(letter=shown)
    return None


# The texts known to be drawable: most of a batch's sheets share their texts, so each is checked once per process,
# in a cache bounded like reportlab_hooks' own.
_DRAWABLE: dict[str, bool] = {}


@functools.cache
def _styles(body_size: int) -> tuple[Any, ...]:
    """The sheet's paragraph styles at a body size: body, bold, small, title, heading."""
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("body", fontName=FONT, fontSize=body_size, leading=body_size + 2)
    bold = ParagraphStyle("bold", parent=body, fontName=BOLD)
    small = ParagraphStyle("small", parent=body, fontName=OBLIQUE)
    title = ParagraphStyle("title", parent=bold, fontSize=body_size + 4, leading=body_size + 7)
    heading = ParagraphStyle(
        "heading", parent=bold, fontSize=body_size + 1, leading=body_size + 3, spaceBefore=3, spaceAfter=0
    )
    return body, bold, small, title, heading


def _texts(sheet: Sheet) -> Iterator[tuple[str, str, str]]:
    """Every text that goes onto the page: the text, where it is, and what to write in other letters."""
    # Each place and each fix fills a sentence of check_glyphs': a phrase, in the language in use.
    rules = _("write the rule file's texts")
    yield sheet.title, _("in the title"), _("write the dates")
    if sheet.patient_label:
        yield sheet.patient_label, _("in the patient label"), _("write the label")
    yield sheet.disclaimer, _("in the note under the title"), rules
    for section in sheet.sections:
        yield section.title, _("in the heading '{heading}'").format(heading=_quote(section.title)), rules
        for line in section.lines:
            where = _("in the line '{line}' under '{heading}'").format(line=_quote(line.what), heading=section.title)
            for text in (line.when, line.what):
                yield text, where, rules
    if sheet.drug_warning:
        where = _("in the drug's warning under '{heading}'").format(heading=heading_call())
        yield sheet.drug_warning, where, _("write the drug's text")
    for item in sheet.call_when:
        # Translators: {when} is the start of a line of the sheet's "when to call" list, {heading} that list's heading.
        where = _("in '{when}' under '{heading}'").format(when=_quote(item.when), heading=heading_call())
        for text in (item.when, item.what):
            yield text, where, rules
    for bar in sheet.bars:
        yield bar.label, _("in the time line label '{label}'").format(label=_quote(bar.label)), rules
    for name, number in sheet.phones:
        where = _("in the phone line '{name}'").format(name=_quote(name))
        yield name, where, rules
        yield number, where, rules
    yield sheet.footer, _("in the sources at the foot of the sheet"), rules
    # Whatever else the sheet comes to carry is checked too, if with less to say about where it is.
    yield from ((text, _("on the sheet"), rules) for text in _strings(sheet))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (tuple, list)):  # a Sheet built through the API may hold lists
        for item in value:
            yield from _strings(item)


def _quote(text: str, limit: int = 40) -> str:
    # Enough of a line to find it in the rule file, with the unprintable shown as code points.
    shown = "".join(char if char.isprintable() else f"U+{ord(char):04X}" for char in text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _rows(cells: list[Any], widths: list[float]) -> list[list[Any]]:
    """A table row, cut into several where a cell is too tall to fit a page (a row cannot break)."""
    columns = [_pieces(cell, width) for cell, width in zip(cells, widths, strict=True)]
    count = max(len(pieces) for pieces in columns)
    return [[pieces[index] if index < len(pieces) else "" for pieces in columns] for index in range(count)]


def _pieces(paragraph: Any, width: float) -> list[Any]:
    pieces = []
    rest = paragraph
    while rest.wrap(width, _MAX_ROW_HEIGHT)[1] > _MAX_ROW_HEIGHT:
        parts = rest.split(width, _MAX_ROW_HEIGHT)
        if len(parts) < 2:
            break
        pieces.append(parts[0])
        rest = parts[1]
    pieces.append(rest)
    return pieces


def _chart(sheet: Sheet, width: float) -> list[Any]:
    """The time line, as drawings of at most _BARS_PER_DRAWING bars: the first has the weeks, the last the visits."""
    rows = chart(sheet).rows
    chunks = [rows[start : start + _BARS_PER_DRAWING] for start in range(0, len(rows), _BARS_PER_DRAWING)]
    chunks = chunks or [()]
    return [
        _chart_part(sheet, width, chunk, first=index == 0, last=index == len(chunks) - 1)
        for index, chunk in enumerate(chunks)
    ]


def _chart_part(sheet: Sheet, width: float, rows: tuple[ChartRow, ...], *, first: bool, last: bool) -> Any:
    """The laid-out time line (sheet_chart.py) drawn: bars, week lines, the visits and the legend."""
    from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, Rect, String
    from reportlab.lib import colors

    laid_out = chart(sheet)
    ink, grey = colors.HexColor(_INK), colors.HexColor(_WINDOW)
    label_width, row, font = 150.0, 13.0, 10
    count = len(rows) + (1 if last else 0)  # the bars, then the visits
    head, foot = (14 if first else 0), (20 if last else 0)
    height = count * row + head + foot
    drawing = Drawing(width, height, initialFontName=FONT)  # ReportLab's would be Helvetica, never embedded
    left, right = label_width, width - 4

    def x(at: float) -> float:
        return left + (right - left) * at

    top = height - head
    for tick in laid_out.ticks:
        bottom = 14 if last else 0
        drawing.add(
            Line(
                x(tick.at),
                top + (2 if first else 0),
                x(tick.at),
                bottom,
                strokeColor=colors.HexColor("#dddddd"),
                strokeWidth=0.5,
            )
        )
        if first and tick.text is not None:
            drawing.add(String(x(tick.at), top + 4, tick.text, fontSize=font, fontName=FONT, textAnchor="middle"))
    for index, bar in enumerate(rows):
        y = top - (index + 1) * row
        drawing.add(String(0, y + 3, bar.short, fontSize=font, fontName=FONT))
        start, end = bar.solid
        drawing.add(Rect(x(start), y + 2, max(x(end) - x(start), 1), row - 6, fillColor=ink, strokeColor=None))
        if bar.window is not None:
            start, end = bar.window
            drawing.add(Rect(x(start), y + 2, x(end) - x(start), row - 6, fillColor=grey, strokeColor=None))
    if not last:
        return drawing
    y = top - count * row
    drawing.add(String(0, y + 3, laid_out.visits, fontSize=font, fontName=FONT))
    if laid_out.follow_up is not None:
        cx, cy = x(laid_out.follow_up), y + row / 2
        drawing.add(Polygon([cx, cy + 5, cx + 5, cy, cx, cy - 5, cx - 5, cy], fillColor=ink, strokeColor=None))
    for refill in laid_out.refills:
        drawing.add(Circle(x(refill), y + row / 2, 3.5, fillColor=None, strokeColor=ink, strokeWidth=1.2))
    drawing.add(String(0, 0, laid_out.legend, fontSize=font, fontName=FONT))
    return drawing


def _escape(text: str) -> str:
    # ReportLab paragraphs read a little XML; patient text must never be taken for markup.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
