"""The second language: how it is chosen, what it changes (words, dates, numbers) and what it must not (UIDs)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import icalendar
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis.strategies import dates
from typer.testing import CliRunner

from pumpcare import i18n
from pumpcare.cli import app
from pumpcare.durations import Duration
from pumpcare.planning import make_plan
from pumpcare.rule_file import load_rules
from pumpcare.wording import days_phrase, duration_words, format_date

ROOT = Path(__file__).resolve().parent.parent
PLAN = ["plan", "--surgery-date", "2026-12-01", "--follow-up", "2027-01-05", "--refill-every", "12w"]
PLAN += ["--first-refill", "2027-01-26"]
NOT_REVIEWED_ES = "Esta traducción todavía no ha sido revisada por un profesional de la salud."


@pytest.mark.parametrize(
    ("option", "environ", "expected"),
    [
        (None, {}, "en"),
        ("es", {}, "es"),
        ("ES", {}, "es"),
        ("es-MX", {}, "es"),
        ("en", {"PUMPCARE_LANG": "es"}, "en"),  # --lang beats the variable
        (None, {"PUMPCARE_LANG": "es", "LANG": "en_US.UTF-8"}, "es"),
        (None, {"LANG": "es_ES.UTF-8"}, "es"),
        (None, {"LANG": "es_MX.UTF-8@euro"}, "es"),
        (None, {"LC_ALL": "es_AR.UTF-8", "LANG": "en_GB.UTF-8"}, "es"),
        (None, {"LC_ALL": "C", "LANG": "es_ES.UTF-8"}, "en"),  # as gettext: the first one set decides
        (None, {"LC_MESSAGES": "es_ES", "LANG": "en_US"}, "es"),
        (None, {"LANGUAGE": "fr:es:en", "LANG": "en_US"}, "es"),  # LANGUAGE is a list of preferences
        (None, {"LANGUAGE": ":es"}, "es"),  # an empty entry is skipped, not read as English
        (None, {"LANGUAGE": "fr", "LANG": "es_ES.UTF-8"}, "es"),  # none of the list shipped: on to LANG
        (None, {"LANG": "fr_FR.UTF-8"}, "en"),  # a French desktop gets English, the fallback
        (None, {"LANG": "POSIX"}, "en"),
        (None, {"LANG": ""}, "en"),
    ],
)
def test_the_language_comes_from_the_option_then_the_variable_then_the_locale(
    option: str | None, environ: dict[str, str], expected: str
) -> None:
    assert i18n.choose(option, environ) == expected


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--lang", "fr"], {}, "pumpcare: --lang 'fr' is not a language pumpcare speaks; use en (English) and es"),
        ([], {"PUMPCARE_LANG": "de"}, "pumpcare: PUMPCARE_LANG 'de' is not a language pumpcare speaks; use en"),
    ],
)
def test_a_language_asked_for_by_name_that_is_not_shipped_is_refused(
    runner: CliRunner, args: list[str], env: dict[str, str], message: str
) -> None:
    result = runner.invoke(app, [*PLAN, *args], env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--lang", "es", "--surgery-date", "2026-12-01"], {}),
        (["--surgery-date", "2026-12-01", "--lang", "es"], {}),
        (["--surgery-date", "2026-12-01", "--lang=es"], {}),
        (["--surgery-date", "2026-12-01"], {"PUMPCARE_LANG": "es"}),
        (["--surgery-date", "2026-12-01"], {"LANG": "es_ES.UTF-8"}),
    ],
)
def test_an_error_speaks_the_language_asked_for_wherever_it_is_asked(
    runner: CliRunner, args: list[str], env: dict[str, str]
) -> None:
    # Refused as the arguments are first read, before any option is: the language is chosen before that.
    unreadable = runner.invoke(app, ["plan", *args, "--patient-label", "\udcff"], env=env)
    assert unreadable.exit_code == 1
    assert (
        unreadable.stderr == "pumpcare: el argumento '\\xff' tiene bytes que no son texto (UTF-8); escríbalo de nuevo\n"
    )
    # Refused once the options are read, before any plan is made.
    clash = runner.invoke(app, ["plan", *args, "--json", "--ics", "-"], env=env)
    assert clash.exit_code == 1
    assert clash.stderr.startswith("pumpcare: --json y --ics - escriben los dos en la salida estándar")
    # Refused by the core, for the date given.
    wrong = runner.invoke(app, ["plan", *[a.replace("2026-12-01", "2026-13-01") for a in args]], env=env)
    assert wrong.exit_code == 1
    assert wrong.stderr.startswith("pumpcare: ")
    assert "fecha de la cirugía" in wrong.stderr


def test_a_command_without_lang_speaks_the_language_of_the_variable(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "list", "\udcff"], env={"PUMPCARE_LANG": "es"})
    assert result.exit_code == 1
    assert result.stderr.startswith("pumpcare: el argumento '\\xff' tiene bytes que no son texto")


def test_an_unknown_language_is_refused_in_english_and_another_option_cannot_hide_it(runner: CliRunner) -> None:
    result = runner.invoke(app, ["plan", "--surgery-date", "2026-13-01", "--lang", "xx"], env={"PUMPCARE_LANG": "es"})
    assert result.exit_code == 1
    assert result.stderr == (
        "pumpcare: --lang 'xx' is not a language pumpcare speaks; use en (English) and es (Spanish)\n"
    )
    # --lang is read first, whatever comes before it; a language the variable names is not refused when --lang
    # names one, and a command without --lang speaks the variable's.
    both = runner.invoke(
        app, ["plan", "--surgery-date", "2026-12-01", "--json", "--lang", "es"], env={"PUMPCARE_LANG": "de"}
    )
    assert both.exit_code == 0, both.output
    assert json.loads(both.stdout)["language"] == "es"


def test_spanish_dates_numbers_and_plurals_come_from_cldr_not_the_machine() -> None:
    with i18n.speaking("es"):
        assert format_date(date(2026, 12, 1), weekday=False) == "1 de diciembre de 2026"
        assert format_date(date(2026, 12, 1)) == "mar 1 de diciembre de 2026"
        assert days_phrase(1) == "mañana"
        assert days_phrase(-1) == "hace 1 día"
        assert days_phrase(-3) == "hace 3 días"
        assert duration_words(Duration(1, "weeks")) == "1 semana"
        assert duration_words(Duration(12, "weeks")) == "12 semanas"
        assert i18n.format_number(__import__("fractions").Fraction(1, 4)) == "0,25"
    assert format_date(date(2026, 12, 1)) == "Tue 1 Dec 2026"  # and back to English after the block


def test_the_same_plan_in_spanish_by_option_variable_or_locale(runner: CliRunner) -> None:
    by_option = runner.invoke(app, [*PLAN, "--lang", "es"])
    by_variable = runner.invoke(app, PLAN, env={"PUMPCARE_LANG": "es"})
    by_locale = runner.invoke(app, PLAN, env={"LANG": "es_ES.UTF-8"})  # a locale this machine need not have
    assert by_option.exit_code == by_variable.exit_code == by_locale.exit_code == 0
    assert by_option.stdout == by_variable.stdout == by_locale.stdout
    text = " ".join(by_option.stdout.split())
    assert "cirugía de la bomba el mar 1 de diciembre de 2026" in text
    assert "No conducir" in text
    assert text.count(" ".join(NOT_REVIEWED_ES.split())) == 1
    assert "pumpcare: warning" not in by_option.stderr  # every shipped rule has its translation


@pytest.mark.parametrize(
    "args",
    [
        ["--date", "2026-12-20"],
        ["--date", "2027-05-01", "--json"],
    ],
)
def test_today_in_spanish_says_once_that_the_translation_is_not_reviewed(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(app, ["today", *PLAN[1:], *args, "--lang", "es"])
    assert result.exit_code == 0, result.output
    if "--json" in args:
        document = json.loads(result.stdout)
        assert document["language"] == "es"
        assert document["translation"] == {"reviewed_by": None, "note": NOT_REVIEWED_ES + _ASK_ES}
        assert "equipo médico" in document["disclaimer"]
    else:
        assert " ".join(result.stdout.split()).count(" ".join(NOT_REVIEWED_ES.split())) == 1


_ASK_ES = " Si tiene dudas, pregunte a su equipo médico."


def test_switching_language_updates_the_calendar_events_instead_of_adding_new_ones(
    runner: CliRunner, tmp_path: Path
) -> None:
    english, spanish = tmp_path / "en.ics", tmp_path / "es.ics"
    assert runner.invoke(app, [*PLAN, "--ics", str(english)]).exit_code == 0
    assert runner.invoke(app, [*PLAN, "--ics", str(spanish), "--lang", "es"]).exit_code == 0
    events = {}
    for path in (english, spanish):
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        events[path.stem] = {str(e["UID"]): str(e["SUMMARY"]) for e in calendar.walk("VEVENT")}
    assert list(events["en"]) == list(events["es"])
    assert events["en"] != events["es"]  # same events, new words
    assert "Visita de recarga de la bomba" in events["es"].values()


def test_a_clinic_text_without_a_translation_shows_in_english_and_is_reported(
    runner: CliRunner, tmp_path: Path
) -> None:
    clinic = tmp_path / "clinic.yaml"
    shipped = (ROOT / "data" / "aftercare.yaml").read_text(encoding="utf-8")
    clinic.write_text(shipped.replace("title: No driving\n", "title: No driving at all\n"), encoding="utf-8")
    result = runner.invoke(app, [*PLAN, "--rules", str(clinic), "--lang", "es"])
    assert result.exit_code == 0
    assert "No driving at all" in result.stdout  # the clinic's own English, not a translation of other words
    assert "No conducir" not in result.stdout
    assert result.stderr == (
        "pumpcare: aviso: 1 texto del archivo de reglas no tiene traducción al español y se muestra en inglés; "
        "`pumpcare rules check` lo indica\n"
    )
    check = runner.invoke(app, ["rules", "check", str(clinic)])
    assert check.exit_code == 0
    assert check.stdout.startswith(
        f"{clinic}: note: no Spanish translation for 1 text, shown in English when pumpcare speaks Spanish (es): "
        "no-driving (title)\n"
    )


def test_the_shipped_rule_file_is_translated_in_full(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "check", str(ROOT / "data" / "aftercare.yaml")])
    assert result.exit_code == 0
    assert "note:" not in result.stdout


def test_a_reviewed_catalog_says_who_reviewed_it_and_drops_the_note(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = i18n.LOCALE_DIR / "es" / "LC_MESSAGES" / "pumpcare.po"
    with shipped.open("rb") as stream:
        catalog = read_po(stream, locale="es")
    catalog.get(i18n.REVIEW_MESSAGE, context=i18n.REVIEW_CONTEXT).string = "Dr A. Example, medical translator, 2027"
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    mo = io.BytesIO()
    write_mo(mo, catalog)
    (folder / "pumpcare.mo").write_bytes(mo.getvalue())
    (tmp_path / "es" / i18n.NAMES_FILE).write_bytes((i18n.LOCALE_DIR / "es" / i18n.NAMES_FILE).read_bytes())
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "_loaded", {"en": i18n.load("en")})

    result = runner.invoke(app, ["today", *PLAN[1:], "--date", "2026-12-20", "--json", "--lang", "es"])
    document = json.loads(result.stdout)
    assert "translation" not in document
    assert i18n.load("es").reviewed_by == "Dr A. Example, medical translator, 2027"
    text = runner.invoke(app, [*PLAN, "--lang", "es"]).stdout
    assert "revisada" not in text


def test_a_split_group_is_named_in_the_plans_language_whatever_is_spoken_when_read(shipped: object) -> None:
    from pumpcare.schedule import Override

    orders = [Override("no-lifting", Duration(10, "weeks"), Duration(10, "weeks"))]
    english = make_plan(load_rules(), date(2026, 12, 1), overrides=orders, lang="en")
    spanish = make_plan(load_rules(), date(2026, 12, 1), overrides=orders, lang="es")
    with i18n.speaking("es"):  # a title is made with the plan, not when it is read
        assert next(m for m in english.milestones if m.left_out).title == (
            "Movement limits, except no lifting over 5 pounds"
        )
    title = next(m for m in spanish.milestones if m.left_out).title
    assert ", excepto " in title
    assert "Movement" not in title
    assert "lifting" not in title


def test_a_plan_made_in_spanish_writes_spanish_from_code_that_never_chose_a_language(shipped: object) -> None:
    import pumpcare

    plan = pumpcare.make_plan(pumpcare.load_rules(), date(2026, 12, 1), follow_up=date(2027, 1, 5), lang="es")
    assert i18n.current().code == "en"  # nothing was switched for the caller
    stamp = datetime(2026, 12, 1, tzinfo=timezone.utc)
    with i18n.speaking("en"):
        calendar = pumpcare.calendar_ics(plan, stamp=stamp).decode().replace("\r\n ", "")
        document = json.loads(pumpcare.plan_json(plan))
        careplan = json.loads(pumpcare.careplan_fhir(plan))
        sheet = pumpcare.make_sheet(plan)
    english = pumpcare.make_plan(pumpcare.load_rules(), date(2026, 12, 1), follow_up=date(2027, 1, 5))
    no_driving = pumpcare.in_language(pumpcare.load_rules(), "es").get("no-driving")
    assert no_driving is not None
    assert no_driving.title != "No driving"
    assert no_driving.title in calendar
    assert no_driving.title in json.dumps(document, ensure_ascii=False)
    assert "No driving" not in calendar
    assert "No driving" not in json.dumps(document, ensure_ascii=False)
    assert "Ask your care team" not in calendar
    assert "Window opens" not in calendar
    assert "No driving" in pumpcare.calendar_ics(english, stamp=stamp).decode().replace("\r\n ", "")
    assert careplan["language"] == "es"
    assert sheet.lang == "es"
    assert "No driving" not in repr(sheet)
    assert no_driving.title in repr(sheet)


def test_rules_already_in_one_language_are_not_translated_into_another(shipped: object) -> None:
    from pumpcare.rule_words import in_language

    spanish = in_language(load_rules(), "es")
    assert in_language(spanish, "es") is spanish
    with pytest.raises(ValueError, match="give the rules as loaded"):
        make_plan(spanish, date(2026, 12, 1), lang="en")


def test_the_scheduler_asks_no_catalog() -> None:
    source = (ROOT / "src" / "pumpcare" / "schedule.py").read_text(encoding="utf-8")
    assert "i18n" not in source
    assert "gettext" not in source


def test_the_catalogs_are_in_step_with_the_code_and_the_rule_file() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_catalogs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_message_has_its_spanish_translation() -> None:
    with (i18n.LOCALE_DIR / "es" / "LC_MESSAGES" / "pumpcare.po").open("rb") as stream:
        catalog = read_po(stream, locale="es")
    missing = [
        message.id
        for message in catalog
        if message.id and message.context != i18n.REVIEW_CONTEXT and not all(_forms(message.string))
    ]
    assert missing == []
    assert not catalog.get(i18n.REVIEW_MESSAGE, context=i18n.REVIEW_CONTEXT).string  # nobody has reviewed it


def _forms(string: str | tuple[str, ...]) -> tuple[str, ...]:
    return string if isinstance(string, tuple) else (string,)


def test_no_command_imports_babel() -> None:
    command = [sys.executable, "-X", "importtime", "-m", "pumpcare", *PLAN, "--date", "2026-12-20"]
    english = subprocess.run(command, capture_output=True, text=True, check=True)
    assert " babel" not in english.stderr
    spanish = subprocess.run([*command, "--lang", "es"], capture_output=True, text=True, check=True)
    assert " babel" not in spanish.stderr
    assert "1 de diciembre de 2026" in spanish.stdout


@settings(max_examples=300, deadline=None)
@given(day=dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_every_spanish_date_pattern_reads_as_babel_writes_it(day: date) -> None:
    from babel.dates import format_date as babel_format_date

    names = i18n.read_names(i18n.LOCALE_DIR / "es" / i18n.NAMES_FILE)
    with (i18n.LOCALE_DIR / "es" / "LC_MESSAGES" / "pumpcare.po").open("rb") as stream:
        catalog = read_po(stream, locale="es")
    in_i18n = [m for m in catalog if m.string and any(p.endswith("i18n.py") for p, _ in m.locations)]
    patterns = [m.string for m in in_i18n if re.fullmatch(r"[EdMy ]+", str(m.id))]
    assert len(patterns) == 7  # four long forms and three compact ones
    for pattern in patterns:
        assert i18n.format_pattern(day, pattern, names) == babel_format_date(day, pattern, locale="es")


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_the_spanish_sheet_handed_over_at_discharge_is_one_page(runner: CliRunner, tmp_path: Path, paper: str) -> None:
    import pypdf

    out = tmp_path / "hoja.pdf"
    args = ["handout", *PLAN[1:], "--patient-label", "Cama 4", "--date", "2026-12-01", "--paper", paper]
    result = runner.invoke(app, [*args, "--lang", "es", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Cuándo llamar a su equipo médico" in text
    assert "Esta traducción todavía no ha sido revisada" in text


def test_a_batch_says_once_what_its_rule_file_lacks_in_spanish(runner: CliRunner, tmp_path: Path) -> None:
    clinic = tmp_path / "clinic.yaml"
    shipped = (ROOT / "data" / "aftercare.yaml").read_text(encoding="utf-8")
    clinic.write_text(shipped.replace("title: No driving\n", "title: No driving at all\n"), encoding="utf-8")
    rows = "".join(f"Cama {n},2026-12-0{n},,,,\n" for n in range(1, 4))
    source = tmp_path / "altas.csv"
    source.write_text("label,surgery_date,follow_up,refill_every,first_refill,overrides\n" + rows, encoding="utf-8")
    args = ["batch", str(source), "--out-dir", str(tmp_path / "out"), "--html", "--rules", str(clinic), "--lang", "es"]
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert result.stderr.count("no tiene traducción al español") == 1
    assert "Rows with warnings" not in result.stdout  # not a warning about each patient
    sheet = (tmp_path / "out" / "0002-Cama-1.html").read_text(encoding="utf-8")
    assert "No driving at all" in sheet
    assert "Límites de movimiento" in sheet


def test_a_spanish_batch_sheet_is_the_same_one_page_as_the_handout(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "altas.csv"
    source.write_text(
        "label,surgery_date,follow_up,refill_every,first_refill,overrides\n"
        "Bed 4,2026-11-24,2026-12-29,12w,2027-01-19,\n",  # past: the sheets are made at discharge
        encoding="utf-8",
    )
    env = {"COLUMNS": "200", "SOURCE_DATE_EPOCH": "1795000000"}
    batch = ["batch", str(source), "--out-dir", str(tmp_path / "out"), "--lang", "es"]
    assert runner.invoke(app, batch, env=env).exit_code == 0
    plan = ["--surgery-date", "2026-11-24", "--follow-up", "2026-12-29", "--refill-every", "12w"]
    plan += ["--first-refill", "2027-01-19", "--patient-label", "Bed 4"]
    handout = [*plan, "--out", str(tmp_path / "hoja.pdf"), "--lang", "es"]
    result = runner.invoke(app, ["handout", *handout], env=env)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr
    assert (tmp_path / "out" / "0002-Bed-4.pdf").read_bytes() == (tmp_path / "hoja.pdf").read_bytes()


def test_a_thread_speaking_spanish_leaves_the_others_in_english() -> None:
    import threading

    from pumpcare.wording import disclaimer

    inside, done = threading.Barrier(2), threading.Barrier(2)
    heard: dict[str, str] = {}

    def spanish() -> None:
        with i18n.speaking("es"):
            inside.wait()  # the other thread speaks while this one is inside its block
            heard["es"] = disclaimer()
            done.wait()

    def english() -> None:
        inside.wait()
        heard["en"] = disclaimer()
        done.wait()

    threads = [threading.Thread(target=spanish), threading.Thread(target=english)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert heard["en"].startswith("pumpcare reminds you")
    assert heard["es"].startswith("pumpcare le recuerda")
