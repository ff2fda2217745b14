"""Propaganda-technique spans: where an article uses one of the 14 SemEval-2020 Task 11 techniques.

Two linear stages, trained on the Propaganda Techniques Corpus train split by
`python -m sourcetrace.training.framing` (see models/framing/MODEL_CARD.md):

1. **Span identification.** A token model (logistic loss) scores every token for lying inside a
   propaganda span, from hashed lexical context (lowercased words at -2..+2, word bigrams, shape,
   prefix, suffix, fine-grained tags at -1..+1). A sentence model (hashed TF-IDF of word 1-2-grams
   and of character 2-5-grams within words, plus the sentence's log length; logistic regression)
   scores each sentence for containing any. A token's evidence is the
   geometric mean of the two; a sentence whose best token reaches `threshold_sentence` yields one
   span from its first to its last token at or above `threshold_token`. Both thresholds maximise
   the task's partial-overlap F1 on out-of-fold predictions over train.
2. **Technique classification.** Multinomial logistic regression over hashed TF-IDF blocks of the
   span (word 1-2-grams, character 2-5-grams), of its sentence (word 1-2-grams), and a few hand
   features (length, how often the span's text recurs in the article, quotes, '!'); the sentence
   block's and hand features' weights and C are chosen by cross-validation over train articles.

Everything is vectorised per document or batch: token features come from `Doc.to_array` hashes
combined in numpy (no per-token Python dicts), so the cost is a few array operations per article.
No corpus text is stored: only hashed column indices, idf values and weights.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.feature_extraction.text import HashingVectorizer
from spacy.attrs import IDX, ORTH

from sourcetrace.encoders.hashing import CachedHashingVectorizer
from sourcetrace.modelfile import model_path, open_npz_model, package_path, write_npz_model
from sourcetrace.nlp.attribution.types import doc_text, sentence_tokens, token_strings
from sourcetrace.nlp.framing.labels import TECHNIQUES, technique_label
from sourcetrace.nlp.loader import load_tagger_pipeline

__all__ = ["TECHNIQUES", "DetectedSpan", "FramingModel", "technique_label"]

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from sourcetrace.nlp.framing.semantic import SemanticSpans

MODEL_DIR = package_path("models", "framing")
MODEL_FILE = "framing.npz"
FORMAT_VERSION = 2
N_TOKEN_FEATURES = 2**20
N_TEXT_FEATURES = 2**18
REBUILD = "run `make models` to rebuild it"

_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"\w+")
# Odd 64-bit multiplier (Fibonacci hashing): spreads spaCy's attribute hashes over the columns.
_MIX = np.uint64(0x9E3779B97F4A7C15)


# ------------------------------------------------------------------------------------ token features


def _mix(values: np.ndarray, slot: int) -> np.ndarray:
    """Column of a (feature template `slot`, attribute hash) pair; uint64 arithmetic wraps by design."""
    with np.errstate(over="ignore"):
        mixed = (values * _MIX + np.uint64(slot * 7919)) >> np.uint64(20)
    return (mixed % np.uint64(N_TOKEN_FEATURES)).astype(np.int64)


def token_columns(doc: Doc) -> np.ndarray:
    """(len(doc), k) hashed feature columns of every token; one row per token, k templates."""
    from spacy.attrs import LOWER, PREFIX, SHAPE, SUFFIX, TAG

    n = len(doc)
    attrs = doc.to_array([LOWER, SHAPE, TAG, SUFFIX, PREFIX]).astype(np.uint64).reshape(n, 5)
    pad = np.zeros(3, dtype=np.uint64)
    low = np.concatenate([pad + np.uint64(1), attrs[:, 0], pad + np.uint64(2)])
    tag = np.concatenate([pad + np.uint64(3), attrs[:, 2], pad + np.uint64(4)])
    with np.errstate(over="ignore"):
        templates = [low[3 + off : 3 + off + n] for off in (-2, -1, 0, 1, 2)]
        templates.append(low[2 : 2 + n] * np.uint64(31) + low[3 : 3 + n])
        templates.append(low[3 : 3 + n] * np.uint64(31) + low[4 : 4 + n])
        templates += [attrs[:, 1], attrs[:, 3], attrs[:, 4]]
        templates += [tag[3 + off : 3 + off + n] for off in (-1, 0, 1)]
        templates.append(tag[2 : 2 + n] * np.uint64(31) + tag[3 : 3 + n] + tag[4 : 4 + n] * np.uint64(17))
    return np.stack([_mix(v, slot + 1) for slot, v in enumerate(templates)], axis=1)


def token_matrix(docs: Sequence[Doc]) -> sparse.csr_matrix:
    """Binary token x feature matrix of many docs (rows in order), for training."""
    cols = np.concatenate([token_columns(d) for d in docs]) if docs else np.zeros((0, 1), np.int64)
    n, k = cols.shape
    x = sparse.csr_matrix(
        (np.ones(n * k, dtype=np.float32), cols.ravel(), np.arange(0, n * k + 1, k)),
        shape=(n, N_TOKEN_FEATURES),
    )
    x.sum_duplicates()
    x.data[:] = 1.0
    return x


def sentence_index(doc: Doc) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Sentence number of every token and each sentence's (first, end) token.

    spaCy's sentences when the pipeline set them; otherwise a new sentence after every newline
    (the corpus has one sentence per line).
    """
    n = len(doc)
    if n and doc.has_annotation("SENT_START"):
        bounds = sentence_tokens(doc)
    else:
        bounds = []
        start = 0
        for tok in doc:
            if "\n" in tok.text or "\n" in tok.whitespace_:
                bounds.append((start, tok.i + 1))
                start = tok.i + 1
        if start < n:
            bounds.append((start, n))
    ids = np.zeros(n, dtype=np.int64)
    for k, (s, e) in enumerate(bounds):
        ids[s:e] = k
    return ids, bounds


