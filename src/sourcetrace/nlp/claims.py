"""Claims: what the article asserts, clause by clause, each with the chain that carries it.

Attributed content becomes claims sentence by sentence (minus any nested attribution, which carries its
own claim); every other sentence that asserts something is the author's own claim.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from spacy.tokens import Doc

from sourcetrace.nlp import hedging
from sourcetrace.nlp.attribution.types import doc_text, sentence_bounds
from sourcetrace.schema import Hedge

_EDGE = " \t\n,.;:\"'\u201c\u201d\u2018\u2019()[]\u2014\u2013-"
#: The complementiser after a speech verb (`said that ...`) is lower case; a capital `That` opens a
#: quoted or new sentence and belongs to it (`"That tendency has always been part of her"`).
_LEADING_THAT = re.compile(r"^(?:that|whether)\s+")
MIN_CLAIM_WORDS = 3

def claim_id(input_sha256: str, start: int, end: int) -> str:
    digest = hashlib.sha256(f"{input_sha256}:{start}:{end}".encode()).hexdigest()
    return "c_" + digest[:16]


def trim_claim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    match = _LEADING_THAT.match(text[start:end])
    if match:
        start += match.end()
    return start, end


#: Site furniture that reads like a sentence but asserts nothing about the story: footers, sharing
#: prompts, update notes, captions, embedded-tweet bylines, ad lines scraped into the body.
BOILERPLATE = re.compile(
    r"""(?ix)
    ^(?:the\ views\ expressed\ in\ this | get\ your\ daily\ dose | let\ us\ know\ in\ the\ comments
      | story\ continued\ below | this\ (?:story|article|post)\ (?:has\ been|was)\ updated
      | the\ original\ text\ was | headline: | photo: | image(?:\ via)?: | read(?:\ more)?: | watch:
      | click\ here | we\ encourage\ you\ to\ share | this\ content\ may\ be\ freely | add\ your\ two\ cents
      | %\ of\ readers
      | subscribe | sign\ up\ for | follow\ us | share\ this | warning:)
    | contributed\ reporting | \(@\w+\)\ \w+\ \d{1,2},\ \d{4}$
    """
)
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+\.(?:com|org|net|jpg|png|html?)\S*")


def is_checkable(span_text: str) -> bool:
    """A claim asserts something: enough words, not a question, not a bare label, not site furniture."""
    words = re.findall(r"[^\W_]+", span_text)
    if len(words) < MIN_CLAIM_WORDS or span_text.rstrip().endswith("?"):
        return False
    if BOILERPLATE.search(span_text.strip()):
        return False
    # Mostly links: `https://... (Backup http://...)`.
    linked = sum(len(m.group(0)) for m in _URL.finditer(span_text))
    return linked < 0.5 * len(span_text.strip())


def _is_question(text: str, sentence: tuple[int, int]) -> bool:
    return text[sentence[0] : sentence[1]].rstrip(" \n\"'\u201d\u2019)").endswith("?")


def is_subheading(text: str, sentence: tuple[int, int]) -> bool:
    """A paragraph of its own, short, in title case, without final punctuation: a crosshead."""
    line = text[sentence[0] : sentence[1]].strip()
    before = text[: sentence[0]].rstrip(" \t")
    after = text[sentence[1] :].lstrip(" \t")
    if not line or line[-1] in ".!?:;\"\u201d\u2019)" or (before and not before.endswith("\n")):
        return False
    if after and not after.startswith("\n"):
        return False
    words = re.findall(r"[A-Za-z][\w'\u2019-]*", line)
    capitalised = sum(w[0].isupper() for w in words)
    return 0 < len(words) <= 12 and capitalised >= 0.6 * len(words)


def pieces(doc: Doc, span: tuple[int, int], holes: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Split `span` by sentence, dropping sentences that are mostly holes (nested attributions)."""
    out = []
    holes = list(holes)
    text = doc_text(doc)
    for sent_start, sent_end in sentence_bounds(doc):
        if sent_start >= span[1] or sent_end <= span[0]:
            continue
        start, end = max(span[0], sent_start), min(span[1], sent_end)
        if _mostly_covered((start, end), holes) or _is_question(text, (sent_start, sent_end)):
            continue
        start, end = trim_claim(text, start, end)
        if end > start and is_checkable(text[start:end]):
            out.append((start, end))
    return out


#: A sentence of relayed content that is mostly another attribution carries no claim of its own.
NESTED_COVER_SHARE = 0.6


def _mostly_covered(span: tuple[int, int], holes: list[tuple[int, int]]) -> bool:
    length = span[1] - span[0]
    covered = sum(max(0, min(e, span[1]) - max(s, span[0])) for s, e in holes)
    return length > 0 and covered / length >= NESTED_COVER_SHARE


def uncovered_sentences(
    doc: Doc, covered: list[tuple[int, int]], skip_until: int = 0
) -> list[tuple[int, int]]:
    """Sentences that no attribution touches: the author's own assertions."""
    out = []
    text = doc_text(doc)
    for sent_start, sent_end in sentence_bounds(doc):
        start, end = max(sent_start, skip_until), sent_end
        if start >= end or any(s < end and e > start for s, e in covered):
            continue
        if _is_question(text, (sent_start, sent_end)) or is_subheading(text, (sent_start, sent_end)):
            continue
        start, end = trim_claim(text, start, end)
        if end > start and is_checkable(text[start:end]):
            out.append((start, end))
    return out


def find_hedges(text: str, start: int, end: int) -> list[Hedge]:
    """Hedges, boosters, distancing words, conditionals and scare quotes inside text[start:end].

    The lexicons and rules are in `sourcetrace.nlp.hedging`; claims are where they are attached.
    """
    return hedging.find_hedges(text, start, end)
