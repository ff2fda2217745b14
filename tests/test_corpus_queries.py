"""The read side of the corpus store (trace, search, outlet profiles, export) on a real DuckDB store.

The store is built by the real `sourcetrace corpus ingest` from invented articles written for this
test: several outlets report that a dam has cracked, each sourcing it differently. The chains the
analyzer finds are checked first (`test_fixture_chains_are_as_written`), so a failure later points at
the query layer, not at a changed analysis.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner, Result

from sourcetrace.cli import app

CLAIM = "The Kessler reservoir dam has developed cracks along its eastern wall"

#: Articles in ingest order. Dates are deliberately not in ingest order, and two are undated.
ARTICLES: list[dict[str, Any]] = [
    {
        "key": "weekly",
        "outlet": "Harbour Weekly",
        "title": "Dam Fears Grow in Orvik",
        "text": (
            "Dam Fears Grow in Orvik\n\n"
            "The Kessler reservoir dam has developed cracks along its eastern wall. Engineers from three "
            "regional councils met in Orvik on Wednesday to plan repairs."
        ),
    },
    {
        "key": "disputing",
        "outlet": "Brenholt Times",
        "published": "2025-03-06T10:00:00",
        "title": "Dam Operator Disputes Crack Reports",
        "text": (
            "Dam Operator Disputes Crack Reports\n\n"
            "A spokesman for Tamsin Water denied that the Kessler reservoir dam has developed cracks "
            "along its eastern wall.\n\n"
            "The company said it would publish its own inspection results next week."
        ),
    },
    {
        "key": "official",
        "outlet": "Valley Herald",
        "published": "2025-03-03T09:00:00",
        "url": "https://valleyherald.example/news/kessler-dam-cracks",
        "title": "Cracks Found in Kessler Dam, Minister Says",
        "text": (
            "Cracks Found in Kessler Dam, Minister Says\n\n"
            "The Kessler reservoir dam has developed cracks along its eastern wall, Water Minister "
            "Helena Varga said on Monday.\n\n"
            "\"Our engineers found three fractures during the spring inspection, and we will not take "
            "any risk with the towns below the dam,\" Varga told reporters in Brenholt.\n\n"
            "The reservoir supplies drinking water to about 200,000 people in the Lower Tamsin valley."
        ),
    },
    {
        "key": "same_official",
        "outlet": "Lakeside Courier",
        "title": "Minister Orders Kessler Reservoir Drained",
        "text": (
            "Minister Orders Kessler Reservoir Drained\n\n"
            "The Kessler reservoir dam has developed cracks along its eastern wall, Water Minister "
            "Helena Varga told a press conference.\n\n"
            "Emergency water supplies will be trucked to the towns below the dam, she said."
        ),
    },
    {
        "key": "anonymous",
        "outlet": "Riverside Gazette",
        "published": "2025-03-03T15:30:00",
        "title": "Kessler Dam Reported Damaged",
        "text": (
            "Kessler Dam Reported Damaged\n\n"
            "The Kessler reservoir dam has developed cracks along its eastern wall, a person familiar "
            "with the inspection said, speaking on condition of anonymity.\n\n"
            "The dam was completed in 1974 and was last repaired in 2009."
        ),
    },
    {
        "key": "relay",
        "outlet": "Orvik Daily",
        "published": "2025-03-04T08:00:00",
        "title": "Kessler Dam to Be Drained",
        "text": (
            "Kessler Dam to Be Drained\n\n"
            "According to the Valley Herald, Water Minister Helena Varga said the Kessler reservoir dam "
            "has developed cracks along its eastern wall.\n\n"
            "Residents of Orvik said they had not been told how long the water would be cut off."
        ),
    },
    {
        "key": "eyewitness",
        "outlet": "Tamsin Post",
        "published": "2025-03-05T11:00:00",
        "title": "Retired Engineer Saw Water Seeping From Dam",
        "text": (
            "Retired Engineer Saw Water Seeping From Dam\n\n"
            "The Kessler reservoir dam has developed cracks along its eastern wall, said Tomas Reyes, a "
            "retired civil engineer who walks along the dam every morning.\n\n"
            "\"I saw water seeping through a crack near the spillway last week,\" Reyes said."
        ),
    },
    {
        # The same outlet as "official", a different person: only the publishers coincide.
        "key": "mayor",
        "outlet": "Valley Herald",
        "published": "2025-03-08T09:00:00",
        "url": "https://valleyherald.example/news/mayor-tours-dam",
        "title": "Mayor Tours Kessler Dam",
        "text": (
            "Mayor Tours Kessler Dam\n\n"
            "Cracks have opened along the eastern wall of the Kessler reservoir dam, Orvik mayor Ines "
            "Calloway said after touring the site on Saturday.\n\n"
            "Calloway said the town would open two emergency wells."
        ),
    },
    {
        "key": "ferry",
        "outlet": "Valley Herald",
        "published": "2025-03-07T09:00:00",
        "url": "https://valleyherald.example/news/ferry-strike",
        "title": "Ferry Crews Walk Out Over Pay",
        "text": (
            "Ferry Crews Walk Out Over Pay\n\n"
            "Ferry crews on the Orvik crossing stopped work on Friday after pay talks collapsed, union "
            "organiser Marta Lind said.\n\n"
            "Officials said the strike could last until the weekend."
        ),
    },
    {
        "key": "weather",
        "outlet": "Associated Press",
        "published": "2025-03-09T07:00:00",
        "url": "https://apnews.com/article/plains-heat-wave-forecast",
        "title": "Heat Wave Expected Across the Plains",
        "text": (
            "Heat Wave Expected Across the Plains\n\n"
            "Temperatures across the northern plains will climb above 38 degrees Celsius this week, the "
            "National Weather Service said on Sunday.\n\n"
            "Forecasters said the heat would ease by Friday."
        ),
    },
]

#: The trace of CLAIM as the articles were written: key, status, in order of first appearance.
EXPECTED_TRACE = [
    ("official", "independent"),
    ("anonymous", "unknown"),
    ("relay", "dependent"),
    ("eyewitness", "independent"),
    ("disputing", "disputing"),
    ("mayor", "independent"),
    ("weekly", "unknown"),
    ("same_official", "dependent"),
]
DAM_KEYS = {key for key, _ in EXPECTED_TRACE}


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def write_jsonl(path: Path, articles: list[dict[str, Any]]) -> Path:
    # Every record names every field (null when unknown): the table reader takes the columns of a
    # JSONL file from its first record.
    fields = ("text", "title", "outlet", "published", "url")
    with path.open("w", encoding="utf-8") as fh:
        for article in articles:
            fh.write(json.dumps({f: article.get(f) for f in fields}) + "\n")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    db = folder / "corpus.duckdb"
    result = invoke("corpus", "ingest", write_jsonl(folder / "articles.jsonl", ARTICLES), "--db", db)
    assert result.exit_code == 0, result.stderr
    return db


@pytest.fixture()
def store(corpus: Path):
    from sourcetrace.corpus.store import Store

    with Store(corpus, read_only=True) as opened:
        yield opened


@pytest.fixture(scope="module")
def doc_keys(corpus: Path) -> dict[str, str]:
    """doc_id -> article key (the doc_id is the sha256 of the text the ingest analysed)."""
    from sourcetrace.schema import text_sha256

    con = duckdb.connect(str(corpus), read_only=True)
    try:
        by_title = {r[1]: r[0] for r in con.execute("SELECT doc_id, title FROM documents").fetchall()}
    finally:
        con.close()
    keys = {by_title[a["title"]]: a["key"] for a in ARTICLES if a["title"] in by_title}
    assert len(keys) == len(ARTICLES)
    assert all(len(doc_id) == len(text_sha256("")) for doc_id in keys)
    return keys


def dam_claim_id(store, key: str) -> str:
    """The id of the claim about the dam in one fixture article."""
    title = next(a["title"] for a in ARTICLES if a["key"] == key)
    row = store.con.execute(
        """
        SELECT c.claim_id FROM claims c JOIN documents d USING (doc_id)
        WHERE d.title = ? AND lower(c.text) LIKE '%eastern wall%'
        """,
        [title],
    ).fetchone()
    assert row is not None, f"no dam claim stored for {key}"
    return row[0]


# ------------------------------------------------------------------------------------- the fixture


def test_fixture_chains_are_as_written(store, doc_keys: dict[str, str]) -> None:
    rows = store.con.execute(
        "SELECT doc_id, chain, cue FROM claims WHERE lower(text) LIKE '%eastern wall%'"
    ).fetchall()
    chains = {doc_keys[d]: ([link["name"] for link in json.loads(chain)], cue) for d, chain, cue in rows}
    assert chains["official"] == (["Valley Herald", "Helena Varga"], "said")
    assert chains["relay"][0] == ["Orvik Daily", "Valley Herald", "Helena Varga"]
    assert chains["eyewitness"][0] == ["Tamsin Post", "Tomas Reyes"]
    assert chains["same_official"][0] == ["Lakeside Courier", "Helena Varga"]
    assert chains["anonymous"][0][-1] == "a person familiar with the inspection"
    assert chains["disputing"][1] == "denied"
    assert chains["mayor"][0] == ["Valley Herald", "Ines Calloway"]
    assert chains["weekly"][0][-1] == "author"


# ------------------------------------------------------------------------------------------ trace


def test_trace_by_text(store, doc_keys: dict[str, str]) -> None:
    from sourcetrace.corpus.queries import trace

    result = trace(store, text=CLAIM)
    assert [(doc_keys[r.doc_id], r.status) for r in result.reports] == EXPECTED_TRACE
    assert result.independent_sources == 3
    assert result.independent_names == ["Helena Varga", "Tomas Reyes", "Ines Calloway"]
    assert (result.dependent, result.unknown, result.disputing) == (2, 2, 1)
    assert result.first_outlet == "Valley Herald"
    assert result.first_published is not None and result.first_published.isoformat() == "2025-03-03T09:00:00"
    # Distinct outlets in order of first appearance: the Herald's second story does not repeat it.
    assert result.outlets == [
        "Valley Herald", "Riverside Gazette", "Orvik Daily", "Tamsin Post", "Brenholt Times",
        "Harbour Weekly", "Lakeside Courier",
    ]


def test_dependent_reports_name_what_they_share(store, doc_keys: dict[str, str]) -> None:
    from sourcetrace.corpus.queries import trace

    reports = {doc_keys[r.doc_id]: r for r in trace(store, text=CLAIM).reports}
    relay = reports["relay"]
    assert relay.shares_with == ["Valley Herald"]
    # It cites the Herald, the publisher of the first report, and the same minister.
    assert set(relay.shared_sources) == {"Valley Herald", "Helena Varga"}
    assert relay.line == reports["official"].line
    assert reports["same_official"].shared_sources == ["Helena Varga"]
    # The Herald's two stories share only their publisher, which does not make them dependent.
    assert reports["mayor"].line != reports["official"].line
    assert reports["mayor"].shares_with == []
    for key in ("anonymous", "weekly", "disputing"):
        assert reports[key].line is None and reports[key].shares_with == []


def test_undated_articles_follow_dated_ones_in_ingest_order(store, doc_keys: dict[str, str]) -> None:
    from sourcetrace.corpus.queries import trace

    reports = trace(store, text=CLAIM).reports
    dated = [r.published for r in reports if r.published is not None]
    assert dated == sorted(dated)
    undated = [r for r in reports if r.published is None]
    assert [doc_keys[r.doc_id] for r in undated] == ["weekly", "same_official"]
    assert undated[0].seq is not None and undated[1].seq is not None and undated[0].seq < undated[1].seq
    assert reports[-len(undated):] == undated


def test_trace_by_claim_id_finds_the_same_reports(store) -> None:
    from sourcetrace.corpus.queries import trace

    by_text = trace(store, text=CLAIM)
    anchor = dam_claim_id(store, "eyewitness")
    by_id = trace(store, claim_id=anchor)
    assert by_id.claim_id == anchor
    assert anchor in {r.claim_id for r in by_id.reports}
    assert [r.claim_id for r in by_id.reports] == [r.claim_id for r in by_text.reports]
    assert by_id.independent_sources == by_text.independent_sources


def test_unrelated_claim_traces_to_itself_only(store, doc_keys: dict[str, str]) -> None:
    from sourcetrace.corpus.queries import trace

    result = trace(store, text="Ferry crews on the Orvik crossing stopped work after pay talks collapsed")
    assert [doc_keys[r.doc_id] for r in result.reports] == ["ferry"]
    assert result.reports[0].status == "independent"
    assert trace(store, text="Parliament approved a new fisheries quota for the northern coast").reports == []


def test_trace_rejects_bad_requests(store) -> None:
    from sourcetrace.corpus.queries import QueryError, trace

    with pytest.raises(QueryError, match="no claim with id"):
        trace(store, claim_id="c_does_not_exist")
    with pytest.raises(QueryError):
        trace(store, text="   ")
    with pytest.raises(QueryError):
        trace(store)
    with pytest.raises(QueryError):
        trace(store, claim_id="x", text="y")


@pytest.mark.parametrize(
    ("cue", "disputes"),
    [
        ("denied", True),
        ("flatly rejected", True),
        ("has dismissed", True),
        ("disputes", True),
        ("refuted", True),
        ("did not deny", False),
        ("didn't dispute", False),
        ("never denied", False),
        ("said", False),
        ("confirmed", False),
        (None, False),
    ],
)
def test_dispute_cues(cue: str | None, disputes: bool) -> None:
    from sourcetrace.corpus.trace import is_dispute

    assert is_dispute(cue) is disputes


def test_trace_result_is_json_serialisable(store) -> None:
    from sourcetrace.corpus.queries import Trace, trace

    result = trace(store, text=CLAIM)
    again = Trace.model_validate_json(result.model_dump_json())
    assert again == result


# ------------------------------------------------------------------------------------------ index


def test_index_persists_and_is_updated_by_a_later_ingest(corpus: Path, tmp_path: Path) -> None:
    from sourcetrace.corpus.claim_index import index_path, read_state
    from sourcetrace.corpus.queries import trace
    from sourcetrace.corpus.store import Store

    db = tmp_path / "grow.duckdb"
    shutil.copy(corpus, db)
    with Store(db, read_only=True) as store:
        before = trace(store, text=CLAIM)
    assert index_path(db).is_file()
    state = read_state(db)
    assert state is not None
    late = {
        "key": "late",
        "outlet": "Northern Ledger",
        "published": "2025-03-10T12:00:00",
        "title": "Inspectors Confirm Dam Damage",
        "text": (
            "Inspectors Confirm Dam Damage\n\n"
            "The Kessler reservoir dam has developed cracks along its eastern wall, chief inspector "
            "Paolo Wendt said on Monday."
        ),
    }
    result = invoke("corpus", "ingest", write_jsonl(tmp_path / "late.jsonl", [late]), "--db", db)
    assert result.exit_code == 0, result.stderr
    with Store(db, read_only=True) as store:
        after = trace(store, text=CLAIM)
    grown = read_state(db)
    assert grown is not None and grown.seq > state.seq and grown.claims > state.claims
    assert len(after.reports) == len(before.reports) + 1
    assert after.reports[-3].outlet == "Northern Ledger"  # dated: before the two undated ones
    assert after.independent_sources == before.independent_sources + 1


def test_corrupt_index_is_rebuilt(corpus: Path, tmp_path: Path) -> None:
    from sourcetrace.corpus.claim_index import index_path
    from sourcetrace.corpus.queries import trace
    from sourcetrace.corpus.store import Store

    db = tmp_path / "copy.duckdb"
    shutil.copy(corpus, db)
    with Store(db, read_only=True) as store:
        expected = trace(store, text=CLAIM)
    index_path(db).write_bytes(b"not an index")
    with Store(db, read_only=True) as store:
        assert trace(store, text=CLAIM) == expected
    assert index_path(db).read_bytes() != b"not an index"


def test_claim_vectors_are_stored_with_the_index_and_match_query_time_embedding(
    corpus: Path, tmp_path: Path
) -> None:
    from sourcetrace.corpus.claim_index import load_vectors, read_state, vector_model, vectors_path
    from sourcetrace.corpus.queries import trace
    from sourcetrace.corpus.store import Store

    if vector_model() is None:
        pytest.skip("the [semantic] extra is not installed: no claim vectors")
    with Store(corpus, read_only=True) as store:
        vectors = load_vectors(store)
        assert vectors is not None and len(vectors) == read_state(corpus).claims
        with_vectors = trace(store, text=CLAIM)
    # Without the vector file a trace embeds its candidates itself, and finds the same reports.
    db = tmp_path / "novectors.duckdb"
    shutil.copy(corpus, db)
    for suffix in (".claimindex", ".claimindex.json"):
        shutil.copy(corpus.with_name(corpus.name + suffix), db.with_name(db.name + suffix))
    assert not vectors_path(db).exists()
    with Store(db, read_only=True) as store:
        assert load_vectors(store) is None
        assert trace(store, text=CLAIM) == with_vectors


def test_claim_vectors_come_from_the_workers_and_are_copied_not_recomputed(
    corpus: Path, tmp_path: Path
) -> None:
    """Ingest embeds each claim on the worker that analysed it (`claim_vectors` table); the index update
    copies those vectors into `<db>.claimvectors` rather than embedding again in the ingest process."""
    import numpy as np

    from sourcetrace.corpus.claim_index import build_index, load_vectors, vector_model
    from sourcetrace.corpus.store import Store
    from sourcetrace.matching.model import default_embedder
    from sourcetrace.matching.vectors import dequantise

    model = vector_model()
    if model is None:
        pytest.skip("the [semantic] extra is not installed: no claim vectors")
    db = tmp_path / "copy.duckdb"
    shutil.copy(corpus, db)
    with Store(db) as store:
        rows = store.run(
            "SELECT c.claim_id, c.text, v.model, v.codes, v.scale FROM claims c "
            "LEFT JOIN claim_vectors v USING (claim_id) ORDER BY c.claim_id"
        )
        assert rows and all(r[2] == model for r in rows)  # one vector per claim, none missing
        first_id, first_text, _, codes, scale = rows[0]
        stored = dequantise(np.frombuffer(codes, dtype=np.int8)[None, :], np.array([scale]))[0]
        assert float(stored @ default_embedder().embed([first_text])[0]) > 0.99
        # Mark one stored vector (its sign flipped): a rebuilt index must carry the mark.
        flipped = (-np.frombuffer(codes, dtype=np.int8)).astype(np.int8).tobytes()
        store.run("UPDATE claim_vectors SET codes = ? WHERE claim_id = ?", [flipped, first_id])
        assert build_index(store) == len(rows)
        copied = load_vectors(store)
        assert copied is not None and len(copied) == len(rows)
        assert float(copied.lookup([first_id])[first_id] @ stored) < -0.99


def test_claims_stored_without_vectors_are_embedded_by_the_index_update(
    corpus: Path, tmp_path: Path
) -> None:
    """A store ingested without the extra (no `claim_vectors` rows) gets its vectors at the next index
    update, and they agree with the workers' to the precision of the int8 codes."""
    from sourcetrace.corpus.claim_index import build_index, load_vectors, vector_model
    from sourcetrace.corpus.store import Store

    if vector_model() is None:
        pytest.skip("the [semantic] extra is not installed: no claim vectors")
    with Store(corpus, read_only=True) as store:
        from_workers = load_vectors(store)
    assert from_workers is not None
    db = tmp_path / "bare.duckdb"
    shutil.copy(corpus, db)
    with Store(db) as store:
        store.run("DELETE FROM claim_vectors")
        claims = [r[0] for r in store.run("SELECT claim_id FROM claims")]
        assert build_index(store) == len(claims)
        embedded = load_vectors(store)
    assert embedded is not None and len(embedded) == len(claims)
    ours, theirs = embedded.lookup(claims), from_workers.lookup(claims)
    assert min(float(ours[k] @ theirs[k]) for k in claims) > 0.999