def sentence_texts(doc: Doc, bounds: Sequence[tuple[int, int]]) -> list[str]:
    # Slices of the cached text: `Span.text` would build a Token object per token.
    text = doc_text(doc)
    idx = doc.to_array([IDX]).ravel().tolist()
    ends = [i + len(t) for i, t in zip(idx, token_strings(doc, ORTH), strict=True)]
    return [text[idx[s] : ends[e - 1]] for s, e in bounds]


# ------------------------------------------------------------------------------------- text features


def normalize_text(text: str) -> str:
    return _DIGIT.sub("0", text.lower())


@functools.cache
def word_hasher() -> CachedHashingVectorizer:
    return CachedHashingVectorizer(HashingVectorizer(
        n_features=N_TEXT_FEATURES, ngram_range=(1, 2), alternate_sign=False, norm=None,
        preprocessor=normalize_text, dtype=np.float32,
    ))


@functools.cache
def char_hasher() -> CachedHashingVectorizer:
    return CachedHashingVectorizer(HashingVectorizer(
        n_features=N_TEXT_FEATURES, analyzer="char_wb", ngram_range=(2, 5), alternate_sign=False,
        norm=None, preprocessor=normalize_text, dtype=np.float32,
    ))


def sentence_length(sentences: Sequence[str]) -> np.ndarray:
    """(n, 1) log word count, centred and scaled to sit beside L2-normalised TF-IDF rows.

    TF-IDF rows are length-free, yet a long sentence is likelier to hold a technique span.
    """
    words = np.array([len(s.split()) for s in sentences], dtype=np.float32)
    return ((np.log1p(words) - 2.5) * 0.5)[:, None]


def sentence_matrix(
    words: sparse.csr_matrix,
    chars: sparse.csr_matrix,
    length: np.ndarray,
    word_idf: np.ndarray,
    char_idf: np.ndarray,
) -> sparse.csr_matrix:
    """Sentence model input from hashed counts: word TF-IDF | character TF-IDF | log length.

    An idf of 0 drops a column (not kept at training).
    """
    return sparse.hstack(
        [tfidf(words, word_idf), tfidf(chars, char_idf), sparse.csr_matrix(length)], format="csr"
    )


def sentence_features(
    sentences: Sequence[str], word_idf: np.ndarray, char_idf: np.ndarray
) -> sparse.csr_matrix:
    """`sentence_matrix` of raw sentence texts."""
    words = word_hasher().transform(sentences)
    chars = char_hasher().transform(sentences)
    return sentence_matrix(words, chars, sentence_length(sentences), word_idf, char_idf)


def tfidf(counts: sparse.csr_matrix, idf: np.ndarray, weight: float = 1.0) -> sparse.csr_matrix:
    """Sublinear tf x idf on the kept columns, rows L2-normalised, times the block weight."""
    x = counts.tocsr().astype(np.float32)
    x.data = (1.0 + np.log(x.data)) * idf[x.indices]
    x.eliminate_zeros()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0.0] = 1.0
    return sparse.diags((weight / norms).astype(np.float32)) @ x


