"""The plan as an RFC 5545 calendar, written with `ics` 0.7 and mended where that version falls short.

What ics 0.7 gets wrong, and what this module does about it:
- its `Event` needs arrow for every date, and `make_all_day` reads `end` as inclusive and drops DTEND on
  one-day events; its serializer puts VALARM before the properties, CATEGORIES in a set, and `str()` of an
  alarm raises a FutureWarning. Mending each event afterwards cost more than the rest of a batch row. So each
  event is written with ics's content-line layer (`ContentLine`, `escape_string`, `timedelta_to_duration`),
  the same lines in the order RFC 5545 reads best: DTSTART, the exclusive DTEND, then the properties in ics's
  own order, then the alarm. The calendar's header is ics's `Calendar`, serialized once per process, and a
  line every calendar repeats (a day, a category, the alarm's trigger) is written once and kept;
- no DTSTAMP unless given one: every event gets `stamp` as DTSTAMP;
- events are written one by one in plan order, each with a single category;
- no line folding at 75 octets: `_fold` does it, never splitting a UTF-8 character.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import NamedTuple

from pumpcare.clinic import Clinic
from pumpcare.i18n import current, in_its_language
from pumpcare.keys import derived_key
from pumpcare.pumplife import RefillDue
from pumpcare.rules import Rule
from pumpcare.schedule import Milestone, Plan, Window
from pumpcare.timing_words import leaflet_timing_words
from pumpcare.wording import (
    ask_note,
    deadline_phrase,
    deadline_sentence,
    disclaimer_with_note,
    format_date,
    format_window,
    headline,
    quoted,
    until_phrase,
)
from pumpcare.wording import cited as cited_source
from pumpcare.wording_labels import (
    calendar_about,
    calendar_name,
    done,
    labelled_event,
    reminder_text,
    surgery_event,
    surgery_event_intro,
    tonight,
    window_opens,
)
from pumpcare.wording_phrases import (
    care_team_set_date,
    event_on,
    event_window,
    it_lasts,
    paren,
    rule_line,
    title_and_phrase,
    window_opened_on,
)
from pumpcare.wording_pump import clinic_line, goes_on_sentence, refill_basis

PRODID = "-//pumpcare//Pump recovery plan//EN"

# Not clinical: how a window shows in a calendar. Up to a month it is a bar across its days; a longer one
# (the 5-7 year battery window) is a single day where it opens, or it would cover every day for years.
LONG_WINDOW_DAYS = 31
# All-day events start at local midnight, so -15 hours fires at 09:00 the day before, wherever the user is,
# and +18 hours at 18:00 on the day itself (for "tonight: nothing to eat after midnight").
REMINDER_TRIGGER = timedelta(hours=-15)
EVENING_TRIGGER = timedelta(hours=18)
_MAX_OCTETS = 75


# Each source's name as the calendar quotes it, with the language it is in: worked out once per calendar.
_Sources = tuple[tuple[tuple[str, str], ...], str]


class _Event(NamedTuple):
    key: str
    summary: str
    first: date
    last: date
    description: str
    category: str
    remind: bool
    is_window: bool = False
    evening: bool = False

    @property
    def reminder(self) -> str:
        """What the alarm says: that a window opens tomorrow (the care team picks the day), tomorrow, or tonight."""
        if self.evening:
            return tonight(self.summary)
        return reminder_text(self.summary, window=self.is_window)


def plan_key(plan: Plan, patient_label: str | None) -> str:
    """A short hash that tells one patient's plan from another's in UIDs, without showing who it is."""
    return derived_key(plan.surgery, patient_label)


@in_its_language
def render_ics(
    plan: Plan,
    *,
    stamp: datetime,
    patient_label: str | None = None,
    spans: bool = False,
    clinic: Clinic | None = None,
    key: str | None = None,
) -> bytes:
    """The calendar file: all-day events, stable UIDs, reminders the day before actions.

    `key` is the plan key in every UID: a saved record's own (sync passes it), else derived from the plan.

    With `spans`, each restriction with a dated end is also one event across every day it may hold, so a
    caregiver sees "No driving" on any day it applies; they are shown as free time and remind nobody.
    """
    from ics.grammar.parse import ContentLine
    from ics.utils import escape_string

    lines = [*_header()]
    name = calendar_name(patient_label)
    about = calendar_about(disclaimer_with_note(), cited_source(plan.ruleset, "leaflet"))
    if clinic is not None:
        about += " " + ". ".join(clinic.contact_lines()) + "."
    lines += [_fold(f"X-WR-CALNAME:{escape_string(name)}"), _fold(f"X-WR-CALDESC:{escape_string(about)}")]
    key = key or plan_key(plan, patient_label)
    stamp_line = str(ContentLine("DTSTAMP", value=_utc_stamp(stamp)))  # the same in every event: written once
    sources = _source_names(plan)
    for event in [*_events(plan, sources, clinic), *(_spans(plan, sources) if spans else ())]:
        lines.append(_serialize(event, f"{event.key}.{key}@pumpcare", stamp_line, patient_label))
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _events(plan: Plan, sources: _Sources, clinic: Clinic | None = None) -> Iterator[_Event]:
    refill = _refill_words(plan, clinic)
    starting = [m for m in plan.milestones if m.kind == "starts" and m.when.earliest == plan.surgery]
    for milestone in plan.milestones:
        if milestone.kind == "starts" and milestone.when.earliest == plan.surgery:
            # Everything that starts with the surgery is one event: eight on one day would be noise.
            if milestone is starting[0]:
                yield _surgery_day(plan, starting, sources)
            continue
        yield _milestone_event(milestone, refill, sources)
        if milestone.deadline:
            yield _deadline_event(milestone, sources)


def _spans(plan: Plan, sources: _Sources) -> Iterator[_Event]:
    for milestone in plan.milestones:
        until = milestone.until
        if milestone.kind != "starts" or milestone.category != "restriction" or until is None:
            continue
        # Until the last day it may hold: a window's end is the care team's call, so the whole window is shown.
        last = until.latest if until.is_range or milestone.waits_for_visit else until.latest - timedelta(days=1)
        summary = milestone.title + (paren(until_phrase(milestone)) if until.is_range else "")
        yield _Event(
            key=f"{milestone.key}-span",
            summary=summary,
            first=milestone.when.earliest,
            last=max(last, milestone.when.earliest),
            description="\n".join(
                [title_and_phrase(milestone.title, until_phrase(milestone)), *_rule_lines(sources, milestone)]
            ),
            category=milestone.category,
            remind=False,
        )


def _surgery_day(plan: Plan, starting: list[Milestone], sources: _Sources) -> _Event:
    parts = [disclaimer_with_note(), "", surgery_event_intro()]
    for milestone in starting:
        parts.append("\n" + title_and_phrase(milestone.title, until_phrase(milestone)))
        parts.extend(_rule_lines(sources, milestone))
    return _Event(
        key="surgery-day",
        summary=surgery_event(),
        first=plan.surgery,
        last=plan.surgery,
        description="\n".join(parts),
        category="recovery",
        remind=False,
    )


def _milestone_event(milestone: Milestone, refill: _RefillWords, sources: _Sources) -> _Event:
    when = milestone.when
    long_window = (when.latest - when.earliest).days + 1 > LONG_WINDOW_DAYS
    summary = headline(milestone)
    if long_window:
        summary = window_opens(milestone.title)
    elif when.is_range:
        summary = summary + ask_note()
    if milestone.done:
        summary = done(summary)
    intro = _when_sentence(milestone, when)
    if milestone.kind == "starts":
        intro += it_lasts(until_phrase(milestone))
    if milestone.set_by_care_team:
        leaflet = milestone.leaflet_timing
        intro += care_team_set_date(leaflet_timing_words(leaflet) if leaflet is not None else None)
    if milestone.deadline:
        intro += " " + deadline_sentence(milestone, when.latest)
    return _Event(
        key=milestone.key,
        summary=summary,
        first=when.earliest,
        last=when.earliest if long_window else when.latest,
        description="\n".join([intro, *_refill_lines(refill, milestone), *_rule_lines(sources, milestone)]),
        category=milestone.category,
        remind=milestone.remind and not milestone.done,
        is_window=when.is_range,
        evening=milestone.remind_evening,
    )


def _deadline_event(milestone: Milestone, sources: _Sources) -> _Event:
    """The last day of a window that must never pass unseen (the battery): an event of its own, with a reminder."""
    deadline = milestone.when.latest
    intro = window_opened_on(deadline_phrase(milestone, deadline), format_date(milestone.when.earliest))
    return _Event(
        key=milestone.key.removesuffix("-due") + "-deadline",
        summary=deadline_phrase(milestone, deadline, weekday=False),
        first=deadline,
        last=deadline,
        description="\n".join([intro, *_rule_lines(sources, milestone)]),
        category=milestone.category,
        remind=True,
    )


class _RefillWords(NamedTuple):
    """What every refill event of a plan says, worked out once per calendar rather than once per visit."""

    goes_on: str
    clinic: str | None
    due: RefillDue | None
    basis: str | None
    drug: str | None


def _refill_words(plan: Plan, clinic: Clinic | None) -> _RefillWords:
    due = plan.refill_due()
    drug = plan.refill_settings.drug
    return _RefillWords(
        goes_on_sentence(plan),
        clinic_line(clinic.contact_lines()) if clinic is not None else None,
        due,
        refill_basis(plan, due) if due is not None else None,
        drug.text if drug is not None else None,
    )


def _refill_lines(words: _RefillWords, milestone: Milestone) -> list[str]:
    """On a refill event: how often refills go on, why the next falls on its day, and who to call."""
    if not milestone.repeats:
        return []
    lines = [words.goes_on, *([words.clinic] if words.clinic else [])]
    if words.due is not None and words.basis and not milestone.done and words.due.day == milestone.when.earliest:
        lines.append(words.basis)
    return lines + ([words.drug] if words.drug else [])


def _when_sentence(milestone: Milestone, when: Window) -> str:
    if not when.is_range:
        return event_on(headline(milestone), format_date(when.earliest))
    return event_window(milestone.kind, format_window(when))


def _source_names(plan: Plan) -> _Sources:
    ruleset = plan.ruleset
    names = tuple((cites, cited_source(ruleset, cites)) for cites in ("leaflet", *ruleset.documents))
    return names, current().code


def _rule_lines(sources: _Sources, milestone: Milestone) -> tuple[str, ...]:
    """Each rule's title and text, then the sentences they rest on: the same for every patient of a rule file."""
    return _rule_lines_of(milestone.rules, *sources)