def test_store_from_before_the_vector_table_is_indexed_and_traced(corpus: Path, tmp_path: Path) -> None:
    """A store written before `claim_vectors` existed gets its index (and, with the extra, its vectors,
    embedded then) from `corpus index`, which opens it read-only, and answers as before."""
    from sourcetrace.corpus.claim_index import load_vectors, vector_model
    from sourcetrace.corpus.queries import trace
    from sourcetrace.corpus.store import Store

    with Store(corpus, read_only=True) as store:
        expected = trace(store, text=CLAIM)
        claims = store.count("claims")
    db = tmp_path / "old.duckdb"
    shutil.copy(corpus, db)
    with Store(db) as store:
        store.run("DROP TABLE claim_vectors")
    result = invoke("corpus", "index", "--db", db)
    assert result.exit_code == 0, result.stderr
    assert f"indexed {claims} claims" in result.stdout
    with Store(db, read_only=True) as store:
        assert trace(store, text=CLAIM) == expected
        vectors = load_vectors(store)
    assert (vectors is not None and len(vectors) == claims) == (vector_model() is not None)


def test_claim_facts_are_stored_with_the_index_and_equal_fresh_parses(store) -> None:
    """`<db>.claimfacts` holds, for every claim, exactly the facts a parse of its text gives now."""
    from sourcetrace.corpus.claim_index import load_facts
    from sourcetrace.matching.relation import _facts, _nlp

    facts = load_facts(store)
    claims = store.run("SELECT claim_id, text FROM claims")
    assert facts is not None and len(facts) == len(claims)
    for claim_id, text in claims:
        assert facts.get(claim_id) == _facts(_nlp()(text))


