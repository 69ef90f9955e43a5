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
import threading
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from pumpcare.errors import OutputError
from pumpcare.render_pdf_info import document_info
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
_FONT, _BOLD, _OBLIQUE = "PumpcareSans", "PumpcareSans-Bold", "PumpcareSans-Oblique"
_FONT_FILES = {
    _FONT: "DejaVuSansCondensed.ttf",
    _BOLD: "DejaVuSansCondensed-Bold.ttf",
    _OBLIQUE: "DejaVuSansCondensed-Oblique.ttf",
}
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
    Paragraph = _paragraph_class()  # ReportLab's Paragraph, keeping its line breaks for the next sheet
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
                    ("FONT", (0, 0), (-1, -1), _FONT, body_size),  # a cell sets it even for a paragraph
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
                ("FONT", (0, 0), (-1, -1), _BOLD, body_size),
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
        initialFontName=_FONT,  # not ReportLab's Helvetica, which no sheet draws and no PDF would embed
        **document_info(sheet),
        invariant=1,  # no creation time or random id in the file: the same plan gives the same bytes
    )
    header = sheet.title + (f"  ·  {for_label()}: {sheet.patient_label}" if sheet.patient_label else "")

    def footer(canvas: Any) -> None:
        # In the bottom margin, like a printed page's footer: where the words come from takes no room from them.
        room = size[0] - 2 * margin
        points = min(8.0, 8.0 * room / max(canvas.stringWidth(sheet.footer, _OBLIQUE, 8), 1))
        canvas.setFont(_OBLIQUE, points)  # a clinic's long leaflet name gets smaller type, never a cut line
        canvas.drawString(margin, _MARGIN / 2, sheet.footer)

    def first_page(canvas: Any, doc: Any) -> None:
        footer(canvas)

    def later_page(canvas: Any, doc: Any) -> None:
        if one_page:
            raise SpillsOver
        # Should a long plan spill over, every later page still says whose plan it is.
        canvas.setFont(_OBLIQUE, 10)
        canvas.drawString(margin, size[1] - _MARGIN / 2, page_header(header, doc.page))
        footer(canvas)

    try:
        if _taller_than_page(story, document):
            if one_page:
                raise SpillsOver
            story = call_first
        document.build(story, onFirstPage=first_page, onLaterPages=later_page)
    except LayoutError:
        # Not expected within the rule file's limits (long cells are cut into rows, the time line into
        # drawings); should ReportLab still give up, the user gets a sentence, not a traceback.
        raise OutputError(
            "the sheet cannot be laid out: a line is too long for the page; shorten it, or use --html"
        ) from None
    return RenderedPdf(out.getvalue(), document.page)


def _taller_than_page(story: list[Any], document: Any) -> bool:
    """Whether the story cannot fit on the first page, found by measuring it as the page's frame would.

    Measuring is a small part of laying out (line breaks are remembered from sheet to sheet) and nothing is
    drawn. This follows ReportLab's Frame: each flowable below the last, the space before it less the space
    after the one above, until one no longer fits. A sheet it passes is still drawn with SpillsOver armed.
    """
    try:
        from reportlab.platypus.frames import _FUZZ, Frame

        frame = Frame(document.leftMargin, document.bottomMargin, document.width, document.height)
        width, room, overlap = frame._getAvailableWidth(), frame._aH, frame._oASpace
    except (ImportError, AttributeError):  # a ReportLab whose Frame differs: draw the page to find out
        return False
    above, at_top = 0.0, True
    for flowable in story:
        space = 0.0
        if not at_top:
            space = flowable.getSpaceBefore()
            if overlap:
                space = max(space - above, 0.0)
        if room - space <= 0:
            return True
        height = flowable.wrap(width, room - space)[1]
        if room - space - height < -_FUZZ:
            return True
        above = flowable.getSpaceAfter()
        left = room - space - height - above
        at_top = at_top and left == room
        room = left
    return False


