"""`ClaimIndex`: MinHash LSH candidate generation for claim matching, persisted in one `.npz` file.

Scoring every stored claim against a query does not scale (a 1M-claim corpus is 1M pair scores per
query). The index proposes the few claims that share enough content words with the query; only those
are scored by `claim_similarity` / `same_claim`.

* A claim is the set of its stemmed content words (`text.shingles`: the normalisation the pair features
  use). Word unigrams, not word n-grams: paraphrases reorder and rephrase, so longer shingles would lose
  them.
* Signatures are datasketch `MinHash`es (computed in bulk); the banding (b bands of r rows) is the one
  datasketch's `MinHashLSH` picks for the threshold and number of permutations. `NUM_PERM` and
  `THRESHOLD` were tuned for candidate recall on MRPC and Emergent (see `sourcetrace eval matching`).
* The band table is kept as numpy arrays, sorted per band, instead of datasketch's dict of buckets:
  loading an index of 100k+ claims is then one `np.load` (no Python objects to rebuild or unpickle), and
  a query is b binary searches. Claims added after a load wait in a small unsorted buffer that queries
  scan too; `save` merges them in.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import numpy as np
from datasketch import MinHash, MinHashLSH

from sourcetrace.errors import InputError
from sourcetrace.matching.text import shingles

T = TypeVar("T")

NUM_PERM = 128
THRESHOLD = 0.15
SEED = 1
FORMAT = "sourcetrace-claimindex"
#: 2: shingles are Snowball stems (1 cut words at six letters): an index of version 1 is rebuilt.
FORMAT_VERSION = 2
#: Odd 64-bit multiplier (FNV-1a's prime): folds a band's r hash values into one uint64 bucket key.
_FOLD = np.uint64(0x100000001B3)


def _band_keys(hashvalues: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, num_perm) MinHash values -> (n, bands) bucket keys, one per band."""
    n = hashvalues.shape[0]
    cut = hashvalues[:, : bands * rows].astype(np.uint64).reshape(n, bands, rows)
    # Salt with the band number so equal values in different bands never share a bucket key.
    key = np.broadcast_to(np.arange(1, bands + 1, dtype=np.uint64), (n, bands)).copy()
    with np.errstate(over="ignore"):
        for j in range(rows):
            key = (key ^ cut[:, :, j]) * _FOLD
    return key


def encode_keys(keys: list[str]) -> np.ndarray:
    """Keys (no newlines) as one uint8 array: an .npz then needs no pickle for them."""
    return np.frombuffer("\n".join(keys).encode("utf-8"), dtype=np.uint8)


def decode_keys(blob: np.ndarray) -> list[str]:
    text = blob.tobytes().decode("utf-8")
    return text.split("\n") if text else []


def save_keyed_npz(path: str | Path, meta: dict, keys: list[str], **arrays: np.ndarray) -> None:
    """A keyed store file: its JSON `meta` (format, version, settings), its keys and its arrays."""
    save_npz(path, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), keys=encode_keys(keys),
             **arrays)


