"""ReportLab's hooks and patches for the sheet: its fonts, and what is kept from one sheet to the next.

Nothing here decides what a sheet says or where it goes (render_pdf.py draws it); this is how pumpcare uses
ReportLab's internals to draw many sheets fast: the fonts registered once, paragraphs whose line breaks are
remembered, a font's subset and widths embedded once per set of letters, and a measure of whether a story fits on
the first page. Each hook leaves the bytes as ReportLab would make them; where a release lacks an internal, it
steps aside.
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

FONT, BOLD, OBLIQUE = "PumpcareSans", "PumpcareSans-Bold", "PumpcareSans-Oblique"
_FONT_FILES = {
    FONT: "DejaVuSansCondensed.ttf",
    BOLD: "DejaVuSansCondensed-Bold.ttf",
    OBLIQUE: "DejaVuSansCondensed-Oblique.ttf",
}

# What stays the same from one patient's sheet to the next (a batch's sheets share their rule texts, headings and
# most of their lines) is worked out once per process: each paragraph's line breaks at a width, a font's subsets
# (and, in render_pdf.py, the texts known to be drawable). All are bounded, so a batch of any size keeps its memory
# flat: when full, they start over.
CACHE_LIMIT = 4096
_SUBSETS_KEPT = 32  # a font's subset is tens of kilobytes; a batch's sheets use a handful of different ones
_BREAKS: dict[tuple[str, str, float, float], tuple[Any, ...]] = {}
_PARSED: dict[tuple[str | None, str, float], tuple[Any, str]] = {}


def remember(cache: dict[Any, Any], key: Any, value: Any, limit: int = CACHE_LIMIT) -> None:
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value


def taller_than_page(story: list[Any], document: Any) -> bool:
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


@functools.cache
def paragraph_class() -> Any:
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
                    remember(_PARSED, key, (self.frags, self.text))
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
                    remember(_BREAKS, key, (self.blPara, self._wrapWidths, self.height))
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


@functools.cache
def register_fonts() -> frozenset[int]:
    """Register the sheet's fonts with ReportLab once per process; the code points all three can draw."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(__file__).with_name("fonts")
    covered: frozenset[int] | None = None
    for name, file in _FONT_FILES.items():
        font = TTFont(name, str(folder / file))
        keep_subsets(font)
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
    for bold, italic, name in ((0, 0, FONT), (1, 0, BOLD), (0, 1, OBLIQUE), (1, 1, BOLD)):
        addMapping(FONT, bold, italic, name)
    assert covered is not None
    return covered


def keep_subsets(font: Any) -> None:
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
            remember(made, key, data, limit=_SUBSETS_KEPT)
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
                remember(self.made, text, data, limit=_SUBSETS_KEPT)
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
                remember(written, key, data, limit=_SUBSETS_KEPT * 4)
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