def idf_weights(counts: sparse.csr_matrix, min_df: int) -> np.ndarray:
    """Smoothed idf (as scikit-learn computes it); columns in fewer than min_df rows get 0 (dropped)."""
    df = np.bincount(counts.tocsr().indices, minlength=counts.shape[1])
    n = counts.shape[0]
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    idf[df < min_df] = 0.0
    return idf.astype(np.float32)


N_HAND = 10


@functools.lru_cache(maxsize=4)
def _lowered(article: str) -> str:
    # Called for every span of an article: lowering a long article once, not once per span (a str
    # caches its hash, and the lookup checks identity first, so a hit costs nothing per character).
    return article.lower()


def hand_features(article: str, start: int, end: int, context: str) -> list[float]:
    """Cues TF-IDF cannot see: span length, repetition in the article, quotes, '!' and '?'."""
    span = article[start:end]
    low = span.lower().strip()
    article_low = _lowered(article)
    # Repetition is a technique of its own: the same phrase recurring across the article.
    repeats = article_low.count(low) if low else 0
    words = _WORD.findall(low)
    word_repeats = float(np.mean([article_low.count(w) > 1 for w in words])) if words else 0.0
    return [
        float(np.log1p(len(span))),
        float(np.log1p(len(words))),
        float(np.log1p(max(repeats - 1, 0))),
        float(repeats > 1),
        word_repeats,
        float("!" in span),
        float("?" in span),
        float('"' in span or "\u201c" in span or "\u201d" in span),
        sum(c.isupper() for c in span) / max(len(span), 1),
        len(span) / max(len(context), 1),
    ]


# ----------------------------------------------------------------------------------------- the model


@dataclass(frozen=True, slots=True)
class DetectedSpan:
    """One technique span: character offsets into the text analysed, the technique, a 0..1 score."""

    technique: str
    start: int
    end: int
    text: str
    score: float


@dataclass(slots=True)
class TextBlock:
    """A hashed TF-IDF block of the technique classifier, restricted to its kept columns."""

    name: str  # "span_words", "span_chars" or "context_words"
    weight: float
    cols: np.ndarray  # kept hashed columns, sorted
    idf: np.ndarray  # idf of the kept columns
    coef: np.ndarray  # (len(cols), n_classes)

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        hasher = char_hasher() if self.name == "span_chars" else word_hasher()
        counts = hasher.transform(texts).tocsr()[:, self.cols]
        return tfidf(counts, self.idf, self.weight)


