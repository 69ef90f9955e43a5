"""The few WebDAV requests `pumpcare sync` makes, each bounded: one clock for the whole sync, a cap on each answer.

A CalDAV library reads every answer whole and waits as long as a server drips bytes; the hostile round saw a
400 MB answer take 1.7 GB and a server dripping a byte a second hold a sync for minutes. So sync speaks HTTP
itself with the standard library: a watchdog shuts the socket when the sync's time is up (a socket timeout alone
restarts with every byte), and an answer longer than MAX_ANSWER_BYTES is dropped unread. What went wrong is
raised as a `DavFailure` whose `kind` says which; caldav_sync turns it into the user's sentence.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import re
import socket
import ssl
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from typing import NamedTuple
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

# Not clinical: a calendar of years of a caregiver's events is a few megabytes; more is not a calendar answer.
MAX_ANSWER_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 5
DAV = "{DAV:}"
CALDAV = "{urn:ietf:params:xml:ns:caldav}"
CARDDAV = "{urn:ietf:params:xml:ns:carddav}"
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
_REDIRECTS = (301, 302, 303, 307, 308)
# Path characters a calendar address may hold as typed; anything else (a space, say) is percent-encoded.
_PATH_SAFE = "/%:@!$&'()*+,;=~-._"


class DavFailure(Exception):
    """What went wrong talking to the server: `kind` names it, `status` and `detail` say more."""

    def __init__(self, kind: str, status: int = 0, detail: str = "") -> None:
        super().__init__(kind)
        self.kind = kind
        self.status = status
        self.detail = detail


class Answer(NamedTuple):
    """A server's answer: its status, headers (lower-case names), body, and the address it came from."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str


