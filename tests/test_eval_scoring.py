"""The one count-based precision / recall / F1 that the PTC, PolNeAR and GAP scorers share."""

from __future__ import annotations

import pytest

from sourcetrace.eval import scoring
from sourcetrace.eval.gap import GapScores
from sourcetrace.eval.polnear import PRF as PolnearPRF
from sourcetrace.eval.ptc import PRF as PtcPRF


def test_prf_from_counts() -> None:
    assert scoring.prf(3, 4, 6) == (0.75, 0.5, pytest.approx(0.6))
    assert scoring.prf(1.5, 2, 3) == (0.75, 0.5, pytest.approx(0.6))  # partial-overlap credit
    assert scoring.prf(0, 5, 2) == (0.0, 0.0, 0.0)
    assert scoring.prf(0, 0, 0) == (0.0, 0.0, 0.0)  # nothing predicted, nothing gold
    assert scoring.f1(0.0, 0.0) == 0.0


def test_scorers_use_it() -> None:
    expected = scoring.prf(3, 4, 6)
    polnear = PolnearPRF(tp=3, pred=4, gold=6)
    assert (polnear.precision, polnear.recall, polnear.f1) == expected
    ptc = PtcPRF.from_counts(3, 1, 3)
    assert (ptc.precision, ptc.recall, ptc.f1, ptc.support) == (*expected, 6)
    gap = GapScores()
    for gold, predicted, n in ((True, True, 3), (False, True, 1), (True, False, 3)):
        for _ in range(n):
            gap.add(False, gold, predicted)
    assert gap.prf() == gap.prf("masculine") == expected and gap.prf("feminine") == (0.0, 0.0, 0.0)
