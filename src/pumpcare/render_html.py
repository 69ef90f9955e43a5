"""The discharge sheet as one self-contained HTML page, for clinics that print from a browser."""

from __future__ import annotations

from html import escape

from pumpcare.i18n import current
from pumpcare.sheet import Sheet
from pumpcare.sheet_chart import chart
from pumpcare.wording_labels import chart_description, chart_name, for_label, heading_call

_PAGE = {"letter": "letter", "a4": "A4"}


def render_html(sheet: Sheet, *, paper: str = "letter", body_size: int = 12) -> str:
    """The sheet as HTML with its styles and its time line (SVG) inline: nothing else to fetch."""
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{current().code}"><head><meta charset="utf-8">',
        f"<title>{escape(sheet.title)}</title>",
        "<style>",
        # With the pump alarm and the drug's warning on it, the standard sheet needs these margins and this line
        # height to print on one page from a browser, in English and Spanish (tests/test_sheet_browser.py).
        f"@page {{ size: {_PAGE.get(paper, 'letter')}; margin: 8mm; }}",
        f"body {{ font-family: Helvetica, Arial, sans-serif; font-size: {body_size}pt; line-height: 1.1; "
        "color: #222; }",
        "h1 { font-size: 16pt; margin: 0 0 2pt; } h2 { font-size: 13pt; margin: 5pt 0 1pt; } p { margin: 0 0 2pt; }",
        ".note { font-style: italic; margin: 0 0 4pt; } table { border-collapse: collapse; width: 100%; }",
        # A line's date is its row's header for a screen reader; on paper it looks like the other cells.
        "td, th { vertical-align: top; padding: 0 6pt 1pt 0; } .when { width: 42%; font-weight: normal; "
        "text-align: left; }",
        # The blank sits right after its label, not at the far side of the page: the table is as wide as it needs.
        "table.phone { width: auto; margin-top: 8pt; } .phone td { padding: 0 4pt 0 0; white-space: nowrap; }",
        ".phone td.line { border-bottom: 1px solid #222; width: 9em; } .phone td.gap { width: 1.5em; }",
        ".foot { font-size: 8pt; font-style: italic; margin-top: 6pt; }",
        "h2, table, p, .call { break-inside: avoid; } h2 { break-after: avoid; }",
        "svg text { font-size: 10pt; font-family: Helvetica, Arial, sans-serif; }",
        # Landmarks: a screen reader jumps to the plan (main) and to where its words come from (footer).
        "</style></head><body><main>",
        f"<h1>{escape(sheet.title)}</h1>",
    ]
    if sheet.patient_label:
        parts.append(f"<p><strong>{escape(for_label())}: {escape(sheet.patient_label)}</strong></p>")
    parts.append(f'<p class="note">{escape(sheet.disclaimer)}</p>')
    parts.append(_chart(sheet))
    for section in sheet.sections:
        if section.across:
            parts.append(f"<h2>{escape(section.title)}</h2>")
            parts.extend(f"<p><strong>{escape(line.when)}:</strong> {escape(line.what)}</p>" for line in section.lines)
            continue
        parts.append(f"<h2>{escape(section.title)}</h2><table>")
        parts.extend(
            f'<tr><th scope="row" class="when">{escape(line.when)}</th><td>{escape(line.what)}</td></tr>'
            for line in section.lines
        )
        parts.append("</table>")
    # When to call and the numbers are one block a browser keeps on one page.
    parts.append(f'<div class="call"><h2>{escape(heading_call())}</h2>')
    if sheet.drug_warning:
        parts.append(f"<p>{escape(sheet.drug_warning)}</p>")
    parts.extend(f"<p><strong>{escape(item.when)}.</strong> {escape(item.what)}</p>" for item in sheet.call_when)
    if sheet.clinic:
        parts.append(f"<p><strong>{escape(sheet.clinic)}</strong></p>")
    # One row, as on the PDF: each label with its number, or a line to write on right beside it.
    cells = [
        f'<td class="label"><strong>{escape(name)}:</strong></td>'
        + (f"<td>{escape(number)}</td>" if number else '<td class="line"></td>')
        for name, number in sheet.phones
    ]
    # A row only for print: to a screen reader, each label and its number are read in turn, not as a grid.
    row = '<td class="gap"></td>'.join(cells)
    parts.append(f'<table class="phone" role="presentation"><tr>{row}</tr></table></div></main>')
    parts.append(f'<footer><p class="foot">{escape(sheet.footer)}</p></footer></body></html>')
    return "\n".join(parts) + "\n"


def _chart(sheet: Sheet) -> str:
    """The laid-out time line (sheet_chart.py) drawn as inline SVG; a cut label keeps its whole text as a title."""
    laid_out = chart(sheet)
    width, label, row = 720, 190, 18
    height = (len(laid_out.rows) + 1) * row + 44

    def x(at: float) -> float:
        return round(label + (width - label - 4) * at, 1)

    shapes = []
    for tick in laid_out.ticks:
        shapes.append(f'<line x1="{x(tick.at)}" y1="16" x2="{x(tick.at)}" y2="{height - 24}" stroke="#ddd"/>')
        if tick.text is not None:
            shapes.append(f'<text x="{x(tick.at)}" y="12" text-anchor="middle">{escape(tick.text)}</text>')
    for index, bar in enumerate(laid_out.rows):
        y = 20 + index * row
        shapes.append(f'<text x="0" y="{y + 12}"><title>{escape(bar.label)}</title>{escape(bar.short)}</text>')
        start, end = bar.solid
        solid = max(x(end) - x(start), 1)
        shapes.append(f'<rect x="{x(start)}" y="{y + 3}" width="{solid}" height="{row - 7}" fill="#222"/>')
        if bar.window is not None:
            start, end = bar.window
            shapes.append(
                f'<rect x="{x(start)}" y="{y + 3}" width="{x(end) - x(start)}" height="{row - 7}" fill="#bbb"/>'
            )
    y = 20 + len(laid_out.rows) * row
    shapes.append(f'<text x="0" y="{y + 12}">{escape(laid_out.visits)}</text>')
    if laid_out.follow_up is not None:
        cx, cy = x(laid_out.follow_up), y + row / 2
        shapes.append(f'<polygon points="{cx},{cy - 6} {cx + 6},{cy} {cx},{cy + 6} {cx - 6},{cy}" fill="#222"/>')
    shapes.extend(
        f'<circle cx="{x(at)}" cy="{y + row / 2}" r="4" fill="none" stroke="#222" stroke-width="1.5"/>'
        for at in laid_out.refills
    )
    shapes.append(f'<text x="0" y="{height - 6}">{escape(laid_out.legend)}</text>')
    return (
        # Named and described for a screen reader, which reads the drawing as one image; its dates are in the lists.
        '<svg role="img" aria-labelledby="chart-name" aria-describedby="chart-description" '
        f'viewBox="0 0 {width} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-name">{escape(chart_name())}</title>'
        f'<desc id="chart-description">{escape(chart_description())}</desc>' + "".join(shapes) + "</svg>"
    )
