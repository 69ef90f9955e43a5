"""Text layout the terminal renderers share: bulleted lines with a hanging indent, drawn as segments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from pumpcare.wording import disclaimer, translation_note


class Bullets:
    """Lines that each start with a bullet; a long line wraps under its own text, not under the bullet."""

    def __init__(self, lines: Iterable[Text], bullet: str = "  • ") -> None:
        self.lines = list(lines)
        self.bullet = bullet

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        indent = cell_len(self.bullet)
        width = max(options.max_width - indent, 10)
        for text in self.lines:
            # Segments, not Text: rich would wrap a yielded Text again, at the full width.
            wrapped = [text] if cell_len(text.plain) <= width else list(text.wrap(console, width))
            for index, line in enumerate(wrapped):
                line.rstrip()
                yield Segment(self.bullet if index == 0 else " " * indent)
                # Text.render leaves out the line's own style (rich applies it one level up): put it back, or
                # "OVERDUE" in bold red reaches the terminal plain.
                yield from Segment.apply_style(line.render(console), console.get_style(line.style))
                yield Segment.line()


def disclaimers() -> list[Text]:
    """What pumpcare is not, and, in a language no clinician has reviewed, that the translation is not reviewed."""
    note = translation_note()
    return [Text(disclaimer(), style="italic"), *([Text(note, style="italic")] if note else [])]


class BoxTable:
    """A titled table drawn line by line, looking as rich's Table does (heavy head, light body).

    rich's Table measures every cell twice: for a batch of a thousand rows with warnings, printing the summary
    took longer than writing a fifth of the files. Only the last column wraps; the others keep their width.
    """

    def __init__(
        self,
        title: str,
        headers: tuple[str, ...],
        rows: Sequence[tuple[str, ...]],
        *,
        right: frozenset[int] = frozenset(),
    ) -> None:
        self.title = title
        self.headers = headers
        self.rows = rows
        self.right = right  # the columns set to the right, such as row numbers

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        columns = len(self.headers)
        natural = [
            max(cell_len(cell) for cell in (self.headers[i], *(row[i] for row in self.rows))) for i in range(columns)
        ]
        room = options.max_width - (3 * columns + 1) - sum(natural[:-1])
        if room < max(cell_len(self.headers[-1]), 10):
            yield from self._with_rich(console, options)  # too narrow to draw by hand as rich would: let rich
            return
        widths = [*natural[:-1], min(natural[-1], room)]
        # Segments, not Text: rich would measure and wrap each of a thousand lines again.
        yield Segment(self.title, Style(italic=True))
        yield Segment.line()
        yield Segment("┏" + "┳".join("━" * (w + 2) for w in widths) + "┓")
        yield Segment.line()
        yield Segment("┃")
        for index, header in enumerate(self.headers):
            yield Segment(" ")
            yield Segment(self._cell(header, widths[index], index), Style(bold=True))
            yield Segment(" ┃")
        yield Segment.line()
        yield Segment("┡" + "╇".join("━" * (w + 2) for w in widths) + "┩")
        yield Segment.line()
        # Many rows share their last cell (the same warning for most of a batch): each text is wrapped once.
        wraps: dict[str, list[str]] = {}
        for row in self.rows:
            last = row[-1]
            wrapped = wraps.get(last)
            if wrapped is None:
                if cell_len(last) <= widths[-1]:
                    wrapped = [last]
                else:
                    wrapped = [line.plain.rstrip() for line in Text(last).wrap(console, widths[-1])] or [""]
                wraps[last] = wrapped
            for number, piece in enumerate(wrapped):
                cells = [cell if number == 0 else "" for cell in row[:-1]] + [piece]
                parts = (f" {self._cell(cell, widths[i], i)} " for i, cell in enumerate(cells))
                yield Segment("│" + "│".join(parts) + "│")
                yield Segment.line()
        yield Segment("└" + "┴".join("─" * (w + 2) for w in widths) + "┘")
        yield Segment.line()

    def _cell(self, text: str, width: int, column: int) -> str:
        pad = " " * (width - cell_len(text))
        return pad + text if column in self.right else text + pad

    def _with_rich(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.table import Table

        table = Table(title=self.title, title_justify="left")
        for index, header in enumerate(self.headers):
            last = index == len(self.headers) - 1
            table.add_column(header, justify="right" if index in self.right else "left", no_wrap=not last)
        for row in self.rows:
            table.add_row(*row)
        yield table
