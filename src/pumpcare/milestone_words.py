"""A milestone's line in words, after its title: the timeline draws it, the CarePlan's narrative reads it."""

from __future__ import annotations

from pumpcare.schedule import Milestone
from pumpcare.wording import ask_note, at_the_visit, deadline_phrase, format_span, order_note, until_phrase
from pumpcare.wording_phrases import (
    colon_phrase,
    done_in_record,
    due_span,
    ends,
    may_end_span,
    may_start_span,
    sentence_then,
    then_phrase,
    until_span,
)


def milestone_after_title(milestone: Milestone) -> str:
    """What a milestone's line says after its title: until when, or when it may end, and who decides."""
    text = ""
    when = milestone.when
    # A range always says who decides; a clinician's order says whose it is instead.
    note = order_note(milestone) if milestone.set_by_care_team else ask_note()
    if milestone.done:
        text += done_in_record()
    elif milestone.kind == "due" and when.is_range:
        text += due_span(format_span(when), note)
        if milestone.deadline:
            text += sentence_then(deadline_phrase(milestone, when.latest, weekday=False))
    elif milestone.kind == "ends" and milestone.waits_for_visit:
        text += colon_phrase(at_the_visit())
    elif milestone.kind == "ends":
        text += may_end_span(format_span(when), note) if when.is_range else ends()
        text += note if milestone.set_by_care_team and not when.is_range else ""
    elif milestone.kind == "starts" and when.is_range:
        text += may_start_span(format_span(when), note)
    elif milestone.kind == "starts":
        if milestone.waits_for_visit:
            text += then_phrase(until_phrase(milestone))
        elif milestone.until is not None:
            text += until_span(format_span(milestone.until))
            text += note if milestone.until.is_range or milestone.set_by_care_team else ""
        elif milestone.until_waits_for is not None:
            text += then_phrase(until_phrase(milestone))
    elif milestone.set_by_care_team:
        text += note
    return text
