"""`sourcetrace corpus ingest`: readers, store contents, idempotence, resume after kill -9, errors.

Every article here is invented for these tests. The Dask runs are in test_corpus_dask.py.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sourcetrace.cli import app

REPO = Path(__file__).resolve().parents[1]
SOURCETRACE = str(Path(sys.executable).with_name("sourcetrace"))

TOWNS = ["Harlow Bay", "Eastmere", "Port Calder", "Windham Falls", "Lorne", "Ashby Cross"]
OFFICIALS = [
    ("Marta Quill", "the regional water authority"),
    ("Daniel Okafor", "the county health board"),
    ("Priya Raman", "the harbour commission"),
    ("Tomas Lindqvist", "the state transport agency"),
    ("Grace Whitfield", "the city council"),
]
STORIES = [
    (
        "Reservoir levels fall",
        "{town} -- Reservoir levels in {town} fell to {n} percent this week, {name} of {org} said on "
        "Monday. \"We are asking every household to cut its use by a fifth,\" {name} told reporters. "
        "Two engineers, who spoke on condition of anonymity, said the main pipe had been leaking for "
        "months. According to a report seen by the Courier, repairs could cost {n} million dollars.",
    ),
    (
        "Clinic hours extended",
        "Clinics in {town} will stay open until {n} pm from next month, {org} announced on Tuesday. "
        "{name}, who chairs {org}, said waiting lists had doubled since spring. \"People cannot get "
        "an appointment before work,\" {name} said. A nurse at one clinic said staff had not been "
        "consulted. Officials said the change would be reviewed after {n} weeks.",
    ),
    (
        "Ferry service suspended",
        "The ferry linking {town} to the mainland was suspended on Wednesday after a hull inspection, "
        "{name} of {org} said. \"Safety comes first, and the vessel will not sail until it is "
        "repaired,\" {name} said in a statement. Passengers said they had been given no warning. "
        "The operator said about {n} crossings a week would be replaced by buses.",
    ),
    (
        "Bridge repairs delayed",
        "Repairs to the old bridge in {town} have been delayed by {n} weeks, {org} said on Thursday. "
        "{name} told the council that steel deliveries had not arrived. Residents said the detour "
        "added half an hour to their commute. \"We were promised it would reopen before winter,\" one "
        "shop owner said. A spokesman for the contractor declined to comment.",
    ),
]


def article_text(index: int) -> tuple[str, str]:
    """The index-th invented article (title, body): a story template filled with distinct details."""
    title, body = STORIES[index % len(STORIES)]
    name, org = OFFICIALS[index % len(OFFICIALS)]
    town = TOWNS[index % len(TOWNS)]
    text = body.format(town=town, name=name, org=org, n=12 + index)
    return f"{title} in {town}", text


def write_articles(folder: Path, count: int) -> Path:
    """`count` distinct .txt articles (headline on the first line) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        title, text = article_text(i)
        (folder / f"{i:03d}.txt").write_text(f"{title}\n\n{text}\n", encoding="utf-8")
    return folder


