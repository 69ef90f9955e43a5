"""Rewrite the README's samples from what the commands print now; then read `git diff README.md`.

tests/test_readme.py checks every sample the same way: a sample passes when regenerating it changes nothing.

How a sample is written in README.md:

- A sample is a fenced block whose first line starts with `$ pumpcare`. Each `$ ` line is one command; the lines
  after it, up to the next `$ ` line, are what a terminal shows (stdout and stderr as they interleave). A
  command ending in `> /dev/null` shows its stderr only.
- The commands run through Typer's CliRunner, 80 columns wide, without colour, with the clock fixed on TODAY
  (below; the README says so). Each `##` section of the README has one fresh config folder: its samples run in
  order and share the saved plan (`plan --save`, then `log refill`, then `today`). That folder is written as
  `~/.config/pumpcare`. Trailing spaces are dropped from every line.
- `plan`, `today` and `next` samples give the day they show with `--date`, so a reader knows it.
- A line holding only `...` stands for lines left out. Regenerating keeps the cut: the excerpt before the first
  `...` keeps its number of lines; an excerpt after one is found again by its first line, and keeps its number
  of lines, or runs to the end when no `...` follows it. When that first line is gone from the output, this
  script stops and names the sample: edit its excerpt by hand.
- `<!-- readme: unchecked, why -->` on the line before a fence leaves that block out. A fence may be indented
  (inside a list item): its lines are compared without that indent.

Other fenced blocks (install commands, a command whose output is a file) are not samples and are not run.
"""

from __future__ import annotations

import contextlib
import shlex
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import NamedTuple
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
# The day every sample was made; the README names it above the first sample.
TODAY = date(2026, 12, 20)
ENV = {"SOURCE_DATE_EPOCH": "1795996800", "COLUMNS": "80", "LINES": "50", "NO_COLOR": "1", "TERM": "dumb"}
CONFIG_SHOWN = "~/.config/pumpcare"
GAP = "..."
UNCHECKED = "<!-- readme: unchecked"
NEEDS_DATE = ("plan", "today", "next")


class Sample(NamedTuple):
    """One fenced block of commands and their output."""

    section: str
    first: int  # index of the block's first line (after the opening fence) in the README's lines
    lines: list[str]  # without the fence's indent
    indent: int  # a block inside a list item is indented with it

    @property
    def name(self) -> str:
        return f"README.md:{self.first + 1} ({self.section})"


class SampleError(Exception):
    """A sample that cannot be checked or regenerated, said in one sentence."""


def samples(text: str) -> list[Sample]:
    """Every sample block of the README, in order."""
    found: list[Sample] = []
    lines = text.splitlines()
    section = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("## "):
            section = line[3:].strip()
        if line.lstrip(" ").startswith("```"):
            indent = len(line) - len(line.lstrip(" "))
            end = next(i for i in range(index + 1, len(lines)) if lines[i].lstrip(" ").startswith("```"))
            body = [text[indent:] for text in lines[index + 1 : end]]
            checked = index == 0 or not lines[index - 1].lstrip(" ").startswith(UNCHECKED)
            if body and body[0].startswith("$ pumpcare") and checked:
                found.append(Sample(section, index + 1, body, indent))
            index = end
        index += 1
    return found


def commands(sample: Sample) -> list[tuple[str, list[str]]]:
    """The sample's `$ ` lines, each with the output lines the README shows under it."""
    pairs: list[tuple[str, list[str]]] = []
    for line in sample.lines:
        if line.startswith("$ "):
            pairs.append((line[2:], []))
        else:
            pairs[-1][1].append(line)
    return pairs