def check_glyphs(sheet: Sheet) -> None:
    """Refuse a sheet with a letter the PDF cannot draw, naming the first one and where it is."""
    covered = _register_fonts()
    for text in _strings(sheet):
        if text not in _DRAWABLE:
            if _undrawable(text, covered) is not None:
                break
            _remember(_DRAWABLE, text, True)
    else:
        return
    # Only a sheet that fails is walked again to say where: naming every place costs more than checking it.
    for text, where, fix in _texts(sheet):
        problem = None if text in _DRAWABLE else _undrawable(text, covered)
        if problem is not None:
            raise OutputError(
                f"{problem} {where}; use --html for this sheet, or {fix} in Latin, Greek or Cyrillic letters"
            )


def _undrawable(text: str, covered: frozenset[int]) -> str | None:
    """What is wrong with the first letter of the text the PDF cannot draw; None when it can draw them all."""
    for char in text:
        if ord(char) in covered and unicodedata.bidirectional(char) not in ("R", "AL"):
            continue
        shown = f"'{char}'" if char.isprintable() else f"U+{ord(char):04X}"
        if ord(char) in covered:
            # ReportLab writes every line left to right: Hebrew or Arabic would come out reversed.
            return f"the PDF cannot write right-to-left letters such as {shown}"
        return f"the PDF font has no letter for {shown}"
    return None


# What stays the same from one patient's sheet to the next (a batch's sheets share their rule texts, headings and
# most of their lines) is worked out once per process: the texts known to be drawable, and each paragraph's line
# breaks at a width. Both are bounded, so a batch of any size keeps its memory flat: when full, they start over.
_CACHE_LIMIT = 4096
_SUBSETS_KEPT = 32  # a font's subset is tens of kilobytes; a batch's sheets use a handful of different ones
_DRAWABLE: dict[str, bool] = {}
_BREAKS: dict[tuple[str, str, float, float], tuple[Any, ...]] = {}
_PARSED: dict[tuple[str | None, str, float], tuple[Any, str]] = {}


def _remember(cache: dict[Any, Any], key: Any, value: Any, limit: int = _CACHE_LIMIT) -> None:
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value


@functools.cache
def _styles(body_size: int) -> tuple[Any, ...]:
    """The sheet's paragraph styles at a body size: body, bold, small, title, heading."""
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("body", fontName=_FONT, fontSize=body_size, leading=body_size + 2)
    bold = ParagraphStyle("bold", parent=body, fontName=_BOLD)
    small = ParagraphStyle("small", parent=body, fontName=_OBLIQUE)
    title = ParagraphStyle("title", parent=bold, fontSize=body_size + 4, leading=body_size + 7)
    heading = ParagraphStyle(
        "heading", parent=bold, fontSize=body_size + 1, leading=body_size + 3, spaceBefore=3, spaceAfter=0
    )
    return body, bold, small, title, heading


@functools.cache
def _paragraph_class() -> Any:
    """ReportLab's Paragraph, but a text already broken into lines at a width reuses those lines.

    Reading a paragraph's markup and breaking it into lines (which measures every word) are most of a sheet's
    layout time, and the same for every patient whose line reads the same. The pieces and lines are only read
    when drawn; a split (a paragraph too tall for the room left) breaks its own lines afresh.
    """
    from reportlab.platypus import Paragraph

    class Remembered(Paragraph):  # type: ignore[misc]
        def __init__(self, text: str | None, style: Any, **options: Any) -> None:
            # The halves of a split are made from the lines, not a text: they are never looked up.
            self.pumpcare_text = text if options.get("frags") is None else None
            key = (text, style.name, style.fontSize)
            parsed = _PARSED.get(key) if self.pumpcare_text is not None else None
            if parsed is None:
                super().__init__(text, style, **options)
                if self.pumpcare_text is not None:
                    _remember(_PARSED, key, (self.frags, self.text))
            else:
                super().__init__(parsed[1], style, frags=parsed[0], **options)

        def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
            if self.pumpcare_text is None:
                return super().wrap(availWidth, availHeight)  # type: ignore[no-any-return]
            key = (self.pumpcare_text, self.style.name, self.style.fontSize, availWidth)
            known = _BREAKS.get(key)
            if known is None:
                size = super().wrap(availWidth, availHeight)
                if size != (0, 0x7FFFFFFF):  # ReportLab's answer to no room at all: it broke no lines
                    _remember(_BREAKS, key, (self.blPara, self._wrapWidths, self.height))
                return size  # type: ignore[no-any-return]
            self.width = availWidth
            self.blPara: Any = known[0]
            self._wrapWidths: Any = known[1]
            self.height: float = known[2]
            return self.width, self.height

        def split(self, availWidth: float, availHeight: float) -> list[Any]:
            Paragraph.wrap(self, availWidth, availHeight)
            return super().split(availWidth, availHeight)  # type: ignore[no-any-return]

    return Remembered


