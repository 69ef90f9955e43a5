"""Keeping a CalDAV calendar (Nextcloud, iCloud, Fastmail, Radicale...) equal to the plan: `pumpcare sync`.

Each event of the plan's calendar is one CalDAV object, found again by its UID. Only events pumpcare made for
this plan (UIDs ending in this plan's key) are ever updated or removed: a caregiver's own events are never
touched, and nothing is written before the address is known to be a calendar of events. The requests are
dav.py's, bounded in time and size; every way a server can fail ends here as one sentence.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from fractions import Fraction
from typing import NamedTuple
from urllib.parse import quote

from pumpcare.dav import (
    CALDAV,
    CARDDAV,
    DAV,
    MAX_ANSWER_BYTES,
    Answer,
    Client,
    DavFailure,
    checked_url,
    failure_for,
    is_local,
    multistatus,
    shown,
)
from pumpcare.errors import PumpcareError
from pumpcare.i18n import N_, format_number, ngettext
from pumpcare.i18n import gettext as _

# Not clinical: a sync of a few dozen events takes seconds; a server still answering after two minutes is stuck.
DEFAULT_SECONDS = 120
MAX_CALENDARS_LISTED = 10


class SyncError(PumpcareError):
    """The server could not be reached or used; the message says which and what to check."""


class Event(NamedTuple):
    """One event as sync shows and uploads it: its title, its first day, and its own calendar text."""

    summary: str
    day: date | None
    text: str


class SyncReport(NamedTuple):
    """What a sync changed (or, with dry_run, would change), events by what happened to them."""

    created: tuple[Event, ...]
    updated: tuple[Event, ...]
    removed: tuple[Event, ...]
    unchanged: int
    behind: tuple[Event, ...] = ()  # events a failure left as they were: the calendar is not equal yet
    stopped: str = ""  # why the sync stopped before the end (time, Ctrl-C, the connection), as a sentence
    interrupted: bool = False


def split_events(calendar: bytes) -> dict[str, Event]:
    """The calendar's events by UID: title, first day, and the event alone as a calendar of its own."""
    lines = calendar.decode("utf-8").split("\r\n")
    # A CalDAV object carries no METHOD (RFC 4791) and no calendar-wide name: those belong to the collection.
    head = [
        line for line in _unfolded(lines[: lines.index("BEGIN:VEVENT")]) if not line.startswith(("X-WR-", "METHOD"))
    ]
    events: dict[str, Event] = {}
    for block in _blocks(lines):
        uid, summary, day = _identity(block)
        events[uid] = Event(summary or uid, day, "\r\n".join([*head, *block, "END:VCALENDAR"]))
    return events


def _identity(block: list[str]) -> tuple[str, str, date | None]:
    """An event's UID, title and first day, read from its lines ("" and None where it has none)."""
    uid = summary = ""
    day = None
    for line in _unfolded(block):
        name, _, value = line.partition(":")
        name = name.split(";")[0].upper()
        if name == "UID" and not uid:
            uid = value.strip()
        elif name == "SUMMARY" and not summary:
            summary = value.replace("\\,", ",").replace("\\;", ";").replace("\\n", " ").replace("\\\\", "\\")
        elif name == "DTSTART" and day is None:
            digits = value.strip()[:8]
            if digits.isdigit() and len(digits) == 8:
                try:
                    day = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
                except ValueError:
                    day = None
    return uid, summary[:200], day


def _blocks(lines: list[str]) -> Iterator[list[str]]:
    block: list[str] = []
    for line in lines:
        if line == "BEGIN:VEVENT":
            block = [line]
        elif block:
            block.append(line)
            if line == "END:VEVENT":
                yield block
                block = []


def _unfolded(lines: list[str]) -> list[str]:
    result: list[str] = []
    for line in lines:
        if line.startswith(" ") and result:
            result[-1] += line[1:]
        else:
            result.append(line)
    return result


def same_event(ours: str, theirs: str) -> bool:
    """Two copies of an event are the same when all but their time stamps match (a server may refold lines)."""

    def core(text: str) -> list[str]:
        lines = _unfolded(text.replace("\r\n", "\n").split("\n"))
        inside = False
        kept = []
        for line in lines:
            inside = inside or line == "BEGIN:VEVENT"
            if inside and not line.startswith(("DTSTAMP", "CREATED", "LAST-MODIFIED")) and line.strip():
                kept.append(line)
            inside = inside and line != "END:VEVENT"
        return kept

    # A server may store the properties in another order; the VALARM's own lines stay inside it either way.
    return sorted(core(ours)) == sorted(core(theirs))


