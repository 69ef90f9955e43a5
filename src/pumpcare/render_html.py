"""The discharge sheet as one self-contained HTML page, for clinics that print from a browser."""

from __future__ import annotations

from datetime import date
from html import escape

from pumpcare.render_pdf import fit_label, label_step
from pumpcare.sheet import Sheet

_PAGE = {"letter": "letter", "a4": "A4"}


def render_html(sheet: Sheet, *, paper: str = "letter") -> str:
    """The sheet as HTML with its styles and its time line (SVG) inline: nothing else to fetch."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(sheet.title)}</title>",
        "<style>",
        f"@page {{ size: {_PAGE.get(paper, 'letter')}; margin: 14mm; }}",
        "body { font-family: Helvetica, Arial, sans-serif; font-size: 12pt; line-height: 1.25; color: #222; }",
        "h1 { font-size: 16pt; margin: 0 0 2pt; } h2 { font-size: 13pt; margin: 8pt 0 2pt; }",
        ".note { font-style: italic; margin: 0 0 4pt; } table { border-collapse: collapse; width: 100%; }",
        "td { vertical-align: top; padding: 0 6pt 2pt 0; } td.when { width: 42%; }",
        ".phone td { padding-top: 10pt; } .phone td.line { border-bottom: 1px solid #222; width: 20%; }",
        "svg text { font-size: 10pt; font-family: Helvetica, Arial, sans-serif; }",
        "</style></head><body>",
        f"<h1>{escape(sheet.title)}</h1>",
    ]
    if sheet.patient_label:
        parts.append(f"<p><strong>For: {escape(sheet.patient_label)}</strong></p>")
    parts.append(f'<p class="note">{escape(sheet.disclaimer)}</p>')
    parts.append(_chart(sheet))
    for section in sheet.sections:
        parts.append(f"<h2>{escape(section.title)}</h2><table>")
        parts.extend(
            f'<tr><td class="when">{escape(line.when)}</td><td>{escape(line.what)}</td></tr>' for line in section.lines
        )
        parts.append("</table>")
    parts.append("<h2>When to call your care team</h2>")
    parts.extend(f"<p><strong>{escape(item.when)}.</strong> {escape(item.what)}</p>" for item in sheet.call_when)
    parts.append('<table class="phone">')
    parts.extend(
        f'<tr><td><strong>{escape(name)}:</strong></td><td class="line"></td></tr>' for name in sheet.phone_lines
    )
    parts.append("</table>")
    parts.append(f'<p class="note">{escape(sheet.footer)}</p></body></html>')
    return "\n".join(parts) + "\n"


def _chart(sheet: Sheet) -> str:
    width, label, row = 720, 190, 18
    height = (len(sheet.bars) + 1) * row + 44
    span = max((sheet.last - sheet.first).days, 1)

    def x(day: date) -> float:
        return round(label + (width - label - 4) * min(max((day - sheet.first).days, 0), span) / span, 1)

    shapes = []
    week, step = 0, label_step(sheet)
    while (tick := sheet.first.toordinal() + 7 * week) <= sheet.last.toordinal():
        at = x(date.fromordinal(tick))
        shapes.append(f'<line x1="{at}" y1="16" x2="{at}" y2="{height - 24}" stroke="#ddd"/>')
        if week % step == 0:
            text = "surgery" if week == 0 else f"{week} wk"
            shapes.append(f'<text x="{at}" y="12" text-anchor="middle">{text}</text>')
        week += 1
    for index, bar in enumerate(sheet.bars):
        y = 20 + index * row
        shapes.append(
            f'<text x="0" y="{y + 12}"><title>{escape(bar.label)}</title>{escape(fit_label(bar.label, 30))}</text>'
        )
        solid_end = x(bar.window_start or sheet.last)
        solid = max(solid_end - x(bar.start), 1)
        shapes.append(f'<rect x="{x(bar.start)}" y="{y + 3}" width="{solid}" height="{row - 7}" fill="#222"/>')
        if bar.window_start is not None and bar.end is not None and bar.end > bar.window_start:
            shapes.append(
                f'<rect x="{solid_end}" y="{y + 3}" width="{x(bar.end) - solid_end}" height="{row - 7}" fill="#bbb"/>'
            )
    y = 20 + len(sheet.bars) * row
    shapes.append(f'<text x="0" y="{y + 12}">Visits</text>')
    if sheet.follow_up is not None:
        cx, cy = x(sheet.follow_up), y + row / 2
        shapes.append(f'<polygon points="{cx},{cy - 6} {cx + 6},{cy} {cx},{cy + 6} {cx - 6},{cy}" fill="#222"/>')
    shapes.extend(
        f'<circle cx="{x(day)}" cy="{y + row / 2}" r="4" fill="none" stroke="#222" stroke-width="1.5"/>'
        for day in sheet.refills
        if day <= sheet.last
    )
    legend = "Black: in force. Grey: may end (ask your care team). Diamond: follow-up visit. Circle: refill visit."
    shapes.append(f'<text x="0" y="{height - 6}">{legend}</text>')
    return (
        f'<svg role="img" aria-label="Time line of the recovery plan" viewBox="0 0 {width} {height}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg">' + "".join(shapes) + "</svg>"
    )
