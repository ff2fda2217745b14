"""The learned attribution tagger: cue, source and content spans from a parsed spaCy Doc.

Linear models over hashed feature strings (see `features.py`), trained on PolNeAR by
`python -m sourcetrace.training.attribution`:

1. cue: a cheap prefilter drops plain non-cues, then a classifier over the remaining candidate
   tokens (verbs, nouns, ...) says which heads a cue; the head is widened to the cue span with a
   table learned from train (aux, negation, 'according to', ...);
2. source: for each cue, candidate noun/pronoun heads near it in its sentence and a 'no source'
   option are scored, the best wins; the span is the head's subtree, trimmed as annotators trim it;
3. content: candidate spans (clausal complement, object, the clause before ', X said', adjacent
   quotations over several paragraphs, rest of sentence, ...) are scored, the best wins.

Training hashes feature strings with sklearn's FeatureHasher; inference scores them with the same
hash through a cache of signed weights (`HashedWeights`), so a feature string seen before costs one
dict lookup and the tagger adds a small fraction to the parse time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import expit
from sklearn.utils import murmurhash3_32
from spacy.tokens import Doc

from sourcetrace.modelfile import model_path, open_npz_model, package_path, write_npz_model
from sourcetrace.nlp.attribution import features as F
from sourcetrace.nlp.attribution.types import RawAttribution

MODEL_DIR = package_path("models", "attribution")
MODEL_FILE = "tagger.npz"
#: 3: numpy arrays and a JSON state in one .npz (no pickle); 2 was a joblib pickle.
FORMAT_VERSION = 3
_LINEARS = ("cue_prefilter", "cue", "source", "content")
REBUILD = "run `make models` to rebuild it"


_INT32_MIN = -(2**31)
#: Distinct keys kept per memo (a few MB); a news corpus of any size keeps hitting far fewer.
MEMO_SIZE = 200_000


class HashedWeights(dict[str, float]):
    """The signed weight of each feature string, exactly as FeatureHasher would index and sign it
    (murmurhash3 with seed 0, index |h| mod n, sign of h), computed on first sight and then kept.

    Building FeatureHasher's sparse matrix costs more than the parse itself; a dict lookup per feature
    string does not. Only the first `limit` distinct strings are kept, so memory stays bounded on a
    corpus of any size.
    """

    def __init__(self, dense: np.ndarray, limit: int = 300_000) -> None:
        super().__init__()
        self.dense = dense
        self.limit = limit

    def __missing__(self, feature: str) -> float:
        h = murmurhash3_32(feature, seed=0)
        n = len(self.dense)
        index = (2147483647 - (n - 1)) % n if h == _INT32_MIN else abs(h) % n
        weight = float(self.dense[index]) if h >= 0 else -float(self.dense[index])
        if len(self) < self.limit:
            self[feature] = weight
        return weight


@dataclass(slots=True)
class Linear:
    """A binary linear model over hashed features, stored sparsely (only non-zero weights)."""

    indices: np.ndarray
    values: np.ndarray
    intercept: float
    n_features: int
    dense: np.ndarray = field(init=False, repr=False)
    weights: HashedWeights = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # float64, like the feature matrix: a float32 vector would be converted on every product.
        self.dense = np.zeros(self.n_features, dtype=np.float64)
        self.dense[self.indices] = self.values
        self.weights = HashedWeights(self.dense)

    def scores(self, x: Any) -> np.ndarray:
        """Scores of a hashed feature matrix (training and evaluation)."""
        return np.asarray(x @ self.dense, dtype=np.float64) + self.intercept

    def score_rows(self, rows: list[list[str]]) -> np.ndarray:
        """Scores of rows of feature strings: the same numbers as `scores(hasher.transform(rows))`."""
        lookup = self.weights.__getitem__
        sums = np.fromiter((sum(map(lookup, row)) for row in rows), dtype=np.float64, count=len(rows))
        return sums + self.intercept

    def partial_sums(self, rows: list[list[str]]) -> list[float]:
        """The summed weights of rows that are the first part of longer rows (no intercept)."""
        lookup = self.weights.__getitem__
        return [sum(map(lookup, row)) for row in rows]

    def score_rows_after(self, starts: list[float], rows: list[list[str]]) -> np.ndarray:
        """Scores of rows whose first features' summed weights are `starts`: the weights are added in
        the same order as `score_rows` adds them to the whole row, so the floats are the same."""
        lookup = self.weights.__getitem__
        sums = np.fromiter(
            (sum(map(lookup, row), start) for start, row in zip(starts, rows, strict=True)),
            dtype=np.float64,
            count=len(rows),
        )
        return sums + self.intercept


@dataclass(slots=True)
class TaggerModel:
    cue_prefilter: Linear
    cue_prefilter_threshold: float  # a raw score: candidates below it are not cues
    cue: Linear
    source: Linear
    content: Linear
    cue_threshold: float
    cue_table: dict[str, float]  # 'dep|word' / 'dep' -> share of train cues that include such a child
    source_table: dict[str, float]  # child dep -> share of train sources that include it
    n_features: int
    meta: dict[str, Any] = field(default_factory=dict)

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """The weights as arrays and everything else as a JSON state: one `.npz` (`modelfile`)."""
        arrays: dict[str, np.ndarray] = {}
        intercepts: dict[str, float] = {}
        for name in _LINEARS:
            linear: Linear = getattr(self, name)
            arrays[f"{name}_indices"] = linear.indices.astype(np.int32)
            arrays[f"{name}_values"] = linear.values.astype(np.float32)
            intercepts[name] = float(linear.intercept)
        state = {
            "format": FORMAT_VERSION,
            "intercepts": intercepts,
            "cue_prefilter_threshold": self.cue_prefilter_threshold,
            "cue_threshold": self.cue_threshold,
            "cue_table": dict(self.cue_table),
            "source_table": dict(self.source_table),
            "n_features": self.n_features,
            "meta": dict(self.meta),
        }
        return arrays, state

    @classmethod
    def from_arrays(cls, arrays: Any, state: dict[str, Any]) -> TaggerModel:
        n_features = int(state["n_features"])
        linears = {
            name: Linear(
                np.asarray(arrays[f"{name}_indices"], dtype=np.int64),
                np.asarray(arrays[f"{name}_values"], dtype=np.float32),
                float(state["intercepts"][name]),
                n_features,
            )
            for name in _LINEARS
        }
        return cls(
            linears["cue_prefilter"],
            float(state["cue_prefilter_threshold"]),
            linears["cue"],
            linears["source"],
            linears["content"],
            float(state["cue_threshold"]),
            dict(state["cue_table"]),
            dict(state["source_table"]),
            n_features,
            dict(state.get("meta", {})),
        )


class AttributionTagger:
    """Finds attributions in a parsed Doc; call it on a Doc, get RawAttribution list (doc order)."""

    def __init__(self, model: TaggerModel) -> None:
        self.model = model
        self._prefilter_memo: dict[F.PrefilterKey, float] = {}
        self._cue_memo: dict[F.CueKey, float] = {}

    @classmethod
    def load(cls, path: Path | None = None) -> AttributionTagger:
        """Load a model directory or file (default: the packaged model). Raises ModelError if unusable."""
        file = model_path(path, MODEL_DIR, MODEL_FILE)
        with open_npz_model(file, "attribution model", FORMAT_VERSION, REBUILD) as (arrays, state):
            return cls(TaggerModel.from_arrays(arrays, state))

    def save(self, directory: Path) -> Path:
        arrays, state = self.model.to_arrays()
        return write_npz_model(directory, MODEL_FILE, arrays, state)

    # ------------------------------------------------------------------------------------ inference

    def cue_probabilities(self, ix: F.DocIndex) -> tuple[list[int], np.ndarray]:
        cands = F.cue_candidates(ix)
        if not cands:
            return cands, np.zeros(0)
        # Cheap pass first: most tokens are plainly not cues and never get the full feature set.
        m = self.model
        pre = self._prefilter_scores([F.cue_prefilter_key(i, ix) for i in cands])
        cands = [i for i, s in zip(cands, pre, strict=True) if s >= m.cue_prefilter_threshold]
        if not cands:
            return cands, np.zeros(0)
        starts = _memoised(
            self._cue_memo,
            [F.cue_key(i, ix) for i in cands],
            lambda keys: m.cue.partial_sums([F.cue_key_features(k) for k in keys]),
        )
        rows = [F.cue_context_features(i, ix) for i in cands]
        return cands, expit(m.cue.score_rows_after(starts, rows))

    def _prefilter_scores(self, keys: list[F.PrefilterKey]) -> np.ndarray:
        """Prefilter scores, computed once per distinct key (the same float: the same weights summed in
        the same order)."""
        prefilter = self.model.cue_prefilter
        scores = _memoised(
            self._prefilter_memo,
            keys,
            lambda new: prefilter.score_rows([F.prefilter_key_features(k) for k in new]).tolist(),
        )
        return np.asarray(scores, dtype=np.float64)

    def __call__(self, doc: Doc) -> list[RawAttribution]:
        if len(doc) == 0:
            return []
        ix = F.index_doc(doc)
        cands, probs = self.cue_probabilities(ix)
        m = self.model
        chosen = [(p, i) for i, p in zip(cands, probs, strict=True) if p >= m.cue_threshold]
        chosen.sort(reverse=True)
        taken: set[int] = set()
        cues: list[tuple[int, list[int], float]] = []
        for p, i in chosen:
            if i in taken:
                continue
            toks = [j for j in F.expand_cue(doc[i], m.cue_table) if j not in taken]
            taken.update(toks)
            cues.append((i, toks, float(p)))
        cues.sort()
        if not cues:
            return []
        sources = self._sources(ix, cues)
        contents = self._contents(ix, cues, sources)
        out = []
        for (i, toks, p), src, content in zip(cues, sources, contents, strict=True):
            cue_spans = F.to_char_spans(doc, toks)
            src_span = None
            if src is not None:
                s_spans = F.to_char_spans(doc, src[1])
                src_span = (s_spans[0][0], s_spans[-1][1])
            content_spans = F.to_char_spans(doc, content) if content else []
            out.append(
                RawAttribution(
                    cue=(cue_spans[0][0], cue_spans[-1][1]),
                    cue_head=i,
                    content=content_spans,
                    source=src_span,
                    source_head=src[0] if src is not None else None,
                    confidence=round(p, 4),
                    kind=_kind(ix, toks, content),
                )
            )
        return out

    def _sources(
        self, ix: F.DocIndex, cues: list[tuple[int, list[int], float]]
    ) -> list[tuple[int, list[int]] | None]:
        doc = ix.doc
        rows: list[list[str]] = []
        groups: list[list[tuple[int, str]]] = []
        for i, toks, _ in cues:
            cands = F.source_candidates(i, toks, ix)
            rows.append(F.none_source_features(i, ix))
            rows.extend(F.source_features(i, j, path, ix) for j, path in cands)
            groups.append(cands)
        scores = self.model.source.score_rows(rows)
        out: list[tuple[int, list[int]] | None] = []
        k = 0
        for (_, toks, _), cands in zip(cues, groups, strict=True):
            block = scores[k : k + 1 + len(cands)]
            k += 1 + len(cands)
            best = int(np.argmax(block))
            if best == 0:
                out.append(None)
            else:
                head = doc[cands[best - 1][0]]
                out.append((head.i, F.source_span(head, toks, self.model.source_table, ix)))
        return out

    def _contents(
        self,
        ix: F.DocIndex,
        cues: list[tuple[int, list[int], float]],
        sources: list[tuple[int, list[int]] | None],
    ) -> list[list[int]]:
        doc = ix.doc
        rows: list[list[str]] = []
        groups: list[list[F.ContentCandidate]] = []
        for (i, toks, _), src in zip(cues, sources, strict=True):
            cands = F.content_candidates(doc[i], toks, src[1] if src else [], ix)
            rows.extend(F.content_features(i, c, ix) for c in cands)
            groups.append(cands)
        scores = self.model.content.score_rows(rows)
        out: list[list[int]] = []
        k = 0
        for cands in groups:
            if not cands:
                out.append([])
                continue
            block = scores[k : k + len(cands)]
            k += len(cands)
            out.append(F.trim_content(ix, cands[int(np.argmax(block))].tokens))
        return out


def _memoised(
    memo: dict[Any, float], keys: list[Any], compute: Callable[[list[Any]], list[float]]
) -> list[float]:
    """One value per key, `compute`d once per distinct key and kept (at most MEMO_SIZE keys)."""
    missing = list(dict.fromkeys(k for k in keys if k not in memo))
    if missing:
        if len(memo) + len(missing) > MEMO_SIZE:
            memo.clear()
        memo.update(zip(missing, compute(missing), strict=True))
    return [memo[k] for k in keys]


def _kind(ix: F.DocIndex, cue_tokens: list[int], content: list[int]) -> str:
    if any(ix.words[j] == "according" for j in cue_tokens):
        return "according_to"
    # A quotation: opens with a quotation mark and lies (almost) wholly inside quoted text.
    if content and ix.texts[content[0]] in F.QUOTES:
        quoted = sum(1 for j in content if ix.quote[j] >= 0)
        if quoted >= 0.9 * len(content):
            return "direct"
    return "indirect"