@functools.lru_cache(maxsize=1024)
def _rule_lines_of(rules: tuple[Rule, ...], names: tuple[tuple[str, str], ...], language: str) -> tuple[str, ...]:
    # Kept per rules, source names and language: a batch's calendars repeat them for every patient.
    cited = dict(names)
    lines = [rule_line(rule.title, rule.text) for rule in rules]
    sources = dict.fromkeys((rule.source, rule.cites) for rule in rules)
    lines.extend(quoted(cited[cites], source) for source, cites in sources)
    return tuple(lines)


@functools.cache
def _header() -> tuple[str, ...]:
    """The calendar's first lines, as ics's Calendar writes them: the same for every plan, so made once."""
    from ics import Calendar

    calendar = Calendar(creator=PRODID)
    calendar.method = "PUBLISH"
    calendar.scale = "GREGORIAN"
    lines = calendar.serialize().split("\r\n")
    assert lines[-1] == "END:VCALENDAR"
    return tuple(_fold(line) for line in lines[:-1])


def _utc_stamp(stamp: datetime) -> str:
    moment = stamp.astimezone(timezone.utc)
    return f"{_ics_date(moment.date())}T{moment:%H%M%S}Z"


def _ics_date(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"  # strftime's %Y drops the zeros of a year before 1000


def _serialize(event: _Event, uid: str, stamp_line: str, label: str | None = None) -> str:
    """One all-day VEVENT, its lines folded: the days (DTEND exclusive, even for one day), the properties, then
    the alarm. Every line but the description, the UID and the stamp repeats from patient to patient: kept.

    With a label, the title and the alarm start with it: a caregiver's calendar may hold two patients' plans, and
    a calendar cuts a long title at its end. Those lines are one patient's own, so they are not kept.
    """
    from ics.grammar.parse import ContentLine
    from ics.utils import escape_string

    lines = ["BEGIN:VEVENT", _days(event.first, event.last), _category(event.category), stamp_line]
    if event.description:
        lines.append(_fold(str(ContentLine("DESCRIPTION", value=escape_string(event.description)))))
    if event.summary:
        lines.append(_own_line(label, "SUMMARY", event.summary))
    lines += [_line("TRANSP", "TRANSPARENT"), _fold(str(ContentLine("UID", value=uid)))]
    if event.remind:
        trigger = EVENING_TRIGGER if event.evening else REMINDER_TRIGGER
        lines += [
            "BEGIN:VALARM",
            _line("ACTION", "DISPLAY"),
            _own_line(label, "DESCRIPTION", event.reminder),
            _trigger(trigger),
            "END:VALARM",
        ]
    lines.append("END:VEVENT")
    return "\r\n".join(lines)


DATE = (("VALUE", "DATE"),)


@functools.lru_cache(maxsize=64)
def _category(category: str) -> str:
    from ics.utils import escape_string

    return _line("CATEGORIES", escape_string(category))


@functools.lru_cache(maxsize=4096)
def _days(first: date, last: date) -> str:
    """An all-day event's DTSTART and DTEND lines: DATE values, DTEND the day after the last (exclusive)."""
    return "\r\n".join(
        (_line("DTSTART", _ics_date(first), DATE), _line("DTEND", _ics_date(last + timedelta(days=1)), DATE))
    )


@functools.lru_cache(maxsize=4096)
def _line(name: str, value: str, params: tuple[tuple[str, str], ...] = ()) -> str:
    """A content line every calendar repeats (a day, a category, the stamp): written by ics once, then kept."""
    from ics.grammar.parse import ContentLine

    return _fold(str(ContentLine(name, params={key: [item] for key, item in params}, value=value)))


@functools.lru_cache(maxsize=4096)
def _text_line(name: str, text: str) -> str:
    """A text property (a title, a reminder) escaped, written by ics and folded: the same for many patients."""
    from ics.grammar.parse import ContentLine
    from ics.utils import escape_string

    return _fold(str(ContentLine(name, value=escape_string(text))))


def _own_line(label: str | None, name: str, text: str) -> str:
    """A title or an alarm, labelled with the patient when a label is given; only unlabelled lines are kept."""
    if not label:
        return _text_line(name, text)
    return _text_line.__wrapped__(name, labelled_event(label, text))


@functools.cache
def _trigger(trigger: timedelta) -> str:
    from ics.utils import timedelta_to_duration

    return _line("TRIGGER", timedelta_to_duration(trigger))


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    if line.isascii():  # one octet a character: cut by characters
        if len(line) <= _MAX_OCTETS:
            return line
        rest = range(_MAX_OCTETS, len(line), _MAX_OCTETS - 1)  # later lines start with the folding space
        return "\r\n ".join([line[:_MAX_OCTETS], *(line[start : start + _MAX_OCTETS - 1] for start in rest)])
    data = line.encode("utf-8")
    if len(data) <= _MAX_OCTETS:
        return line
    pieces: list[bytes] = []
    start, room = 0, _MAX_OCTETS
    while len(data) - start > room:
        cut = start + room
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: step back to the character's first byte
            cut -= 1
        pieces.append(data[start:cut])
        start, room = cut, _MAX_OCTETS - 1  # later lines start with the folding space
    pieces.append(data[start:])
    return b"\r\n ".join(pieces).decode("utf-8")