def check_address(url: str, *, allow_http: bool) -> tuple[str, str | None]:
    """The address to use, and a warning to show before the password is sent; SyncError when it cannot be used."""
    try:
        address = checked_url(url)
    except DavFailure as failure:
        raise SyncError(_sentence(failure, url, "")) from None
    if address.startswith("http://") and not is_local(address):
        host = shown(address).split("/")[2]
        if not allow_http:
            raise SyncError(
                _(
                    "http:// would send the password unencrypted to {host}; use the server's https:// address, or add "
                    "--allow-http if the network in between is yours alone"
                ).format(host=host)
            )
        return address, _("the password goes to {host} unencrypted (http://, --allow-http)").format(host=host)
    return address, None


def sync(
    url: str,
    user: str,
    password: str,
    events: dict[str, Event],
    key: str,
    *,
    dry_run: bool,
    seconds: float = DEFAULT_SECONDS,
    ca_file: str | None = None,
) -> SyncReport:
    """Make the calendar at `url` hold exactly this plan's events, touching nothing else.

    `url` is check_address's. Nothing is written unless the address is a calendar that holds events. A failure
    before the first write raises SyncError; one during the writes ends the sync with a report of what changed.
    """
    with Client(user, password, seconds=seconds, ca_file=ca_file) as client:
        try:
            calendar = _calendar(client, url)
            ours = _our_objects(client, calendar, key)
        except DavFailure as failure:
            raise SyncError(_sentence(failure, url, user, seconds)) from None
        except KeyboardInterrupt:
            raise SyncError(_("interrupted before anything was written: the calendar is as it was")) from None
        return _write(client, calendar, events, ours, dry_run=dry_run, url=url, user=user, seconds=seconds)


class _Object(NamedTuple):
    href: str
    etag: str
    event: Event


def _calendar(client: Client, url: str) -> str:
    """The calendar's address (after any redirect); DavFailure or SyncError when it is not a calendar of events."""
    answer = _propfind(client, url, "0")
    found = [props for _, props in multistatus(answer)]
    if not found:
        raise DavFailure("not-dav", answer.status)
    props = found[0]
    kinds = {child.tag for child in props.get(f"{DAV}resourcetype", [])}
    if f"{CALDAV}calendar" not in kinds:
        raise SyncError(_not_a_calendar(client, answer.url, kinds))
    components = props.get(f"{CALDAV}supported-calendar-component-set")
    names = {comp.get("name", "").upper() for comp in components} if components is not None else {"VEVENT"}
    if names and "VEVENT" not in names:
        # Translators: {kinds} names what the calendar holds in iCalendar's words (VTODO, VJOURNAL), which stay.
        message = _("{address} is a calendar for {kinds} only, not for events; choose a calendar that holds events")
        raise SyncError(message.format(address=shown(answer.url), kinds=", ".join(sorted(names))))
    return answer.url if answer.url.endswith("/") else answer.url + "/"


def _propfind(client: Client, url: str, depth: str) -> Answer:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
        "<D:prop><D:resourcetype/><D:displayname/><C:supported-calendar-component-set/></D:prop></D:propfind>"
    )
    headers = {"Depth": depth, "Content-Type": "application/xml; charset=utf-8"}
    return client.request("PROPFIND", url, body.encode(), headers)


def _not_a_calendar(client: Client, url: str, kinds: set[str]) -> str:
    """Why the address is not a calendar, with the calendars it holds when the server lists them."""
    where = shown(url)
    if f"{CARDDAV}addressbook" in kinds:
        return _("{address} is an address book, not a calendar; give the calendar's address with --caldav").format(
            address=where
        )
    if f"{DAV}collection" not in kinds:
        message = _("{address} is a single item, not a calendar; give the calendar's address (it ends with its name)")
        return message.format(address=where)
    calendars = []
    try:
        for href, props in multistatus(_propfind(client, url, "1")):
            inside = {child.tag for child in props.get(f"{DAV}resourcetype", [])}
            components = props.get(f"{CALDAV}supported-calendar-component-set")
            names = {comp.get("name", "").upper() for comp in components} if components is not None else set()
            if f"{CALDAV}calendar" in inside and (not names or "VEVENT" in names):
                name = (props[f"{DAV}displayname"].text or "").strip() if f"{DAV}displayname" in props else ""
                calendars.append(shown(href) + (f" ({name[:60]})" if name else ""))
    except DavFailure:
        pass  # listing them is a kindness; the sentence stands without it
    if not calendars:
        return _(
            "{address} is an account or a folder, not a calendar, and it holds no calendar of events; give the "
            "calendar's address (it ends with its name)"
        ).format(address=where)
    listed = sorted(calendars)[:MAX_CALENDARS_LISTED]
    there = ", ".join(listed)
    if len(calendars) > len(listed):
        # Translators: {names} lists calendars by their addresses; {count} is how many more there are.
        there = ngettext("{names} and {count} more", "{names} and {count} more", len(calendars) - len(listed)).format(
            names=there, count=len(calendars) - len(listed)
        )
    message = _(
        "{address} is an account or a folder, not a calendar; the calendars there are: {calendars}. Give one of "
        "them with --caldav"
    )
    return message.format(address=where, calendars=there)


