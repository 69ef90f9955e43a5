"""The plan's inputs, declared once: each one's option, help, CSV column and record key. No imports: the command
line reads it at start-up to build every command's options."""

from __future__ import annotations

from typing import NamedTuple


class InputSpec(NamedTuple):
    """One input a plan is made from, declared once: every command, the batch and the record take it from here."""

    field: str  # its PlanInputs field, which is also its key in the saved record
    option: str  # on the command line
    metavar: str
    help: str
    column: str | None  # its column in a batch's CSV file; None where a batch does not take it
    kind: str = "text"  # "text", "list" (repeatable; ';' between items in a CSV cell) or "path"
    saved: bool = True  # kept in the record under its field's name


# The plan's inputs, in the order `--help` lists them. Adding an input is a row here and its parser in plan_from.
PLAN_INPUTS: tuple[InputSpec, ...] = (
    InputSpec("surgery_date", "--surgery-date", "DATE",
              "Day of the pump surgery, as YYYY-MM-DD (default: the saved plan's).", "surgery_date"),
    InputSpec("follow_up", "--follow-up", "DATE",
              "Day of the follow-up visit (YYYY-MM-DD); restrictions tied to it end then.", "follow_up"),
    InputSpec("refill_every", "--refill-every", "DURATION",
              "How often the pump is refilled, such as 12w or 3mo.", "refill_every"),
    InputSpec("first_refill", "--first-refill", "DATE", "Day of the first refill visit, as YYYY-MM-DD.",
              "first_refill"),
    InputSpec("next_refill", "--next-refill", "DATE",
              "The next refill's date from the pump programmer's printout (YYYY-MM-DD).", "next_refill"),
    InputSpec("drug", "--drug", "DRUG", "The drug in the pump, from the rule file's list.", "drug"),
    InputSpec("fill_volume", "--fill-volume", "VOLUME", "Volume put in the pump, such as 20mL.", "fill_volume"),
    InputSpec("concentration", "--concentration", "CONC", "The drug's concentration, such as 2mg/mL or 500mcg/mL.",
              "concentration"),
    InputSpec("daily_dose", "--daily-dose", "DOSE", "The daily dose, such as 0.5mg/day.", "daily_dose"),
    InputSpec("alarm_volume", "--alarm-volume", "VOLUME",
              "The low-reservoir alarm volume, such as 2mL; needed with the numbers unless the rule file sets it.",
              "alarm_volume"),
    InputSpec("orders", "--set", "RULE_ID=DURATION",
              "A clinician's order replacing a rule's window: no-driving=6w or no-lifting=8w..12w. Repeatable.",
              "overrides", kind="list", saved=False),
    InputSpec("rules_file", "--rules", "FILE", "A clinic's own rule file instead of the shipped one.", None,
              kind="path", saved=False),
)  # fmt: skip
# Who the plan is for: on the outputs that name the patient (plan, handout, sync) and a batch's rows; the record
# keeps it after its rules' name, not among the inputs above.
PATIENT_LABEL = InputSpec(
    "patient_label", "--patient-label", "TEXT",
    "A name or label for the calendar and the start of each event's title. Left out unless given.",
    "label", saved=False,
)  # fmt: skip
# The programmer's numbers, which `log refill` takes for one refill (the alarm volume for every later one).
PUMP_NUMBERS = ("fill_volume", "concentration", "daily_dose", "alarm_volume")


def spec(field: str) -> InputSpec:
    """The declared input of a PlanInputs field."""
    return next(item for item in PLAN_INPUTS if item.field == field)


def option_names() -> dict[str, str]:
    """How each input is named in messages on the command line: its option."""
    return {item.field: item.option for item in PLAN_INPUTS}


def column_names() -> dict[str, str]:
    """How each input is named in a batch's messages: its CSV column."""
    return {item.field: item.column for item in PLAN_INPUTS if item.column is not None}
