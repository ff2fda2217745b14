"""sourcetrace: who asserts each claim in a news article, through which chain, on what evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sourcetrace.version import __version__

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from sourcetrace.schema import Report


def analyze(text_or_path: str | Path, **meta: Any) -> Report:
    """Analyse one article. A `pathlib.Path` is read as a file; a `str` is the article text.

    Keyword arguments are document metadata (`title`, `outlet`, `published`, `url`) or `model`,
    the name or path of an installed spaCy pipeline. A path that holds several articles (a folder, a
    .jsonl file, a .json list) raises `sourcetrace.errors.InputError` naming `analyze_many`, the way to
    analyse several.
    """
    from sourcetrace.analyzer import analyze as _analyze

    return _analyze(text_or_path, **meta)


def claim_similarity(pairs: Sequence[tuple[str, str]]) -> list[float]:
    """How likely each (claim, claim) pair reports the same thing, 0..1 (see `sourcetrace.matching`)."""
    from sourcetrace.matching import claim_similarity as _similarity

    return _similarity(pairs)


def claim_relation(pairs: Sequence[tuple[str, str]]) -> list[str]:
    """"same", "contradicts" or "different" per (claim, claim) pair (see `sourcetrace.matching`)."""
    from sourcetrace.matching import claim_relation as _relation

    return _relation(pairs)


def same_claim(pairs: Sequence[tuple[str, str]]) -> list[bool]:
    """Whether each pair reports the same claim: `claim_relation(pairs)` is "same"."""
    from sourcetrace.matching import same_claim as _same

    return _same(pairs)


def set_gc_pause(enabled: bool) -> None:
    """Whether sourcetrace may switch Python's cyclic garbage collector off while it analyses a batch
    (on by default: about 15% faster; the collector is back on between batches and after errors).
    Embedding programs that want the collector left alone call `set_gc_pause(False)`."""
    from sourcetrace.nlp.gcpause import set_gc_pause as _set

    _set(enabled)


__all__ = ["__version__", "analyze", "claim_relation", "claim_similarity", "same_claim", "set_gc_pause"]
