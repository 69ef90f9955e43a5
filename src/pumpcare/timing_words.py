"""Lengths of time and the days they count from, in words: '2 weeks', '6–8 weeks after your follow-up visit'.

Below the scheduler, so the warnings an order or the record raises while a plan is made word a timing the way
every output does, in the plan's language.
"""

from __future__ import annotations

from pumpcare.durations import Duration, describe_span
from pumpcare.i18n import gettext as _
from pumpcare.rules import Moment


def leaflet_timing_words(moment: Moment) -> str:
    """A rule file's own timing, as a care team's order is set against it: '2–4 weeks', 'your follow-up visit'."""
    first, last = moment.earliest, moment.latest
    if first.amount == last.amount == 0:
        return event_words(moment.anchor)
    length = span_words(first, last) if moment.is_window else duration_words(first)
    if moment.anchor == "surgery" and last.amount > 0:
        return length
    sentence = _("{length} before {event}") if last.amount < 0 else _("{length} after {event}")
    return sentence.format(length=length, event=event_words(moment.anchor))


def duration_words(duration: Duration) -> str:
    """'2 weeks', '1 month': a length of time, without its sign, counted by the language's plural rule."""
    return Duration(abs(duration.amount), duration.unit).describe()


def span_words(first: Duration, last: Duration) -> str:
    """'6–8 weeks', or '2 weeks to 3 months' when the units differ."""
    if first.unit != last.unit:
        return _("{first} to {last}").format(first=duration_words(first), last=duration_words(last))
    return describe_span(abs(first.amount), abs(last.amount), last.unit)


def event_words(anchor: str) -> str:
    """The day a timing counts from, as a sentence names it: 'your follow-up visit'."""
    if anchor == "follow-up":
        return _("your follow-up visit")
    if anchor == "refill":
        return _("your refill visit")
    if anchor == "surgery":
        return _("surgery")
    if anchor == "replace-by":
        return _("the last day to replace the battery")
    return _("the day the pump went in")