def test_trace_by_claim_id_parses_no_stored_claim(store) -> None:
    """With stored facts, a trace by claim id decides its candidates without parsing any of them."""
    from sourcetrace.corpus.queries import trace
    from sourcetrace.matching import relation

    claim_id = dam_claim_id(store, "official")
    texts = {r[0] for r in store.run("SELECT text FROM claims")}
    relation._PARSED.clear()  # the process's parse cache: what this trace parses lands in it
    result = trace(store, claim_id=claim_id)
    assert len(result.reports) > 1
    assert not texts & set(relation._PARSED)


def _without_facts(corpus: Path, db: Path) -> None:
    """Copy the store and its index as an index made before the facts existed: no facts file, and a
    sidecar that does not name them."""
    from sourcetrace.corpus.claim_index import facts_path, meta_path

    shutil.copy(corpus, db)
    for suffix in (".claimindex", ".claimindex.json"):
        shutil.copy(corpus.with_name(corpus.name + suffix), db.with_name(db.name + suffix))
    meta = json.loads(meta_path(db).read_text(encoding="utf-8"))
    del meta["facts"]
    meta_path(db).write_text(json.dumps(meta), encoding="utf-8")
    assert not facts_path(db).exists()


def test_index_without_claim_facts_traces_the_same_and_gets_them_from_corpus_index(
    corpus: Path, tmp_path: Path
) -> None:
    """An index made before the facts were stored: a trace parses its candidates (and does not parse
    the whole store to make the facts) and finds the same reports; `corpus index` adds the facts."""
    from sourcetrace.corpus.claim_index import facts_path, load_facts
    from sourcetrace.corpus.queries import trace
    from sourcetrace.corpus.store import Store

    with Store(corpus, read_only=True) as store:
        claim_id = dam_claim_id(store, "official")
        expected = trace(store, text=CLAIM), trace(store, claim_id=claim_id)
    db = tmp_path / "nofacts.duckdb"
    _without_facts(corpus, db)
    with Store(db, read_only=True) as store:
        assert load_facts(store) is None
        assert (trace(store, text=CLAIM), trace(store, claim_id=claim_id)) == expected
    assert not facts_path(db).exists()
    result = invoke("corpus", "index", "--db", db)
    assert result.exit_code == 0, result.stderr
    with Store(db, read_only=True) as store:
        facts = load_facts(store)
        assert facts is not None and len(facts) == store.count("claims")
        assert (trace(store, text=CLAIM), trace(store, claim_id=claim_id)) == expected


