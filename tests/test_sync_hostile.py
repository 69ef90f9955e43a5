"""`pumpcare sync` against a server of the tests' own on 127.0.0.1 that misbehaves in every way a real one has.

Each case ends in one sentence and exit 1, never a traceback, within seconds and a bounded amount of memory.
The server runs in a thread, answers by the first part of the path, and stops with the module.
"""

from __future__ import annotations

import http.server
import shutil
import subprocess
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pumpcare import dav
from pumpcare.cli import app

PLAN = ["--surgery-date", "2026-12-01", "--refill-every", "12w", "--first-refill", "2027-01-26"]
PLAN += ["--patient-label", "Bed 4"]
CALENDAR = (
    b'<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:response>'
    b"<D:href>/%s/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype>"
    b'<C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>'
    b"</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"
)
BROKEN_EVENT = (
    b'<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:response>'
    b'<D:href>/broken-event/x.ics</D:href><D:propstat><D:prop><D:getetag>"1"</D:getetag><C:calendar-data>'
    b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026-99-99\nSUMMARY\nEND:VCALENDAR</C:calendar-data></D:prop>"
    b"<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>"
)
LOGIN = b"<!DOCTYPE html><html><body><form action=/login><input name=password></form></body></html>"
HUGE = dav.MAX_ANSWER_BYTES + 5 * 2**20  # above the cap, small enough for a test


class Misbehaving(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    writes: list[str] = []  # noqa: RUF012  (the test reads what reached the server)

    def log_message(self, *args: object) -> None:
        pass

    def do_PROPFIND(self) -> None:
        self._answer()

    def do_REPORT(self) -> None:
        self._answer()

    def do_PUT(self) -> None:
        self.writes.append(self.path)
        self._answer()

    def do_DELETE(self) -> None:
        self.writes.append(self.path)
        self._answer()

    def _send(self, status: int, body: bytes = b"", kind: str = "text/plain", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        mode = self.path.strip("/").split("/")[0]
        if mode == "500-html":
            self._send(500, b"<html><body><h1>Internal Server Error</h1></body></html>", "text/html")
        elif mode in ("500-text", "502", "504"):
            self._send(int(mode[:3]), b"Internal error\n")
        elif mode == "503":
            self._send(503, b"down for maintenance", Retry_After="120")
        elif mode == "429":
            self._send(429, b"slow down")
        elif mode == "404-html":
            self._send(404, b"<html>Not here</html>", "text/html")
        elif mode == "bad-xml":
            self._send(207, b'<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response>', "application/xml")
        elif mode == "entities":
            body = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><x>&a;&a;</x>'
            self._send(207, body, "application/xml")
        elif mode == "login":
            self._send(200, LOGIN, "text/html; charset=utf-8")
        elif mode == "sso":
            self._send(302, Location="/login/")
        elif mode == "loop":
            self._send(302, Location=self.path)
        elif mode == "away":
            self._send(307, Location="https://elsewhere.invalid/cal/")
        elif mode == "garbage":
            self.wfile.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
            self.close_connection = True
        elif mode in ("drip", "drip-headers"):
            self._drip(headers=mode == "drip-headers")
        elif mode == "huge":
            self._huge(chunked=False)
        elif mode == "huge-chunked":
            self._huge(chunked=True)
        else:  # a calendar: "calendar", "broken-event", "conflict"
            self._calendar(mode)

    def _calendar(self, mode: str) -> None:
        if self.command == "PROPFIND":
            self._send(207, CALENDAR % mode.encode(), "application/xml; charset=utf-8")
        elif self.command == "REPORT":
            body = BROKEN_EVENT if mode == "broken-event" else b'<D:multistatus xmlns:D="DAV:"/>'
            self._send(207, body, "application/xml")
        else:
            self._send(412 if mode == "conflict" else 201)

    def _drip(self, *, headers: bool) -> None:
        head = b"HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nContent-Length: 100\r\n\r\n"
        if not headers:
            self.wfile.write(head)
            head = b"<" * 100
        for byte in head[:60]:  # at most 30 s, and it stops as soon as pumpcare hangs up
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.5)
        self.close_connection = True

    def _huge(self, *, chunked: bool) -> None:
        self.send_response(207)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Transfer-Encoding" if chunked else "Content-Length", "chunked" if chunked else str(HUGE))
        self.end_headers()
        block = b"<" * 2**20
        try:
            for _ in range(HUGE // len(block)):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(block), block) if chunked else block)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # pumpcare hung up once it had read its cap
        self.close_connection = True


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def run(args: list[str], password: str = "secret") -> object:
    env = {"PUMPCARE_CALDAV_PASSWORD": password, "SOURCE_DATE_EPOCH": "1795996800"}
    return CliRunner().invoke(app, ["sync", *args], env=env)


def sync(url: str, *more: str, seconds: str = "2") -> tuple[int, str, str, float]:
    Misbehaving.writes.clear()
    start = time.monotonic()
    result = run(["--caldav", url, "--user", "ana", "--timeout", seconds, *PLAN, *more])
    return result.exit_code, result.stdout, result.stderr, time.monotonic() - start  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("500-html", "the server at {url} had an error of its own (500); try again later, or tell whoever runs it"),
        ("500-text", "the server at {url} had an error of its own (500); try again later, or tell whoever runs it"),
        ("502", "the server at {url} had an error of its own (502); try again later, or tell whoever runs it"),
        ("504", "the server at {url} had an error of its own (504); try again later, or tell whoever runs it"),
        ("503", "the server at {url} is busy or down for maintenance (503) (it asks to wait 120 seconds); try again "
         "later"),
        ("429", "the server at {url} is busy or down for maintenance (429); try again later"),
        ("404-html", "there is no calendar at {url}; check the address (it ends with the calendar's name)"),
        ("bad-xml", "the server at {url} sent a broken answer (its XML cannot be read); try again later, or check "
         "the address"),
        ("entities", "{url} is not a CalDAV calendar (the server answered 207); check the address"),
        ("login", "{url} answered with a web page (a sign-in page?), not a calendar; give the calendar's CalDAV "
         "address, not the address of its web page"),
        ("sso", "{url} answered with a web page (a sign-in page?), not a calendar; give the calendar's CalDAV "
         "address, not the address of its web page"),
        ("loop", "the server at {url} sends pumpcare round in circles (too many redirects); check the address"),
        ("away", "{url} sends pumpcare on to another server, https://elsewhere.invalid/cal/; if that is your "
         "calendar, give that address with --caldav"),
        ("garbage", "the server at {url} did not answer in HTTP; check the address and its port"),
        ("drip", "the server at {url} did not finish answering within 2 seconds; try again later (--timeout gives "
         "it longer)"),
        ("drip-headers", "the server at {url} did not finish answering within 2 seconds; try again later "
         "(--timeout gives it longer)"),
        ("huge", "the server at {url} sent an answer larger than 20 MB, far more than a calendar's; check the "
         "address"),
        ("huge-chunked", "the server at {url} sent an answer larger than 20 MB, far more than a calendar's; check "
         "the address"),
    ],
)  # fmt: skip
def test_every_bad_answer_is_one_sentence_and_nothing_is_written(server: str, path: str, says: str) -> None:
    url = f"{server}/{path}/"
    tracemalloc.start()
    try:
        code, stdout, stderr, seconds = sync(url)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (code, stdout, stderr) == (1, "", f"pumpcare: {says.format(url=url)}\n")
    assert Misbehaving.writes == []
    assert seconds < 4  # the deadline is 2 s, however the server drips
    assert peak < 2 * dav.MAX_ANSWER_BYTES + 10 * 2**20  # the cap, not the answer's size


