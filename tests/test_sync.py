"""`pumpcare sync` against a real CalDAV server: Radicale, started on 127.0.0.1 with a temporary storage folder."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pumpcare.cli import app

caldav = pytest.importorskip("caldav")
pytest.importorskip("radicale")

PLAN = [
    "--surgery-date", "2026-12-01", "--refill-every", "12w", "--first-refill", "2027-01-26", "--patient-label", "Bed 4",
]  # fmt: skip
OWN_EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//caregiver//EN\r\nBEGIN:VEVENT\r\nUID:dentist-1\r\n"
    "DTSTAMP:20261124T000000Z\r\nDTSTART;VALUE=DATE:20261210\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("radicale")
    (folder / "users").write_text("ana:secret\n", encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable, "-m", "radicale", "--server-hosts", f"127.0.0.1:{port}",
        "--storage-filesystem-folder", str(folder / "store"), "--auth-type", "htpasswd",
        "--auth-htpasswd-filename", str(folder / "users"), "--auth-htpasswd-encryption", "plain",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):  # at most 10 s for the server to listen
            with socket.socket() as attempt:
                if attempt.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        client = caldav.DAVClient(url=f"http://127.0.0.1:{port}/", username="ana", password="secret")
        client.principal().make_calendar(name="pump", cal_id="pump")
        yield f"http://127.0.0.1:{port}/ana/pump/"
    finally:
        process.terminate()
        process.wait(timeout=10)


def events(url: str) -> dict[str, str]:
    calendar = caldav.DAVClient(url=url, username="ana", password="secret").calendar(url=url)
    found = {}
    for item in calendar.events():
        component = item.icalendar_component
        found[str(component["uid"])] = f"{component.decoded('dtstart')} {component['summary']}"
    return found


def local(args: list[str]) -> dict[str, tuple[str, str]]:
    """The plan's own events, as sync uploads them: what the server should end up holding."""
    from pumpcare.caldav_sync import split_events

    calendar = CliRunner().invoke(app, ["plan", *args, "--ics", "-"], env={"SOURCE_DATE_EPOCH": "1795996800"})
    return split_events(calendar.stdout_bytes)


def run(args: list[str], password: str = "secret") -> object:
    env = {"PUMPCARE_CALDAV_PASSWORD": password, "SOURCE_DATE_EPOCH": "1795996800"}
    return CliRunner().invoke(app, ["sync", *args], env=env)


def test_sync_creates_updates_in_place_and_never_touches_a_caregivers_own_events(server: str) -> None:
    caldav.DAVClient(url=server, username="ana", password="secret").calendar(url=server).save_event(OWN_EVENT)
    plain, visit = local(PLAN), local([*PLAN, "--follow-up", "2027-01-05"])
    first = run(["--caldav", server, "--user", "ana", *PLAN])
    assert first.exit_code == 0, first.output  # type: ignore[attr-defined]
    assert first.stdout.startswith(f"Created {len(plain)}, updated 0, removed 0 events; 0 unchanged.")  # type: ignore[attr-defined]
    before = events(server)
    assert before["dentist-1"] == "2026-12-10 Dentist"
    assert set(before) == {*plain, "dentist-1"}

    again = run(["--caldav", server, "--user", "ana", *PLAN])
    assert again.stdout == f"Nothing to change: the calendar already holds the plan's {len(plain)} events.\n"  # type: ignore[attr-defined]

    # A follow-up date is set: the same UIDs stay, the visit's events are new, what mentions it is updated.
    new = set(visit) - set(plain)
    assert new
    assert all(uid.startswith(("follow-up-visit-due.", "until-follow-up-ends.")) for uid in new)
    dry = run(["--caldav", server, "--user", "ana", *PLAN, "--follow-up", "2027-01-05", "--dry-run"])
    assert dry.stdout.startswith(f"Would create {len(new)}, would update 1, would remove 0 events;")  # type: ignore[attr-defined]
    assert events(server) == before
    moved = run(["--caldav", server, "--user", "ana", *PLAN, "--follow-up", "2027-01-05"])
    assert moved.exit_code == 0  # type: ignore[attr-defined]
    after = events(server)
    assert set(before) <= set(after)
    changed = {uid for uid in before if before[uid] != after[uid]}
    assert all(uid.startswith("surgery-day.") for uid in changed), changed
    assert after["dentist-1"] == "2026-12-10 Dentist"

    # Back to no follow-up date: the two events of the visit are removed, the caregiver's stays.
    back = run(["--caldav", server, "--user", "ana", *PLAN])
    assert back.stdout.startswith(f"Created 0, updated 1, removed {len(new)} events;")  # type: ignore[attr-defined]
    assert events(server) == before


def test_a_wrong_password_or_address_is_one_sentence(server: str) -> None:
    wrong = run(["--caldav", server, "--user", "ana", *PLAN], password="nope")
    assert (wrong.exit_code, wrong.stderr) == (  # type: ignore[attr-defined]
        1,
        f"pumpcare: the server at {server} refused user 'ana' and this password; check both\n",
    )
    missing = server.replace("/pump/", "/nope/")
    absent = run(["--caldav", missing, "--user", "ana", *PLAN])
    assert absent.stderr == (  # type: ignore[attr-defined]
        f"pumpcare: there is no calendar at {missing}; check the address (it ends with the calendar's name)\n"
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/ana/pump/"
    unreachable = run(["--caldav", closed, "--user", "ana", *PLAN])
    assert unreachable.stderr == (  # type: ignore[attr-defined]
        f"pumpcare: cannot reach {closed} (connection refused or timed out); check the address and the network\n"
    )


def test_no_password_and_no_terminal_is_refused(server: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sync", "--caldav", server, "--user", "ana", *PLAN])
    assert (result.exit_code, result.stderr) == (
        1,
        "pumpcare: no password: set PUMPCARE_CALDAV_PASSWORD, or run sync where it can ask for it\n",
    )
