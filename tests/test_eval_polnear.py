"""The PolNeAR scorer on small invented brat-style examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from sourcetrace.eval.polnear import (
    GoldAttribution,
    GoldDoc,
    evaluate,
    load_gold,
    parse_ann,
    score,
    score_doc,
    scores_table,
)
from sourcetrace.nlp.attribution.types import RawAttribution

TEXT = "Harbour deal collapses\n\nThe port authority said talks had failed, a spokeswoman added on Friday."


def span(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def raw(cue: tuple[int, int], content: list[tuple[int, int]], source: tuple[int, int] | None = None):
    return RawAttribution(cue=cue, cue_head=0, content=content, source=source)


SAID = span(TEXT, "said")
SOURCE = span(TEXT, "The port authority")
CONTENT = span(TEXT, "talks had failed")
GOLD = GoldAttribution(cue=(SAID,), source=(SOURCE,), content=(CONTENT,))


def test_perfect_prediction_scores_one_everywhere() -> None:
    s = score_doc([GOLD], [raw(SAID, [CONTENT], SOURCE)])
    for regime in ("exact", "overlap"):
        for role in ("cue", "source", "content"):
            prf = s.get(regime, role)
            assert (prf.tp, prf.pred, prf.gold) == (1, 1, 1), (regime, role)
            assert prf.f1 == 1.0


def test_partial_cue_counts_only_under_overlap() -> None:
    wider = (SAID[0], SAID[1] + len(" talks"))
    s = score_doc([GOLD], [raw(wider, [CONTENT], SOURCE)])
    assert s.overlap["cue"].tp == 1
    assert s.exact["cue"].tp == 0
    # Source and content are still judged on the cue-paired attribution, and are exact here.
    assert s.exact["source"].tp == 1
    assert s.exact["content"].tp == 1


def test_source_is_judged_only_on_a_matched_cue() -> None:
    wrong_cue = span(TEXT, "added")
    s = score_doc([GOLD], [raw(wrong_cue, [CONTENT], SOURCE)])
    assert s.overlap["cue"].tp == 0
    assert s.overlap["source"].tp == 0
    assert s.overlap["content"].tp == 0
    assert s.overlap["source"].pred == 1 and s.overlap["source"].gold == 1


def test_source_overlap_needs_one_shared_character() -> None:
    authority = span(TEXT, "authority")
    spokeswoman = span(TEXT, "a spokeswoman")
    assert score_doc([GOLD], [raw(SAID, [CONTENT], authority)]).overlap["source"].tp == 1
    assert score_doc([GOLD], [raw(SAID, [CONTENT], authority)]).exact["source"].tp == 0
    assert score_doc([GOLD], [raw(SAID, [CONTENT], spokeswoman)]).overlap["source"].tp == 0


def test_content_needs_half_of_the_longer_span() -> None:
    start, end = CONTENT  # 16 characters
    half = raw(SAID, [(start, start + 8)], SOURCE)
    less = raw(SAID, [(start, start + 7)], SOURCE)
    longer = raw(SAID, [(start, end + 17)], SOURCE)  # 33 characters, 16 shared: under half
    assert score_doc([GOLD], [half]).overlap["content"].tp == 1
    assert score_doc([GOLD], [less]).overlap["content"].tp == 0
    assert score_doc([GOLD], [longer]).overlap["content"].tp == 0
    assert score_doc([GOLD], [half]).exact["content"].tp == 0


def test_discontinuous_spans_compare_as_character_sets() -> None:
    text = '"We will rebuild," the minister said, "and we will do it fast."'
    first, second = span(text, "We will rebuild,"), span(text, "and we will do it fast.")
    gold = GoldAttribution(
        cue=(span(text, "said"),), source=(span(text, "the minister"),), content=(first, second)
    )
    pieces = raw(span(text, "said"), [second, first], span(text, "the minister"))
    whole = raw(span(text, "said"), [(first[0], second[1])], span(text, "the minister"))
    s = score_doc([gold], [pieces])
    assert s.exact["content"].tp == 1
    s = score_doc([gold], [whole])
    assert s.exact["content"].tp == 0
    assert s.overlap["content"].tp == 1  # 39 of the 60 characters shared
    # A cue given as touching pieces is the same character set as the merged cue.
    merged = GoldAttribution(cue=((10, 12), (12, 15)), content=((0, 5),))
    assert score_doc([merged], [raw((10, 15), [(0, 5)])]).exact["cue"].tp == 1


def test_duplicate_predictions_match_once() -> None:
    s = score_doc([GOLD], [raw(SAID, [CONTENT], SOURCE), raw(SAID, [CONTENT], SOURCE)])
    cue = s.overlap["cue"]
    assert (cue.tp, cue.pred, cue.gold) == (1, 2, 1)
    assert cue.precision == 0.5 and cue.recall == 1.0


def test_pairing_prefers_the_largest_cue_overlap() -> None:
    gold_a = GoldAttribution(cue=((10, 20),), content=((0, 5),))
    gold_b = GoldAttribution(cue=((18, 30),), content=((40, 50),))
    # The prediction overlaps A by 2 characters and B by 10: it must pair with B, and its content is B's.
    s = score_doc([gold_a, gold_b], [raw((18, 28), [(40, 50)])])
    assert s.overlap["cue"].tp == 1
    assert s.overlap["content"].tp == 1


def test_attribution_without_source_adds_nothing_to_source_counts() -> None:
    gold = GoldAttribution(cue=(SAID,), content=(CONTENT,))
    s = score_doc([gold], [raw(SAID, [CONTENT])])
    assert (s.overlap["source"].pred, s.overlap["source"].gold) == (0, 0)
    assert s.overlap["cue"].tp == 1


ANN = (
    "T1\tSource 24 42\tThe port authority\n"
    "T2\tCue 43 47\tsaid\n"
    "T3\tContent 48 64\ttalks had failed\n"
    "T4\tAttribution 43 47\tsaid\n"
    "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
    "T5\tCue 80 85\tadded\n"
    "T6\tContent 24 47;48 64\tThe port authority said\n"
    "talks had failed\n"
    "T7\tAttribution-no-source 80 85\tadded\n"
    "E2\tAttribution-no-source:T7 Content:T6 Cue:T5\n"
    "#1\tAnnotatorNotes T5\tunsure about this one\n"
    "T8\tAttribution 0 7\tHarbour\n"
    "E3\tAttribution:T8\n"
)


def test_parse_ann_reads_events_discontinuous_spans_and_skips_cueless_events() -> None:
    # The invented annotation's offsets slice the invented text as brat would.
    assert TEXT[24:42] == "The port authority" and TEXT[43:47] == "said"
    assert TEXT[48:64] == "talks had failed" and TEXT[80:85] == "added"
    atts = parse_ann(ANN)
    assert len(atts) == 2
    assert atts[0] == GoldAttribution(cue=((43, 47),), source=((24, 42),), content=((48, 64),))
    assert atts[1].source is None
    assert atts[1].content == ((24, 47), (48, 64))


def write_split(root: Path) -> Path:
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    (root / "text" / "wire_2024-01-05_harbour.txt").write_text(TEXT, encoding="utf-8")
    (root / "attributions" / "wire_2024-01-05_harbour_a111.ann").write_text(ANN, encoding="utf-8")
    # A second annotator that found nothing: the first alphabetically (a111) must be used.
    (root / "attributions" / "wire_2024-01-05_harbour_b222.ann").write_text("", encoding="utf-8")
    (root / "text" / "wire_2024-01-06_empty.txt").write_text(
        "Quiet day\n\nNothing happened.", encoding="utf-8"
    )
    return root


def test_load_gold_uses_the_first_annotator_and_keeps_texts(tmp_path: Path) -> None:
    docs = load_gold(write_split(tmp_path / "dev"))
    assert [d.name for d in docs] == ["wire_2024-01-05_harbour", "wire_2024-01-06_empty"]
    assert docs[0].text == TEXT
    assert len(docs[0].attributions) == 2
    assert docs[1].attributions == []
    # The corpus root is accepted and means its dev split.
    assert [d.name for d in load_gold(tmp_path)] == [d.name for d in docs]
    assert len(load_gold(tmp_path, limit=1)) == 1


def test_load_gold_rejects_a_directory_that_is_not_a_split(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_gold(tmp_path)


def test_evaluate_runs_predictors_on_raw_texts_and_tabulates(tmp_path: Path) -> None:
    root = write_split(tmp_path / "dev")
    seen: list[str] = []

    def perfect(texts: list[str]):
        seen.extend(texts)
        for text in texts:
            if text == TEXT:
                yield [raw(SAID, [CONTENT], SOURCE)]
            else:
                yield []

    def silent(texts: list[str]):
        return [[] for _ in texts]

    results = evaluate(root, {"perfect": perfect, "silent": silent})
    assert seen == [TEXT, "Quiet day\n\nNothing happened."]
    assert results["perfect"].overlap["cue"].recall == 0.5  # the no-source 'added' is missed
    assert results["perfect"].exact["source"].f1 == 1.0
    assert results["silent"].overlap["cue"].f1 == 0.0
    assert results["silent"].docs == 2
    table = scores_table(results)
    assert table.row_count == 6
    assert len(table.columns) == 8


def test_score_requires_one_prediction_list_per_document() -> None:
    docs = [GoldDoc("a", TEXT, [GOLD]), GoldDoc("b", TEXT, [])]
    with pytest.raises(ValueError):
        score(docs, [[]])
