"""A clinic's profile: its name and phone numbers (and an address and a note), for the sheet and the calendar.

The file is small YAML a clinic shares between its nurses:

    clinic: Riverside Pain Clinic
    phones:
      - label: Pump clinic
        number: 555-0100

It is checked like the rule file: every problem at once, each with where it is and how to fix it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from pumpcare.errors import PumpcareError, closest, excerpt, shown_problems

MAX_CLINIC_BYTES = 20_000  # not clinical: a name, a few phone numbers, an address and a note
MAX_PHONES = 6  # a sheet's phone row has room for about this many
_KEYS = {"clinic": True, "phones": True, "address": False, "note": False}
_PHONE_KEYS = ("label", "number")
_LIMITS = {"clinic": 80, "address": 160, "note": 200, "label": 30, "number": 30}
_NUMBER_CHARACTERS = set("0123456789+-() ./x")
# Letters Unicode counts as letters that show nothing (Hangul fillers): a label of them looks blank on the sheet.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def _visible(text: str) -> bool:
    """True when the text has a letter or digit a reader can see."""
    return any(char.isalnum() and char not in _BLANK_LETTERS for char in text)


EXAMPLE = """\
# pumpcare clinic profile: printed on the discharge sheet and written into the calendar.
# Give it with --clinic FILE, or set PUMPCARE_CLINIC to its path.
clinic: Riverside Pain Clinic
phones:                      # one to six numbers, each with what it is for
  - label: Pump clinic
    number: 555-0100
  - label: After hours
    number: 555-0199
# address: 12 River Road, Springfield      # optional
# note: Bring your pump card to every visit.   # optional, one or two sentences
"""


class Phone(NamedTuple):
    """A number and what it is for."""

    label: str
    number: str


class Clinic(NamedTuple):
    """Who the patient calls: the clinic's name, its numbers, and optionally an address and a note."""

    name: str
    phones: tuple[Phone, ...]
    address: str | None = None
    note: str | None = None

    def contact_lines(self) -> list[str]:
        """The clinic as lines of text: its name, each number, the address, the note."""
        lines = [self.name, *(f"{phone.label}: {phone.number}" for phone in self.phones)]
        return lines + [text for text in (self.address, self.note) if text]


class ClinicFileError(PumpcareError):
    """A clinic profile that cannot be used; lists every problem found, each with where it is."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.problems = problems
        count = "1 problem; fix it" if len(problems) == 1 else f"{len(problems)} problems; fix them"
        lines = "\n".join(f"  - {problem}" for problem in shown_problems(problems))
        super().__init__(f"clinic profile {path} has {count} and try again:\n{lines}")


def load_clinic(path: Path) -> Clinic:
    """Read and check a clinic profile."""
    import yaml

    from pumpcare.reading import (
        UnreadableFileError,
        YamlShapeError,
        load_yaml,
        read_regular_file,
        strict_loader,
        yaml_problem,
    )

    shown = str(path)
    try:
        raw = read_regular_file(path, MAX_CLINIC_BYTES)
    except UnreadableFileError as err:
        raise ClinicFileError(shown, [err.reason]) from None
    try:
        data = load_yaml(raw.decode("utf-8"), strict_loader(text_only=True), aliases=False)
    except UnicodeDecodeError:
        raise ClinicFileError(shown, ["it is not UTF-8 text; save it as UTF-8"]) from None
    except yaml.YAMLError as err:
        raise ClinicFileError(shown, [f"{yaml_problem(err)}; or start again from `pumpcare clinic init`"]) from None
    except (YamlShapeError, ValueError):
        raise ClinicFileError(shown, ["it is not valid YAML; start again from `pumpcare clinic init`"]) from None
    problems: list[str] = []
    clinic = _check(data, problems)
    if problems or clinic is None:
        raise ClinicFileError(shown, problems)
    return clinic


def _check(data: Any, problems: list[str]) -> Clinic | None:
    if not isinstance(data, dict):
        problems.append("the file must be a mapping with clinic and phones, as `pumpcare clinic init` writes it")
        return None
    for key in data:
        if key not in _KEYS:
            close = closest(str(key), list(_KEYS))
            hint = f"did you mean '{close}'?" if close else f"known keys are: {', '.join(_KEYS)}"
            problems.append(f"unknown key '{excerpt(key)}'; {hint}")
    problems.extend(f"missing '{key}'; add it" for key, required in _KEYS.items() if required and key not in data)
    name = _text(data.get("clinic"), "clinic", problems) if "clinic" in data else ""
    if name and not _visible(name):
        problems.append("clinic: has no letter or digit a reader can see; give the clinic's name")
    address = _text(data["address"], "address", problems) if "address" in data else None
    note = _text(data["note"], "note", problems) if "note" in data else None
    phones = _phones(data.get("phones"), problems) if "phones" in data else ()
    return Clinic(name, phones, address, note)


def _phones(value: Any, problems: list[str]) -> tuple[Phone, ...]:
    if not isinstance(value, list) or not value:
        problems.append("phones: must be a list of numbers, each with a label and a number")
        return ()
    if len(value) > MAX_PHONES:
        problems.append(f"phones: has {len(value)} numbers; a sheet has room for {MAX_PHONES}, so keep the main ones")
    phones = []
    for index, item in enumerate(value):
        where = f"phones[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: must be a mapping with label and number")
            continue
        for key in item:
            if key not in _PHONE_KEYS:
                problems.append(f"{where}: unknown key '{excerpt(key)}'; use label and number")
        label = _text(item.get("label"), f"{where}.label", problems, limit=_LIMITS["label"])
        number = _text(item.get("number"), f"{where}.number", problems, limit=_LIMITS["number"])
        if number and not set(number.lower()) <= _NUMBER_CHARACTERS:
            problems.append(f"{where}.number: '{excerpt(number)}' is not a phone number; use digits, spaces, + - ( )")
        elif number and not any(char.isdigit() for char in number):
            problems.append(f"{where}.number: '{excerpt(number)}' has no digit; give the number to call")
        if label and not _visible(label):
            problems.append(f"{where}.label: has no letter or digit a reader can see; name whom the number reaches")
        phones.append(Phone(label, number))
    return tuple(phones)


def _text(value: Any, where: str, problems: list[str], *, limit: int | None = None) -> str:
    import unicodedata

    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: must be non-empty text")
        return ""
    text = " ".join(value.split())
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in text):
        problems.append(f"{where}: has a control character; remove it")
    most = limit or _LIMITS.get(where, 200)
    if len(text) > most:
        problems.append(f"{where}: is {len(text):,} characters long; shorten it to at most {most}")
    return text