def ingest(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["corpus", "ingest", *map(str, args)])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
            for t in ("documents", "claims", "sources", "attributions", "errors")
        }


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def summary(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_articles(tmp_path_factory.mktemp("news"), 6)


def test_ingest_folder_fills_every_table(folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.duckdb"
    code, out, err = ingest(folder, "--db", db, "--json")
    assert code == 0, err
    assert summary(out)["stored"] == 6
    c = counts(db)
    assert c["documents"] == 6 and c["errors"] == 0
    assert c["claims"] > 6 and c["sources"] > 6 and c["attributions"] > 6
    # text_sha256 is the report's input hash; doc_id joins it to where the text came from.
    from sourcetrace.corpus.copies import document_id

    rows = query(db, "SELECT doc_id, report->>'$.provenance.input_sha256', seq, source, text_sha256, "
                     "source_key FROM documents ORDER BY seq")
    assert all(text == sha and doc_id == document_id(key, sha) for doc_id, sha, _, _, text, key in rows)
    assert all(key.startswith(("path:", "outlet:")) for *_, key in rows)  # no URL in a folder of files
    assert [r[2] for r in rows] == list(range(1, 7))
    assert rows[0][3].endswith("000.txt")
    # A named official is recognisable across articles by name|affiliation.
    keys = {r[0] for r in query(db, "SELECT source_key FROM sources WHERE type = 'named_person'")}
    assert "marta quill|" in keys  # no affiliation was parsed from "of the ... authority"
    assert query(db, "SELECT count(*) FROM sources WHERE type IN ('named_person', 'named_organization') AND "
                     "source_key <> lower(name) || '|' || lower(coalesce(affiliation, ''))") == [(0,)]
    unnamed = "SELECT count(*) FROM sources WHERE type = 'anonymous' AND source_key IS NOT NULL"
    assert query(db, unnamed) == [(0,)]
    # A claim row carries its report's chain, and its depth is the chain's length.
    report = json.loads(query(db, "SELECT report FROM documents WHERE seq = 1")[0][0])
    stored = dict(query(db, f"SELECT claim_id, chain FROM claims WHERE doc_id = '{rows[0][0]}'"))
    assert set(stored) == {c["id"] for c in report["claims"]}
    for claim in report["claims"]:
        names = [link["name"] for link in json.loads(stored[claim["id"]])]
        assert names == [link["name"] for link in claim["chain"]]
    for chain, depth in query(db, "SELECT chain, depth FROM claims"):
        assert len(json.loads(chain)) == depth
    assert query(db, "SELECT count(*) FROM claims WHERE cue = 'said'")[0][0] > 0


def test_reingest_adds_nothing(folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.duckdb"
    assert ingest(folder, "--db", db)[0] == 0
    before = counts(db)
    code, out, _ = ingest(folder, folder, "--db", db, "--json")
    assert code == 0
    s = summary(out)
    assert (s["stored"], s["duplicates"], s["errors"], s["recovered"]) == (0, 12, 0, 0)
    assert counts(db) == before


def test_same_text_from_another_source_is_a_stored_copy(tmp_path: Path) -> None:
    """Files without URL or outlet are told apart by path: the same text in a second file is a copy,
    stored and grouped with the first; the same file read twice in one run is a duplicate."""
    news = write_articles(tmp_path / "news", 3)
    (news / "copy.txt").write_text((news / "001.txt").read_text(encoding="utf-8"), encoding="utf-8")
    db = tmp_path / "c.duckdb"
    code, out, _ = ingest(news, news / "001.txt", "--db", db, "--json", "--batch-size", "2")
    assert code == 0
    assert (summary(out)["stored"], summary(out)["duplicates"]) == (4, 1)
    groups = query(db, "SELECT coalesce(copy_group, doc_id), count(*), max(copy_reason) FROM documents "
                       "GROUP BY 1 HAVING count(*) > 1")
    assert [(n, reason) for _, n, reason in groups] == [(2, "exact")]


def test_tables_with_column_mapping(tmp_path: Path) -> None:
    records = []
    for i in range(4):
        title, text = article_text(i)
        records.append({"body": text, "headline": title, "site": "The Courier",
                        "pubdate": f"2024-03-0{i + 1}", "link": f"https://courier.example/{i}"})
    jsonl = tmp_path / "feed.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in records[:2]) + "\n", encoding="utf-8")
    csv_path = tmp_path / "feed.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(records[0]))
        writer.writeheader()
        writer.writerow(records[2])
    parquet = tmp_path / "feed.parquet"
    pq.write_table(pa.Table.from_pylist(records[3:]), parquet)
    db = tmp_path / "c.duckdb"
    flags = ["--text-col", "body", "--title-col", "headline", "--outlet-col", "site",
             "--date-col", "pubdate", "--url-col", "link"]
    code, out, err = ingest(jsonl, csv_path, parquet, "--db", db, *flags, "--json")
    assert code == 0, err
    assert summary(out)["stored"] == 4
    rows = query(db, "SELECT outlet, domain, title, published, source FROM documents ORDER BY seq")
    assert [r[0] for r in rows] == ["The Courier"] * 4
    assert [r[1] for r in rows] == ["courier.example"] * 4
    assert rows[0][2] == records[0]["headline"]
    assert [str(r[3].date()) for r in rows] == [f"2024-03-0{i}" for i in range(1, 5)]
    assert rows[0][4] == f"{jsonl}:1" and rows[2][4] == f"{csv_path}#row1" and rows[3][4] == f"{parquet}#row1"


def test_jsonl_columns_come_from_every_record_not_only_the_first(tmp_path: Path) -> None:
    # Feeds leave optional fields out: a first record without a date must not drop later dates.
    (title0, text0), (title1, text1) = article_text(0), article_text(1)
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"text": text0, "title": title0}) + "\n"
        + json.dumps({"text": text1, "title": title1, "published": "2024-05-06", "outlet": "Delta Post"})
        + "\n",
        encoding="utf-8",
    )
    db = tmp_path / "c.duckdb"
    code, out, err = ingest(feed, "--db", db, "--json")
    assert code == 0, err
    rows = query(db, "SELECT published, outlet FROM documents ORDER BY seq")
    assert rows[0][0] is None
    assert str(rows[1][0].date()) == "2024-05-06" and rows[1][1] == "Delta Post"


