"""The words of the plan every renderer shares: dates, windows, days after surgery, and milestone phrases.

Every sentence is a gettext message with named placeholders, so a translator can reorder it; the catalogs are in
`locale/`. Renderers place these words and compose none of their own. The pump's words (refills, the battery,
the record) are in wording_pump; the headings and short labels in wording_labels.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

from pumpcare.durations import Duration
from pumpcare.i18n import current, format_day_month, format_weekday_day_month, ngettext
from pumpcare.i18n import format_date as _format_date
from pumpcare.i18n import gettext as _
from pumpcare.rules import Moment, RuleSet
from pumpcare.schedule import Milestone, Plan, Window
from pumpcare.timing_words import duration_words, event_words, leaflet_timing_words, span_words


def disclaimer() -> str:
    """What pumpcare is not, said once in every output."""
    return _("pumpcare reminds you of your care team's instructions; it does not replace your care team.")


def translation_note() -> str | None:
    """Said once in every output in a language no clinician has reviewed yet; None when there is nothing to say."""
    if current().reviewed:
        return None
    return _("This translation has not yet been reviewed by a clinician. If in doubt, ask your care team.")


def disclaimer_with_note() -> str:
    """The disclaimer and, in a language no clinician has reviewed, the note that says so: one paragraph."""
    note = translation_note()
    return disclaimer() + (" " + note if note else "")


def ask() -> str:
    """Who decides inside a window."""
    return _("ask your care team")


def ask_note() -> str:
    """' (ask your care team)', after a window."""
    return _(" (ask your care team)")


def order_note(milestone: Milestone) -> str:
    """' (your care team's order)' after a date a clinician set; '; the leaflet says 2–4 weeks' when it differs."""
    if milestone.leaflet_timing is None:
        return _(" (your care team's order)")
    return _(" (your care team's order; the leaflet says {timing})").format(
        timing=leaflet_timing_words(milestone.leaflet_timing)
    )


def at_the_visit() -> str:
    """How a period that waits for the follow-up visit ends."""
    return _("ends once you have had your follow-up visit; ask at the visit")


def format_date(day: date, *, weekday: bool = True, compact: bool = False) -> str:
    """'Tue 1 Dec 2026' in English: no day/month order to misread; the language's own form elsewhere."""
    return _format_date(day, weekday=weekday, compact=compact)


def format_window(window: Window) -> str:
    """One date, or 'between Tue 12 Jan and Tue 26 Jan 2027'."""
    if not window.is_range:
        return format_date(window.earliest)
    first, last = window.earliest, window.latest
    start = format_weekday_day_month(first) if first.year == last.year else format_date(first)
    return _("between {first} and {last}").format(first=start, last=format_date(last))


def format_span(window: Window) -> str:
    """A compact date or range for tables: '15–29 Dec 2026', '28 Dec 2026 – 11 Jan 2027'."""
    first, last = window.earliest, window.latest
    end = format_date(last, weekday=False, compact=True)
    if not window.is_range:
        return end
    if (first.year, first.month) == (last.year, last.month):
        return _("{first_day}–{last}").format(first_day=first.day, last=end)
    if first.year == last.year:
        return _("{first} – {last}").format(first=format_day_month(first, compact=True), last=end)
    return _("{first} – {last}").format(first=format_date(first, weekday=False, compact=True), last=end)


def format_dates(days: list[date]) -> str:
    """Several dates, the year once per run in one year: '26 Jan, 20 Apr 2027, 5 Jan 2028'."""
    parts = []
    for index, day in enumerate(days):
        last_of_year = index + 1 == len(days) or days[index + 1].year != day.year
        parts.append(
            format_date(day, weekday=False, compact=True) if last_of_year else format_day_month(day, compact=True)
        )
    return ", ".join(parts)