def _our_objects(client: Client, calendar: str, key: str) -> dict[str, _Object]:
    """This plan's events in the calendar, by UID: only objects whose UID ends with the plan's key."""
    body = (
        '<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" '
        'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter>'
        '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter></C:filter></C:calendar-query>'
    )
    headers = {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"}
    answer = client.request("REPORT", calendar, body.encode(), headers)
    ours: dict[str, _Object] = {}
    for href, props in multistatus(answer):
        data = props.get(f"{CALDAV}calendar-data")
        text = (data.text or "") if data is not None else ""
        # A caregiver's event that pumpcare cannot read is not pumpcare's: it is skipped, never touched.
        lines = text.replace("\r\n", "\n").split("\n")
        uid, summary, day = _identity(lines)
        if uid.endswith(f".{key}@pumpcare"):
            etag = props[f"{DAV}getetag"].text or "" if f"{DAV}getetag" in props else ""
            ours[uid] = _Object(href, etag.strip(), Event(summary or uid, day, text))
    return ours


def _write(
    client: Client,
    calendar: str,
    events: dict[str, Event],
    ours: dict[str, _Object],
    *,
    dry_run: bool,
    url: str,
    user: str,
    seconds: float,
) -> SyncReport:
    created: list[Event] = []
    updated: list[Event] = []
    removed: list[Event] = []
    behind: list[Event] = []
    unchanged = 0
    work: list[tuple[str, Event, _Object | None]] = []
    for uid, event in events.items():
        item = ours.get(uid)
        if item is not None and same_event(event.text, item.event.text):
            unchanged += 1
        else:
            work.append((uid, event, item))
    work += [(uid, item.event, item) for uid, item in ours.items() if uid not in events]
    stopped, interrupted = "", False
    for index, (uid, event, item) in enumerate(work):
        removing = uid not in events
        try:
            if not dry_run:
                _change(client, calendar, uid, event, item, removing=removing)
        except DavFailure as failure:
            behind.append(event)
            if failure.kind not in ("status", "forbidden", "not-found", "server-error", "full", "busy", "conflict"):
                stopped = _sentence(failure, url, user, seconds)  # the connection is gone: the rest waits too
                behind += [later for _, later, _ in work[index + 1 :]]
                break
            stopped = stopped or _sentence(failure, url, user, seconds)
            continue
        except KeyboardInterrupt:
            behind += [later for _, later, _ in work[index:]]
            stopped, interrupted = "interrupted", True
            break
        (removed if removing else created if item is None else updated).append(event)
    return SyncReport(tuple(created), tuple(updated), tuple(removed), unchanged, tuple(behind), stopped, interrupted)


def _change(client: Client, calendar: str, uid: str, event: Event, item: _Object | None, *, removing: bool) -> None:
    """One write: a new object, a changed one (only if nobody changed it since it was read), or a removal."""
    if removing:
        assert item is not None
        answer = client.request("DELETE", item.href, headers=_if_match(item.etag))
        ok = answer.status in (200, 204, 404, 410)  # already gone is gone
    else:
        href = item.href if item is not None else calendar + quote(uid, safe="") + ".ics"
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        headers.update(_if_match(item.etag) if item is not None else {"If-None-Match": "*"})
        answer = client.request("PUT", href, event.text.encode("utf-8"), headers)
        ok = answer.status in (200, 201, 204)
    if not ok:
        raise DavFailure("conflict", answer.status) if answer.status == 412 else failure_for(answer)


def _if_match(etag: str) -> dict[str, str]:
    return {"If-Match": etag} if etag else {}


def _sentence(failure: DavFailure, url: str, user: str, seconds: float = DEFAULT_SECONDS) -> str:
    """The one sentence a failure is told as: what happened, and what to do."""
    kind, status, detail = failure.kind, failure.status, failure.detail
    key = kind
    if kind == "not-dav" and not status:
        key = "not-dav-unknown"
    elif kind == "busy" and detail.isdigit():
        key = "busy-wait"
    elif kind == "certificate" and not detail:
        key = "certificate-unknown"
    message = (
        _(_SENTENCES[key])
        if key in _SENTENCES
        else _("the server at {address} could not be used ({kind}); check the address")
    )
    return message.format(
        address=shown(url),
        user=user,
        kind=kind,
        status=status,
        wait=detail,
        target=detail,
        detail=detail.lower() if kind == "unreachable" else detail,
        seconds=format_number(Fraction(seconds)),
        megabytes=MAX_ANSWER_BYTES // 2**20,
    )


# What each failure is told as; {address} is the calendar's address as typed, never with a password.
_SENTENCES = {
    "auth": N_("the server at {address} refused user '{user}' and this password; check both"),
    "forbidden": N_(
        "the server at {address} does not let user '{user}' do this (403 Forbidden); check the address and the account"
    ),
    "not-found": N_("there is no calendar at {address}; check the address (it ends with the calendar's name)"),
    "not-dav": N_("{address} is not a CalDAV calendar (the server answered {status}); check the address"),
    "not-dav-unknown": N_("{address} is not a CalDAV calendar (the server answered something else); check the address"),
    "web-page": N_(
        "{address} answered with a web page (a sign-in page?), not a calendar; give the calendar's CalDAV address, "
        "not the address of its web page"
    ),
    "bad-xml": N_(
        "the server at {address} sent a broken answer (its XML cannot be read); try again later, or check the address"
    ),
    "busy": N_("the server at {address} is busy or down for maintenance ({status}); try again later"),
    "busy-wait": N_(
        "the server at {address} is busy or down for maintenance ({status}) (it asks to wait {wait} seconds); try "
        "again later"
    ),
    "server-error": N_(
        "the server at {address} had an error of its own ({status}); try again later, or tell whoever runs it"
    ),
    "full": N_("the server at {address} is out of space (507); make room in the account, then run sync again"),
    "conflict": N_("an event was changed on the server while sync ran (412)"),
    "status": N_("the server at {address} answered {status}, which sync cannot use; check the address"),
    "moved": N_(
        "{address} sends pumpcare on to another server, {target}; if that is your calendar, give that address with "
        "--caldav"
    ),
    "redirect-loop": N_(
        "the server at {address} sends pumpcare round in circles (too many redirects); check the address"
    ),
    "scheme": N_(
        "{address} is not a CalDAV address: it starts with https:// (or http:// for a server on this computer)"
    ),
    "address": N_("{address} is not an address pumpcare can use; check it"),
    "credentials": N_(
        "the address {address} holds a user name or password; give it without them, the user with --user and the "
        "password in PUMPCARE_CALDAV_PASSWORD"
    ),
    "deadline": N_(
        "the server at {address} did not finish answering within {seconds} seconds; try again later (--timeout "
        "gives it longer)"
    ),
    "too-big": N_(
        "the server at {address} sent an answer larger than {megabytes} MB, far more than a calendar's; check the "
        "address"
    ),
    # Translators: {detail} is the TLS library's own words, in English, such as "self-signed certificate".
    "certificate": N_(
        "cannot reach {address} (its TLS certificate could not be checked: {detail}); if the server has a "
        "certificate of its own, give it with --ca-file PATH"
    ),
    "certificate-unknown": N_(
        "cannot reach {address} (its TLS certificate could not be checked: unknown issuer); if the server has a "
        "certificate of its own, give it with --ca-file PATH"
    ),
    "ca-file": N_("the file given with --ca-file holds no certificate pumpcare can read; check it (PEM format)"),
    "tls": N_(
        "cannot reach {address} (the secure connection failed); check the address, and that the server speaks https"
    ),
    "no-such-host": N_("cannot reach {address} (no server has that name); check the address and the network"),
    "refused": N_("cannot reach {address} (connection refused or timed out); check the address and the network"),
    # Translators: {detail} is the system's own words for the failure, such as "network is unreachable".
    "unreachable": N_("cannot reach {address} ({detail}); check the address and the network"),
    "dropped": N_("the server at {address} closed the connection before answering; try again later"),
    "garbled": N_("the server at {address} did not answer in HTTP; check the address and its port"),
}
