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
from pumpcare.i18n import gettext as _
from pumpcare.i18n import ngettext, pgettext

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


def example() -> str:
    """The commented profile `pumpcare clinic init` writes, its comments and sample words in the language in use.

    The keys are the file's own and stay English, as do the sample name, numbers and address.
    """
    return "\n".join(
        (
            "# " + _("pumpcare clinic profile: printed on the discharge sheet and written into the calendar."),
            "# " + _("Give it with --clinic FILE, or set PUMPCARE_CLINIC to its path."),
            "clinic: Riverside Pain Clinic",
            "phones:                      # " + _("one to six numbers, each with what it is for"),
            "  - label: " + _scalar(_("Pump clinic")),
            "    number: 555-0100",
            "  - label: " + _scalar(_("After hours")),
            "    number: 555-0199",
            "# address: 12 River Road, Springfield      # " + _("optional"),
            "# note: "
            + _scalar(_("Bring your pump card to every visit."))
            + "   # "
            + _("optional, one or two sentences"),
            "",
        )
    )


def _scalar(text: str) -> str:
    """A sample value as YAML reads it back: plain where it can be, quoted where a translation needs it."""
    import json
    import re

    return text if re.fullmatch(r"\w[\w .,()/-]*", text) else json.dumps(text, ensure_ascii=False)


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
        head = ngettext(
            "clinic profile {path} has {count} problem; fix it and try again:",
            "clinic profile {path} has {count} problems; fix them and try again:",
            len(problems),
        ).format(path=path, count=len(problems))
        lines = "\n".join(f"  - {problem}" for problem in shown_problems(problems))
        super().__init__(f"{head}\n{lines}")


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
        raise ClinicFileError(shown, [_("it is not UTF-8 text; save it as UTF-8")]) from None
    except yaml.YAMLError as err:
        # Translators: {problem} says where the YAML is broken and how, such as "line 3: a tab indents it".
        problem = _("{problem}; or start again from `pumpcare clinic init`").format(problem=yaml_problem(err))
        raise ClinicFileError(shown, [problem]) from None
    except (YamlShapeError, ValueError):
        raise ClinicFileError(shown, [_("it is not valid YAML; start again from `pumpcare clinic init`")]) from None
    problems: list[str] = []
    clinic = _check(data, problems)
    if problems or clinic is None:
        raise ClinicFileError(shown, problems)
    return clinic


def _check(data: Any, problems: list[str]) -> Clinic | None:
    if not isinstance(data, dict):
        problems.append(_("the file must be a mapping with clinic and phones, as `pumpcare clinic init` writes it"))
        return None
    for key in data:
        if key not in _KEYS:
            close = closest(str(key), list(_KEYS))
            if close:
                problems.append(_("unknown key '{key}'; did you mean '{close}'?").format(key=excerpt(key), close=close))
            else:
                problem = _("unknown key '{key}'; known keys are: {keys}")
                problems.append(problem.format(key=excerpt(key), keys=", ".join(_KEYS)))
    problems.extend(
        _("missing '{key}'; add it").format(key=key) for key, required in _KEYS.items() if required and key not in data
    )
    name = _text(data.get("clinic"), "clinic", problems) if "clinic" in data else ""
    if name and not _visible(name):
        problems.append(_("clinic: has no letter or digit a reader can see; give the clinic's name"))
    address = _text(data["address"], "address", problems) if "address" in data else None
    note = _text(data["note"], "note", problems) if "note" in data else None
    phones = _phones(data.get("phones"), problems) if "phones" in data else ()
    return Clinic(name, phones, address, note)


def _phones(value: Any, problems: list[str]) -> tuple[Phone, ...]:
    if not isinstance(value, list) or not value:
        problems.append(_("phones: must be a list of numbers, each with a label and a number"))
        return ()
    if len(value) > MAX_PHONES:
        problem = ngettext(
            "phones: has {count} number; a sheet has room for {most}, so keep the main ones",
            "phones: has {count} numbers; a sheet has room for {most}, so keep the main ones",
            len(value),
        )
        problems.append(problem.format(count=len(value), most=MAX_PHONES))
    phones = []
    for index, item in enumerate(value):
        where = f"phones[{index}]"
        if not isinstance(item, dict):
            problems.append(_("{where}: must be a mapping with label and number").format(where=where))
            continue
        for key in item:
            if key not in _PHONE_KEYS:
                problem = _("{where}: unknown key '{key}'; use label and number")
                problems.append(problem.format(where=where, key=excerpt(key)))
        label = _text(item.get("label"), f"{where}.label", problems, limit=_LIMITS["label"])
        number = _text(item.get("number"), f"{where}.number", problems, limit=_LIMITS["number"])
        if number and not set(number.lower()) <= _NUMBER_CHARACTERS:
            # Translators: {where} is where in the file, such as phones[0]; .number is the file's key.
            problem = _("{where}.number: '{number}' is not a phone number; use digits, spaces, + - ( )")
            problems.append(problem.format(where=where, number=excerpt(number)))
        elif number and not any(char.isdigit() for char in number):
            problem = _("{where}.number: '{number}' has no digit; give the number to call")
            problems.append(problem.format(where=where, number=excerpt(number)))
        if label and not _visible(label):
            problem = _("{where}.label: has no letter or digit a reader can see; name whom the number reaches")
            problems.append(problem.format(where=where))
        phones.append(Phone(label, number))
    return tuple(phones)


def _text(value: Any, where: str, problems: list[str], *, limit: int | None = None) -> str:
    import unicodedata

    if not isinstance(value, str) or not value.strip():
        problems.append(_("{where}: must be non-empty text").format(where=where))
        return ""
    text = " ".join(value.split())
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in text):
        problems.append(_("{where}: has a control character; remove it").format(where=where))
    most = limit or _LIMITS.get(where, 200)
    if len(text) > most:
        # Translators: {where} is where in the file (clinic, address, phones[0].label...), the file's own keys.
        problem = ngettext(
            "{where}: is {length} character long; shorten it to at most {most}",
            "{where}: is {length} characters long; shorten it to at most {most}",
            len(text),
        )
        problems.append(problem.format(where=where, length=_grouped(len(text)), most=most))
    return text


def _grouped(number: int) -> str:
    """A count with its thousands grouped as the language groups them: 1,234 in English."""
    # Translators: what separates the thousands in a count such as 65,536 (a comma in English). Where a comma is
    # the decimal sign, a no-break space (65 536) cannot be misread.
    return f"{number:,}".replace(",", pgettext("thousands separator", ","))
