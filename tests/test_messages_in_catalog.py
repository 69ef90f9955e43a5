"""Every sentence a person reads goes through the catalog, so `--lang es` answers in Spanish, errors included.

Two nets. The code: no sentence is written in src/ outside a gettext call, except where a person never reads it
(help texts, which Typer builds before a language is chosen; a developer's own errors; what a machine reads).
The runs: the tests' corpus of refused input, run again in Spanish, comes back without an English sentence.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pumpcare.cli import app

SRC = Path(__file__).resolve().parent.parent / "src" / "pumpcare"
GETTEXT = {"_", "gettext", "ngettext", "pgettext", "N_"}
# Calls whose text a person never reads in pumpcare's words: a developer's errors and Typer's help texts.
NOT_FOR_PEOPLE = {"ValueError", "TypeError", "AssertionError", "NotImplementedError", "RuntimeError", "KeyError"}
NOT_FOR_PEOPLE |= {"AttributeError", "InputSpec"}  # the plan inputs' table: its sentences are --help texts
NOT_FOR_PEOPLE_KEYWORDS = {"help", "rich_help_panel", "metavar", "epilog", "short_help"}
# Three words or more: a sentence, not a key, a field name or a format string.
SENTENCE = re.compile(r"[A-Za-z]{2,}[,;:]? [a-z]{2,}[,;:]? [a-z]{2,}")
# Markup and protocol text, which machines read: HTML and XML, CSS, iCalendar, the record file's header (a record
# is told by it, in whatever language it was written).
MACHINE_TEXT = re.compile(r"^\s*<|[<>]\w|\{\s*[\w-]+\s*:|^[A-Z-]+[:;]|^-//|^\{[\w, ]+\}$|^# pumpcare ")


def _sentences_outside_the_catalog(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def exempt(node: ast.AST) -> bool:
        while node in parents:
            parent = parents[node]
            if isinstance(parent, ast.Call):
                func = parent.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if name in GETTEXT or name in NOT_FOR_PEOPLE:
                    return True
            if isinstance(parent, ast.keyword) and parent.arg in NOT_FOR_PEOPLE_KEYWORDS:
                return True
            if isinstance(parent, ast.Dict) and any(  # Typer's settings: {"help": ...}
                isinstance(key, ast.Constant) and key.value in NOT_FOR_PEOPLE_KEYWORDS
                for key, value in zip(parent.keys, parent.values, strict=True)
                if value is node
            ):
                return True
            if isinstance(parent, ast.Assert):
                return True
            if isinstance(parent, ast.Expr) and isinstance(node, ast.Constant):
                return True  # a docstring
            node = parent
        return False

    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        text = node.value
        if SENTENCE.search(text) and not MACHINE_TEXT.search(text) and not exempt(node):
            yield node.lineno, text


def test_every_sentence_in_the_code_goes_through_the_catalog() -> None:
    found = [
        f"{path.name}:{line}: {text[:70]!r}"
        for path in sorted(SRC.rglob("*.py"))
        for line, text in _sentences_outside_the_catalog(path)
    ]
    assert found == [], "\n".join(found)


# Words of English that no Spanish sentence of pumpcare's uses; what is quoted, a path or an option is left out.
ENGLISH = re.compile(
    r"\b(the|is|not|your|check|write|with|before|after|cannot|could|should|must|this|that|which|there|has|have|"
    r"was|been|it|of|to|for|or|and|in|on|an|file|date|try|again|fix|give|only|than|more)\b",
    re.IGNORECASE,
)
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`|--[\w-]+|\S*[/\\]\S*|\d{4}-\d{2}-\d{2}|\b[A-Z_]{3,}\b")
# PyYAML's own words, quoted as the parser gives them: no catalog of ours has them.
PARSER_WORDS = re.compile(r"(?:found|expected|while scanning|while parsing) [^;()\n]*")


def english_words(message: str) -> list[str]:
    """The English words of a message, outside what it quotes (values, paths, options, commands)."""
    return ENGLISH.findall(QUOTED.sub(" ", PARSER_WORDS.sub(" ", message)))


def _corpus() -> Iterator[object]:
    """The tests' refused inputs: the command lines, the broken rule files and the refused batch files."""
    import test_batch_hostile
    import test_cli_errors
    import test_rules_file

    for param in test_cli_errors.BAD_INPUT:
        yield pytest.param(list(param.values[0]), None, id=f"args-{param.id}")
    for param in test_rules_file.BROKEN:
        yield pytest.param(
            ["plan", "--surgery-date", "2026-12-01", "--rules", "{file}"], param.values[0], id=f"rules-{param.id}"
        )
    for name, _ in test_batch_hostile.REFUSED:
        path = str(test_batch_hostile.CORPUS / name)
        yield pytest.param(["batch", path, "--out-dir", "{folder}"], None, id=f"batch-{name}")


@pytest.mark.parametrize(("args", "content"), list(_corpus()))
def test_every_refusal_of_the_error_corpus_answers_in_spanish(
    args: list[str], content: bytes | None, tmp_path: Path
) -> None:
    file = tmp_path / "rules.yaml"
    if content is not None:
        file.write_bytes(content)
    args = [arg.format(file=file, folder=tmp_path / "out") for arg in args]
    runner = CliRunner()
    english = runner.invoke(app, args, prog_name="pumpcare", env={"PUMPCARE_LANG": "en", "COLUMNS": "200"})
    spanish = runner.invoke(app, args, prog_name="pumpcare", env={"PUMPCARE_LANG": "es", "COLUMNS": "200"})
    assert english.exit_code == spanish.exit_code != 0
    assert spanish.stderr.startswith("pumpcare: ")
    assert spanish.stderr != english.stderr
    assert english_words(spanish.stderr) == [], spanish.stderr


def test_the_english_detector_sees_english_and_not_spanish() -> None:
    assert english_words("pumpcare: surgery date 2026-13-01 is not a real date; check the day and month")
    assert not english_words("pumpcare: la fecha de la cirugía 2026-13-01 no existe; revise el día y el mes")
    assert not english_words(
        "pumpcare: el archivo 'the file.ics' de /tmp/your/path no se puede escribir con --follow-up"
    )
