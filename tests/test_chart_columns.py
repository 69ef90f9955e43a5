"""The chart's bars line up with its week scale, column by column, in Unicode and in the ASCII fallback.

Run as a user runs it (`python -m pumpcare` with PYTHONIOENCODING), so what is measured is what the terminal gets
after the CLI writes each missing character as its look-alike.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

CHART = ["plan", "--surgery-date", "2026-12-01", "--follow-up", "2027-01-05", "--chart", "--date", "2026-12-20"]
TO_ASCII = str.maketrans({"█": "#", "░": ".", "│": "|", "◆": "F", "●": "R", "→": ">"})
SOLID = "█#"
WINDOW = "░."
# Label start, and the weeks on the scale where the bar's solid part ends and where its window ends.
BARS = {
    "en": [("Movement limits", 6, 8), ("No driving", 2, 4), ("Walk short distances", 2, 2)],
    "es": [("Límites de movimiento", 6, 8), ("No conducir", 2, 4), ("Camine distancias", 2, 2)],
}


def _chart(encoding: str, lang: str) -> list[str]:
    env = {
        **os.environ,
        "PYTHONIOENCODING": encoding,
        "COLUMNS": "80",
        "LINES": "50",
        "NO_COLOR": "1",
        "TERM": "dumb",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pumpcare", *CHART, "--lang", lang],
        env=env,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode(encoding).splitlines()


def _rows(lines: list[str]) -> list[str]:
    first = next(i for i, line in enumerate(lines) if re.search(r"\|\s+2[ws]", line))
    return lines[first : first + 7]


def _ticks(axis: str) -> dict[int, int]:
    """The column of each week on the scale: week 0 is the `|`, the others are where their mark starts."""
    ticks = {0: axis.index("|")}
    ticks.update({int(match.group(1)): match.start() for match in re.finditer(r"(\d+)[ws]", axis)})
    return ticks


@pytest.mark.parametrize("lang", ["en", "es"])
def test_ascii_chart_is_the_unicode_chart_column_by_column(lang: str) -> None:
    unicode_rows, ascii_rows = _rows(_chart("utf-8", lang)), _rows(_chart("ascii", lang))
    assert all(line.isascii() for line in ascii_rows)
    start = _ticks(unicode_rows[0])[0]
    assert _ticks(ascii_rows[0]) == _ticks(unicode_rows[0])
    for unicode_line, ascii_line in zip(unicode_rows, ascii_rows, strict=True):
        # The labels may differ (accents, "…" as "..."), never their width; every column after them is the same.
        assert len(ascii_line) == len(unicode_line), (unicode_line, ascii_line)
        assert ascii_line[start - 1 :] == unicode_line[start - 1 :].translate(TO_ASCII), (unicode_line, ascii_line)


@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_bars_start_and_end_on_the_week_scale(encoding: str, lang: str) -> None:
    rows = _rows(_chart(encoding, lang))
    ticks = _ticks(rows[0])
    bars = rows[1:]
    for line in bars[:-1]:
        if line.startswith(("Visit", "Visita")):
            break
        # Every bar starts on the surgery day, the scale's `|`, after one space.
        assert line[ticks[0] - 1] == " ", line
        assert line[ticks[0]] in SOLID, line
    for label, solid_until, window_until in BARS[lang]:
        line = next(row for row in bars if row.startswith(label) or row.startswith(label.replace("í", "i")))
        if solid_until == window_until:  # one end day, drawn inclusive: the last solid cell is on the tick
            assert line[ticks[solid_until]] in SOLID, line
            assert line[ticks[solid_until] + 1] not in SOLID + WINDOW, line
        else:  # in force up to the window, which runs from its first tick to its last, both included
            assert line[ticks[solid_until] - 1] in SOLID, line
            assert line[ticks[solid_until]] in WINDOW, line
            assert line[ticks[window_until]] in WINDOW, line
            assert line[ticks[window_until] + 1] not in WINDOW, line
