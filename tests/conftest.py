"""Shared fixtures: the shipped rules and a CLI runner."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pumpcare.rules import RuleSet, load_rules


@pytest.fixture(scope="session")
def shipped() -> RuleSet:
    return load_rules()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