class FramingModel:
    """Finds propaganda-technique spans in parsed docs or plain texts."""

    def __init__(
        self,
        *,
        token_cols: np.ndarray,
        token_coef: np.ndarray,
        token_bias: float,
        sentence_idf: np.ndarray,
        sentence_coef: np.ndarray,
        sentence_bias: float,
        sentence_char_idf: np.ndarray,
        sentence_char_coef: np.ndarray,
        sentence_length_coef: float,
        blocks: Sequence[TextBlock],
        hand_mean: np.ndarray,
        hand_scale: np.ndarray,
        hand_coef: np.ndarray,
        hand_weight: float,
        class_bias: np.ndarray,
        classes: Sequence[str],
        threshold_sentence: float,
        threshold_token: float,
        meta: dict[str, Any] | None = None,
        nlp: Language | None = None,
    ) -> None:
        # Token weights live in a dense vector so scoring is one fancy-index and a row sum.
        self.token_weights = np.zeros(N_TOKEN_FEATURES, dtype=np.float32)
        self.token_weights[token_cols] = token_coef
        self.token_cols = np.asarray(token_cols, dtype=np.int64)
        self.token_bias = float(token_bias)
        self.sentence_idf = sentence_idf.astype(np.float32)
        self.sentence_coef = sentence_coef.astype(np.float32)
        self.sentence_bias = float(sentence_bias)
        self.sentence_char_idf = sentence_char_idf.astype(np.float32)
        self.sentence_char_coef = sentence_char_coef.astype(np.float32)
        self.sentence_length_coef = float(sentence_length_coef)
        # One coefficient vector over the stacked blocks of `sentence_features`.
        self._sentence_weights = np.concatenate([
            self.sentence_coef, self.sentence_char_coef, [np.float32(self.sentence_length_coef)]
        ])
        self.blocks = list(blocks)
        self.hand_mean = hand_mean
        self.hand_scale = hand_scale
        self.hand_coef = hand_coef
        self.hand_weight = hand_weight
        self.class_bias = class_bias
        self.classes = list(classes)
        self.threshold_sentence = threshold_sentence
        self.threshold_token = threshold_token
        self.meta = meta or {}
        self._nlp = nlp
        # Set by `sourcetrace.nlp.framing.semantic.load_model`: a MiniLM span finder that replaces the
        # linear one below (technique labels stay this model's).
        self.semantic: SemanticSpans | None = None

    # ------------------------------------------------------------------------ span identification

    def token_probabilities(self, doc: Doc) -> np.ndarray:
        if len(doc) == 0:
            return np.zeros(0)
        margins = self.token_weights[token_columns(doc)].sum(axis=1) + self.token_bias
        return expit(margins)

    def sentence_probabilities(self, sentences: Sequence[str]) -> np.ndarray:
        if not sentences:
            return np.zeros(0)
        x = sentence_features(sentences, self.sentence_idf, self.sentence_char_idf)
        return expit(x @ self._sentence_weights + self.sentence_bias)

    def find_spans(self, doc: Doc) -> list[tuple[int, int, float]]:
        """Technique-free spans (char start, char end, confidence) of one doc."""
        return self.find_spans_many([doc])[0]

    def find_spans_many(self, docs: Sequence[Doc]) -> list[list[tuple[int, int, float]]]:
        """`find_spans` of several docs, their sentences scored in one call (its cost is mostly fixed).

        Only sentences that could yield a span are scored: evidence is sqrt(p_token * p_sentence) and
        p_sentence <= 1, so a sentence whose best token is below `threshold_sentence` squared cannot
        reach the threshold, whatever the sentence model says (about 30% of news sentences).
        """
        if self.semantic is not None:
            return self.semantic.find_spans_many(self, docs)
        floor = self.threshold_sentence**2
        todo: list[tuple[Doc, np.ndarray, np.ndarray, list[tuple[int, int]], np.ndarray]] = []
        sentences: list[str] = []
        for doc in docs:
            if not len(doc):
                continue
            sent_of, bounds = sentence_index(doc)
            p_token = self.token_probabilities(doc)
            best = np.zeros(len(bounds))
            np.maximum.at(best, sent_of, p_token)
            scored = np.flatnonzero(best >= floor)
            sentences.extend(sentence_texts(doc, [bounds[k] for k in scored]))
            todo.append((doc, p_token, sent_of, bounds, scored))
        p_scored = self.sentence_probabilities(sentences)
        found: dict[int, list[tuple[int, int, float]]] = {}
        offset = 0
        for doc, p_token, sent_of, bounds, scored in todo:
            p_sent = np.zeros(len(bounds))
            p_sent[scored] = p_scored[offset : offset + len(scored)]
            offset += len(scored)
            found[id(doc)] = decode(
                doc, p_token, p_sent[sent_of], bounds, self.threshold_sentence, self.threshold_token
            )
        return [found.get(id(doc), []) for doc in docs]

    # --------------------------------------------------------------------- technique classification

    def technique_probabilities(
        self, articles: Sequence[str], spans: Sequence[tuple[int, int]], contexts: Sequence[str]
    ) -> np.ndarray:
        """(n_spans, n_classes) probabilities; span i is articles[i][start:end] within contexts[i]."""
        if not spans:
            return np.zeros((0, len(self.classes)))
        texts = [a[s:e] for a, (s, e) in zip(articles, spans, strict=True)]
        margins = np.tile(self.class_bias, (len(texts), 1)).astype(np.float64)
        for block in self.blocks:
            source = contexts if block.name == "context_words" else texts
            margins += block.features(source) @ block.coef
        hand = np.array(
            [hand_features(a, s, e, c) for a, (s, e), c in zip(articles, spans, contexts, strict=True)]
        )
        margins += ((hand - self.hand_mean) / self.hand_scale * self.hand_weight) @ self.hand_coef
        margins -= margins.max(axis=1, keepdims=True)
        expd = np.exp(margins)
        return expd / expd.sum(axis=1, keepdims=True)

    def rank_techniques(
        self, articles: Mapping[str, str], keys: Sequence[tuple[str, int, int]]
    ) -> list[list[str]]:
        """For (article id, start, end) spans of plain articles: techniques, most probable first.

        The context is the span's line (the corpus has one sentence per line).
        """
        texts = [articles[a] for a, _, _ in keys]
        spans = [(s, e) for _, s, e in keys]
        contexts = [line_context(t, s, e) for t, (s, e) in zip(texts, spans, strict=True)]
        probs = self.technique_probabilities(texts, spans, contexts)
        return [[self.classes[j] for j in row.argsort()[::-1]] for row in probs]

    # ------------------------------------------------------------------------------------- public

    def detect_docs(self, docs: Sequence[Doc]) -> list[list[DetectedSpan]]:
        """Technique spans of each parsed doc; the technique classifier runs once for the batch."""
        found = self.find_spans_many(docs)
        articles: list[str] = []
        spans: list[tuple[int, int]] = []
        contexts: list[str] = []
        texts = [doc_text(doc) for doc in docs]
        for doc, text, doc_spans in zip(docs, texts, found, strict=True):
            for start, end, _ in doc_spans:
                articles.append(text)
                spans.append((start, end))
                contexts.append(doc_context(doc, text, start, end))
        probs = self.technique_probabilities(articles, spans, contexts)
        out: list[list[DetectedSpan]] = []
        row = 0
        for text, doc_spans in zip(texts, found, strict=True):
            items = []
            for start, end, confidence in doc_spans:
                best = int(probs[row].argmax())
                items.append(
                    DetectedSpan(
                        technique=self.classes[best],
                        start=start,
                        end=end,
                        text=text[start:end],
                        score=round(float(confidence * probs[row, best]), 3),
                    )
                )
                row += 1
            out.append(items)
        return out

    def detect_texts(self, texts: Sequence[str]) -> list[list[DetectedSpan]]:
        """Technique spans of plain texts, tagged with this model's spaCy pipeline first."""
        docs = list(self.nlp.pipe(list(texts), batch_size=16))
        return self.detect_docs(docs)

    @property
    def nlp(self) -> Language:
        return self._nlp if self._nlp is not None else load_tagger_pipeline()

    # -------------------------------------------------------------------------------- persistence

    def save(self, directory: Path) -> Path:
        arrays: dict[str, np.ndarray] = {
            "token_cols": self.token_cols.astype(np.int32),
            # float16 halves the file; the weights are small and smooth, scoring is unchanged to 1e-3.
            "token_coef": self.token_weights[self.token_cols].astype(np.float16),
            "sentence_cols": np.flatnonzero(self.sentence_idf).astype(np.int32),
            "hand_mean": self.hand_mean.astype(np.float32),
            "hand_scale": self.hand_scale.astype(np.float32),
            "hand_coef": self.hand_coef.astype(np.float32),
            "class_bias": self.class_bias.astype(np.float32),
        }
        cols = arrays["sentence_cols"]
        arrays["sentence_idf"] = self.sentence_idf[cols]
        arrays["sentence_coef"] = self.sentence_coef[cols]
        char_cols = np.flatnonzero(self.sentence_char_idf).astype(np.int32)
        arrays["sentence_char_cols"] = char_cols
        arrays["sentence_char_idf"] = self.sentence_char_idf[char_cols]
        arrays["sentence_char_coef"] = self.sentence_char_coef[char_cols].astype(np.float16)
        for block in self.blocks:
            arrays[f"{block.name}_cols"] = block.cols.astype(np.int32)
            arrays[f"{block.name}_idf"] = block.idf.astype(np.float32)
            arrays[f"{block.name}_coef"] = block.coef.astype(np.float16)
        state = {
            "format": FORMAT_VERSION,
            "n_token_features": N_TOKEN_FEATURES,
            "n_text_features": N_TEXT_FEATURES,
            "token_bias": self.token_bias,
            "sentence_bias": self.sentence_bias,
            "sentence_length_coef": self.sentence_length_coef,
            "blocks": [{"name": b.name, "weight": b.weight} for b in self.blocks],
            "hand_weight": self.hand_weight,
            "classes": self.classes,
            "threshold_sentence": self.threshold_sentence,
            "threshold_token": self.threshold_token,
            "meta": self.meta,
        }
        return write_npz_model(directory, MODEL_FILE, arrays, state)

    @classmethod
    def load(cls, path: Path | str | None = None, *, nlp: Language | None = None) -> FramingModel:
        """Load the packaged model (or one from `path`, a directory or the .npz itself)."""
        file = model_path(path, MODEL_DIR, MODEL_FILE)
        with open_npz_model(file, "propaganda-technique model", FORMAT_VERSION, REBUILD) as (data, state):
            sizes = (state["n_token_features"], state["n_text_features"])
            if sizes != (N_TOKEN_FEATURES, N_TEXT_FEATURES):
                raise ValueError("feature space size differs from this version's")
            sentence_idf = np.zeros(N_TEXT_FEATURES, dtype=np.float32)
            sentence_coef = np.zeros(N_TEXT_FEATURES, dtype=np.float32)
            sentence_idf[data["sentence_cols"]] = data["sentence_idf"]
            sentence_coef[data["sentence_cols"]] = data["sentence_coef"]
            char_idf = np.zeros(N_TEXT_FEATURES, dtype=np.float32)
            char_coef = np.zeros(N_TEXT_FEATURES, dtype=np.float32)
            char_idf[data["sentence_char_cols"]] = data["sentence_char_idf"]
            char_coef[data["sentence_char_cols"]] = data["sentence_char_coef"]
            blocks = [
                TextBlock(
                    str(b["name"]),
                    float(b["weight"]),
                    data[f"{b['name']}_cols"].astype(np.int64),
                    data[f"{b['name']}_idf"].astype(np.float32),
                    data[f"{b['name']}_coef"].astype(np.float32),
                )
                for b in state["blocks"]
            ]
            return cls(
                token_cols=data["token_cols"].astype(np.int64),
                token_coef=data["token_coef"].astype(np.float32),
                token_bias=float(state["token_bias"]),
                sentence_idf=sentence_idf,
                sentence_coef=sentence_coef,
                sentence_bias=float(state["sentence_bias"]),
                sentence_char_idf=char_idf,
                sentence_char_coef=char_coef,
                sentence_length_coef=float(state["sentence_length_coef"]),
                blocks=blocks,
                hand_mean=data["hand_mean"].astype(np.float64),
                hand_scale=data["hand_scale"].astype(np.float64),
                hand_coef=data["hand_coef"].astype(np.float64),
                hand_weight=float(state["hand_weight"]),
                class_bias=data["class_bias"].astype(np.float64),
                classes=[str(c) for c in state["classes"]],
                threshold_sentence=float(state["threshold_sentence"]),
                threshold_token=float(state["threshold_token"]),
                meta=dict(state.get("meta", {})),
                nlp=nlp,
            )