def test_a_broken_event_in_the_calendar_is_someone_elses_and_is_left_alone(server: str) -> None:
    code, stdout, stderr, _ = sync(f"{server}/broken-event/")
    assert (code, stderr) == (0, "")
    assert stdout.startswith("Created ")
    assert "/broken-event/x.ics" not in Misbehaving.writes
    assert all(write.startswith("/broken-event/") and write.endswith("%40pumpcare.ics") for write in Misbehaving.writes)


def test_a_write_the_server_refuses_leaves_the_event_behind_and_says_why(server: str) -> None:
    code, stdout, stderr, _ = sync(f"{server}/conflict/")
    assert code == 1
    assert stdout == ""
    assert stderr.startswith(
        "pumpcare: an event was changed on the server while sync ran (412). 41 events could not be changed and are "
        "behind the plan: Bed 4: Stop the medicines your doctor named (ask your care team), Tue 24 Nov 2026; Bed 4: "
        "Arrange a driver and help at home, Mon 30 Nov 2026; "
    )
    assert stderr.endswith("; and 31 more. Run sync again.\n")


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("ftp://127.0.0.1/cal/", "ftp://127.0.0.1/cal/ is not a CalDAV address: it starts with https:// (or http:// "
         "for a server on this computer)"),
        ("https://ana:hunter2@cloud.example.org/cal/", "the address https://cloud.example.org/cal/ holds a user name "
         "or password; give it without them, the user with --user and the password in PUMPCARE_CALDAV_PASSWORD"),
        ("https://cloud example.org/cal/", "https://cloud example.org/cal/ is not an address pumpcare can use; check "
         "it"),
        ("http://[::1/cal/", "http://[::1/cal/ is not an address pumpcare can use; check it"),
        ("http://192.0.2.7/cal/", "http:// would send the password unencrypted to 192.0.2.7; use the server's "
         "https:// address, or add --allow-http if the network in between is yours alone"),
    ],
)  # fmt: skip
def test_an_address_that_cannot_be_used_is_refused_before_anything_is_sent(address: str, says: str) -> None:
    result = run(["--caldav", address, "--user", "ana", *PLAN])
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"pumpcare: {says}\n")  # type: ignore[attr-defined]
    assert "hunter2" not in result.output  # type: ignore[attr-defined]