@contextlib.contextmanager
def fixed_clock(today: date = TODAY) -> Iterator[None]:
    """The CLI's `date.today()` answers `today`: the commands read the clock only through their modules' `date`."""
    import pumpcare.cli  # noqa: F401  (imports every command module that reads the clock)

    class Fixed(date):
        @classmethod
        def today(cls) -> date:
            return today

    with contextlib.ExitStack() as stack:
        for name, module in list(sys.modules.items()):
            if name.startswith("pumpcare") and getattr(module, "date", None) is date:
                stack.enter_context(mock.patch.object(module, "date", Fixed))
        yield


def run(command: str, config: Path, where: str) -> list[str]:
    """What a terminal shows for one `pumpcare ...` command line, as README lines."""
    from typer.testing import CliRunner

    from pumpcare.cli import app

    words = shlex.split(command)
    quiet = words[-2:] == [">", "/dev/null"]
    if quiet:
        words = words[:-2]
    if words[0] != "pumpcare" or any(word in (">", "|", "<", "2>") for word in words):
        raise SampleError(f"{where}: `{command}` is not one pumpcare command; samples run nothing else")
    if words[1] in NEEDS_DATE and "--date" not in words:
        raise SampleError(f"{where}: `{command}` shows a day; give it with --date")
    result = CliRunner().invoke(app, words[1:], env={**ENV, "PUMPCARE_CONFIG_DIR": str(config)})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise SampleError(f"{where}: `{command}` raised {result.exception!r}") from result.exception
    shown = result.stderr if quiet else result.output
    shown = shown.replace(str(config), CONFIG_SHOWN)
    return [line.rstrip() for line in shown.splitlines()]


def regenerate(shown: list[str], produced: list[str], where: str) -> list[str]:
    """The README's lines for one command: all of `produced`, or the same excerpts of it that `shown` has."""
    if GAP not in shown:
        return produced
    parts: list[list[str]] = [[]]
    for line in shown:
        if line == GAP:
            parts.append([])
        else:
            parts[-1].append(line)
    result: list[str] = []
    position = 0
    for number, part in enumerate(parts):
        if number > 0:
            result.append(GAP)
        if not part:
            continue
        if number == 0:
            taken = produced[: len(part)]
        else:
            try:
                start = produced.index(part[0], position)
            except ValueError:
                raise SampleError(
                    f"{where}: the excerpt starting {part[0]!r} is no longer in the output; edit it by hand"
                ) from None
            taken = produced[start:] if number == len(parts) - 1 else produced[start : start + len(part)]
            position = start
        result.extend(taken)
        position += len(taken)
    return result


def regenerate_sample(sample: Sample, config: Path) -> list[str]:
    """The sample's block as the commands print it now, run in `config` (a section's shared folder)."""
    lines: list[str] = []
    for command, shown in commands(sample):
        lines.append(f"$ {command}")
        lines.extend(regenerate(shown, run(command, config, sample.name), sample.name))
    return lines


def sections(found: list[Sample]) -> dict[str, list[Sample]]:
    """The samples grouped by README section, in order: each group shares one config folder."""
    grouped: dict[str, list[Sample]] = {}
    for sample in found:
        grouped.setdefault(sample.section, []).append(sample)
    return grouped


def main() -> int:
    text = README.read_text(encoding="utf-8")
    lines = text.splitlines()
    changed = 0
    with fixed_clock():
        # From the end up, so that a block that grows or shrinks does not move the ones still to do.
        replacements: list[tuple[Sample, list[str]]] = []
        for group in sections(samples(text)).values():
            with TemporaryDirectory() as folder:
                try:
                    replacements.extend((sample, regenerate_sample(sample, Path(folder))) for sample in group)
                except SampleError as err:
                    print(f"regen_readme: {err}", file=sys.stderr)
                    return 1
    for sample, new in reversed(replacements):
        if new != sample.lines:
            changed += 1
            print(f"rewrote {sample.name}")
        lines[sample.first : sample.first + len(sample.lines)] = [
            f"{' ' * sample.indent}{line}" if line else line for line in new
        ]
    README.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{changed} of {len(replacements)} samples changed; read `git diff README.md`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
