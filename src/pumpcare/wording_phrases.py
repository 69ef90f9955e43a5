"""The short phrases the views and writers place after a milestone's title, and the calendar's sentences.

Each carries its own leading punctuation (": due …", " may end …"), so a language can punctuate it its own way.
"""

from __future__ import annotations

from pumpcare.i18n import gettext as _
from pumpcare.i18n import ngettext


def done_in_record() -> str:
    """After a milestone the record says happened."""
    return _(": done (in your record)")


def due_span(span: str, note: str) -> str:
    """': due 15–29 Dec 2026 (ask your care team)'."""
    return _(": due {span}{note}").format(span=span, note=note)


def due_sentence(title: str, span: str, note: str) -> str:
    """'Battery replacement: due 1 Dec 2031 – 1 Dec 2033 (ask your care team).'"""
    return _("{title}: due {span}{note}.").format(title=title, span=span, note=note)


def may_end_span(span: str, note: str) -> str:
    """' may end 15–29 Dec 2026 (ask your care team)'."""
    return _(" may end {span}{note}").format(span=span, note=note)


def ends() -> str:
    """After a limit that ends on the day."""
    return _(": ends")


def may_start_span(span: str, note: str) -> str:
    """' may start 15–29 Dec 2026 (ask your care team)'."""
    return _(" may start {span}{note}").format(span=span, note=note)


def until_span(span: str) -> str:
    """', until 12 Jan 2027'."""
    return _(", until {span}").format(span=span)


def then_phrase(phrase: str) -> str:
    """', until …' after a title: a phrase from wording, joined on."""
    return _(", {phrase}").format(phrase=phrase)


def colon_phrase(phrase: str) -> str:
    """': …' after a title."""
    return _(": {phrase}").format(phrase=phrase)


def any_day_span(span: str) -> str:
    """A window before surgery: ': any day 24–30 Nov 2026, when your care team says'."""
    return _(": any day {span}, when your care team says").format(span=span)


def on_date_away(day: str, away: str) -> str:
    """': Tue 1 Dec 2026 (in 3 days)'."""
    return _(": {date} ({away})").format(date=day, away=away)


def due_today() -> str:
    """After a thing due today."""
    return _(": today")


def may_end_now(span: str) -> str:
    """A limit whose window is open."""
    return _(": may end now, any day {span}. Ask your care team first.").format(span=span)


def since_day(day_number: int) -> str:
    """An opened-up item's lead: 'Since day 14: '."""
    return _("Since day {number}: ").format(number=day_number)


def visit_was(ends_phrase: str, day: str) -> str:
    """A limit lifted at the follow-up visit, and the visit's day."""
    return _(": {ends} (the visit: {date}).").format(ends=ends_phrase, date=day)


def window_ended(day: str) -> str:
    """A limit whose window has passed."""
    return _(": its window ended on {date}. Ask your care team before you start again.").format(date=day)


def ended_on(day: str) -> str:
    """A limit that ended on a day."""
    return _(": ended on {date}.").format(date=day)


def open_until(day: str) -> str:
    """A window open now, in `next`: 'open now, until Tue 12 Jan 2027: '."""
    return _("open now, until {date}: ").format(date=day)


def away_on(away: str, day: str) -> str:
    """'in 3 days, Tue 1 Dec 2026: '."""
    return _("{away}, {date}: ").format(away=away, date=day)


def pump_surgery() -> str:
    """The surgery in `next`."""
    return _("Pump surgery")


def plan_starts() -> str:
    """After the surgery in `next`."""
    return _("; your recovery plan starts")


def span_ask(span: str, ask: str) -> str:
    """' (15–29 Dec 2026, ask your care team)'."""
    return _(" ({span}, {ask})").format(span=span, ask=ask)


def paren(text: str) -> str:
    """' (…)' after a title."""
    return _(" ({text})").format(text=text)


def sentence_then(deadline_phrase: str) -> str:
    """'. The pump must be replaced by …' after a line."""
    return _(". {sentence}").format(sentence=deadline_phrase)


def where_today(when: str, day_number: int, years: str) -> tuple[str, str]:
    """`today`'s first line: the bold part, and where the day sits."""
    lead = _("Today, {date}: ").format(date=when)
    if day_number < 0:
        days = -day_number
        return lead, ngettext("surgery is in {count} day, ", "surgery is in {count} days, ", days).format(count=days)
    if day_number == 0:
        return lead, _("the day of your surgery.")
    return lead, _("day {number} after surgery{years}.").format(number=day_number, years=years)


def on_surgery_day(day: str) -> str:
    """The end of `today`'s first line before surgery."""
    return _("on {date}.").format(date=day)


def event_on(headline: str, day: str) -> str:
    """A calendar event's first sentence: 'Follow-up visit on Tue 5 Jan 2027.'."""
    return _("{headline} on {date}.").format(headline=headline, date=day)


def event_window(kind: str, window: str) -> str:
    """A calendar event's first sentence for a window: 'May end between … Ask your care team.'."""
    sentences = {
        "ends": _("May end {window}. Ask your care team."),
        "due": _("Due {window}. Ask your care team."),
        "starts": _("Starts {window}. Ask your care team."),
    }
    return sentences[kind].format(window=window)


def it_lasts(until: str) -> str:
    """How long a limit lasts, in a calendar event."""
    return _(" It lasts {until}.").format(until=until)


def care_team_set_date(leaflet: str | None) -> str:
    """In a calendar event a clinician dated; `leaflet`: the rule file's own timing, when the order is outside it."""
    if leaflet is None:
        return _(" Your care team set this date.")
    return _(" Your care team set this date; the leaflet says {timing}.").format(timing=leaflet)


def window_opened_on(deadline_sentence: str, day: str) -> str:
    """The battery's deadline event."""
    return _("{deadline}. The window opened on {date}.").format(deadline=deadline_sentence, date=day)


def title_and_phrase(title: str, phrase: str) -> str:
    """'No driving, until Tue 12 Jan 2027.'."""
    return _("{title}, {phrase}.").format(title=title, phrase=phrase)


def rule_line(title: str, text: str) -> str:
    """A rule in a calendar event's description."""
    return _("- {title}: {text}").format(title=title, text=text)


def then_every(every: str) -> str:
    """Refill visits on the sheet: ', then every 12 weeks'."""
    return _(", then {every}").format(every=every)


def then_as_dated() -> str:
    """Refill visits on the sheet with no interval."""
    return _(", then as your care team dates them")


def book_by(title: str, book: str) -> str:
    """The battery on the sheet, with the day to book its replacement by; its last day stands beside it."""
    return _("{title} (book it by {book})").format(title=title, book=book)


def by_at_the_latest(title: str, day: str) -> str:
    """A visit with a must-not-pass day, on the sheet."""
    return _("{title} (by {date} at the latest)").format(title=title, date=day)


def until_capital(span: str, note: str) -> str:
    """On the sheet: 'Until 12 Jan 2027 (ask your care team)'."""
    return _("Until {span}{note}").format(span=span, note=note)


def until_event(event: str) -> str:
    """On the sheet: 'Until your follow-up visit'."""
    return _("Until {event}").format(event=event)
