"""What a character an output encoding lacks is written as: the CLI's error handler writes it, the chart measures it.

A look-alike can be longer than its character ("…" is "..."), so a renderer that lines text up in columns asks
for the plain text first and measures that.
"""

from __future__ import annotations

_PLAIN = {
    "–": "-", "—": "-", "‒": "-", "−": "-", "•": "*", "·": "-", "»": ">>", "«": "<<", "…": "...", "─": "-",
    "│": "|", "█": "#", "░": ".", "◆": "F", "●": "R", "→": "->", "‘": "'", "’": "'", "“": '"', "”": '"',
    "\u00a0": " ",
}  # fmt: skip


def plain(text: str) -> str:
    """`text` in ASCII: a letter loses its accent ("Zoë" reads "Zoe"), a symbol takes its look-alike, or "?"."""
    if text.isascii():
        return text
    import unicodedata

    def one(char: str) -> str:
        if char.isascii():
            return char
        bare = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
        return _PLAIN.get(char) or bare or "?"

    return "".join(one(char) for char in text)