def shown(url: str) -> str:
    """The address as messages print it: never a user name or password it holds, never longer than a line."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.rpartition("@")[2]
        text = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    except ValueError:
        text = url.rpartition("@")[2]
    text = "".join(char if char.isprintable() else "?" for char in text)
    return text if len(text) <= 100 else text[:99] + "…"


def is_local(url: str) -> bool:
    """True when the address names this computer: plain http there sends the password nowhere."""
    host = (urlsplit(url).hostname or "").lower()
    return host in _LOCAL_HOSTS or host.startswith("127.")


def checked_url(url: str) -> str:
    """The address with its path percent-encoded; DavFailure when it cannot be a CalDAV address."""
    if any(not char.isprintable() for char in url):
        raise DavFailure("address")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise DavFailure("address") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise DavFailure("scheme", detail=parts.scheme)
    if not parts.hostname or " " in parts.netloc:
        raise DavFailure("address")
    if "@" in parts.netloc:
        raise DavFailure("credentials")
    try:
        parts.hostname.encode("idna")
    except UnicodeError:
        raise DavFailure("address") from None
    del port
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, parts.query, ""))


class Client:
    """One sync's connection to one server: one clock, one login, every answer capped. Use it in a `with`."""

    def __init__(self, user: str, password: str, *, seconds: float, ca_file: str | None = None) -> None:
        self.user = user
        self.password = password
        self.seconds = seconds
        self.ca_file = ca_file
        self.deadline = 0.0
        self.expired = False
        self._auth: tuple[str, dict[str, str]] | None = None  # the scheme and challenge the server asked for
        self._count = 0  # digest's nonce count
        self._conn: http.client.HTTPConnection | None = None
        self._origin = ("", "", 0)
        self._lock = threading.Lock()
        self._watchdog: threading.Timer | None = None

    def __enter__(self) -> Client:
        self.deadline = time.monotonic() + self.seconds
        self._watchdog = threading.Timer(self.seconds, self._expire)
        self._watchdog.daemon = True
        self._watchdog.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        self._close()

    def _expire(self) -> None:
        # A socket timeout starts again with every byte, so a dripping server is stopped from outside.
        with self._lock:
            self.expired = True
            conn = self._conn
            if conn is not None and conn.sock is not None:
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(conn.sock, socket.SHUT_RDWR)

    def _close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
            self._conn = None

    def request(self, method: str, url: str, body: bytes = b"", headers: Mapping[str, str] | None = None) -> Answer:
        """Send one request, following a few redirects on the same server, signing in when asked."""
        for _ in range(MAX_REDIRECTS + 1):
            answer = self._signed(method, url, body, dict(headers or {}))
            if answer.status not in _REDIRECTS:
                return answer
            target = answer.headers.get("location", "")
            if not target:
                return answer
            new = urljoin(url, target)
            old_parts, new_parts = urlsplit(url), urlsplit(new)
            same_host = (old_parts.hostname, old_parts.port) == (new_parts.hostname, new_parts.port)
            upgrade = old_parts.hostname == new_parts.hostname and new_parts.scheme == "https"
            if not (same_host and new_parts.scheme == old_parts.scheme) and not upgrade:
                raise DavFailure("moved", detail=shown(new))  # the password is not sent to another server
            url = checked_url(new)
        raise DavFailure("redirect-loop")

    def _signed(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        if self._auth is not None:
            headers["Authorization"] = self._authorization(method, url)
        answer = self._send(method, url, body, headers)
        if answer.status != 401:
            return answer
        challenge = _challenge(answer.headers.get("www-authenticate", ""))
        stale = challenge is not None and challenge[1].get("stale", "").lower() == "true"
        if challenge is None or (self._auth is not None and not stale):
            raise DavFailure("auth")
        self._auth, self._count = challenge, 0
        headers["Authorization"] = self._authorization(method, url)
        answer = self._send(method, url, body, headers)
        if answer.status == 401:
            raise DavFailure("auth")
        return answer

    def _authorization(self, method: str, url: str) -> str:
        assert self._auth is not None
        scheme, challenge = self._auth
        if scheme == "basic":
            pair = f"{self.user}:{self.password}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return self._digest(method, urlsplit(url).path or "/", challenge)

    def _digest(self, method: str, path: str, challenge: dict[str, str]) -> str:
        import hashlib
        import secrets

        algorithm = challenge.get("algorithm", "MD5")
        name = "sha256" if algorithm.upper().startswith("SHA-256") else "md5"

        def digest(text: str) -> str:
            return hashlib.new(name, text.encode()).hexdigest()

        realm, nonce = challenge.get("realm", ""), challenge.get("nonce", "")
        cnonce = secrets.token_hex(8)
        first = digest(f"{self.user}:{realm}:{self.password}")
        if algorithm.upper().endswith("-SESS"):
            first = digest(f"{first}:{nonce}:{cnonce}")
        second = digest(f"{method}:{path}")
        fields = {"username": self.user, "realm": realm, "nonce": nonce, "uri": path}
        if "auth" in [item.strip() for item in challenge.get("qop", "").split(",")]:
            self._count += 1
            count = f"{self._count:08x}"
            fields["response"] = digest(f"{first}:{nonce}:{count}:{cnonce}:auth:{second}")
            extra = f', qop=auth, nc={count}, cnonce="{cnonce}"'
        else:
            fields["response"] = digest(f"{first}:{nonce}:{second}")
            extra = ""
        if "opaque" in challenge:
            fields["opaque"] = challenge["opaque"]
        quoted = ", ".join(f'{key}="{_escape(value)}"' for key, value in fields.items())
        return f"Digest {quoted}, algorithm={algorithm}{extra}"

    def _send(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        remaining = self.deadline - time.monotonic()
        if self.expired or remaining <= 0:
            raise DavFailure("deadline")
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        for attempt in (1, 2):
            conn, reused = self._connection(parts.scheme, parts.hostname or "", parts.port, remaining)
            try:
                conn.request(method, target, body=body, headers={"User-Agent": "pumpcare", **headers})
                response = conn.getresponse()
                return Answer(response.status, _headers(response), self._read(response), url)
            except DavFailure:
                self._close()
                raise
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as err:
                self._close()
                if self.expired:
                    raise DavFailure("deadline") from None
                if not (reused and attempt == 1):
                    raise DavFailure("dropped", detail=type(err).__name__) from None
                # a kept-alive connection the server had closed: one fresh try
            except (OSError, http.client.HTTPException) as err:
                self._close()
                raise _failure(err, self.expired) from None
        raise DavFailure("dropped")  # pragma: no cover - the loop returns or raises

    def _connection(
        self, scheme: str, host: str, port: int | None, remaining: float
    ) -> tuple[http.client.HTTPConnection, bool]:
        origin = (scheme, host, port or 0)
        with self._lock:
            if self._conn is not None and self._origin == origin:
                self._conn.timeout = remaining  # for a connection http.client opens again by itself
                if self._conn.sock is not None:
                    self._conn.sock.settimeout(remaining)
                return self._conn, True
        self._close()
        conn: http.client.HTTPConnection
        proxy = proxy_for(scheme, host)
        # Through a proxy, the connection goes to it and a CONNECT tunnel carries the request (and TLS, checked
        # against the calendar's own host name) to the server.
        to_host, to_port = (proxy.hostname or "", proxy.port) if proxy is not None else (host, port)
        if scheme == "https":
            try:
                context = ssl.create_default_context(cafile=self.ca_file)
            except (OSError, ssl.SSLError):
                raise DavFailure("ca-file") from None
            conn = http.client.HTTPSConnection(to_host, to_port, timeout=remaining, context=context)
        else:
            conn = http.client.HTTPConnection(to_host, to_port, timeout=remaining)
        if proxy is not None:
            conn.set_tunnel(host, port, headers=_proxy_headers(proxy))
        try:
            conn.connect()
        except (OSError, http.client.HTTPException) as err:
            conn.close()
            raise _failure(err, self.expired) from None
        with self._lock:
            self._conn, self._origin = conn, origin
            if self.expired:
                raise DavFailure("deadline")
        return conn, False

    def _read(self, response: http.client.HTTPResponse) -> bytes:
        length = response.getheader("Content-Length", "")
        if length.strip().isdigit() and int(length) > MAX_ANSWER_BYTES:
            raise DavFailure("too-big")
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read(65536):
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise DavFailure("too-big")
            chunks.append(chunk)
        if self.expired:
            raise DavFailure("deadline")
        return b"".join(chunks)


def _headers(response: http.client.HTTPResponse) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in response.getheaders():
        key = name.lower()
        found[key] = f"{found[key]}, {value}" if key in found else value
    return found


def _failure(err: BaseException, expired: bool) -> DavFailure:
    if expired:
        return DavFailure("deadline")
    if isinstance(err, ssl.SSLCertVerificationError):
        return DavFailure("certificate", detail=str(err.verify_message or ""))
    if isinstance(err, ssl.SSLError):
        return DavFailure("tls")
    if isinstance(err, socket.gaierror):
        return DavFailure("no-such-host")
    if isinstance(err, ConnectionRefusedError):
        return DavFailure("refused")
    if isinstance(err, (TimeoutError, socket.timeout)):
        return DavFailure("deadline")
    if isinstance(err, http.client.HTTPException):
        return DavFailure("garbled", detail=type(err).__name__)
    return DavFailure("unreachable", detail=(getattr(err, "strerror", None) or type(err).__name__))


def _challenge(header: str) -> tuple[str, dict[str, str]] | None:
    """The sign-in the server asks for: Digest when it offers it, else Basic; None when neither."""
    offers: dict[str, dict[str, str]] = {}
    for match in re.finditer(r"(?i)\b(basic|digest)\b((?:\s*,?\s*[\w-]+=(?:\"[^\"]*\"|[^,\s]*))*)", header):
        fields = {
            key.lower(): value[1:-1] if value.startswith('"') else value
            for key, value in re.findall(r"([\w-]+)=(\"[^\"]*\"|[^,\s]*)", match.group(2))
        }
        offers.setdefault(match.group(1).lower(), fields)
    if "digest" in offers and offers["digest"].get("nonce"):
        return "digest", offers["digest"]
    if "basic" in offers:
        return "basic", offers["basic"]
    return None


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def failure_for(answer: Answer) -> DavFailure:
    """The failure an unexpected status stands for."""
    status = answer.status
    if status == 403:
        return DavFailure("forbidden", status)
    if status in (404, 410):
        return DavFailure("not-found", status)
    if status in (405, 501):
        return DavFailure("not-dav", status)
    if status in (429, 503):
        return DavFailure("busy", status, answer.headers.get("retry-after", "").strip()[:20])
    if status == 507:
        return DavFailure("full", status)
    if status >= 500:
        return DavFailure("server-error", status)
    return DavFailure("status", status)


def multistatus(answer: Answer) -> Iterator[tuple[str, dict[str, ET.Element]]]:
    """Each resource of a 207 answer: its address, and its properties the server found (status 200)."""
    if answer.status != 207:
        if answer.status in (200, 204) or 300 <= answer.status < 400:
            raise DavFailure("web-page" if _is_html(answer) else "not-dav", answer.status)
        raise failure_for(answer)
    if _is_html(answer):
        raise DavFailure("web-page", answer.status)
    # CalDAV answers never declare a document type; one that does may define entities that grow without end.
    if b"<!DOCTYPE" in answer.body or b"<!ENTITY" in answer.body:
        raise DavFailure("not-dav", answer.status)
    try:
        root = ET.fromstring(answer.body)
    except ET.ParseError:
        raise DavFailure("bad-xml") from None
    if root.tag != f"{DAV}multistatus":
        raise DavFailure("not-dav", answer.status)
    for response in root.iter(f"{DAV}response"):
        href = (response.findtext(f"{DAV}href") or "").strip()
        found: dict[str, ET.Element] = {}
        for propstat in response.iter(f"{DAV}propstat"):
            if " 200 " not in f"{propstat.findtext(f'{DAV}status') or ''} ":
                continue
            for prop in propstat.iter(f"{DAV}prop"):
                for element in prop:
                    found[element.tag] = element
        yield urljoin(answer.url, href), found


def _is_html(answer: Answer) -> bool:
    kind = answer.headers.get("content-type", "").lower()
    start = answer.body[:512].lstrip().lower()
    return "html" in kind or start.startswith((b"<!doctype html", b"<html"))


def proxy_for(scheme: str, host: str) -> urllib.parse.SplitResult | None:
    """The proxy the system names for this server (HTTPS_PROXY and the like, or Windows' and macOS' settings);
    None to go direct, as NO_PROXY or the system's bypass list says for this host."""
    import urllib.request

    if urllib.request.proxy_bypass(host):
        return None
    address = urllib.request.getproxies().get(scheme)
    if not address:
        return None
    found = urllib.parse.urlsplit(address if "://" in address else f"http://{address}")
    return found if found.hostname else None


def _proxy_headers(proxy: urllib.parse.SplitResult) -> dict[str, str]:
    if proxy.username is None:
        return {}
    pair = f"{urllib.parse.unquote(proxy.username)}:{urllib.parse.unquote(proxy.password or '')}"
    return {"Proxy-Authorization": "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")}