def test_a_space_in_the_calendars_name_is_sent_encoded(server: str) -> None:
    code, _, stderr, _ = sync(f"{server}/calendar/my pump/")
    assert (code, stderr) == (0, "")
    assert Misbehaving.writes
    assert all(write.startswith("/calendar/my%20pump/") for write in Misbehaving.writes)


def test_plain_http_to_another_computer_warns_before_the_password_goes(server: str) -> None:
    # 192.0.2.0/24 is for documentation: nothing answers there, so the deadline ends it.
    code, _, stderr, seconds = sync("http://192.0.2.7/cal/", "--allow-http", seconds="1")
    assert code == 1
    warning, sentence = stderr.splitlines()
    assert warning == "pumpcare: warning: the password goes to 192.0.2.7 unencrypted (http://, --allow-http)"
    assert sentence.startswith("pumpcare: ")
    assert seconds < 3


@pytest.mark.parametrize("user", ["ana\r\nX-Evil: 1", "ana\x00", "ana\tb", ""])
def test_a_user_name_with_control_characters_is_refused(user: str) -> None:
    result = run(["--caldav", "https://cloud.example.org/cal/", "--user", user, *PLAN])
    assert result.exit_code == 1  # type: ignore[attr-defined]
    if "\x00" in user:  # no argument may hold a NUL: the command line refuses it before sync sees it
        assert "holds a NUL character" in result.stderr  # type: ignore[attr-defined]
        return
    assert result.stderr.startswith("pumpcare: --user ")  # type: ignore[attr-defined]
    assert result.stderr.endswith("is not a user name: give the name as one line of text, without control characters\n")  # type: ignore[attr-defined]


def test_ctrl_c_during_the_writes_says_what_was_and_was_not_changed(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = dav.Client.request
    puts = []

    def interrupted(self: dav.Client, method: str, url: str, *args: object, **kwargs: object) -> dav.Answer:
        if method == "PUT":
            puts.append(url)
            if len(puts) == 3:
                raise KeyboardInterrupt
        return real(self, method, url, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(dav.Client, "request", interrupted)
    code, stdout, stderr, _ = sync(f"{server}/calendar/")
    assert code == 130
    assert stdout.splitlines()[0] == "Created 2, updated 0, removed 0 events; 0 unchanged."
    assert stdout.splitlines()[1:] == [
        "  + Bed 4: Stop the medicines your doctor named (ask your care team), Tue 24 Nov 2026",
        "  + Bed 4: Arrange a driver and help at home, Mon 30 Nov 2026",
    ]
    assert stderr.startswith("pumpcare: interrupted: the changes listed above were made; ")
    assert "events were not changed (the one being written when you stopped may have been): " in stderr
    assert stderr.endswith("Run sync again to finish.\n")


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The calendar server over https, with a certificate of its own that no system trusts."""
    import ssl

    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
    httpd.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}", cert
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_server_with_its_own_certificate_needs_its_ca_file(tls_server: tuple[str, Path], tmp_path: Path) -> None:
    base, cert = tls_server
    url = f"{base}/calendar/"
    code, _, stderr, _ = sync(url)
    assert code == 1
    assert stderr.startswith(f"pumpcare: cannot reach {url} (its TLS certificate could not be checked: ")
    assert stderr.endswith("); if the server has a certificate of its own, give it with --ca-file PATH\n")
    code, stdout, stderr, _ = sync(url, "--ca-file", str(cert))
    assert (code, stderr) == (0, "")
    assert stdout.startswith("Created ")
    (tmp_path / "not.pem").write_text("not a certificate", encoding="utf-8")
    code, _, stderr, _ = sync(url, "--ca-file", str(tmp_path / "not.pem"))
    assert (code, stderr) == (
        1,
        "pumpcare: the file given with --ca-file holds no certificate pumpcare can read; check it (PEM format)\n",
    )
