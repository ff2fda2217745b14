"""`sourcetrace eval matching` parts on the real gold (skipped without ../shared/data/matching).

The full evaluation (all 240 Emergent claims against all headlines, and the semantic configuration)
takes minutes; these tests run the same functions on the whole of MRPC (torch-free) and on a slice of
Emergent, and check the scores against the baseline rather than against fixed numbers.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import shared_data

from sourcetrace.eval import matching as ev
from sourcetrace.matching.data import EMERGENT_FILE, MRPC_FILE, read_emergent, read_mrpc
from sourcetrace.matching.model import LEXICAL, load_matcher


@pytest.fixture(scope="module")
def data():
    return shared_data("matching")


def test_average_precision_by_hand() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.1])
    relevant = np.array([True, False, True, False])
    assert ev.average_precision(scores, relevant) == pytest.approx((1 / 1 + 2 / 3) / 2)
    # A tie between a relevant and an irrelevant item counts against the relevant one.
    assert ev.average_precision(np.array([0.5, 0.5]), np.array([True, False])) == pytest.approx(0.5)


def test_readers_match_the_data_readme(data) -> None:
    mrpc = read_mrpc(data / MRPC_FILE)
    assert len(mrpc.pairs) == 4076 and sum(mrpc.labels) == 2753
    rows = read_emergent(data / EMERGENT_FILE)
    assert len(rows) == 2071
    gold = ev.emergent_gold(rows)
    assert len(gold.claims) == 240
    assert sum(len(a) for a in gold.against) > 0


def test_readers_reject_a_wrong_file(data, tmp_path) -> None:
    from sourcetrace.errors import InputError

    with pytest.raises(InputError):
        read_mrpc(data / EMERGENT_FILE)
    with pytest.raises(InputError):
        read_emergent(data / MRPC_FILE)
    with pytest.raises(InputError):
        read_mrpc(tmp_path / "absent.txt")


def test_lexical_ranking_and_candidate_recall_on_an_emergent_slice(data) -> None:
    gold = ev.emergent_gold(read_emergent(data / EMERGENT_FILE))
    claims = list(range(0, len(gold.claims), 8))  # every 8th claim against all 2,000+ headlines
    sliced = ev.EmergentGold([gold.claims[c] for c in claims], gold.headlines,
                             [gold.own[c] for c in claims], [gold.against[c] for c in claims])
    shape = (len(claims), len(gold.headlines))
    grid = ev._pairs_grid(sliced.claims, sliced.headlines)
    matcher = load_matcher(LEXICAL)
    # Scores are `make eval`'s business (they are tuning figures, not behaviour); here the ranking code
    # runs on real data and yields mean average precisions.
    model_map, model_against = ev.emergent_maps(sliced, matcher.similarity(grid).reshape(shape))
    assert 0.0 <= model_map <= 1.0 and 0.0 <= model_against <= 1.0

    pairs = [(i, h) for i in range(len(claims)) for h in sorted(sliced.own[i])]
    row = ev.candidate_recall("emergent slice", sliced.claims, sliced.headlines, pairs, [True] * len(pairs))
    assert row.gold == len(pairs)
    # Candidate generation must prune: far fewer candidates than headlines.
    assert row.mean_candidates < 0.1 * len(gold.headlines)
