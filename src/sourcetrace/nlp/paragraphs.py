"""Sentence starts the parser must respect, set before it runs: paragraphs, datelines, crossheads.

Scraped news loses its layout: paragraphs are joined by two spaces, crossheads (which end in no full
stop) run into the next sentence, and a dateline (`TEHRAN -`) becomes the subject of the first
sentence. The `sourcetrace_paragraphs` component marks where sentences start so that the parser keeps
them apart; and it keeps together what belongs together: `He said:` and the quotation that is the next
paragraph.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Token

from sourcetrace.nlp.attribution.lexicon import REPORTING_VERBS
from sourcetrace.nlp.attribution.quotes import OPENERS

#: A dateline at the start of an article: `TEHRAN -`, `TEHRAN (IRNA) --`, `GENEVA, May 3 (Reuters) -`.
_LEADING_DATELINE = re.compile(
    r"^\s*[A-Z][A-Z .,'\u2019-]{1,40}?(?:,[^\n()]{1,30})?(?:\s*\([^)\n]{1,60}\))?"
    r"\s*[-\u2013\u2014]{1,2}\s*(?=[A-Z\"\u201c])"
)


def ends_with_speech_tag(doc: Doc, token: Token) -> bool:
    """`He said:`, `She went on to say:`: a speech verb and a colon end the line (not a colon after
    any clause: `..., because of course:` before an excerpt). Runs before the lemmatizer, so the verb's
    inflected forms are read here."""
    if token.is_space:
        token = doc[token.i - 1] if token.i else token
    if token.text != ":" or token.i == 0:
        return False
    verb = doc[token.i - 1]
    if not verb.tag_.startswith("VB"):
        return False  # `Key points:` is no speech tag, though `point` is a speech verb
    word = verb.lower_
    stems = {word, word[:-1], word[:-2], word[:-3] + "y"}
    return word in _IRREGULAR_SPEECH_FORMS or any(stem in REPORTING_VERBS for stem in stems)


#: Past and present forms of speech verbs that no suffix rule gives back (`said` from `say`).
_IRREGULAR_SPEECH_FORMS = frozenset({"said", "says", "told", "wrote", "writes", "spoke"})


#: A wire's credit glued to the first sentence: `(Wire)The ministry said ...`.
_LEADING_CREDIT = re.compile(r"^\s*\([A-Z][^)\n]{0,40}\)[ \t]*(?=[A-Z\"\u201c])")

_OPENING_MARKS = frozenset({"\u2018", "\u201c", "'", '"'})
_CLOSING_MARKS = frozenset({"\u2019", "\u201d", "'", '"'})


def _may_open_paragraph(doc: Doc, token: Token) -> bool:
    """After two spaces, a word or quotation mark that starts a joined paragraph or crosshead: after a
    full stop or closing mark, anything capitalised; after a word, a capitalised word that is no name
    (`the vaccine  Meanwhile, ...`), and never right after a verb (`The report said  Ann Berg was
    right`: a stray space)."""
    if not (token.text[:1].isupper() or token.text in _OPENING_MARKS):
        return False
    before = next((t for t in reversed(doc[: token.i]) if not t.is_space), None)
    if before is None or before.text in _SENTENCE_ENDS:
        return True
    # Fine-grained tags only: this runs before the attribute ruler sets coarse ones.
    return not before.tag_.startswith(("VB", "MD")) and token.tag_ not in ("NNP", "NNPS")


_SENTENCE_ENDS = frozenset({".", "!", "?", "\u2019", "\u201d", '"', "'"})


def _end_quoted_crosshead(doc: Doc, opening: Token, longest: int = 25) -> None:
    """`  \u2018Talks will go on\u2019 The minister also said ...`: a crosshead in quotation marks with
    no full stop, joined to the next sentence; the sentence starts after its closing mark."""
    if opening.text not in _OPENING_MARKS:
        return
    for token in doc[opening.i + 1 : opening.i + longest]:
        if token.text in (".", "!", "?") or token.is_space:
            return
        if token.text in _CLOSING_MARKS:
            after = doc[token.i + 1] if token.i + 1 < len(doc) else None
            if after is not None and after.is_title and after.is_alpha:
                after.is_sent_start = True
            return


@Language.component("sourcetrace_paragraphs")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A new paragraph starts a new sentence, and so does the text after a dateline (else the parser
    makes `TEHRAN` the subject of the first sentence); runs before the parser, which respects them."""
    for token in doc[1:]:
        prev = doc[token.i - 1]
        if "\n" in prev.whitespace_ or (prev.is_space and "\n" in prev.text):
            if token.text in OPENERS and ends_with_speech_tag(doc, prev):
                continue  # `He said:` then the quotation as a paragraph of its own: one sentence
            token.is_sent_start = True
        elif prev.is_space and not token.is_space and _may_open_paragraph(doc, token):
            # Two spaces before a capital: how paragraphs (and crossheads, which end in no full
            # stop) were joined in scraped text (`... the vaccine  Meanwhile, the minister said`).
            token.is_sent_start = True
            _end_quoted_crosshead(doc, token)
    head = "".join(t.text_with_ws for t in doc[:60])  # `doc.text` would rebuild the whole text
    dateline = _LEADING_DATELINE.match(head) or _LEADING_CREDIT.match(head)
    if dateline is not None and dateline.end() < len(head):
        after = doc.char_span(dateline.end(), len(head), alignment_mode="expand")
        if after is not None and len(after) and after.start > 0:
            after[0].is_sent_start = True
            # The name that opens the lead is one phrase (`Abolfazl Shekarchi, spokesman ...`): the
            # parser, told a sentence starts at `Abolfazl`, may also end it there.
            for token in after[1:]:
                if not (token.is_alpha and token.text[:1].isupper()):
                    break
                token.is_sent_start = False
    return doc
