# ruff: noqa: E501 - one pair per line reads best
"""The contradiction model and the polarity lexicon, on sentences written for these tests."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from sourcetrace.errors import ModelError
from sourcetrace.matching import contradiction, polarity
from sourcetrace.matching.relation import _antonym_flip, _nlp, explain_pairs, facts_of
from sourcetrace.training.contradiction import negated, with_antonym

CLAIM = "A farmer in Ohio grew a pumpkin weighing a tonne."


@pytest.mark.parametrize("headline", [
    "State fair judges say the giant pumpkin photo was never real",
    "Giant Ohio pumpkin photo exposed as a fake, judges say",
    "Ohio pumpkin record claim is false, agriculture office says",
])
def test_debunking_headline_contradicts_though_the_matcher_sees_another_claim(headline: str) -> None:
    # Too few shared words for the matcher to call these the same claim; the model reads the denial.
    [explained] = explain_pairs([(CLAIM, headline)])
    assert (explained.relation, explained.reason) == ("contradicts", "model")


@pytest.mark.parametrize("other", [
    "Giant pumpkin wins first prize at the Ohio state fair",  # related, no denial
    "Storm closes ski resorts across the Alps, no injuries reported",  # a negation, unrelated
])
def test_no_denial_or_no_shared_topic_is_not_contradiction(other: str) -> None:
    assert explain_pairs([(CLAIM, other)])[0].relation != "contradicts"


def test_answer_no_does_not_cancel_the_negation_after_it() -> None:
    [explained] = explain_pairs([(CLAIM, "No, a farmer in Ohio did not grow a pumpkin weighing a tonne.")])
    assert explained.relation == "contradicts"


def test_features_are_symmetric() -> None:
    a, b = CLAIM, "Giant Ohio pumpkin photo exposed as a fake, judges say"
    from sourcetrace.matching.model import LEXICAL, default_matcher

    facts = facts_of([a, b])
    lexical = default_matcher(LEXICAL)
    rows = []
    for x, y in ((a, b), (b, a)):
        fx, fy = facts[x], facts[y]
        similarity, _ = lexical.scores([(fx.neutral, fy.neutral)])
        rows.append(contradiction.pair_features(
            [(fx, fy)], lexical.features([(x, y)]), similarity, [_antonym_flip(fx, fy)]
        ))
    np.testing.assert_allclose(rows[0], rows[1])


def test_model_built_for_other_features_is_refused(tmp_path: Path) -> None:
    model = contradiction.load_contradiction_model()
    fewer = dataclasses.replace(model, features=model.features[:-1])
    fewer.save(tmp_path, contradiction.MODEL_FILE)
    with pytest.raises(ModelError, match="other features"):
        contradiction.load_contradiction_model(tmp_path)
    with pytest.raises(ModelError, match="not found"):
        contradiction.load_contradiction_model(tmp_path / "absent")
    (tmp_path / "damaged").mkdir()
    (tmp_path / "damaged" / contradiction.MODEL_FILE).write_bytes(b"not an archive")
    with pytest.raises(ModelError, match="corrupt"):
        contradiction.load_contradiction_model(tmp_path / "damaged")


@pytest.mark.parametrize(("sentence", "expected"), [
    ("The harbour bridge will reopen in spring.", "The harbour bridge will not reopen in spring."),
    ("The council approved the plan on Monday.", "The council did not approve the plan on Monday."),
    ("The ferry is not running today.", "The ferry is running today."),
    ("The mayor wasn't told.", None),  # no clean positive spelling of a contracted negation
])
def test_rule_negation_of_a_sentence(sentence: str, expected: str | None) -> None:
    assert negated(_nlp()(sentence)) == expected


def test_rule_antonym_of_a_sentence() -> None:
    swapped = with_antonym(_nlp()("Officials say the water is safe."))
    assert swapped is not None and swapped != "Officials say the water is safe."
    assert explain_pairs([("Officials say the water is safe.", swapped)])[0].relation == "contradicts"


def test_polarity_lexicon_serves_every_reader() -> None:
    assert {"not", "never", "no"} <= polarity.negators()
    assert {"refuse", "deny", "reject"} <= polarity.refusals()
    assert {"hoax", "false"} <= polarity.falsehoods()
    cues = polarity.dispute_cue_forms()
    assert {"denied", "denies", "rebutted", "refuting", "contested", "derided"} <= cues
    assert "refused" not in cues  # refusing to do something is not disputing a statement
    assert "contest" not in polarity.refusals()  # `contested the seat` does not negate the claim
