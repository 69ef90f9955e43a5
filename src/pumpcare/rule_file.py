"""The rule file on disk: where the shipped one is, reading it, its YAML, then the check that makes a RuleSet."""

from __future__ import annotations

from pathlib import Path

from pumpcare.errors import RuleFileError, grouped
from pumpcare.i18n import gettext as _
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
        if err.kind == "folder":
            reason = _("it is a folder; give the path of a .yaml rule file")
        elif err.kind == "too large":
            size = path.stat().st_size  # a regular file, so its size is real
            reason = _("the file is {size} bytes; a rule file is at most {limit} bytes").format(
                size=grouped(size), limit=grouped(MAX_RULE_FILE_BYTES)
            )
        elif err.kind in ("special", "other"):
            reason = _("it cannot be read ({reason}); check the path").format(reason=reason)
        raise RuleFileError(shown, [reason]) from None
    return parse_rules(raw, shown)


def parse_rules(raw: bytes, origin: str) -> RuleSet:
    """Validate rule-file bytes; raise RuleFileError listing every problem with where it is."""
    import yaml

    from pumpcare.reading import YamlShapeError, load_yaml, strict_loader, yaml_problem

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RuleFileError(origin, [_("it is not UTF-8 text; save it as UTF-8")]) from None
    if not text.strip():
        raise RuleFileError(origin, [_("the file is empty; start from the shipped rules (data/aftercare.yaml)")])
    try:
        data = load_yaml(text, strict_loader())
    except yaml.YAMLError as err:
        raise RuleFileError(origin, [yaml_problem(err)]) from None
    except YamlShapeError as err:
        # Translators: {problem} says what is wrong with the file's shape, such as "it uses a YAML alias".
        problem = _("{problem}; a rule file is a plain list of rules").format(problem=err)
        raise RuleFileError(origin, [problem]) from None
    except ValueError:
        # YAML reads an unquoted 2026-13-01 as a date, or 200,000 digits as a number, outside its own errors.
        problem = _("a value is not a real date or a number Python can read; quote it")
        raise RuleFileError(origin, [problem]) from None
    checker = Checker()
    ruleset = checker.ruleset(data, origin)
    if checker.problems or ruleset is None:
        raise RuleFileError(origin, checker.problems)
    return ruleset
