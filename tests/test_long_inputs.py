"""Inputs longer than the parser takes at once, and longer than the analysis takes at all."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import sourcetrace.analyzer as analyzer_module
from sourcetrace.analyzer import split_for_parser
from sourcetrace.cli import app
from sourcetrace.errors import InputError
from sourcetrace.ingest import document_from_text

PARAGRAPH = (
    "The harbour board said fares would rise next spring. Ada Quist, the board's chair, told the Dale "
    "Herald that the change was overdue. Officials said two ferries would be sold.\n\n"
)


def test_split_for_parser_covers_the_text_at_paragraph_breaks() -> None:
    text = PARAGRAPH * 40
    spans = split_for_parser(text, 1000)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert all(e - s <= 1000 for s, e in spans)
    assert all(text[e - 2 : e] == "\n\n" for _, e in spans[:-1])
    assert split_for_parser("x" * 2500, 1000) == [(0, 1000), (1000, 2000), (2000, 2500)]


def test_a_long_article_is_parsed_in_parts_with_whole_text_offsets(analyzer, monkeypatch) -> None:
    document = document_from_text("Ferry fares\n\n" + PARAGRAPH * 12, outlet="The Dale Herald")
    whole = analyzer.analyze(document)
    monkeypatch.setattr(analyzer_module, "PART_CHARS", 600)
    parts = analyzer.analyze(document)
    assert [c.text for c in parts.claims] == [c.text for c in whole.claims]
    for claim in parts.claims:
        assert parts.document.text[claim.start : claim.end] == claim.text
    assert {tuple(link.name for link in c.chain) for c in parts.claims} == {
        tuple(link.name for link in c.chain) for c in whole.claims
    }


def test_an_article_over_the_limit_is_refused_and_the_rest_analysed(analyzer, monkeypatch) -> None:
    monkeypatch.setattr(analyzer_module, "MAX_TEXT_CHARS", 2000)
    small = document_from_text("Fares\n\n" + PARAGRAPH, path="small.txt")
    huge = document_from_text("Fares\n\n" + PARAGRAPH * 20, path="huge.txt")
    refused: list[str] = []
    reports = list(analyzer.analyze_many([small, huge, small], on_error=lambda d, e: refused.append(str(e))))
    assert len(reports) == 2 and len(refused) == 1 and "huge.txt" in refused[0]
    with pytest.raises(InputError, match="over the analysis limit"):
        list(analyzer.analyze_many([huge]))


def test_cli_batch_keeps_the_reports_it_made(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(analyzer_module, "MAX_TEXT_CHARS", 2000)
    (tmp_path / "a.txt").write_text("Fares\n\n" + PARAGRAPH, encoding="utf-8")
    (tmp_path / "b.txt").write_text("Fares\n\n" + PARAGRAPH * 20, encoding="utf-8")
    (tmp_path / "c.txt").write_text("Ferries\n\n" + PARAGRAPH, encoding="utf-8")
    result = CliRunner().invoke(app, ["analyze", str(tmp_path), "-f", "json"])
    assert result.exit_code == 1
    reports = json.loads(result.stdout)
    assert [r["document"]["path"].rsplit("/", 1)[-1] for r in reports] == ["a.txt", "c.txt"]
    assert "error:" in result.stderr and "b.txt" in result.stderr
    assert "over the analysis limit" in result.stderr


def test_cue_reach_is_bounded_on_an_unbroken_line(analyzer) -> None:
    # One "sentence" of 3,000 words with a speech verb every few words and no full stop: no cue's source
    # or plain (unquoted) content candidates may reach past MAX_REACH tokens, or analysis turns quadratic.
    from sourcetrace.nlp.attribution import features as F

    words = ["the", "minister", "said", "that", "council", "members", "told", "residents", "and"]
    line = " ".join(words[i % len(words)] for i in range(3000))
    with analyzer.nlp.select_pipes(disable=["sourcetrace"]):
        doc = analyzer.nlp(line)
    ix = F.index_doc(doc)
    cues = [i for i in F.cue_candidates(ix) if doc[i].lemma_ in ("say", "tell")]
    assert len(cues) > 500 and ix.unit_end[cues[0]] - ix.unit_start[cues[0]] > 4 * F.MAX_REACH
    for i in cues:
        lo, hi = i - F.MAX_REACH, i + 1 + F.MAX_REACH
        assert all(lo <= j < hi for j, _ in F.source_candidates(i, [i], ix))
        for candidate in F.content_candidates(doc[i], [i], [], ix):
            if candidate.origins <= {"after", "after-clause", "before"}:
                assert lo <= candidate.tokens[0] and candidate.tokens[-1] < hi
