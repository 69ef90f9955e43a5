"""Words that neither soften nor harden the source (issue 17, point 5), through the CLI and the status API."""

from __future__ import annotations

import json
from datetime import date

import pytest
from rich.console import Console
from typer.testing import CliRunner

from pumpcare.cli import app
from pumpcare.planning import make_plan
from pumpcare.pumplife import Logged
from pumpcare.render_day import render_today
from pumpcare.rules import RuleSet
from pumpcare.status import day_status

WIDE = {"COLUMNS": "200"}
PLAN = ["--surgery-date", "2026-12-01", "--follow-up", "2027-01-05"]
NOT_REVIEWED_ES = (
    "Esta traducción todavía no ha sido revisada por un profesional de la salud. Si tiene dudas, pregunte a su "
    "equipo médico."
)


def lines_of(result: object) -> list[str]:
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    return result.stdout.splitlines()  # type: ignore[attr-defined]


# ── A restriction bound to the follow-up visit waits for the record, not for the visit's date ──


def test_a_visit_date_that_passed_is_not_a_visit_had(shipped: RuleSet) -> None:
    plan = make_plan(shipped, date(2026, 12, 1), follow_up=date(2027, 1, 5))
    status = day_status(plan, date(2027, 1, 10))
    assert [m.key for m in status.avoid] == ["movement-limits-starts", "until-follow-up-starts"]
    assert [m.key for m in status.opened] == ["no-driving-ends"]
    assert status.visit_not_recorded == date(2027, 1, 5)


def test_a_logged_visit_ends_what_waited_for_it(shipped: RuleSet) -> None:
    history = [Logged("follow-up", date(2027, 1, 5))]
    plan = make_plan(shipped, date(2026, 12, 1), follow_up=date(2027, 1, 5), history=history)
    assert [m.key for m in day_status(plan, date(2027, 1, 5)).avoid][-1] == "until-follow-up-starts"
    status = day_status(plan, date(2027, 1, 6))
    assert [m.key for m in status.avoid] == ["movement-limits-starts"]
    assert [m.key for m in status.opened] == ["no-driving-ends", "until-follow-up-ends"]
    assert status.visit_not_recorded is None


def test_today_says_the_visit_is_not_recorded_yet(runner: CliRunner) -> None:
    lines = lines_of(runner.invoke(app, ["today", *PLAN, "--date", "2027-01-10"], env=WIDE))
    assert (
        "  • No housework, yard work or sex, until you have had your follow-up visit; the visit dated Tue 5 Jan 2027 "
        "is not in your record yet"
    ) in lines
    assert (
        "  • Follow-up visit on Tue 5 Jan 2027: not recorded yet. Once you have had it, record it with "
        "`pumpcare log follow-up`."
    ) in lines
    assert not any("No housework" in line for line in lines[lines.index("Opened up recently") :])


def test_today_json_names_the_visit_not_recorded(runner: CliRunner) -> None:
    document = json.loads(runner.invoke(app, ["today", *PLAN, "--date", "2027-01-10", "--json"]).stdout)
    assert document["follow_up_not_recorded"] == "2027-01-05"
    assert [m["key"] for m in document["avoid"]] == ["movement-limits-starts", "until-follow-up-starts"]


def test_once_logged_the_visit_moves_what_waited_for_it_to_recent_changes(runner: CliRunner) -> None:
    saved = ["plan", "--surgery-date", "2020-01-07", "--follow-up", "2020-02-11", "--save"]
    assert runner.invoke(app, saved).exit_code == 0
    assert runner.invoke(app, ["log", "follow-up", "--date", "2020-02-11"]).exit_code == 0
    lines = lines_of(runner.invoke(app, ["today", "--date", "2020-02-12"], env=WIDE))
    opened = lines[lines.index("Opened up recently") :]
    assert (
        "  • No housework, yard work or sex: ends once you have had your follow-up visit; ask at the visit "
        "(the visit: Tue 11 Feb 2020)."
    ) in opened
    assert not any("not recorded yet" in line for line in lines)


