"""Which stored articles are copies of one another: the same wire story carried by several outlets.

A document is identified by where it was published and by its text (`document_id`): the same text
under the same source key (URL, else outlet, else file path) is a duplicate and stored once; the same
text from another source is a **copy**, stored and put in the same copy group. Near-copies (a wire
story with another headline or a trimmed tail) are found by MinHash over word 5-grams (datasketch LSH,
estimated Jaccard >= `NEAR_COPY_JACCARD`). Credits in the text (`(AP)`, `Reuters -`, `From the Harbour
Courier:`) are read too: in a copy group, the member whose outlet the others credit is the original;
otherwise the earliest (by date, else ingest order).

The trace lists every member of a group as carrying a claim but counts the group as one source.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from sourcetrace.nlp.attribution.credits import find_credits
from sourcetrace.outlets.table import name_key, split_url

if TYPE_CHECKING:
    from datasketch import MinHash, MinHashLSH

    from sourcetrace.corpus.rows import StoredAs
    from sourcetrace.corpus.store import Store
    from sourcetrace.schema import Document

#: Estimated Jaccard of word 5-gram sets above which two articles are one story: a wire copy with a
#: new headline, a cut tail or a changed dateline keeps most of its 5-grams (a copy cut to 70% of its
#: length still has 0.6 or more); two outlets' own write-ups of one event share almost none (below 0.1).
NEAR_COPY_JACCARD = 0.5
NUM_PERM = 64
SHINGLE = 5
#: datasketch's 32-bit hashing (its default since 2.0): stored signatures say nothing of their scheme.
_SCHEME = "affine32"
#: Shorter texts are compared by exact hash only: a few shared sentences are not a copy.
MIN_NEAR_WORDS = 60

def normalise_url(url: str) -> str:
    """The host as the outlet table normalises it (`www.`, `m.`, `amp.` dropped), the path without a
    trailing slash, the query kept, scheme and fragment dropped."""
    parts = urlsplit(url.strip())
    split = split_url(url)
    host = split[0] if split else (parts.hostname or "").lower()
    return urlunsplit(("", host, parts.path.rstrip("/"), parts.query, "")).removeprefix("//")


def source_key(url: str | None, outlet: str | None, locator: str) -> str:
    """Where a document was published: its URL, else its outlet, else the file or record it came from."""
    if url:
        return "url:" + normalise_url(url)
    if outlet and name_key(outlet):
        return "outlet:" + name_key(outlet)
    return "path:" + locator


def document_id(key: str, text_sha256: str) -> str:
    return hashlib.sha256(f"{key}\n{text_sha256}".encode()).hexdigest()


def stored_as(document: Document, locator: str) -> StoredAs:
    """The store keys of a document read from `locator` (no copy group yet: ingest assigns those)."""
    from sourcetrace.corpus.rows import StoredAs

    text_hash = document.sha256()
    key = source_key(document.url, document.outlet, locator)
    return StoredAs(document_id(key, text_hash), key, text_hash)


def credits(wire: str | None, text: str) -> list[str]:
    """Outlets a text credits as its source: the dateline's wire (`LONDON (Reuters) -`, read by ingest
    into `Document.wire`) and the credits the chains read (`attribution.credits`: `From X:`, `first
    published by X`, a closing `(IRNA)`)."""
    return list(dict.fromkeys([*([wire] if wire else []), *(c.name for c in find_credits(text))]))


def with_copies(finder: CopyFinder, keys: StoredAs, text: str, wire: str | None) -> StoredAs:
    """`keys` with the document's copy group, credits and MinHash signature (ingest and migrate)."""
    from sourcetrace.corpus.rows import StoredAs

    blob = signature(text)
    found = finder.assign(keys.doc_id, keys.text_sha256, blob)
    return StoredAs(
        keys.doc_id, keys.source_key, keys.text_sha256, copy_group=found.group, copy_reason=found.reason,
        credit="; ".join(credits(wire, text)) or None, signature=blob,
    )


def _shingles(text: str) -> set[bytes]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i : i + SHINGLE]).encode() for i in range(max(len(words) - SHINGLE + 1, 0))}


def signature(text: str) -> bytes | None:
    """The MinHash of the text's word 5-grams (uint32 x NUM_PERM), None for a short text."""
    from datasketch import MinHash

    shingles = _shingles(text)
    if len(shingles) < MIN_NEAR_WORDS:
        return None
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme=_SCHEME)
    minhash.update_batch(list(shingles))
    return minhash.hashvalues.astype(np.uint32).tobytes()


def _minhash(blob: bytes) -> MinHash:
    from datasketch import MinHash

    values = np.frombuffer(blob, dtype=np.uint32).astype(np.uint64)
    return MinHash(num_perm=NUM_PERM, seed=1, hashvalues=values, scheme=_SCHEME)


@dataclass(frozen=True, slots=True)
class CopyInfo:
    """The copy group a document joins."""

    group: str | None  # doc_id of the group's first stored member, which itself stores NULL: the
    # group of any document is coalesce(copy_group, doc_id)
    reason: str | None  # "exact" (same text) or "near" (MinHash), for the member that joined a group


@dataclass
class CopyFinder:
    """The copy groups of a store, kept in memory by the ingest driver as it adds documents."""

    by_text: dict[str, str] = field(default_factory=dict)  # text hash -> group
    groups: dict[str, str] = field(default_factory=dict)  # doc_id -> group id
    lsh: MinHashLSH | None = None

    @classmethod
    def load(cls, store: Store) -> CopyFinder:
        finder = cls()
        rows = store.run(
            "SELECT doc_id, text_sha256, coalesce(copy_group, doc_id), signature FROM documents ORDER BY seq"
        )
        for doc_id, text_hash, group, blob in rows:
            finder._remember(doc_id, text_hash, group, blob)
        return finder

    def _index(self) -> MinHashLSH:
        if self.lsh is None:
            from datasketch import MinHashLSH

            self.lsh = MinHashLSH(threshold=NEAR_COPY_JACCARD, num_perm=NUM_PERM)
        return self.lsh

    def _remember(self, doc_id: str, text_hash: str, group: str, blob: bytes | None) -> None:
        self.groups[doc_id] = group
        self.by_text.setdefault(text_hash, group)
        if blob is not None and doc_id not in self._index():
            self._index().insert(doc_id, _minhash(blob))

    def assign(self, doc_id: str, text_hash: str, blob: bytes | None) -> CopyInfo:
        """The group a new document joins (exact text first, then the nearest MinHash neighbour)."""
        group: str | None = None
        reason: str | None = None
        if text_hash in self.by_text:
            group, reason = self.by_text[text_hash], "exact"
        elif blob is not None:
            near = sorted(self._index().query(_minhash(blob)))
            if near:
                group, reason = self.groups[near[0]], "near"
        if group is None:
            self._remember(doc_id, text_hash, doc_id, blob)
            return CopyInfo(None, None)
        self._remember(doc_id, text_hash, group, blob)
        return CopyInfo(group, reason)