def test_table_with_default_columns_and_bad_records(tmp_path: Path) -> None:
    title, text = article_text(0)
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"text": text, "title": title}) + "\n{not json\n" + json.dumps({"text": ""}) + "\n",
        encoding="utf-8",
    )
    db = tmp_path / "c.duckdb"
    code, out, _ = ingest(feed, "--db", db, "--json")
    assert code == 1  # some inputs failed, the rest went in
    assert summary(out)["stored"] == 1 and summary(out)["errors"] == 2
    errors = dict(query(db, "SELECT source, reason FROM errors"))
    assert set(errors) == {f"{feed}:2", f"{feed}:3"}
    assert "invalid JSON" in errors[f"{feed}:2"]


def test_bad_column_name_is_one_error_line(tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text("headline,body\nA,Some text here\n", encoding="utf-8")
    db = tmp_path / "c.duckdb"
    code, out, err = ingest(feed, "--db", db, "--text-col", "content")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "'content'" in lines[0]
    assert "headline, body" in lines[0]
    assert not db.exists()  # nothing was started
    code, _, err = ingest(feed, "--db", db)  # no 'text' column and no --text-col
    assert code == 2 and "--text-col" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{tmp}/nowhere", "--db", "{tmp}/c.duckdb"], "no such file or directory"),
        (["{news}", "--db", "{tmp}/missing/dir/c.duckdb"], "no such directory"),
        (["{news}", "--db", "{tmp}"], "is a directory"),
        (["{news}", "--db", "{tmp}/c.duckdb", "--workers", "0"], "--workers"),
        (["{news}", "--db", "{tmp}/c.duckdb", "--workers", "1", "--scheduler", "tcp://x:1"], "either"),
        (["{news}", "--db", "{tmp}/c.duckdb", "--reader", "nosuch"], "unknown reader"),
        (["{news}", "--db", "{tmp}/c.duckdb", "--reader", "no_such_module_x:read"], "cannot import"),
        (["{news}", "--db", "{tmp}/not_a_db.duckdb"], "cannot open the corpus store"),
    ],
)
def test_set_up_mistakes_exit_2_with_one_line(args: list[str], message: str, folder: Path,
                                              tmp_path: Path) -> None:
    (tmp_path / "not_a_db.duckdb").write_bytes(b"this is not a duckdb file at all" * 200)
    filled = [a.replace("{tmp}", str(tmp_path)).replace("{news}", str(folder)) for a in args]
    code, _, err = ingest(*filled)
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("error:"), err
    assert message in lines[0]


