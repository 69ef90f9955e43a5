"""The rule file on disk: where the shipped one is, reading it, its YAML, then the check that makes a RuleSet."""

from __future__ import annotations

from pathlib import Path

from pumpcare.errors import RuleFileError
from pumpcare.rules import RuleSet
from pumpcare.rules_check import Checker

MAX_RULE_FILE_BYTES = 1_000_000


def shipped_rules_path() -> Path:
    """Where the rule file that comes with pumpcare is, installed or in a source checkout."""
    # pip installs packages as plain folders, so the file sits beside this module; importlib.resources
    # would cost start-up time for zip imports nobody uses here.
    packaged = Path(__file__).with_name("aftercare.yaml")
    if packaged.is_file():
        return packaged
    # An editable install or a bare checkout runs from src/pumpcare; the file is then in data/.
    return Path(__file__).resolve().parents[2] / "data" / "aftercare.yaml"


def load_rules(path: Path | None = None) -> RuleSet:
    """Read and validate a rule file (the shipped one when path is None)."""
    from pumpcare.reading import UnreadableFileError, read_regular_file

    path = path or shipped_rules_path()
    shown = str(path)
    try:
        raw = read_regular_file(path, MAX_RULE_FILE_BYTES)
    except UnreadableFileError as err:
        reason = err.reason
        if reason == "it is a folder":
            reason = "it is a folder; give the path of a .yaml rule file"
        elif reason.startswith("it is larger than"):
            size = path.stat().st_size  # a regular file, so its size is real
            reason = f"the file is {size:,} bytes; a rule file is at most {MAX_RULE_FILE_BYTES:,} bytes"
        elif not err.missing and "; " not in reason:
            reason = f"it cannot be read ({reason}); check the path"
        raise RuleFileError(shown, [reason]) from None
    return parse_rules(raw, shown)


def parse_rules(raw: bytes, origin: str) -> RuleSet:
    """Validate rule-file bytes; raise RuleFileError listing every problem with where it is."""
    import yaml

    from pumpcare.reading import YamlShapeError, load_yaml, strict_loader, yaml_problem

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RuleFileError(origin, ["it is not UTF-8 text; save it as UTF-8"]) from None
    if not text.strip():
        raise RuleFileError(origin, ["the file is empty; start from the shipped rules (data/aftercare.yaml)"])
    try:
        data = load_yaml(text, strict_loader())
    except yaml.YAMLError as err:
        raise RuleFileError(origin, [yaml_problem(err)]) from None
    except YamlShapeError as err:
        raise RuleFileError(origin, [f"{err}; a rule file is a plain list of rules"]) from None
    except ValueError:
        # YAML reads an unquoted 2026-13-01 as a date, or 200,000 digits as a number, outside its own errors.
        raise RuleFileError(origin, ["a value is not a real date or a number Python can read; quote it"]) from None
    checker = Checker()
    ruleset = checker.ruleset(data, origin)
    if checker.problems or ruleset is None:
        raise RuleFileError(origin, checker.problems)
    return ruleset
