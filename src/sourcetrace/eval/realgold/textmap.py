"""Finding a quoted stretch in an article, and carrying offsets between two versions of one text.

Annotators copy claim texts by hand: quotes may be straightened, dashes and white space changed, a
final full stop dropped. `locate` finds such a copy in the raw field and returns raw offsets. The tool
analyses a cleaned text (stripped, headline line dropped, mojibake repaired); `OffsetMap` carries gold
offsets from the raw field into that text, through any edit, by aligning the two.
"""

from __future__ import annotations

import bisect
import difflib

_FOLD = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
}  # fmt: skip


def _fold_char(ch: str) -> str:
    ch = _FOLD.get(ch, ch)
    lower = ch.lower()
    return lower if len(lower) == 1 else ch


def normalise(text: str) -> tuple[str, list[int]]:
    """Folded text (quotes, dashes, case; white-space runs as one space) and each character's source."""
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        ch = _fold_char(ch)
        if ch.isspace():
            if chars and chars[-1] == " ":
                continue
            ch = " "
        chars.append(ch)
        where.append(i)
    return "".join(chars), where


def locate(
    text: str, needle: str, within: tuple[int, int] | None = None, occurrence: int = 1
) -> tuple[int, int] | None:
    """Raw offsets of the `occurrence`-th copy of `needle` in `text[within]`, or None."""
    start, end = within if within is not None else (0, len(text))
    folded, where = normalise(text[start:end])
    target, _ = normalise(needle.strip())
    target = target.strip()
    for candidate in (target, target.rstrip(".").rstrip()):
        if not candidate:
            continue
        at, seen = -1, 0
        while seen < max(occurrence, 1):
            at = folded.find(candidate, at + 1)
            if at < 0:
                break
            seen += 1
        if at >= 0:
            return start + where[at], start + where[at + len(candidate) - 1] + 1
    return None


class OffsetMap:
    """Maps offsets of `source` to offsets of `target`, a lightly edited copy of it."""

    def __init__(self, source: str, target: str) -> None:
        self.shift: int | None = None
        at = source.find(target) if target else -1
        if at >= 0:
            self.shift = -at  # target is a stretch of source: a constant shift
            self.length = len(target)
            return
        matcher = difflib.SequenceMatcher(None, source, target, autojunk=False)
        blocks = [b for b in matcher.get_matching_blocks() if b.size]
        self._starts = [b.a for b in blocks]
        self._blocks = blocks
        self.length = len(target)

    def __call__(self, offset: int) -> int | None:
        """The target offset of source `offset`; None when that character was removed."""
        if self.shift is not None:
            moved = offset + self.shift
            return moved if 0 <= moved <= self.length else None
        k = bisect.bisect_right(self._starts, offset) - 1
        if k < 0:
            return None
        block = self._blocks[k]
        if offset < block.a + block.size:
            return block.b + offset - block.a
        return None

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """The target span of a source span, from its first to its last mapped character."""
        mapped = [m for m in (self(i) for i in range(start, end)) if m is not None]
        if not mapped:
            return None
        return min(mapped), max(mapped) + 1
