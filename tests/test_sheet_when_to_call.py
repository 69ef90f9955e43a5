"""The sheet says what the calendar says: the drug's warning and what to do when the pump alarm sounds.

`plan`, the OVERDUE banner and every refill event carry the drug's labelled warning; the calendar carries the
pump-alarms rule's text. The sheet prints the same words under "When to call your care team", in both languages
and both print sizes, and keeps that block and the phone numbers together, on page 1.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner

from pumpcare.cli import app

STANDARD = [
    "--surgery-date", "2026-12-01", "--follow-up", "2027-01-05",
    "--refill-every", "12w", "--first-refill", "2027-01-26",
    "--date", "2026-12-03",  # handed over at discharge: no "Before surgery"; the same bytes every day
]  # fmt: skip
WORDS = {
    "en": {
        "heading": "When to call your care team",
        "drug": (
            "Your pump holds baclofen. If it stops suddenly (a missed refill, an empty pump, a pump that stops), "
            "baclofen withdrawal can follow: high fever, confusion or a changed mental state, spasms and stiff "
            "muscles coming back strongly. In rare cases this has led to organ failure and death. Keep every refill "
            "visit. Ask your care team what the early signs of withdrawal are, and make sure your caregivers know "
            "them too."
        ),
        "alarm": (
            "Know your pump's alarm sounds. Your pump can sound an alarm: a three-second two-tone sound, or a "
            "one-second single tone. It sounds when the pump needs a refill, needs replacing, or has a problem. If "
            "you hear it, call your pump clinic."
        ),
        "every day": "From surgery on: Carry your device ID card: the pump sets off metal detectors · Back to "
        "normal, little by little",
        "withdrawal": "Know the signs of withdrawal.",
        "avoid": "Avoid",
        "two pages": "the sheet runs to 2 pages",
    },
    "es": {
        "heading": "Cuándo llamar a su equipo médico",
        "drug": (
            "Su bomba contiene baclofeno. Si se interrumpe de repente (una recarga que no se hizo, una bomba vacía, "
            "una bomba que se detiene), puede aparecer abstinencia de baclofeno: fiebre alta, confusión o un cambio "
            "del estado mental, y espasmos y rigidez muscular que vuelven con fuerza. En casos raros, esto ha "
            "causado fallo de órganos y la muerte. No falte a ninguna visita de recarga. Pregunte a su equipo médico "
            "cuáles son los primeros signos de abstinencia, y asegúrese de que sus cuidadores también los conozcan."
        ),
        "alarm": (
            "Conozca los sonidos de alarma de su bomba. Su bomba puede emitir una alarma: un sonido de dos tonos de "
            "tres segundos, o un solo tono de un segundo. Suena cuando la bomba necesita una recarga, necesita un "
            "reemplazo o tiene un problema. Si la oye, llame a su clínica de la bomba."
        ),
        "every day": "Desde la cirugía: Lleve su tarjeta de identificación del dispositivo: la bomba activa los "
        "detectores de metales · Vuelva a la normalidad, poco a poco",
        "withdrawal": "Conozca los signos de abstinencia.",
        "avoid": "Evite",
        "two pages": "la hoja ocupa 2 páginas",
    },
}
CLINIC = (
    "clinic: Riverside Pain Clinic\n"
    "phones:\n  - label: Pump clinic\n    number: 555-0100\n  - label: After hours\n    number: 555-0199\n"
    "address: 12 River Road, Springfield, Building C, Second Floor, Suite 210\n"
    "note: Bring your pump card to every visit. Call us before any MRI scan, and if you move house.\n"
)


def handout(runner: CliRunner, tmp_path: Path, *extra: str, name: str = "sheet.pdf") -> Path:
    out = tmp_path / name
    result = runner.invoke(app, ["handout", *STANDARD, *extra, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def pages(path: Path) -> list[str]:
    """Each page's text as a reader gets it, white space run together."""
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages]


