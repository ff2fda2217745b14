"""The parts of a person's name as news writes it: titles, given names, particles and the surname.

`Deputy Foreign Minister Seyed Abbas Araghchi` -> given `Seyed Abbas`, surname `Araghchi`, role words
`Deputy Foreign Minister`; `Nouri Jawad al-Hakim` -> surname `al-Hakim`, whose key `hakim` is what a
later `Hakim said` is matched by (`../shared/ANNOTATION.md`, Names: particles belong to the surname).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: Name particles that belong to the surname.
PARTICLES = frozenset(
    "al el ul bin ibn bint ben abu abou van von der den de da di du del della la le dos das ter".split()
)
#: Honorifics and titles written before a name; they are not part of it.
TITLES = frozenset(
    """mr mrs ms miss dr prof professor sir dame lord lady rev reverend fr father sheikh sheik shaykh
    ayatollah hojatoleslam hojjatoleslam imam mullah president vice prime minister deputy gov governor
    sen senator rep representative congressman congresswoman gen general lt col colonel maj major capt
    captain adm admiral sgt judge justice mayor chancellor king queen prince princess emir sultan
    secretary ambassador commander chief amb hon honorable former late brig councillor councilor
    councilman councilwoman alderman sheriff coach pastor rabbi bishop archbishop cardinal deacon chaplain
    trooper""".split()
)
SUFFIXES = frozenset("jr sr ii iii iv phd md".split())


def fold(text: str) -> str:
    """Lower case without accents or typographic apostrophes: `Ruhani’s` and `ruhani's` agree."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'").replace("\u2018", "'"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


@lru_cache(maxsize=65536)
def _name_words(name: str) -> tuple[str, ...]:
    return tuple(_split_name(name))


def name_words(name: str) -> list[str]:
    """Folded words of a name (cached: the same names are compared many times per article)."""
    return list(_name_words(name))


def _split_name(name: str) -> list[str]:
    """Folded words of a name: possessive and initials' dots dropped, particles split off their
    hyphen (`al-Hakim` -> `al`, `hakim`)."""
    return split_words(re.sub(r"'s\b", "", fold(name)).replace(".", " "))


def split_words(text: str, pattern: str = r"[\w'-]+") -> list[str]:
    """Words of folded text, a particle split off its hyphen (`al-hakim` -> `al`, `hakim`); apostrophes
    inside words dropped (`o'neill` -> `oneill`)."""
    out: list[str] = []
    for word in re.findall(pattern, text):
        word = word.strip("'-")
        if not word:
            continue
        head, dash, rest = word.partition("-")
        if dash and head in PARTICLES and rest:
            out.extend([head, rest])
        else:
            out.append(word.replace("'", ""))
    return out


@dataclass(frozen=True, slots=True)
class PersonName:
    given: tuple[str, ...]
    surname_key: str  # the surname without particle, folded: what `Hakim` and `al-Hakim` share
    titles: tuple[str, ...]

    @property
    def first(self) -> str | None:
        """The first given name that is not an initial."""
        return next((g for g in self.given if len(g) > 1), None)


@lru_cache(maxsize=65536)
def parse_person_name(name: str) -> PersonName:
    words = name_words(name)
    # Everything up to the last title word is role: `Deputy Foreign Minister Seyed Abbas Araghchi`.
    last_title = max((i for i, w in enumerate(words[:-1]) if w in TITLES), default=-1)
    titles = words[: last_title + 1]
    words = words[last_title + 1 :]
    while words and words[-1] in SUFFIXES:
        words.pop()
    core = [w for w in words if w not in PARTICLES] or words
    if not core:
        return PersonName((), "", tuple(titles))
    surname = core[-1]
    # Given names stop where the surname's particles begin: `Nouri Jawad al-Hakim` -> `nouri jawad`.
    given = []
    for word in words:
        if word in PARTICLES or word == surname:
            break
        given.append(word)
    return PersonName(tuple(given), surname, tuple(titles))


def surname_key(name: str) -> str:
    return parse_person_name(name).surname_key


def same_person_name(a: str, b: str) -> bool:
    """Two mentions can name one person: same surname, and no given names that disagree."""
    pa, pb = parse_person_name(a), parse_person_name(b)
    if not pa.surname_key or pa.surname_key != pb.surname_key:
        return False
    return _given_agree(pa.given, pb.given) or _ends_compound_name(pa.given, pb.given)


def _given_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Given names agree from the first on, an initial standing for its name (`J. Smith` = `John Smith`)."""
    for x, y in zip(a, b, strict=False):
        if x == y or (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y)):
            continue
        return False
    return True


def _ends_compound_name(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """A later mention may drop the first given name and keep the rest of a compound name:
    `Javad Zarif` after `Mohammad Javad Zarif`, `Amir Abdollahian` after `Hossein Amir Abdollahian`."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if not short or len(short) == len(long) or any(len(word) == 1 for word in short):
        return False  # an initial alone (`J. Marsh`) may be anyone's
    return long[len(long) - len(short) :] == short

