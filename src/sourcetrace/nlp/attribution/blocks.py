"""Block quotations: a speech tag ending its paragraph in a colon, and the speaker's words below it.

Sites that repost a speech or an article print it as plain paragraphs under a line such as `In his
acceptance speech he said:` or `Ines Farkas wrote in the Harbour Review as follows:`, with no quotation
marks (quoted blocks are read by `quotes.py`). Every paragraph below is the speaker's until the author
speaks again: a paragraph that names the speaker (`Farkas also says ...`), that opens with a quotation
mark, or that ends in a new tag of its own.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from sourcetrace.nlp.attribution.rules import addressee_of, is_reporting, subtree_span
from sourcetrace.nlp.attribution.types import RawAttribution, doc_text

#: The most paragraphs one tag is taken to introduce: a reposted speech or column, not a whole site.
MAX_BLOCK_PARAGRAPHS = 20
_QUOTE_MARKS = frozenset("\"\u201c\u201d\u00ab\u00bb\u201e")


def block_quotations(doc: Doc) -> list[RawAttribution]:
    """One attribution per speech tag that ends a paragraph in a colon with plain paragraphs below."""
    text = doc_text(doc)
    out = []
    for sent in doc.sents:
        tag = _colon_tag(sent, text)
        if tag is None:
            continue
        verb, subject = tag
        paragraphs = _block(doc, text, sent.end_char, _speaker_words(sent, subject))
        if paragraphs:
            out.append(
                RawAttribution(
                    cue=(verb.idx, verb.idx + len(verb.text)), cue_head=verb.i, content=paragraphs,
                    source=subtree_span(subject), source_head=subject.i, confidence=0.6,
                    kind="indirect", addressee=addressee_of(verb), extra={"construction": "block_quotation"},
                )
            )
    return out


def _colon_tag(sent: Span, text: str) -> tuple[Token, Token] | None:
    """The speech verb and its subject of a sentence that ends its paragraph in a colon."""
    last = next((t for t in reversed(sent) if not t.is_space), None)
    if last is None or last.text != ":" or "\n" not in text[last.idx + 1 : last.idx + 3]:
        return None
    # The sentence's last speech verb with a subject (the parser does not always make it the root:
    # `In his speech at the convention he said:`), with no content of its own (`said the plan has three
    # parts:` says something already) and no other verb between it and the colon (`which officials
    # said was flawed, lists three items:`); `as follows` may stand there.
    for verb in reversed(sent):
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None) if is_reporting(verb) else None
        if subject is None:
            continue
        own_content = any(c.dep_ in _CONTENT_DEPS for c in verb.children)
        between = sent.doc[verb.i + 1 : last.i]
        verb_after = any(t.pos_ in ("VERB", "AUX") and t.lower_ != "follows" for t in between)
        return None if own_content or verb_after else (verb, subject)
    return None


#: Children that are a speech verb's own content.
_CONTENT_DEPS = frozenset({"ccomp", "xcomp", "dobj", "parataxis"})


def _speaker_words(sent: Span, subject: Token) -> set[str]:
    """Words that name the speaker: the subject's proper nouns (or its head noun: `the ministry`), or
    for a pronoun the names in its sentence and the one before (`Candidate Ann Berg ... she said:`)."""
    words = {t.lower_ for t in subject.subtree if t.pos_ == "PROPN"}
    if subject.pos_ == "NOUN":
        words.add(subject.lower_)
    if words:
        return words
    doc = sent.doc
    start = doc[sent.start - 1].sent.start if sent.start > 0 else sent.start
    return {t.lower_ for e in doc[start : sent.end].ents if e.label_ == "PERSON" for t in e}


def _block(doc: Doc, text: str, start: int, speaker: set[str]) -> list[tuple[int, int]]:
    """The plain paragraphs after `start`, up to the first one where the author speaks again: one that
    names the speaker, opens a quotation, ends in a tag of its own or reports someone else's words."""
    out: list[tuple[int, int]] = []
    at = start
    while len(out) < MAX_BLOCK_PARAGRAPHS:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            break
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        paragraph = text[at:end]
        words = {_bare_word(w) for w in paragraph.split()}
        quoted = paragraph[:1] in _QUOTE_MARKS  # a quotation has its own speaker (`quotes.py`)
        if (words & speaker) or quoted or paragraph.rstrip().endswith(":") or _reports_others(doc, at, end):
            break
        out.append(_trim_end(text, at, end))
        at = end
    return out


def _bare_word(word: str) -> str:
    """`Farkas's` -> `farkas`: a word as it names someone, without punctuation or possessive."""
    word = word.strip(".,;:!?\"'\u2019\u201c\u201d()").lower()
    for ending in ("'s", "\u2019s"):
        word = word.removesuffix(ending)
    return word


#: Subjects a speaker uses for themselves or their audience inside their own words.
_OWN_VOICE = frozenset({"i", "we", "you"})


def _reports_others(doc: Doc, start: int, end: int) -> bool:
    """A speech verb with a subject other than `I`, `we`, `you`: the author reports someone again."""
    span = doc.char_span(start, end, alignment_mode="contract")
    return span is not None and any(
        is_reporting(t) and any(c.dep_ == "nsubj" and c.lower_ not in _OWN_VOICE for c in t.children)
        for t in span
    )


def _trim_end(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
