"""The chain scorer, on hand-built Reports (no analysis), and the consistency of the gold files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from sourcetrace.eval.chains import (
    GoldError,
    GoldMention,
    details_table,
    load_gold,
    load_gold_file,
    names_match,
    parse_gold,
    score,
    scores_table,
)
from sourcetrace.schema import (
    ChainLink,
    Claim,
    Document,
    HeadlineCheck,
    Hedge,
    Profile,
    Provenance,
    Report,
    Source,
)

ROOT = Path(__file__).resolve().parents[1]
GOLD_DIR = ROOT / "tests" / "gold" / "chains"
DEMO_TXT = ROOT / "examples" / "demo.txt"

HEADLINE = "Council Votes to Shut Quarry"
BODY = (
    "The Brookfield council voted on Tuesday to close the Hale quarry, council leader Mina Sato said.\n\n"
    "A source close to the quarry owners said they would appeal. Sato told reporters that the vote "
    "was final, adding that blasting had damaged homes. Residents say the dust has made children ill."
)
TEXT = f"{HEADLINE}\n\n{BODY}\n"

Hop = tuple[str, str]
PUB: Hop = ("Brookfield Bugle", "outlet")


def gold_dict(**overrides: Any) -> dict[str, Any]:
    gold: dict[str, Any] = {
        "id": "quarry",
        "text": TEXT,
        "meta": {"outlet": "The Brookfield Bugle"},
        "expected_outlet": "The Brookfield Bugle",
        "expected_wire": None,
        "claims": [
            {"anchor": "close the Hale quarry", "chain": [
                {"name": "The Brookfield Bugle", "type": "outlet"},
                {"name": "Mina Sato", "type": "named_person"}]},
            {"anchor": "they would appeal", "chain": [
                {"name": "The Brookfield Bugle", "type": "outlet"},
                {"name": "A source close to the quarry owners", "type": "anonymous"}]},
        ],
        "sources": [
            {"name": "Mina Sato", "type": "named_person", "mentions": ["Mina Sato", "[Sato] told"]},
        ],
    }
    gold.update(overrides)
    return gold


def span(sub: str) -> tuple[int, int]:
    start = BODY.index(sub)
    return start, start + len(sub)


def link(i: int, hop: Hop) -> ChainLink:
    return ChainLink(source_id=f"s{i}-{hop[0]}", name=hop[0], type=hop[1])


def make_claim(content: str, chain: list[Hop], hedges: Sequence[str] = ()) -> Claim:
    start, end = span(content)
    return Claim(
        id=f"c{start}",
        text=content,
        start=start,
        end=end,
        chain=[link(i, h) for i, h in enumerate(chain)],
        hedges=[Hedge(text=h, start=start, end=start + len(h), kind="hedge") for h in hedges],
    )


def make_report(
    claims: list[Claim], sources: Sequence[Source] = (), outlet: str | None = "Brookfield Bugle",
    wire: str | None = None,
) -> Report:
    return Report(
        document=Document(text=BODY, title=HEADLINE, outlet=outlet, wire=wire),
        attributions=[],
        sources=list(sources),
        claims=claims,
        profile=Profile(sources_by_type={}, claims=len(claims), unattributed_share=0.0,
                        unnamed_innermost_share=0.0, deepest_chain=0, distinct_innermost_sources=0),
        headline=HeadlineCheck(text=HEADLINE),
        provenance=Provenance(tool_version="0", pipeline="test", pipeline_version="0", model_hashes={},
                              input_sha256="0" * 64),
    )


def run(report: Report, gold: dict[str, Any] | None = None):
    return score([parse_gold(gold or gold_dict())], lambda text, meta: report)


SATO_CLAIM = "The Brookfield council voted on Tuesday to close the Hale quarry"
APPEAL_CLAIM = "they would appeal"


def test_exact_match_scores_everything_correct() -> None:
    report = make_report([
        make_claim(SATO_CLAIM, [PUB, ("council leader Mina Sato", "named_person")]),
        make_claim(APPEAL_CLAIM, [PUB, ("a source", "anonymous")]),
    ])
    rates = run(report).rates()
    assert rates["claims_found"] == rates["exact_chain"] == 1.0
    assert rates["hop_type_accuracy"] == rates["depth_accuracy"] == rates["innermost_accuracy"] == 1.0
    assert rates["outlet_accuracy"] == rates["wire_accuracy"] == 1.0


def test_type_mismatch_breaks_exact_match_but_keeps_other_hops() -> None:
    report = make_report([
        make_claim(SATO_CLAIM, [PUB, ("Mina Sato", "named_person")]),
        make_claim(APPEAL_CLAIM, [PUB, ("a source", "official_unnamed")]),
    ])
    scores = run(report)
    counts = scores.counts()
    assert counts["claims_found"] == (2, 2)
    assert counts["exact_chain"] == (1, 2)
    assert counts["hop_type_accuracy"] == (3, 4)
    assert counts["depth_accuracy"] == (2, 2)
    assert counts["innermost_accuracy"] == (1, 2)
    assert [c.anchor for c in scores.failures()] == ["they would appeal"]


def test_missing_claim_counts_all_its_gold_hops_as_wrong() -> None:
    # The only predicted claim lies elsewhere in the text, so neither anchor is covered.
    report = make_report([make_claim("the dust has made children ill", [PUB, ("Residents", "collective")])])
    counts = run(report).counts()
    assert counts["claims_found"] == (0, 2)
    assert counts["exact_chain"] == (0, 2)
    assert counts["hop_type_accuracy"] == (0, 4)
    assert counts["depth_accuracy"] == (0, 2)


def test_extra_hop_counts_against_depth_and_hop_accuracy() -> None:
    report = make_report([
        make_claim(
            SATO_CLAIM, [PUB, ("Brookfield council", "named_organization"), ("Mina Sato", "named_person")]
        ),
        make_claim(APPEAL_CLAIM, [PUB, ("a source", "anonymous")]),
    ])
    counts = run(report).counts()
    assert counts["exact_chain"] == (1, 2)
    assert counts["depth_accuracy"] == (1, 2)
    # Position-aligned over max(len): outlet ok, organization != person, extra third hop wrong.
    assert counts["hop_type_accuracy"] == (3, 5)


@pytest.mark.parametrize(
    ("gold", "predicted", "expected"),
    [
        ("Ruth Okafor", "Deputy Minister Ruth Okafor", True),
        ("The Harbour Courier", "harbour courier", True),
        ("Medcorp Services", "Medcorp", True),
        ("An Agency", "agency", True),
        ("Ruth Okafor", "Tomas Verhoeven", False),
        ("Lakeside TV", "", False),
        ("Lakeside TV", None, False),
    ],
)
def test_name_containment_rule(gold: str, predicted: str | None, expected: bool) -> None:
    assert names_match(gold, predicted) is expected


def test_named_hop_with_wrong_name_is_not_exact_but_unnamed_names_are_ignored() -> None:
    report = make_report([
        make_claim(SATO_CLAIM, [PUB, ("Hale Quarry Ltd", "named_person")]),
        make_claim(APPEAL_CLAIM, [PUB, ("people close to the owners", "anonymous")]),
    ])
    scores = run(report)
    assert scores.counts()["exact_chain"] == (1, 2)
    assert scores.counts()["hop_type_accuracy"] == (4, 4)
    assert scores.failures()[0].anchor == "close the Hale quarry"


def test_publisher_name_is_compared() -> None:
    report = make_report([
        make_claim(SATO_CLAIM, [("Quarry Weekly", "outlet"), ("Mina Sato", "named_person")]),
        make_claim(APPEAL_CLAIM, [PUB, ("a source", "anonymous")]),
    ], outlet="Quarry Weekly")
    counts = run(report).counts()
    assert counts["exact_chain"] == (1, 2)
    assert counts["outlet_accuracy"] == (0, 1)


def test_innermost_covering_claim_is_chosen() -> None:
    # A claim for the whole sentence and a narrower nested one both cover the anchor.
    sentence = "A source close to the quarry owners said they would appeal."
    report = make_report([
        make_claim(sentence, [PUB, ("Brookfield Bugle", "author")]),
        make_claim(APPEAL_CLAIM, [PUB, ("a source", "anonymous")]),
        make_claim(SATO_CLAIM, [PUB, ("Mina Sato", "named_person")]),
    ])
    assert run(report).counts()["exact_chain"] == (2, 2)


def test_anchor_is_located_in_document_text_without_headline() -> None:
    # Same relative layout, but the claim offsets are into the body only; the gold text has a headline.
    report = make_report([make_claim(APPEAL_CLAIM, [PUB, ("a source", "anonymous")])])
    result = run(report).claim_results[1]
    assert result.found and result.exact
    assert result.claim_text == APPEAL_CLAIM


def test_source_resolution_checks_type_and_name_of_covering_source() -> None:
    sato_mentions = [span("Mina Sato"), span("Sato told")]
    good = Source(id="s1", name="Mina Sato", type="named_person", mentions=[sato_mentions[0]])
    # The second mention ("Sato" in "Sato told") was resolved to the wrong source.
    wrong = Source(id="s2", name="Hale quarry", type="named_organization", mentions=[sato_mentions[1]])
    report = make_report([], sources=[good, wrong])
    scores = run(report)
    assert scores.counts()["source_resolution"] == (1, 2)
    assert [m.surface for m in scores.mention_results if not m.correct] == ["Sato"]


def test_unresolved_mention_is_wrong() -> None:
    scores = run(make_report([]))
    assert scores.counts()["source_resolution"] == (0, 2)
    assert all(m.note for m in scores.mention_results)


def test_hedge_recall() -> None:
    gold = gold_dict()
    gold["claims"][1]["hedges"] = ["allegedly"]
    report = make_report([make_claim(APPEAL_CLAIM, [PUB, ("a source", "anonymous")], hedges=["Allegedly"])])
    assert run(report, gold).counts()["hedge_recall"] == (1, 1)
    report = make_report([make_claim(APPEAL_CLAIM, [PUB, ("a source", "anonymous")])])
    assert run(report, gold).counts()["hedge_recall"] == (0, 1)


def test_wire_expected_absent_must_be_absent() -> None:
    report = make_report([], wire="Quarry Wire")
    assert run(report).counts()["wire_accuracy"] == (0, 1)


def test_analyze_fn_gets_text_and_meta() -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    def analyze(text: str, meta: dict[str, Any]) -> Report:
        seen.append((text, meta))
        return make_report([])

    score([parse_gold(gold_dict())], analyze)
    assert seen == [(TEXT, {"outlet": "The Brookfield Bugle"})]


def test_tables_render() -> None:
    report = make_report([make_claim(APPEAL_CLAIM, [PUB, ("a source", "official_unnamed")])])
    scores = run(report)
    console = Console(record=True, width=200)
    console.print(scores_table(scores))
    console.print(details_table(scores))
    out = console.export_text()
    assert "exact chain match" in out and "0/2" in out
    assert "close the Hale quarry" in out and "(no claim)" in out
    assert "official_unnamed" in out


# ------------------------------------------------------------------------------------------ gold files


def test_gold_rejects_anchor_that_is_not_unique() -> None:
    gold = gold_dict()
    gold["claims"][0]["anchor"] = "Sato"
    with pytest.raises(GoldError, match="occurs"):
        parse_gold(gold)


def test_gold_rejects_unknown_type_and_missing_mention() -> None:
    gold = gold_dict()
    gold["claims"][0]["chain"][1]["type"] = "spokesperson"
    with pytest.raises(GoldError, match="unknown source type"):
        parse_gold(gold)
    gold = gold_dict()
    gold["sources"][0]["mentions"] = ["[Sato] denied"]
    with pytest.raises(GoldError, match="not found"):
        parse_gold(gold)


def test_bracketed_mention_marks_span_inside_context() -> None:
    mention = GoldMention.parse("coming from,” [he] said")
    assert mention.surface == "he"
    text = 'Nobody knew where it was coming from," he said.'
    start, end = mention.locate(text)  # type: ignore[misc]
    assert text[start:end] == "he" and start == text.index(" he ") + 1
    with pytest.raises(GoldError):
        GoldMention.parse("[a] and [b]")


GOLD = load_gold(GOLD_DIR)


def test_gold_corpus_size() -> None:
    assert len(GOLD) >= 25
    assert sum(len(a.claims) for a in GOLD) >= 100


@pytest.mark.parametrize("article", GOLD, ids=lambda a: a.id)
def test_gold_article_is_consistent(article) -> None:
    words = len(article.text.split())
    if article.id == "demo":
        assert 350 <= words <= 500
        assert DEMO_TXT.read_text(encoding="utf-8") == article.text
    else:
        assert 2 <= len(article.claims) <= 5
        assert 80 <= words <= 200
    headline, blank, _ = article.text.split("\n", 2)
    assert headline and not headline.rstrip().endswith((".", "!", "?")) and blank == ""
    outlet = article.meta.get("outlet") or article.expected_outlet
    assert article.expected_outlet and names_match(article.expected_outlet, outlet)
    for claim in article.claims:
        first, *rest = claim.chain
        assert first.type == "outlet" and names_match(article.expected_outlet, first.name), claim.anchor
        if article.expected_wire:
            assert rest and rest[0].type == "outlet" and names_match(article.expected_wire, rest[0].name)
        assert claim.chain[-1].type != "outlet" or len(claim.chain) > 1, claim.anchor
        # The author, when present, is always the innermost hop.
        assert all(h.type != "author" for h in claim.chain[:-1]), claim.anchor


def test_demo_gold_loads_on_its_own() -> None:
    demo = load_gold_file(GOLD_DIR / "demo.json")
    assert demo.expected_outlet == "The Harbour Courier" and demo.expected_wire == "Meridian Wire"
    assert max(len(c.chain) for c in demo.claims) >= 6
