"""Text layout the terminal renderers share: bulleted lines with a hanging indent, drawn as segments."""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
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
                yield from line.render(console)
                yield Segment.line()


def disclaimers() -> list[Text]:
    """What pumpcare is not, and, in a language no clinician has reviewed, that the translation is not reviewed."""
    note = translation_note()
    return [Text(disclaimer(), style="italic"), *([Text(note, style="italic")] if note else [])]
