"""URL fetching: the address decision (SSRF guard) and real fetches from local servers on 127.0.0.1.

Nothing here connects anywhere but loopback: refusals of other addresses are decided before any
connection, which is exactly what the tests check.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from sourcetrace.errors import InputError
from sourcetrace.ingest import Fetcher, check_address, check_url, iter_documents
from sourcetrace.ingest.fetch import RESOLVES_TO_NON_PUBLIC, RefusedTarget, _GuardedBackend, _GuardedTransport

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Tram line delayed again</title>
<meta property="og:site_name" content="Northfield Courier">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article>
<h1>Tram line delayed again</h1>
<p>NORTHFIELD (Reuters) - The city's new tram line will open a year late, the transit agency said on
Thursday, after contractors found flooded tunnels under the old market.</p>
<p>"Safety comes first, and the tunnels must be dry before we lay track," said Omar Lindqvist, the
agency's project director, at a news conference.</p>
<p>Shop owners along the route said the delay would cost them another season of lost trade.</p>
</article></body></html>
"""

ARTICLE_TXT = (
    "Tram line delayed again\n\nNorthfield Courier – The city's new tram line will open a year late, "
    "the transit agency said on Thursday."
)

Reply = tuple[int, dict[str, str], bytes | Callable[[BaseHTTPRequestHandler], None]]


@dataclass
class LocalServer:
    """A real HTTP server on 127.0.0.1; routes map a path to (status, headers, body or writer)."""

    routes: dict[str, Reply] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    state = LocalServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            state.requests.append(self.path)
            status, headers, body = state.routes.get(self.path, (404, {}, b"not found"))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if isinstance(body, bytes):
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self.end_headers()
                # The client may stop reading early, as it should at the size cap.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    body(self)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def local_fetcher(**settings: object) -> Fetcher:
    return Fetcher(allow_loopback=True, connect_timeout=2.0, read_timeout=5.0, **settings)


# --- the address decision -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host, reason",
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("[::1]", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.20", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata endpoint
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.251", "multicast"),
        ("ff02::1", "multicast"),
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
        ("::ffff:10.0.0.1", "private"),  # IPv4-mapped IPv6
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 form of 169.254.169.254
    ],
)
def test_non_public_addresses_refused(host: str, reason: str) -> None:
    with pytest.raises(InputError, match=f": {reason} address$"):
        check_address(host, 80)


@pytest.mark.parametrize(
    "host",
    ["localhost", "2130706433", "0x7f.1"],  # a name for loopback; 127.0.0.1 as one integer, as hex + short
)
def test_refusing_a_host_name_does_not_say_what_it_resolved_to(host: str) -> None:
    """Naming the address (or its kind) would let a client map the server's internal DNS through us."""
    with pytest.raises(RefusedTarget) as caught:
        check_address(host, 80)
    message = str(caught.value)
    assert message == f"refused to fetch from {host}: {RESOLVES_TO_NON_PUBLIC}"
    assert "127.0.0.1" not in message and "::1" not in message
    with pytest.raises(RefusedTarget) as fetched:
        Fetcher(connect_timeout=0.5).fetch(f"http://{host}:9/article")
    assert "127.0.0.1" not in str(fetched.value) and "::1" not in str(fetched.value)


