"""The tagger's raw output, before sources are resolved and attributions nested."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from spacy.attrs import IDX, ORTH, SENT_START, SPACY
from spacy.tokens import Doc


@dataclass(slots=True)
class RawAttribution:
    """One attribution as found in the text. All spans are (start, end) character offsets into doc.text.

    `cue_head` / `source_head` are spaCy token indices of the syntactic heads (or None), so later stages
    (source resolution, nesting) can walk the parse without searching again.
    """

    cue: tuple[int, int]
    cue_head: int
    content: list[tuple[int, int]]
    source: tuple[int, int] | None = None
    source_head: int | None = None
    confidence: float = 1.0
    kind: str = "indirect"  # direct | indirect | according_to | passive | mixed
    addressee: tuple[int, int] | None = None
    time: tuple[int, int] | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def content_span(self) -> tuple[int, int]:
        return (min(s for s, _ in self.content), max(e for _, e in self.content))


class ContentEnvelopes:
    """The first and last offset of every attribution's content, so the attributions whose content may
    overlap a span are found in one vectorised test: pairwise scans made long articles full of quotes
    and speech verbs quadratic. The envelope is a superset test (a gap between content parts still
    counts); callers check the parts of the few it returns. When an attribution's content changes, call
    `changed` (its envelope is recomputed lazily, on the next `overlapping`)."""

    def __init__(self, attributions: list[RawAttribution]) -> None:
        self.items = list(attributions)
        self.index = {id(a): k for k, a in enumerate(self.items)}
        self.lo = np.array([_lo(a) for a in self.items], dtype=np.int64)
        self.hi = np.array([_hi(a) for a in self.items], dtype=np.int64)
        self.stale: set[int] = set()

    def add(self, att: RawAttribution) -> None:
        self.index[id(att)] = len(self.items)
        self.items.append(att)
        self.lo = np.append(self.lo, _lo(att))
        self.hi = np.append(self.hi, _hi(att))

    def changed(self, att: RawAttribution) -> None:
        self.stale.add(self.index[id(att)])

    def overlapping(self, start: int, end: int) -> list[RawAttribution]:
        """Attributions, in their original order, whose content envelope overlaps start..end."""
        for k in self.stale:
            self.lo[k], self.hi[k] = _lo(self.items[k]), _hi(self.items[k])
        self.stale.clear()
        return [self.items[k] for k in np.flatnonzero((self.lo < end) & (self.hi > start))]


_NEVER = 1 << 62


def _lo(att: RawAttribution) -> int:
    return min((s for s, _ in att.content), default=_NEVER)


def _hi(att: RawAttribution) -> int:
    return max((e for _, e in att.content), default=-_NEVER)


_TEXT_KEY = "sourcetrace.text"
_SENTS_KEY = "sourcetrace.sentences"
_SENT_TOKENS_KEY = "sourcetrace.sentence_tokens"


def token_strings(doc: Doc, attr: int) -> list[str]:
    """One string attribute of every token, looked up once per distinct value.

    Iterating a Doc creates a Python Token per token, which costs more than our whole analysis of it;
    `to_array` plus one string lookup per distinct value does not.
    """
    ids = doc.to_array([attr]).ravel()
    if len(ids) == 0:
        return []
    unique, inverse = np.unique(ids, return_inverse=True)
    strings = doc.vocab.strings
    values = np.array([strings[int(x)] if x else "" for x in unique], dtype=object)
    return values[inverse.ravel()].tolist()


def doc_text(doc: Doc) -> str:
    """`doc.text`, computed once: spaCy rebuilds it from every token on each access."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        spaces = doc.to_array([SPACY]).ravel().tolist()
        text = "".join(
            t + " " if space else t for t, space in zip(token_strings(doc, ORTH), spaces, strict=True)
        )
        doc.user_data[_TEXT_KEY] = text
    return text


def sentence_tokens(doc: Doc) -> list[tuple[int, int]]:
    """Token bounds (start, end) of the sentences, computed once without walking `doc.sents`."""
    bounds = doc.user_data.get(_SENT_TOKENS_KEY)
    if bounds is None:
        n = len(doc)
        starts = np.flatnonzero(doc.to_array([SENT_START]).ravel() == 1).tolist() if n else []
        if n and (not starts or starts[0] != 0):
            starts.insert(0, 0)
        bounds = list(zip(starts, [*starts[1:], n], strict=True)) if n else []
        doc.user_data[_SENT_TOKENS_KEY] = bounds
    return bounds


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Character bounds of the sentences, computed once (iterating `doc.sents` walks every token)."""
    bounds = doc.user_data.get(_SENTS_KEY)
    if bounds is None:
        idx = doc.to_array([IDX]).ravel().tolist()
        texts = token_strings(doc, ORTH)
        bounds = [(idx[s], idx[e - 1] + len(texts[e - 1])) for s, e in sentence_tokens(doc)]
        doc.user_data[_SENTS_KEY] = bounds
    return bounds
