"""Person names the small English NER cut short, made whole before sources are resolved.

`Reza Bat'haei`, `Ali-Mohammad Bossaqzadeh`: the NER often ends a person's name before an unfamiliar
surname and leaves that surname without a label, so a later `Bat'haei said` matches no person; or it
starts the name one word late (`Leyla` left out of `Leyla Farahani`). Only a name that begins with a
known given name (`data/first_names.tsv.gz`) and is not a title (`Sheriff`, `Coach`) is widened, so
titles and descriptions (`Senior Trump adviser`, `Minority Leader`) do not join a name.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from sourcetrace.nlp.attribution.lexicon import OCCUPATION_NOUNS, ROLE_NOUNS
from sourcetrace.nlp.resolution.gender import female_share
from sourcetrace.nlp.resolution.person_names import TITLES, fold

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


def complete_person_names(doc: Doc) -> None:
    """Widen PERSON entities in place: a given name right before one joins it (`Leyla` + `Farahani`), and
    a lone given name takes up to two capitalised proper nouns after it (`Reza` + `Bat'haei`)."""
    ents = list(doc.ents)
    changed = False
    taken = 0  # tokens before this index belong to an earlier (perhaps widened) entity
    for k, ent in enumerate(ents):
        if ent.label_ != "PERSON":
            taken = ent.end
            continue
        start, end = ent.start, ent.end
        while (
            start > taken
            and ent.start - start < 2
            and _name_word(doc[start - 1])
            and _given_name(doc[start - 1])
            and _same_line(doc[start - 1], doc[start])
        ):
            start -= 1
        while (
            len(ent) == 1  # a given name alone (`Reza`): `Warren Buffett Berkshire` must not grow
            and _given_name(doc[start])
            and end < len(doc)
            and end - ent.end < 2
            and _name_word(doc[end])
            and _same_line(doc[end - 1], doc[end])
        ):
            end += 1
        if (start, end) != (ent.start, ent.end):
            longer = doc[start:end]
            longer.label_ = "PERSON"
            ents[k] = longer
            changed = True
        taken = end
    if changed:
        doc.ents = ents