def html_text(path: Path) -> str:
    text = re.sub(r"<style>.*?</style>|<svg.*?</svg>", " ", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text).replace("&#x27;", "'")
    return " ".join(text.split())


def clinic_file(tmp_path: Path) -> str:
    profile = tmp_path / "clinic.yaml"
    profile.write_text(CLINIC, encoding="utf-8")
    return str(profile)


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("large", [False, True], ids=["normal-print", "large-print"])
def test_the_drug_warning_and_the_alarm_line_are_under_when_to_call(
    runner: CliRunner, tmp_path: Path, lang: str, large: bool
) -> None:
    words = WORDS[lang]
    extra = ["--drug", "baclofen", "--lang", lang, *(["--large-print"] if large else [])]
    pdf = pages(handout(runner, tmp_path, *extra))
    html = html_text(handout(runner, tmp_path, *extra, name="sheet.html"))
    for text in (pdf[0], html):  # all of "When to call" is on page 1, whatever spills
        start = text.index(words["heading"])
        # The warning first, word for word as `plan` and the calendar give it; then the rules, the alarm's among them.
        assert text[start:].startswith(f"{words['heading']} {words['drug']} ")
        assert words["alarm"] in text[start:]
        assert text.index(words["alarm"]) < text.index(words["withdrawal"])
        assert text.count(words["drug"]) == 1
        assert text.count(words["alarm"]) == 1
    # The alarm is not named again among every day's reminders.
    assert words["every day"] in " ".join(pdf)
    assert words["every day"] in html


@pytest.mark.parametrize("lang", ["en", "es"])
def test_without_a_drug_the_sheet_has_the_alarm_line_and_no_warning(
    runner: CliRunner, tmp_path: Path, lang: str
) -> None:
    words = WORDS[lang]
    (text,) = pages(handout(runner, tmp_path, "--lang", lang))
    assert words["alarm"] in text
    assert "baclofen" not in text.lower()


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("drug", [[], ["--drug", "baclofen"]], ids=["no-drug", "baclofen"])
@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("clinic", [False, True], ids=["no-clinic", "clinic"])
def test_the_standard_plan_is_one_page(
    runner: CliRunner, tmp_path: Path, lang: str, drug: list[str], paper: str, clinic: bool
) -> None:
    profile = ["--clinic", clinic_file(tmp_path)] if clinic else []
    sheet = pages(handout(runner, tmp_path, "--lang", lang, "--paper", paper, *drug, *profile))
    assert len(sheet) == 1


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("drug", [[], ["--drug", "baclofen"]], ids=["no-drug", "baclofen"])
def test_large_print_with_a_clinic_keeps_when_to_call_and_the_numbers_together_on_page_1(
    runner: CliRunner, tmp_path: Path, lang: str, drug: list[str]
) -> None:
    words = WORDS[lang]
    args = ["--large-print", "--lang", lang, "--clinic", clinic_file(tmp_path), *drug]
    result = runner.invoke(app, ["handout", *STANDARD, *args, "--out", str(tmp_path / "sheet.pdf")])
    assert result.exit_code == 0, result.output
    first, *rest = pages(tmp_path / "sheet.pdf")
    assert len(rest) == 1  # 14 pt with an address and a note runs over: the checklists go on, never the numbers
    assert words["two pages"] in result.stderr
    # Right under the time line: when to call, the clinic and its numbers; then the checklists, which run on.
    _time_line, call = first.split(f" {words['heading']} ")
    block, checklists = call.split(f" {words['avoid']} ")
    assert checklists  # the checklists start on page 1 and go on to page 2
    assert block.startswith(words["drug"]) == bool(drug)
    assert words["alarm"] in block
    assert block.endswith(
        "Riverside Pain Clinic · 12 River Road, Springfield, Building C, Second Floor, Suite 210 · Bring your pump "
        "card to every visit. Call us before any MRI scan, and if you move house. Pump clinic: 555-0100 After "
        "hours: 555-0199"
    )
    assert "555-01" not in rest[0]
    assert words["heading"] not in rest[0]
