"""The pump's words: refills, the battery, and the record of what happened. Gettext messages, like wording's."""

from __future__ import annotations

from datetime import date

from pumpcare.i18n import format_number, ngettext
from pumpcare.i18n import gettext as _
from pumpcare.pumplife import Logged, NumbersInUse, RefillDue
from pumpcare.quantities import Fill
from pumpcare.schedule import Plan
from pumpcare.timing_words import duration_words
from pumpcare.wording import days_phrase, every_phrase, format_date


def overdue_word() -> str:
    """A word, not only a colour: it must reach a screen reader and a monochrome terminal."""
    return _("OVERDUE")


def refill_sentence(due: RefillDue, days_away: int) -> str:
    """The next refill from a day: due in N days, due today, or overdue since when."""
    when = format_date(due.day)
    if days_away < 0:
        return _("{overdue}: the pump refill was due on {date}, {ago}, and no refill is recorded.").format(
            overdue=overdue_word(), date=when, ago=days_phrase(days_away)
        )
    if days_away == 0:
        return _("Refill due today, {date}.").format(date=when)
    return _("Refill due {in_days}, {date}.").format(in_days=days_phrase(days_away), date=when)


def refill_basis(plan: Plan, due: RefillDue) -> str:
    """Why the refill falls on that day, in the care team's own numbers, ending with who to ask."""
    settings = plan.refill_settings
    if due.basis == "care-team":
        return _("This is the date your care team gave.")
    parts = []
    if due.basis == "first":
        parts.append(_("This is your first refill, on the date your care team gave."))
    elif due.basis == "interval" and settings.every is not None:
        parts.append(_("Refills are {every}, counted from the last one.").format(every=every_phrase(settings.every)))
    if due.alarm is not None and due.alarm_day is not None:
        # No day count here: "due in 69 days" and "the alarm in 72 days" for one date read as two dates.
        alarm = due.alarm
        parts.append(
            _("{fill} mL at {daily} mL a day reaches the {alarm} mL alarm on {date}.").format(
                fill=format_number(alarm.fill.volume.amount),
                daily=format_number(alarm.daily_volume),
                alarm=format_number(alarm.alarm_volume.amount),
                date=format_date(due.alarm_day),
            )
        )
    if due.limit is not None and due.limit_day is not None and settings.drug is not None:
        parts.append(
            _("The label of {drug} gives at most {length} from this fill, to {date}.").format(
                drug=settings.drug.name, length=duration_words(due.limit), date=format_date(due.limit_day)
            )
        )
    if len(parts) > 1:
        parts.append(_("The earliest of these is the day."))
    parts.append(numbers_sentence(due.numbers))
    return " ".join(parts)


def numbers_sentence(numbers: NumbersInUse | None) -> str:
    """Whose numbers these are, and since when they are in use."""
    if numbers is not None and numbers.since is not None:
        return _(
            "These are your care team's numbers, recorded with the refill on {date}; "
            "ask your pump clinic if they have changed."
        ).format(date=format_date(numbers.since))
    return _("These are your care team's numbers; ask your pump clinic if they have changed.")


def goes_on_sentence(plan: Plan) -> str:
    """How the refills go on after the next one: the real gap, and what sets it when it is not the interval."""
    step = plan.refill_spacing()
    if step is None:
        return _("Refills go on for as long as you have the pump; your care team gives each next date.")
    sentence = _("Refills go on {every} for as long as you have the pump.").format(every=every_phrase(step.every))
    drug, every = plan.refill_settings.drug, plan.refill_settings.every
    if step.basis == "alarm":
        sentence += " " + _("That is how long each fill lasts until the low-reservoir alarm.")
    elif step.basis == "drug-limit" and drug is not None:
        sentence += " " + _("That is the most the label of {drug} allows between refills.").format(drug=drug.name)
    if step.basis != "interval" and every is not None:
        sentence += " " + _("It is sooner than the {every} your care team set; ask your pump clinic.").format(
            every=duration_words(every)
        )
    return sentence


def battery_sentence(opens: date, deadline: date, day: date) -> str:
    """The battery's replacement window, seen from a day."""
    if day > deadline:
        return _(
            "{overdue}: the pump battery was due to be replaced by {date}, {ago}, and no replacement is recorded."
        ).format(overdue=overdue_word(), date=format_date(deadline), ago=days_phrase((deadline - day).days))
    if day >= opens:
        return _("Battery: the replacement window is open. The pump must be replaced by {date} ({in_days}).").format(
            date=format_date(deadline), in_days=days_phrase((deadline - day).days)
        )
    return _("Battery: replace the pump between {opens} and {deadline}.").format(
        opens=format_date(opens), deadline=format_date(deadline)
    )


def book_replacement_sentence(deadline: date, day: date, *, urgent: bool) -> str:
    """From the day the rule file says to book the replacement: the date, and what to do now."""
    if urgent:
        return _(
            "The pump must be replaced by {date}, {in_days}. If the replacement is not booked yet, call your pump "
            "clinic today."
        ).format(date=format_date(deadline), in_days=days_phrase((deadline - day).days))
    return _(
        "Book your pump replacement now: the pump must be replaced by {date}, {in_days}. Ask your care team; "
        "do not wait for the replacement alarm."
    ).format(date=format_date(deadline), in_days=days_phrase((deadline - day).days))


