"""Quotation spans in running text, news-style.

A quote may run over several paragraphs: by newspaper convention a paragraph that continues a quote
leaves it unclosed and the next paragraph reopens it. Straight quotes are paired by position (an opening
mark follows whitespace or an opening bracket), curly quotes by shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sourcetrace.nlp.attribution.types import ContentEnvelopes, RawAttribution

OPENERS = {"\u201c": "\u201d", '"': '"', "\u00ab": "\u00bb", "\u201e": "\u201d"}
CLOSERS = frozenset(OPENERS.values())
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n(?=\s*[\"\u201c\u00ab\u201e])")
#: At most this many words and no sentence punctuation: a scare quote or a title, not speech.
SCARE_QUOTE_MAX_WORDS = 4


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation: `parts` are inner spans (marks excluded), one per paragraph it runs over."""

    parts: tuple[tuple[int, int], ...]
    open_mark: int  # offset of the opening mark
    close_mark: int | None  # offset of the closing mark; None when the paragraph ended it

    @property
    def start(self) -> int:
        return self.parts[0][0]

    @property
    def end(self) -> int:
        return self.parts[-1][1]

    @property
    def outer_end(self) -> int:
        return self.close_mark + 1 if self.close_mark is not None else self.end

    def marked_parts(self, text: str) -> list[tuple[int, int]]:
        """The parts with their quotation marks, as annotators mark quoted content."""
        out = []
        last = len(self.parts) - 1
        for k, (start, end) in enumerate(self.parts):
            j = start - 1
            while j >= 0 and text[j].isspace():
                j -= 1
            if j >= 0 and text[j] in OPENERS:
                start = j
            if k == last and self.close_mark is not None:
                end = self.close_mark + 1
            out.append((start, end))
        return out

    def is_speech(self, text: str) -> bool:
        inner = text[self.start : self.end]
        words = inner.split()
        return len(words) > SCARE_QUOTE_MAX_WORDS or bool(re.search(r"[.!?,;:]\s*$", inner.strip()))


