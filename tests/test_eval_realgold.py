"""The real-article gold: the guide's name rules, offsets, the gold format, scoring, and the committed
gold itself (checked against the shared data when it is present)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from conftest import REPO, shared_data

from sourcetrace.eval.realgold.annotation import agreement, render_packet
from sourcetrace.eval.realgold.gold import (
    GoldArticle,
    GoldClaim,
    GoldHeadline,
    Hop,
    from_dict,
    load_gold_dir,
    to_dict,
)
from sourcetrace.eval.realgold.matching import match_claims
from sourcetrace.eval.realgold.names import head_noun, same_source
from sourcetrace.eval.realgold.scoring import score_article
from sourcetrace.eval.realgold.selection import load_selection, region, rejection
from sourcetrace.eval.realgold.shared import ArticleRef, SharedArticle, load_article, text_sha256
from sourcetrace.eval.realgold.textmap import OffsetMap, locate

GOLD = REPO / "tests" / "gold" / "real"


@pytest.mark.parametrize(
    ("gold", "gold_type", "predicted", "predicted_type", "same"),
    [
        ("Nouri Jawad al-Hakim", "named_person", "Hakim", "named_person", True),
        ("al-Hakim", "named_person", "Nouri al-Hakim", "named_person", True),
        ("Lena Marsh", "named_person", "the governor", "named_person", False),
        ("IRNA", "outlet", "Islamic Republic News Agency", "outlet", True),
        ("Tasnim", "outlet", "Tasnim News Agency", "outlet", True),
        ("Foreign Ministry", "named_organization", "Iran's Foreign Ministry", "named_organization", True),
        ("Foreign Ministry", "named_organization", "the ministry", "named_organization", False),
        ("Iran", "named_organization", "Iran Air", "named_organization", False),
        ("sources", "anonymous", "two sources familiar with the talks", "anonymous", True),
        ("a senior official", "official_unnamed", "a spokesman", "official_unnamed", False),
        ("the latest data released by the ministry", "document", "data", "document", True),
        ("", "author", "Jane Roe", "author", True),
        ("IRNA", "outlet", "IRNA", "named_organization", False),
    ],
)
def test_names_by_the_guide(
    gold: str, gold_type: str, predicted: str, predicted_type: str, same: bool
) -> None:
    assert same_source(gold, gold_type, predicted, predicted_type) is same


def test_head_nouns_of_unnamed_mentions() -> None:
    assert head_noun("two sources familiar with the talks") == "source"
    assert head_noun("residents who saw the convoy") == "resident"
    assert head_noun("some") == "some"


def test_locate_tolerates_hand_copying_and_offsets_follow_edits() -> None:
    raw = "Intro line.\n\nThe minister\u2019s   plan \u201cworks\u201d, he said. It works again."
    start, end = locate(raw, "the minister's plan \"works\"", None) or (0, 0)
    assert raw[start:end] == "minister\u2019s   plan \u201cworks\u201d" or raw[start:end].endswith("\u201d")
    assert locate(raw, "It works again.", None, occurrence=1) is not None
    assert locate(raw, "not in the text", None) is None
    cleaned = raw.strip().replace("\u2019", "'")
    mapping = OffsetMap(raw, cleaned)
    plan = raw.index("plan")
    assert cleaned[mapping(plan) : mapping(plan) + 4] == "plan"


def test_claims_match_one_to_one_by_overlap() -> None:
    gold = [(0, 10), (12, 30)]
    predicted = [(0, 30), (13, 29)]
    assert match_claims(gold, predicted) == {1: 1, 0: 0}
    assert match_claims([(0, 5)], [(6, 9)]) == {}


def _article(text: str) -> SharedArticle:
    ref = ArticleRef("tehran_times", "1")
    return SharedArticle(ref, "text", text, "Dam to reopen in May", "The Dale Herald")


def test_gold_round_trips_and_scores_a_real_analysis(analyzer) -> None:
    from sourcetrace.eval.realgold.scoring import document_for

    text = (
        "The Kessel dam will reopen in May, the water authority said on Monday. "
        "Engineer Marta Lindqvist told Valley TV that the repairs cost twice the estimate. "
        "The dam supplies 40,000 households."
    )
    article = _article(text)

    def span(fragment: str) -> tuple[int, int]:
        start = text.index(fragment)
        return start, start + len(fragment)

    publisher = Hop("The Dale Herald", "outlet")
    claims = (
        GoldClaim(
            *span("The Kessel dam will reopen in May"),
            (publisher, Hop("water authority", "named_organization")),
        ),
        GoldClaim(*span("the repairs cost twice the estimate"),
                  (publisher, Hop("Valley TV", "outlet"), Hop("Marta Lindqvist", "named_person"))),
        GoldClaim(*span("The dam supplies 40,000 households"), (publisher, Hop("", "author"))),
    )
    gold = GoldArticle(article.ref, "text", article.sha256, "tune", (0, len(text)), "The Dale Herald", True,
                       claims, GoldHeadline(True, (0, 10), False), ("A", "B"))
    assert from_dict(json.loads(json.dumps(to_dict(gold)))) == gold
    report = analyzer.analyze(document_for(article, with_outlet=True))
    result = score_article(gold, article, report)
    assert [c.found for c in result.claims] == [True, True, True]
    assert [c.exact() for c in result.claims] == [True, True, True], [c.predicted for c in result.claims]
    assert result.predicted_in_region == 3


def test_agreement_counts_matched_claims_and_exact_chains() -> None:
    text = "A. B."
    ref = ArticleRef("tehran_times", "2")
    chain = (Hop("The Dale Herald", "outlet"), Hop("", "author"))
    other = (Hop("The Dale Herald", "outlet"), Hop("a source", "anonymous"))
    a = GoldArticle(ref, "text", text_sha256(text), "tune", (0, 5), "x", True,
                    (GoldClaim(0, 2, chain), GoldClaim(3, 5, chain)), None)
    b = GoldArticle(ref, "text", text_sha256(text), "tune", (0, 5), "x", True,
                    (GoldClaim(0, 2, chain), GoldClaim(3, 5, other)), None)
    result = agreement([a], [b])
    assert (result.matched, result.exact, result.claim_f1) == (2, 1, 1.0)


def test_selection_rules_and_regions() -> None:
    short = SharedArticle(ArticleRef("tehran_times", "3"), "text", "Too short, he said.", "T", "O")
    assert rejection(short) == "length"
    doubled = "The minister said the new bridge will open in the spring of next year. " * 12
    doubled_article = SharedArticle(ArticleRef("tehran_times", "4"), "text", doubled, "T", "O")
    assert rejection(doubled_article) == "repeated sentences"
    prose = " ".join(f"Sentence number {i} says that the council met again on Monday." for i in range(60))
    article = SharedArticle(ArticleRef("tehran_times", "5"), "text", prose, "T", "O")
    start, end = region(article, random.Random(1))
    assert 1600 <= end - start <= 2000 and prose[start] == "S"
    assert "Region to annotate" in render_packet(article, load_selection_entry(start, end))


def load_selection_entry(start: int, end: int):
    from sourcetrace.eval.realgold.selection import Selected

    return Selected(ArticleRef("tehran_times", "5"), "tune", (start, end), "")


# ------------------------------------------------------------------- the committed gold, on real data


def test_committed_selection_is_stratified_and_locks_a_third() -> None:
    selection = load_selection(GOLD / "selection.json")
    assert len(selection) >= 60
    by_folder: dict[str, list] = {}
    for item in selection:
        by_folder.setdefault(item.ref.folder, []).append(item)
    assert len(by_folder["tehran_times"]) >= 20
    for items in by_folder.values():
        locked = sum(i.split == "locked" for i in items)
        assert round(len(items) / 3) == locked


#: The committed sets, with the least each must hold (articles, claims).
GOLD_SETS = pytest.mark.parametrize(
    ("gold_dir", "articles", "claims"),
    [(GOLD, 60, 400), (GOLD.parent / "real2", 36, 400), (GOLD.parent / "real3", 24, 250),
     (GOLD.parent / "real4", 24, 200), (GOLD.parent / "real5", 18, 150),
     (GOLD.parent / "real6", 18, 150)],
    ids=["real", "real2", "real3", "real4", "real5", "real6"],
)


@GOLD_SETS
def test_committed_gold_matches_the_shared_text(gold_dir: Path, articles: int, claims: int) -> None:
    data = shared_data("tehran_times").parent
    golds = load_gold_dir(gold_dir / "articles")
    assert len(golds) >= articles and sum(len(g.claims) for g in golds) >= claims
    reserved = (data / "RESERVED.txt").read_text().split()
    for gold in golds:
        article = gold.article(data)  # raises when the text changed since the gold was made
        assert gold.ref.reserved_path not in reserved
        for claim in gold.claims:
            assert gold.region[0] <= claim.start < claim.end <= gold.region[1]
            assert claim.chain[0].type == "outlet" and claim.chain[0].name == article.outlet
        assert not any(len(h.name) > 120 for c in gold.claims for h in c.chain)  # labels, no copied text


@GOLD_SETS
def test_gold_holds_no_article_text(gold_dir: Path, articles: int, claims: int) -> None:
    paths = sorted((gold_dir / "articles").glob("*.json"))
    assert len(paths) >= articles
    for path in paths:
        raw = json.loads(path.read_text())
        assert "text" not in raw and all("text" not in c for c in raw["claims"])


@GOLD_SETS
def test_every_gold_article_is_the_selected_one(gold_dir: Path, articles: int, claims: int) -> None:
    data = shared_data("tehran_times").parent
    selection = {s.ref.id: s for s in load_selection(gold_dir / "selection.json")}
    for gold in load_gold_dir(gold_dir / "articles"):
        chosen = selection[gold.ref.id]
        assert (gold.split, gold.region, gold.sha256) == (chosen.split, chosen.region, chosen.sha256)
        assert load_article(data, gold.ref).sha256 == gold.sha256


@pytest.mark.parametrize(
    ("name", "earlier_sets", "size"),
    [
        ("real2", ("real",), 36),
        ("real3", ("real", "real2"), 24),
        ("real4", ("real", "real2", "real3"), 24),
        ("real5", ("real", "real2", "real3", "real4"), 18),
        ("real6", ("real", "real2", "real3", "real4", "real5"), 18),
    ],
)
def test_each_set_draws_no_article_of_the_earlier_ones(
    name: str, earlier_sets: tuple[str, ...], size: int
) -> None:
    from sourcetrace.eval.realgold.selection import earlier_ids

    earlier: set[str] = set()
    for earlier_name in earlier_sets:
        earlier |= set(earlier_ids(GOLD.parent / earlier_name / "selection.json"))
    drawn = load_selection(GOLD.parent / name / "selection.json")
    assert len(drawn) == size and not earlier & {s.ref.id for s in drawn}
    raw = json.loads((GOLD.parent / name / "selection.json").read_text(encoding="utf-8"))
    assert raw["excluded_earlier_sets"] == len(earlier)