def test_claim_facts_of_another_fingerprint_are_not_used(corpus: Path, tmp_path: Path) -> None:
    """Facts parsed under other word lists or another pipeline are ignored, then remade by ingest's
    index update (here `update_index`, as `corpus ingest` calls it)."""
    from sourcetrace.corpus.claim_index import load_facts, meta_path, update_index
    from sourcetrace.matching.relation import facts_fingerprint

    db = tmp_path / "stale.duckdb"
    _without_facts(corpus, db)
    meta = json.loads(meta_path(db).read_text(encoding="utf-8"))
    meta_path(db).write_text(json.dumps(meta | {"facts": "another"}), encoding="utf-8")
    from sourcetrace.corpus.store import Store

    with Store(db, read_only=True) as store:
        assert load_facts(store) is None
        update_index(store)
        facts = load_facts(store)
    assert facts is not None and facts.fingerprint == facts_fingerprint()


def test_warm_trace_answers_as_the_first_one(corpus: Path, tmp_path: Path) -> None:
    """The first trace of a process reads claims from the database; later ones from the texts and
    documents it then holds in memory. Both give the same result."""
    from sourcetrace.corpus.queries import trace
    from sourcetrace.corpus.store import Store

    db = tmp_path / "warm.duckdb"  # a path this process has not traced yet
    shutil.copy(corpus, db)
    with Store(db, read_only=True) as store:
        claim_id = dam_claim_id(store, "official")
        first = trace(store, claim_id=claim_id)
        assert [trace(store, claim_id=claim_id) for _ in range(2)] == [first, first]


