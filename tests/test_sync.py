"""`pumpcare sync` against a real CalDAV server: Radicale, started on 127.0.0.1 with a temporary storage folder."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
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


STORE: list[Path] = []  # the server's storage folder, to count what was written


def stored() -> list[str]:
    """Every object the server holds, as file paths: what any sync wrote shows here."""
    return sorted(str(path) for path in STORE[0].rglob("*.ics"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("radicale")
    STORE.append(folder / "store")
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
        client.principal().make_calendar(name="tasks", cal_id="tasks", supported_calendar_component_set=["VTODO"])
        client.principal().make_calendar(name="shared", cal_id="shared")
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


def test_a_spanish_caregiver_reads_what_sync_did_and_why_it_failed_in_spanish(server: str) -> None:
    shared = server.replace("/pump/", "/shared/")
    dry = run(["--caldav", shared, "--user", "ana", *PLAN, "--dry-run", "--lang", "es"])
    assert dry.exit_code == 0  # type: ignore[attr-defined]
    first = dry.stdout.splitlines()[0]  # type: ignore[attr-defined]
    assert first.startswith("Eventos que se crearían: ")
    assert first.endswith("; sin cambios: 0.")
    wrong = run(["--caldav", server, "--user", "ana", *PLAN, "--lang", "es"], password="nope")
    assert wrong.stderr == (  # type: ignore[attr-defined]
        f"pumpcare: el servidor de {server} rechazó el usuario 'ana' con esta contraseña; revise los dos\n"
    )
    tasks = server.replace("/pump/", "/tasks/")
    todo = run(["--caldav", tasks, "--user", "ana", *PLAN, "--lang", "es"])
    assert todo.stderr == (  # type: ignore[attr-defined]
        f"pumpcare: {tasks} es un calendario solo para VTODO, no para eventos; elija un calendario que contenga "
        "eventos\n"
    )


def test_no_password_and_no_terminal_is_refused(server: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sync", "--caldav", server, "--user", "ana", *PLAN])
    assert (result.exit_code, result.stderr) == (
        1,
        "pumpcare: no password: set PUMPCARE_CALDAV_PASSWORD, or run sync where it can ask for it\n",
    )


def test_each_change_is_named_with_its_date(server: str) -> None:
    shared = server.replace("/pump/", "/shared/")
    first = run(["--caldav", shared, "--user", "ana", *PLAN, "--dry-run"])
    lines = first.stdout.splitlines()[1:]  # type: ignore[attr-defined]
    assert "  + Bed 4: Pump refill visit, Tue 26 Jan 2027" in lines  # the title as the calendar will show it
    assert len(set(lines)) == len(lines)


def test_two_patients_in_one_calendar_each_have_their_name_on_their_events(server: str) -> None:
    base = server.replace("/pump/", "/")
    principal = caldav.DAVClient(url=base, username="ana", password="secret").principal()
    calendar = principal.make_calendar(name="ward", cal_id="ward")
    ward = base + "ward/"
    unlabelled = [arg for arg in PLAN if arg not in ("--patient-label", "Bed 4")]
    try:
        for label in ("Bed 4", "Bed 5"):  # operated on the same day: without their labels, twins
            result = run(["--caldav", ward, "--user", "ana", *unlabelled, "--patient-label", label])
            assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
        titles = [held.split(" ", 1)[1] for held in events(ward).values()]
    finally:
        calendar.delete()  # the other tests list the account's calendars
    count = len(local(PLAN))
    assert len(titles) == 2 * count
    assert sum(title.startswith("Bed 4: ") for title in titles) == count
    assert sum(title.startswith("Bed 5: ") for title in titles) == count
    assert "Bed 5: Pump refill visit" in titles


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("/ana/", "{url} is an account or a folder, not a calendar; the calendars there are: {base}/ana/pump/ (pump), "
         "{base}/ana/shared/ (shared). Give one of them with --caldav"),
        ("/", "{url} is an account or a folder, not a calendar, and it holds no calendar of events; give the "
         "calendar's address (it ends with its name)"),
        ("/ana/tasks/", "{url} is a calendar for VTODO only, not for events; choose a calendar that holds events"),
        ("/ana/pump/dentist-1.ics", "{url} is a single item, not a calendar; give the calendar's address (it ends "
         "with its name)"),
    ],
)  # fmt: skip
def test_an_address_that_is_not_a_calendar_gets_nothing_written(server: str, address: str, says: str) -> None:
    base = server.removesuffix("/ana/pump/")
    caldav.DAVClient(url=server, username="ana", password="secret").calendar(url=server).save_event(
        OWN_EVENT.replace("dentist-1", "dentist-2")
    )
    url = base + address
    if address.endswith(".ics"):
        url = next(str(item.url) for item in caldav.DAVClient(url=server, username="ana", password="secret")
                   .calendar(url=server).events() if "dentist" in str(item.url))  # fmt: skip
    before = stored()
    result = run(["--caldav", url, "--user", "ana", *PLAN])
    assert (result.exit_code, result.stdout) == (1, "")  # type: ignore[attr-defined]
    assert result.stderr == f"pumpcare: {says.format(url=url, base=base)}\n"  # type: ignore[attr-defined]
    assert stored() == before


def test_two_unlabelled_records_of_one_surgery_day_keep_their_own_events(server: str, tmp_path: Path) -> None:
    shared = server.replace("/pump/", "/shared/")
    unlabelled = [arg for arg in PLAN if arg not in ("--patient-label", "Bed 4")]
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        saved = CliRunner().invoke(app, ["plan", *unlabelled, "--save", "--config-dir", str(folder)])
        assert saved.exit_code == 0, saved.output
    a = run(["--caldav", shared, "--user", "ana", "--config-dir", str(first)])
    assert a.exit_code == 0, a.output  # type: ignore[attr-defined]
    held = events(shared)
    b = run(["--caldav", shared, "--user", "ana", "--config-dir", str(second)])
    assert b.stdout.startswith(f"Created {len(held)}, updated 0, removed 0 events"), b.output  # type: ignore[attr-defined]
    assert set(held) < set(events(shared))  # the first patient's events are all still there


def test_without_a_record_or_a_label_sync_refuses_before_anything_is_written(server: str) -> None:
    unlabelled = [arg for arg in PLAN if arg not in ("--patient-label", "Bed 4")]
    before = stored()
    result = run(["--caldav", server, "--user", "ana", *unlabelled])
    assert (result.exit_code, result.stderr) == (  # type: ignore[attr-defined]
        1,
        "pumpcare: sync without a saved plan needs --patient-label, unique to the patient (such as the record "
        "number): without one, the events of patients operated on the same day look alike and a sync would remove "
        "another patient's; or save the plan first with `pumpcare plan ... --save`\n",
    )
    assert stored() == before


def test_a_record_from_before_keys_syncs_onto_the_events_it_made(server: str, tmp_path: Path) -> None:
    """A record without `key:` uses the key its events already carry: no duplicates, and saving keeps that key."""
    shared = server.replace("/pump/", "/shared/")
    label = ["--patient-label", "Old record"]
    made = run(["--caldav", shared, "--user", "ana", *PLAN[:-2], *label])  # as sync made them before keys
    assert made.exit_code == 0, made.output  # type: ignore[attr-defined]
    CliRunner().invoke(app, ["plan", *PLAN[:-2], *label, "--save", "--config-dir", str(tmp_path)])
    record = tmp_path / "plan.yaml"
    record.write_text(
        "".join(line for line in record.read_text("utf-8").splitlines(True) if not line.startswith("key:")), "utf-8"
    )
    again = run(["--caldav", shared, "--user", "ana", "--config-dir", str(tmp_path)])
    assert again.stdout.startswith("Nothing to change: the calendar already holds")  # type: ignore[attr-defined]
    # Saved again (a follow-up date is set): the record is written with the key its events already carry.
    CliRunner().invoke(app, ["plan", "--follow-up", "2027-01-06", "--save", "--config-dir", str(tmp_path)])
    assert "key: " in record.read_text("utf-8")
    last = run(["--caldav", shared, "--user", "ana", "--config-dir", str(tmp_path)])
    assert last.stdout.startswith("Created 2, updated 1, removed 0 events;")  # type: ignore[attr-defined]


class _ConnectProxy(threading.Thread):
    """A proxy of the test's own on 127.0.0.1 that takes CONNECT tunnels, as a hospital's or a home's proxy does."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.tunnels: list[str] = []

    def run(self) -> None:
        self.listener.settimeout(20)  # bounded: the test is over well before
        with contextlib.suppress(OSError):
            while True:
                client, _ = self.listener.accept()
                threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        with client, contextlib.suppress(OSError):
            head = b""
            while b"\r\n\r\n" not in head:
                head += client.recv(4096)
            target = head.split(b" ")[1].decode("ascii")
            self.tunnels.append(target)
            host, _, port = target.rpartition(":")
            with socket.create_connection((host, int(port)), timeout=10) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                for sock in (client, upstream):
                    sock.settimeout(10)

                def pump(source: socket.socket, sink: socket.socket) -> None:
                    with contextlib.suppress(OSError):
                        while data := source.recv(65536):
                            sink.sendall(data)

                back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
                back.start()
                pump(client, upstream)
                back.join(10)


def test_sync_goes_through_the_proxy_the_system_names(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = _ConnectProxy()
    proxy.start()
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    try:
        result = run(["--caldav", server, "--user", "ana", *PLAN, "--patient-label", "Proxy 1"])
        assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
        assert proxy.tunnels
        assert set(proxy.tunnels) == {server.split("/")[2]}
    finally:
        proxy.listener.close()


def test_a_calendar_imported_from_plan_and_one_kept_by_sync_hold_the_same_events(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUMPCARE_CONFIG_DIR", str(tmp_path / "own-record"))
    assert CliRunner().invoke(app, ["plan", *PLAN, "--save"]).exit_code == 0
    imported = CliRunner().invoke(app, ["plan", "--ics", "-"]).stdout_bytes
    from pumpcare.caldav_sync import split_events

    synced = run(["--caldav", server, "--user", "ana", "--dry-run"])
    assert synced.exit_code == 0, synced.output  # type: ignore[attr-defined]
    record_key = (tmp_path / "own-record" / "plan.yaml").read_text(encoding="utf-8").split("\nkey: ")[1][:16]
    uids = set(split_events(imported))
    assert uids
    assert all(f".{record_key}@" in uid for uid in uids)