def load_keyed_npz(
    path: Path, fmt: str, version: int, what: str, names: tuple[str, ...], make: Callable[[dict], T]
) -> tuple[T, list[str], dict[str, np.ndarray]]:
    """(make(meta), keys, arrays `names`) of a file written by `save_keyed_npz`; InputError when it
    is not `fmt` at `version`, cannot be read or its meta does not fit `make`."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(data["meta"].tobytes().decode("utf-8"))
            if meta.get("format") != fmt or meta.get("version") != version:
                raise InputError(f"not a sourcetrace {what} (or a newer format)", source=str(path))
            return make(meta), decode_keys(data["keys"]), {name: data[name] for name in names}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"cannot read {what}: {exc}", source=str(path)) from exc


def save_npz(path: str | Path, **arrays: np.ndarray) -> None:
    """Write an .npz atomically (temporary file, then rename): a crash never leaves half a file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ClaimIndex:
    """Keys (claim ids) indexed by the MinHash of their text; `candidates(text)` returns likely matches."""

    def __init__(self, num_perm: int = NUM_PERM, threshold: float = THRESHOLD) -> None:
        # datasketch chooses b and r that minimise false positives + false negatives at the threshold.
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.num_perm, self.threshold = num_perm, threshold
        self.bands, self.rows = int(lsh.b), int(lsh.r)
        self._keys: list[str] = []
        self._key_set: set[str] = set()
        # Merged part: per band, bucket keys sorted ascending and the row (position in _keys) of each.
        self._sorted = np.zeros((self.bands, 0), dtype=np.uint64)
        self._order = np.zeros((self.bands, 0), dtype=np.uint32)
        self._merged = 0  # rows 0.._merged-1 are in the sorted arrays
        self._pending: list[np.ndarray] = []  # (bands,) bucket keys of rows _merged.. in add order

    # ------------------------------------------------------------------------------------ building

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._key_set

    def _signatures(self, texts: list[str]) -> tuple[np.ndarray, list[bool]]:
        sets = [shingles(t) for t in texts]
        usable = [bool(s) for s in sets]
        present = [sorted(s) for s in sets if s]
        if not present:
            return np.zeros((0, self.bands), dtype=np.uint64), usable
        minhashes = MinHash.bulk([[w.encode("utf-8") for w in s] for s in present],
                                 num_perm=self.num_perm, seed=SEED)
        values = np.stack([m.hashvalues for m in minhashes])
        return _band_keys(values, self.bands, self.rows), usable

    def add(self, key: str, text: str) -> bool:
        """Index one claim; False when the key is already indexed or the text has no content words."""
        return self.add_many([(key, text)]) == 1

    def add_many(self, items: Iterable[tuple[str, str]]) -> int:
        """Index many claims at once (MinHashes computed in bulk); returns how many were added.

        Keys already in the index are skipped, so re-adding a re-ingested corpus is a no-op.
        """
        fresh: dict[str, str] = {}
        for key, text in items:
            if not isinstance(key, str) or not key or "\n" in key:
                raise InputError(f"claim index keys must be non-empty strings without newlines, got {key!r}")
            if key not in self._key_set and key not in fresh:
                fresh[key] = text
        if not fresh:
            return 0
        bands, usable = self._signatures(list(fresh.values()))
        added = 0
        rows = iter(bands)
        for key, ok in zip(fresh, usable, strict=True):
            if not ok:
                continue  # nothing to hash: such a claim can only be found by exhaustive scoring
            self._keys.append(key)
            self._key_set.add(key)
            self._pending.append(next(rows))
            added += 1
        return added

    # ------------------------------------------------------------------------------------ querying

    def candidates(self, text: str, limit: int | None = None) -> list[str]:
        """Keys sharing at least one LSH band with `text`, most shared bands (≈ most similar) first."""
        bands, usable = self._signatures([text])
        if not usable[0]:
            return []
        query = bands[0]
        hits: list[np.ndarray] = []
        for band in range(self.bands):
            sorted_band = self._sorted[band]
            lo = np.searchsorted(sorted_band, query[band], side="left")
            hi = np.searchsorted(sorted_band, query[band], side="right")
            if hi > lo:
                hits.append(self._order[band, lo:hi].astype(np.int64))
        if self._pending:
            pending = np.asarray(self._pending)
            match = pending == query
            # One entry per shared band, like the sorted part, so the counts below rank both alike.
            hits.append(np.repeat(np.arange(len(pending)) + self._merged, match.sum(axis=1)))
        if not hits:
            return []
        rows, counts = np.unique(np.concatenate(hits), return_counts=True)
        # Stable order: most bands shared first, then insertion order.
        ranked = rows[np.argsort(-counts, kind="stable")]
        if limit is not None:
            ranked = ranked[:limit]
        return [self._keys[i] for i in ranked]

    # ------------------------------------------------------------------------------------ persistence

    def _merge(self) -> None:
        if not self._pending:
            return
        pending = np.asarray(self._pending, dtype=np.uint64).T  # (bands, m)
        new_rows = np.arange(self._merged, self._merged + pending.shape[1], dtype=np.uint32)
        values = np.concatenate([self._sorted, pending], axis=1)
        order = np.concatenate([self._order, np.broadcast_to(new_rows, pending.shape)], axis=1)
        perm = np.argsort(values, axis=1, kind="stable")
        self._sorted = np.take_along_axis(values, perm, axis=1)
        self._order = np.take_along_axis(order, perm, axis=1)
        self._merged += pending.shape[1]
        self._pending = []

    def save(self, path: str | Path) -> None:
        """Write the index to one `.npz` file atomically (a crash never leaves a half-written index)."""
        self._merge()
        path = Path(path)
        meta = {"format": FORMAT, "version": FORMAT_VERSION, "num_perm": self.num_perm,
                "threshold": self.threshold, "bands": self.bands, "rows": self.rows, "seed": SEED}
        save_keyed_npz(path, meta, self._keys, sorted=self._sorted, order=self._order)

    @classmethod
    def load(cls, path: str | Path) -> ClaimIndex:
        """Read an index written by `save`; more claims can be added to it and it can be saved again."""
        path = Path(path)
        (index, banding), keys, arrays = load_keyed_npz(
            path, FORMAT, FORMAT_VERSION, "claim index", ("sorted", "order"),
            lambda m: (cls(int(m["num_perm"]), float(m["threshold"])), (m["bands"], m["rows"])),
        )
        if (index.bands, index.rows) != banding:
            raise InputError("claim index banding does not match this datasketch", source=str(path))
        index._sorted, index._order = arrays["sorted"], arrays["order"]
        index._keys = keys
        index._key_set = set(index._keys)
        index._merged = len(index._keys)
        if index._sorted.shape != (index.bands, index._merged):
            raise InputError("claim index is inconsistent (keys and band table differ)", source=str(path))
        return index