def _texts(sheet: Sheet) -> Iterator[tuple[str, str, str]]:
    """Every text that goes onto the page: the text, where it is, and what to write in other letters."""
    rules = "write the rule file's texts"
    yield sheet.title, "in the title", "write the dates"
    if sheet.patient_label:
        yield sheet.patient_label, "in the patient label", "write the label"
    yield sheet.disclaimer, "in the note under the title", rules
    for section in sheet.sections:
        yield section.title, f"in the heading '{_quote(section.title)}'", rules
        for line in section.lines:
            for text in (line.when, line.what):
                yield text, f"in the line '{_quote(line.what)}' under '{section.title}'", rules
    if sheet.drug_warning:
        yield sheet.drug_warning, f"in the drug's warning under '{heading_call()}'", "write the drug's text"
    for item in sheet.call_when:
        for text in (item.when, item.what):
            yield text, f"in '{_quote(item.when)}' under '{heading_call()}'", rules
    for bar in sheet.bars:
        yield bar.label, f"in the time line label '{_quote(bar.label)}'", rules
    for name, number in sheet.phones:
        yield name, f"in the phone line '{_quote(name)}'", rules
        yield number, f"in the phone line '{_quote(name)}'", rules
    yield sheet.footer, "in the sources at the foot of the sheet", rules
    # Whatever else the sheet comes to carry is checked too, if with less to say about where it is.
    yield from ((text, "on the sheet", rules) for text in _strings(sheet))


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


@functools.cache
def _register_fonts() -> frozenset[int]:
    """Register the sheet's fonts with ReportLab once per process; the code points all three can draw."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(__file__).with_name("fonts")
    covered: frozenset[int] | None = None
    for name, file in _FONT_FILES.items():
        font = TTFont(name, str(folder / file))
        _keep_subsets(font)
        pdfmetrics.registerFont(font)
        # ReportLab writes a character beyond U+FFFF (emoji, rare CJK) with a broken text map, and control
        # or format characters (a bidirectional override) draw nothing anyone can read: refuse those.
        codes = frozenset(
            code
            for code in font.face.charToGlyph
            if code <= 0xFFFF and unicodedata.category(chr(code)) not in ("Cc", "Cf", "Zl", "Zp")
        )
        covered = codes if covered is None else covered & codes
    # <b> inside a paragraph looks up the bold face of the family; there is no bold oblique on the sheet.
    for bold, italic, name in ((0, 0, _FONT), (1, 0, _BOLD), (0, 1, _OBLIQUE), (1, 1, _BOLD)):
        addMapping(_FONT, bold, italic, name)
    assert covered is not None
    return covered


def _keep_subsets(font: Any) -> None:
    """Keep what embedding a font's subset makes across the sheets of a process, where ReportLab allows it.

    The hooks are ReportLab internals (checked on 4.x and 5.x); where a release lacks them, sheets are made as
    ReportLab makes them, the same bytes a little slower.
    """
    from reportlab.pdfbase import pdfdoc

    face = font.face
    if callable(getattr(face, "makeSubset", None)):
        face.makeSubset = _subsets(face.makeSubset)
    if all(hasattr(pdfdoc, name) for name in ("PDFStreamFilterZCompress", "PDFZCompress", "PDFArray")):
        font.addObjects = _embedded_once(font.addObjects)


def _subsets(make: Callable[[list[int]], bytes]) -> Callable[[list[int]], bytes]:
    """A font's subsetting, kept per set of letters: most sheets of a batch embed the same letters of a font."""
    made: dict[tuple[int, ...], bytes] = {}

    def subset(codes: list[int]) -> bytes:
        key = tuple(codes)
        data = made.get(key)
        if data is None:
            data = make(codes)
            _remember(made, key, data, limit=_SUBSETS_KEPT)
        return data

    return subset