# ----------------------------------------------------------------------------------------- search


def test_search_finds_claims_by_words(store, doc_keys: dict[str, str]) -> None:
    from sourcetrace.corpus.queries import search_claims

    hits = search_claims(store, "Kessler dam cracks eastern wall", limit=50)
    full = [h for h in hits if h.score == 1.0]
    assert {doc_keys[h.doc_id] for h in full} == DAM_KEYS
    assert all(h.score <= 1.0 for h in hits) and hits == sorted(hits, key=lambda h: -h.score)
    ferry = search_claims(store, "ferry", limit=5)
    assert [doc_keys[h.doc_id] for h in ferry] == ["ferry"]
    # Whole words only: "wal" is not found inside "wall".
    assert search_claims(store, "wal", limit=5) == []
    assert len(search_claims(store, "Kessler", limit=2)) == 2


def test_search_treats_sql_and_regex_characters_as_text(store) -> None:
    from sourcetrace.corpus.queries import QueryError, search_claims

    assert search_claims(store, "'; DROP TABLE claims; --", limit=5) == []
    assert search_claims(store, "dam (.*", limit=5)  # the word "dam" still matches
    with pytest.raises(QueryError):
        search_claims(store, "?! ...", limit=5)
    assert store.count("claims") > 0


# --------------------------------------------------------------------------------------- profiles


