"""Hardening of the web service, through the real app, real uvicorn servers and real sockets on 127.0.0.1:
the whole-fetch time limit and the fetch threads, lone surrogates in the input, proxy headers and the
rate limit, refusal messages that keep resolved addresses to themselves, JSON 413s, and the OpenAPI
description agreeing with what the code answers.

Nothing here connects anywhere but loopback.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from browser.articles import ARTICLE
from conftest import client_for
from fastapi.testclient import TestClient

from sourcetrace.ingest.fetch import RESOLVES_TO_NON_PUBLIC
from sourcetrace.web import WebSettings, create_app
from sourcetrace.web.commands import uvicorn_options

#: The article's paragraphs without its headline line, for HTML bodies.
BODY = ARTICLE.split("\n", 2)[2]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with client_for() as c:
        yield c


@contextlib.contextmanager
def serving(settings: WebSettings) -> Iterator[str]:
    """The app under a real uvicorn on a free loopback port, run with the options `serve` uses."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           **uvicorn_options(settings)))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=60)
        sock.close()


class Trickler:
    """A raw socket server on 127.0.0.1 that sends a status line and then one header byte every
    `interval` seconds, never ending the headers (each byte well inside any read timeout). It stops,
    closing every connection, when the `with` block ends or after `give_up` seconds."""

    def __init__(self, interval: float = 0.2, give_up: float = 60.0) -> None:
        self.interval = interval
        self.give_up = give_up
        self.connections = 0
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self._listener.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/slow"

    def _answer(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.settimeout(5.0)
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            drip = b"X-Drip: a\r\n"
            ends = time.monotonic() + self.give_up
            while time.monotonic() < ends and not self._stop.wait(self.interval):
                conn.sendall(drip[:1])
                drip = drip[1:] + drip[:1]

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def __enter__(self) -> Trickler:
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._listener.close()


def _closed_port() -> int:
    """A port nothing listens on: bound by the OS for us, then released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def strict_json(response: httpx.Response) -> object:
    """The body as JSON, read the strict way: valid UTF-8 (no surrogates), valid JSON."""
    return json.loads(response.content.decode("utf-8", errors="strict"))


# ------------------------------------------------------------------ 1. the whole-fetch time limit


def test_a_server_trickling_its_headers_cannot_hold_a_fetch_past_the_limit():
    with Trickler() as slow, client_for(allow_loopback_fetch=True, fetch_timeout=1.5) as c:
        started = time.monotonic()
        response = c.post("/api/analyze", json={"url": slow.url})
        elapsed = time.monotonic() - started
    assert response.status_code == 502
    assert response.json() == {
        "detail": f"could not get the article: {slow.url}: the fetch took longer than its 1.5 s limit"
    }
    assert elapsed < 4.0, f"answered after {elapsed:.1f} s against a 1.5 s limit"


def test_hanging_fetches_leave_threads_for_every_other_request():
    """More hanging fetches than anyio's shared thread pool has threads (40): with fetches on threads of
    their own, HTML and text analyses still answer, and fetches beyond the bound answer 503 at once."""
    settings = WebSettings(rate_limit=0, allow_loopback_fetch=True, fetch_timeout=60.0, fetch_threads=2,
                           max_pending_fetches=2)
    fetches = 44
    with serving(settings) as base, ThreadPoolExecutor(fetches) as clients:
        with Trickler() as slow:
            answers = [clients.submit(httpx.post, f"{base}/api/analyze", json={"url": slow.url}, timeout=90)
                       for _ in range(fetches)]
            deadline = time.monotonic() + 30
            while slow.connections < settings.fetch_threads:
                assert time.monotonic() < deadline, "the fetches never reached the slow server"
                time.sleep(0.05)
            # The fetches now hang on the trickling server; everything else must still get a thread.
            html = f"<html><body><article><p>{BODY}</p></article></body></html>"
            from_html = httpx.post(f"{base}/api/analyze", json={"html": html}, timeout=30)
            from_text = httpx.post(f"{base}/api/analyze", json={"text": ARTICLE}, timeout=30)
            assert from_html.status_code == 200 and from_text.status_code == 200
            assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
            assert slow.connections == settings.fetch_threads, "more fetches ran than there are fetch threads"
            # Every fetch beyond the bound is turned away at once, while the admitted ones still hang.
            turned_away = fetches - settings.fetch_threads - settings.max_pending_fetches
            while sum(answer.done() for answer in answers) < turned_away:
                assert time.monotonic() < deadline, "the fetches beyond the bound were not turned away"
                time.sleep(0.05)
        # The slow server is gone: the hanging fetches fail (502) and the waiting ones find nobody (502).
        codes = sorted(answer.result(timeout=60).status_code for answer in answers)
    admitted = settings.fetch_threads + settings.max_pending_fetches
    assert codes == [502] * admitted + [503] * (fetches - admitted)


# -------------------------------------------------------------------------- 2. lone surrogates


def _post_json(c: TestClient, body: dict) -> httpx.Response:
    # json.dumps writes a lone surrogate as its escape ("\udc80"): the body on the wire is plain ASCII.
    return c.post("/api/analyze", content=json.dumps(body).encode("ascii"),
                  headers={"content-type": "application/json"})


@pytest.mark.parametrize("lone", ["\udc80", "\ud83d"], ids=["low", "high"])
@pytest.mark.parametrize("field", ["text", "html"])
def test_a_lone_surrogate_in_json_text_reads_as_a_replacement_character(client, field, lone):
    body_text = BODY.replace("said", f"said {lone}", 1)
    value = (f"Harbour bridge to shut\n\n{body_text}" if field == "text"
             else f"<html><body><article><p>{body_text}</p></article></body></html>")
    response = _post_json(client, {field: value, "title": f"Bridge {lone} works"})
    assert response.status_code == 200, response.text
    report = strict_json(response)
    assert "said \ufffd" in report["document"]["text"]
    assert report["document"]["title"] == "Bridge \ufffd works"
    text = report["document"]["text"]
    for claim in report["claims"]:  # one code point for one: the offsets still point at the claims
        assert text[claim["start"]:claim["end"]] == claim["text"]


def test_a_valid_surrogate_pair_escape_is_kept(client):
    response = _post_json(client, {"text": f"Harbour bridge\n\n{BODY} \U0001f309"})
    assert response.status_code == 200
    assert strict_json(response)["document"]["text"].endswith("\U0001f309")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bad.txt", f"Harbour bridge\n\n{BODY}".encode() + b" \xff\xfe \xed\xb2\x80 \xc3"),
        ("bad.html", f"<html><body><article><p>{BODY}".encode() + b" \xff \xed\xa0\x80</p></article></body>"),
        ("bad.json", json.dumps({"text": f"Harbour bridge\n\n{BODY} \udc80"}).encode("ascii")),
    ],
    ids=["txt-invalid-utf8", "html-invalid-utf8", "json-lone-surrogate-escape"],
)
def test_uploads_with_invalid_utf8_or_lone_surrogates_never_500(client, name, data):
    response = client.post("/api/analyze/file", files={"file": (name, data, "application/octet-stream")})
    assert response.status_code in (200, 422), response.text
    body = strict_json(response)
    if response.status_code == 422:
        assert isinstance(body["detail"], str) and "\n" not in body["detail"]
    else:
        assert body["claims"]


# ------------------------------------------------------------------- 3. proxy headers, rate limit


def test_rotating_x_forwarded_for_does_not_lift_the_rate_limit_by_default():
    settings = WebSettings(rate_limit=0.001, rate_burst=2)  # one token per 1,000 s after a burst of 2
    assert settings.trust_proxy_headers is False
    with serving(settings) as base:
        codes = [httpx.get(f"{base}/", headers={"X-Forwarded-For": f"203.0.113.{i}"}, timeout=10).status_code
                 for i in range(1, 5)]
    assert codes == [200, 200, 429, 429]


def test_trusted_proxy_headers_key_the_limit_on_the_forwarded_client(monkeypatch):
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)  # uvicorn's default: trust 127.0.0.1
    settings = WebSettings(rate_limit=0.001, rate_burst=2, trust_proxy_headers=True)
    with serving(settings) as base:
        rotating = [httpx.get(f"{base}/", headers={"X-Forwarded-For": f"203.0.113.{i}"}, timeout=10)
                    for i in range(1, 5)]
        same = [httpx.get(f"{base}/", headers={"X-Forwarded-For": "198.51.100.7"}, timeout=10)
                for _ in range(3)]
    assert [r.status_code for r in rotating] == [200, 200, 200, 200]
    assert [r.status_code for r in same] == [200, 200, 429]


# ------------------------------------------------------------------------- 4. refusal messages


def test_refusing_a_host_name_does_not_say_what_it_resolves_to(client):
    response = client.post("/api/analyze", json={"url": "http://localhost:9/admin"})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail == f"refused to fetch from localhost: {RESOLVES_TO_NON_PUBLIC}"
    assert "127.0.0.1" not in detail and "::1" not in detail


# ------------------------------------------------------------------------------- 5. JSON 413s


def test_413_is_json_like_every_other_api_error():
    limit = 2_000
    expected = {"detail": f"request body too large: the limit is {limit:,} bytes"}
    with client_for(max_body_bytes=limit) as c:
        by_length = c.post("/api/analyze", json={"text": "The mayor said the vote is on Friday. " * 80})

        def chunks() -> Iterator[bytes]:
            yield b'{"text": "'
            for _ in range(100):
                yield b"The mayor said the vote is on Friday. "
            yield b'"}'

        streamed = c.post("/api/analyze", content=chunks(), headers={"content-type": "application/json"})
        upload = c.post("/api/analyze/file", files={"file": ("a.txt", b"word " * 1000, "text/plain")})
        graph = c.post("/api/chain.svg", json={"chain": [{"name": "x" * 3000, "type": "outlet"}]})
    for response in (by_length, streamed, upload, graph):
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/json"
        assert response.json() == expected
        assert response.headers["x-content-type-options"] == "nosniff"  # the security headers too


def test_413_by_content_length_is_json_on_a_real_server():
    settings = WebSettings(rate_limit=0, max_body_bytes=2_000)
    with serving(settings) as base:
        response = httpx.post(f"{base}/api/analyze", json={"text": "The mayor said so. " * 200}, timeout=30)
        healthy = httpx.get(f"{base}/healthz", timeout=10)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "request body too large: the limit is 2,000 bytes"}
    assert healthy.status_code == 200


# --------------------------------------------------------------- 6. code and OpenAPI agree


def test_redirect_to_a_refused_target_is_400_as_the_openapi_description_says(client, site):
    base, routes = site
    routes["/story"] = (200, {"Content-Type": "text/plain; charset=utf-8"}, ARTICLE.encode())
    routes["/to-private"] = (302, {"Location": "http://10.0.0.7/admin"}, b"")
    routes["/to-file"] = (302, {"Location": "file:///etc/passwd"}, b"")
    routes["/to-nowhere"] = (302, {"Location": f"http://127.0.0.1:{_closed_port()}/"}, b"")
    spec = client.get("/openapi.json").json()["paths"]["/api/analyze"]["post"]
    assert "so is a redirect to one" in spec["description"] and "(400)" in spec["description"]
    declared = {int(code) for code in spec["responses"]}
    # The test-only setting admits loopback (the local server); every other non-public range is refused.
    with client_for(allow_loopback_fetch=True) as c:
        answers = {path: c.post("/api/analyze", json={"url": f"{base}{path}"})
                   for path in ("/story", "/to-private", "/to-file", "/to-nowhere", "/gone")}
    assert answers["/story"].status_code == 200
    for path in ("/to-private", "/to-file"):
        assert answers[path].status_code == 400, answers[path].text
        assert answers[path].json()["detail"].startswith(f"{base}{path}: redirect to ")
    # A redirect to where nothing listens, or a missing page, is the far end failing: 502.
    assert answers["/to-nowhere"].status_code == 502
    assert answers["/gone"].status_code == 502
    with client_for(refuse_fetch=True) as off:
        answers["off"] = off.post("/api/analyze", json={"url": f"{base}/story"})
    assert answers["off"].status_code == 403
    assert {a.status_code for a in answers.values()} <= declared
    assert {400, 403, 502, 503} <= declared


def test_every_api_route_declares_the_rate_limit_and_its_errors(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            assert "429" in operation["responses"], f"{method.upper()} {path} can answer 429"
