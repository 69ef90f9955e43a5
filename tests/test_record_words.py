"""The record's words in every language: each confirmation, history line, question and error is one whole
sentence of the catalog, and the record file itself says the same in every language."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pumpcare import i18n
from pumpcare.cli import app

SAVED = ["plan", "--surgery-date", "2025-12-01", "--refill-every", "12w", "--first-refill", "2026-01-26", "--save"]
NUMBERS = ["--fill-volume", "20mL", "--concentration", "2mg/mL", "--daily-dose", "0.5mg/day", "--alarm-volume", "2mL"]
WIDE = {"COLUMNS": "1000"}  # one message a line: rich would wrap at 80


class Marked:
    """A catalog that shows every message it is asked for between ⟦ and ⟧, or the translation it is given."""

    def __init__(self, words: dict[str, str] | None = None) -> None:
        self.words = words or {}
        self._catalog = _Everything()  # i18n.translated() asks it: every message is in this catalog

    def gettext(self, message: str) -> str:
        return self.words.get(message, f"⟦{message}⟧")

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)

    def pgettext(self, context: str, message: str) -> str:
        return self.gettext(message)


class _Everything(dict[str, str]):
    def get(self, key: str, default: object = None) -> str:
        return key


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> Marked:
    """`--lang es` speaks the marking catalog (reviewed, so no note is added), with Spanish dates."""
    catalog = Marked()
    names = i18n.read_names(i18n.LOCALE_DIR / "es" / i18n.NAMES_FILE)
    monkeypatch.setitem(i18n._loaded, "es", i18n.Language("es", catalog, "a test", names))
    return catalog


def whole(text: str) -> bool:
    """True when text is one message of the catalog from its first character to its last (values inside)."""
    if not text.startswith("⟦"):
        return False
    depth = 0
    for index, char in enumerate(text):
        depth += {"⟦": 1, "⟧": -1}.get(char, 0)
        if depth == 0:
            return index == len(text) - 1
    return False


def message(output: str) -> str:
    """The one line a command wrote, without the "pumpcare: " that starts an error."""
    assert output.count("\n") == 1, output
    return output.removeprefix("pumpcare: ").rstrip("\n")


def test_each_log_confirmation_history_line_and_undo_is_one_whole_sentence(runner: CliRunner, marked: Marked) -> None:
    assert runner.invoke(app, SAVED).exit_code == 0
    commands = [
        ["log", "follow-up", "--date", "2026-01-06"],
        ["log", "refill", "--date", "2026-01-26"],
        ["log", "refill", "--date", "2026-04-20", *NUMBERS],
        ["log", "refill", "--date", "2026-06-01", "--clear-numbers"],
        ["log", "replacement", "--date", "2026-06-02"],
    ]
    for command in commands:
        result = runner.invoke(app, [*command, "--lang", "es"], env=WIDE)
        assert result.exit_code == 0, result.output
        assert whole(result.stderr.splitlines()[0]), result.stderr  # the line that says what was recorded
    history = runner.invoke(app, ["history", "--lang", "es"], env=WIDE)
    lines = [line.removeprefix("  • ") for line in history.stdout.splitlines() if line.startswith("  • ")]
    assert len(lines) == 5
    assert all(whole(line) for line in lines), lines
    assert "(20mL, 2mg/mL, 0.5mg/day)" in lines[2]  # the care team's numbers as typed, in any language
    for _ in commands:
        undo = runner.invoke(app, ["log", "undo", "--lang", "es"])
        assert undo.exit_code == 0, undo.output
        assert whole(message(undo.stderr)), undo.stderr
    nothing = runner.invoke(app, ["log", "undo", "--lang", "es"])
    assert (nothing.exit_code, whole(message(nothing.stderr))) == (1, True)


@pytest.mark.parametrize(
    "args",
    [
        ["log", "refill", "--date", "2026-13-01"],
        ["log", "refill", "--date", "2026-1-5"],
        ["log", "refill", "--date", "01/02/2026"],
        ["log", "refill", "--date", "tomorrow"],
        ["log", "refill", "--date", "1800-01-01"],
        ["log", "refill", "--fill-volume", "20mL"],
        ["plan", "--set", "no-drivin=2w"],
        ["plan", "--set", "zzz=2w"],
        ["plan", "--set", "no-driving"],
        ["plan", "--set", "no-driving=5w..2w"],
        ["plan", "--set", "no-driving=2w", "--set", "no-driving=3w"],
        ["plan", "--set", "no-driving=-1w"],
        ["plan", "--drug", "aspirin"],
        ["plan", "--next-refill", "2025-11-01"],
        ["plan", "--fill-volume", "20mL", "--concentration", "2mg/mL", "--daily-dose", "0.5mg/day"],
    ],
)
def test_each_error_about_a_value_is_one_whole_sentence(runner: CliRunner, marked: Marked, args: list[str]) -> None:
    if args[0] == "log":
        assert runner.invoke(app, SAVED).exit_code == 0
    else:
        args = [*args, "--surgery-date", "2025-12-01"]  # no record: its words would be the controller's
    result = runner.invoke(app, [*args, "--lang", "es"])
    assert result.exit_code == 1
    assert whole(message(result.stderr)), result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "not: [valid",
        "- 1\n",
        "format: 7\n",
        "format: 2\nsurgery_date: '2026-12-01'\n",
        "a: &x [1]\nb: *x\n",
    ],
)
def test_each_broken_record_is_named_in_one_whole_sentence_with_its_fix(
    runner: CliRunner, marked: Marked, config_dir: Path, text: str
) -> None:
    (config_dir / "plan.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["history", "--lang", "es"])
    assert result.exit_code == 1
    assert whole(message(result.stderr)), result.stderr
    assert str(config_dir / "plan.yaml") in result.stderr


def test_the_warnings_about_orders_and_intervals_are_whole_sentences(runner: CliRunner, marked: Marked) -> None:
    refills = ["--refill-every", "20w", "--first-refill", "2027-01-26", *NUMBERS]
    result = runner.invoke(
        app,
        ["plan", "--surgery-date", "2026-12-01", "--set", "no-driving=1w", *refills],
        env={**WIDE, "PUMPCARE_LANG": "es"},
    )
    assert result.exit_code == 0, result.output
    # Each line is "pumpcare: ⟦warning: ⟦the warning⟧⟧": the "warning:" frame and the warning, each one message.
    lines = [line.removeprefix("pumpcare: ") for line in result.stderr.splitlines() if line.startswith("pumpcare: ")]
    assert len(lines) >= 2
    assert all(whole(line) for line in lines), lines
    warnings = [line.split(": ", 1)[1][:-1] for line in lines]
    assert all(whole(warning) for warning in warnings), warnings


def test_forget_asks_says_and_refuses_in_whole_sentences(
    runner: CliRunner, marked: Marked, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pumpcare.cli_record

    assert runner.invoke(app, SAVED).exit_code == 0
    refused = runner.invoke(app, ["forget", "--lang", "es"])
    assert (refused.exit_code, whole(message(refused.stderr))) == (1, True)
    monkeypatch.setattr(pumpcare.cli_record, "_terminal", lambda: True)
    kept = runner.invoke(app, ["forget", "--lang", "es"], input="n\n")
    assert whole(kept.stdout.rsplit(": ", 1)[0]), kept.stdout  # the question (then the answer, as typed)
    assert (kept.exit_code, whole(message(kept.stderr))) == (0, True)
    gone = runner.invoke(app, ["forget", "--yes", "--lang", "es"])
    assert (gone.exit_code, whole(message(gone.stderr))) == (0, True)
    nothing = runner.invoke(app, ["forget", "--yes", "--lang", "es"])
    assert (nothing.exit_code, whole(message(nothing.stderr))) == (0, True)
    assert not (config_dir / "plan.yaml").exists()


@pytest.mark.parametrize(
    ("answer", "deleted"),
    [("s\n", True), ("Sí\n", True), ("y\n", True), ("yes\n", True), ("n\n", False), ("\n", False), ("", False)],
)
def test_forget_takes_yes_in_the_language_it_asks_in(
    runner: CliRunner, config_dir: Path, monkeypatch: pytest.MonkeyPatch, answer: str, deleted: bool
) -> None:
    import pumpcare.cli_record

    words = {"y, yes": "s, sí", "Delete the saved plan at {path}? [y/N]": "¿Borrar el plan de {path}? [s/N]"}
    names = i18n.read_names(i18n.LOCALE_DIR / "es" / i18n.NAMES_FILE)
    monkeypatch.setitem(i18n._loaded, "es", i18n.Language("es", Marked(words), "a test", names))
    monkeypatch.setattr(pumpcare.cli_record, "_terminal", lambda: True)
    assert runner.invoke(app, SAVED).exit_code == 0
    path = config_dir / "plan.yaml"
    result = runner.invoke(app, ["forget", "--lang", "es"], input=answer)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"¿Borrar el plan de {path}? [s/N]: ")
    assert path.exists() is not deleted


def test_forget_asks_in_english_as_it_always_has(
    runner: CliRunner, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pumpcare.cli_record

    monkeypatch.setattr(pumpcare.cli_record, "_terminal", lambda: True)
    assert runner.invoke(app, SAVED).exit_code == 0
    path = config_dir / "plan.yaml"
    kept = runner.invoke(app, ["forget"], input="")  # the end of input is no answer, so no
    assert (kept.exit_code, kept.stdout, kept.stderr) == (
        0,
        f"Delete the saved plan at {path}? [y/N]: \n",
        "Kept the saved plan.\n",
    )
    assert path.exists()


def test_a_record_written_in_spanish_reads_the_same_in_english(runner: CliRunner, tmp_path: Path) -> None:
    texts = []
    for language in ("en", "es"):
        folder = tmp_path / language
        steps = [
            SAVED,
            ["log", "follow-up", "--date", "2026-01-06"],
            ["log", "refill", "--date", "2026-01-26", *NUMBERS],
            ["log", "refill", "--date", "2026-04-20", "--clear-numbers"],
            ["log", "replacement", "--date", "2026-05-01"],
        ]
        for step in steps:
            result = runner.invoke(app, [*step, "--config-dir", str(folder), "--lang", language])
            assert result.exit_code == 0, result.output
        text = (folder / "plan.yaml").read_text(encoding="utf-8")
        texts.append([line for line in text.splitlines() if not line.startswith("key:")])  # a new key each time
    assert texts[0] == texts[1]


def test_the_real_spanish_undo_is_one_spanish_sentence(runner: CliRunner) -> None:
    assert runner.invoke(app, SAVED).exit_code == 0
    assert runner.invoke(app, ["log", "refill", "--date", "2026-01-26"]).exit_code == 0
    undo = runner.invoke(app, ["log", "undo", "--lang", "es"])
    assert (undo.exit_code, undo.stderr) == (
        0,
        "Se ha deshecho el registro de la recarga de la bomba del lun 26 de enero de 2026.\n",
    )