def day_label(plan: Plan, day: date) -> str:
    """Where a date sits in recovery: '3 days before', 'surgery day', 'day 42 · week 6', '5 years'."""
    n = plan.day_number(day)
    if n < 0:
        return ngettext("day before", "{count} days before", -n).format(count=-n)
    if n == 0:
        return _("surgery day")
    if n < 7:
        return _("day {number}").format(number=n)
    span = relativedelta(day, plan.surgery)
    if span.years >= 1:
        years = ngettext("{count} year", "{count} years", span.years).format(count=span.years)
        if span.months:
            return _("{years} {months} mo").format(years=years, months=span.months)
        return years
    return _("day {number} · week {week}").format(number=n, week=n // 7)


def headline(milestone: Milestone) -> str:
    """What happens, in a few words: 'No driving: may end', 'Follow-up visit'."""
    if milestone.kind == "due":
        return milestone.title
    if milestone.kind == "starts":
        return _("{title}: starts").format(title=milestone.title)
    if milestone.waits_for_visit:
        return _("{title}: {ends}").format(title=milestone.title, ends=at_the_visit())
    if milestone.when.is_range:
        return _("{title}: may end").format(title=milestone.title)
    return _("{title}: ends").format(title=milestone.title)


def members_phrase(milestone: Milestone, *, within_sentence: bool = False) -> str | None:
    """The rules a grouped milestone stands for ("No bending, no twisting, ..."), unless its title names them."""
    if len(milestone.rules) < 2 or milestone.title_names_members:
        return None
    return ", ".join(member_titles(milestone, within_sentence=within_sentence))


def member_titles(milestone: Milestone, *, within_sentence: bool = False) -> list[str]:
    """The titles of a grouped milestone's rules as a list names them: 'No bending', 'no twisting', ….

    Within a sentence (in brackets after a title) the first is lower case too.
    """
    titles = [rule.title for rule in milestone.rules]
    return [
        title if index == 0 and not within_sentence else title[:1].lower() + title[1:]
        for index, title in enumerate(titles)
    ]


def until_phrase(milestone: Milestone) -> str:
    """How long a period that starts lasts: 'until between …, ask your care team', 'until your follow-up visit'."""
    if milestone.waits_for_visit and milestone.until is not None and not milestone.until.is_range:
        return _("until you have had your follow-up visit ({date}); ask at the visit").format(
            date=format_date(milestone.until.earliest)
        )
    if milestone.waits_for_visit and milestone.until_waits_for is not None and not _offset(milestone.until_waits_for):
        return _("until you have had your follow-up visit; ask at the visit")
    if milestone.until is not None:
        if milestone.until.is_range:
            return _("until {window} ({ask})").format(window=format_window(milestone.until), ask=ask())
        return _("until {date}").format(date=format_date(milestone.until.earliest))
    if milestone.until_waits_for is not None:
        return _("until {event}").format(event=pending_phrase(milestone.until_waits_for))
    return _("from now on")


def until_visit_not_recorded(visit: date) -> str:
    """A period that waits for a follow-up visit whose date has passed with no visit in the record."""
    return _("until you have had your follow-up visit; the visit dated {date} is not in your record yet").format(
        date=format_date(visit)
    )


def pending_phrase(moment: Moment) -> str:
    """A moment that waits for a date: 'your follow-up visit', '2 weeks after your follow-up visit (ask …)'."""
    first, last = moment.earliest, moment.latest
    if first.amount == last.amount == 0:
        return event_words(moment.anchor)
    before = last.amount < 0
    if not moment.is_window:
        length = duration_words(first)
        sentence = _("{length} before {event}") if before else _("{length} after {event}")
        return sentence.format(length=length, event=event_words(moment.anchor))
    sentence = _("{length} before {event} ({ask})") if before else _("{length} after {event} ({ask})")
    return sentence.format(length=span_words(first, last), event=event_words(moment.anchor), ask=ask())


def _offset(moment: Moment) -> bool:
    return not moment.earliest.amount == moment.latest.amount == 0


def undated_phrase(kind: str, moment: Moment) -> str:
    """Why a milestone has no date yet, and who to ask."""
    if moment.anchor == "refill":
        return _("your care team sets them. To see them here, save what they give you: {how}").format(how=_refill_how())
    at_the_event = moment.earliest.amount == moment.latest.amount == 0
    if kind == "ends" and moment.anchor == "follow-up" and at_the_event:
        return _("{ends}.").format(ends=at_the_visit())
    if kind == "due" and at_the_event:
        return _("{ask} for the date.").format(ask=ask())
    if kind == "due":
        return _("{when}; {ask} for the date.").format(when=pending_phrase(moment), ask=ask())
    if at_the_event:
        return _("ends at {event}.").format(event=pending_phrase(moment))
    return _("ends {when}.").format(when=pending_phrase(moment))


# Commands stay in English in every language: they are what the patient types. The words around them are the
# catalog's.
_PLAN_REFILLS = "`pumpcare plan --refill-every 12w --first-refill YYYY-MM-DD --save`"
_NEXT_REFILL = "`--next-refill YYYY-MM-DD`"


def _refill_how() -> str:
    return _("{plan_command}, or {next_refill} from the pump programmer's printout.").format(
        plan_command=_PLAN_REFILLS, next_refill=_NEXT_REFILL
    )


def no_refill_dates() -> str:
    """The pump section's line when no refill date is known."""
    return _("Refill dates: your care team sets them. To see them here, save what they give you: {how}").format(
        how=_refill_how()
    )


def days_phrase(days: int) -> str:
    """'today', 'tomorrow', 'in 3 days', '1 day ago', '12 days ago'."""
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    if days < 0:
        return ngettext("{count} day ago", "{count} days ago", -days).format(count=-days)
    return ngettext("in {count} day", "in {count} days", days).format(count=days)


def deadline_phrase(milestone: Milestone, day: date, *, weekday: bool = True) -> str:
    """A must-not-pass day in the rule file's words: 'The pump must be replaced by Fri 1 Dec 2031'."""
    return _("{deadline} {date}").format(deadline=milestone.deadline, date=format_date(day, weekday=weekday))


def deadline_sentence(milestone: Milestone, day: date) -> str:
    """The must-not-pass day as a sentence of its own: 'The pump must be replaced by Fri 1 Dec 2031.'."""
    return _("{deadline} {date}.").format(deadline=milestone.deadline, date=format_date(day))


def every_phrase(every: Duration) -> str:
    """'every 12 weeks'."""
    return _("every {length}").format(length=duration_words(every))


def sources_sentence(plan: Plan) -> str:
    """Where the plan's words come from: the leaflet by name, the other documents by where to find them."""
    ruleset = plan.ruleset
    others = any(rule.cites != "leaflet" for rule in ruleset.rules) or plan.refill_settings.drug is not None
    if others:
        sentence = _(
            "From the leaflet {leaflet} and the sources `pumpcare rules list` names. Rules: {name}, version {version}."
        )
    else:
        sentence = _("From the leaflet {leaflet}. Rules: {name}, version {version}.")
    return sentence.format(leaflet=ruleset.source, name=ruleset.name, version=ruleset.version)


def cited(ruleset: RuleSet, cites: str) -> str:
    """How a text names a source: 'the leaflet (…)', or the document's title and publisher."""
    if cites == "leaflet":
        return _("the leaflet ({source})").format(source=ruleset.source)
    return ruleset.cited(cites)


def quoted(cited: str, source: str) -> str:
    """The sentence a rule rests on, quoted as written (a quote is never translated), after where it is from."""
    return _('From {cited}: "{source}"').format(cited=cited, source=source)