def test_the_spanish_heading_for_recent_changes_grants_nothing(runner: CliRunner) -> None:
    lines = lines_of(runner.invoke(app, ["today", *PLAN, "--date", "2027-01-10", "--lang", "es"], env=WIDE))
    assert "Cambios recientes" in lines
    assert not any("Permitido" in line for line in lines)
    assert (
        "  • No hacer tareas domésticas ni de jardín, ni tener relaciones sexuales, hasta que haya tenido su visita "
        "de control; la visita del mar 5 de enero de 2027 aún no está en su registro"
    ) in lines
    assert (
        "  • Visita de control del mar 5 de enero de 2027: aún no está registrada. Cuando la haya tenido, "
        "regístrela con `pumpcare log follow-up`."
    ) in lines


# ── Where the leaflet says "Avoid", the text says avoid; nothing the leaflet does not say ──

AVOID_TEXTS = {
    "no-bending": "Avoid bending.",
    "no-twisting": "Avoid twisting your body.",
    "no-stretching": "Avoid stretching.",
    "no-lifting": "Avoid lifting anything heavier than 5 pounds.",
    "no-arms-overhead": "Avoid raising your arms above your head.",
    "no-stomach-sleeping": "Avoid sleeping on your stomach.",
    "few-stairs": "Avoid climbing a lot of stairs.",
    "no-long-sitting": "Avoid sitting for long periods of time.",
    "no-driving": "Avoid driving. Ask someone to drive you.",
}


def test_what_the_leaflet_says_to_avoid_is_avoid(shipped: RuleSet) -> None:
    avoided = {rule.id: rule.text for rule in shipped.rules if rule.source.startswith("Avoid")}
    assert avoided == AVOID_TEXTS


def test_no_rule_text_adds_what_the_leaflet_does_not_say(shipped: RuleSet) -> None:
    texts = {rule.id: rule.text for rule in shipped.rules}
    assert texts["arrange-home-help"] == (
        "Before your surgery day, arrange for someone to help you at home after your surgery."
    )
    assert texts["carry-id-card"] == (
        "Carry your implanted device ID card at all times. The pump sets off metal detectors, for example at "
        "airport security gates."
    )


# ── An order outside the rule file's range says so on the patient's own output ──

ORDER = [*PLAN, "--set", "no-driving=1d"]


def test_an_order_outside_the_leaflet_says_so_in_today(runner: CliRunner) -> None:
    lines = lines_of(runner.invoke(app, ["today", *ORDER, "--date", "2026-12-01"], env=WIDE))
    assert "  • No driving (your care team's order; the leaflet says 2–4 weeks), until Wed 2 Dec 2026" in lines
    lines = lines_of(runner.invoke(app, ["next", *ORDER, "--date", "2026-12-01"], env=WIDE))
    assert (
        "  • tomorrow, Wed 2 Dec 2026: No driving: ends (your care team's order; the leaflet says 2–4 weeks)" in lines
    )


def test_an_order_outside_the_leaflet_says_so_in_the_plan_calendar_and_json(runner: CliRunner) -> None:
    text = " ".join(lines_of(runner.invoke(app, ["plan", *ORDER], env=WIDE)))
    assert "No driving, until 2 Dec 2026 (your care team's order; the leaflet says 2–4 weeks)" in text
    assert "No driving: ends (your care team's order; the leaflet says 2–4 weeks)" in text
    document = json.loads(runner.invoke(app, ["plan", *ORDER, "--json"]).stdout)
    driving = next(m for m in document["milestones"] if m["key"] == "no-driving-ends")
    assert driving["leaflet_timing"] == {"anchor": "surgery", "earliest": "2w", "latest": "4w"}


def test_an_order_inside_the_leaflet_needs_no_comparison(runner: CliRunner) -> None:
    lines = lines_of(runner.invoke(app, ["today", *PLAN, "--set", "no-driving=3w", "--date", "2026-12-01"], env=WIDE))
    assert "  • No driving (your care team's order), until Tue 22 Dec 2026" in lines


def test_an_order_outside_the_leaflet_says_so_in_spanish(runner: CliRunner) -> None:
    lines = lines_of(runner.invoke(app, ["today", *ORDER, "--date", "2026-12-01", "--lang", "es"], env=WIDE))
    assert (
        "  • No conducir (indicación de su equipo médico; el folleto dice 2–4 semanas), hasta el mié 2 de diciembre "
        "de 2026"
    ) in lines


# ── OVERDUE is bold red on a colour terminal ──