@pytest.mark.parametrize("host", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_admitted(host: str) -> None:
    assert [str(ip) for ip in check_address(host, 443)] == [host.lower()]


def test_allow_loopback_admits_only_loopback() -> None:
    assert [str(ip) for ip in check_address("127.0.0.1", 80, allow_loopback=True)] == ["127.0.0.1"]
    assert check_address("localhost", 80, allow_loopback=True)
    assert check_address("::1", 80, allow_loopback=True)
    for host in ("10.0.0.1", "169.254.169.254", "192.168.0.1", "fc00::1", "0.0.0.0"):
        with pytest.raises(InputError, match="refused"):
            check_address(host, 80, allow_loopback=True)


def test_unresolvable_host() -> None:
    # .invalid is reserved (RFC 6761) and never resolves; the resolver answers without network.
    with pytest.raises(InputError, match="cannot resolve host"):
        check_address("no-such-host.invalid", 80)


@pytest.mark.parametrize(
    "url, message",
    [
        ("file:///etc/passwd", "unsupported URL scheme 'file:'"),
        ("ftp://files.example.org/article.txt", "unsupported URL scheme 'ftp:'"),
        ("gopher://example.org/", "unsupported URL scheme 'gopher:'"),
        ("http://10.1.2.3/admin", "private address"),
        ("http://[::1]:8080/", "loopback address"),
        ("https://169.254.169.254/latest/meta-data/", "link-local address"),
    ],
)
def test_check_url_refusals(url: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        check_url(url)
    with pytest.raises(InputError, match=message) as caught:
        Fetcher(connect_timeout=0.5).fetch(url)
    assert caught.value.source == url


def test_connection_layer_refuses_before_connecting() -> None:
    """The backend re-checks at connect time (DNS rebinding): a private IP never reaches a socket."""
    backend = _GuardedBackend(allow_loopback=True)
    for host in ("10.0.0.1", "169.254.169.254", "fc00::1"):
        with pytest.raises(InputError, match="refused"):
            backend.connect_tcp(host, 80, timeout=0.5)


def test_transport_checks_addresses_on_its_own(server: LocalServer) -> None:
    """Without the per-hop check in Fetcher, the transport still refuses at connect time."""
    server.routes["/a"] = (200, {"Content-Type": "text/plain"}, b"hello")
    with (
        httpx.Client(transport=_GuardedTransport(allow_loopback=False)) as client,
        pytest.raises(InputError, match="loopback address"),
    ):
        client.get(server.url("/a"))
    assert server.requests == []
    with httpx.Client(transport=_GuardedTransport(allow_loopback=True)) as client:
        assert client.get(server.url("/a")).text == "hello"
    assert server.requests == ["/a"]


# --- fetching from real local servers -------------------------------------------------------------


def test_default_fetcher_refuses_loopback_without_a_request(server: LocalServer) -> None:
    server.routes["/article"] = (200, {"Content-Type": "text/html"}, ARTICLE_HTML.encode())
    with pytest.raises(InputError, match="loopback address"):
        Fetcher().fetch(server.url("/article"))
    assert server.requests == []


def test_refuse_all(server: LocalServer) -> None:
    server.routes["/article"] = (200, {"Content-Type": "text/html"}, ARTICLE_HTML.encode())
    with pytest.raises(InputError, match="disabled"):
        Fetcher(allow_loopback=True, refuse_all=True).fetch(server.url("/article"))
    assert server.requests == []


def test_fetch_html(server: LocalServer) -> None:
    server.routes["/news/tram"] = (200, {"Content-Type": "text/html; charset=utf-8"}, ARTICLE_HTML.encode())
    url = server.url("/news/tram")
    doc = local_fetcher().fetch(url)
    assert doc.title == "Tram line delayed again"
    assert doc.outlet == "Northfield Courier"
    assert doc.wire == "Reuters"
    assert doc.text.startswith("NORTHFIELD (Reuters) - The city's new tram line")
    assert (doc.url, doc.final_url) == (url, url)
    fetched = datetime.strptime(doc.fetched_at or "", "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - fetched).total_seconds()) < 600


def test_fetch_plain_text_with_declared_charset(server: LocalServer) -> None:
    body = ARTICLE_TXT.replace("Thursday", "Thursday, caf\u00e9 owners said").encode("cp1252")
    server.routes["/t.txt"] = (200, {"Content-Type": "text/plain; charset=iso-8859-1"}, body)
    doc = local_fetcher().fetch(server.url("/t.txt"))
    assert doc.title == "Tram line delayed again"
    assert doc.outlet == "Northfield Courier"
    assert "caf\u00e9 owners" in doc.text


def test_redirects_followed_and_final_url_recorded(server: LocalServer) -> None:
    server.routes["/old"] = (301, {"Location": "/middle"}, b"")
    server.routes["/middle"] = (302, {"Location": server.url("/news/tram")}, b"")
    server.routes["/news/tram"] = (200, {"Content-Type": "text/html"}, ARTICLE_HTML.encode())
    doc = local_fetcher().fetch(server.url("/old"))
    assert doc.url == server.url("/old")
    assert doc.final_url == server.url("/news/tram")
    assert server.requests == ["/old", "/middle", "/news/tram"]


@pytest.mark.parametrize(
    "target, refusal",
    [
        ("http://10.0.0.1/admin", "refused to fetch from 10.0.0.1: private address"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "refused to fetch from 169.254.169.254: link-local address",
        ),
        ("http://192.168.0.1:8080/", "refused to fetch from 192.168.0.1: private address"),
        ("http://[fc00::5]/", "refused to fetch from fc00::5: private address"),
        ("http://0.0.0.0/", "refused to fetch from 0.0.0.0: unspecified address"),
        ("file:///etc/passwd", "unsupported URL scheme 'file:'; only http and https URLs are fetched"),
    ],
)
def test_redirect_target_rechecked(server: LocalServer, target: str, refusal: str) -> None:
    """allow_loopback admits the first hop; the redirect is refused by the decision, unconnected."""
    server.routes["/go"] = (302, {"Location": target}, b"")
    with pytest.raises(InputError) as caught:
        local_fetcher().fetch(server.url("/go"))
    message = str(caught.value)
    assert message.startswith(f"{server.url('/go')}: redirect to ")
    assert message.endswith(f" refused: {refusal}")
    assert server.requests == ["/go"]


def test_too_many_redirects(server: LocalServer) -> None:
    server.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    with pytest.raises(InputError, match=r"too many redirects \(more than 5\)"):
        local_fetcher().fetch(server.url("/loop"))
    assert len(server.requests) == 6


def test_download_cap_stops_a_stream(server: LocalServer) -> None:
    def endless(handler: BaseHTTPRequestHandler) -> None:
        chunk = b"<p>" + b"tram " * 2000 + b"</p>\n"
        for _ in range(2000):  # about 20 MB if nobody stopped reading
            handler.wfile.write(chunk)

    server.routes["/huge"] = (200, {"Content-Type": "text/html"}, endless)
    with pytest.raises(InputError, match="over the download limit of 1.0 MB"):
        local_fetcher(max_bytes=1_000_000).fetch(server.url("/huge"))


def test_download_cap_from_content_length(server: LocalServer) -> None:
    server.routes["/big"] = (200, {"Content-Type": "text/plain"}, b"Tram news. " * 20_000)
    with pytest.raises(InputError, match="over the download limit"):
        local_fetcher(max_bytes=100_000).fetch(server.url("/big"))


def test_text_cap_applies_to_fetched_text(server: LocalServer) -> None:
    server.routes["/long.txt"] = (200, {"Content-Type": "text/plain"}, b"Tram news today. " * 1000)
    with pytest.raises(InputError, match="size limit"):
        local_fetcher(max_text_bytes=5_000).fetch(server.url("/long.txt"))


@pytest.mark.parametrize(
    "route, message",
    [
        (
            (200, {"Content-Type": "application/pdf"}, b"%PDF-1.7"),
            "unsupported content type 'application/pdf'",
        ),
        ((200, {}, b"no type"), "unsupported content type 'none'"),
        ((404, {"Content-Type": "text/html"}, b"gone"), "HTTP 404 Not Found"),
        ((500, {"Content-Type": "text/html"}, b"oops"), "HTTP 500"),
        (
            (200, {"Content-Type": "text/html"}, b"<html><body><nav>Home</nav></body></html>"),
            "no article text found",
        ),
    ],
)
def test_unusable_responses(server: LocalServer, route: Reply, message: str) -> None:
    server.routes["/x"] = route
    with pytest.raises(InputError, match=message) as caught:
        local_fetcher().fetch(server.url("/x"))
    assert caught.value.source == server.url("/x")


def test_unreachable_url() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and has no listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(InputError, match="cannot connect"):
        local_fetcher().fetch(f"http://127.0.0.1:{port}/article")


def test_read_timeout(server: LocalServer) -> None:
    def stall(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(2.0)

    server.routes["/slow"] = (200, {"Content-Type": "text/html"}, stall)
    with pytest.raises(InputError, match="timed out"):
        Fetcher(allow_loopback=True, read_timeout=0.3).fetch(server.url("/slow"))


@contextlib.contextmanager
def trickling_server(phase: str, interval: float = 0.2, give_up: float = 20.0) -> Iterator[int]:
    """A raw socket server on 127.0.0.1 that never finishes an answer: after the status line (phase
    "headers") or after complete headers (phase "body") it sends one byte per `interval`, each well
    inside any read timeout, and stops after `give_up` seconds so a fetch without a total limit ends.
    Phase "redirect" answers every request with a redirect, each after 2 x `interval`."""
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)

    def answer(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.settimeout(5.0)
            conn.recv(65536)
            if phase == "redirect":  # a complete redirect, just slow to come
                if not stop.wait(2 * interval):
                    conn.sendall(b"HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n")
                return
            head = b"HTTP/1.1 200 OK\r\n"
            if phase == "body":
                head += b"Content-Type: text/plain\r\nContent-Length: 100000\r\n\r\n"
            conn.sendall(head)
            drip = b"X-Drip: a\r\n" if phase == "headers" else b"Tram news. "
            ends = time.monotonic() + give_up
            while time.monotonic() < ends and not stop.wait(interval):
                conn.sendall(drip[:1])
                drip = drip[1:] + drip[:1]

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()


@pytest.mark.parametrize("phase", ["headers", "body"])
def test_total_limit_covers_a_trickled_answer(phase: str) -> None:
    """Each byte arrives well inside the read timeout; only the limit on the whole fetch stops it."""
    with trickling_server(phase) as port:
        fetcher = Fetcher(allow_loopback=True, connect_timeout=2.0, read_timeout=5.0, total_timeout=1.5)
        started = time.monotonic()
        with pytest.raises(InputError) as caught:
            fetcher.fetch(f"http://127.0.0.1:{port}/slow")
        elapsed = time.monotonic() - started
    assert str(caught.value) == f"http://127.0.0.1:{port}/slow: the fetch took longer than its 1.5 s limit"
    assert 1.4 < elapsed < 4.0, f"the fetch took {elapsed:.1f} s against a 1.5 s limit"


def test_total_limit_spans_redirects() -> None:
    """Every hop answers inside the read timeout; together they pass the limit, and the fetch stops."""
    with trickling_server("redirect") as port:
        started = time.monotonic()
        with pytest.raises(InputError, match=r"took longer than its 1 s limit"):
            local_fetcher(total_timeout=1.0, max_redirects=50).fetch(f"http://127.0.0.1:{port}/loop")
        elapsed = time.monotonic() - started
    assert elapsed < 3.0


def test_iter_documents_with_urls(server: LocalServer, tmp_path) -> None:
    server.routes["/a"] = (200, {"Content-Type": "text/html"}, ARTICLE_HTML.encode())
    path = tmp_path / "b.txt"
    path.write_text(ARTICLE_TXT, encoding="utf-8")
    specs = [server.url("/a"), "http://10.0.0.1/private", str(path), "ftp://example.org/x"]
    items = list(iter_documents(specs, fetcher=local_fetcher()))
    assert [type(i).__name__ for i in items] == ["Document", "RefusedTarget", "Document", "RefusedTarget"]
    assert all(isinstance(i, InputError) for i in items[1::2])  # a refusal is still an InputError
    assert items[1].source == "http://10.0.0.1/private"
    assert items[3].source == "ftp://example.org/x"


def test_iter_documents_default_fetcher_refuses_loopback(server: LocalServer) -> None:
    server.routes["/a"] = (200, {"Content-Type": "text/html"}, ARTICLE_HTML.encode())
    [item] = list(iter_documents([server.url("/a")]))
    assert isinstance(item, InputError) and "loopback" in str(item)
    assert server.requests == []