# ------------------------------------------------------------------------------------------- helpers


def decode(
    doc: Doc,
    p_token: np.ndarray,
    p_sentence: np.ndarray,
    bounds: Sequence[tuple[int, int]],
    threshold_sentence: float,
    threshold_token: float,
) -> list[tuple[int, int, float]]:
    """One span per sentence whose best token is convincing: from its first to its last likely token.

    Evidence per token is the geometric mean of the token's and its sentence's probability, so a
    loaded word in a neutral sentence needs more of its own. Spaces and punctuation never start or
    end a span.
    """
    from spacy.attrs import IS_PUNCT, IS_SPACE

    flags = doc.to_array([IS_PUNCT, IS_SPACE]).reshape(len(doc), 2).astype(bool)
    word = ~(flags[:, 0] | flags[:, 1])
    evidence = np.sqrt(p_token * p_sentence)
    evidence[~word] = 0.0
    out = []
    for start, end in bounds:
        ev = evidence[start:end]
        if ev.size == 0 or ev.max() < threshold_sentence:
            continue
        on = np.flatnonzero(ev >= threshold_token)
        first, last = doc[start + int(on[0])], doc[start + int(on[-1])]
        out.append((first.idx, last.idx + len(last.text), float(ev.max())))
    return out


def line_context(text: str, start: int, end: int) -> str:
    """The line(s) a span sits on."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    return text[first : len(text) if last < 0 else last]


def doc_context(doc: Doc, text: str, start: int, end: int) -> str:
    """The sentence(s) a span sits in (`text` is the doc's text); its line without sentence bounds."""
    if not doc.has_annotation("SENT_START"):
        return line_context(text, start, end)
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return line_context(text, start, end)
    return text[span[0].sent.start_char : span[-1].sent.end_char]