def _expected_profile(reports: list[dict[str, Any]]) -> dict[str, float]:
    """What an outlet's figures must be, counted from the claims of the stored Report JSON, with the
    definitions of a single report's profile (innermost author = unattributed)."""
    from sourcetrace.schema import UNNAMED_TYPES

    innermost = [c["chain"][-1]["type"] for r in reports for c in r["claims"]]
    claims = len(innermost)
    assert claims == sum(r["profile"]["claims"] for r in reports)
    return {
        "claims": claims,
        "unattributed_share": sum(t == "author" for t in innermost) / claims,
        "anonymous_share": sum(t in UNNAMED_TYPES for t in innermost) / claims,
        "mean_chain_depth": sum(len(c["chain"]) for r in reports for c in r["claims"]) / claims,
    }


def test_outlet_profiles_agree_with_the_stored_reports(store) -> None:
    from sourcetrace.corpus.queries import outlet_profiles

    profiles = {p.outlet: p for p in outlet_profiles(store)}
    by_outlet: dict[str, list[dict[str, Any]]] = {}
    for outlet, report in store.con.execute("SELECT outlet, report FROM documents").fetchall():
        by_outlet.setdefault(outlet, []).append(json.loads(report))
    assert set(profiles) == set(by_outlet)
    for outlet, reports in by_outlet.items():
        profile, expected = profiles[outlet], _expected_profile(reports)
        assert profile.articles == len(reports)
        assert profile.claims == expected["claims"]
        assert profile.unattributed_share == pytest.approx(expected["unattributed_share"], abs=1e-4)
        assert profile.anonymous_share == pytest.approx(expected["anonymous_share"], abs=1e-4)
        assert profile.mean_chain_depth == pytest.approx(expected["mean_chain_depth"], abs=1e-3)
        # No framing rows are stored yet, so no framing figures are invented.
        assert profile.techniques is None and profile.loaded_language_per_1k_words is None
        assert profile.non_english_articles == 0  # the fixtures are English
    assert profiles["Valley Herald"].articles == 3
    assert profiles["Riverside Gazette"].anonymous_share > 0
    assert profiles["Harbour Weekly"].unattributed_share == 1.0
    assert list(profiles)[0] == "Valley Herald"  # most articles first


