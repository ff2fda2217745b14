"""The web face of corroboration: the trace page and API show copies, disputes and the summary line;
an outdated store answers 503 naming the migration; dates are validated."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_corpus_copies import ARTICLES, CLAIM, _make_layout_1, ingest

from sourcetrace.web import WebSettings, create_app


def client_for(db: Path) -> TestClient:
    return TestClient(create_app(WebSettings(db=db, rate_limit=0)), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web-copies")
    db = folder / "corpus.duckdb"
    ingest(folder, db, ARTICLES)
    return db


def test_trace_page_and_api_show_copies_and_disputes(store: Path) -> None:
    with client_for(store) as client:
        hits = client.get("/api/claims", params={"q": "Marrow Point sea wall cracks"}).json()
        wire = next(h for h in hits if h["outlet"] == "Harbour Courier" and h["text"] == CLAIM)
        body = client.get(f"/api/claims/{wire['claim_id']}/trace").json()
        assert (body["copies"], body["disputing"], body["independent_sources"]) == (1, 1, 2)
        assert body["summary"].startswith("4 outlets · 2 independent sources · 1 copy · 1 disputing")
        page = client.get(f"/claims/{wire['claim_id']}")
        assert page.status_code == 200
        assert body["summary"] in page.text
        assert "copy of Harbour Courier" in page.text and "states the opposite" in page.text
        outlets = client.get("/outlets")
        assert outlets.status_code == 200 and "Copied" in outlets.text


def test_outdated_store_is_503_naming_the_migration(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    ingest(tmp_path, db, ARTICLES[:1])
    _make_layout_1(db)
    with client_for(db) as client:
        response = client.get("/api/outlets")
    assert response.status_code == 503
    assert "sourcetrace corpus migrate" in response.json()["detail"]


def test_api_refuses_a_published_value_that_is_not_a_date(store: Path) -> None:
    text = "Ferry Resumes\n\nThe island ferry resumed its winter timetable, the operator said on Monday."
    with client_for(store) as client:
        bad = client.post("/api/analyze", json={"text": text, "published": "the other day"})
        good = client.post("/api/analyze", json={"text": text, "published": "2 March 2026"})
    assert bad.status_code == 422 and "is not a date" in bad.text
    assert good.status_code == 200 and good.json()["document"]["published"] == "2026-03-02"


def test_claim_text_trace_via_cli_matches_the_api(store: Path) -> None:
    with client_for(store) as client:
        hits = client.get("/api/claims", params={"q": CLAIM}).json()
    assert {h["outlet"] for h in hits} >= {"Harbour Courier", "Northgate Post"}