def test_overdue_lines_are_bold_red_on_a_colour_terminal(shipped: RuleSet) -> None:
    from pumpcare.schedule import RefillSchedule

    plan = make_plan(shipped, date(2026, 12, 1), refills=RefillSchedule(date(2027, 1, 26), parse_every("12w")))
    console = Console(force_terminal=True, color_system="standard", width=200)
    with console.capture() as captured:
        console.print(render_today(plan, day_status(plan, date(2027, 2, 1))))
    assert (
        "! \x1b[1;31mOVERDUE: the pump refill was due on Tue 26 Jan 2027, 6 days ago, and no refill is recorded."
        "\x1b[0m\n"
    ) in captured.get()


def parse_every(text: str) -> object:
    from pumpcare.durations import parse_duration

    return parse_duration(text)


# ── Spanish ──


def test_spanish_stops_only_the_medicines_the_doctor_names(runner: CliRunner) -> None:
    text = " ".join(" ".join(lines_of(runner.invoke(app, ["plan", *PLAN, "--lang", "es"], env=WIDE))).split())
    assert "Deje solo los medicamentos que su médico le diga" in text
    assert "Deje los medicamentos que le indicó su médico" not in text


@pytest.mark.parametrize(
    ("rule_id", "title", "text"),
    [
        (
            "no-lifting",
            "No levantar más de 5 libras (unos 2,3 kg)",
            "Evite levantar nada que pese más de 5 libras (unos 2,3 kg).",
        ),
        (
            "walk-further",
            "Aumente hasta 1–2 millas (1,6–3,2 km) al día",
            "A partir de 2 semanas después de la cirugía, camine cada vez más lejos, poco a poco, hasta llegar a "
            "1–2 millas (1,6–3,2 km) al día.",
        ),
    ],
)
def test_spanish_gives_kilograms_and_kilometres_beside_pounds_and_miles(
    runner: CliRunner, rule_id: str, title: str, text: str
) -> None:
    document = json.loads(runner.invoke(app, ["plan", *PLAN, "--json", "--lang", "es"]).stdout)
    rules = {rule["id"]: rule for m in document["milestones"] for rule in m["rules"]}
    assert (rules[rule_id]["title"], rules[rule_id]["text"]) == (title, text)


def test_the_spanish_plan_prints_no_english_sentence(runner: CliRunner) -> None:
    text = " ".join(" ".join(lines_of(runner.invoke(app, ["plan", *PLAN, "--lang", "es"], env=WIDE))).split())
    assert (
        "`pumpcare plan --refill-every 12w --first-refill YYYY-MM-DD --save`, o `--next-refill YYYY-MM-DD` con la "
        "fecha de la hoja impresa del programador de la bomba."
    ) in text
    assert "from the pump programmer's printout" not in text


def test_log_and_history_in_spanish_say_the_translation_is_not_reviewed(runner: CliRunner) -> None:
    saved = ["plan", "--surgery-date", "2020-01-07", "--follow-up", "2020-02-11", "--save"]
    assert runner.invoke(app, saved).exit_code == 0
    logged = runner.invoke(app, ["log", "follow-up", "--date", "2020-02-11", "--lang", "es"], env=WIDE)
    assert logged.exit_code == 0, logged.output
    assert logged.stderr.splitlines()[-1] == NOT_REVIEWED_ES
    history = lines_of(runner.invoke(app, ["history", "--lang", "es"], env=WIDE))
    assert history[:2] == ["Lo que ha pasado · cirugía de la bomba el mar 7 de enero de 2020", NOT_REVIEWED_ES]
    english = lines_of(runner.invoke(app, ["history"], env=WIDE))
    assert english[1] == "  • Follow-up visit on Tue 11 Feb 2020."


def test_the_spanish_calendar_says_the_translation_is_not_reviewed(runner: CliRunner, tmp_path: object) -> None:
    from pathlib import Path

    out = Path(str(tmp_path)) / "plan.ics"
    assert runner.invoke(app, ["plan", *PLAN, "--ics", str(out), "--lang", "es"]).exit_code == 0
    unfolded = out.read_bytes().decode("utf-8").replace("\r\n ", "").replace("\\,", ",")
    description = next(line for line in unfolded.splitlines() if line.startswith("X-WR-CALDESC:"))
    assert NOT_REVIEWED_ES in description


def test_the_readme_quotes_the_note_as_printed() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert NOT_REVIEWED_ES in " ".join(readme.split())