def test_reliability_comes_from_the_outlet_table(store) -> None:
    from sourcetrace.corpus.queries import outlet_profiles
    from sourcetrace.outlets.table import default_table

    profiles = {p.outlet: p for p in outlet_profiles(store)}
    record = default_table().lookup("apnews.com")
    assert record is not None and record.score is not None
    assert profiles["Associated Press"].reliability == record.score
    assert profiles["Associated Press"].reliability_label == record.label
    assert profiles["Tamsin Post"].reliability is None  # an invented outlet is unrated


def test_framing_rows_give_technique_counts_and_density(corpus: Path, tmp_path: Path) -> None:
    from sourcetrace.corpus.queries import outlet_profiles
    from sourcetrace.corpus.store import Store

    db = tmp_path / "framed.duckdb"
    shutil.copy(corpus, db)
    with Store(db) as store:
        doc_id, words = store.con.execute(
            "SELECT doc_id, words FROM documents WHERE outlet = 'Tamsin Post'"
        ).fetchone()
        store.con.executemany(
            "INSERT INTO framing VALUES (?, ?, ?, ?, ?)",
            [(doc_id, "Loaded_Language", 10, 20, 0.9), (doc_id, "loaded language", 30, 41, 0.8),
             (doc_id, "Doubt", 50, 60, 0.7)],
        )
    with Store(db, read_only=True) as store:
        profiles = {p.outlet: p for p in outlet_profiles(store)}
    tamsin = profiles["Tamsin Post"]
    assert tamsin.techniques == {"doubt": 1, "loaded_language": 2}
    assert tamsin.loaded_language_per_1k_words == pytest.approx(2000 / words, abs=1e-3)
    # Framing was stored for the corpus, so other outlets show zero rather than "unknown".
    orvik = profiles["Orvik Daily"]
    assert orvik.techniques == {} and orvik.loaded_language_per_1k_words == 0


def test_articles_not_in_english_are_counted_per_outlet(corpus: Path, tmp_path: Path) -> None:
    from sourcetrace.corpus.queries import outlet_profiles
    from sourcetrace.corpus.store import Store

    db = tmp_path / "foreign.duckdb"
    shutil.copy(corpus, db)
    with Store(db) as store:
        rows = store.con.execute(
            "SELECT doc_id, report FROM documents WHERE outlet = 'Valley Herald' ORDER BY seq"
        ).fetchall()
        # Two of the outlet's three articles as the analyser records French and unrecognisable text.
        for (doc_id, report), language in zip(rows, ("fr", "und"), strict=False):
            changed = json.loads(report)
            changed["document"]["language"] = language
            store.con.execute(
                "UPDATE documents SET report = ? WHERE doc_id = ?", [json.dumps(changed), doc_id]
            )
    with Store(db, read_only=True) as store:
        profiles = {p.outlet: p for p in outlet_profiles(store)}
    assert profiles["Valley Herald"].non_english_articles == 2
    assert profiles["Harbour Weekly"].non_english_articles == 0
    table = invoke("corpus", "outlets", "--db", db)
    assert table.exit_code == 0 and "not English" in table.output


# -------------------------------------------------------------------------------------------- CLI


def test_cli_trace_table(corpus: Path) -> None:
    result = invoke("corpus", "trace", CLAIM, "--db", corpus)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for outlet in ("Valley Herald", "Riverside Gazette", "Orvik Daily", "Tamsin Post", "Brenholt Times"):
        assert outlet in out
    assert "Orvik Daily › Valley Herald › Helena Varga" in out
    assert "7 outlet(s) carry the claim; first: Valley Herald (2025-03-03)" in out
    assert "3 independent source(s) stand behind it: Helena Varga, Tomas Reyes, Ines Calloway" in out
    assert "1 dispute it" in out
    assert out.index("Valley Herald") < out.index("Riverside Gazette") < out.index("Lakeside Courier")


