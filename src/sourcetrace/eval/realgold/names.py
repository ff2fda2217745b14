"""The guide's rules for when two hops name the same source (`../shared/ANNOTATION.md`, Scoring).

- case, punctuation, titles and possessives are ignored;
- people: the surname must match, its particle optional (`al-Hakim` = `Hakim` = `Nouri al-Hakim`);
- outlets and organisations: an acronym matches its expansion (`IRNA` = `Islamic Republic News
  Agency`), otherwise the distinctive words must match (one name's distinctive words all in the other's);
- unnamed types (`official_unnamed`, `anonymous`, `collective`, `document`, an unnamed `eyewitness`): the
  head noun must match (`sources` = `two sources familiar with the talks`);
- `author`: by type alone.

Never by substring of the whole name: `Iran` is not `Iran Air`, `the ministry` is not `Foreign Ministry`.
"""

from __future__ import annotations

import re
import unicodedata

from sourcetrace.nlp.resolution.person_names import PARTICLES, SUFFIXES, TITLES, split_words

OUTLET, PERSON, ORGANIZATION = "outlet", "named_person", "named_organization"
EYEWITNESS, AUTHOR = "eyewitness", "author"
NAMED_TYPES = frozenset({OUTLET, PERSON, ORGANIZATION})

#: Titles, particles and suffixes are those of the analysis's person names: the guide defines them.
_SUFFIXES = SUFFIXES
#: Words that tell no organisation from another: they are left out of the distinctive words.
GENERIC_WORDS = frozenset(
    """the a an of and for in on at to & news agency newspaper daily weekly press media network channel
    tv television radio website site online service services inc corp corporation co company ltd llc
    group organization organisation ministry department office council committee commission board
    court party government authority authorities administration union association institute
    foundation bureau force forces army police affairs""".split()
)
#: Words that end an unnamed mention's head noun phrase: `sources familiar with`, `officials who`.
_HEAD_STOP = frozenset(
    "who that which with of in at on for from familiar close to by as whose under over about near".split()
)
_IRREGULAR_PLURALS = {
    "people": "person", "men": "man", "women": "woman", "children": "child", "media": "media"
}
_DETERMINERS = frozenset("the a an this that these those some several many two three four five".split())


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2010", "-").replace("\u2011", "-")


def words(name: str) -> list[str]:
    """Lower-case words of a name: possessives, punctuation and dots of initials removed (`U.S.` -> `us`),
    particles split off their hyphen (`al-Hakim` -> `al`, `hakim`)."""
    text = re.sub(r"'s\b", "", _fold(name).casefold()).replace(".", "")
    return split_words(text, r"[\w'&%-]+")


def surname(name: str) -> str:
    """The surname without its particle: `Nouri Jawad al-Hakim` -> `hakim`; `` when there is none."""
    tokens = [w for w in words(name) if w not in TITLES and w not in _SUFFIXES]
    tokens = [w for w in tokens if w not in PARTICLES] or tokens
    return tokens[-1] if tokens else ""


def acronym(name: str) -> str:
    """Initials of the significant words: `Islamic Republic News Agency` -> `irna`."""
    return "".join(w[0] for w in words(name) if w not in ("of", "the", "and", "for", "&", "in", "on"))


def distinctive(name: str) -> list[str]:
    return [w for w in words(name) if w not in GENERIC_WORDS]


def _is_acronym_of(short: str, long: str) -> bool:
    token = "".join(words(short))
    return len(words(short)) == 1 and len(token) >= 2 and len(words(long)) >= 2 and token == acronym(long)


def organisations_match(a: str, b: str) -> bool:
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return False
    if wa == wb or "".join(wa) == "".join(wb):
        return True
    if _is_acronym_of(a, b) or _is_acronym_of(b, a):
        return True
    da, db = distinctive(a), distinctive(b)
    if not da or not db:
        return set(wa) - {"the"} == set(wb) - {"the"}
    small, large = (da, db) if len(da) <= len(db) else (db, da)
    if not set(small) <= set(large):
        return False
    # A qualifier before the name is the same body (`Iran's Foreign Ministry` = `Foreign Ministry`);
    # words added after a whole name make another one (`Iran` is not `Iran Air`).
    return set(small) == set(large) or large[: len(small)] != small


def singular(word: str) -> str:
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def head_noun(name: str) -> str:
    """The head noun of an unnamed mention: the last word before a preposition, a relative clause or a
    participle (`the latest data released by ...` -> `data`); a bare quantifier is its own head (`some`)."""
    head, tokens = "", words(name.split(",")[0])
    for word in tokens:
        if word in _HEAD_STOP or (head and word.endswith(("ed", "ing")) and len(word) > 4):
            break
        if word not in _DETERMINERS:
            head = word
    return singular(head or (tokens[-1] if tokens else ""))


def looks_named(name: str) -> bool:
    """A mention that is a name (every word capitalised): `Maria Lopez`, not `a resident`."""
    tokens = [t for t in re.findall(r"[^\W\d_][\w'.-]*", _fold(name)) if t.lower() not in _DETERMINERS]
    return bool(tokens) and all(t[0].isupper() or t.lower() in PARTICLES for t in tokens)


def same_source(gold_name: str, gold_type: str, name: str, kind: str) -> bool:
    """Whether a predicted hop (`name`, `kind`) is the gold hop, by the guide's Scoring rules."""
    if str(kind) != gold_type:
        return False
    if gold_type == AUTHOR:
        return True
    if gold_type == PERSON or (gold_type == EYEWITNESS and looks_named(gold_name)):
        gold_surname = surname(gold_name)
        return bool(gold_surname) and gold_surname == surname(name)
    if gold_type in (OUTLET, ORGANIZATION):
        return organisations_match(gold_name, name)
    gold_head = head_noun(gold_name)
    return bool(gold_head) and gold_head == head_noun(name)
