"""`StoredFacts`: the parsed facts (`relation.ClaimFacts`) of every indexed claim, in one `.npz` file.

A trace decides the relation of its closest candidates with `relation.explain_pairs`, which parses
both claims of a pair with spaCy, about 2.5 ms a sentence: up to a dozen candidates per query were a
fifth of a trace's time. The facts of a stored claim depend only on its text, so the corpus parses
each claim once, when it is indexed, and a trace parses only a query that is not a stored claim.

The facts are kept as UTF-8 JSON (`relation.facts_to_json`) in one byte array with offsets, decoded
only for the claims a trace asks about. The file records the fingerprint of what the facts depend on
besides the text (`relation.facts_fingerprint`: the reading code, the spaCy pipeline, the word lists);
facts of another fingerprint are never used, and each stored fact carries its text, which a lookup
compares, so a claim reworded since it was parsed is parsed again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sourcetrace.errors import InputError
from sourcetrace.matching.minhash import load_keyed_npz, save_keyed_npz
from sourcetrace.matching.relation import facts_from_json, facts_to_json

if TYPE_CHECKING:
    from sourcetrace.matching.relation import ClaimFacts

FORMAT = "sourcetrace-claimfacts"
FORMAT_VERSION = 1


class StoredFacts:
    """Claim keys -> the facts of their text under one fingerprint; `by_text` decodes on demand."""

    def __init__(self, fingerprint: str) -> None:
        self.fingerprint = fingerprint
        self._keys: list[str] = []
        self._row: dict[str, int] = {}
        self._blob = np.zeros(0, dtype=np.uint8)
        self._ends = np.zeros(0, dtype=np.int64)  # row i is _blob[_ends[i - 1]:_ends[i]]
        self._pending: list[bytes] = []

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._row

    def add(self, keys: Sequence[str], facts: Sequence[ClaimFacts]) -> int:
        """Store the facts of new keys (keys already stored are skipped); returns how many were added."""
        if len(keys) != len(facts):
            raise ValueError(f"expected {len(keys)} facts, got {len(facts)}")
        added = 0
        for key, fact in zip(keys, facts, strict=True):
            if key in self._row:
                continue
            self._row[key] = len(self._keys)
            self._keys.append(key)
            self._pending.append(facts_to_json(fact).encode("utf-8"))
            added += 1
        return added

    def _merge(self) -> None:
        if self._pending:
            lengths = np.fromiter((len(b) for b in self._pending), dtype=np.int64, count=len(self._pending))
            start = self._ends[-1] if len(self._ends) else 0
            self._ends = np.concatenate([self._ends, start + np.cumsum(lengths)])
            self._blob = np.concatenate([self._blob, np.frombuffer(b"".join(self._pending), dtype=np.uint8)])
            self._pending = []

    def get(self, key: str) -> ClaimFacts | None:
        """The stored facts of `key`, or None."""
        row = self._row.get(key)
        if row is None:
            return None
        self._merge()
        start = int(self._ends[row - 1]) if row else 0
        return facts_from_json(self._blob[start : int(self._ends[row])].tobytes().decode("utf-8"))

    def by_text(self, keys_by_text: Mapping[str, str]) -> Callable[[str], ClaimFacts | None]:
        """A lookup of stored facts by claim text (`text -> key` given), decoded when asked for; None
        for a text whose key has none, or whose stored facts were read from another text."""

        def lookup(text: str) -> ClaimFacts | None:
            key = keys_by_text.get(text)
            found = self.get(key) if key is not None else None
            return found if found is not None and found.text == text else None

        return lookup

    def save(self, path: str | Path) -> None:
        self._merge()
        meta = {"format": FORMAT, "version": FORMAT_VERSION, "fingerprint": self.fingerprint}
        save_keyed_npz(path, meta, self._keys, blob=self._blob, ends=self._ends)

    @classmethod
    def load(cls, path: str | Path) -> StoredFacts:
        path = Path(path)
        store, keys, arrays = load_keyed_npz(
            path, FORMAT, FORMAT_VERSION, "claim-facts file", ("blob", "ends"),
            lambda meta: cls(str(meta["fingerprint"])),
        )
        store._blob, store._ends = arrays["blob"], arrays["ends"]
        if store._ends.shape != (len(keys),) or (len(keys) and store._ends[-1] != len(store._blob)):
            raise InputError("claim facts are inconsistent (keys and facts differ)", source=str(path))
        store._keys = keys
        store._row = {k: i for i, k in enumerate(keys)}
        return store