def test_corrupt_inputs_are_recorded_and_skipped(tmp_path: Path) -> None:
    news = write_articles(tmp_path / "news", 3)
    (news / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (news / "empty.html").write_text("<html><body><nav>Home</nav></body></html>", encoding="utf-8")
    db = tmp_path / "c.duckdb"
    code, out, _ = ingest(news, "--db", db, "--json")
    assert code == 1
    assert summary(out)["stored"] == 3 and summary(out)["errors"] == 2
    reasons = dict(query(db, "SELECT source, reason FROM errors"))
    assert set(reasons) == {str(news / "binary.txt"), str(news / "empty.html")}
    # Re-running records nothing twice.
    ingest(news, "--db", db)
    assert counts(db)["errors"] == 2


ARTICLE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<article><author>{author}</author><mainText>{text}</mainText><portal>{portal}</portal>
<title>{title}</title><uri>https://{portal}.example/{slug}</uri></article>
"""


def test_buzzfeed_reader_and_a_corrupt_file(tmp_path: Path) -> None:
    corpus = tmp_path / "bf"
    (corpus / "articles").mkdir(parents=True)
    for i in range(3):
        title, text = article_text(i)
        (corpus / "articles" / f"{i:04d}.xml").write_text(
            ARTICLE_XML.format(author="Lena Brook", text=text, portal="ledger", title=title, slug=i),
            encoding="utf-8",
        )
    (corpus / "articles" / "0003.xml").write_text("<article><mainText>cut off", encoding="utf-8")
    db = tmp_path / "c.duckdb"
    code, out, _ = ingest(corpus, "--db", db, "--json")
    assert code == 1
    assert summary(out)["stored"] == 3 and summary(out)["errors"] == 1
    rows = query(db, "SELECT outlet, domain, title FROM documents ORDER BY seq")
    assert rows[0] == ("ledger", "ledger.example", article_text(0)[0])
    assert query(db, "SELECT source FROM errors") == [(str(corpus / "articles" / "0003.xml"),)]


def _warc(path: Path, pages: list[tuple[str, bytes, str]], gzip: bool = True) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=gzip)
        for url, body, content_type in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))


def _page(title: str, text: str) -> bytes:
    paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in text.split(". ") if s.strip())
    return (f"<html><head><title>{title}</title><meta property='og:site_name' content='Valley Post'>"
            f"</head><body><article><h1>{title}</h1>{paragraphs}</article></body></html>").encode()


def test_warc_reader(tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    pages = [(f"https://valleypost.example/{i}", _page(*article_text(i)), "text/html; charset=utf-8")
             for i in range(2)]
    pages.append(("https://valleypost.example/logo.png", b"\x89PNG....", "image/png"))
    pages.append(("https://valleypost.example/menu", b"<html><body><nav>Menu</nav></body></html>",
                  "text/html"))
    _warc(warc, pages)
    broken = tmp_path / "broken.warc"
    broken.write_bytes(b"WARC/1.0\r\nthis is not a warc record\r\n" * 3)
    garbage = tmp_path / "garbage.warc.gz"
    garbage.write_bytes(b"\x00\x01 not an archive " * 50)
    db = tmp_path / "c.duckdb"
    code, out, _ = ingest(warc, broken, garbage, "--db", db, "--json")
    assert code == 1
    assert summary(out)["stored"] == 2 and summary(out)["errors"] == 3  # the menu page, two bad files
    rows = query(db, "SELECT domain, url FROM documents ORDER BY seq")
    assert rows == [("valleypost.example", f"https://valleypost.example/{i}") for i in range(2)]
    reasons = dict(query(db, "SELECT source, reason FROM errors"))
    assert set(reasons) == {str(broken), str(garbage), f"{warc}#record4"}
    assert "no article text" in reasons[f"{warc}#record4"]


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_truncated_warc_keeps_whole_records_and_records_the_cut(tmp_path: Path, gzip: bool) -> None:
    # A crawl cut off by a full disk or an interrupted copy: warcio stops quietly at the cut, so the
    # lost tail must show up in the errors table, and the whole records before it must be stored.
    whole = tmp_path / "whole.warc"
    pages = [(f"https://valleypost.example/{i}", _page(*article_text(i)), "text/html; charset=utf-8")
             for i in range(3)]
    _warc(whole, pages, gzip=gzip)
    data = whole.read_bytes()
    warc = tmp_path / ("cut.warc.gz" if gzip else "cut.warc")
    warc.write_bytes(data[: len(data) * 3 // 4])  # inside the third record
    db = tmp_path / "c.duckdb"
    code, out, _ = ingest(warc, "--db", db, "--json")
    assert code == 1
    assert summary(out)["stored"] == 2
    reasons = dict(query(db, "SELECT source, reason FROM errors"))
    assert "archive is truncated" in reasons[str(warc)]
    # The uncut archive reads whole, with no truncation reported.
    code, out, _ = ingest(whole, "--db", tmp_path / "w.duckdb", "--json")
    assert code == 0 and summary(out)["stored"] == 3


READER_MODULE = '''
from sourcetrace.ingest import document_from_text


def read_pipe_file(path, options):
    """One article per line: outlet|text."""
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        outlet, _, text = line.partition("|")
        yield document_from_text(text, outlet=outlet, path=f"{path}:{lineno}")
'''


def test_custom_reader_by_module_function(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my_newsroom_reader.py").write_text(READER_MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    feed = tmp_path / "wire.psv"
    lines = [f"Harbour Times|{article_text(i)[1]}" for i in range(2)]
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "c.duckdb"
    code, out, err = ingest(feed, "--db", db, "--reader", "my_newsroom_reader:read_pipe_file", "--json")
    assert code == 0, err
    assert summary(out)["stored"] == 2
    assert query(db, "SELECT DISTINCT outlet FROM documents") == [("Harbour Times",)]


def test_custom_reader_from_an_installed_entry_point(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A package registers a reader under `sourcetrace.corpus_readers`; `--reader NAME` finds it."""
    (tmp_path / "acme_readers.py").write_text(READER_MODULE, encoding="utf-8")
    dist = tmp_path / "acme_readers-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-readers\nVersion: 1.0\n")
    entry = "[sourcetrace.corpus_readers]\nacme = acme_readers:read_pipe_file\n"
    (dist / "entry_points.txt").write_text(entry, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    feed = tmp_path / "wire.psv"
    feed.write_text(f"Coast Herald|{article_text(3)[1]}\n", encoding="utf-8")
    db = tmp_path / "c.duckdb"
    code, out, err = ingest(feed, "--db", db, "--reader", "acme", "--json")
    assert code == 0, err
    assert query(db, "SELECT outlet, source FROM documents") == [("Coast Herald", f"{feed}:1")]


def test_partition_staged_before_a_crash_is_loaded_on_resume(tmp_path: Path) -> None:
    """A run that died after a worker staged a batch, before the writer loaded it, loses nothing."""
    from sourcetrace.corpus.copies import stored_as
    from sourcetrace.corpus.staging import staging_dir
    from sourcetrace.corpus.worker import Item, analyze_batch
    from sourcetrace.ingest import read_path

    news = write_articles(tmp_path / "news", 4)
    db = tmp_path / "c.duckdb"
    staging = staging_dir(db)
    staging.mkdir()
    documents = read_path(news)[:2]
    items = [Item(stored_as(d, d.path or ""), i + 1, d.path or "", d) for i, d in enumerate(documents)]
    result = analyze_batch(items, str(staging))
    assert result.payload is None and (staging / result.name).is_dir()
    (staging / ".tmp-half-written").mkdir()  # a worker killed mid-write leaves only a hidden folder

    code, out, _ = ingest(news, "--db", db, "--json")
    assert code == 0
    assert summary(out)["recovered"] == 2 and summary(out)["stored"] == 2
    assert summary(out)["duplicates"] == 2  # the recovered two, read again from the folder
    assert counts(db)["documents"] == 4
    assert not staging.exists()  # loaded partitions are deleted, then the empty folder
    assert query(db, "SELECT count(*), count(DISTINCT seq) FROM documents") == [(4, 4)]


def test_worker_without_the_staging_folder_sends_the_partition(tmp_path: Path) -> None:
    """A remote worker with no shared filesystem returns Parquet bytes; the driver stages them."""
    from sourcetrace.corpus.copies import stored_as
    from sourcetrace.corpus.staging import load_partition, write_partition
    from sourcetrace.corpus.store import Store
    from sourcetrace.corpus.worker import Item, analyze_batch
    from sourcetrace.ingest import read_path

    documents = read_path(write_articles(tmp_path / "news", 2))
    items = [Item(stored_as(d, d.path or ""), i + 1, d.path or "", d) for i, d in enumerate(documents)]
    result = analyze_batch(items, str(tmp_path / "not-on-this-machine"))
    assert result.payload is not None and set(result.payload) >= {"documents", "claims"}
    with Store(tmp_path / "c.duckdb") as store:
        store.create_schema()
        partition = write_partition(tmp_path / "staging", result.name, result.payload)
        assert load_partition(store, partition) == (2, 0)
        assert store.count("documents") == 2 and store.count("claims") > 0


def _read_until_progress(proc: subprocess.Popen[str], deadline: float) -> str:
    assert proc.stderr is not None
    seen = []
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if line.startswith("ingest:"):
            return line
    raise AssertionError(f"no progress line from ingest; stderr so far: {''.join(seen)[-2000:]}")


def test_kill_9_mid_run_then_resume_matches_a_clean_run(tmp_path: Path) -> None:
    news = write_articles(tmp_path / "news", 24)
    clean = tmp_path / "clean.duckdb"
    assert ingest(news, "--db", clean, "--batch-size", "2")[0] == 0

    db = tmp_path / "killed.duckdb"
    proc = subprocess.Popen(
        [SOURCETRACE, "corpus", "ingest", str(news), "--db", str(db), "--batch-size", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
    )
    try:
        # The first progress line is printed after the first batch is loaded; kill right then.
        _read_until_progress(proc, time.monotonic() + 300)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    stored_before = counts(db)["documents"]
    assert 0 < stored_before < 24, f"the kill did not land mid-run ({stored_before} of 24 stored)"

    code, out, _ = ingest(news, "--db", db, "--batch-size", "2", "--json")
    assert code == 0
    assert summary(out)["stored"] + summary(out)["recovered"] == 24 - stored_before
    assert counts(db) == counts(clean)
    ids = "SELECT doc_id FROM documents ORDER BY doc_id"
    assert query(db, ids) == query(clean, ids)
    for table, key in (("claims", "claim_id"), ("sources", "doc_id, source_id"),
                       ("attributions", "doc_id, attribution_id")):
        total, distinct = query(db, f"SELECT count(*), count(DISTINCT ({key})) FROM {table}")[0]
        assert total == distinct, f"duplicate rows in {table}"
    assert query(db, "SELECT count(DISTINCT seq) FROM documents") == [(24,)]


def test_a_named_eyewitness_is_keyed_and_an_unnamed_one_is_not() -> None:
    from sourcetrace.corpus.store import source_key

    assert source_key("Tomas Reyes", None, "eyewitness") == "tomas reyes|"
    assert source_key("residents who saw the convoy", None, "eyewitness") is None
    assert source_key("Two Witnesses", None, "eyewitness") is None
    assert source_key("Witnesses", None, "eyewitness") is None  # opening a sentence, capitalised
    assert source_key("a person familiar with the talks", None, "anonymous") is None
