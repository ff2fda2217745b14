"""Hedges, boosters and other certainty markers in a claim, from published lexicons.

The word lists live in ``data/hedges.tsv`` (one entry per row: its kind, the surface forms matched and
the publication it comes from; ``data/LEXICON_CARD.md`` cites them and says what was left out):

* ``hedge``: Hyland (2005)'s hedges and Hooper (1975)'s weak assertives (`may`, `suggests`, `believed to`);
* ``booster``: Hyland (2005)'s boosters (`clearly`, `undeniably`, `in fact`);
* ``factive`` / ``assertive``: Hooper (1975)'s factive and strong assertive predicates, as used by
  Recasens, Danescu-Niculescu-Mizil & Jurafsky (2013) for epistemological bias (`revealed`, `insisted`);
* ``reporting``: the distancing adverbs of news style (`allegedly`, `reportedly`);
* ``conditional`` (`if`, `unless`, `would`) and ``so_called`` (`so-called`, `self-styled`);
* ``scare_quote``: a short quoted phrase (1-3 words) that is nobody's speech (`the "experts"`),
  found from the punctuation, not from the lexicon.

Matching is by whole words, case-insensitive, longest form first. A few forms need context to avoid
false positives; those guards are `_SKIP_AFTER` / `_SKIP_BEFORE` below (`May 4`, `military might`,
`could not`, `would not comment`, `asked if`, `admitted to hospital`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sourcetrace.modelfile import package_path

# What the kinds mean and a claim's certainty belong to the report schema (`schema`).
from sourcetrace.schema import KINDS, Hedge

LEXICON_FILE = package_path("data", "hedges.tsv")



@dataclass(frozen=True, slots=True)
class LexiconEntry:
    entry: str
    kind: str
    forms: tuple[str, ...]
    source: str


def read_lexicon(path: Path = LEXICON_FILE) -> list[LexiconEntry]:
    """The entries of a lexicon TSV; ValueError names the line of a malformed row."""
    entries = []
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader((line for line in fh if not line.startswith("#")), delimiter="\t")
        header = next(rows, None)
        if header != ["entry", "kind", "forms", "source"]:
            raise ValueError(f"{path}: unexpected header {header!r}")
        for n, row in enumerate(rows, start=2):
            if len(row) != 4 or row[1] not in KINDS or not row[2].strip():
                raise ValueError(f"{path}: malformed row {n}: {row!r}")
            forms = tuple(f.strip().lower() for f in row[2].split("|") if f.strip())
            entries.append(LexiconEntry(row[0], row[1], forms, row[3]))
    return entries


# Context guards, keyed by the matched form (lowercased). A form is dropped when the text right after it
# matches _SKIP_AFTER[form], or the text right before it matches _SKIP_BEFORE[form].
_NOT = r"\s+not\b|n['\u2019]t\b"
_REFUSAL = (
    r"(?:\s+not|n['\u2019]t)\s+(?:immediately\s+)?(?:comment|say|confirm|disclose|discuss|elaborate|"
    r"give|provide|reveal|specify|identify|name|speculate|answer|respond|be\s+drawn)\b"
)
_SKIP_AFTER: dict[str, re.Pattern[str]] = {
    # "could not" is mostly past inability ("police could not confirm"), not a weakened claim.
    "could": re.compile(_NOT, re.IGNORECASE),
    # "would not comment" is a refusal to speak, not a conditional.
    "would": re.compile(_REFUSAL, re.IGNORECASE),
    "wouldn't": re.compile(
        r"\s+(?:immediately\s+)?(?:comment|say|confirm|disclose|discuss|elaborate|give|reveal|specify|name)\b",
        re.IGNORECASE,
    ),
    "would not": re.compile(
        r"\s+(?:immediately\s+)?(?:comment|say|confirm|disclose|discuss|elaborate|give|reveal|specify|name)\b",
        re.IGNORECASE,
    ),
    # Patients are "admitted to hospital"; nobody concedes anything.
    "admitted": re.compile(r"\s+(?:to|into)\s+(?:the\s+|a\s+)?(?:hospital|intensive|care|ward|clinic)", re.I),
    "if": re.compile(r"\s+any\b", re.IGNORECASE),  # "few, if any" is a quantity, not a condition
}
_SKIP_BEFORE: dict[str, re.Pattern[str]] = {
    # "military might", "with all his might": the noun.
    "might": re.compile(
        r"\b(?:the|its|his|her|their|our|my|your|with|all|full|sheer|military|economic|naval|"
        r"industrial|financial|political|nuclear|corporate|american|russian|chinese|western)\s+$",
        re.IGNORECASE,
    ),
    "must": re.compile(r"\b(?:a|the)\s+$", re.IGNORECASE),  # "a must", "the must-have" are nouns
    # Indirect questions ("asked if", "unclear if") and "as if" are not conditions.
    "if": re.compile(
        r"\b(?:as|ask|asks|asked|asking|wonder|wonders|wondered|know|knows|knew|see|saw|unclear|clear|"
        r"sure|decide|decides|decided|determine|determined|check|checked|tell|told|whether|even)\s+$",
        re.IGNORECASE,
    ),
}
_MONTH_CONTEXT_BEFORE = re.compile(
    r"\b(?:in|on|since|until|till|by|of|from|through|during|early|late|mid|last|next|this|each|every)[\s-]+$",
    re.IGNORECASE,
)
_MONTH_CONTEXT_AFTER = re.compile(r"[\s,]+(?:\d|of\b|and\s+(?:June|April)\b)|\s*-\s*\d")


def _is_month(text: str, start: int, end: int) -> bool:
    """'May' the month (or the surname) rather than the modal verb."""
    if text[start] != "M":
        return False
    before = text[max(0, start - 20) : start]
    if _MONTH_CONTEXT_BEFORE.search(before) or _MONTH_CONTEXT_AFTER.match(text, end):
        return True
    # A capital 'May' that does not start a sentence is a name or a month; a modal would be lower case.
    return not _starts_sentence(before)


def _starts_sentence(before: str) -> bool:
    stripped = before.rstrip(" \t\"'\u201c\u2018(")
    return not stripped or stripped[-1] in ".!?\n:"


#: Words as the matcher sees them: letters/digits, joined by inner apostrophes or hyphens ("so-called",
#: "wouldn't" and "would-be" are one word each, so "would" never matches inside "would-be").
_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")


def _normalise(matched: str) -> str:
    return " ".join(matched.lower().replace("\u2019", "'").split())


@dataclass(frozen=True, slots=True)
class _Index:
    #: first word -> (the rest of the form's words, the form), longest forms first
    by_first: dict[str, list[tuple[tuple[str, ...], str]]]
    kinds: dict[str, str]  # form -> kind


@cache
def _index(path: Path = LEXICON_FILE) -> _Index:
    kinds: dict[str, str] = {}
    for entry in read_lexicon(path):
        for form in entry.forms:
            kinds.setdefault(_normalise(form), entry.kind)
    by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for form in kinds:
        words = tuple(_WORD.findall(form))
        by_first.setdefault(words[0], []).append((words[1:], form))
    for candidates in by_first.values():
        # Longest first, so 'it seems' wins over 'it' + 'seems' and 'no doubt' over 'doubt'.
        candidates.sort(key=lambda c: -len(c[0]))
    return _Index(by_first, kinds)


def _guarded(text: str, start: int, end: int, form: str) -> bool:
    """True when context shows the form is not the certainty marker (see the guard tables)."""
    after = _SKIP_AFTER.get(form)
    if after is not None and after.match(text, end):
        return True
    before = _SKIP_BEFORE.get(form)
    if before is not None and before.search(text[max(0, start - 30) : start]):
        return True
    if form in _BACKSHIFT_FORMS and _is_backshifted(text, start, end):
        return True
    return form == "may" and _is_month(text, start, end)


def lexicon_markers(text: str, start: int = 0, end: int | None = None) -> Iterator[Hedge]:
    """Lexicon matches inside text[start:end], in order, with the context guards applied.

    Word by word with a first-word index rather than one big regex alternation: a few hundred
    alternatives tried at every character made this the slowest step of the analysis.
    """
    index = _index()
    end = len(text) if end is None else end
    words = list(_WORD.finditer(text, start, end))
    lowered = [w.group(0).lower() for w in words]
    if "\u2019" in text[start:end]:
        lowered = [w.replace("\u2019", "'") for w in lowered]
    free = 0  # first word not yet inside an earlier match
    for i in [k for k, w in enumerate(lowered) if w in index.by_first]:
        match = _match_at(text, words, lowered, i, index) if i >= free else None
        if match is None:
            continue
        last, form = match
        m_start, m_end = words[i].start(), words[last].end()
        free = last + 1
        if not _guarded(text, m_start, m_end, form):
            yield Hedge(text=text[m_start:m_end], start=m_start, end=m_end, kind=index.kinds[form])


def _match_at(
    text: str, words: list[re.Match[str]], lowered: list[str], i: int, index: _Index
) -> tuple[int, str] | None:
    """(index of the last word, form) of the longest form starting at word i, or None."""
    for rest, form in index.by_first.get(lowered[i], ()):
        last = i + len(rest)
        if last >= len(words) or tuple(lowered[i + 1 : last + 1]) != rest:
            continue
        # The words of a phrase are separated by whitespace only ("of course", not "of, course").
        if all(text[words[k].end() : words[k + 1].start()].isspace() for k in range(i, last)):
            return last, form
    return None


#: Past-tense speech and thought verbs: after them "would" is reported "will", not a conditional.
_PAST_REPORTING = re.compile(
    r"(?<![\w-])(?:said|told|announced|added|warned|stated|confirmed|predicted|promised|pledged|vowed|"
    r"insisted|claimed|argued|wrote|reported|explained|indicated|agreed|decided|hoped|feared|expected|"
    r"believed|thought|knew|estimated|signalled|signaled|assured|maintained|asked|wondered)(?![\w-])",
    re.IGNORECASE,
)
_CONDITION = re.compile(r"(?<![\w-])(?:if|unless)(?![\w-])", re.IGNORECASE)
_BACKSHIFT_FORMS = frozenset({"would", "would not", "wouldn't"})


def _is_backshifted(text: str, start: int, end: int) -> bool:
    """'said the bridge would close': future in the past of reported speech, unless a condition is stated."""
    sentence = _sentence_around(text, start, end)
    if not _PAST_REPORTING.search(sentence):
        return False
    # Only a real condition counts: "asked if the clinic would stay open" is an indirect question.
    return not any(
        not _guarded(sentence, m.start(), m.end(), m.group(0).lower()) for m in _CONDITION.finditer(sentence)
    )


# ------------------------------------------------------------------------------------ scare quotes

#: A quoted phrase of this many words at most can be a scare quote; longer ones are speech.
MAX_SCARE_QUOTE_WORDS = 3
_QUOTED = re.compile(
    r"\u201c(?P<curly>[^\u201c\u201d\n]{1,60})\u201d"
    r"|(?<![\w\"])\"(?P<straight>[^\"\n]{1,60})\"(?![\w\"])"
    r"|(?<![\w'\u2018\u2019])[\u2018'](?P<single>[^'\u2018\u2019\n]{1,60})[\u2019'](?![\w'\u2018\u2019])"
)
#: Verbs and nouns that make a nearby quoted phrase someone's words (a partial quote), or a mention of a word.
_SPEECH_NEARBY = re.compile(
    r"(?<![\w-])(?:say|says|said|saying|tell|tells|told|call|calls|called|calling|describe[sd]?|describing|dub|"
    r"dubbed|term|termed|terms|label(?:l?ed)?|brand(?:ed|s)?|name[sd]?|word|words|phrase|slogan|motto|"
    r"title[sd]?|headline[sd]?|wrote|writes|write|added|adds|warn(?:s|ed)?|insist(?:s|ed)?|claim(?:s|ed)?|"
    r"argue[sd]?|urge[sd]?|vow(?:s|ed)?|promise[sd]?|declare[sd]?|announce[sd]?|according|quoted|"
    r"tweet(?:s|ed)?|posted|stated?|states|asked|replied|nicknamed|known\s+as|referred\s+to\s+as)(?![\w-])",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"[.!?]\s|\n")
_END_PUNCT = ",.!?;:\u2026"


def find_scare_quotes(text: str, start: int, end: int) -> list[Hedge]:
    """Short quoted phrases inside text[start:end] that are not anybody's quoted speech.

    A quoted phrase is a scare quote when it has 1-3 words, ends without punctuation (speech does), is not
    a title or name (every word capitalised), and its sentence has no speech or naming verb
    (`said`, `called it`, `dubbed`, `the word`), which would make it a partial quote or a mention.
    """
    out = []
    for m in _QUOTED.finditer(text, start, end):
        inner = m.group("curly") or m.group("straight") or m.group("single") or ""
        words = inner.split()
        if not 1 <= len(words) <= MAX_SCARE_QUOTE_WORDS or inner != inner.strip():
            continue
        if inner[-1] in _END_PUNCT or all(w[0].isupper() or not w[0].isalpha() for w in words):
            continue
        if _SPEECH_NEARBY.search(_sentence_around(text, m.start(), m.end())):
            continue
        out.append(Hedge(text=m.group(0), start=m.start(), end=m.end(), kind="scare_quote"))
    return out


def _sentence_around(text: str, start: int, end: int) -> str:
    """The text of the sentence holding text[start:end], the quote itself left out."""
    breaks = list(_SENTENCE_BREAK.finditer(text, max(0, start - 400), start))
    left = breaks[-1].end() if breaks else max(0, start - 400)
    after = _SENTENCE_BREAK.search(text, end, min(len(text), end + 400))
    right = after.start() + 1 if after else min(len(text), end + 400)
    return text[left:start] + " " + text[end:right]


# ------------------------------------------------------------------------------------------ API


def find_hedges(text: str, start: int = 0, end: int | None = None) -> list[Hedge]:
    """Every certainty marker inside text[start:end] (lexicon terms and scare quotes), by offset."""
    end = len(text) if end is None else end
    markers = list(lexicon_markers(text, start, end))
    for quote in find_scare_quotes(text, start, end):
        # A lexicon term inside a scare quote ("so-called") keeps its own entry next to the quote.
        markers.append(quote)
    return sorted(markers, key=lambda h: (h.start, h.end))


