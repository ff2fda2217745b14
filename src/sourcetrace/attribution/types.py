"""The tagger's raw output, before sources are resolved and attributions nested."""

from __future__ import annotations

from dataclasses import dataclass, field

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


_TEXT_KEY = "sourcetrace.text"
_SENTS_KEY = "sourcetrace.sentences"


def doc_text(doc: Doc) -> str:
    """`doc.text`, computed once: spaCy rebuilds it from every token on each access."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Character bounds of the sentences, computed once (iterating `doc.sents` walks every token)."""
    bounds = doc.user_data.get(_SENTS_KEY)
    if bounds is None:
        bounds = doc.user_data[_SENTS_KEY] = [(s.start_char, s.end_char) for s in doc.sents]
    return bounds