def logged_sentence(entry: Logged) -> str:
    """One line of `history`: 'Pump refill on Tue 26 Jan 2027 (20mL, 2mg/mL, 0.5mg/day).'."""
    return {
        "refill": _("Pump refill on {date}."),
        "numbers": _("Pump refill on {date} ({numbers})."),
        "cleared": _("Pump refill on {date} (earlier pump numbers cleared)."),
        "follow-up": _("Follow-up visit on {date}."),
        "replacement": _("New pump (replacement) on {date}."),
    }[_logged_form(entry)].format(**_logged_values(entry))


def recorded_sentence(entry: Logged) -> str:
    """What a `log` command says it recorded."""
    return {
        "refill": _("Recorded: pump refill on {date}."),
        "numbers": _("Recorded: pump refill on {date} ({numbers})."),
        "cleared": _("Recorded: pump refill on {date} (earlier pump numbers cleared)."),
        "follow-up": _("Recorded: follow-up visit on {date}."),
        "replacement": _("Recorded: new pump (replacement) on {date}."),
    }[_logged_form(entry)].format(**_logged_values(entry))


def took_back_sentence(entry: Logged) -> str:
    """What `log undo` says it took back."""
    return {
        "refill": _("Took back: pump refill on {date}."),
        "numbers": _("Took back: pump refill on {date} ({numbers})."),
        "cleared": _("Took back: pump refill on {date} (earlier pump numbers cleared)."),
        "follow-up": _("Took back: follow-up visit on {date}."),
        "replacement": _("Took back: new pump (replacement) on {date}."),
    }[_logged_form(entry)].format(**_logged_values(entry))


def _logged_form(entry: Logged) -> str:
    """Which sentence tells an entry: a refill with the care team's numbers, or that cleared them, has its own."""
    if entry.kind == "refill" and entry.fill is not None:
        return "numbers"
    if entry.kind == "refill" and entry.numbers_cleared:
        return "cleared"
    return entry.kind


def _logged_values(entry: Logged) -> dict[str, str]:
    # The care team's numbers exactly as typed: units and all, as the programmer's printout shows them.
    return {"date": format_date(entry.day), "numbers": fill_text(entry.fill) if entry.fill else ""}


def fill_text(fill: Fill) -> str:
    """The care team's numbers exactly as typed: '20mL, 2mg/mL, 0.5mg/day'."""
    return f"{fill.volume}, {fill.concentration}, {fill.dose}"


def numbers_in_use_sentence(numbers: NumbersInUse | None) -> str:
    """Which pump numbers date the refills, and since when, for `history`."""
    if numbers is None:
        return _("No pump numbers are in use: refills are dated without them.")
    if numbers.since is None:
        return _("Pump numbers in use: {numbers}, given with the plan.").format(numbers=fill_text(numbers.fill))
    return _("Pump numbers in use: {numbers}, recorded with the refill on {date}.").format(
        numbers=fill_text(numbers.fill), date=format_date(numbers.since)
    )


def more_refills_sentence(count: int, last: date, plan: Plan) -> str:
    """The refill visits a timeline leaves out, in one line."""
    step = plan.refill_spacing()
    how = every_phrase(step.every) if step is not None else _("each dated from the one before")
    return ngettext(
        "{count} more refill visit, {how}, to {date}", "{count} more refill visits, {how}, to {date}", count
    ).format(count=count, how=how, date=format_date(last))


def logged_overdue_sentence(due: RefillDue) -> str:
    """After logging a refill that was not the last: the next one's day has passed too."""
    return _(
        "The refill after it was due on {date}. If it has happened, record it too: "
        "`pumpcare log refill --date YYYY-MM-DD`."
    ).format(date=format_date(due.day))


def visit_logged_sentence(waited: list[str]) -> str:
    """After logging the follow-up visit: what waited for it, and who says it may start again."""
    names = ", ".join(title[:1].lower() + title[1:] for title in waited)
    return _("What waited for this visit ({names}) may start again once your care team said so at the visit.").format(
        names=names
    )


def record_follow_up() -> str:
    """How to record the follow-up visit, while it has no date."""
    return _(
        "Follow-up visit: no date yet. Save its date with `pumpcare plan --follow-up YYYY-MM-DD --save`, "
        "or once you have had it, record it with `pumpcare log follow-up`."
    )


def record_dated_follow_up(visit: date) -> str:
    """How to record the follow-up visit, once its date has passed with no visit in the record."""
    return _(
        "Follow-up visit on {date}: not recorded yet. Once you have had it, record it with `pumpcare log follow-up`."
    ).format(date=format_date(visit))


def history_title(surgery: date) -> str:
    """The heading of `pumpcare history`."""
    return _("What has happened · pump surgery on {date}").format(date=format_date(surgery))


def clinic_line(clinic_lines: list[str]) -> str:
    """A refill event's line about whom to call."""
    return _("Your pump clinic: {contacts}.").format(contacts="; ".join(clinic_lines))
