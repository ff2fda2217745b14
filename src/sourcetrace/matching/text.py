"""Normalised views of a claim sentence shared by the pair features and the MinHash index.

Everything here is cheap, deterministic and needs no spaCy: claim matching runs over candidate sets of
hundreds of pairs per query, and a parse per sentence would dominate the cost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

#: Words (letters, digits, inner apostrophes), numbers with inner separators ("1,200", "2.5"), and the
#: currency / percent signs, which change what a number means.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)*|[$€£%]")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")
#: Words that deny or negate. A mismatch between the two sides is a strong sign that one reports a claim
#: and the other disputes it ("X resigned" / "X did not resign", "X denies resigning").
NEGATIONS = frozenset(
    "not no never none nobody nothing neither nor n't cannot without deny denies denied denying "
    "false fake hoax untrue debunk debunked debunks rejects rejected dismisses dismissed refutes refuted "
    "retracts retracted".split()
)
#: Stop words minus the negations, which carry meaning here.
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) - NEGATIONS | {"s", "said", "says", "say", "according"}
#: Porter's English Snowball stemmer (the maintained `snowballstemmer` package): `closes` and `closing`
#: meet, `ministry` and `minister` do not (cutting words at six letters, until 2026-12-07, did the opposite).
_STEMMER = snowballstemmer.stemmer("english")


def _normalise_number(token: str) -> str:
    # "1,200" and "1200" are the same number; "2.50" and "2.5" too.
    digits = token.replace(",", "")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return digits


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; "n't" split off so "didn't" carries a negation."""
    out: list[str] = []
    for match in _TOKEN.finditer(text.replace("n't", " n't").replace("n’t", " n't")):
        token = match.group(0).lower()
        out.append(_normalise_number(token) if _NUMBER.match(token) else token)
    # The regex drops the apostrophe of the split-off "n't"; restore it as its own negation token.
    return ["n't" if t == "t" else t for t in out]


@lru_cache(maxsize=262144)
def stem(token: str) -> str:
    """A word's Snowball stem (a number as it is): the pair features, the MinHash index and the
    headline check all compare words by it."""
    return token if _NUMBER.match(token) else _STEMMER.stemWord(token)


@dataclass(frozen=True, slots=True)
class TextView:
    """What the pair features need from one side of a pair, computed once per distinct text."""

    tokens: tuple[str, ...]
    content: frozenset[str]  # stemmed content words (no stop words)
    numbers: frozenset[str]
    names: frozenset[str]  # capitalised words not at the start of the sentence: a cheap stand-in for NER
    negations: int
    ngrams: tuple[frozenset[tuple[str, ...]], ...]  # word 1..4-grams of the lower-cased tokens


def _names(text: str) -> frozenset[str]:
    words = re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", text)
    # Skip the first word (capitalised by position) and words in all-caps headlines' short function words.
    return frozenset(
        w.lower() for w in words[1:] if w[0].isupper() and w.lower() not in STOP_WORDS and len(w) > 1
    )


@lru_cache(maxsize=65536)
def view(text: str) -> TextView:
    toks = tokens(text)
    content = frozenset(stem(t) for t in toks if t not in STOP_WORDS and t not in NEGATIONS and len(t) > 1)
    grams = tuple(frozenset(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)) for n in range(1, 5))
    return TextView(
        tokens=tuple(toks),
        content=content,
        numbers=frozenset(t for t in toks if _NUMBER.match(t)),
        names=_names(text),
        negations=sum(1 for t in toks if t in NEGATIONS),
        ngrams=grams,
    )


def shingles(text: str) -> set[str]:
    """The set a claim is MinHashed on: stemmed content words (the same normalisation as the features)."""
    return set(view(text).content)