def _opens(text: str, i: int) -> bool:
    ch = text[i]
    if ch != '"':
        return ch in OPENERS
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([{\u2014\u2013-:") and not after.isspace()


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _paragraph_ends(text: str) -> list[int]:
    return [m.start() for m in _PARAGRAPH_BREAK.finditer(text)] + [len(text)]


def find_quotes(text: str) -> list[Quote]:
    """All quotations in `text`, in order, each with its parts."""
    quotes: list[Quote] = []
    para_ends = _paragraph_ends(text)
    i, n = 0, len(text)
    while i < n:
        if not _opens(text, i):
            i += 1
            continue
        closer = OPENERS[text[i]]
        open_mark, part_start, parts = i, i + 1, []
        j = i + 1
        while j < n:
            para_end = next(e for e in para_ends if e >= j)
            close = _find_closer(text, j, para_end, closer)
            if close is not None:
                parts.append(_trim(text, part_start, close))
                quotes.append(Quote(tuple(p for p in parts if p[0] < p[1]), open_mark, close))
                j = close + 1
                break
            parts.append(_trim(text, part_start, para_end))
            nxt = _next_paragraph_start(text, para_end)
            if nxt is not None and nxt < n and text[nxt] in OPENERS:
                part_start, j = nxt + 1, nxt + 1
                continue
            kept = tuple(p for p in parts if p[0] < p[1])
            if kept:
                quotes.append(Quote(kept, open_mark, None))
            j = para_end
            break
        i = max(j, i + 1)
    return [q for q in quotes if q.parts]


def _find_closer(text: str, start: int, stop: int, closer: str) -> int | None:
    curly_open = 0  # curly quotes opened inside a straight one
    for k in range(start, stop):
        ch = text[k]
        if ch == closer and (closer != '"' or _closes_straight(text, k)):
            return k
        if closer == '"' and ch == "\u201c":
            curly_open += 1
        elif closer == '"' and ch == "\u201d":
            if not curly_open:
                return k  # `"This refinery has produced more,\u201d the official said`: mixed marks
            curly_open -= 1
    if closer != '"':
        # Scraped text mixes typography (`“... this November."`): with no closer of its own shape in
        # the paragraph, the first straight mark that can close one does, unless it closes a quote inside
        # the quote (an odd number of straight marks before it).
        marks = [m.start() for m in re.finditer('"', text[start:stop])]
        for n, k in enumerate(start + m for m in marks):
            if n % 2 == 0 and _closes_straight(text, k) and not text[k + 1 : k + 2].isalnum():
                return k
    return None


def _closes_straight(text: str, k: int) -> bool:
    before = text[k - 1] if k > 0 else " "
    return not before.isspace()


def _next_paragraph_start(text: str, para_end: int) -> int | None:
    k = para_end
    while k < len(text) and text[k].isspace():
        k += 1
    return k if k < len(text) else None


def quote_at(quotes: list[Quote], offset: int) -> Quote | None:
    """The quote whose inner text contains `offset`."""
    for q in quotes:
        for s, e in q.parts:
            if s <= offset < e:
                return q
    return None


_TRAILING_NAME = re.compile(
    r"[ \t]*[-\u2013\u2014]{1,2}[ \t]*([A-Z][\w.'\u2019-]*(?:[ \t]+[A-Z][\w.'\u2019-]*){0,3})"
)
#: Words allowed between two quotes for them to be one utterance split by its speech tag
#: (`"A," a spokesman for the city's police union said. "B."`).
SPLIT_TAG_MAX_WORDS = 16


def _paragraph_of(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, end if end >= 0 else len(text)


def _speech_tag(attributions: list[RawAttribution], quote: Quote) -> RawAttribution | None:
    """The attribution that reports `quote`: its cue outside the quote, its content inside it.

    Of several, the one whose cue is nearest the quote wins (`Brandt denied X. "...", Brandt told RTN.`).
    """
    # The cheap overlap test first: on a long line of many quotes it rules out nearly every attribution.
    candidates = [
        a
        for a in attributions
        if any(s < quote.end and e > quote.start for s, e in a.content)
        and quote_at([quote], a.cue[0]) is None
    ]
    return min(candidates, key=lambda a: _distance(a.cue, quote), default=None)


def _distance(cue: tuple[int, int], quote: Quote) -> int:
    return max(cue[0] - quote.outer_end, quote.open_mark - cue[1], 0)


def attach_quotes(text: str, attributions: list[RawAttribution], quotes: list[Quote]) -> list[RawAttribution]:
    """Give every quotation its speaker: a speech tag, a trailing `- Name`, or the previous speaker."""
    speech = [q for q in quotes if q.is_speech(text)]
    out = list(attributions)
    near = ContentEnvelopes(out)
    previous: RawAttribution | None = None
    claimed: set[int] = set()
    for index, quote in enumerate(speech):
        if index in claimed:
            continue
        att = _speech_tag(near.overlapping(quote.start, quote.end), quote)
        if att is not None:
            near.changed(att)
            if not _within(att.content, quote.marked_parts(text)):
                # A mixed quote: the paraphrase around the quoted words is content too, and so is the
                # rest of the quotation when it runs on past the clause (`said it "was A ... B."`).
                start, end = att.content[-1]
                if start < quote.outer_end and quote.outer_end > end and att.cue[0] < quote.open_mark:
                    att.content[-1] = (start, quote.outer_end)
                previous = att
                continue
            att.content = quote.marked_parts(text)
            att.kind = "direct"
            follower = speech[index + 1] if index + 1 < len(speech) else None
            if follower is not None and _continues(text, quote, follower, att):
                att.content.extend(follower.marked_parts(text))
                claimed.add(index + 1)
        else:
            att = (
                _trailing_name(text, quote)
                or _inherited(text, quote, previous)
                or _inherited(text, quote, _speaker_in_paragraph(text, quote, out), same_paragraph=True)
            )
            if att is None:
                continue
            out.append(att)
            near.add(att)
        previous = att
    return sorted(out, key=lambda a: a.cue[0] if a.cue[1] > a.cue[0] else a.content_span[0])


def _within(content: list[tuple[int, int]], parts: list[tuple[int, int]]) -> bool:
    lo, hi = parts[0][0], parts[-1][1]
    return all(lo <= s and e <= hi + 1 for s, e in content)


def _continues(text: str, first: Quote, second: Quote, att: RawAttribution) -> bool:
    gap_start, gap_end = first.outer_end, second.open_mark
    same_paragraph = "\n" not in text[gap_start:gap_end]
    return (
        same_paragraph
        and gap_start <= att.cue[0] < gap_end
        and len(text[gap_start:gap_end].split()) <= SPLIT_TAG_MAX_WORDS
    )


def _trailing_name(text: str, quote: Quote) -> RawAttribution | None:
    match = _TRAILING_NAME.match(text, quote.outer_end)
    if match is None:
        return None
    dash = match.start() + len(match.group(0)) - len(match.group(0).lstrip(" \t"))
    return RawAttribution(
        cue=(dash, dash + 1),
        cue_head=-1,
        content=quote.marked_parts(text),
        source=(match.start(1), match.end(1)),
        confidence=0.7,
        kind="direct",
    )


def _speaker_in_paragraph(text: str, quote: Quote, found: list[RawAttribution]) -> RawAttribution | None:
    """`Epshteyn responded that they differ. "There is no equivalency."`: an untagged quote right after
    a reported statement in its own paragraph continues that speaker."""
    para_start, _ = _paragraph_of(text, quote.start)
    before = [
        a for a in found
        if a.source is not None
        and para_start <= a.cue[0] < quote.open_mark
        and a.content_span[1] <= quote.open_mark
    ]
    if not before:
        return None
    latest = max(before, key=lambda a: a.content_span[1])
    return latest if len(text[latest.content_span[1] : quote.open_mark].split()) <= 2 else None


def _inherited(
    text: str, quote: Quote, previous: RawAttribution | None, *, same_paragraph: bool = False
) -> RawAttribution | None:
    """A quote standing alone in its paragraph continues the last speaker quoted just before it (or,
    with `same_paragraph`, the speaker of the statement just before it in its paragraph)."""
    if previous is None or previous.source is None:
        return None
    para_start, _ = _paragraph_of(text, quote.start)
    if not same_paragraph and text[para_start : quote.open_mark].strip():
        return None
    return RawAttribution(
        cue=(quote.open_mark, quote.open_mark),
        cue_head=-1,
        content=quote.marked_parts(text),
        source=previous.source,
        source_head=previous.source_head,
        confidence=0.5,
        kind="direct",
        extra={"inherited_speaker": True},
    )
