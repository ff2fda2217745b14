"""`ClaimVectors`: the sentence embedding of every stored claim, int8-quantised, in one `.npz` file.

With the `[semantic]` extra the scorer needs the MiniLM embedding of both sides of a pair. Computing
those of the candidates at query time cost ~15 ms a sentence on a CPU, half a second per trace. The
corpus therefore embeds each claim once, when it is indexed, and a trace embeds only its query.

Each unit vector is stored as int8 codes with one float32 scale per row (max |component| / 127):
385 bytes a claim instead of 1,536, 38 MB for 100k claims; the cosine between two decoded vectors
differs from the float32 one by about 1e-3, far below what moves a decision. The file records the
embedding model's name, so vectors of another model are never mixed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from sourcetrace.errors import InputError
from sourcetrace.matching.minhash import load_keyed_npz, save_keyed_npz

FORMAT = "sourcetrace-claimvectors"
FORMAT_VERSION = 1


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """float vectors -> (int8 codes, float32 per-row scales)."""
    scale = np.abs(vectors).max(axis=1) / 127.0
    scale = np.where(scale == 0.0, 1.0, scale).astype(np.float32)
    codes = np.clip(np.rint(vectors / scale[:, None]), -127, 127).astype(np.int8)
    return codes, scale


def dequantise(codes: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return codes.astype(np.float32) * scale[:, None]


class ClaimVectors:
    """Claim keys -> stored sentence embeddings of one model; `lookup` decodes the ones asked for."""

    def __init__(self, model: str, dim: int) -> None:
        self.model, self.dim = model, dim
        self._keys: list[str] = []
        self._row: dict[str, int] = {}
        self._codes = np.zeros((0, dim), dtype=np.int8)
        self._scale = np.zeros(0, dtype=np.float32)
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._row

    def add(self, keys: Sequence[str], vectors: np.ndarray) -> int:
        """Store the vectors of new keys (keys already stored are skipped); returns how many were added."""
        if len(keys) != len(vectors) or (len(vectors) and vectors.shape[1] != self.dim):
            raise ValueError(f"expected {len(keys)} vectors of {self.dim} dimensions, got {vectors.shape}")
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(keys), self.dim)
        return self.add_codes(keys, *quantise(vectors))

    def add_codes(self, keys: Sequence[str], codes: np.ndarray, scale: np.ndarray) -> int:
        """`add` for vectors already quantised (by the ingest workers); returns how many were added."""
        if codes.shape != (len(keys), self.dim) or scale.shape != (len(keys),):
            raise ValueError(f"expected {len(keys)} codes of {self.dim} dimensions, got {codes.shape}")
        fresh = [i for i, k in enumerate(keys) if k not in self._row]
        fresh = list({keys[i]: i for i in fresh}.values())  # a key twice in one call: keep the last
        if not fresh:
            return 0
        for i in fresh:
            self._row[keys[i]] = len(self._keys)
            self._keys.append(keys[i])
        self._pending.append((codes[fresh].astype(np.int8), scale[fresh].astype(np.float32)))
        return len(fresh)

    def _merge(self) -> None:
        if self._pending:
            self._codes = np.concatenate([self._codes, *(c for c, _ in self._pending)])
            self._scale = np.concatenate([self._scale, *(s for _, s in self._pending)])
            self._pending = []

    def lookup(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        """Decoded vectors of the stored keys among `keys` (others are simply absent)."""
        self._merge()
        found = [(k, self._row[k]) for k in keys if k in self._row]
        if not found:
            return {}
        rows = np.fromiter((r for _, r in found), dtype=np.int64, count=len(found))
        decoded = dequantise(self._codes[rows], self._scale[rows])
        return {k: decoded[i] for i, (k, _) in enumerate(found)}

    def save(self, path: str | Path) -> None:
        self._merge()
        meta = {"format": FORMAT, "version": FORMAT_VERSION, "model": self.model, "dim": self.dim}
        save_keyed_npz(path, meta, self._keys, codes=self._codes, scale=self._scale)

    @classmethod
    def load(cls, path: str | Path) -> ClaimVectors:
        path = Path(path)
        store, keys, arrays = load_keyed_npz(
            path, FORMAT, FORMAT_VERSION, "claim-vector file", ("codes", "scale"),
            lambda meta: cls(str(meta["model"]), int(meta["dim"])),
        )
        store._codes, store._scale = arrays["codes"], arrays["scale"]
        if store._codes.shape != (len(keys), store.dim) or store._scale.shape != (len(keys),):
            raise InputError("claim vectors are inconsistent (keys and codes differ)", source=str(path))
        store._keys = keys
        store._row = {k: i for i, k in enumerate(keys)}
        return store
