"""Person names the small English NER cut short, made whole before sources are resolved.

`Reza Bat'haei`, `Ali-Mohammad Bossaqzadeh`: the NER often ends a person's name before an unfamiliar
surname and leaves that surname without a label, so a later `Bat'haei said` matches no person; or it
starts the name one word late (`Leyla` left out of `Leyla Farahani`); or it cuts a three-part name after
the middle name (`Seyyed Hamid` of `Seyyed Hamid Rostami`); or it labels nothing at all (`Mohsen
Naziri Kord, Iran's envoy, ...`) and then takes the surname for a body (`Naziri Kord said ...`); or it
joins a place to the name after it (`ambassador to Chile Anders Berg` as one body).
Only a name that begins with a known given name (`data/first_names.tsv.gz`) and is not a title
(`Sheriff`, `Coach`) is widened or made, so titles and descriptions (`Senior Trump adviser`, `Minority
Leader`) do not join a name; a body or place word (`Street`, `Authority`) keeps a run from being one.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from spacy.attrs import ENT_IOB, ORTH, POS
from spacy.tokens import Doc, Span, Token

from sourcetrace.nlp.attribution.lexicon import NAME_WORDS_OF_BODIES, OCCUPATION_NOUNS, ROLE_NOUNS
from sourcetrace.nlp.attribution.types import token_strings
from sourcetrace.nlp.resolution.gender import female_share
from sourcetrace.nlp.resolution.mentions import capitalised_word
from sourcetrace.nlp.resolution.person_names import TITLES, fold
from sourcetrace.nlp.resolution.places import is_place

#: Words that may stand before a name without being part of it: titles (`Sheriff`, which the first-name
#: list also holds), roles and occupations, and a few that are first names too often to be titles
#: everywhere (`Dean`, `Sister`), which only keep a name from growing here.
_TITLE_WORDS = TITLES | ROLE_NOUNS | OCCUPATION_NOUNS | frozenset("dean sister brother elder nurse".split())


def _given_name(token: Token) -> bool:
    """A first name the name list knows (either part of `Ali-Mohammad`) that is not a title."""
    if fold(token.text).strip(".'") in _TITLE_WORDS:
        return False
    return any(female_share(part) is not None for part in token.text.split("-") if part)


def _name_word(token: Token) -> bool:
    """A capitalised proper noun with no entity of its own that is not a title."""
    return (
        token.pos_ == "PROPN"
        and token.ent_iob_ == "O"
        and token.text[:1].isupper()
        and not token.is_stop
        and fold(token.text).strip(".'") not in TITLES
    )


def _same_line(left: Token, right: Token) -> bool:
    return "\n" not in left.whitespace_ and not left.is_space and not right.is_space


def _surname_word(token: Token) -> bool:
    """A capitalised word with no entity that may end a name: the tagger takes an unfamiliar surname
    for a plural noun as often as for a proper noun (`Myres`)."""
    return (
        token.pos_ in ("PROPN", "NOUN")
        and token.ent_iob_ == "O"
        and capitalised_word(token.text)
        and not token.is_stop
        and token.lower_ not in NAME_WORDS_OF_BODIES
        and fold(token.text).strip(".'") not in _TITLE_WORDS
    )


#: Words that open an address (`Sorry Maria, ...`, `Thanks Ali`), never a name. A list, not the tagger's
#: interjection tag, which it also gives `Oh` of `Oh Se-hoon`.
_INTERJECTIONS = frozenset("sorry thanks thank hi hello hey dear yes well".split())


def _widened(doc: Doc, ent: Span, taken: int, alone: Counter[str]) -> tuple[int, int]:
    """The bounds of a PERSON entity with the given names and surnames the NER left out around it, and
    without an interjection it took in (`Sorry Maria, but ...`)."""
    start, end = ent.start, ent.end
    while start < end - 1 and doc[start].lower_ in _INTERJECTIONS:
        start += 1
    if start > ent.start:
        return start, end
    while (
        start > taken
        and ent.start - start < 2
        and _name_word(doc[start - 1])
        and _given_name(doc[start - 1])
        and _same_line(doc[start - 1], doc[start])
    ):
        start -= 1
    if len(ent) == 1:
        # A given name alone (`Reza`) takes up to two proper nouns: `Warren Buffett Berkshire` must not grow.
        while (
            _given_name(doc[start])
            and end < len(doc)
            and end - ent.end < 2
            and _name_word(doc[end])
            and _same_line(doc[end - 1], doc[end])
        ):
            end += 1
    elif (
        end < len(doc)
        and _surname_word(doc[end])
        and _same_line(doc[end - 1], doc[end])
        and not (end + 1 < len(doc) and doc[end + 1].pos_ == "PROPN")
        and (_given_name(doc[end - 1]) or (alone[doc[end].text] > 0 and alone[doc[end - 1].text] == 0))
    ):
        # A name cut after its middle name: `Seyyed Hamid` + `Rostami` (a given name), `Bijan Namdar` +
        # `Kordeh` (the article calls him `Kordeh` alone, never `Namdar`).
        end += 1
    return start, end


def _used_alone(texts: list[str]) -> Counter[str]:
    """How often each word stands alone as a name in the article (`texts`: its token strings):
    capitalised, with no capitalised word on either side (`..., Kordeh said`)."""

    def capitalised(i: int) -> bool:
        return 0 <= i < len(texts) and texts[i][:1].isupper() and texts[i].isalpha()

    return Counter(
        text for i, text in enumerate(texts)
        if capitalised(i) and not capitalised(i - 1) and not capitalised(i + 1)
    )


def _unlabelled_names(doc: Doc, ents: list[Span], texts: list[str]) -> list[Span]:
    """Runs of two to four capitalised proper nouns with no entity, on one line, that begin with a known
    given name and hold no body or place word: `Mohsen Naziri Kord`."""
    labelled = {i for e in ents for i in range(e.start, e.end)}
    found: list[Span] = []
    # Only capitalised proper nouns with no entity can start a run: found from arrays, so no Token object
    # is made for the rest of the article.
    pos = token_strings(doc, POS)
    outside = doc.to_array([ENT_IOB]).ravel() == 2 if len(doc) else np.zeros(0, dtype=bool)
    starts = [i for i, (p, t) in enumerate(zip(pos, texts, strict=True)) if p == "PROPN" and t[:1].isupper()]
    i = 0
    for candidate in starts:
        if candidate < i or not outside[candidate]:
            continue
        i = candidate
        token = doc[i]
        joined = i > 0 and (
            (doc[i - 1].pos_ == "PROPN" and doc[i - 1].text[:1].isupper())
            or (doc[i - 1].text in "-\u2013" and not doc[i - 1].whitespace_)  # `Iran-China Joint ...`
        )
        if i in labelled or joined or not _name_word(token) or not _given_name(token):
            i += 1
            continue
        end = i + 1
        while (
            end < len(doc)
            and end not in labelled
            and _name_word(doc[end])
            and _same_line(doc[end - 1], doc[end])
        ):
            end += 1
        run = Span(doc, i, end, label="PERSON")
        if 2 <= len(run) <= 4 and not any(t.lower_ in NAME_WORDS_OF_BODIES for t in run) and (
            end == len(doc) or doc[end].pos_ != "PROPN"
        ):
            found.append(run)
        i = end
    return found


_SPEAKER_DEPS = frozenset("nsubj nsubjpass appos conj ROOT".split())


def _surnames_taken_for_bodies(ents: list[Span]) -> list[Span]:
    """ORG entities that are a person's surname (or last names) the article gave in full: `Naziri Kord`
    after `Mohsen Naziri Kord`, `Myres` after `Dale Myres`."""
    first_named: dict[str, int] = {}  # last names -> where the full name first ends
    for ent in ents:
        if ent.label_ == "PERSON" and len(ent) > 1:
            words = [fold(t.text) for t in ent]
            for k in range(1, len(words)):
                first_named.setdefault(" ".join(words[k:]), ent.end)
    # Only where a speaker stands (`Kordeh said`, `Naziri Kord added`): a possessive or modifier
    # (`Marsh's campaign`, `those Marsh voters`) changes no speaker and, labelled a person, would
    # compete as the antecedent of the next `he`. And only after the full name, as news introduces a
    # person: `Ford said it would cut jobs` before `founded by Henry Ford` is the company.
    return [
        e for e in ents
        if e.label_ == "ORG"
        and e.root.dep_ in _SPEAKER_DEPS
        and first_named.get(" ".join(fold(t.text) for t in e), len(e.doc) + 1) <= e.start
    ]


def _split_place_from_name(doc: Doc, ents: list[Span]) -> list[Span]:
    """`the ambassador to Chile Anders Berg`, tagged as one body: a known place, then a known given name
    and capitalised words, is the place and a person."""
    out: list[Span] = []
    for ent in ents:
        name = ent[1:]
        glued = (
            ent.label_ == "ORG" and 3 <= len(ent) <= 5 and is_place(ent[0].text) and _given_name(name[0])
            and all(t.pos_ == "PROPN" and t.text[:1].isupper() for t in name)
        )
        if glued:
            place = Span(doc, ent.start, ent.start + 1, label="GPE")
            out += [place, Span(doc, name.start, name.end, label="PERSON")]
        else:
            out.append(ent)
    return out


def complete_person_names(doc: Doc) -> None:
    """Repair PERSON entities in place: widen cut names, label unlabelled full names, and relabel a
    surname the NER took for a body (see the module doc)."""
    ents = _split_place_from_name(doc, list(doc.ents))
    changed = len(ents) != len(doc.ents)
    texts = token_strings(doc, ORTH)  # one pass for both searches below, no Token objects
    alone = _used_alone(texts)
    taken = 0  # tokens before this index belong to an earlier (perhaps widened) entity
    for k, ent in enumerate(ents):
        if ent.label_ != "PERSON":
            taken = ent.end
            continue
        start, end = _widened(doc, ent, taken, alone)
        if k + 1 < len(ents) and end > ents[k + 1].start:
            end = ent.end  # never into the next entity
        if (start, end) != (ent.start, ent.end):
            ents[k] = Span(doc, start, end, label="PERSON")
            changed = True
        taken = end
    made = _unlabelled_names(doc, ents, texts)
    surnames = {(e.start, e.end) for e in _surnames_taken_for_bodies(ents + made)}
    for k, ent in enumerate(ents):
        if (ent.start, ent.end) in surnames:
            ents[k] = Span(doc, ent.start, ent.end, label="PERSON")
            changed = True
    if made or changed:
        doc.ents = sorted(ents + made, key=lambda e: e.start)