def _embedded_once(add: Callable[..., Any]) -> Callable[..., Any]:
    """A font's embedding, with its streams compressed and its widths written once per set of letters.

    While ReportLab adds a font's objects to a sheet, the Flate filter it names is one that keeps what it
    compressed (the subset and its map to Unicode), and the arrays it makes (each letter's width, the bounding
    box) keep what they wrote: both are the same for every sheet that uses the same letters. Page contents are
    not touched: they are made before the fonts, with ReportLab's own filter.
    """
    from reportlab import rl_config
    from reportlab.pdfbase import pdfdoc

    class RememberedFlate(pdfdoc.PDFStreamFilterZCompress):  # type: ignore[misc]
        def __init__(self) -> None:
            self.made: dict[str | bytes, bytes] = {}

        def encode(self, text: str | bytes) -> bytes:
            data = self.made.get(text)
            if data is None:
                data = super().encode(text)
                _remember(self.made, text, data, limit=_SUBSETS_KEPT)
            return data

    written: dict[tuple[Any, ...], bytes] = {}

    class RememberedArray(pdfdoc.PDFArray):  # type: ignore[misc]
        def format(self, document: Any, IND: bytes = b"\n ") -> bytes:
            if not all(type(item) in (int, float) for item in self.sequence):
                return super().format(document, IND)  # type: ignore[no-any-return]
            # 500 and 500.0 are equal keys; their types keep them apart. A number's bytes need no document.
            key = (rl_config.pdfMultiLine, IND, tuple(map(type, self.sequence)), *self.sequence)
            data = written.get(key)
            if data is None:
                data = super().format(document, IND)
                _remember(written, key, data, limit=_SUBSETS_KEPT * 4)
            return data

    flate = RememberedFlate()

    def add_objects(*args: Any) -> Any:
        # One font at a time in the process: two threads swapping at once could each keep the other's swap as
        # the plain classes, and leave them in place for good. A thread drawing meanwhile gets the same bytes.
        with _SWAPPING:
            plain = pdfdoc.PDFZCompress, pdfdoc.PDFArray
            pdfdoc.PDFZCompress, pdfdoc.PDFArray = flate, RememberedArray
            try:
                return add(*args)
            finally:
                pdfdoc.PDFZCompress, pdfdoc.PDFArray = plain

    return add_objects


_SWAPPING = threading.Lock()


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
    drawing = Drawing(width, height, initialFontName=_FONT)  # ReportLab's would be Helvetica, never embedded
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
            drawing.add(String(x(tick.at), top + 4, tick.text, fontSize=font, fontName=_FONT, textAnchor="middle"))
    for index, bar in enumerate(rows):
        y = top - (index + 1) * row
        drawing.add(String(0, y + 3, bar.short, fontSize=font, fontName=_FONT))
        start, end = bar.solid
        drawing.add(Rect(x(start), y + 2, max(x(end) - x(start), 1), row - 6, fillColor=ink, strokeColor=None))
        if bar.window is not None:
            start, end = bar.window
            drawing.add(Rect(x(start), y + 2, x(end) - x(start), row - 6, fillColor=grey, strokeColor=None))
    if not last:
        return drawing
    y = top - count * row
    drawing.add(String(0, y + 3, laid_out.visits, fontSize=font, fontName=_FONT))
    if laid_out.follow_up is not None:
        cx, cy = x(laid_out.follow_up), y + row / 2
        drawing.add(Polygon([cx, cy + 5, cx + 5, cy, cx, cy - 5, cx - 5, cy], fillColor=ink, strokeColor=None))
    for refill in laid_out.refills:
        drawing.add(Circle(x(refill), y + row / 2, 3.5, fillColor=None, strokeColor=ink, strokeWidth=1.2))
    drawing.add(String(0, 0, laid_out.legend, fontSize=font, fontName=_FONT))
    return drawing


def _escape(text: str) -> str:
    # ReportLab paragraphs read a little XML; patient text must never be taken for markup.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