def test_cli_trace_by_claim_id_as_json(corpus: Path, store) -> None:
    from sourcetrace.corpus.queries import Trace

    anchor = dam_claim_id(store, "relay")
    result = invoke("corpus", "trace", "--claim-id", anchor, "--db", corpus, "--format", "json")
    assert result.exit_code == 0, result.stderr
    parsed = Trace.model_validate_json(result.stdout)
    assert parsed.claim_id == anchor
    assert [r.status for r in parsed.reports] == [status for _, status in EXPECTED_TRACE]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["corpus", "trace", CLAIM, "--db", "{missing}"], "no such corpus store"),
        (["corpus", "outlets", "--db", "{missing}"], "no such corpus store"),
        (["corpus", "export", "--db", "{missing}", "--out", "{tmp}/x"], "no such corpus store"),
        (["corpus", "search", "dam", "--db", "{missing}"], "no such corpus store"),
        (["corpus", "trace", "--db", "{db}"], "one of the two"),
        (["corpus", "trace", CLAIM, "--claim-id", "c_1", "--db", "{db}"], "one of the two"),
        (["corpus", "trace", "--claim-id", "c_nope", "--db", "{db}"], "no claim with id"),
        (["corpus", "trace", "--db", "{notdb}", CLAIM], "not a DuckDB file"),
        (["corpus", "outlets", "--db", "{db}", "-f", "parquet"], "needs -o FILE"),
        (["corpus", "search", "...", "--db", "{db}"], "no words"),
    ],
)
def test_cli_mistakes_are_one_error_line_and_exit_2(
    args: list[str], message: str, corpus: Path, tmp_path: Path
) -> None:
    notdb = tmp_path / "articles.jsonl"
    notdb.write_text('{"text": "x"}\n', encoding="utf-8")
    values = {"missing": tmp_path / "nowhere.duckdb", "db": corpus, "tmp": tmp_path, "notdb": notdb}
    result = invoke(*[a.format(**values) for a in args])
    assert result.exit_code == 2
    lines = error_lines(result)
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], result.stderr


def test_cli_outlets_formats(corpus: Path, store, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from sourcetrace.corpus.queries import outlet_profiles

    expected = [p.model_dump(mode="json") for p in outlet_profiles(store)]
    table = invoke("corpus", "outlets", "--db", corpus)
    assert table.exit_code == 0 and "Valley Herald" in table.stdout and "anonymous-only" in table.stdout
    as_json = invoke("corpus", "outlets", "--db", corpus, "--format", "json")
    assert json.loads(as_json.stdout) == expected
    as_csv = invoke("corpus", "outlets", "--db", corpus, "--format", "csv", "-o", tmp_path / "o.csv")
    assert as_csv.exit_code == 0
    lines = (tmp_path / "o.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("outlet,articles,claims") and len(lines) == len(expected) + 1
    parquet = invoke("corpus", "outlets", "--db", corpus, "-f", "parquet", "-o", tmp_path / "o.parquet")
    assert parquet.exit_code == 0
    rows = pq.read_table(tmp_path / "o.parquet").to_pylist()
    assert [r["outlet"] for r in rows] == [p["outlet"] for p in expected]
    assert [r["articles"] for r in rows] == [p["articles"] for p in expected]


def test_cli_export_writes_parquet_per_table(corpus: Path, store, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "export"
    result = invoke("corpus", "export", "--db", corpus, "--out", out)
    assert result.exit_code == 0, result.stderr
    for table in ("claims", "attributions", "sources", "documents"):
        exported = pq.read_table(out / f"{table}.parquet")
        assert exported.num_rows == store.count(table)
    claims = pq.read_table(out / "claims.parquet")
    assert set(claims.column_names) >= {"claim_id", "doc_id", "text", "chain", "cue", "innermost_type"}
    assert "report" not in pq.read_table(out / "documents.parquet").column_names
    assert not list(out.glob(".*tmp"))


def test_cli_search(corpus: Path) -> None:
    result = invoke("corpus", "search", "ferry crews", "--db", corpus, "--json")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert hits and "Ferry crews" in hits[0]["text"] and hits[0]["outlet"] == "Valley Herald"


def test_a_publication_time_without_zone_is_served_as_the_schema_says() -> None:
    # Stored times carry no zone; the API must not promise an RFC 3339 date-time (which needs one).
    from datetime import datetime

    from sourcetrace.corpus.results import ClaimHit

    hit = ClaimHit(claim_id="c", doc_id="d", text="t", published=datetime(2024, 3, 5, 9, 15), score=1.0)
    assert hit.model_dump(mode="json")["published"] == "2024-03-05T09:15:00"
    schema = ClaimHit.model_json_schema(mode="serialization")["properties"]["published"]
    assert "date-time" not in str(schema)
