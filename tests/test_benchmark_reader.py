"""The throughput benchmark's corpus reader and a tiny end-to-end run, on invented XML articles."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]

ARTICLE_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<article>
    <author>{author}</author>
    <hyperlink href="https://example.org/council"><end>20</end><start>4</start></hyperlink>
    <mainText>{text}</mainText>
    <orientation>mainstream</orientation>
    <paragraph><end>40</end><start>0</start></paragraph>
    <portal>{portal}</portal>
    <title>{title}</title>
    <uri>https://example.org/{slug}</uri>
    <veracity>mostly true</veracity>
</article>
"""


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("throughput", REPO / "benchmarks" / "throughput.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["throughput"] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def throughput() -> ModuleType:
    return _load()


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    articles = tmp_path / "articles"
    articles.mkdir()
    rows = [
        ("0000", "Nadia Ferro", "The council approved the budget on Monday, the mayor said.", "ledger",
         "Budget passes", "budget"),
        ("0001", "", "", "ledger", "Empty page", "empty"),
        ("0002", "", "Officials said the river &amp; canal paths would reopen in May.", "courier",
         "Paths to reopen", "paths"),
        ("0003", "Ivo Brandt", "Two ferries were cancelled after a storm, the operator said.", "courier",
         "Ferries cancelled", "ferries"),
    ]
    for name, author, text, portal, title, slug in rows:
        (articles / f"{name}.xml").write_text(
            ARTICLE_XML.format(author=author, text=text, portal=portal, title=title, slug=slug),
            encoding="utf-8",
        )
    return tmp_path


def test_reader_reads_text_and_metadata_and_skips_empty(throughput: ModuleType, corpus: Path) -> None:
    articles = list(throughput.read_buzzfeed(corpus))
    assert [a.name for a in articles] == ["0000.xml", "0002.xml", "0003.xml"]
    first = articles[0]
    assert first.title == "Budget passes"
    assert first.portal == "ledger"
    assert first.author == "Nadia Ferro"
    assert first.url == "https://example.org/budget"
    assert first.text.startswith("The council approved")
    assert articles[1].author is None
    assert "river & canal" in articles[1].text  # XML entities decoded


def test_reader_limit_counts_articles_with_text(throughput: ModuleType, corpus: Path) -> None:
    assert [a.name for a in throughput.read_buzzfeed(corpus, limit=2)] == ["0000.xml", "0002.xml"]


def test_benchmark_runs_end_to_end(throughput: ModuleType, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "results" / "throughput.json"
    assert throughput.main(["--data", str(corpus), "--out", str(out), "--warmup", "1"]) == 0
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["settings"]["articles"] == 3
    assert [r["articles"] for r in results["runs"]] == [3, 3]
    # (a) must time the base spaCy model only: ours are switched off, the parser stays on.
    assert "sourcetrace" in results["sourcetrace_components"]
    assert "parser" not in results["sourcetrace_components"]
    assert "parser" in results["pipeline_components"]
    assert results["rss_mb"]["peak_self"] > 0


def test_benchmark_without_data_is_a_clear_error(throughput: ModuleType, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert throughput.main(["--data", str(tmp_path / "nowhere")]) == 2
    assert "not found" in capsys.readouterr().err
