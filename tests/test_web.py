"""The web API and pages through the real app (FastAPI's TestClient, the real analyzer, real DuckDB).

URL fetching is exercised against real HTTP servers on 127.0.0.1 only; everything else the SSRF guard
refuses is refused before any connection is made.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
from browser.articles import ARTICLE, CORPUS_RECORDS, build_store, ingest, write_feed
from conftest import client_for
from fastapi.testclient import TestClient

from sourcetrace.schema import json_schema
from sourcetrace.web import WebSettings, create_app
from sourcetrace.web.graph import TYPE_COLOURS

WEB_DIR = Path(__file__).resolve().parents[1] / "src" / "sourcetrace" / "web"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with client_for() as c:
        yield c


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def corpus_client(corpus_db) -> Iterator[TestClient]:
    with client_for(db=corpus_db) as c:
        yield c


# ------------------------------------------------------------------------------------------ analyse


def test_analyze_text_returns_the_report_contract(client):
    response = client.post("/api/analyze", json={"text": ARTICLE, "outlet": "The Harbour Courier"})
    assert response.status_code == 200
    report = response.json()
    jsonschema.validate(report, json_schema())
    text = report["document"]["text"]
    assert report["document"]["title"] == "Harbour bridge to shut for six weeks"
    assert report["document"]["outlet"] == "The Harbour Courier"
    assert report["claims"], "the article has attributed claims"
    for claim in report["claims"]:
        assert text[claim["start"]:claim["end"]] == claim["text"]
    names = {s["name"] for s in report["sources"]}
    assert "Marta Oyelaran" in names


def test_analyze_html_and_uploads_use_the_ingest_readers(client):
    html = (f"<html><head><title>Bridge</title><meta property='og:site_name' content='Valley Post'></head>"
            f"<body><article><p>{ARTICLE.split(chr(10), 2)[2]}</p></article></body></html>")
    from_html = client.post("/api/analyze", json={"html": html})
    assert from_html.status_code == 200
    assert from_html.json()["document"]["outlet"] == "Valley Post"

    txt = client.post("/api/analyze/file", files={"file": ("story.txt", ARTICLE.encode(), "text/plain")},
                      data={"outlet": "Northfield Daily"})
    assert txt.status_code == 200
    assert txt.json()["document"]["outlet"] == "Northfield Daily"
    assert txt.json()["document"]["title"] == "Harbour bridge to shut for six weeks"

    record = b'{"text": "The mayor said the vote would be held on Friday.", "outlet": "Coastal Record"}'
    as_json = client.post("/api/analyze/file", files={"file": ("a.json", record, "application/json")})
    assert as_json.status_code == 200
    assert as_json.json()["document"]["outlet"] == "Coastal Record"

    pdf = client.post("/api/analyze/file", files={"file": ("a.pdf", b"%PDF-1.4", "application/pdf")})
    assert pdf.status_code == 422
    assert "unsupported file type" in pdf.json()["detail"]

    # Several articles in one upload: never the first one silently.
    two = (
        b'[{"text": "The mayor said the vote was on Friday."}, '
        b'{"text": "The port reopened, officials said."}]'
    )
    several = client.post("/api/analyze/file", files={"file": ("two.json", two, "application/json")})
    assert several.status_code == 422
    assert "holds 2 articles" in several.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [{}, {"text": "a", "url": "http://example.org/"}, {"text": "   "}, {"text": "x", "colour": "red"},
     {"text": "\x00\x01\x02\x03\x04\x05\x06\x07"}],
    ids=["nothing", "two-inputs", "blank", "unknown-field", "binary"],
)
def test_bad_input_is_a_422_with_a_readable_detail(client, body):
    response = client.post("/api/analyze", json=body)
    assert response.status_code == 422
    assert "Traceback" not in response.text
    assert response.json()["detail"]


def test_malformed_json_is_a_422(client):
    response = client.post("/api/analyze", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


# --------------------------------------------------------------------------------------- security


def test_body_over_the_cap_is_413_by_length_and_while_streaming():
    with client_for(max_body_bytes=2_000) as c:
        small = c.post("/api/analyze", json={"text": "The mayor said the vote is on Friday. " * 20})
        assert small.status_code == 200
        big = c.post("/api/analyze", json={"text": "The mayor said the vote is on Friday. " * 80})
        assert big.status_code == 413

        def chunks() -> Iterator[bytes]:
            # No Content-Length: the cap must count streamed bytes.
            yield b'{"text": "'
            for _ in range(100):
                yield b"The mayor said the vote is on Friday. "
            yield b'"}'

        streamed = c.post("/api/analyze", content=chunks(), headers={"content-type": "application/json"})
        assert streamed.status_code == 413
        upload = c.post("/api/analyze/file", files={"file": ("a.txt", b"word " * 1000, "text/plain")})
        assert upload.status_code == 413


def test_rate_limit_answers_429_per_client_and_spares_healthz():
    # 3 requests in any 3,000 s (0.001/s, bursts of 3): nothing frees up during the test, whatever its speed.
    with client_for(rate_limit=0.001, rate_burst=3) as c:
        codes = [c.get("/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = c.post("/api/analyze", json={"text": "The mayor said so."})
        assert limited.status_code == 429
        # The wait is until the first request leaves the window: close to the whole 3,000 s.
        assert 2_900 <= int(limited.headers["retry-after"]) <= 3_000
        assert c.get("/healthz").status_code == 200
        assert c.get("/static/app.css").status_code == 200


def test_unexpected_errors_are_a_bare_500_without_internals():
    app = create_app(WebSettings(rate_limit=0))

    # A route that fails the way a bug would; the handler under test is the app's own.
    @app.get("/api/fails")
    async def fails() -> None:
        raise KeyError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/api/fails")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal server error"}
    assert "secret" not in response.text and "Traceback" not in response.text


def test_security_headers_and_no_cors_by_default(client):
    response = client.get("/", headers={"Origin": "https://elsewhere.example"})
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "access-control-allow-origin" not in response.headers
    preflight = client.options("/api/analyze", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_only_for_configured_origins():
    with client_for(cors_origins=("https://newsroom.example",)) as c:
        allowed = c.get("/healthz", headers={"Origin": "https://newsroom.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://newsroom.example"
        other = c.get("/healthz", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers


def test_pages_escape_article_text_and_queries(corpus_client):
    page = corpus_client.get("/claims", params={"q": "<script>alert(1)</script> bridge"})
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    outlets = corpus_client.get("/outlets").text
    assert '<img src=x onerror' not in outlets
    assert "&lt;img src=x onerror=" in outlets
    missing = corpus_client.get("/claims/<b>nope</b>")
    assert missing.status_code == 404
    assert "<b>nope</b>" not in missing.text


# ------------------------------------------------------------------------------------ URL fetching


@pytest.mark.parametrize(
    ("url", "reason"),
    [("http://127.0.0.1/", "loopback"), ("http://10.1.2.3/story", "private"),
     ("http://169.254.169.254/latest/meta-data/", "link-local"), ("http://[::1]:8000/", "loopback"),
     ("file:///etc/passwd", "scheme"), ("http://0.0.0.0/", "unspecified")],
)
def test_ssrf_guard_refuses_before_connecting(client, url, reason):
    response = client.post("/api/analyze", json={"url": url})
    assert response.status_code == 400
    assert reason in response.json()["detail"]


def test_refuse_all_mode_fetches_nothing(site):
    base, routes = site
    routes["/a"] = (200, {"Content-Type": "text/plain"}, ARTICLE.encode())
    with client_for(refuse_fetch=True, allow_loopback_fetch=True) as c:
        response = c.post("/api/analyze", json={"url": f"{base}/a"})
    assert response.status_code == 403


def test_loopback_fetch_setting_is_off_by_default():
    assert WebSettings().allow_loopback_fetch is False
    assert WebSettings().refuse_fetch is False


def test_redirects_are_rechecked_on_every_hop(site):
    base, routes = site
    routes["/story"] = (200, {"Content-Type": "text/plain; charset=utf-8"}, ARTICLE.encode())
    routes["/moved"] = (302, {"Location": "/story"}, b"")
    routes["/to-private"] = (302, {"Location": "http://10.0.0.7/admin"}, b"")
    routes["/to-metadata"] = (301, {"Location": "http://169.254.169.254/latest/"}, b"")
    with client_for(allow_loopback_fetch=True) as c:
        ok = c.post("/api/analyze", json={"url": f"{base}/moved"})
        assert ok.status_code == 200
        assert ok.json()["document"]["final_url"] == f"{base}/story"
        for path, reason in (("/to-private", "private"), ("/to-metadata", "link-local")):
            # The client's URL leads to a refused target: refused like that target itself (400), as the
            # OpenAPI description says, not an upstream failure (502).
            refused = c.post("/api/analyze", json={"url": f"{base}{path}"})
            assert refused.status_code == 400
            assert "refused" in refused.json()["detail"] and reason in refused.json()["detail"]
        missing = c.post("/api/analyze", json={"url": f"{base}/gone"})
        assert missing.status_code == 502
        assert "404" in missing.json()["detail"]


def test_unreachable_upstream_is_502():
    with client_for(allow_loopback_fetch=True) as c:
        response = c.post("/api/analyze", json={"url": f"http://127.0.0.1:{_closed_port()}/x"})
    assert response.status_code == 502
    assert "cannot connect" in response.json()["detail"]


def _closed_port() -> int:
    """A port nothing listens on: bound by the OS for us, then released."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -------------------------------------------------------------------------------------- chain graph


