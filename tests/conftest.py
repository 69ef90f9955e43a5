"""Shared fixtures: the shipped rules and a CLI runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pumpcare.rule_file import load_rules
from pumpcare.rules import RuleSet


@pytest.fixture(scope="session")
def shipped() -> RuleSet:
    return load_rules()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True)
def config_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own config folder: nothing a test does touches the real home directory."""
    folder = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("PUMPCARE_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def english_unless_asked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests read English unless they ask for another language, whatever the machine's locale; the language a
    command chose is put back afterwards (it is the process's, and CliRunner runs in this process)."""
    from pumpcare.i18n import LOCALE_VARIABLES, activate

    for variable in (*LOCALE_VARIABLES, "PUMPCARE_LANG"):
        monkeypatch.delenv(variable, raising=False)
    yield
    activate("en")
