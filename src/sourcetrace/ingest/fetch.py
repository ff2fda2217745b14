"""Fetch an article URL without becoming a proxy into private networks (SSRF).

Every hop is checked before any connection: scheme http(s) only, and every address the host
resolves to must be public (`check_address`). Redirects are followed by hand so that each target is
checked the same way. The connection itself goes through `_GuardedBackend`, which resolves, checks
and then connects to the checked IP, so a DNS answer that changes between check and connect
(DNS rebinding) cannot smuggle in a private address; TLS still verifies the certificate against the
host name.

A refusal never names the address a host name resolved to: that would turn the guard into a probe of
the server's internal DNS. `total_timeout` bounds the whole fetch (connect, TLS, request, headers, body,
every redirect): each socket operation gets the time left, so a server that trickles its headers a byte
at a time cannot hold a fetch past it. (Name resolution is the system resolver's, bounded by its own
timeouts; the deadline is checked straight after it.)
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpcore
import httpx

from sourcetrace.errors import InputError
from sourcetrace.ingest.decode import DEFAULT_MAX_BYTES, check_size, human_size
from sourcetrace.ingest.readers import html_document, txt_document
from sourcetrace.schema import Document
from sourcetrace.version import __version__

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_MAX_FETCH_BYTES = 10_000_000
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

#: What a refusal says when the client gave a host name: which address (or even which kind) it resolved
#: to stays on this side.
RESOLVES_TO_NON_PUBLIC = "the host resolves to a private, loopback or reserved address"


class RefusedTarget(InputError):
    """The URL's target is refused by policy (scheme, non-public address), before any connection.

    A subclass of InputError so every caller that handles InputError keeps working; the web app tells it
    apart to answer 400 (the client's target) rather than 502 (the far end failed)."""


def refusal_reason(ip: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why an address must not be fetched from, or None when it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return refusal_reason(embedded, allow_loopback=allow_loopback)
    if ip.is_loopback:
        return None if allow_loopback else "loopback"
    checks = (
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("non-public", not ip.is_global),
    )
    return next((name for name, refused in checks if refused), None)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address reaches: mapped (::ffff:a.b.c.d), 6to4 (2002::/16), NAT64."""
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def check_address(host: str, port: int, *, allow_loopback: bool = False) -> list[IPAddress]:
    """Resolve host and return its addresses, or raise RefusedTarget if any of them is not public.

    All addresses must pass, not just one: the connection may use any of them. The refusal of an address
    the client wrote says what kind of address it is; the refusal of a host name never says what the name
    resolved to (`RESOLVES_TO_NON_PUBLIC`).
    """
    host = host.strip("[]")
    try:
        addresses: list[IPAddress] = [ipaddress.ip_address(host)]
        literal = True
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise InputError(f"cannot resolve host '{host}'") from exc
        addresses = list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))
        literal = False
    if not addresses:
        raise InputError(f"cannot resolve host '{host}'")
    for address in addresses:
        reason = refusal_reason(address, allow_loopback=allow_loopback)
        if reason:
            why = f"{reason} address" if literal else RESOLVES_TO_NON_PUBLIC
            raise RefusedTarget(f"refused to fetch from {host}: {why}")
    return addresses


def check_url(url: str, *, allow_loopback: bool = False) -> httpx.URL:
    """Parse and vet one hop: http(s) scheme, a host, and only public addresses behind it."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise InputError(f"invalid URL: {exc}") from None
    if parsed.scheme not in ("http", "https"):
        raise RefusedTarget(
            f"unsupported URL scheme '{parsed.scheme}:'; only http and https URLs are fetched"
        )
    if not parsed.host:
        raise InputError("URL has no host")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    check_address(parsed.host, port, allow_loopback=allow_loopback)
    return parsed


class _Deadline:
    """A point in time (monotonic clock) after which no socket operation of a fetch may still wait."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.at = None if seconds is None else time.monotonic() + seconds

    @property
    def expired(self) -> bool:
        return self.at is not None and time.monotonic() >= self.at

    def clip(self, timeout: float | None, expired: type[Exception]) -> float | None:
        """The per-operation timeout cut to the time left; raises `expired` when none is left."""
        if self.at is None:
            return timeout
        left = self.at - time.monotonic()
        if left <= 0:
            raise expired(f"the {self.seconds:g} s limit for the whole fetch has passed")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read, write and TLS handshake waits no longer than the deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.clip(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.clip(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        timeout = self._deadline.clip(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, timeout), self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _GuardedBackend(httpcore.SyncBackend):
    """Connects only to addresses that pass check_address, resolving each host exactly once.

    With a `deadline`, connecting and every later socket operation wait at most the time left."""

    def __init__(self, allow_loopback: bool, deadline: _Deadline | None = None) -> None:
        self.allow_loopback = allow_loopback
        self.deadline = deadline or _Deadline(None)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last_error: Exception | None = None
        for address in check_address(host, port, allow_loopback=self.allow_loopback):
            limit = self.deadline.clip(timeout, httpcore.ConnectTimeout)
            try:
                stream = super().connect_tcp(str(address), port, limit, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
                continue
            return _DeadlineStream(stream, self.deadline)
        assert last_error is not None  # check_address returns at least one address
        raise last_error


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, allow_loopback: bool, deadline: _Deadline | None = None) -> None:
        super().__init__(trust_env=False)
        # httpx has no public setting for the network backend; the pool is rebuilt around ours.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=_GuardedBackend(allow_loopback, deadline),
        )


@dataclass
class Fetcher:
    """Fetches article URLs into Documents.

    `allow_loopback` admits 127.0.0.0/8 and ::1 (tests only: local servers); every other private
    range stays refused. `refuse_all` refuses every fetch (e.g. a hosted service with fetching off).
    `max_bytes` caps the bytes downloaded; `max_text_bytes` caps the text handed on. `connect_timeout`
    and `read_timeout` bound each connect and each wait for data; `total_timeout` bounds the whole fetch,
    redirects included.
    """

    allow_loopback: bool = False
    refuse_all: bool = False
    max_bytes: int = DEFAULT_MAX_FETCH_BYTES
    max_text_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = 5
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    total_timeout: float = 60.0
    user_agent: str = f"sourcetrace/{__version__}"

    def fetch(self, url: str) -> Document:
        """The article at url; raises InputError (with `source` = url) for anything that goes wrong,
        RefusedTarget (an InputError) when the URL or a redirect points where fetching is refused."""
        deadline = _Deadline(self.total_timeout)
        try:
            return self._fetch(url, deadline)
        except InputError as exc:
            raise type(exc)(str(exc.args[0]), source=url) from None
        except httpx.TimeoutException as exc:
            if deadline.expired:
                message = self._too_slow()
            elif isinstance(exc, httpx.ConnectTimeout):
                message = "cannot connect: timed out"
            else:
                message = "timed out waiting for the server"
            raise InputError(message, source=url) from None
        except httpx.ConnectError as exc:
            raise InputError(f"cannot connect: {exc}", source=url) from None
        except httpx.HTTPError as exc:
            raise InputError(f"fetch failed: {exc}", source=url) from None

    def _too_slow(self) -> str:
        return f"the fetch took longer than its {self.total_timeout:g} s limit"

    def _fetch(self, url: str, deadline: _Deadline) -> Document:
        if self.refuse_all:
            raise InputError("fetching URLs is disabled")
        fetched_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        timeout = httpx.Timeout(self.read_timeout, connect=self.connect_timeout)
        headers = {"User-Agent": self.user_agent, "Accept": "text/html, application/xhtml+xml, text/plain"}
        with httpx.Client(
            transport=_GuardedTransport(self.allow_loopback, deadline),
            timeout=timeout,
            headers=headers,
            follow_redirects=False,
            trust_env=False,
        ) as client:
            current = url
            for hop in range(self.max_redirects + 1):
                try:
                    target = check_url(current, allow_loopback=self.allow_loopback)
                except InputError as exc:
                    # A refused redirect stays a RefusedTarget (400 on the web); an unresolvable one is not.
                    raise type(exc)(f"redirect to {current} refused: {exc}" if hop else str(exc)) from None
                if deadline.expired:  # name resolution is the one step the deadline cannot interrupt
                    raise InputError(self._too_slow())
                with client.stream("GET", target) as response:
                    location = response.headers.get("location")
                    if response.status_code in _REDIRECT_CODES and location:
                        current = str(response.url.join(location))
                        continue
                    if not response.is_success:
                        status = f"{response.status_code} {response.reason_phrase}"
                        raise InputError(f"server answered HTTP {status}")
                    body = self._read_body(response, deadline)
                    return self._document(response, body, url=url, fetched_at=fetched_at)
        raise InputError(f"too many redirects (more than {self.max_redirects})")

    def _read_body(self, response: httpx.Response, deadline: _Deadline) -> bytes:
        """The response body, stopping as soon as it passes max_bytes or the total time budget."""
        too_big = InputError(f"response is over the download limit of {human_size(self.max_bytes)}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise too_big
        chunks: list[bytes] = []
        received = 0
        # iter_bytes counts decompressed bytes, which also bounds a compression bomb.
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > self.max_bytes:
                raise too_big
            if deadline.expired:
                raise InputError(self._too_slow())
            chunks.append(chunk)
        return b"".join(chunks)

    def _document(self, response: httpx.Response, body: bytes, *, url: str, fetched_at: str) -> Document:
        mime = response.headers.get("content-type", "").split(";")[0].strip().lower()
        final_url = str(response.url)
        meta = {"url": url, "final_url": final_url, "fetched_at": fetched_at}
        charset = response.charset_encoding
        if mime in _HTML_TYPES:
            document = html_document(body, source=url, declared=charset, base_url=final_url, **meta)
        elif mime == "text/plain":
            check_size(len(body), self.max_text_bytes, source=url)
            document = txt_document(body, source=url, declared=charset, **meta)
        else:
            raise InputError(f"unsupported content type '{mime or 'none'}'; expected HTML or plain text")
        check_size(len(document.text.encode("utf-8")), self.max_text_bytes, source=url)
        return document
