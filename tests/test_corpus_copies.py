"""Copies of one story from several outlets are kept, grouped and counted as one source; a report of
the opposite disputes; an old store is refused until migrated. Invented articles, real ingest, real DuckDB.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest
from test_corpus_queries import invoke, write_jsonl

CLAIM = "The Marrow Point sea wall has developed cracks along its northern section"

WIRE = (
    "Sea Wall Cracks Found at Marrow Point\n\n"
    "MARROW POINT (Coastline Press) - The Marrow Point sea wall has developed cracks along its northern "
    "section, harbour engineer Petra Lund said on Monday.\n\n"
    "Lund said a team of divers found the damage during a routine inspection of the wall, which was "
    "built in 1962 and protects about four hundred homes and the fishing harbour behind it. Repairs "
    "would start before the autumn storms, she said, and the harbour would stay open while the work "
    "was done. The town council is expected to discuss the cost of the repairs at its meeting next "
    "month, and residents have been invited to a public briefing at the harbour office on Thursday."
)
#: The same wire story under another headline, with its last sentence cut: a near-copy.
WIRE_TRIMMED = WIRE.replace(
    "Sea Wall Cracks Found at Marrow Point", "Divers Find Damage to Harbour Wall"
).rsplit(" The town council", 1)[0]

ARTICLES: list[dict[str, Any]] = [
    {"key": "wire", "outlet": "Harbour Courier", "published": "2026-03-02",
     "title": "Sea Wall Cracks Found at Marrow Point",
     "text": WIRE},
    {"key": "copy", "outlet": "Northgate Post", "published": "2026-03-03",
     "title": "Sea Wall Cracks Found at Marrow Point",
     "text": WIRE},
    {"key": "expert", "outlet": "Valley Herald", "published": "2026-03-03", "title": "Engineer Warns on Wall",
     "text": (
         "Engineer Warns on Wall\n\n"
         "The Marrow Point sea wall has developed cracks along its northern section, structural engineer "
         "Tomas Ekberg of Lindqvist University said after visiting the site on Tuesday.\n\n"
         "Ekberg said the cracks were wider than those he had measured two years ago."
     )},
    {"key": "opposite", "outlet": "Brenholt Times", "published": "2026-03-04", "title": "Wall Is Sound",
     "text": (
         "Wall Is Sound, Operator Says\n\n"
         "The Marrow Point sea wall has not developed cracks along its northern section, the harbour "
         "operator's chief engineer Ingrid Sand said on Wednesday.\n\n"
         "Sand said the marks seen by divers were old surface stains."
     )},
]


def ingest(folder: Path, db: Path, articles: list[dict[str, Any]], name: str = "a.jsonl") -> dict[str, Any]:
    result = invoke("corpus", "ingest", write_jsonl(folder / name, articles), "--db", db, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def trace(db: Path, text: str = CLAIM) -> dict[str, Any]:
    result = invoke("corpus", "trace", text, "--db", db, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("copies")
    db = folder / "corpus.duckdb"
    ingest(folder, db, ARTICLES)
    return db


def test_the_syndication_case(corpus: Path) -> None:
    """A wire story run by two outlets, a third with its own expert, a fourth reporting the opposite."""
    result = trace(corpus)
    by_outlet = {r["outlet"]: r for r in result["reports"]}
    assert len(result["outlets"]) == 4
    assert result["independent_sources"] == 2
    assert result["copies"] == 1 and result["disputing"] == 1
    assert by_outlet["Northgate Post"]["status"] == "copy"
    assert by_outlet["Northgate Post"]["copy_of"] == "Harbour Courier"
    assert by_outlet["Brenholt Times"]["status"] == "disputing"
    assert by_outlet["Brenholt Times"]["relation"] == "contradicts"
    assert {by_outlet["Harbour Courier"]["status"], by_outlet["Valley Herald"]["status"]} == {"independent"}
    assert result["summary"] == (
        "4 outlets · 2 independent sources · 1 copy · 1 disputing · first: Harbour Courier, 2026-03-02"
    )


def test_the_summary_line_is_printed(corpus: Path) -> None:
    result = invoke("corpus", "trace", CLAIM, "--db", corpus)
    assert result.exit_code == 0, result.stderr
    assert "4 outlets · 2 independent sources · 1 copy · 1 disputing" in result.stdout


def test_copies_are_stored_and_grouped(corpus: Path) -> None:
    con = duckdb.connect(str(corpus), read_only=True)
    try:
        rows = con.execute(
            "SELECT outlet, coalesce(copy_group, doc_id), copy_reason, credit FROM documents ORDER BY seq"
        ).fetchall()
        claim_docs = con.execute("SELECT count(DISTINCT doc_id) FROM claims WHERE text LIKE '%sea wall%'")
        claim_docs = claim_docs.fetchone()[0]
    finally:
        con.close()
    groups = {outlet: group for outlet, group, _, _ in rows}
    assert len(rows) == 4 and groups["Harbour Courier"] == groups["Northgate Post"]
    assert len(set(groups.values())) == 3
    assert {outlet: reason for outlet, _, reason, _ in rows}["Northgate Post"] == "exact"
    assert "Coastline Press" in {outlet: credit for outlet, _, _, credit in rows}["Harbour Courier"]
    assert claim_docs == 4  # the copy's claims are its own, with ids that include its document


def test_same_text_same_outlet_is_a_duplicate_and_ingest_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    first = ingest(tmp_path, db, ARTICLES)
    again = ingest(tmp_path, db, ARTICLES + [ARTICLES[0]], name="b.jsonl")
    assert first["stored"] == 4
    assert again["stored"] == 0 and again["duplicates"] == 5


def test_near_copy_with_new_headline_and_cut_tail(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    trimmed = {"outlet": "Ferry Gazette", "published": "2026-03-05",
               "title": "Divers Find Damage to Harbour Wall",
               "text": WIRE_TRIMMED}
    ingest(tmp_path, db, ARTICLES + [trimmed])
    result = trace(db)
    by_outlet = {r["outlet"]: r for r in result["reports"]}
    assert by_outlet["Ferry Gazette"]["status"] == "copy"
    assert result["copies"] == 2 and result["independent_sources"] == 2


def test_credited_outlet_is_the_original_even_when_later(tmp_path: Path) -> None:
    """The Coastline Press's own article arrives last but the others credit it: it is the original."""
    db = tmp_path / "c.duckdb"
    own = {"outlet": "Coastline Press", "published": "2026-03-06",
           "title": "Sea Wall Cracks Found at Marrow Point",
           "text": WIRE}
    ingest(tmp_path, db, ARTICLES + [own])
    by_outlet = {r["outlet"]: r for r in trace(db)["reports"]}
    assert by_outlet["Coastline Press"]["status"] == "independent"
    assert by_outlet["Harbour Courier"]["status"] == "copy"
    assert by_outlet["Harbour Courier"]["copy_of"] == "Coastline Press"


