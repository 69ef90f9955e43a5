"""Keeping a CalDAV calendar (Nextcloud, iCloud, Fastmail, Radicale...) equal to the plan: `pumpcare sync`.

Each event of the plan's calendar is one CalDAV object, found again by its UID. Only events pumpcare made for
this plan (UIDs ending in this plan's key) are ever updated or removed: a caregiver's own events are never
touched. The `caldav` library is an optional extra (`pip install ".[sync]"` in a clone), imported only here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from pumpcare.errors import OutputError, PumpcareError


class SyncError(PumpcareError):
    """The server could not be reached or used; the message says which and what to check."""


class SyncReport(NamedTuple):
    """What a sync changed (or, with dry_run, would change), event titles by what happened to them."""

    created: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int
    behind: tuple[str, ...] = ()  # events a partial failure left as they were: the calendar is not equal yet


def split_events(calendar: bytes) -> dict[str, tuple[str, str]]:
    """The calendar's events by UID: (summary, the event alone as a calendar of its own, ready to upload)."""
    lines = calendar.decode("utf-8").split("\r\n")
    # A CalDAV object carries no METHOD (RFC 4791) and no calendar-wide name: those belong to the collection.
    head = [
        line for line in _unfolded(lines[: lines.index("BEGIN:VEVENT")]) if not line.startswith(("X-WR-", "METHOD"))
    ]
    events: dict[str, tuple[str, str]] = {}
    for block in _blocks(lines):
        uid = next(line[4:] for line in _unfolded(block) if line.startswith("UID:"))
        summary = next((line[8:] for line in _unfolded(block) if line.startswith("SUMMARY:")), uid)
        events[uid] = (summary.replace("\\,", ",").replace("\\;", ";"), "\r\n".join([*head, *block, "END:VCALENDAR"]))
    return events


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


def sync(
    url: str, user: str, password: str, events: dict[str, tuple[str, str]], key: str, *, dry_run: bool
) -> SyncReport:
    """Make the calendar at `url` hold exactly this plan's events, touching nothing else."""
    import caldav
    from caldav.lib import error

    created: list[str] = []
    updated: list[str] = []
    removed: list[str] = []
    behind: list[str] = []
    unchanged = 0
    try:
        client_class: Any = caldav.DAVClient  # typed loosely by the library
        client = client_class(url=url, username=user, password=password)
        calendar = client.calendar(url=url)
        existing = {_uid(item): item for item in calendar.events()}
    except error.AuthorizationError:
        raise SyncError(f"the server at {url} refused user '{user}' and this password; check both") from None
    except error.NotFoundError:
        raise SyncError(
            f"there is no calendar at {url}; check the address (it ends with the calendar's name)"
        ) from None
    except error.DAVError as err:
        raise SyncError(
            f"the server at {url} is not a CalDAV calendar ({type(err).__name__}); check the address"
        ) from None
    except OSError as err:
        raise SyncError(f"cannot reach {url} ({_reason(err)}); check the address and the network") from None
    ours = {uid: item for uid, item in existing.items() if uid.endswith(f".{key}@pumpcare")}
    for uid, (summary, text) in events.items():
        item = ours.get(uid)
        if item is not None and same_event(text, str(item.data)):
            unchanged += 1
            continue
        try:
            if not dry_run:
                if item is None:
                    calendar.save_event(text)
                else:
                    item.data = text
                    item.save()
            (created if item is None else updated).append(summary)
        except (error.DAVError, OSError):
            behind.append(summary)
    for uid, item in ours.items():
        if uid in events:
            continue
        summary = _summary(item)
        try:
            if not dry_run:
                item.delete()
            removed.append(summary)
        except (error.DAVError, OSError):
            behind.append(summary)
    return SyncReport(tuple(created), tuple(updated), tuple(removed), unchanged, tuple(behind))


def _uid(item: Any) -> str:
    return str(item.icalendar_component.get("uid", ""))


def _summary(item: Any) -> str:
    return str(item.icalendar_component.get("summary", _uid(item)))


def _reason(err: OSError) -> str:
    text = str(err)
    if "CERTIFICATE" in text.upper() or "SSL" in text.upper():
        return "its TLS certificate could not be checked"
    return "connection refused or timed out"


def require_caldav() -> None:
    """Refuse with the install command when the optional extra is missing."""
    try:
        import caldav  # noqa: F401
    except ImportError:
        # pumpcare installs from a clone, not from PyPI: "pumpcare[sync]" would ask PyPI for another package.
        # Quoted, so zsh does not read the brackets as a pattern.
        raise OutputError(
            'sync needs the caldav library; in your clone of pumpcare, install it with: pip install ".[sync]"'
        ) from None