def test_chain_graph_is_svg_with_escaped_names(client):
    chain = [
        {"name": "The Harbour Courier", "type": "outlet", "reliability_label": "reliable",
         "reliability_score": 0.81},
        {"name": "Marta <script>alert(1)</script> Oyelaran", "type": "named_person", "cue": "said"},
        {"name": 'officials" onmouseover="x', "type": "official_unnamed", "cue": "told"},
    ]
    response = client.post("/api/chain.svg", json={"chain": chain})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    svg = response.text
    assert svg.startswith("<svg")
    root = ElementTree.fromstring(svg)  # well-formed XML, as the page's DOMParser needs
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(re.findall(r'<g id="node\d+" class="node', svg)) == 3
    assert len(re.findall(r'<g id="edge\d+" class="edge', svg)) == 2
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert 'onmouseover="' not in svg
    assert "reliable 0.81" in svg
    assert TYPE_COLOURS["named_person"] in svg
    # The names come back as text, character for character.
    assert "Marta <script>alert(1)</script> Oyelaran" in "".join(root.itertext())


def test_chain_graph_needs_no_system_program(client, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no system program at all: the layout is Python
    response = client.post("/api/chain.svg", json={"chain": [{"name": "A", "type": "outlet"}]})
    assert response.status_code == 200
    assert response.text.startswith("<svg")


def test_chain_graph_refuses_an_empty_chain(client):
    assert client.post("/api/chain.svg", json={"chain": []}).status_code == 422


def test_css_uses_the_graph_palette():
    css = (WEB_DIR / "static" / "app.css").read_text()
    for source_type, colour in TYPE_COLOURS.items():
        assert f"--type-{source_type}: {colour};" in css


# ---------------------------------------------------------------------------------------- corpus


def test_corpus_api_without_a_store_is_404(client):
    for path in ("/api/outlets", "/api/claims?q=bridge", "/api/claims/c_x/trace"):
        assert client.get(path).status_code == 404
    assert client.get("/outlets").status_code == 404


def test_corpus_api_search_outlets_and_trace(corpus_client):
    hits = corpus_client.get("/api/claims", params={"q": "harbour bridge close repairs"}).json()
    assert hits and all("bridge" in h["text"].lower() for h in hits)
    outlets = {p["outlet"] for p in corpus_client.get("/api/outlets").json()}
    assert {"The Harbour Courier", "Northfield Daily", "Valley Post"} <= outlets
    trace = corpus_client.get(f"/api/claims/{hits[0]['claim_id']}/trace")
    assert trace.status_code == 200
    body = trace.json()
    assert len(body["outlets"]) >= 2
    assert body["independent_sources"] >= 1
    assert corpus_client.get("/api/claims/c_does_not_exist/trace").status_code == 404
    page = corpus_client.get(f"/claims/{hits[0]['claim_id']}")
    assert page.status_code == 200
    assert page.text.count('class="mark status-') == len(body["reports"])


def test_new_ingests_show_up_without_a_restart(tmp_path):
    db = build_store(tmp_path / "a", CORPUS_RECORDS[:1])
    with client_for(db=db) as c:
        before = {p["outlet"] for p in c.get("/api/outlets").json()}
        ingest(write_feed(tmp_path / "b", CORPUS_RECORDS[1:2]), db)
        after = {p["outlet"] for p in c.get("/api/outlets").json()}
    assert before == {"The Harbour Courier"}
    assert after == {"The Harbour Courier", "Northfield Daily"}


def test_store_held_by_a_writer_is_503_and_analysis_still_works(tmp_path):
    db = build_store(tmp_path, CORPUS_RECORDS[:1])
    # Another process holds the write lock, as `sourcetrace corpus ingest` does while it runs.
    writer = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
         "print('held', flush=True); sys.stdin.read()", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "held"
        with client_for(db=db) as c:
            busy = c.get("/api/outlets")
            assert busy.status_code == 503
            assert c.get("/outlets").status_code == 503
            analysed = c.post("/api/analyze", json={"text": "The mayor said the vote is on Friday."})
            assert analysed.status_code == 200
    finally:
        writer.stdin.close()
        writer.wait(timeout=30)


# ------------------------------------------------------------------------------------------ misc


def test_healthz_and_docs_are_self_hosted(client):
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["model_loaded"] is True
    docs = client.get("/docs").text
    assert "/static/docs.js" in docs
    assert not re.search(r"""(src|href)=["']https?://""", docs), "no asset from another host"
    spec = client.get("/openapi.json").json()
    assert {"/api/analyze", "/api/claims", "/api/claims/{claim_id}/trace", "/api/outlets", "/healthz"} <= set(
        spec["paths"])


def test_no_page_or_asset_comes_from_another_host(client):
    for path in ("/", "/docs"):
        html = client.get(path).text
        assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    for asset in (WEB_DIR / "static").iterdir():
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", asset.read_text()), asset.name