def test_outlet_profiles_show_copied_share(corpus: Path) -> None:
    result = invoke("corpus", "outlets", "--db", corpus, "--format", "json")
    assert result.exit_code == 0, result.stderr
    profiles = {p["outlet"]: p for p in json.loads(result.stdout)}
    assert profiles["Northgate Post"]["copied_share"] == 1.0
    assert profiles["Harbour Courier"]["copied_share"] == 0.0
    assert profiles["Valley Herald"]["copied_share"] == 0.0


def test_old_store_is_refused_then_migrated(tmp_path: Path) -> None:
    """A layout-1 store (documents keyed by text alone) gets one error line naming the migration."""
    db = tmp_path / "old.duckdb"
    ingest(tmp_path, db, ARTICLES[:1] + ARTICLES[2:])
    _make_layout_1(db)
    refused = invoke("corpus", "trace", CLAIM, "--db", db)
    assert refused.exit_code == 2
    lines = [line for line in refused.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert f"sourcetrace corpus migrate {db}" in lines[0]
    more = write_jsonl(tmp_path / "more.jsonl", ARTICLES[1:2])
    refused_ingest = invoke("corpus", "ingest", more, "--db", db)
    assert refused_ingest.exit_code == 2 and "corpus migrate" in refused_ingest.stderr

    migrated = invoke("corpus", "migrate", db)
    assert migrated.exit_code == 0, migrated.stderr
    assert "layout 1 -> 2" in migrated.stdout
    before = trace(db)
    assert len(before["reports"]) == 3
    # After migration the copy the old layout could not hold is stored and found.
    ingest(tmp_path, db, ARTICLES[1:2], name="copy.jsonl")
    after = trace(db)
    assert after["copies"] == 1 and len(after["outlets"]) == 4
    assert invoke("corpus", "migrate", db).stdout.strip().endswith("nothing to do")


def _make_layout_1(db: Path) -> None:
    """Rewrite a fresh store as sourcetrace 0.x left it: doc_id = text hash, no meta table, no copy
    columns, claim ids from the text hash."""
    from sourcetrace.nlp.claims import claim_id

    con = duckdb.connect(str(db))
    try:
        docs = con.execute("SELECT doc_id, text_sha256 FROM documents").fetchall()
        for new_id, text_hash in docs:
            for table in ("claims", "sources", "attributions", "framing"):
                con.execute(f"UPDATE {table} SET doc_id = ? WHERE doc_id = ?", [text_hash, new_id])  # noqa: S608
        con.execute("CREATE TEMP TABLE c AS SELECT * FROM claims")
        con.execute("DELETE FROM claims")
        for row in con.execute('SELECT claim_id, doc_id, start, "end" FROM c').fetchall():
            old_id = claim_id(row[1], row[2], row[3])
            con.execute("UPDATE c SET claim_id = ? WHERE claim_id = ?", [old_id, row[0]])
        con.execute("INSERT INTO claims SELECT * FROM c")
        con.execute(
            "CREATE TABLE d1 AS SELECT text_sha256 AS doc_id, seq, source, outlet, domain, title, published, "
            "words, ingested_at, report, url FROM documents"
        )
        con.execute("DROP TABLE documents")
        con.execute("ALTER TABLE d1 RENAME TO documents")
        con.execute("DROP TABLE meta")
    finally:
        con.close()
    for suffix in (".claimindex", ".claimindex.json"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)


def test_non_iso_dates_order_reports_and_place_relative_days(tmp_path: Path) -> None:
    """An RSS-style date orders its article first; its `on Sunday` is 1 March, so a report of
    `1 March` is the same claim and one of `22 February` is a different one."""
    claim = "The Kelby ferry ran aground off the northern breakwater"
    articles = [
        {"outlet": "Island Mail", "published": "Thu, 05 Mar 2026 08:00:00 +0000", "title": "Ferry Grounded",
         "text": f"Ferry Grounded\n\n{claim} on 1 March, coastguard officer Jonas Berg said."},
        {"outlet": "Kelby Echo", "published": "Mon, 02 Mar 2026 07:30:00 +0000", "title": "Ferry Aground",
         "text": f"Ferry Aground\n\n{claim} on Sunday, harbour master Elin Dahl said."},
        {"outlet": "Fjord Weekly", "published": "2026-03-06", "title": "Earlier Grounding",
         "text": f"Earlier Grounding\n\n{claim} on 22 February, pilot Oskar Lind said."},
    ]
    db = tmp_path / "c.duckdb"
    ingest(tmp_path, db, articles)
    con = duckdb.connect(str(db), read_only=True)
    try:
        claim_id = con.execute(
            "SELECT c.claim_id FROM claims c JOIN documents d USING (doc_id) "
            "WHERE d.outlet = 'Kelby Echo' AND c.text LIKE '%ran aground%'"
        ).fetchone()[0]
    finally:
        con.close()
    result = invoke("corpus", "trace", "--claim-id", claim_id, "--db", db, "--format", "json")
    assert result.exit_code == 0, result.stderr
    outlets = [r["outlet"] for r in json.loads(result.stdout)["reports"]]
    assert outlets[0] == "Kelby Echo"
    assert "Island Mail" in outlets and "Fjord Weekly" not in outlets
