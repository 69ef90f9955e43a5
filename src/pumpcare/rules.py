"""What a rule file holds: the RuleSet the scheduler works from. rule_file.py reads one; rules_check.py checks it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NamedTuple, get_args

from pumpcare.durations import Duration, describe_span
from pumpcare.i18n import ENGLISH, N_
from pumpcare.i18n import gettext as _
from pumpcare.quantities import Quantity

# "implant" is the day the pump now in the body went in: the surgery, or its latest logged replacement.
# "replace-by" is the last day of that pump's battery window: the day named by the implant rule's `deadline`.
Anchor = Literal["surgery", "follow-up", "refill", "implant", "replace-by"]
Category = Literal["preparation", "restriction", "activity", "safety", "device", "visit"]
ANCHORS: tuple[Anchor, ...] = get_args(Anchor)
CATEGORIES: tuple[Category, ...] = get_args(Category)
LEAFLET = "leaflet"  # the document a rule cites when it names none: the rule file's own `source`
# How a group's title names the members an order split off: "Movement limits, except no lifting".
EXCEPT_PHRASE = N_("{title}, except {left_out}")

# How Moment.describe() names a moment at its anchor, and an offset before or after it (before: True). Counted
# from surgery, "2 weeks" needs no "after"; from another anchor it does. Translated where they are shown.
_AT_ANCHOR = {
    "surgery": N_("the surgery day"),
    "follow-up": N_("the follow-up visit"),
    "refill": N_("each refill"),
    "implant": N_("the pump went in"),
    "replace-by": N_("the replacement deadline"),
}
_FROM_ANCHOR = {
    ("surgery", True): N_("{length} before"),
    ("surgery", False): "{length}",
    ("follow-up", True): N_("{length} before the follow-up visit"),
    ("follow-up", False): N_("{length} after the follow-up visit"),
    ("refill", True): N_("{length} before each refill"),
    ("refill", False): N_("{length} after each refill"),
    ("implant", True): N_("{length} before the pump went in"),
    ("implant", False): N_("{length} after the pump went in"),
    ("replace-by", True): N_("{length} before the replacement deadline"),
    ("replace-by", False): N_("{length} after the replacement deadline"),
}


class Moment(NamedTuple):
    """A point or window in time, counted from an anchor: the surgery, the follow-up visit or a refill."""

    anchor: Anchor
    earliest: Duration
    latest: Duration

    @property
    def is_window(self) -> bool:
        """True for a range such as 6-8 weeks."""
        return self.earliest != self.latest

    def describe(self) -> str:
        """Plain words, in the language in use: "2–4 weeks", "7–1 days before", "the surgery day",
        "2 days before the follow-up visit"."""
        first, last = self.earliest, self.latest
        if not self.is_window and first.amount == 0:
            return _(_AT_ANCHOR[self.anchor])

        def offset(duration: Duration, length: str) -> str:
            return _(_FROM_ANCHOR[self.anchor, duration.amount < 0]).format(length=length)

        def amount(duration: Duration) -> str:
            return offset(duration, Duration(abs(duration.amount), duration.unit).describe())

        if not self.is_window:
            return amount(first)
        if first.unit == last.unit and (first.amount < 0) == (last.amount < 0):
            return offset(last, describe_span(abs(first.amount), abs(last.amount), last.unit))
        return _("{first} to {last}").format(first=amount(first), last=amount(last))


class Rule(NamedTuple):
    """One leaflet instruction: what to do or avoid, and when."""

    id: str
    title: str
    category: Category
    text: str
    source: str
    group: str | None = None
    due: Moment | None = None
    start: Moment | None = None
    until: Moment | None = None
    remind: bool = False
    repeat: Duration | None = None
    cites: str = LEAFLET
    overdue: str | None = None  # what to say when its date passed and nothing was logged (refill, battery)
    deadline: str | None = None  # a window whose last day must never pass unseen gets its own event, so named
    remind_evening: bool = False  # remind on the evening of the day itself ("tonight: nothing to eat")
    # The sheet lists it, with its text, under "When to call your care team" (safety rules always are there):
    # a rule that says when to call, whatever its category ("If you hear it, call your pump clinic").
    when_to_call: bool = False

    @property
    def timing(self) -> Moment:
        """The timing a clinician's --set replaces: when it ends, when it is due, or else when it starts."""
        moment = self.until or self.due or self.start
        assert moment is not None, "validation guarantees every rule has a timing"
        return moment


class Document(NamedTuple):
    """A document rules cite: the leaflet, a drug label, a manufacturer's page."""

    title: str
    publisher: str
    url: str | None = None

    def __str__(self) -> str:
        return f"{self.title} ({self.publisher})"


class Drug(NamedTuple):
    """A drug the rule file knows, with its labeling's warning and refill limits, each cited."""

    id: str
    name: str
    text: str
    source: str
    cites: str
    first_fill: Duration | None = None  # a new pump's first fill must be refilled within this
    refill_within: Duration | None = None  # every later fill must be refilled within this


class AlarmVolume(NamedTuple):
    """The volume at which the pump's low-reservoir alarm sounds, and where that number comes from."""

    volume: Quantity
    source: str
    cites: str


class RuleSet(NamedTuple):
    """A validated rule file."""

    name: str
    version: str
    source: str
    origin: str
    rules: tuple[Rule, ...]
    groups: Mapping[str, str]
    documents: Mapping[str, Document] = {}
    drugs: Mapping[str, Drug] = {}
    alarm_volume: AlarmVolume | None = None
    # Groups whose title already names each member ("No housework, yard work or sex"): a part split off by an
    # order is then shown as its members' titles, and the title needs no list of members under it.
    groups_naming_members: frozenset[str] = frozenset()
    # Groups whose title is a name of its own ("Movement limits"), said so in the file: a part split off is shown
    # as "Movement limits, except no lifting". A group that says neither is shown by its members' titles, which
    # is never wrong, only longer.
    groups_named_apart: frozenset[str] = frozenset()
    # The language of every word above, and the one phrase the scheduler needs to name a split group: a rule set
    # in a language is all the scheduler needs, so it never asks a catalog (rule_words.in_language makes one).
    lang: str = ENGLISH
    except_phrase: str = EXCEPT_PHRASE

    def get(self, rule_id: str) -> Rule | None:
        """The rule with this id, or None."""
        return next((rule for rule in self.rules if rule.id == rule_id), None)

    def document(self, cites: str) -> Document:
        """The document a rule or drug cites; the leaflet is the rule file's own `source`."""
        return self.documents.get(cites) or Document(self.source, "")

    def cited(self, cites: str) -> str:
        """How a patient-facing text names a source: 'the leaflet (…)' or the document's title and publisher."""
        if cites == LEAFLET:
            return f"the leaflet ({self.source})"
        return str(self.document(cites))
